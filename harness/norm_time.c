/*
 * norm_time.c — clock times to "HH:MM" on the 24-hour clock (see canon.h).
 *
 * Callers and models write one time in many shapes: "19:30", "7:30 pm",
 * "7pm", "7 p.m.", "seven fifteen in the evening", "quarter to 11",
 * "half seven", "noon", "afternoon 3:45", "1930 hours". This normaliser reads
 * one such time from the tokens of text.h (number words through numwords.h)
 * and prints it zero-padded, so assertion.c can compare what was expected with
 * what a model extracted.
 *
 * The hard part is the meridiem. It comes from, in this order: an explicit
 * am/pm ("7pm", "7 p.m."), a day part ("in the evening", "morning 10:30",
 * "at night", "tonight"), or ctx->default_meridiem.
 *
 *   - A reading already on the 24-hour dial is taken as written: hour 13-23,
 *     a leading zero ("07:30"), hour 0 ("00:15"), or "hours" ("1930 hours").
 *   - "H:MM" with hour 1-12, no leading zero and no meridiem ("7:30") takes
 *     default_meridiem when one is set; otherwise it is taken as written
 *     (07:30), because that is how clocks and models print 24-hour times
 *     before 10 am.
 *   - A bare hour ("7", "seven", "7 o'clock"), a word time ("seven thirty")
 *     or a relative one ("quarter to 11") with no meridiem takes
 *     default_meridiem, or is refused: picking am or pm ourselves would turn
 *     a real mismatch into a pass.
 *   - Hour 12 follows the clock: 12 pm and "12 in the afternoon" are noon,
 *     12 am and "12 at night" midnight; "12 in the morning" is refused as
 *     ambiguous. "midnight" is 00:00.
 *
 * Other readings that could go two ways are refused too: "quarter to 12 am"
 * (11:45 or 23:45?), "2 at night", and "7 to 8" (a range more often than
 * 7:52). A few filler words around the value ("at", "around", "please") are
 * ignored; any other leftover word is refused rather than dropped.
 */
#include "canon.h"
#include "numwords.h"
#include "text.h"

#include <ctype.h>
#include <stdbool.h>
#include <string.h>

/* Longer input is not one time value; refusing early also keeps every
 * message that quotes the input short. */
#define TIME_IN_MAX 200

/* Day parts that decide or check the meridiem. */
enum part { P_NONE, P_MORNING, P_AFTERNOON, P_EVENING, P_NIGHT, P_TONIGHT };

/* How a time was written, which decides how the meridiem applies. */
enum kind {
    K_BARE, /* 12-hour dial, needs a meridiem: "7", "seven thirty", "half 7" */
    K_HMM,  /* "7:30": hour 1-12, no leading zero; as written if nothing else */
    K_24,   /* written on the 24-hour dial: "07:30", "19:30", "00:15" */
    K_ABS   /* already resolved from noon or midnight: "quarter to noon" */
};

/* Tokens left after the fillers are dropped. */
typedef struct words {
    int n;
    const char *w[HX_TOK_MAX];
} words;

/* The time itself, before the meridiem is applied. */
typedef struct tcore {
    int h, m;
    enum kind kind;
    bool minutes;   /* minutes were given: "7:30", "seven thirty", "half 7" */
    bool lead0;     /* "07:30": zero-padded, may still take am/pm */
    bool compact;   /* "730pm", "1930 hours": digits only, no separator */
    bool military;  /* followed by "hours": the 24-hour dial for sure */
    bool oclock;    /* "7 o'clock" */
    bool to_rel;    /* "<to_m> to <to_h>": see resolve_to() */
    int to_h, to_m;
    char mer;       /* meridiem glued to the token: "7pm", "7:30a" */
} tcore;

/* What surrounds the time. */
typedef struct tmods {
    char mer;           /* 'a', 'p' or 0 */
    enum part part;
    bool noon, midnight; /* "12 noon", "12 midnight" */
} tmods;

static const char *const FILLERS[] = {
    "the", "at", "around", "about", "for", "on", "please", "ok", "okay",
    "um", "uh", "sharp", NULL};

static bool in_list(const char *w, const char *const *list)
{
    for (; *list; list++)
        if (strcmp(w, *list) == 0) return true;
    return false;
}

static bool is(const words *w, int i, const char *s)
{
    return i >= 0 && i < w->n && strcmp(w->w[i], s) == 0;
}

/* numwords works on hx_tokens, so rebuild one from the kept words. */
static void to_tokens(const words *w, int from, hx_tokens *tk)
{
    tk->n = 0;
    for (int i = from; i < w->n; i++) {
        strcpy(tk->t[tk->n], w->w[i]); /* both come from one hx_tokens */
        tk->n++;
    }
}

/* A cardinal number in words or plain digits at i, or -1. Ordinals
 * ("seventh") and anything but a digit run or a number word are refused, so
 * "a couple" or "5th" never become hours. */
static int read_cardinal(const words *w, int i, int *used)
{
    hx_tokens tk;
    hx_numword nw;
    if (i >= w->n) return -1;
    if (!hx_all_digits(w->w[i]) && hx_numword_small(w->w[i], NULL) < 0) return -1;
    to_tokens(w, i, &tk);
    if (hx_numwords_read(&tk, 0, &nw) != 0 || nw.ordinal || nw.value > 9999)
        return -1;
    *used = nw.consumed;
    return (int)nw.value;
}

/* ---- tokens written with digits ---- */

typedef struct clocktok {
    int h, m;
    bool colon;   /* "7:30" or "7.30" */
    bool lead0;   /* "07..." */
    bool compact; /* three or four digits, no separator: "730", "1930" */
    bool secs_bad;/* ":SS" other than ":00" */
    char mer;     /* 'a' / 'p' glued on */
    bool oclock;  /* "7o" from "7o'clock" */
} clocktok;

static bool two_digits(const char *p)
{
    return isdigit((unsigned char)p[0]) && isdigit((unsigned char)p[1]);
}

/* Read "7", "07", "7pm", "7:30", "7.30pm", "19:30:00", "730pm", "7p", "7o".
 * False if t is anything else (then it is not a clock token). */
static bool read_clock_token(const char *t, clocktok *c)
{
    const char *p = t;
    int v = 0, nd = 0;
    memset(c, 0, sizeof *c);
    for (; isdigit((unsigned char)*p); p++) {
        if (++nd > 4) return false;
        v = v * 10 + (*p - '0');
    }
    if (nd == 0) return false;
    c->lead0 = nd >= 2 && t[0] == '0';
    if ((*p == ':' || *p == '.') && two_digits(p + 1)) {
        if (nd > 2) return false;
        c->h = v;
        c->m = (p[1] - '0') * 10 + (p[2] - '0');
        c->colon = true;
        p += 3;
        if (*p == ':' && t[nd] == ':' && two_digits(p + 1)) {
            c->secs_bad = p[1] != '0' || p[2] != '0';
            p += 3;
        }
        if (isdigit((unsigned char)*p)) return false;
    } else if (nd >= 3) {
        c->compact = true;
        c->h = v / 100;
        c->m = v % 100;
    } else {
        c->h = v;
    }
    if (*p == '\0') return true;
    if (strcmp(p, "am") == 0 || strcmp(p, "a") == 0) c->mer = 'a';
    else if (strcmp(p, "pm") == 0 || strcmp(p, "p") == 0) c->mer = 'p';
    else if (strcmp(p, "o") == 0 && !c->colon && !c->compact) c->oclock = true;
    else return false;
    return true;
}

/* ---- modifiers: am/pm, day parts, "noon" after "12" ---- */

static enum part part_word(const char *s)
{
    if (strcmp(s, "morning") == 0) return P_MORNING;
    if (strcmp(s, "afternoon") == 0) return P_AFTERNOON;
    if (strcmp(s, "evening") == 0) return P_EVENING;
    if (strcmp(s, "night") == 0) return P_NIGHT;
    return P_NONE;
}

static int set_part(tmods *md, enum part p, hx_canon *out, const char *in)
{
    if (md->part != P_NONE && md->part != p)
        return hx_canon_refuse(out, "\"%s\" names two different parts of the day", in);
    md->part = p;
    return 0;
}

static int set_mer(tmods *md, char mer, hx_canon *out, const char *in)
{
    if (md->mer && md->mer != mer)
        return hx_canon_refuse(out, "\"%s\" says both am and pm", in);
    md->mer = mer;
    return 0;
}

/* One modifier at i: returns tokens used, 0 if none starts here, -1 on a
 * contradiction. "noon"/"midnight" count only after the time ("12 noon"). */
static int parse_mod(const words *w, int i, bool after_core, tmods *md,
                     hx_canon *out, const char *in)
{
    const char *s = w->w[i];
    enum part p;
    if (strcmp(s, "am") == 0 || strcmp(s, "pm") == 0)
        return set_mer(md, s[0], out, in) ? -1 : 1;
    if ((strcmp(s, "a") == 0 || strcmp(s, "p") == 0) && is(w, i + 1, "m"))
        return set_mer(md, s[0], out, in) ? -1 : 2;          /* "a.m." */
    if (strcmp(s, "tonight") == 0 || strcmp(s, "tonite") == 0)
        return set_part(md, P_TONIGHT, out, in) ? -1 : 1;
    if ((p = part_word(s)) != P_NONE)
        return set_part(md, p, out, in) ? -1 : 1;            /* "morning 10" */
    if ((strcmp(s, "in") == 0 || strcmp(s, "this") == 0) && i + 1 < w->n &&
        (p = part_word(w->w[i + 1])) != P_NONE) {
        if (s[0] == 't' && p == P_NIGHT) p = P_TONIGHT;       /* "this night" */
        return set_part(md, p, out, in) ? -1 : 2;
    }
    if (after_core && (strcmp(s, "noon") == 0 || strcmp(s, "midday") == 0)) {
        md->noon = true;
        return 1;
    }
    if (after_core && strcmp(s, "midnight") == 0) {
        md->midnight = true;
        return 1;
    }
    return 0;
}

/* ---- the time itself ---- */

/* Minutes before "past"/"to": "half", "quarter", "a quarter", "20",
 * "twenty five" (1..59), with an optional "minutes". -1 if none. */
static int read_rel_minutes(const words *w, int i, int *used, bool *digits,
                            bool *unit)
{
    int v, k = 0;
    *digits = false;
    *unit = false;
    if (is(w, i, "half")) { v = 30; k = 1; }
    else if (is(w, i, "quarter")) { v = 15; k = 1; }
    else if (is(w, i, "a") && is(w, i + 1, "quarter")) { v = 15; k = 2; }
    else {
        v = read_cardinal(w, i, &k);
        if (v < 1 || v > 59) return -1;
        *digits = hx_all_digits(w->w[i]);
        if (is(w, i + k, "minutes") || is(w, i + k, "minute") ||
            is(w, i + k, "mins") || is(w, i + k, "min")) {
            k++;
            *unit = true;
        }
    }
    *used = k;
    return v;
}

/* The hour after "past"/"to"/"half": digits or words 0..23, or noon (12)
 * and midnight (24, so "to midnight" counts back from the end of the day).
 * -1 if none. */
static int read_rel_hour(const words *w, int i, int *used)
{
    int v;
    if (is(w, i, "noon") || is(w, i, "midday")) { *used = 1; return 12 + 100; }
    if (is(w, i, "midnight")) { *used = 1; return 24 + 100; }
    if (i < w->n && hx_all_digits(w->w[i]) && strlen(w->w[i]) > 2) return -1;
    v = read_cardinal(w, i, used);
    return v >= 0 && v <= 23 ? v : -1;
}

/* "quarter past 4", "ten to 8", "5 minutes past 3", "quarter to noon",
 * "half seven". Returns tokens used, 0 if this is not such a phrase. */
static int parse_relative(const words *w, int i, tcore *c, hx_canon *out,
                          const char *in)
{
    int k, hk, mins, hour, sign;
    bool digits, unit;
    const char *rel;

    if ((mins = read_rel_minutes(w, i, &k, &digits, &unit)) < 0) return 0;
    rel = i + k < w->n ? w->w[i + k] : "";
    if (strcmp(rel, "past") == 0 || strcmp(rel, "after") == 0) sign = 1;
    else if (strcmp(rel, "to") == 0 || strcmp(rel, "till") == 0 ||
             strcmp(rel, "til") == 0 || strcmp(rel, "until") == 0 ||
             strcmp(rel, "before") == 0 || strcmp(rel, "of") == 0) sign = -1;
    else if (mins == 30 && k == 1 && is(w, i, "half")) sign = 0; /* "half 7" */
    else return 0;
    if (sign < 0 && is(w, i, "half")) return 0;          /* not English */
    if (sign != 0) k++;
    if ((hour = read_rel_hour(w, i + k, &hk)) < 0) return 0;

    /* "7 to 8" and "5 to 7" are more often ranges than 7:53 and 6:55; with
     * words ("ten to 8") or "minutes" it is a time. */
    if (sign < 0 && digits && !unit && mins <= 12)
        return hx_canon_refuse(out, "\"%s\" may be a range, not a time", in);
    if (sign == 0 && (hour < 1 || hour > 12))
        return hx_canon_refuse(out, "cannot read \"%s\" as a time", in);

    memset(c, 0, sizeof *c);
    c->minutes = true;
    if (hour >= 100 || hour == 0 || hour >= 13) {
        /* already on the 24-hour dial: compute it directly */
        int base = (hour >= 100 ? hour - 100 : hour) * 60;
        int t = sign < 0 ? base - mins : base + (sign > 0 ? mins : 30);
        t = (t + 1440) % 1440;
        c->h = t / 60;
        c->m = t % 60;
        c->kind = hour >= 100 ? K_ABS : K_24;
    } else if (sign < 0) {
        c->to_rel = true;
        c->to_h = hour;
        c->to_m = mins;
        c->h = hour == 1 ? 12 : hour - 1;
        c->m = 60 - mins;
        c->kind = K_BARE;
    } else {
        c->h = hour;
        c->m = sign > 0 ? mins : 30;
        c->kind = K_BARE;
    }
    return k + hk;
}

/* A time written with digits at i: "7", "7pm", "7:30", "07:30", "730pm",
 * "1930", "7 30". Returns tokens used, 0 if none, -1 if refused. */
static int parse_digits(const words *w, int i, tcore *c, hx_canon *out,
                        const char *in)
{
    clocktok ct;
    int k = 1;
    if (!read_clock_token(w->w[i], &ct)) return 0;
    if (ct.secs_bad)
        return hx_canon_refuse(out, "\"%s\" has seconds; times are kept to the minute", in);
    memset(c, 0, sizeof *c);
    c->h = ct.h;
    c->m = ct.m;
    c->mer = ct.mer;
    c->lead0 = ct.lead0;
    c->compact = ct.compact;
    c->oclock = ct.oclock;
    if (ct.colon) {
        c->minutes = true;
        c->kind = ct.lead0 || ct.h == 0 || ct.h >= 13 ? K_24 : K_HMM;
    } else {
        c->minutes = ct.compact;
        c->kind = K_BARE;
    }
    if (ct.oclock) {
        if (!is(w, i + 1, "clock"))
            return hx_canon_refuse(out, "cannot read \"%s\" as a time", in);
        k++;
    }
    if (ct.mer && strchr("ap", w->w[i][strlen(w->w[i]) - 1]) && is(w, i + 1, "m"))
        k++;                                       /* "7p.m." -> "7p" "m" */
    /* "7 30 pm": an hour and a two-digit minute token */
    if (!ct.colon && !ct.compact && !ct.mer && !ct.oclock && i + 1 < w->n &&
        strlen(w->w[i + 1]) == 2 && hx_all_digits(w->w[i + 1])) {
        c->m = (w->w[i + 1][0] - '0') * 10 + (w->w[i + 1][1] - '0');
        c->minutes = true;
        k++;
    }
    return k;
}

/* A time in words at i: "seven", "seven thirty", "twelve oh five",
 * "nineteen hundred". Returns tokens used, 0 if none. */
static int parse_words(const words *w, int i, tcore *c)
{
    int k, mk, v, mv;
    if (hx_numword_small(w->w[i], NULL) < 0) return 0;
    if ((v = read_cardinal(w, i, &k)) < 0) return 0;
    memset(c, 0, sizeof *c);
    c->kind = K_BARE;
    if (v >= 100) {                       /* "nineteen hundred (hours)" */
        c->h = v / 100;
        c->m = v % 100;
        c->compact = true;
        c->minutes = true;
        return k;
    }
    c->h = v;
    if ((is(w, i + k, "oh") || is(w, i + k, "o")) && i + k + 1 < w->n &&
        (mv = hx_numword_small(w->w[i + k + 1], NULL)) >= 1 && mv <= 9) {
        c->m = mv;                        /* "seven oh five" */
        c->minutes = true;
        return k + 2;
    }
    if (i + k < w->n && !hx_all_digits(w->w[i + k]) &&
        (mv = read_cardinal(w, i + k, &mk)) >= 10 && mv <= 59) {
        c->m = mv;                        /* "seven thirty" */
        c->minutes = true;
        return k + mk;
    }
    return k;
}

/* The time at i, with a trailing "o'clock" or "hours". Returns tokens used,
 * 0 if no time starts here, -1 if refused. */
static int parse_core(const words *w, int i, tcore *c, hx_canon *out,
                      const char *in)
{
    int k;
    memset(c, 0, sizeof *c);
    if (is(w, i, "noon") || is(w, i, "midday") ||
        (is(w, i, "mid") && is(w, i + 1, "day"))) {
        c->h = 12;
        c->kind = K_ABS;
        c->minutes = true;
        return is(w, i, "mid") ? 2 : 1;
    }
    if (is(w, i, "midnight")) {
        c->kind = K_ABS;
        c->minutes = true;
        return 1;
    }
    if ((k = parse_relative(w, i, c, out, in)) != 0) return k;
    if ((k = parse_digits(w, i, c, out, in)) == 0)
        k = parse_words(w, i, c);
    if (k <= 0) return k;

    if (is(w, i + k, "oclock") || (is(w, i + k, "o") && is(w, i + k + 1, "clock"))) {
        if (c->minutes || c->oclock)
            return hx_canon_refuse(out, "cannot read \"%s\" as a time", in);
        c->oclock = true;
        k += is(w, i + k, "o") ? 2 : 1;
    }
    if (is(w, i + k, "hours") || is(w, i + k, "hrs") || is(w, i + k, "hr")) {
        /* "1930 hours", "19:30 hours", "nineteen hundred hours"; "7 hours"
         * is a duration */
        if (!c->minutes || c->mer || c->oclock)
            return hx_canon_refuse(out, "\"%s\" reads as a duration, not a time", in);
        c->military = true;
        c->kind = K_24;
        k++;
    }
    return k;
}

/* ---- applying the meridiem ---- */

/* Whether a 24-hour hour agrees with a day part (for "7 pm in the evening"
 * and for readings already on the 24-hour dial). */
static bool part_fits(int h24, enum part p)
{
    switch (p) {
    case P_MORNING: return h24 < 12;
    case P_AFTERNOON: return h24 >= 12 && h24 < 20;
    case P_EVENING: return h24 >= 15;
    case P_NIGHT: return h24 >= 18 || h24 < 6;
    case P_TONIGHT: return h24 >= 17 || h24 < 5;
    default: return true;
    }
}

static const char *part_name(enum part p)
{
    static const char *const N[] = {"", "in the morning", "in the afternoon",
                                    "in the evening", "at night", "tonight"};
    return N[p];
}

/* Hour 1..12 on the 12-hour dial plus a meridiem -> 0..23. */
static int h12(int h, char mer)
{
    if (mer == 'a') return h == 12 ? 0 : h;
    return h == 12 ? 12 : h + 12;
}

/* Hour 1..12 said with a day part -> 0..23, or -1 where the pairing is
 * ambiguous ("12 in the morning", "2 at night") or makes no sense. */
static int part_hour(int h, enum part p)
{
    switch (p) {
    case P_MORNING: return h == 12 ? -1 : h;
    case P_AFTERNOON: return h == 12 ? 12 : h <= 7 ? h + 12 : -1;
    case P_EVENING: return h >= 3 && h <= 11 ? h + 12 : -1;
    case P_NIGHT: return h == 12 ? 0 : h >= 6 ? h + 12 : -1;
    case P_TONIGHT: return h == 12 ? 0 : h >= 5 ? h + 12 : -1;
    default: return -1;
    }
}

/* The 24-hour hour for hour h of core c, or -1 with out->why set. */
static int resolve_hour(const tcore *c, int h, const tmods *md, char dflt,
                        hx_canon *out, const char *in)
{
    bool twelve_dial = h >= 1 && h <= 12 &&
                       (c->kind == K_BARE || c->kind == K_HMM ||
                        (c->kind == K_24 && c->lead0 && !c->military &&
                         (md->mer || md->part)));
    int r;

    if (c->kind == K_ABS || !twelve_dial) {
        if (h > 23) return hx_canon_refuse(out, "hour %d does not exist in \"%s\"", h, in);
        if (md->mer && c->kind != K_ABS && h != 0)
            return hx_canon_refuse(out, "\"%s\": hour %d is already on the 24-hour clock, %s contradicts it",
                                   in, h, md->mer == 'a' ? "am" : "pm");
        if (md->mer && (md->mer == 'a') != (h < 12))
            return hx_canon_refuse(out, "\"%s\" contradicts its %s", in,
                                   md->mer == 'a' ? "am" : "pm");
        if (!part_fits(h, md->part))
            return hx_canon_refuse(out, "\"%s\" is not %s", in, part_name(md->part));
        return h;
    }
    if (md->mer) {
        r = h12(h, md->mer);
        if (!part_fits(r, md->part))
            return hx_canon_refuse(out, "\"%s\": %s contradicts \"%s\"", in,
                                   md->mer == 'a' ? "am" : "pm", part_name(md->part));
        return r;
    }
    if (md->part) {
        if ((r = part_hour(h, md->part)) < 0)
            return hx_canon_refuse(out, "\"%s\" is ambiguous: which hour is %d %s?", in, h,
                                   part_name(md->part));
        return r;
    }
    if (dflt == 'a' || dflt == 'p') return h12(h, dflt);
    if (c->kind == K_HMM || (c->kind == K_24 && c->lead0)) return h;
    if (!c->minutes)
        return hx_canon_refuse(out, "no am/pm for a bare hour \"%s\"", in);
    return hx_canon_refuse(out, "no am/pm for \"%s\"", in);
}

/* "quarter to 12 am" reads two ways: 11:45 am, or a quarter before
 * midnight. Resolve both the minute before (A) and the hour named (B); keep
 * A when B is impossible or agrees, refuse when they differ. */
static int resolve_to(const tcore *c, const tmods *md, char dflt, int *mins,
                      hx_canon *out, const char *in)
{
    hx_canon scratch;
    int a = resolve_hour(c, c->h, md, dflt, out, in);
    int b = resolve_hour(c, c->to_h, md, dflt, &scratch, in);
    if (a < 0) return -1;
    *mins = a * 60 + c->m;
    if (b >= 0 && (b * 60 - c->to_m + 1440) % 1440 != *mins)
        return hx_canon_refuse(out, "\"%s\" is ambiguous around noon or midnight", in);
    return 0;
}

/* Check the core against what was read around it, then settle the time. */
static int finish(tcore *c, const tmods *md, char dflt, hx_canon *out,
                  const char *in)
{
    int h24, mins;
    if (md->noon || md->midnight) {
        /* "12 noon", "twelve midnight": only hour 12 on the hour fits */
        if (c->h != 12 || c->m != 0 || c->kind == K_24 || c->kind == K_ABS || c->mer)
            return hx_canon_refuse(out, "cannot read \"%s\" as a time", in);
        c->kind = K_ABS;
        c->h = md->noon ? 12 : 0;
        c->minutes = true;
    }
    if (c->m > 59) return hx_canon_refuse(out, "minute %d does not exist in \"%s\"", c->m, in);
    if (c->h > 23) return hx_canon_refuse(out, "hour %d does not exist in \"%s\"", c->h, in);
    if (c->compact && !c->military && !md->mer)
        return hx_canon_refuse(out, "\"%s\" needs a colon, am/pm or \"hours\"", in);
    if (c->kind == K_BARE && !c->minutes && !c->oclock && !md->mer &&
        (c->h == 0 || c->h > 12))
        return hx_canon_refuse(out, "\"%s\" is a bare number, not a time", in);
    if (c->to_rel) {
        if (resolve_to(c, md, dflt, &mins, out, in) < 0) return -1;
        return hx_canon_set(out, "%02d:%02d", mins / 60, mins % 60);
    }
    if ((h24 = resolve_hour(c, c->h, md, dflt, out, in)) < 0) return -1;
    return hx_canon_set(out, "%02d:%02d", h24, c->m);
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

/* Drop fillers; -1 if the text does not tokenize (too long or too many words). */
static int keep_words(const char *in, hx_tokens *tk, words *w)
{
    if (hx_tokenize(in, tk) != 0) return -1;
    w->n = 0;
    for (int i = 0; i < tk->n; i++)
        if (!in_list(tk->t[i], FILLERS)) w->w[w->n++] = tk->t[i];
    return 0;
}

int hx_norm_time(const char *in, const hx_norm_ctx *ctx, hx_canon *out)
{
    hx_tokens tk;
    words w;
    tcore c;
    tmods md = {0, P_NONE, false, false};
    char dflt = ctx ? ctx->default_meridiem : 0;
    char qbuf[84];
    const char *text = in;
    int i = 0, k;

    if (!in || !*in) return hx_canon_refuse(out, "empty time");
    if (strlen(in) > TIME_IN_MAX)
        return hx_canon_refuse(out, "time text is too long (%zu bytes)", strlen(in));
    if (keep_words(text, &tk, &w) != 0)
        return hx_canon_refuse(out, "time text has too many or too long words");
    in = quote_of(text, qbuf, sizeof qbuf);   /* from here on, `in` is for messages */
    if (w.n == 0) return hx_canon_refuse(out, "no time in \"%s\"", in);

    while (i < w.n && (k = parse_mod(&w, i, false, &md, out, in)) != 0) {
        if (k < 0) return -1;
        i += k;
    }
    if (i >= w.n) return hx_canon_refuse(out, "no clock time in \"%s\"", in);
    if ((k = parse_core(&w, i, &c, out, in)) < 0) return -1;
    if (k == 0)
        return hx_canon_refuse(out, "cannot read \"%s\" in \"%s\" as part of a time",
                               w.w[i], in);
    if (c.mer && set_mer(&md, c.mer, out, in) < 0) return -1;
    for (i += k; i < w.n; i += k) {
        if ((k = parse_mod(&w, i, true, &md, out, in)) < 0) return -1;
        if (k == 0)
            return hx_canon_refuse(out, "cannot read \"%s\" in \"%s\" as part of a time",
                                   w.w[i], in);
    }
    return finish(&c, &md, dflt, out, in);
}
