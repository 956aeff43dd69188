/*
 * norm_date.c — calendar dates to "YYYY-MM-DD" (see canon.h).
 *
 * A caller books "next Friday", "the 16th", "March 5th" or "a week from
 * tomorrow"; a model writes "2019-03-08" or "3/8". This normaliser reads one
 * date in any of those shapes and prints it as ISO 8601, resolving relative
 * phrases against the call's date (ctx->ref_*), so assertion.c can compare what
 * was expected with what a model extracted. Without a call date every
 * relative phrase — and a month and day without a year — is refused.
 *
 * It works in three steps. Numeric dates ("2026-11-21", "11/21/26", "11/21")
 * are read from the raw text first, because the tokenizer splits on '-'.
 * The rest is tokenized (text.h), a few fillers ("on", "the", "of") are
 * dropped, and each remaining piece becomes one component: a weekday, a
 * weekday phrase ("next friday", "monday next week"), a month, a day, a
 * year, "this/next month", a relative day ("tomorrow") or a day part
 * ("evening", ignored after a day). Finally the sequence of components must
 * be one of a few known shapes (month day [year], day month [year], day
 * [of this/next month], ...), optionally with one weekday that is checked
 * against the date: "Friday, March 8" is refused when March 8 is a Thursday.
 *
 * Conventions (weeks run Monday..Sunday):
 *   - "friday" / "this friday": the first Friday on or after the call date;
 *     "next friday" / "coming friday": the first one strictly after it;
 *     "friday this week" / "friday next week": that day of the call's week
 *     or of the week after; "friday after next": next Friday + 7.
 *   - "the 16th": day 16 of the call's month if not yet past, else of the
 *     next month; "the 16th of this/next month" names the month.
 *   - A month and day without a year: the first such date on or after the
 *     call date ("February 29" the next leap year, within 8 years).
 *   - "in 3 days", "two weeks from today", "a week from friday": offsets.
 * Anything else is refused, with a reason: a wrong date is worse than none.
 */
#include "calendar.h"
#include "canon.h"
#include "numwords.h"
#include "text.h"

#include <ctype.h>
#include <stdbool.h>
#include <string.h>

/* Longer input is not one date; refusing early keeps messages short. */
#define DATE_IN_MAX 200
/* Stands in for the numeric date the pre-pass cut out of the text. */
#define NUMDATE_WORD "hxnumdate"

typedef struct ymd {
    int y, m, d;
} ymd;

/* The call's date, if known. */
typedef struct ref {
    bool known;
    int y, m, d;
    long dn;  /* day number, see days_from_civil() */
    int wd;   /* 0 = Monday .. 6 = Sunday */
} ref;

/* Weekday phrases, by how far they reach from the call date. */
enum wmode {
    WM_THIS,       /* "this friday", bare "friday": 0..6 days ahead */
    WM_NEXT,       /* "next/coming friday": 1..7 days ahead */
    WM_THIS_WEEK,  /* "friday this week" */
    WM_NEXT_WEEK,  /* "friday next week", "next week friday" */
    WM_AFTER_NEXT  /* "friday after next": WM_NEXT + 7 */
};

/* One piece of a date. The kind letters spell the shape matched in
 * check_shape(). */
typedef struct comp {
    char k;  /* W weekday, P weekday phrase, M month, D day, Y year,
                T this/next month, R relative day, N numeric date, E day part */
    int a;   /* W/P weekday, M month, D day, Y year, T 0|1, R offset */
    int b;   /* P: enum wmode; D: 1 if ordinal or after "the" */
} comp;

/* Tokens left after the fillers are dropped. */
typedef struct dwords {
    int n;
    const char *w[HX_TOK_MAX];
    bool after_the[HX_TOK_MAX]; /* "the 16": a day even without "th" */
} dwords;

/* Everything one call of hx_norm_date works with. */
typedef struct dctx {
    const char *in;  /* the original text, quoted in refusals */
    ref r;
    bool has_num;
    ymd num;         /* the numeric date cut out by the pre-pass */
    hx_canon *out;
} dctx;

static const char *const MONTH_NAME[] = {
    "", "January", "February", "March", "April", "May", "June", "July",
    "August", "September", "October", "November", "December"};
static const char *const WEEKDAY_NAME[] = {
    "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"};

static const char *const FILLERS[] = {
    "the", "of", "on", "for", "at", "around", "about", "please", "ok", "okay",
    "um", "uh", NULL};

/* ---- calendar arithmetic (proleptic Gregorian) ---- */

static int month_len(int y, int m)
{
    return hx_days_in_month(y, m);
}

static long days_from_civil(int y, int m, int d)
{
    return hx_days_from_civil(y, m, d);
}

static ymd civil_from_days(long z)
{
    ymd r;
    hx_civil_from_days(z, &r.y, &r.m, &r.d);
    return r;
}

/* 0 = Monday. */
static int weekday_of(long dn)
{
    return hx_weekday(dn);
}

static long dn_of(ymd v)
{
    return days_from_civil(v.y, v.m, v.d);
}

/* ---- refusals shared by several rules ---- */

static int refuse_relative(const dctx *c)
{
    return hx_canon_refuse(c->out, "relative date \"%s\" needs the call date", c->in);
}

static int refuse_read(const dctx *c)
{
    return hx_canon_refuse(c->out, "cannot read \"%s\" as one date", c->in);
}

/* Refuse unless y-m-d is a real day. */
static int check_real(const dctx *c, int y, int m, int d)
{
    if (y < 1900 || y > 2199)
        return hx_canon_refuse(c->out, "year %d in \"%s\" is out of range", y, c->in);
    if (m < 1 || m > 12)
        return hx_canon_refuse(c->out, "month %d does not exist", m);
    if (d < 1 || d > month_len(y, m)) {
        if (m == 2 && d == 29)
            return hx_canon_refuse(c->out, "February 29, %d does not exist (%d is not a leap year)", y, y);
        return hx_canon_refuse(c->out, "%s %d does not exist", MONTH_NAME[m], d);
    }
    return 0;
}

/* ---- numeric dates, read from the raw text ---- */

static bool digits_at(const char *s, size_t n, size_t *i, int count)
{
    for (int k = 0; k < count; k++, (*i)++)
        if (*i >= n || !isdigit((unsigned char)s[*i])) return false;
    return true;
}

/* The tail of an ISO timestamp after the date: "T19:30", "T19:30:00",
 * "T19:30:00.5Z", "T19:30:00-05:00". Only its shape is checked: the date
 * part is the local date whatever the time. */
static bool iso_time_tail(const char *s, size_t n)
{
    size_t i = 1;
    if (n == 0) return true;
    if (s[0] != 'T' && s[0] != 't') return false;
    if (!digits_at(s, n, &i, 2) || i >= n || s[i++] != ':' || !digits_at(s, n, &i, 2))
        return false;
    if (i < n && s[i] == ':') {
        i++;
        if (!digits_at(s, n, &i, 2)) return false;
        if (i < n && s[i] == '.') {
            i++;
            if (!digits_at(s, n, &i, 1)) return false;
            while (i < n && isdigit((unsigned char)s[i])) i++;
        }
    }
    if (i < n && (s[i] == 'Z' || s[i] == 'z')) i++;
    else if (i < n && (s[i] == '+' || s[i] == '-')) {
        i++;
        if (!digits_at(s, n, &i, 2)) return false;
        if (i < n && s[i] == ':') i++;
        if (!digits_at(s, n, &i, 2)) return false;
    }
    return i == n;
}

/* Read "2026-11-21[T...]", "2026/11/21", "11/21/2026", "11/21/26",
 * "11-21-2026" or "11/21" (y = 0: no year). US order only: a first number
 * above 12 is refused rather than read as day/month. */
static int parse_numeric(const dctx *c, const char *s, size_t n, ymd *o)
{
    int g[3] = {0, 0, 0}, gl[3] = {0, 0, 0}, ng = 0;
    char sep = 0;
    size_t i = 0;

    while (ng < 3) {
        int v = 0, l = 0;
        for (; i < n && isdigit((unsigned char)s[i]); i++, l++)
            if (l < 5) v = v * 10 + (s[i] - '0');
        if (l == 0 || l > 4) goto bad;
        g[ng] = v;
        gl[ng++] = l;
        if (ng == 3 || i >= n || (s[i] != '-' && s[i] != '/')) break;
        if (sep && s[i] != sep) goto bad;
        sep = s[i++];
    }
    if (ng == 3 && gl[0] == 4 && gl[1] <= 2 && gl[2] <= 2) {        /* ISO */
        if (!iso_time_tail(s + i, n - i) || (i < n && sep != '-')) goto bad;
        o->y = g[0]; o->m = g[1]; o->d = g[2];
        return check_real(c, o->y, o->m, o->d);
    }
    if (i != n || gl[0] > 2 || gl[1] > 2 || ng < 2) goto bad;
    if (g[0] > 12)   /* short: at most 10 bytes here, all digits and separators */
        return hx_canon_refuse(c->out, "\"%.*s\" is not month/day/year (%d is not a month)",
                               (int)n, s, g[0]);
    o->m = g[0];
    o->d = g[1];
    if (ng == 2) {
        if (sep != '/') goto bad;       /* "5-6" is a range more often than May 6 */
        o->y = 0;
        if (o->m < 1 || o->d < 1 || o->d > month_len(2000, o->m))
            return check_real(c, 2000, o->m, o->d);
        return 0;
    }
    if (gl[2] == 2) o->y = 2000 + g[2];
    else if (gl[2] == 4) o->y = g[2];
    else goto bad;
    return check_real(c, o->y, o->m, o->d);
bad:
    if (n > 40)
        return hx_canon_refuse(c->out, "cannot read the numbers in \"%s\" as a date", c->in);
    return hx_canon_refuse(c->out, "cannot read \"%.*s\" as a date", (int)n, s);
}

static bool word_sep(char ch)
{
    return isspace((unsigned char)ch) || ch == ',' || ch == ';';
}

/* Copy `in` to buf with any numeric date replaced by NUMDATE_WORD, keeping
 * the date in c->num. A word is numeric when it starts with a digit and
 * holds '-' or '/'. */
static int cut_numeric(dctx *c, const char *in, char *buf, size_t cap)
{
    size_t o = 0, i = 0, len = strlen(in);
    while (i < len) {
        size_t s = i, e, ts, te;
        if (word_sep(in[i])) {
            if (o + 1 < cap) buf[o++] = in[i];
            i++;
            continue;
        }
        while (i < len && !word_sep(in[i])) i++;
        e = i;
        ts = s;
        te = e;
        while (ts < te && strchr("([\"'", in[ts])) ts++;
        while (te > ts && strchr(".)]\"'!?:", in[te - 1])) te--;
        if (te > ts && isdigit((unsigned char)in[ts]) &&
            (memchr(in + ts, '-', te - ts) || memchr(in + ts, '/', te - ts))) {
            if (c->has_num)
                return hx_canon_refuse(c->out, "\"%s\" holds two numeric dates", c->in);
            if (parse_numeric(c, in + ts, te - ts, &c->num) < 0) return -1;
            c->has_num = true;
            if (o + sizeof NUMDATE_WORD + 2 > cap)   /* cannot happen: input is capped */
                return hx_canon_refuse(c->out, "date text is too long");
            memcpy(buf + o, " " NUMDATE_WORD " ", sizeof NUMDATE_WORD + 1);
            o += sizeof NUMDATE_WORD + 1;
            continue;
        }
        for (; s < e && o + 1 < cap; s++) buf[o++] = in[s];
    }
    buf[o] = '\0';
    return 0;
}

/* ---- words ---- */

static bool in_list(const char *w, const char *const *list)
{
    for (; *list; list++)
        if (strcmp(w, *list) == 0) return true;
    return false;
}

static bool is(const dwords *w, int i, int end, const char *s)
{
    return i >= 0 && i < end && strcmp(w->w[i], s) == 0;
}

static int month_of(const char *s)
{
    static const struct { const char *w; int m; } M[] = {
        {"january", 1}, {"jan", 1}, {"february", 2}, {"feb", 2}, {"march", 3},
        {"mar", 3}, {"april", 4}, {"apr", 4}, {"may", 5}, {"june", 6},
        {"jun", 6}, {"july", 7}, {"jul", 7}, {"august", 8}, {"aug", 8},
        {"september", 9}, {"sep", 9}, {"sept", 9}, {"october", 10},
        {"oct", 10}, {"november", 11}, {"nov", 11}, {"december", 12},
        {"dec", 12}};
    for (size_t i = 0; i < sizeof M / sizeof M[0]; i++)
        if (strcmp(s, M[i].w) == 0) return M[i].m;
    return 0;
}

/* 0 = Monday .. 6 = Sunday, or -1. */
static int weekday_word(const char *s)
{
    static const struct { const char *w; int d; } W[] = {
        {"monday", 0}, {"mon", 0}, {"tuesday", 1}, {"tue", 1}, {"tues", 1},
        {"wednesday", 2}, {"wed", 2}, {"weds", 2}, {"thursday", 3},
        {"thu", 3}, {"thur", 3}, {"thurs", 3}, {"friday", 4}, {"fri", 4},
        {"saturday", 5}, {"sat", 5}, {"sunday", 6}, {"sun", 6}};
    for (size_t i = 0; i < sizeof W / sizeof W[0]; i++)
        if (strcmp(s, W[i].w) == 0) return W[i].d;
    return -1;
}

/* Days after the call date for "today", "tomorrow", "yesterday" (+ common
 * misspellings), or -100. */
static int relative_word(const char *s)
{
    static const struct { const char *w; int off; } R[] = {
        {"today", 0}, {"tonight", 0}, {"tonite", 0}, {"tomorrow", 1},
        {"tomorow", 1}, {"tommorow", 1}, {"tommorrow", 1}, {"tmrw", 1},
        {"yesterday", -1}};
    for (size_t i = 0; i < sizeof R / sizeof R[0]; i++)
        if (strcmp(s, R[i].w) == 0) return R[i].off;
    return -100;
}

static bool day_part(const char *s)
{
    return strcmp(s, "morning") == 0 || strcmp(s, "afternoon") == 0 ||
           strcmp(s, "evening") == 0 || strcmp(s, "night") == 0;
}

/* numwords reads hx_tokens; rebuild one from kept words [from, end). */
static int read_number(const dwords *w, int from, int end, hx_numword *nw)
{
    hx_tokens tk;
    const char *s;
    if (from >= end) return -1;
    s = w->w[from];
    /* only digits or a number word may start it: "a couple" is no day */
    if (!isdigit((unsigned char)s[0]) && hx_numword_small(s, NULL) < 0) return -1;
    tk.n = 0;
    for (int i = from; i < end; i++) strcpy(tk.t[tk.n++], w->w[i]);
    return hx_numwords_read(&tk, 0, nw);
}

/* ---- components ---- */

/* A weekday phrase at i: returns tokens used and fills *cp, or 0. */
static int lex_weekday(const dwords *w, int i, int end, comp *cp)
{
    const char *s = w->w[i];
    int d;
    cp->k = 'P';
    if ((strcmp(s, "this") == 0 || strcmp(s, "next") == 0) && is(w, i + 1, end, "week") &&
        i + 2 < end && (d = weekday_word(w->w[i + 2])) >= 0) {
        cp->a = d;                                  /* "next week friday" */
        cp->b = s[0] == 't' ? WM_THIS_WEEK : WM_NEXT_WEEK;
        return 3;
    }
    if (strcmp(s, "this") == 0 && i + 2 < end &&
        (is(w, i + 1, end, "coming") || is(w, i + 1, end, "upcoming")) &&
        (d = weekday_word(w->w[i + 2])) >= 0) {
        cp->a = d;                                  /* "this coming friday" */
        cp->b = WM_NEXT;
        return 3;
    }
    if ((strcmp(s, "this") == 0 || strcmp(s, "next") == 0 || strcmp(s, "coming") == 0 ||
         strcmp(s, "upcoming") == 0) &&
        i + 1 < end && (d = weekday_word(w->w[i + 1])) >= 0) {
        cp->a = d;
        cp->b = strcmp(s, "this") == 0 ? WM_THIS : WM_NEXT;
        return 2;
    }
    if ((d = weekday_word(s)) < 0) return 0;
    cp->a = d;
    if ((is(w, i + 1, end, "this") || is(w, i + 1, end, "next")) && is(w, i + 2, end, "week")) {
        cp->b = w->w[i + 1][0] == 't' ? WM_THIS_WEEK : WM_NEXT_WEEK;
        return 3;
    }
    if (is(w, i + 1, end, "after") && is(w, i + 2, end, "next")) {
        cp->b = WM_AFTER_NEXT;
        return 3;
    }
    cp->k = 'W';
    return 1;
}

/* A day, a year or a spoken year at i. have_md: a month and a day came
 * before, so a number may be a year ("twenty nineteen"). */
static int lex_number(const dwords *w, int i, int end, bool have_md, comp *cp)
{
    hx_numword nw, nw2;
    const char *s = w->w[i];
    if (strlen(s) == 4 && hx_all_digits(s)) {
        cp->k = 'Y';
        cp->a = (s[0] - '0') * 1000 + (s[1] - '0') * 100 + (s[2] - '0') * 10 + (s[3] - '0');
        return 1;
    }
    if (read_number(w, i, end, &nw) != 0) return 0;
    if (have_md && !nw.ordinal && nw.value == 20 && nw.consumed == 1 && !isdigit((unsigned char)s[0]) &&
        read_number(w, i + 1, end, &nw2) == 0 && !nw2.ordinal && nw2.value >= 10 &&
        nw2.value <= 99 && !isdigit((unsigned char)w->w[i + 1][0])) {
        cp->k = 'Y';                                /* "twenty nineteen" */
        cp->a = 2000 + (int)nw2.value;
        return 1 + nw2.consumed;
    }
    if (have_md && !nw.ordinal && nw.value >= 2000 && nw.value <= 2099 &&
        !isdigit((unsigned char)s[0])) {
        cp->k = 'Y';                                /* "two thousand nineteen" */
        cp->a = (int)nw.value;
        return nw.consumed;
    }
    if (nw.value < 1 || nw.value > 31) return 0;
    cp->k = 'D';
    cp->a = (int)nw.value;
    cp->b = nw.ordinal || w->after_the[i];
    return nw.consumed;
}

/* One component at i: returns tokens used, 0 if none starts here. */
static int lex_one(const dwords *w, int i, int end, bool have_md, comp *cp)
{
    const char *s = w->w[i];
    int v, k;
    memset(cp, 0, sizeof *cp);
    if (strcmp(s, NUMDATE_WORD) == 0) { cp->k = 'N'; return 1; }
    if ((v = relative_word(s)) != -100) { cp->k = 'R'; cp->a = v; return 1; }
    if (strcmp(s, "later") == 0 && is(w, i + 1, end, "today")) { cp->k = 'R'; return 2; }
    if (strcmp(s, "day") == 0 && is(w, i + 1, end, "after") && is(w, i + 2, end, "tomorrow")) {
        cp->k = 'R'; cp->a = 2; return 3;
    }
    if (strcmp(s, "day") == 0 && is(w, i + 1, end, "before") && is(w, i + 2, end, "yesterday")) {
        cp->k = 'R'; cp->a = -2; return 3;
    }
    if (strcmp(s, "this") == 0 && i + 1 < end && day_part(w->w[i + 1]) &&
        !is(w, i + 1, end, "night")) {
        cp->k = 'R'; return 2;                      /* "this evening" */
    }
    if ((strcmp(s, "this") == 0 || strcmp(s, "next") == 0) && is(w, i + 1, end, "month")) {
        cp->k = 'T'; cp->a = s[0] == 'n'; return 2;
    }
    if ((k = lex_weekday(w, i, end, cp)) > 0) return k;
    if ((v = month_of(s)) > 0) { cp->k = 'M'; cp->a = v; return 1; }
    if (day_part(s)) { cp->k = 'E'; return 1; }
    if (strcmp(s, "in") == 0 && i + 1 < end && day_part(w->w[i + 1])) { cp->k = 'E'; return 2; }
    return lex_number(w, i, end, have_md, cp);
}

/* ---- resolving ---- */

static int set_date(const dctx *c, long dn, ymd *res)
{
    *res = civil_from_days(dn);
    return check_real(c, res->y, res->m, res->d);
}

/* A weekday phrase -> day number. */
static long weekday_phrase(const ref *r, int wd, enum wmode mode)
{
    int ahead = (wd - r->wd + 7) % 7;
    switch (mode) {
    case WM_THIS: return r->dn + ahead;
    case WM_NEXT: return r->dn + (ahead ? ahead : 7);
    case WM_THIS_WEEK: return r->dn - r->wd + wd;
    case WM_NEXT_WEEK: return r->dn - r->wd + 7 + wd;
    case WM_AFTER_NEXT: return r->dn + (ahead ? ahead : 7) + 7;
    }
    return r->dn;
}

/* Month and day with no year: the first such date on or after the call. */
static int roll_year(const dctx *c, int m, int d, ymd *res)
{
    if (d < 1 || d > month_len(2000, m)) return check_real(c, 2000, m, d);
    if (!c->r.known)
        return hx_canon_refuse(c->out, "\"%s\" has no year and the call date is unknown", c->in);
    for (int y = c->r.y; y <= c->r.y + 8; y++) {
        if (d > month_len(y, m)) continue;
        if (days_from_civil(y, m, d) >= c->r.dn) {
            res->y = y; res->m = m; res->d = d;
            return check_real(c, y, m, d);
        }
    }
    return hx_canon_refuse(c->out, "no %s %d within 8 years of the call date", MONTH_NAME[m], d);
}

/* "the 16th": this month if the day is not past, else next month. */
static int day_only(const dctx *c, int d, int month_rel, ymd *res)
{
    int y, m;
    if (!c->r.known) return refuse_relative(c);
    y = c->r.y;
    m = c->r.m;
    if (month_rel == 1 || (month_rel < 0 && d < c->r.d)) {
        if (++m > 12) { m = 1; y++; }
    }
    res->y = y; res->m = m; res->d = d;
    return check_real(c, y, m, d);
}

/* The date named by a shape with no weekday check left in it. */
static int resolve_core(const dctx *c, const char *shape, const comp *cp, ymd *res)
{
    if (strcmp(shape, "N") == 0) {
        if (c->num.y) { *res = c->num; return 0; }
        return roll_year(c, c->num.m, c->num.d, res);
    }
    if (strcmp(shape, "MD") == 0) return roll_year(c, cp[0].a, cp[1].a, res);
    if (strcmp(shape, "DM") == 0) return roll_year(c, cp[1].a, cp[0].a, res);
    if (strcmp(shape, "MDY") == 0 || strcmp(shape, "DMY") == 0) {
        int m = shape[0] == 'M' ? cp[0].a : cp[1].a, d = shape[0] == 'M' ? cp[1].a : cp[0].a;
        if (check_real(c, cp[2].a, m, d) < 0) return -1;
        res->y = cp[2].a; res->m = m; res->d = d;
        return 0;
    }
    if (strcmp(shape, "D") == 0) {
        if (!cp[0].b)   /* "5" alone could be anything; "5th" or "the 5" is a day */
            return hx_canon_refuse(c->out, "\"%s\" is a bare number, not a date", c->in);
        return day_only(c, cp[0].a, -1, res);
    }
    if (strcmp(shape, "DT") == 0) return day_only(c, cp[0].a, cp[1].a, res);
    if (!c->r.known) return refuse_relative(c);
    if (strcmp(shape, "R") == 0) return set_date(c, c->r.dn + cp[0].a, res);
    if (strcmp(shape, "W") == 0) return set_date(c, weekday_phrase(&c->r, cp[0].a, WM_THIS), res);
    if (strcmp(shape, "P") == 0)
        return set_date(c, weekday_phrase(&c->r, cp[0].a, (enum wmode)cp[0].b), res);
    return refuse_read(c);
}

/* A weekday said next to a date must agree with it. */
static int check_weekday(const dctx *c, const comp *wc, const ymd *res)
{
    long dn = dn_of(*res);
    if (wc->k == 'W') {
        if (weekday_of(dn) != wc->a)
            return hx_canon_refuse(c->out, "\"%s\" but that date is a %s", c->in,
                                   WEEKDAY_NAME[weekday_of(dn)]);
        return 0;
    }
    if (!c->r.known) return refuse_relative(c);
    if (weekday_phrase(&c->r, wc->a, (enum wmode)wc->b) != dn)
        return hx_canon_refuse(c->out, "\"%s\" names two different days", c->in);
    return 0;
}

/* Match the components against the known shapes and resolve them. */
static int resolve(const dctx *c, comp *cp, int n, ymd *res)
{
    static const char *const SHAPES[] = {"N", "MD", "MDY", "DM", "DMY", "D",
                                         "DT", "R", "W", "P", NULL};
    char shape[HX_TOK_MAX + 1];
    const comp *check = NULL;
    int first = 0;

    /* a day part after a day ("tomorrow evening") says nothing about it */
    if (n >= 2 && cp[n - 1].k == 'E' && strchr("RWP", cp[n - 2].k)) n--;
    if (n >= 2 && strchr("WP", cp[0].k)) {
        check = &cp[0];
        first = 1;
    } else if (n >= 2 && strchr("WP", cp[n - 1].k)) {
        check = &cp[n - 1];
        n--;
    }
    for (int i = first; i < n; i++) shape[i - first] = cp[i].k;
    shape[n - first] = '\0';
    if (n - first == 0 || !in_list(shape, SHAPES)) return refuse_read(c);
    if (check && strchr("WP", shape[0])) return refuse_read(c);
    /* "the 3rd sunday" is the nth weekday of a month, not Sunday the 3rd */
    if (check && first == 0 && strcmp(shape, "D") == 0)
        return hx_canon_refuse(c->out, "\"%s\" reads as the nth weekday of a month", c->in);
    if (resolve_core(c, shape, cp + first, res) < 0) return -1;
    return check ? check_weekday(c, check, res) : 0;
}

/* "19:30" or "19:30:00", a valid clock reading. */
static bool clock_word(const char *s)
{
    int h, m, sec = 0, len = (int)strlen(s);
    if ((len != 5 && len != 8) || !isdigit((unsigned char)s[0]) || !isdigit((unsigned char)s[1]) ||
        s[2] != ':' || !isdigit((unsigned char)s[3]) || !isdigit((unsigned char)s[4]))
        return false;
    if (len == 8 && (s[5] != ':' || !isdigit((unsigned char)s[6]) || !isdigit((unsigned char)s[7])))
        return false;
    h = (s[0] - '0') * 10 + (s[1] - '0');
    m = (s[3] - '0') * 10 + (s[4] - '0');
    if (len == 8) sec = (s[6] - '0') * 10 + (s[7] - '0');
    return h < 24 && m < 60 && sec < 60;
}

/* A date without offsets, from kept words [from, end). */
static int parse_simple(const dctx *c, const dwords *w, int from, int end, ymd *res)
{
    comp cp[HX_TOK_MAX];
    int n = 0, k;
    bool have_m = false, have_d = false;
    for (int i = from; i < end; i += k) {
        /* "2026-11-21 19:30:00" (SQL style) is that date, like the ISO 'T' form */
        if (n > 0 && cp[n - 1].k == 'N' && clock_word(w->w[i])) {
            k = 1;
            continue;
        }
        if ((k = lex_one(w, i, end, have_m && have_d, &cp[n])) == 0)
            return hx_canon_refuse(c->out, "cannot read \"%s\" in \"%s\" as part of a date",
                                   w->w[i], c->in);
        have_m |= cp[n].k == 'M';
        have_d |= cp[n].k == 'D';
        n++;
    }
    if (n == 0) return hx_canon_refuse(c->out, "no date in \"%s\"", c->in);
    return resolve(c, cp, n, res);
}

/* ---- offsets: "in 3 days", "a week from friday" ---- */

static int unit_days(const dwords *w, int i, int end)
{
    static const struct { const char *w; int d; } U[] = {
        {"day", 1}, {"days", 1}, {"week", 7}, {"weeks", 7},
        {"fortnight", 14}, {"fortnights", 14}};
    for (size_t k = 0; i < end && k < sizeof U / sizeof U[0]; k++)
        if (strcmp(w->w[i], U[k].w) == 0) return U[k].d;
    return 0;
}

/* "a week", "3 days", "two weeks": the count of days, or -1. */
static int read_span(const dwords *w, int i, int end, int *used)
{
    hx_numword nw;
    int u;
    if ((is(w, i, end, "a") || is(w, i, end, "an")) && (u = unit_days(w, i + 1, end)) > 0) {
        *used = 2;
        return u;
    }
    if (read_number(w, i, end, &nw) != 0 || nw.ordinal || nw.value < 1 || nw.value > 1000)
        return -1;
    if ((u = unit_days(w, i + nw.consumed, end)) == 0) return -1;
    *used = nw.consumed + 1;
    return (int)nw.value * u;
}

/* Returns 1 and sets *res (or -1, refused) if the words are an offset
 * phrase; 0 if they are not one. */
static int parse_offset(const dctx *c, const dwords *w, ymd *res)
{
    int used, days, i = is(w, 0, w->n, "in") ? 1 : 0;
    ymd anchor;
    if ((days = read_span(w, i, w->n, &used)) < 0) return 0;
    i += used;
    if (is(w, 0, w->n, "in")) {
        if (is(w, i, w->n, "time")) i++;          /* "in a week's time" */
        if (i != w->n) return refuse_read(c);
        if (!c->r.known) return refuse_relative(c);
        return set_date(c, c->r.dn + days, res) < 0 ? -1 : 1;
    }
    if (!is(w, i, w->n, "from") && !is(w, i, w->n, "after")) return 0;
    i++;
    if (is(w, i, w->n, "now") && i + 1 == w->n) {
        if (!c->r.known) return refuse_relative(c);
        return set_date(c, c->r.dn + days, res) < 0 ? -1 : 1;
    }
    if (i >= w->n) return refuse_read(c);
    if (parse_simple(c, w, i, w->n, &anchor) < 0) return -1;
    return set_date(c, dn_of(anchor) + days, res) < 0 ? -1 : 1;
}

/* ---- entry point ---- */

static void read_ref(const hx_norm_ctx *ctx, ref *r)
{
    memset(r, 0, sizeof *r);
    if (!ctx || ctx->ref_year < 1900 || ctx->ref_year > 2199 || ctx->ref_month < 1 ||
        ctx->ref_month > 12 || ctx->ref_day < 1 ||
        ctx->ref_day > month_len(ctx->ref_year, ctx->ref_month))
        return;   /* unknown or impossible: relative dates are refused */
    r->known = true;
    r->y = ctx->ref_year;
    r->m = ctx->ref_month;
    r->d = ctx->ref_day;
    r->dn = days_from_civil(r->y, r->m, r->d);
    r->wd = weekday_of(r->dn);
}

/* The input as quoted in refusals: at most 80 bytes, cut on a UTF-8
 * character boundary so the message stays valid UTF-8. */
static const char *quote_of(const char *in, char *buf, size_t cap)
{
    size_t n = strlen(in);
    if (n < cap) return in;
    n = cap - 4;
    while (n > 0 && ((unsigned char)in[n] & 0xC0) == 0x80) n--;
    memcpy(buf, in, n);
    memcpy(buf + n, "...", 4);
    return buf;
}

/* Tokenize and drop fillers, remembering which words followed "the". */
static int keep_words(const char *text, hx_tokens *tk, dwords *w)
{
    bool the = false;
    if (hx_tokenize(text, tk) != 0) return -1;
    w->n = 0;
    for (int i = 0; i < tk->n; i++) {
        if (in_list(tk->t[i], FILLERS)) {
            the = strcmp(tk->t[i], "the") == 0;
            continue;
        }
        w->after_the[w->n] = the;
        w->w[w->n++] = tk->t[i];
        the = false;
    }
    return 0;
}

int hx_norm_date(const char *in, const hx_norm_ctx *ctx, hx_canon *out)
{
    char buf[DATE_IN_MAX + 64], qbuf[84];
    hx_tokens tk;
    dwords w;
    dctx c;
    ymd res;
    int r;

    memset(&res, 0, sizeof res); /* every success path sets it; this quiets -O2 */
    if (!in || !*in) return hx_canon_refuse(out, "empty date");
    if (strlen(in) > DATE_IN_MAX)
        return hx_canon_refuse(out, "date text is too long (%zu bytes)", strlen(in));
    memset(&c, 0, sizeof c);
    c.in = quote_of(in, qbuf, sizeof qbuf);
    c.out = out;
    read_ref(ctx, &c.r);

    if (cut_numeric(&c, in, buf, sizeof buf) < 0) return -1;
    if (keep_words(buf, &tk, &w) != 0)
        return hx_canon_refuse(out, "date text has too many or too long words");
    if (w.n == 0) return hx_canon_refuse(out, "no date in \"%s\"", in);

    if ((r = parse_offset(&c, &w, &res)) < 0) return -1;
    if (r == 0 && parse_simple(&c, &w, 0, w.n, &res) < 0) return -1;
    return hx_canon_set(out, "%04d-%02d-%02d", res.y, res.m, res.d);
}
