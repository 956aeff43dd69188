/*
 * demo/generate.c — writes the demo suite: four synthetic call-centre agents,
 * their transcripts, assertion rules and baseline DSPy programs.
 *
 *   cc -std=c11 -O2 demo/generate.c -o build/demo-generate $(pkg-config --cflags --libs libcjson) -lm
 *   build/demo-generate                 (run from the repo root; `make demo-data`)
 *   build/demo-generate --phrases F     also write every spoken value with the
 *                                       canonical value it must normalise to,
 *                                       one JSON line each, for checking with
 *                                       `harness normalize` (see demo/README.md)
 *
 * Output (relative to the current directory):
 *   suite.json                          the suite: LM, agents, modules, bars
 *   transcripts/<agent>/calls.jsonl     80 transcripts per agent
 *   assertions/<agent>.json             typed rules per extracted field
 *   modules/<module>.json               baseline programs, byte-exact DSPy format
 *
 * Everything is deterministic: one splitmix64 stream per agent with a fixed
 * seed, no clock, no locale. The same binary writes the same bytes every run.
 *
 * Each transcript carries `tags` naming the phenomena it exercises and, in
 * `context.simlm`, for every tag, the values an untaught model would output
 * for the fields that tag affects. The demo's simulated LM answers with the
 * gold `expected` values except where the prompt does not teach a tag's skill;
 * there it answers with the hint. The tags (see demo/README.md):
 *
 *   relative-date   "next Friday", "the 16th"          untaught: date + 7 days
 *   ambiguous-time  "half seven" at dinner             untaught: the am reading
 *   spelled-number  "a party of six"                   untaught: the word, "six"
 *   correction      "sorry, make it five"              untaught: the first value
 *   insurer-alias   "my Choice Plus plan"              untaught: the plan name
 *   never-given     no phone number / reason / ID      untaught: an invented value
 *
 * Two tags on one transcript never affect the same field.
 */
#ifndef _POSIX_C_SOURCE
#define _POSIX_C_SOURCE 200809L
#endif

#include <cjson/cJSON.h>

#include "calendar.h"
#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>

#define NELEM(a) (sizeof(a) / sizeof((a)[0]))
#define PER_AGENT 80

/* ================================================================== */
/* Deterministic randomness                                            */
/* ================================================================== */

typedef struct rng {
    uint64_t s;
} rng;

static uint64_t rng_next(rng *r)
{
    uint64_t z = (r->s += 0x9E3779B97F4A7C15ULL);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
    return z ^ (z >> 31);
}

/* Uniform in [lo, hi]. */
static int rng_int(rng *r, int lo, int hi)
{
    uint64_t span = (uint64_t)(hi - lo) + 1;
    return lo + (int)(rng_next(r) % span);
}

/* True with probability pct/100. */
static bool chance(rng *r, int pct)
{
    return rng_int(r, 0, 99) < pct;
}

#define PICK(r, arr) ((arr)[rng_int((r), 0, (int)NELEM(arr) - 1)])

/* ================================================================== */
/* Small text helpers                                                  */
/* ================================================================== */

static const char *const SMALL_WORD[] = {
    "zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine",
    "ten", "eleven", "twelve", "thirteen", "fourteen", "fifteen", "sixteen",
    "seventeen", "eighteen", "nineteen", "twenty"};
static const char *const TENS_WORD[] = {"", "", "twenty", "thirty", "forty", "fifty"};

/* 0..59 in words: "seven", "thirty", "forty-five". */
static void number_word(int n, char *buf, size_t cap)
{
    if (n <= 20) snprintf(buf, cap, "%s", SMALL_WORD[n]);
    else if (n % 10 == 0) snprintf(buf, cap, "%s", TENS_WORD[n / 10]);
    else snprintf(buf, cap, "%s-%s", TENS_WORD[n / 10], SMALL_WORD[n % 10]);
}

static const char *ordinal_suffix(int d)
{
    if (d % 100 >= 11 && d % 100 <= 13) return "th";
    switch (d % 10) {
    case 1: return "st";
    case 2: return "nd";
    case 3: return "rd";
    default: return "th";
    }
}

/* Uppercase the first letter, for a phrase that starts a sentence. */
static void capitalize(char *s)
{
    if (s[0]) s[0] = (char)toupper((unsigned char)s[0]);
}

/* ================================================================== */
/* Calendar                                                            */
/* ================================================================== */

typedef struct ymd {
    int y, m, d;
} ymd;

static const char *const MONTH[] = {
    "", "January", "February", "March", "April", "May", "June", "July",
    "August", "September", "October", "November", "December"};
static const char *const WEEKDAY[] = {
    "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"};

/* Day arithmetic comes from the harness's own calendar (harness/calendar.c). */
static long days_from_civil(int y, int m, int d) { return hx_days_from_civil(y, m, d); }
static int weekday_of(long dn) { return hx_weekday(dn); }
static ymd civil_from_days(long z)
{
    ymd v;
    hx_civil_from_days(z, &v.y, &v.m, &v.d);
    return v;
}

static void iso_date(long dn, char buf[16])
{
    ymd v = civil_from_days(dn);
    snprintf(buf, 16, "%04d-%02d-%02d", v.y, v.m, v.d);
}

/* The nth (1-based) Sunday of month m of year y. */
static long nth_sunday(int y, int m, int n)
{
    long first = days_from_civil(y, m, 1);
    return first + (6 - weekday_of(first) + 7) % 7 + 7L * (n - 1);
}

/* US daylight saving time for a daytime call: from the second Sunday of
 * March up to (not including) the first Sunday of November. */
static bool us_dst(long dn)
{
    int y = civil_from_days(dn).y;
    return dn >= nth_sunday(y, 3, 2) && dn < nth_sunday(y, 11, 1);
}

/* ================================================================== */
/* Calls                                                               */
/* ================================================================== */

typedef struct zone {
    int std_offset; /* hours from UTC in winter */
    bool dst;
} zone;

enum { Z_EASTERN, Z_CENTRAL, Z_MOUNTAIN, Z_ARIZONA, Z_PACIFIC, NZONES };
static const zone ZONES[NZONES] = {{-5, true}, {-6, true}, {-7, true}, {-7, false}, {-8, true}};

typedef struct call {
    long dn;          /* local date of the call */
    int wd;           /* its weekday, 0 = Monday */
    int hh, mm;       /* local time */
    char date[16];    /* "2026-11-20" */
    char stamp[40];   /* "2026-11-20T18:05:00-05:00" */
} call;

/* A call in 2026: a quarter of them in the last six weeks of the year, so
 * that dates a few weeks ahead roll over into 2027. weekdays: the line is
 * open Monday to Friday only. */
static void make_call(rng *r, int zone_ix, bool weekdays, int hour_lo, int hour_hi, call *c)
{
    long jan2 = days_from_civil(2026, 1, 2), nov20 = days_from_civil(2026, 11, 20),
         dec31 = days_from_civil(2026, 12, 31);
    const zone *z;
    int off;

    c->dn = chance(r, 25) ? nov20 + rng_int(r, 0, (int)(dec31 - nov20))
                          : jan2 + rng_int(r, 0, (int)(dec31 - jan2));
    while (weekdays && weekday_of(c->dn) >= 5) c->dn--;
    c->wd = weekday_of(c->dn);
    c->hh = rng_int(r, hour_lo, hour_hi);
    c->mm = rng_int(r, 0, 59);
    if (zone_ix < 0) zone_ix = rng_int(r, 0, NZONES - 1);
    z = &ZONES[zone_ix];
    off = z->std_offset + (z->dst && us_dst(c->dn) ? 1 : 0);
    iso_date(c->dn, c->date);
    snprintf(c->stamp, sizeof c->stamp, "%sT%02d:%02d:00%c%02d:00", c->date, c->hh, c->mm,
             off < 0 ? '-' : '+', abs(off));
}

static const char *day_part(const call *c)
{
    return c->hh < 12 ? "morning" : c->hh < 17 ? "afternoon" : "evening";
}

/* ================================================================== */
/* Self-check output (--phrases)                                       */
/* ================================================================== */

/* When set, every value spoken in a transcript that a normaliser must read
 * is written here with the canonical value it must give. */
static FILE *g_phrases;

static void phrase_check(const char *type, const char *said, const call *c, const char *want)
{
    cJSON *o;
    char *s;
    if (!g_phrases) return;
    o = cJSON_CreateObject();
    cJSON_AddStringToObject(o, "type", type);
    cJSON_AddStringToObject(o, "value", said);
    cJSON_AddStringToObject(o, "ref", c->date);
    cJSON_AddStringToObject(o, "want", want);
    s = cJSON_PrintUnformatted(o);
    fprintf(g_phrases, "%s\n", s);
    free(s);
    cJSON_Delete(o);
}

/* ================================================================== */
/* Dates as callers say them                                           */
/* ================================================================== */

typedef struct dphrase {
    char on[112];   /* inside a sentence: "on Saturday, December 12th", "tomorrow" */
    char bare[96];  /* as a value: "Saturday, December 12th", "tomorrow" */
    long dn;        /* the date meant */
} dphrase;

/* "December 12th", "Saturday, December 12th", "the 12th of December",
 * "December 12", with the year when it is not the call's. lo..hi days ahead;
 * weekdays: move a weekend date to the Monday after. */
static void date_absolute(rng *r, const call *c, int lo, int hi, bool weekdays, dphrase *p)
{
    ymd v;
    char year[16] = "";
    p->dn = c->dn + rng_int(r, lo, hi);
    while (weekdays && weekday_of(p->dn) >= 5) p->dn++;
    v = civil_from_days(p->dn);
    if (v.y != civil_from_days(c->dn).y && chance(r, 40)) snprintf(year, sizeof year, ", %d", v.y);
    switch (rng_int(r, 0, 3)) {
    case 0:
        snprintf(p->bare, sizeof p->bare, "%s %d%s%s", MONTH[v.m], v.d, ordinal_suffix(v.d), year);
        break;
    case 1:
        snprintf(p->bare, sizeof p->bare, "%s, %s %d%s%s", WEEKDAY[weekday_of(p->dn)], MONTH[v.m],
                 v.d, ordinal_suffix(v.d), year);
        break;
    case 2:
        snprintf(p->bare, sizeof p->bare, "the %d%s of %s%s", v.d, ordinal_suffix(v.d), MONTH[v.m], year);
        break;
    default:
        snprintf(p->bare, sizeof p->bare, "%s %d%s", MONTH[v.m], v.d, year);
        break;
    }
    snprintf(p->on, sizeof p->on, "on %s", p->bare);
}

/* The relative phrases and how the harness resolves them (norm_date.c):
 * "Friday"/"this Friday" is the first one on or after the call date, "next
 * Friday" the first one strictly after it; "Friday next week" is in the
 * Monday-to-Sunday week after the call's; "the 16th" is this month unless
 * past; "a week from Tuesday" is this Tuesday + 7. "next Friday" is only
 * used where it also means the Friday of next week, so the two common
 * readings agree. */
enum rel_kind {
    RK_TODAY, RK_TOMORROW, RK_DAY_AFTER, RK_THIS_WD, RK_NEXT_WD, RK_WD_NEXT_WEEK,
    RK_THE_NTH, RK_WEEK_FROM_WD, RK_WEEK_FROM_TOMORROW, RK_IN_DAYS, NRK
};

/* One relative phrase of the given kind, or false if the kind does not fit
 * this call (e.g. "this Saturday" said on a Sunday). */
static bool date_relative_kind(rng *r, const call *c, enum rel_kind k, bool tonight, dphrase *p)
{
    int wd, ahead;
    ymd t;
    switch (k) {
    case RK_TODAY:
        p->dn = c->dn;
        snprintf(p->bare, sizeof p->bare, "%s", tonight ? "tonight" : chance(r, 50) ? "today" : "later today");
        snprintf(p->on, sizeof p->on, "%s", p->bare);
        return true;
    case RK_TOMORROW:
        p->dn = c->dn + 1;
        snprintf(p->bare, sizeof p->bare, "tomorrow");
        snprintf(p->on, sizeof p->on, "tomorrow");
        return true;
    case RK_DAY_AFTER:
        p->dn = c->dn + 2;
        snprintf(p->bare, sizeof p->bare, "the day after tomorrow");
        snprintf(p->on, sizeof p->on, "the day after tomorrow");
        return true;
    case RK_THIS_WD:
        if (c->wd >= 5) return false;
        wd = rng_int(r, c->wd + 2 > 6 ? 6 : c->wd + 2, 6);
        p->dn = c->dn + (wd - c->wd);
        if (chance(r, 50)) {
            snprintf(p->bare, sizeof p->bare, "this %s", WEEKDAY[wd]);
            snprintf(p->on, sizeof p->on, "this %s", WEEKDAY[wd]);
        } else {
            snprintf(p->bare, sizeof p->bare, "%s", WEEKDAY[wd]);
            snprintf(p->on, sizeof p->on, "on %s", WEEKDAY[wd]);
        }
        return true;
    case RK_NEXT_WD:
        wd = rng_int(r, 0, c->wd);
        ahead = (wd - c->wd + 7) % 7;
        p->dn = c->dn + (ahead ? ahead : 7);
        snprintf(p->bare, sizeof p->bare, "next %s", WEEKDAY[wd]);
        snprintf(p->on, sizeof p->on, "next %s", WEEKDAY[wd]);
        return true;
    case RK_WD_NEXT_WEEK:
        wd = rng_int(r, 0, 6);
        p->dn = c->dn - c->wd + 7 + wd;
        snprintf(p->bare, sizeof p->bare, "%s next week", WEEKDAY[wd]);
        snprintf(p->on, sizeof p->on, "%s next week", WEEKDAY[wd]);
        return true;
    case RK_THE_NTH:
        p->dn = c->dn + rng_int(r, 2, 24);
        t = civil_from_days(p->dn);
        if (t.d > 28) return false;
        snprintf(p->bare, sizeof p->bare, "the %d%s", t.d, ordinal_suffix(t.d));
        snprintf(p->on, sizeof p->on, "on the %d%s", t.d, ordinal_suffix(t.d));
        return true;
    case RK_WEEK_FROM_WD:
        wd = (c->wd + rng_int(r, 1, 6)) % 7;
        p->dn = c->dn + (wd - c->wd + 7) % 7 + 7;
        snprintf(p->bare, sizeof p->bare, "a week from %s", WEEKDAY[wd]);
        snprintf(p->on, sizeof p->on, "a week from %s", WEEKDAY[wd]);
        return true;
    case RK_WEEK_FROM_TOMORROW:
        p->dn = c->dn + 8;
        snprintf(p->bare, sizeof p->bare, "a week from tomorrow");
        snprintf(p->on, sizeof p->on, "a week from tomorrow");
        return true;
    case RK_IN_DAYS: {
        static const int N[] = {3, 4, 5, 10, 14};
        int n = PICK(r, N);
        p->dn = c->dn + n;
        if (n == 14) snprintf(p->bare, sizeof p->bare, "two weeks from today");
        else snprintf(p->bare, sizeof p->bare, "in %s days", SMALL_WORD[n]);
        snprintf(p->on, sizeof p->on, "%s", p->bare);
        return true;
    }
    case NRK: break;
    }
    return false;
}

/* A relative date at most max_ahead days away. today: same-day phrases are
 * allowed ("tonight" when tonight is set); weekdays: never a weekend. */
static void date_relative(rng *r, const call *c, int max_ahead, bool today, bool tonight,
                          bool weekdays, dphrase *p)
{
    for (;;) {
        enum rel_kind k = (enum rel_kind)rng_int(r, 0, NRK - 1);
        if (k == RK_TODAY && !today) continue;
        if (!date_relative_kind(r, c, k, tonight, p)) continue;
        if (p->dn - c->dn > max_ahead) continue;
        if (weekdays && weekday_of(p->dn) >= 5) continue;
        return;
    }
}

/* A second date for a correction: same style (relative or absolute), a
 * different day. */
static void date_other(rng *r, const call *c, const dphrase *first, bool relative, int max_ahead,
                       bool weekdays, dphrase *p)
{
    do {
        if (relative) date_relative(r, c, max_ahead, false, false, weekdays, p);
        else date_absolute(r, c, 1, max_ahead, weekdays, p);
    } while (p->dn == first->dn);
}

static void check_date(const call *c, const dphrase *p)
{
    char want[16];
    iso_date(p->dn, want);
    phrase_check("date", p->bare, c, want);
}

/* ================================================================== */
/* Times as callers say them                                           */
/* ================================================================== */

typedef struct tphrase {
    char at[80];    /* inside a sentence: "at 7:30 pm", "around seven" */
    char bare[64];  /* as a value: "7:30 pm", "seven" */
    int h, m;       /* 24-hour clock */
} tphrase;

static void hhmm(int h, int m, char buf[8])
{
    snprintf(buf, 8, "%02u:%02u", (unsigned)h % 100u, (unsigned)m % 100u);
}

/* A time said with its meridiem: "7:30 pm", "7 p.m.", "seven thirty in the
 * evening", "quarter past seven in the evening", "noon". */
static void time_explicit(rng *r, int h, int m, tphrase *p)
{
    int h12 = h % 12 ? h % 12 : 12;
    const char *mer = h < 12 ? "am" : "pm";
    const char *part = h < 12 ? "in the morning" : h < 17 ? "in the afternoon" : "in the evening";
    char hw[16], mw[16];
    p->h = h;
    p->m = m;
    number_word(h12, hw, sizeof hw);
    number_word(m, mw, sizeof mw);
    if (h == 12 && m == 0 && chance(r, 50)) {
        snprintf(p->bare, sizeof p->bare, "noon");
        snprintf(p->at, sizeof p->at, "at noon");
        return;
    }
    switch (rng_int(r, 0, 4)) {
    case 0:
        if (m) snprintf(p->bare, sizeof p->bare, "%d:%02d %s", h12, m, mer);
        else snprintf(p->bare, sizeof p->bare, "%d %s", h12, mer);
        break;
    case 1:
        if (m) snprintf(p->bare, sizeof p->bare, "%d:%02d %c.m.", h12, m, mer[0]);
        else snprintf(p->bare, sizeof p->bare, "%d %c.m.", h12, mer[0]);
        break;
    case 2:
        if (m) snprintf(p->bare, sizeof p->bare, "%s %s %s", hw, mw, part);
        else snprintf(p->bare, sizeof p->bare, "%s o'clock %s", hw, part);
        break;
    case 3:
        if (m == 15) snprintf(p->bare, sizeof p->bare, "quarter past %s %s", hw, part);
        else if (m == 30) snprintf(p->bare, sizeof p->bare, "half past %s %s", hw, part);
        else if (m) snprintf(p->bare, sizeof p->bare, "%d:%02d %s", h12, m, part);
        else snprintf(p->bare, sizeof p->bare, "%d %s", h12, part);
        break;
    default:
        if (m) snprintf(p->bare, sizeof p->bare, "%d:%02d%s", h12, m, mer);
        else snprintf(p->bare, sizeof p->bare, "%d%s", h12, mer);
        break;
    }
    snprintf(p->at, sizeof p->at, "at %s", p->bare);
}

/* A pm time said without am/pm ("seven", "half seven", "at 8", "quarter to
 * eight"): only the context (dinner, an afternoon slot) says which. */
static void time_ambiguous(rng *r, int h, int m, tphrase *p)
{
    int h12 = h % 12 ? h % 12 : 12, next = h12 % 12 + 1;
    char hw[16], nw[16];
    const char *lead = chance(r, 30) ? "around" : "at";
    p->h = h;
    p->m = m;
    number_word(h12, hw, sizeof hw);
    number_word(next, nw, sizeof nw);
    switch (m) {
    case 0:
        if (chance(r, 50)) snprintf(p->bare, sizeof p->bare, "%s", hw);
        else if (chance(r, 50)) snprintf(p->bare, sizeof p->bare, "%d", h12);
        else snprintf(p->bare, sizeof p->bare, "%s o'clock", hw);
        break;
    case 15: snprintf(p->bare, sizeof p->bare, "quarter past %s", hw); break;
    case 45: snprintf(p->bare, sizeof p->bare, "quarter to %s", nw); break;
    default: /* 30 */
        switch (rng_int(r, 0, 3)) {
        case 0: snprintf(p->bare, sizeof p->bare, "half %s", hw); break;
        case 1: snprintf(p->bare, sizeof p->bare, "half past %s", hw); break;
        case 2: snprintf(p->bare, sizeof p->bare, "%s thirty", hw); break;
        default: snprintf(p->bare, sizeof p->bare, "%d:30", h12); break;
        }
        break;
    }
    snprintf(p->at, sizeof p->at, "%s %s", lead, p->bare);
}

/* The self-check reads an ambiguous phrase with the day part the context
 * implies. */
static void check_time(const call *c, const tphrase *p, bool ambiguous)
{
    char said[128], want[8];
    hhmm(p->h, p->m, want);
    if (ambiguous)
        snprintf(said, sizeof said, "%s %s", p->bare, p->h < 17 ? "in the afternoon" : "in the evening");
    else
        snprintf(said, sizeof said, "%s", p->bare);
    phrase_check("time", said, c, want);
}

/* The time an untaught model reads from an ambiguous phrase: am. */
static cJSON *am_reading(const tphrase *p)
{
    char buf[8];
    hhmm(p->h - 12, p->m, buf);
    return cJSON_CreateString(buf);
}

/* A slot on a 15-minute grid, mostly on the hour or half hour. */
static void slot(rng *r, int h_lo, int h_hi, int *h, int *m)
{
    static const int MIN[] = {0, 0, 0, 30, 30, 15, 45};
    *h = rng_int(r, h_lo, h_hi);
    *m = PICK(r, MIN);
}

/* ================================================================== */
/* People, phones, places                                              */
/* ================================================================== */

static const char *const FIRST_F[] = {
    "Dana", "Priya", "Elena", "Aaliyah", "Grace", "Hannah", "Fatima", "Sofia", "Mei", "Renée",
    "Isabel", "Chloe", "Ingrid", "Keisha", "Zoë", "Lucy", "Naomi", "Yuki", "Brianna", "Aisha",
    "Siobhán", "Leah", "Tessa", "Nadia", "Camille", "Holly", "Marisol", "Abigail"};
static const char *const FIRST_M[] = {
    "Omar", "Marcus", "Wei", "Tomás", "Jamal", "Kenji", "Liam", "Darnell", "Connor", "Andre",
    "Raj", "Malik", "Diego", "Noah", "Samir", "Hector", "Ethan", "José", "Caleb", "Victor",
    "Arjun", "Miguel", "Owen", "Tariq", "Bernard", "Gregory", "Theodore", "Kwame"};
static const char *const LAST[] = {
    "Whitfield", "Haddad", "Raman", "Bell", "Petrova", "Zhang", "Johnson", "Álvarez", "Kim",
    "Okafor", "Schneider", "Watanabe", "Rahman", "O'Brien", "Rossi", "Washington", "Chen",
    "Gallagher", "Dubois", "Mensah", "Castillo", "Patel", "Nguyễn", "Brooks", "Lindqvist",
    "Morales", "Hughes", "Abernathy", "Takahashi", "Flores", "Kowalski", "Delgado", "Sato",
    "Murphy", "Boateng", "Jensen", "Ramirez", "Goldberg", "Yılmaz", "Fitzgerald", "Novak",
    "Ortega", "Carmichael", "Iyer", "Reyes", "Lindgren", "Adeyemi", "Costa", "MacLeod", "Park"};

typedef struct person {
    const char *first, *last;
    bool female;
    char full[96];
} person;

static void name_person(person *p, bool female, const char *first, const char *last)
{
    p->female = female;
    p->first = first;
    p->last = last;
    snprintf(p->full, sizeof p->full, "%s %s", first, last);
}

static const char *pick_first(rng *r, bool female)
{
    return female ? PICK(r, FIRST_F) : PICK(r, FIRST_M);
}

static void pick_person(rng *r, person *p)
{
    bool female = chance(r, 50);
    name_person(p, female, pick_first(r, female), PICK(r, LAST));
}

/* Levenshtein distance over bytes; enough to keep two names apart. */
static int edit_distance(const char *a, const char *b)
{
    int row[128], la = (int)strlen(a), lb = (int)strlen(b);
    if (lb >= (int)NELEM(row)) return lb;
    for (int j = 0; j <= lb; j++) row[j] = j;
    for (int i = 1; i <= la; i++) {
        int diag = row[0];
        row[0] = i;
        for (int j = 1; j <= lb; j++) {
            int up = row[j], best = diag + (a[i - 1] != b[j - 1]);
            if (up + 1 < best) best = up + 1;
            if (row[j - 1] + 1 < best) best = row[j - 1] + 1;
            diag = up;
            row[j] = best;
        }
    }
    return row[lb];
}

/* Someone of the same family: a first name different enough that the two
 * full names stay well below a text rule's 0.85 similarity. */
static void pick_relative(rng *r, const person *of, bool female, person *p)
{
    for (;;) {
        name_person(p, female, pick_first(r, female), of->last);
        int d = edit_distance(p->full, of->full);
        size_t longer = strlen(p->full) > strlen(of->full) ? strlen(p->full) : strlen(of->full);
        if (1.0 - (double)d / (double)longer < 0.75) return;
    }
}

static const char *const AREA[] = {
    "212", "312", "415", "617", "206", "303", "512", "404", "713", "305", "602", "503",
    "612", "202", "646", "718", "773", "510", "408", "619", "919", "615", "614", "608"};

/* What an untaught model invents for a number nobody gave. */
static const char *const INVENTED_PHONE[] = {"(555) 555-0100", "555-0100", "(555) 123-4567"};

typedef struct phone {
    char said[96];     /* as the caller says it */
    char e164[16];     /* "+14155550134" */
    char written[16];  /* "(415) 555-0134" */
} phone;

static void spoken_digits(const char *digits, char *buf, size_t cap)
{
    size_t o = 0;
    buf[0] = '\0';
    for (const char *s = digits; *s && o + 8 < cap; s++) {
        const char *w = *s == '0' ? "oh" : SMALL_WORD[*s - '0'];
        o += (size_t)snprintf(buf + o, cap - o, "%s%s", o ? " " : "", w);
    }
}

/* A fictional number: a real area code, exchange 555, line 0100-0199. */
static void pick_phone(rng *r, phone *p)
{
    const char *area = PICK(r, AREA);
    char line[8], a[32], l[40];
    snprintf(line, sizeof line, "01%02d", rng_int(r, 0, 99));
    snprintf(p->e164, sizeof p->e164, "+1%s555%s", area, line);
    snprintf(p->written, sizeof p->written, "(%s) 555-%s", area, line);
    switch (rng_int(r, 0, 4)) {
    case 0: snprintf(p->said, sizeof p->said, "%s-555-%s", area, line); break;
    case 1: snprintf(p->said, sizeof p->said, "(%s) 555-%s", area, line); break;
    case 2: snprintf(p->said, sizeof p->said, "%s 555 %s", area, line); break;
    case 3: snprintf(p->said, sizeof p->said, "%s.555.%s", area, line); break;
    default:
        spoken_digits(area, a, sizeof a);
        spoken_digits(line, l, sizeof l);
        snprintf(p->said, sizeof p->said, "%s, five five five, %s", a, l);
        break;
    }
}

/* The expected phone: E.164 mostly, sometimes as people write it. */
static cJSON *phone_expected(rng *r, const phone *p)
{
    return cJSON_CreateString(chance(r, 80) ? p->e164 : p->written);
}

/* ================================================================== */
/* Tags and transcripts                                                */
/* ================================================================== */

enum tag { T_RD, T_AT, T_SN, T_CO, T_IA, T_NG, NTAGS };
#define RD (1u << T_RD)
#define AT (1u << T_AT)
#define SN (1u << T_SN)
#define CO (1u << T_CO)
#define IA (1u << T_IA)
#define NG (1u << T_NG)

static const char *const TAG_NAME[NTAGS] = {
    "relative-date", "ambiguous-time", "spelled-number", "correction", "insurer-alias",
    "never-given"};

#define MAX_TURNS 12
#define TURN_CAP 700

typedef struct tcase {
    char id[16];
    const call *c;
    unsigned tags;
    cJSON *context;   /* owned until case_json() */
    cJSON *expected;
    cJSON *simlm;     /* tag -> {field: what an untaught model outputs} */
    int nturns;
    const char *who[MAX_TURNS];
    char text[MAX_TURNS][TURN_CAP];
} tcase;

static void case_begin(tcase *tc, const char *prefix, int n, unsigned tags, const call *c)
{
    memset(tc, 0, sizeof *tc);
    snprintf(tc->id, sizeof tc->id, "%s-%04d", prefix, n);
    tc->c = c;
    tc->tags = tags;
    tc->context = cJSON_CreateObject();
    tc->expected = cJSON_CreateObject();
    tc->simlm = cJSON_CreateObject();
}

static void turn(tcase *tc, const char *who, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void turn(tcase *tc, const char *who, const char *fmt, ...)
{
    va_list ap;
    if (tc->nturns >= MAX_TURNS) {
        fprintf(stderr, "generate: %s has more than %d turns\n", tc->id, MAX_TURNS);
        exit(1);
    }
    va_start(ap, fmt);
    vsnprintf(tc->text[tc->nturns], TURN_CAP, fmt, ap);
    va_end(ap);
    for (char *dd; (dd = strstr(tc->text[tc->nturns], "..")) != NULL;) /* "5 p.m.." */
        memmove(dd, dd + 1, strlen(dd + 1) + 1);
    tc->who[tc->nturns++] = who;
}

#define AGENT(tc, ...) turn((tc), "agent", __VA_ARGS__)
#define CALLER(tc, ...) turn((tc), "caller", __VA_ARGS__)

/* What an untaught model outputs for `field` when tag's skill is not taught. */
static void hint(tcase *tc, enum tag t, const char *field, cJSON *v)
{
    cJSON *h = cJSON_GetObjectItemCaseSensitive(tc->simlm, TAG_NAME[t]);
    if (!h) h = cJSON_AddObjectToObject(tc->simlm, TAG_NAME[t]);
    cJSON_AddItemToObject(h, field, v);
}

static void expect(tcase *tc, const char *field, cJSON *v)
{
    cJSON_AddItemToObject(tc->expected, field, v);
}

static void expect_str(tcase *tc, const char *field, const char *s)
{
    expect(tc, field, cJSON_CreateString(s));
}

static cJSON *any_of(const char *const *alts, int n)
{
    cJSON *o = cJSON_CreateObject(), *a = cJSON_AddArrayToObject(o, "any_of");
    for (int i = 0; i < n; i++) cJSON_AddItemToArray(a, cJSON_CreateString(alts[i]));
    return o;
}

/* The expected date: canonical mostly; for a relative phrase sometimes the
 * phrase itself, which the harness resolves against the call date. */
static void expect_date(rng *r, tcase *tc, const char *field, const dphrase *p, bool relative)
{
    char iso[16];
    iso_date(p->dn, iso);
    if (relative && chance(r, 20)) expect_str(tc, field, p->bare);
    else expect_str(tc, field, iso);
}

/* The expected time: "HH:MM" mostly; a time said with its am/pm is
 * sometimes expected as said ("seven thirty in the evening"). */
static void expect_time(rng *r, tcase *tc, const char *field, const tphrase *p, bool ambiguous)
{
    char buf[8];
    hhmm(p->h, p->m, buf);
    expect_str(tc, field, !ambiguous && chance(r, 10) ? p->bare : buf);
}

static cJSON *date_value(long dn)
{
    char iso[16];
    iso_date(dn, iso);
    return cJSON_CreateString(iso);
}

static cJSON *time_value(const tphrase *p)
{
    char buf[8];
    hhmm(p->h, p->m, buf);
    return cJSON_CreateString(buf);
}

/* The transcript as one JSON object, keys in the documented order. */
static cJSON *case_json(tcase *tc)
{
    cJSON *o = cJSON_CreateObject(), *tags, *turns;
    cJSON_AddStringToObject(o, "id", tc->id);
    cJSON_AddStringToObject(o, "call_started_at", tc->c->stamp);
    tags = cJSON_AddArrayToObject(o, "tags");
    for (int t = 0; t < NTAGS; t++)
        if (tc->tags & (1u << t)) cJSON_AddItemToArray(tags, cJSON_CreateString(TAG_NAME[t]));
    if (cJSON_GetArraySize(tc->simlm) > 0) {
        cJSON *ordered = cJSON_CreateObject();
        for (int t = 0; t < NTAGS; t++) {
            cJSON *h = cJSON_DetachItemFromObjectCaseSensitive(tc->simlm, TAG_NAME[t]);
            if (h) cJSON_AddItemToObject(ordered, TAG_NAME[t], h);
        }
        cJSON_AddItemToObject(tc->context, "simlm", ordered);
    }
    cJSON_Delete(tc->simlm);
    cJSON_AddItemToObject(o, "context", tc->context);
    turns = cJSON_AddArrayToObject(o, "turns");
    for (int i = 0; i < tc->nturns; i++) {
        cJSON *t = cJSON_CreateObject();
        cJSON_AddStringToObject(t, "speaker", tc->who[i]);
        cJSON_AddStringToObject(t, "text", tc->text[i]);
        cJSON_AddItemToArray(turns, t);
    }
    cJSON_AddItemToObject(o, "expected", tc->expected);
    tc->context = tc->expected = tc->simlm = NULL;
    return o;
}

/* ================================================================== */
/* Agent 1: restaurant-booking                                         */
/* ================================================================== */

static const char *const RESTAURANTS[] = {
    "Luigi's", "The Copper Pot", "Saffron House", "Bistro Margaux", "Harbor Grill",
    "Sakura Garden", "Casa Lupita", "The Olive Branch", "Smokehouse 41", "Little Lisbon",
    "Maple & Rye", "Pho Saigon", "The Blue Door", "Trattoria Nonna", "Seoul Kitchen",
    "Café Amélie"};
static const char *const HOSTS[] = {"Maria", "Josh", "Keiko", "Ben", "Alicia", "Sam", "Priscilla", "Devon"};

typedef struct party {
    int n;
    char for_[48];   /* after "a table": "for 4", "for four" */
    char alone[64];  /* as an answer: "There'll be 4 of us.", "A party of six." */
    char word[16];   /* the number as a word, for an untaught model */
} party;

/* How many people: digits ("for 4", "4 people"). */
static void party_digits(rng *r, int n, party *p)
{
    p->n = n;
    number_word(n, p->word, sizeof p->word);
    if (n == 1) {
        snprintf(p->for_, sizeof p->for_, "for 1");
        snprintf(p->alone, sizeof p->alone, "Just 1.");
        return;
    }
    switch (rng_int(r, 0, 2)) {
    case 0:
        snprintf(p->for_, sizeof p->for_, "for %d", n);
        snprintf(p->alone, sizeof p->alone, "%d people.", n);
        break;
    case 1:
        snprintf(p->for_, sizeof p->for_, "for %d people", n);
        snprintf(p->alone, sizeof p->alone, "We'll be %d.", n);
        break;
    default:
        snprintf(p->for_, sizeof p->for_, "for a party of %d", n);
        snprintf(p->alone, sizeof p->alone, "A party of %d.", n);
        break;
    }
}

/* How many people, spelled out: "four of us", "a party of six", "a dozen". */
static void party_spelled(rng *r, int n, party *p)
{
    p->n = n;
    number_word(n, p->word, sizeof p->word);
    if (n == 1) {
        snprintf(p->for_, sizeof p->for_, "for one");
        snprintf(p->alone, sizeof p->alone, "Just one.");
        return;
    }
    if (n == 12 && chance(r, 70)) {
        snprintf(p->for_, sizeof p->for_, "for a dozen people");
        snprintf(p->alone, sizeof p->alone, "A dozen of us.");
        return;
    }
    switch (rng_int(r, 0, 2)) {
    case 0:
        snprintf(p->for_, sizeof p->for_, "for %s", p->word);
        snprintf(p->alone, sizeof p->alone, "There'll be %s of us.", p->word);
        break;
    case 1:
        snprintf(p->for_, sizeof p->for_, "for %s people", p->word);
        snprintf(p->alone, sizeof p->alone, "%s people.", p->word);
        capitalize(p->alone);
        break;
    default:
        snprintf(p->for_, sizeof p->for_, "for a party of %s", p->word);
        snprintf(p->alone, sizeof p->alone, "A party of %s.", p->word);
        break;
    }
}

static int party_size(rng *r)
{
    static const int SIZES[] = {2, 2, 2, 2, 3, 3, 4, 4, 4, 4, 5, 5, 6, 6, 6, 7, 8, 8, 9, 10, 12, 1};
    return PICK(r, SIZES);
}

static void check_party(const call *c, const party *p)
{
    char want[8], said[80];
    snprintf(want, sizeof want, "%d", p->n);
    snprintf(said, sizeof said, "%s", p->alone);
    said[strlen(said) - 1] = '\0'; /* drop the full stop */
    phrase_check("integer", said, c, want);
}

/* Which field a correction changes: one no other tag of the case touches. */
static int correction_field(rng *r, const unsigned *blocked_by, int nfields, unsigned tags)
{
    int ok[8], n = 0;
    for (int f = 0; f < nfields; f++)
        if (!(blocked_by[f] & tags)) ok[n++] = f;
    if (n == 0) {
        fprintf(stderr, "generate: no field left for a correction\n");
        exit(1);
    }
    return ok[rng_int(r, 0, n - 1)];
}

enum { RF_DATE, RF_TIME, RF_PARTY };

/* The name as the caller gives it; returns what is expected. *greet is the
 * name the host may use back (NULL when only a surname was given). */
static cJSON *restaurant_name(rng *r, const person *who, char *said, size_t cap, const char **greet)
{
    *greet = who->first;
    int k = rng_int(r, 0, 19);
    if (k < 13) {
        switch (rng_int(r, 0, 3)) {
        case 0: snprintf(said, cap, "It's %s.", who->full); break;
        case 1: snprintf(said, cap, "%s.", who->full); break;
        case 2: snprintf(said, cap, "Under %s, please.", who->full); break;
        default: snprintf(said, cap, "Put it under %s.", who->full); break;
        }
        return cJSON_CreateString(who->full);
    }
    if (k < 18) {
        const char *alts[2] = {who->full, who->first};
        snprintf(said, cap, "Just put %s. It's %s, if you need the whole thing.", who->first, who->full);
        return any_of(alts, 2);
    }
    snprintf(said, cap, "Under %s is fine.", who->last);
    *greet = NULL;
    return cJSON_CreateString(who->last);
}

static void gen_restaurant(rng *r, int n, unsigned tags, call *c, tcase *tc)
{
    static const unsigned BLOCK[] = {RD, AT, SN}; /* RF_DATE, RF_TIME, RF_PARTY */
    const char *place = PICK(r, RESTAURANTS), *host = PICK(r, HOSTS);
    int cof = -1, h, m, style = rng_int(r, 0, 2);
    dphrase d, d0;
    tphrase t, t0;
    party p, p0;
    person who;
    phone ph;
    char name_said[200];
    cJSON *name_expected, *phone_exp;
    const char *greet;
    bool combined;

    make_call(r, -1, false, 10, 20, c);
    case_begin(tc, "rest", n, tags, c);
    cJSON_AddStringToObject(tc->context, "restaurant", place);
    if (tags & CO) cof = correction_field(r, BLOCK, 3, tags);
    pick_person(r, &who);
    pick_phone(r, &ph);

    /* date: relative-date says it relative to the call */
    if (tags & RD) date_relative(r, c, 21, c->hh < 17, true, false, &d);
    else date_absolute(r, c, 1, 35, false, &d);
    d0 = d;
    if (cof == RF_DATE) date_other(r, c, &d, false, 35, false, &d0);
    check_date(c, &d);
    if (cof == RF_DATE) check_date(c, &d0);

    /* time: dinner, said with or without pm */
    slot(r, 17, 21, &h, &m);
    if (tags & AT) time_ambiguous(r, h, m, &t);
    else time_explicit(r, h, m, &t);
    t0 = t;
    if (cof == RF_TIME) {
        int h0, m0;
        do slot(r, 17, 21, &h0, &m0);
        while (h0 == h && m0 == m);
        time_explicit(r, h0, m0, &t0);
        check_time(c, &t0, false);
    }
    check_time(c, &t, (tags & AT) != 0);

    /* party size */
    {
        int size = party_size(r);
        if (tags & SN) party_spelled(r, size, &p);
        else party_digits(r, size, &p);
        p0 = p;
        if (cof == RF_PARTY) {
            int s0 = size + (chance(r, 50) ? -1 : 1) * rng_int(r, 1, 2);
            if (s0 < 2 || s0 == size) s0 = size + 1;
            party_digits(r, s0, &p0);
            check_party(c, &p0);
        }
        check_party(c, &p);
    }

    /* greeting */
    switch (rng_int(r, 0, 2)) {
    case 0: AGENT(tc, "Thank you for calling %s, this is %s. How can I help you?", place, host); break;
    case 1: AGENT(tc, "Good %s, %s! %s speaking.", day_part(c), place, host); break;
    default: AGENT(tc, "Hi, you've reached %s. Are you calling about a reservation?", place); break;
    }

    /* the request, with the first values when a correction follows */
    switch (style) {
    case 0:
        CALLER(tc, "Hi! I'd like to book a table %s for dinner %s %s.", p0.for_, d0.on, t0.at);
        break;
    case 1:
        CALLER(tc, "Hi, do you have anything %s? For dinner.", d0.on);
        AGENT(tc, "Let me look. How many people, and what time were you thinking?");
        CALLER(tc, "%s And %s, if you can.", p0.alone, t0.at);
        break;
    default:
        CALLER(tc, "Hi there, I'm hoping to get a dinner reservation %s %s.", d0.on, t0.at);
        AGENT(tc, "Sure, we can do that. How many in your party?");
        CALLER(tc, "%s", p0.alone);
        break;
    }

    /* name and phone */
    name_expected = restaurant_name(r, &who, name_said, sizeof name_said, &greet);
    combined = style != 0 || cof >= 0 || chance(r, 50);
    if (combined) {
        AGENT(tc, "Great, I can fit you in. Can I get a name and a phone number for the reservation?");
        if (tags & NG) CALLER(tc, "%s I'd rather not leave a number, if that's okay.", name_said);
        else CALLER(tc, "%s And my number is %s.", name_said, ph.said);
    } else {
        AGENT(tc, "That works. Can I get a name for the reservation?");
        CALLER(tc, "%s", name_said);
        if (tags & NG) {
            if (chance(r, 50)) {
                AGENT(tc, "And do you want to leave a phone number?");
                CALLER(tc, "No, that's fine. We'll be on time.");
            }
        } else {
            AGENT(tc, "And a phone number, in case we need to reach you?");
            CALLER(tc, "Sure, it's %s.", ph.said);
        }
    }
    if (tags & NG) {
        phone_exp = cJSON_CreateNull();
    } else {
        phone_exp = phone_expected(r, &ph);
        phrase_check("phone", ph.said, c, ph.e164);
    }

    /* the correction, after the agent reads the first values back */
    if (cof >= 0) {
        AGENT(tc, "Perfect. So that's a table %s %s %s.", p0.for_, d0.on, t0.at);
        switch (cof) {
        case RF_DATE:
            CALLER(tc, "Oh wait, sorry, I meant %s, not %s. My mistake.", d.bare, d0.bare);
            AGENT(tc, "No problem at all, I've moved it to %s, same time.", d.bare);
            hint(tc, T_CO, "date", date_value(d0.dn));
            break;
        case RF_TIME:
            CALLER(tc, "Actually, could we make it %s instead? We're coming straight from work.", t.bare);
            AGENT(tc, "Sure, %s works too. I've changed it.", t.bare);
            hint(tc, T_CO, "time", time_value(&t0));
            break;
        default:
            if (p.n > p0.n)
                CALLER(tc, "Oh, sorry, one more thing: can we make it %d instead? My brother just said he's coming.", p.n);
            else
                CALLER(tc, "Oh, sorry, can we make it %d instead? One of our friends just cancelled.", p.n);
            AGENT(tc, "Of course, %d it is.", p.n);
            hint(tc, T_CO, "party_size", cJSON_CreateNumber(p0.n));
            break;
        }
    } else {
        if (greet) AGENT(tc, "You're all set, %s: a table %s %s %s. See you then!", greet, p.for_, d.on, t.at);
        else AGENT(tc, "You're all set: a table %s %s %s. See you then!", p.for_, d.on, t.at);
    }
    if (tc->nturns < 10) CALLER(tc, "%s", chance(r, 50) ? "Great, thank you so much!" : "Thanks, bye!");

    expect_date(r, tc, "date", &d, (tags & RD) != 0);
    expect_time(r, tc, "time", &t, (tags & AT) != 0);
    expect(tc, "party_size", cJSON_CreateNumber(p.n));
    expect(tc, "name", name_expected);
    expect(tc, "phone", phone_exp);
    if (tags & RD) hint(tc, T_RD, "date", date_value(d.dn + 7));
    if (tags & AT) hint(tc, T_AT, "time", am_reading(&t));
    if (tags & SN) hint(tc, T_SN, "party_size", cJSON_CreateString(p.word));
    if (tags & NG) hint(tc, T_NG, "phone", cJSON_CreateString(PICK(r, INVENTED_PHONE)));
}

/* ================================================================== */
/* Insurers (clinic-scheduling, insurance-eligibility)                 */
/* ================================================================== */

/* The enum rule: canonical payers with their official aliases. */
typedef struct payer {
    const char *key;
    const char *aliases[3];
    const char *id_shape; /* member ID: L = letter, D = digit, else literal */
} payer;

static const payer PAYERS[] = {
    {"UnitedHealthcare", {"UHC", "United Healthcare", NULL}, "DDDDDDDDD"},
    {"Blue Cross Blue Shield", {"BCBS", "Blue Cross", "Blue Shield"}, "LLLDDDDDDDDD"},
    {"Aetna", {NULL}, "WDDDDDDDDD"},
    {"Cigna", {"Cigna Healthcare", NULL}, "UDDDDDDDD"},
    {"Kaiser Permanente", {"Kaiser", NULL}, "DDDDDDDD"},
    {"Humana", {NULL}, "HDDDDDDDD"},
    {"Medicare", {NULL}, "DLLDLLDLLDD"},
    {"Medicaid", {NULL}, "DDDDDDDDDD"},
    {"Oscar Health", {"Oscar", NULL}, "OSCDDDDDDDD"},
    {"Molina Healthcare", {"Molina", NULL}, "MDDDDDDDDD"},
};

/* Plan, product and state-program names that are NOT aliases in the rule:
 * a model must know whose plan it is. `name` is what an untaught model
 * writes; no name contains any payer's key or alias as a whole word. */
typedef struct plan_alias {
    const char *said;   /* how the caller puts it */
    const char *name;   /* the plan or product name */
    int payer;          /* index into PAYERS */
} plan_alias;

static const plan_alias PLAN_ALIASES[] = {
    {"a Choice Plus plan through United, from my job", "Choice Plus", 0},
    {"the Navigate plan, it's one of the United ones", "Navigate", 0},
    {"Golden Rule, the short-term plan", "Golden Rule", 0},
    {"Anthem, through my spouse's work", "Anthem", 1},
    {"Highmark, through my job", "Highmark", 1},
    {"CareFirst, through the federal employee program", "CareFirst", 1},
    {"Florida Blue", "Florida Blue", 1},
    {"Horizon, the New Jersey one", "Horizon", 1},
    {"Regence, through my employer", "Regence", 1},
    {"the Open Access Plus plan from work", "Open Access Plus", 3},
    {"LocalPlus, the narrow network one", "LocalPlus", 3},
    {"Open Access Managed Choice, through CVS Health", "Open Access Managed Choice", 2},
    {"KP, through my union", "KP", 4},
    {"HumanaChoice, through my old employer", "HumanaChoice", 5},
    {"my red, white and blue card, Part A and B", "Part A and B", 6},
    {"Medi-Cal", "Medi-Cal", 7},
    {"MassHealth", "MassHealth", 7},
    {"TennCare", "TennCare", 7},
    {"Apple Health, the state plan", "Apple Health", 7},
};

/* How a caller names an insurer the rule knows: its key or an alias,
 * sometimes with the plan type. */
static void payer_said(rng *r, int ix, bool with_type, char *buf, size_t cap)
{
    const payer *p = &PAYERS[ix];
    const char *names[4];
    int n = 0;
    names[n++] = p->key;
    for (int i = 0; i < 3 && p->aliases[i]; i++) names[n++] = p->aliases[i];
    static const char *const TYPE[] = {"", "", " PPO", " HMO", " through my work"};
    const char *name = names[rng_int(r, 0, n - 1)];
    snprintf(buf, cap, "%s%s", name, !with_type || (ix >= 6 && ix <= 7) ? "" : PICK(r, TYPE));
}

static int pick_payer(rng *r)
{
    return rng_int(r, 0, (int)NELEM(PAYERS) - 1);
}

static void member_id(rng *r, int ix, char *buf, size_t cap)
{
    static const char LETTERS[] = "ACDEFGHJKMNPQRTUVWXY";
    size_t o = 0;
    for (const char *s = PAYERS[ix].id_shape; *s && o + 1 < cap; s++) {
        if (*s == 'L') buf[o++] = LETTERS[rng_int(r, 0, (int)sizeof LETTERS - 2)];
        else if (*s == 'D') {
            int digit = rng_int(r, o == 0 ? 1 : 0, 9);
            buf[o++] = (char)('0' + digit);
        }
        else buf[o++] = *s;
    }
    buf[o] = '\0';
}

/* ================================================================== */
/* Agent 2: clinic-scheduling                                          */
/* ================================================================== */

static const char *const CLINICS[] = {
    "Maple Grove Family Medicine", "Riverside Primary Care", "Oak Hill Pediatrics & Family",
    "Northside Health Center", "Lakeview Internal Medicine", "Cedar Park Medical Group",
    "Summit Family Practice", "Bayside Community Clinic"};
static const char *const PROVIDERS[] = {
    "Dr. Patel", "Dr. Nakamura", "Dr. Osei", "Dr. Feldman", "Dr. Ruiz", "Dr. Lindqvist",
    "Dr. Adeyemi", "Dr. Chen", "Dr. Moreau", "Nurse Practitioner Walsh"};
static const char *const STAFF[] = {"Tanya", "Rob", "Lena", "Marcus", "Ivy", "Carlos", "Beth"};

/* A reason for the visit: as said by the patient and by someone calling
 * for them, and what is accepted. */
typedef struct reason {
    const char *said;      /* "for my annual physical" */
    const char *said_for;  /* "for an annual physical" */
    const char *accept[3]; /* first is the preferred gold */
} reason;

static const reason REASONS[] = {
    {"for my annual physical", "for an annual physical", {"annual physical", "physical", "annual checkup"}},
    {"for a flu shot", "for a flu shot", {"flu shot", "flu vaccine", NULL}},
    {"about a rash on my arm that won't go away", "about a rash that won't go away", {"rash", "persistent rash", "rash on arm"}},
    {"to follow up on my blood pressure", "for a blood pressure follow-up", {"blood pressure follow-up", "follow up on blood pressure", NULL}},
    {"because I've had a sore throat and a fever since Sunday", "for a sore throat and a fever", {"sore throat and fever", "sore throat", NULL}},
    {"for some lower back pain", "for lower back pain", {"lower back pain", "back pain", NULL}},
    {"to get my asthma inhaler refilled", "for an asthma inhaler refill", {"asthma inhaler refill", "inhaler refill", NULL}},
    {"for a sports physical for school", "for a sports physical for school", {"sports physical", "school sports physical", NULL}},
    {"about migraines, they've been getting worse", "about migraines that keep getting worse", {"migraines", "worsening migraines", NULL}},
    {"to get my cholesterol checked", "for a cholesterol check", {"cholesterol check", "cholesterol", NULL}},
    {"for an ear infection, I think", "for what I think is an ear infection", {"ear infection", NULL, NULL}},
    {"to talk about my sleep, I haven't been sleeping well", "for trouble sleeping", {"trouble sleeping", "sleep problems", "poor sleep"}},
    {"for a follow-up on my diabetes", "for a diabetes follow-up", {"diabetes follow-up", "diabetes follow up", NULL}},
    {"for a knee that's been swollen since I fell", "for a swollen knee after a fall", {"swollen knee", "knee swelling", NULL}},
};

/* What an untaught model invents for a reason nobody gave. */
static const char *const INVENTED_REASON[] = {"routine check-up", "general consultation", "follow-up visit"};

/* Who else a caller books for, and the years they were born in. */
typedef struct relation {
    const char *word;
    int female;              /* 1, 0, or -1 for either */
    int born_lo, born_hi;
} relation;

static const relation RELATIONS[] = {
    {"son", 0, 2008, 2021}, {"daughter", 1, 2008, 2021}, {"husband", 0, 1955, 2000},
    {"wife", 1, 1955, 2000}, {"mother", 1, 1938, 1962}, {"father", 0, 1938, 1962},
    {"partner", -1, 1958, 2000}};

static const char *pronoun_obj(const relation *rel, bool female)
{
    return rel->female < 0 ? "them" : female ? "her" : "him";
}

static const char *pronoun_poss(const relation *rel, bool female)
{
    return rel->female < 0 ? "Their" : female ? "Her" : "His";
}

enum { CF_DATE, CF_TIME, CF_NAME, CF_INSURANCE };

static void dob_said(rng *r, int born_lo, int born_hi, char *buf, size_t cap)
{
    int y = rng_int(r, born_lo, born_hi), m = rng_int(r, 1, 12), d = rng_int(r, 1, 28);
    if (chance(r, 50)) snprintf(buf, cap, "%s %d%s, %d", MONTH[m], d, ordinal_suffix(d), y);
    else snprintf(buf, cap, "%d/%d/%d", m, d, y);
}

static void gen_clinic(rng *r, int n, unsigned tags, call *c, tcase *tc)
{
    static const unsigned BLOCK[] = {RD, AT, 0, IA}; /* CF_DATE, CF_TIME, CF_NAME, CF_INSURANCE */
    const char *clinic = PICK(r, CLINICS), *prov = PICK(r, PROVIDERS), *staff = PICK(r, STAFF);
    const reason *why = &REASONS[rng_int(r, 0, (int)NELEM(REASONS) - 1)];
    const relation *rel = &RELATIONS[rng_int(r, 0, (int)NELEM(RELATIONS) - 1)];
    int cof = -1, h, m, pay, pay0 = -1;
    const plan_alias *pa = NULL;
    bool for_other;
    dphrase d, d0;
    tphrase t, t0;
    person caller, patient;
    char ins[160], ins0[160], dob[40], reason_clause[200];

    make_call(r, -1, true, 8, 16, c);
    case_begin(tc, "clin", n, tags, c);
    cJSON_AddStringToObject(tc->context, "clinic", clinic);
    cJSON_AddStringToObject(tc->context, "provider", prov);
    if (tags & CO) cof = correction_field(r, BLOCK, 4, tags);
    pick_person(r, &caller);
    pick_relative(r, &caller, rel->female < 0 ? chance(r, 50) : rel->female == 1, &patient);
    for_other = cof == CF_NAME || chance(r, 30);
    if (for_other) dob_said(r, rel->born_lo, rel->born_hi, dob, sizeof dob);
    else {
        patient = caller;
        dob_said(r, 1950, 2004, dob, sizeof dob);
    }

    /* insurance */
    if (tags & IA) {
        pa = &PLAN_ALIASES[rng_int(r, 0, (int)NELEM(PLAN_ALIASES) - 1)];
        pay = pa->payer;
        snprintf(ins, sizeof ins, "%s", pa->said);
    } else {
        pay = pick_payer(r);
        payer_said(r, pay, true, ins, sizeof ins);
    }
    if (cof == CF_INSURANCE) {
        do pay0 = pick_payer(r);
        while (pay0 == pay);
        payer_said(r, pay0, true, ins0, sizeof ins0);
    }

    /* date and time */
    if (tags & RD) date_relative(r, c, 28, c->hh < 12, false, true, &d);
    else date_absolute(r, c, 2, 40, true, &d);
    d0 = d;
    if (cof == CF_DATE) date_other(r, c, &d, false, 40, true, &d0);
    check_date(c, &d);
    if (cof == CF_DATE) check_date(c, &d0);
    if (tags & AT) {
        slot(r, 13, 16, &h, &m);
        if (d.dn == c->dn && h < c->hh + 2) h = 16; /* later today */
        time_ambiguous(r, h, m, &t);
    } else {
        slot(r, 8, 16, &h, &m);
        if (h == 12) h = 11;
        if (d.dn == c->dn && h < c->hh + 2) h = 16;
        time_explicit(r, h, m, &t);
    }
    check_time(c, &t, (tags & AT) != 0);
    t0 = t;
    if (cof == CF_TIME) {
        int h0, m0;
        do slot(r, 8, 16, &h0, &m0);
        while (h0 == 12 || (h0 == h && m0 == m));
        time_explicit(r, h0, m0, &t0);
        check_time(c, &t0, false);
    }

    if (tags & NG) reason_clause[0] = '\0';
    else snprintf(reason_clause, sizeof reason_clause, " %s", for_other ? why->said_for : why->said);

    AGENT(tc, "Good %s, %s, this is %s. How can I help you?", day_part(c), clinic, staff);

    /* who the appointment is for */
    if (cof == CF_NAME) {
        CALLER(tc, "Hi, I need to make an appointment with %s%s. My name is %s.", prov,
               reason_clause, caller.full);
        AGENT(tc, "Thanks, %s. Is the appointment for you?", caller.first);
        CALLER(tc, "Oh, no, sorry, it's for my %s, %s. I'm just calling for %s. %s date of birth is %s.",
               rel->word, patient.full, pronoun_obj(rel, patient.female), pronoun_poss(rel, patient.female), dob);
        AGENT(tc, "Thank you. And what insurance does %s have?", patient.first);
        CALLER(tc, "%s.", ins);
        capitalize(tc->text[tc->nturns - 1]);
        hint(tc, T_CO, "patient_name", cJSON_CreateString(caller.full));
    } else if (for_other) {
        CALLER(tc, "Hi, I'd like to book an appointment with %s for my %s, %s,%s.", prov, rel->word,
               patient.full, (tags & NG) ? " please" : reason_clause);
        AGENT(tc, "Of course. What's %s's date of birth, and what insurance do you have?", patient.first);
        if (cof == CF_INSURANCE)
            CALLER(tc, "%s. And it's %s. Oh, wait, no, we switched to %s in January, sorry. The old card is still in my wallet.",
                   dob, ins0, ins);
        else
            CALLER(tc, "%s, and we have %s.", dob, ins);
    } else {
        CALLER(tc, "Hi, I'd like to make an appointment with %s%s.", prov, (tags & NG) ? ", please" : reason_clause);
        AGENT(tc, "Sure. Can I have your full name, date of birth, and your insurance?");
        if (cof == CF_INSURANCE)
            CALLER(tc, "%s, %s. I have %s. Oh, wait, no, sorry, we switched to %s in January. The old card is still in my wallet.",
                   patient.full, dob, ins0, ins);
        else
            CALLER(tc, "It's %s, born %s, and I have %s.", patient.full, dob, ins);
    }
    if (cof == CF_INSURANCE) hint(tc, T_CO, "insurance", cJSON_CreateString(PAYERS[pay0].key));

    /* the slot; the agent speaks next */
    if (cof == CF_INSURANCE) AGENT(tc, "No problem, I'll put down the new one. When would you like to come in?");
    else if ((cof == CF_DATE || tc->nturns <= 4) && chance(r, cof == CF_DATE ? 100 : 50))
        AGENT(tc, "Thank you. When would you like to come in?");
    if (tags & AT) {
        tphrase alt;
        int ah, am;
        do slot(r, 13, 16, &ah, &am);
        while (ah == h && am == m);
        time_ambiguous(r, ah, am, &alt);
        if (cof == CF_DATE) {
            CALLER(tc, "Do you have anything %s? In the afternoon, if possible.", d0.on);
            AGENT(tc, "%s only has afternoons open that week. %s, I can do %s or %s.", prov, d0.bare,
                  alt.bare, t.bare);
            capitalize(tc->text[tc->nturns - 1]);
            CALLER(tc, "Hmm, actually, I just remembered I'm traveling then. Could we do %s instead? %s would be good.",
                   d.bare, t.bare);
            capitalize(tc->text[tc->nturns - 1]);
        } else if (tc->who[tc->nturns - 1][0] == 'a') {
            CALLER(tc, "Anything %s? I work mornings.", d.on);
            AGENT(tc, "%s has a couple of openings %s in the afternoon: %s or %s.", prov, d.on, alt.bare, t.bare);
            CALLER(tc, "%s works for me.", t.bare);
            capitalize(tc->text[tc->nturns - 1]);
        } else {
            AGENT(tc, "%s has a couple of openings %s in the afternoon: %s or %s.", prov, d.on, alt.bare, t.bare);
            CALLER(tc, "%s works for me.", t.bare);
            capitalize(tc->text[tc->nturns - 1]);
        }
    } else if (cof == CF_TIME) {
        if (tc->who[tc->nturns - 1][0] == 'a') CALLER(tc, "As soon as possible, really.");
        AGENT(tc, "%s has an opening %s %s.", prov, d.on, t0.at);
        CALLER(tc, "Okay, %s is fine. Oh, actually, is %s open? That would be easier with school pickup.",
               t0.bare, t.bare);
        AGENT(tc, "Yes, %s is open too, so I've switched you. You're all set; please bring your insurance card.", t.bare);
        hint(tc, T_CO, "appointment_time", time_value(&t0));
    } else if (cof == CF_DATE) {
        CALLER(tc, "Do you have anything %s?", d0.on);
        AGENT(tc, "Yes, %s could see you %s %s.", prov, d0.on, t.at);
        CALLER(tc, "Hmm, actually, I just remembered I'm traveling then. Could we do %s instead, same time?", d.bare);
    } else if (tc->who[tc->nturns - 1][0] == 'a') {
        CALLER(tc, "Do you have anything %s?", d.on);
        AGENT(tc, "Let me check. Yes, %s has an opening %s.", prov, t.at);
        CALLER(tc, "Perfect, I'll take it.");
    } else {
        AGENT(tc, "Thank you. The first opening %s has is %s %s. Does that work?", prov, d.on, t.at);
        CALLER(tc, "Yes, that works.");
    }
    if (cof == CF_DATE) hint(tc, T_CO, "appointment_date", date_value(d0.dn));

    /* closing (after a time correction the agent has already closed) */
    if (cof == CF_DATE)
        AGENT(tc, "Sure, %s works. You're all set with %s. Please bring your insurance card.", d.bare, prov);
    else if (cof != CF_TIME && (tags & NG))
        AGENT(tc, "All right, %s is booked with %s. Please arrive fifteen minutes early.", patient.first, prov);
    else if (cof != CF_TIME)
        AGENT(tc, "You're all set. Please bring your insurance card and arrive fifteen minutes early.");
    if (tc->nturns < 10) CALLER(tc, "Thank you so much.");

    expect_date(r, tc, "appointment_date", &d, (tags & RD) != 0);
    expect_time(r, tc, "appointment_time", &t, (tags & AT) != 0);
    expect_str(tc, "patient_name", patient.full);
    expect_str(tc, "insurance", PAYERS[pay].key);
    if (tags & NG) {
        expect(tc, "reason", cJSON_CreateNull());
        hint(tc, T_NG, "reason", cJSON_CreateString(PICK(r, INVENTED_REASON)));
    } else {
        int k = 0;
        while (k < 3 && why->accept[k]) k++;
        if (k == 1) expect_str(tc, "reason", why->accept[0]);
        else expect(tc, "reason", any_of(why->accept, k));
    }
    if (tags & RD) hint(tc, T_RD, "appointment_date", date_value(d.dn + 7));
    if (tags & AT) hint(tc, T_AT, "appointment_time", am_reading(&t));
    if (tags & IA) hint(tc, T_IA, "insurance", cJSON_CreateString(pa->name));
}

/* ================================================================== */
/* Agent 3: insurance-eligibility                                      */
/* ================================================================== */

typedef struct procedure {
    const char *said;       /* "an MRI of my left knee" */
    const char *short_;     /* "the knee MRI" */
    const char *accept[3];
    bool excludable;        /* commonly excluded (cosmetic, elective) */
} procedure;

static const procedure PROCEDURES[] = {
    {"an MRI of my left knee", "the knee MRI", {"MRI of the left knee", "left knee MRI", "knee MRI"}, false},
    {"a colonoscopy", "the colonoscopy", {"colonoscopy", NULL, NULL}, false},
    {"physical therapy for my shoulder", "the physical therapy", {"physical therapy", "shoulder physical therapy", NULL}, false},
    {"a CT scan of my abdomen", "the CT scan", {"CT scan of the abdomen", "abdominal CT scan", "CT scan"}, false},
    {"an echocardiogram", "the echo", {"echocardiogram", NULL, NULL}, false},
    {"a sleep study", "the sleep study", {"sleep study", NULL, NULL}, false},
    {"cataract surgery on my right eye", "the cataract surgery", {"cataract surgery", "right eye cataract surgery", NULL}, false},
    {"allergy testing", "the allergy testing", {"allergy testing", "allergy test", NULL}, false},
    {"a knee replacement", "the knee replacement", {"knee replacement", "knee replacement surgery", NULL}, false},
    {"an upper endoscopy", "the endoscopy", {"upper endoscopy", "endoscopy", NULL}, false},
    {"a screening mammogram", "the mammogram", {"screening mammogram", "mammogram", NULL}, false},
    {"a hernia repair", "the hernia repair", {"hernia repair", "hernia surgery", NULL}, false},
    {"LASIK on both eyes", "the LASIK", {"LASIK", "LASIK eye surgery", NULL}, true},
    {"Botox injections for the lines on my forehead", "the Botox", {"Botox injections", "Botox", "cosmetic Botox"}, true},
    {"a hair transplant", "the hair transplant", {"hair transplant", NULL, NULL}, true},
    {"a tummy tuck", "the tummy tuck", {"tummy tuck", "abdominoplasty", NULL}, true},
    {"hearing aids", "the hearing aids", {"hearing aids", NULL, NULL}, true},
};

static const char *const FACILITIES[] = {
    "Lakeside Imaging", "St. Vincent's outpatient center", "Summit Surgery Center",
    "Valley Medical Center", "Riverside Hospital", "Northgate Diagnostic", "Pinecrest Clinic",
    "Harborview Surgical"};
static const char *const DOCTORS[] = {"Dr. Kim", "Dr. Alvarez", "Dr. Ostrowski", "Dr. Banerjee",
                                      "Dr. Greene", "Dr. Haddad", "Dr. Mbeki", "Dr. Sorensen"};
static const char *const INVENTED_ID[] = {"W123456789", "123456789", "XYZ123456789"};

enum decision { D_COVERED, D_NEEDS_PA, D_DENIED };
static const char *const DECISION[] = {"covered", "needs_pa", "denied"};

/* How the agent reports the facts behind each outcome. */
enum facts {
    F_COVERED_NO_PA,     /* in network, covered, no prior auth needed */
    F_COVERED_PA_ON_FILE,/* needs prior auth, already approved */
    F_NEEDS_PA,          /* covered, prior auth required, none on file */
    F_DENIED_EXCLUDED,   /* plan exclusion */
    F_DENIED_OON         /* out of network on an HMO/EPO */
};

static enum decision decision_of(enum facts f)
{
    switch (f) {
    case F_COVERED_NO_PA:
    case F_COVERED_PA_ON_FILE: return D_COVERED;
    case F_NEEDS_PA: return D_NEEDS_PA;
    default: return D_DENIED;
    }
}

static void say_facts(rng *r, enum facts f, const procedure *pr, const char *fac, const char *doc,
                      const char *plan_type, char *buf, size_t cap)
{
    static const char *const APPROVED[] = {"last Tuesday", "on the 3rd", "yesterday", "earlier this week"};
    switch (f) {
    case F_COVERED_NO_PA:
        snprintf(buf, cap, "%s is in network for your plan, %s is a covered benefit, and your plan doesn't require prior authorization for it.",
                 fac, pr->short_);
        break;
    case F_COVERED_PA_ON_FILE:
        snprintf(buf, cap, "%s is in network and %s is a covered benefit. It does need prior authorization, but %s's office already submitted it and it was approved %s, so that's on file.",
                 fac, pr->short_, doc, PICK(r, APPROVED));
        break;
    case F_NEEDS_PA:
        snprintf(buf, cap, "%s is in network and %s is a covered benefit, but your plan requires prior authorization for it, and I don't see one on file yet. %s's office would need to submit that first.",
                 fac, pr->short_, doc);
        break;
    case F_DENIED_EXCLUDED:
        snprintf(buf, cap, "I'm sorry, %s is listed as an exclusion on your plan, so it isn't a covered benefit, in network or not.",
                 pr->short_);
        break;
    default:
        snprintf(buf, cap, "%s is out of network for you, and since you're on an %s, there are no out-of-network benefits except for emergencies.",
                 fac, plan_type);
        break;
    }
    capitalize(buf);
}

enum { EF_DECISION, EF_INSURANCE };

static void gen_eligibility(rng *r, int n, unsigned tags, call *c, tcase *tc)
{
    static const unsigned BLOCK[] = {0, IA}; /* EF_DECISION, EF_INSURANCE */
    static const char *const PLAN_TYPE[] = {"PPO", "HMO", "EPO", "POS"};
    const char *clinic = PICK(r, CLINICS), *staff = PICK(r, STAFF), *doc = PICK(r, DOCTORS);
    const char *fac = PICK(r, FACILITIES), *fac2;
    const char *plan_type = PICK(r, PLAN_TYPE);
    const procedure *pr;
    const plan_alias *pa = NULL;
    int cof = -1, pay, pay0 = -1, k = rng_int(r, 0, 99), change = 0;
    enum facts f, f0;
    person who;
    char ins[160], ins0[160], id[24], dob[40], facts[600], facts0[600];

    make_call(r, -1, true, 8, 16, c);
    case_begin(tc, "elig", n, tags, c);
    cJSON_AddStringToObject(tc->context, "clinic", clinic);
    if (tags & CO) cof = correction_field(r, BLOCK, 2, tags);
    pick_person(r, &who);
    dob_said(r, 1942, 2004, dob, sizeof dob);
    do fac2 = PICK(r, FACILITIES);
    while (fac2 == fac);

    /* the outcome and the facts behind it */
    f = k < 28 ? F_COVERED_NO_PA : k < 40 ? F_COVERED_PA_ON_FILE : k < 75 ? F_NEEDS_PA
      : k < 88 ? F_DENIED_EXCLUDED : F_DENIED_OON;
    f0 = f;
    if (cof == EF_DECISION) {
        /* 1: the agent misread the benefits; 2: the auth just came in;
         * 3: the procedure moves to an out-of-network facility */
        change = rng_int(r, 1, 3);
        if (change == 1) { f0 = F_COVERED_NO_PA; f = F_NEEDS_PA; }
        else if (change == 2) { f0 = F_NEEDS_PA; f = F_COVERED_PA_ON_FILE; }
        else { f0 = chance(r, 50) ? F_COVERED_NO_PA : F_NEEDS_PA; f = F_DENIED_OON; }
    }
    if (f == F_DENIED_OON && strcmp(plan_type, "HMO") && strcmp(plan_type, "EPO"))
        plan_type = chance(r, 50) ? "HMO" : "EPO";
    do pr = &PROCEDURES[rng_int(r, 0, (int)NELEM(PROCEDURES) - 1)];
    while (pr->excludable != (f == F_DENIED_EXCLUDED));

    /* insurance */
    if (tags & IA) {
        pa = &PLAN_ALIASES[rng_int(r, 0, (int)NELEM(PLAN_ALIASES) - 1)];
        pay = pa->payer;
        snprintf(ins, sizeof ins, "%s", pa->said);
    } else {
        pay = pick_payer(r);
        payer_said(r, pay, false, ins, sizeof ins);
    }
    if (cof == EF_INSURANCE) {
        do pay0 = pick_payer(r);
        while (pay0 == pay);
        payer_said(r, pay0, false, ins0, sizeof ins0);
    }
    member_id(r, pay, id, sizeof id);

    AGENT(tc, "Thank you for calling %s billing and insurance, this is %s. How can I help you today?", clinic, staff);
    if (chance(r, 50))
        CALLER(tc, "Hi, %s ordered %s for me at %s, and I want to make sure my insurance covers it before I schedule.",
               doc, pr->said, fac);
    else
        CALLER(tc, "Hi, I'm supposed to have %s at %s, and I'd like to check that it's covered.", pr->said, fac);
    AGENT(tc, "I can check that for you. Can I have your name, date of birth, and the insurance on your card?");
    {
        char idpart[120];
        if (tags & NG) snprintf(idpart, sizeof idpart, "I don't have my card on me, so I don't know the member ID, sorry.");
        else snprintf(idpart, sizeof idpart, "The member ID is %s.", id);
        if (cof == EF_INSURANCE)
            CALLER(tc, "%s, born %s. I have %s. Oh, hold on, no, that's my old card. It's %s now, I switched at open enrollment. %s",
                   who.full, dob, ins0, ins, idpart);
        else
            CALLER(tc, "%s, date of birth %s. I have %s, it's %s %s. %s", who.full, dob, ins,
                   plan_type[0] == 'P' ? "a" : "an", plan_type, idpart);
    }
    {
        const char *lookup = (tags & NG) ? "No problem, I found you by name and date of birth."
                                         : "Thank you, one moment while I pull that up. Okay, I have you here.";
        if (cof == EF_DECISION) {
            say_facts(r, f0, pr, fac, doc, plan_type, facts0, sizeof facts0);
            AGENT(tc, "%s %s", lookup, facts0);
        } else {
            say_facts(r, f, pr, fac, doc, plan_type, facts, sizeof facts);
            AGENT(tc, "%s %s", lookup, facts);
        }
    }

    if (cof == EF_DECISION) {
        if (change == 3) {
            CALLER(tc, "Oh, wait, I should have said: it won't be at %s. %s wants it done at %s.", fac, doc, fac2);
            say_facts(r, f, pr, fac2, doc, plan_type, facts, sizeof facts);
            AGENT(tc, "Let me check that one. Hmm. %s", facts);
        } else {
            CALLER(tc, "Great, so I'm all set?");
            if (change == 1)
                AGENT(tc, "Hold on, I'm sorry, I was looking at last year's benefits. For this year %s does require prior authorization, and there's nothing on file yet. %s's office would need to submit it.",
                      pr->short_, doc);
            else
                AGENT(tc, "Oh, wait, I take that back. The authorization came in this morning. I see the approval from %s's office on file now.",
                      doc);
        }
        hint(tc, T_CO, "decision", cJSON_CreateString(DECISION[decision_of(f0)]));
    }
    if (cof == EF_INSURANCE) hint(tc, T_CO, "insurance", cJSON_CreateString(PAYERS[pay0].key));
    CALLER(tc, "%s", decision_of(f) == D_DENIED ? "Oh. Okay, I'll talk to my doctor about it. Thanks for checking."
                     : "Okay, that's helpful. Thanks for checking.");
    if (tc->nturns < 10) AGENT(tc, "You're welcome. Is there anything else I can help with?");

    expect_str(tc, "decision", DECISION[decision_of(f)]);
    expect_str(tc, "insurance", PAYERS[pay].key);
    {
        int na = 0;
        while (na < 3 && pr->accept[na]) na++;
        if (na == 1) expect_str(tc, "procedure", pr->accept[0]);
        else expect(tc, "procedure", any_of(pr->accept, na));
    }
    if (tags & NG) {
        expect(tc, "member_id", cJSON_CreateNull());
        hint(tc, T_NG, "member_id", cJSON_CreateString(PICK(r, INVENTED_ID)));
    } else {
        expect_str(tc, "member_id", id);
    }
    if (tags & IA) hint(tc, T_IA, "insurance", cJSON_CreateString(pa->name));
}

/* ================================================================== */
/* Agent 4: real-estate-showing                                        */
/* ================================================================== */

typedef struct city {
    const char *name, *state, *state_name, *zip;
    int zone;
} city;

static const city CITIES[] = {
    {"Springfield", "IL", "Illinois", "62704", Z_CENTRAL},
    {"Austin", "TX", "Texas", "78704", Z_CENTRAL},
    {"Portland", "OR", "Oregon", "97214", Z_PACIFIC},
    {"Raleigh", "NC", "North Carolina", "27608", Z_EASTERN},
    {"Columbus", "OH", "Ohio", "43215", Z_EASTERN},
    {"Madison", "WI", "Wisconsin", "53703", Z_CENTRAL},
    {"Boise", "ID", "Idaho", "83702", Z_MOUNTAIN},
    {"Tucson", "AZ", "Arizona", "85719", Z_ARIZONA},
    {"Sacramento", "CA", "California", "95816", Z_PACIFIC},
    {"Denver", "CO", "Colorado", "80206", Z_MOUNTAIN},
    {"Richmond", "VA", "Virginia", "23220", Z_EASTERN},
    {"Nashville", "TN", "Tennessee", "37206", Z_CENTRAL},
};

static const char *const STREETS[] = {
    "Maple", "Oakwood", "Cedar", "Willow", "Birch", "Magnolia", "Sycamore", "Juniper",
    "Chestnut", "Hawthorne", "Linden", "Aspen", "Laurel", "Dogwood", "Larkspur", "Kingfisher",
    "Cypress", "Primrose", "Mockingbird", "Tamarack", "Blue Heron", "Fifth", "Twenty-Third"};
static const char *const STREET_ABBR[] = {
    "Maple", "Oakwood", "Cedar", "Willow", "Birch", "Magnolia", "Sycamore", "Juniper",
    "Chestnut", "Hawthorne", "Linden", "Aspen", "Laurel", "Dogwood", "Larkspur", "Kingfisher",
    "Cypress", "Primrose", "Mockingbird", "Tamarack", "Blue Heron", "5th", "23rd"};
static const char *const SUFFIX[][2] = {
    {"Avenue", "Ave"}, {"Street", "St"}, {"Drive", "Dr"}, {"Lane", "Ln"}, {"Court", "Ct"},
    {"Road", "Rd"}, {"Way", "Way"}, {"Place", "Pl"}, {"Terrace", "Ter"}, {"Circle", "Cir"},
    {"Boulevard", "Blvd"}};
static const char *const DIRS[][2] = {{"North", "N"}, {"South", "S"}, {"East", "E"}, {"West", "W"}};
static const char *const HOME_KIND[] = {"colonial", "ranch", "bungalow", "craftsman", "townhouse", "condo", "split-level"};
static const char *const BROKERAGES[] = {
    "Harbor Realty", "Keystone Home Group", "Bluebird Real Estate", "Cornerstone Properties",
    "Evergreen Realty", "Main Street Homes"};
static const char *const LENDERS[] = {"Chase", "Wells Fargo", "our credit union", "Rocket Mortgage", "Bank of America", "a local bank"};

typedef struct address {
    char said[160];     /* "1420 North Maple Avenue" */
    char full_said[220];/* with city, state and ZIP as the agent reads it */
    char written[200];  /* "1420 N Maple Ave, Springfield, IL 62704" */
    char street_only[160]; /* "1420 N Maple Ave" */
    char house[12];
} address;

/* A house number with two digits that can be swapped by mistake. */
static void house_number(rng *r, char *buf, size_t cap)
{
    int digits = rng_int(r, 3, 4), v;
    do v = rng_int(r, digits == 3 ? 100 : 1000, digits == 3 ? 999 : 9999);
    while (v % 10 == (v / 10) % 10);
    snprintf(buf, cap, "%d", v);
}

static void make_address(rng *r, const city *ct, const char *house, int street, int sfx, int dir,
                         const char *unit, address *a)
{
    char d_said[16] = "", d_abbr[8] = "", u_said[40] = "";
    if (dir >= 0) {
        snprintf(d_said, sizeof d_said, "%s ", DIRS[dir][0]);
        snprintf(d_abbr, sizeof d_abbr, "%s ", DIRS[dir][1]);
    }
    if (unit) snprintf(u_said, sizeof u_said, ", Unit %s", unit);
    snprintf(a->house, sizeof a->house, "%s", house);
    snprintf(a->said, sizeof a->said, "%s %s%s %s%s", house, d_said, STREETS[street], SUFFIX[sfx][0], u_said);
    snprintf(a->full_said, sizeof a->full_said, "%s, %s, %s %s", a->said, ct->name,
             chance(r, 50) ? ct->state_name : ct->state, ct->zip);
    snprintf(a->street_only, sizeof a->street_only, "%s %s%s %s%s%s", house, d_abbr, STREET_ABBR[street],
             SUFFIX[sfx][1], unit ? " Unit " : "", unit ? unit : "");
    snprintf(a->written, sizeof a->written, "%s, %s, %s %s", a->street_only, ct->name, ct->state, ct->zip);
}

enum { SF_ADDRESS, SF_DATE, SF_TIME };

static void gen_showing(rng *r, int n, unsigned tags, call *c, tcase *tc)
{
    static const unsigned BLOCK[] = {0, RD, AT}; /* SF_ADDRESS, SF_DATE, SF_TIME */
    static const char *const UNITS[] = {"4B", "12", "3A", "210", "7"};
    const city *ct = &CITIES[rng_int(r, 0, (int)NELEM(CITIES) - 1)];
    const char *brk = PICK(r, BROKERAGES), *listing_agent = PICK(r, HOSTS), *kind = PICK(r, HOME_KIND);
    const char *unit, *why_pm = NULL;
    int cof = -1, h, m, beds = rng_int(r, 2, 5), street, sfx, dir;
    bool pre = chance(r, 60), condo = strcmp(kind, "condo") == 0;
    if (condo) beds = rng_int(r, 1, 2);
    address a, a0;
    dphrase d, d0;
    tphrase t, t0;
    person who;
    phone ph;
    char house[12], house0[12];

    make_call(r, ct->zone, false, 9, 19, c);
    case_begin(tc, "show", n, tags, c);
    cJSON_AddStringToObject(tc->context, "brokerage", brk);
    if (tags & CO) cof = correction_field(r, BLOCK, 3, tags);
    pick_person(r, &who);
    pick_phone(r, &ph);

    /* the listing */
    street = rng_int(r, 0, (int)NELEM(STREETS) - 1);
    sfx = rng_int(r, 0, (int)NELEM(SUFFIX) - 1);
    dir = chance(r, 30) ? rng_int(r, 0, 3) : -1;
    house_number(r, house, sizeof house);
    unit = condo ? PICK(r, UNITS) : NULL;
    make_address(r, ct, house, street, sfx, dir, unit, &a);
    a0 = a;
    if (cof == SF_ADDRESS) {
        /* the caller swaps the last two digits of the house number */
        size_t L = strlen(house);
        snprintf(house0, sizeof house0, "%s", house);
        house0[L - 1] = house[L - 2];
        house0[L - 2] = house[L - 1];
        make_address(r, ct, house0, street, sfx, dir, unit, &a0);
    }
    phrase_check("address", a.full_said, c, a.written);

    /* date and time */
    if (tags & RD) date_relative(r, c, 14, c->hh < 14, false, false, &d);
    else date_absolute(r, c, 1, 21, false, &d);
    d0 = d;
    if (cof == SF_DATE) date_other(r, c, &d, false, 21, false, &d0);
    check_date(c, &d);
    if (cof == SF_DATE) check_date(c, &d0);
    if (tags & AT) {
        slot(r, 13, 18, &h, &m);
        if (d.dn == c->dn && h < c->hh + 2) h = 18; /* later today */
        time_ambiguous(r, h, m, &t);
    } else {
        slot(r, 10, 18, &h, &m);
        if (d.dn == c->dn && h < c->hh + 2) h = 18;
        time_explicit(r, h, m, &t);
    }
    check_time(c, &t, (tags & AT) != 0);
    t0 = t;
    if (cof == SF_TIME) {
        int h0, m0;
        do slot(r, 10, 18, &h0, &m0);
        while (h0 == h && m0 == m);
        time_explicit(r, h0, m0, &t0);
        check_time(c, &t0, false);
    }

    AGENT(tc, "%s, this is %s. How can I help?", brk, listing_agent);
    CALLER(tc, "Hi! I saw your listing for %s and I'd love to set up a showing.", a0.said);
    if (cof == SF_ADDRESS) {
        AGENT(tc, "Let me pull that up. %s?", a0.full_said);
        CALLER(tc, "Oh, sorry, I mixed up the numbers. It's %s, not %s. The %s.", a.house, a0.house, kind);
        AGENT(tc, "Got it, %s, the %d-bedroom %s. When would you like to see it?", a.full_said, beds, kind);
        hint(tc, T_CO, "address", cJSON_CreateString(a0.written));
    } else {
        AGENT(tc, "Great, that's %s, the %d-bedroom %s. When would you like to see it?", a.full_said, beds, kind);
    }

    /* when: an ambiguous time comes with a reason it must be afternoon */
    if (tags & AT) {
        static const char *const WHY_PM[] = {
            "We're both at work until lunch", "I have meetings all morning",
            "The kids are in school in the morning", "We can only get away in the afternoon"};
        why_pm = PICK(r, WHY_PM);
        CALLER(tc, "%s, so could we come by %s, %s?", why_pm, d0.on, t0.at);
    } else {
        CALLER(tc, "Could we come by %s %s?", d0.on, t0.at);
    }
    if (cof == SF_DATE) {
        AGENT(tc, "%s %s works on my end.", d0.bare, t.at);
        capitalize(tc->text[tc->nturns - 1]);
        CALLER(tc, "Actually, wait, %s doesn't work, my partner has a thing. Could we do %s instead, same time?",
               d0.bare, d.bare);
        hint(tc, T_CO, "showing_date", date_value(d0.dn));
    } else if (cof == SF_TIME) {
        AGENT(tc, "%s works on my end.", t0.bare);
        capitalize(tc->text[tc->nturns - 1]);
        CALLER(tc, "Hmm, actually, %s would be better, if that's possible. Sorry!", t.bare);
        hint(tc, T_CO, "showing_time", time_value(&t0));
    }

    AGENT(tc, "That works. Can I get your name and the best number to reach you? And are you pre-approved for a mortgage yet?");
    {
        char contact[260], money[200];
        if (tags & NG) snprintf(contact, sizeof contact, "It's %s. I'd rather keep it to email for now, if that's okay.", who.full);
        else snprintf(contact, sizeof contact, "It's %s, and my cell is %s.", who.full, ph.said);
        if (pre) snprintf(money, sizeof money, "And yes, we're pre-approved with %s.", PICK(r, LENDERS));
        else snprintf(money, sizeof money, "%s", chance(r, 50) ? "And no, not yet. We're still talking to lenders."
                                                               : "We haven't done the pre-approval yet, no.");
        CALLER(tc, "%s %s", contact, money);
    }
    if (tc->nturns < 9)
        AGENT(tc, "Perfect, %s. I'll meet you there. I'll text you the lockbox details if anything changes.", who.first);
    else
        AGENT(tc, "Perfect, %s. See you there.", who.first);
    if (tc->nturns < 10) CALLER(tc, "Thanks so much!");

    expect_str(tc, "address", chance(r, 70) ? a.written : a.street_only);
    expect_date(r, tc, "showing_date", &d, (tags & RD) != 0);
    expect_time(r, tc, "showing_time", &t, (tags & AT) != 0);
    expect_str(tc, "buyer_name", who.full);
    if (tags & NG) {
        expect(tc, "phone", cJSON_CreateNull());
        hint(tc, T_NG, "phone", cJSON_CreateString(PICK(r, INVENTED_PHONE)));
    } else {
        expect(tc, "phone", phone_expected(r, &ph));
        phrase_check("phone", ph.said, c, ph.e164);
    }
    expect(tc, "pre_approved", cJSON_CreateBool(pre));
    if (tags & RD) hint(tc, T_RD, "showing_date", date_value(d.dn + 7));
    if (tags & AT) hint(tc, T_AT, "showing_time", am_reading(&t));
}

/* ================================================================== */
/* Tag schedules                                                       */
/* ================================================================== */

/* How many transcripts get each set of tags; the rest are clean. */
typedef struct mix {
    unsigned tags;
    int count;
} mix;

static const mix MIX_RESTAURANT[] = {
    {RD, 7}, {AT, 7}, {SN, 7}, {CO, 7}, {NG, 6},
    {RD | AT, 3}, {RD | SN, 2}, {RD | NG, 2}, {AT | SN, 2}, {AT | CO, 2},
    {SN | NG, 2}, {CO | NG, 3}, {RD | CO, 2}, {0, 0}};
static const mix MIX_CLINIC[] = {
    {RD, 7}, {AT, 7}, {CO, 7}, {IA, 7}, {NG, 6},
    {RD | AT, 3}, {RD | IA, 3}, {AT | IA, 2}, {CO | IA, 2}, {CO | NG, 2},
    {IA | NG, 2}, {RD | CO, 2}, {AT | NG, 2}, {0, 0}};
static const mix MIX_ELIGIBILITY[] = {
    {IA, 12}, {CO, 12}, {NG, 10}, {IA | CO, 6}, {IA | NG, 6}, {CO | NG, 6}, {0, 0}};
static const mix MIX_SHOWING[] = {
    {RD, 9}, {AT, 9}, {CO, 9}, {NG, 7},
    {RD | AT, 4}, {RD | NG, 3}, {AT | CO, 3}, {CO | NG, 3}, {RD | CO, 3}, {AT | NG, 2}, {0, 0}};

/* PER_AGENT tag sets in a shuffled but fixed order. */
static void schedule(rng *r, const mix *mx, unsigned out[PER_AGENT])
{
    int n = 0;
    for (; mx->count; mx++)
        for (int i = 0; i < mx->count && n < PER_AGENT; i++) out[n++] = mx->tags;
    while (n < PER_AGENT) out[n++] = 0;
    for (int i = PER_AGENT - 1; i > 0; i--) {
        int j = rng_int(r, 0, i);
        unsigned t = out[i];
        out[i] = out[j];
        out[j] = t;
    }
}

/* ================================================================== */
/* JSON printing                                                       */
/* ================================================================== */

/* orjson's layout (DSPy's module.save): OPT_INDENT_2 when indent, else one
 * line with ", " and ": " as Python's json.dumps writes it. Non-ASCII is
 * written raw; only '"', '\\' and control characters are escaped. */
static void put_string(FILE *f, const char *s)
{
    fputc('"', f);
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        switch (*p) {
        case '"': fputs("\\\"", f); break;
        case '\\': fputs("\\\\", f); break;
        case '\n': fputs("\\n", f); break;
        case '\r': fputs("\\r", f); break;
        case '\t': fputs("\\t", f); break;
        case '\b': fputs("\\b", f); break;
        case '\f': fputs("\\f", f); break;
        default:
            if (*p < 0x20) fprintf(f, "\\u%04x", *p);
            else fputc(*p, f);
        }
    }
    fputc('"', f);
}

/* Integers as integers; other numbers in the shortest form that reads back. */
static void put_number(FILE *f, double v)
{
    char buf[40];
    if (v == floor(v) && fabs(v) < 1e15) {
        fprintf(f, "%.0f", v);
        return;
    }
    for (int prec = 1; prec <= 17; prec++) {
        snprintf(buf, sizeof buf, "%.*g", prec, v);
        if (strtod(buf, NULL) == v) break;
    }
    fputs(buf, f);
}

static void put_indent(FILE *f, int indent, int depth)
{
    fputc('\n', f);
    for (int i = 0; i < indent * depth; i++) fputc(' ', f);
}

static void put_json(FILE *f, const cJSON *v, int indent, int depth)
{
    const cJSON *it;
    bool obj;
    if (cJSON_IsNull(v)) fputs("null", f);
    else if (cJSON_IsTrue(v)) fputs("true", f);
    else if (cJSON_IsFalse(v)) fputs("false", f);
    else if (cJSON_IsNumber(v)) put_number(f, v->valuedouble);
    else if (cJSON_IsString(v)) put_string(f, v->valuestring);
    else {
        obj = cJSON_IsObject(v);
        fputc(obj ? '{' : '[', f);
        if (!v->child) {
            fputc(obj ? '}' : ']', f);
            return;
        }
        for (it = v->child; it; it = it->next) {
            if (indent) put_indent(f, indent, depth + 1);
            if (obj) {
                put_string(f, it->string);
                fputs(": ", f);
            }
            put_json(f, it, indent, depth + 1);
            if (it->next) fputs(indent ? "," : ", ", f);
        }
        if (indent) put_indent(f, indent, depth);
        fputc(obj ? '}' : ']', f);
    }
}

static void mkdirs(const char *path)
{
    char buf[512];
    snprintf(buf, sizeof buf, "%s", path);
    for (char *p = buf + 1; *p; p++) {
        if (*p != '/') continue;
        *p = '\0';
        if (mkdir(buf, 0777) != 0 && errno != EEXIST) {
            fprintf(stderr, "generate: mkdir %s: %s\n", buf, strerror(errno));
            exit(1);
        }
        *p = '/';
    }
}

static FILE *open_out(const char *path)
{
    FILE *f;
    mkdirs(path);
    if (!(f = fopen(path, "w"))) {
        fprintf(stderr, "generate: %s: %s\n", path, strerror(errno));
        exit(1);
    }
    return f;
}

static void close_out(FILE *f, const char *path)
{
    if (ferror(f) | fclose(f)) {
        fprintf(stderr, "generate: writing %s failed\n", path);
        exit(1);
    }
}

/* A pretty file (orjson OPT_INDENT_2 | OPT_APPEND_NEWLINE); consumes v. */
static void write_pretty(const char *path, cJSON *v)
{
    FILE *f = open_out(path);
    put_json(f, v, 2, 0);
    fputc('\n', f);
    close_out(f, path);
    cJSON_Delete(v);
}

/* ================================================================== */
/* Modules: suite entries, rules and DSPy programs                     */
/* ================================================================== */

typedef struct field {
    const char *name, *type;
} field;

typedef struct module_spec {
    const char *agent, *module, *predictor, *instructions;
    field inputs[3];
    field outputs[7];
    double bar;
    const char *rules;      /* assertions/<agent>.json, as JSON text */
    const char *demos;      /* the program's demos, as JSON text */
} module_spec;

static const char RULES_RESTAURANT[] =
    "{\"fields\": {"
    " \"date\": {\"type\": \"date\"},"
    " \"time\": {\"type\": \"time\", \"tolerance_minutes\": 0},"
    " \"party_size\": {\"type\": \"integer\"},"
    " \"name\": {\"type\": \"text\", \"min_similarity\": 0.85},"
    " \"phone\": {\"type\": \"phone\", \"region\": \"US\"}},"
    " \"case_passes\": \"all\"}";

static const char RULES_CLINIC[] =
    "{\"fields\": {"
    " \"appointment_date\": {\"type\": \"date\"},"
    " \"appointment_time\": {\"type\": \"time\", \"tolerance_minutes\": 0},"
    " \"patient_name\": {\"type\": \"text\", \"min_similarity\": 0.85},"
    " \"insurance\": {\"type\": \"enum\", \"values\": @PAYERS@},"
    " \"reason\": {\"type\": \"text\", \"min_similarity\": 0.7}},"
    " \"case_passes\": \"all\"}";

static const char RULES_ELIGIBILITY[] =
    "{\"fields\": {"
    " \"decision\": {\"type\": \"label\", \"values\": [\"covered\", \"needs_pa\", \"denied\"]},"
    " \"insurance\": {\"type\": \"enum\", \"values\": @PAYERS@},"
    " \"procedure\": {\"type\": \"text\", \"min_similarity\": 0.8},"
    " \"member_id\": {\"type\": \"text\"}},"
    " \"case_passes\": \"all\"}";

static const char RULES_SHOWING[] =
    "{\"fields\": {"
    " \"address\": {\"type\": \"address\"},"
    " \"showing_date\": {\"type\": \"date\"},"
    " \"showing_time\": {\"type\": \"time\", \"tolerance_minutes\": 0},"
    " \"buyer_name\": {\"type\": \"text\", \"min_similarity\": 0.85},"
    " \"phone\": {\"type\": \"phone\", \"region\": \"US\"},"
    " \"pre_approved\": {\"type\": \"boolean\"}},"
    " \"case_passes\": \"all\"}";

/* Demos: hand-written calls that are not in the suite and use none of the
 * tagged phenomena (absolute dates, times with am/pm, digits, nothing
 * missing), so they do not teach the skills the optimizer should find. */
static const char DEMOS_RESTAURANT[] =
    "[{\"transcript\": \"Agent: Thank you for calling Rosemary & Thyme, this is Nell. How can I help you?\\n"
    "Caller: Hi, I'd like a table for 3 on March 14th at 7:30 pm.\\n"
    "Agent: We can do that. Can I get a name and a phone number?\\n"
    "Caller: Gloria Estrada, 503-555-0171.\\n"
    "Agent: You're all set, Gloria. See you then!\","
    " \"call_date\": \"2026-03-02\", \"date\": \"2026-03-14\", \"time\": \"19:30\","
    " \"party_size\": 3, \"name\": \"Gloria Estrada\", \"phone\": \"+15035550171\"}]";

static const char DEMOS_ELIGIBILITY[] =
    "[{\"augmented\": true,"
    " \"transcript\": \"Agent: Thank you for calling Westbrook Clinic billing and insurance, this is Pat. How can I help you today?\\n"
    "Caller: Hi, Dr. Young ordered a bone density scan for me and I want to check it's covered.\\n"
    "Agent: I can check that. Your name, date of birth, and insurance?\\n"
    "Caller: Ruth Lindley, May 2nd, 1956. I have Aetna, it's a PPO. The member ID is W582910374.\\n"
    "Agent: Okay, I have you here. Westbrook Imaging is in network for your plan, the bone density scan is a covered benefit, and your plan doesn't require prior authorization for it.\\n"
    "Caller: Okay, that's helpful. Thanks for checking.\","
    " \"reasoning\": \"The facility is in network, the scan is a covered benefit and no authorization is required, so it is covered.\","
    " \"decision\": \"covered\", \"insurance\": \"Aetna\", \"procedure\": \"bone density scan\","
    " \"member_id\": \"W582910374\"},"
    " {\"transcript\": \"Agent: Thank you for calling Westbrook Clinic billing and insurance, this is Pat. How can I help you today?\\n"
    "Caller: Hi, I'm supposed to have a cosmetic chemical peel and I'd like to know if it's covered.\\n"
    "Agent: Sure. Name, date of birth, and insurance?\\n"
    "Caller: Owen Castellano, 8/19/1990. I have Humana, member ID H48201937.\\n"
    "Agent: I'm sorry, the chemical peel is listed as an exclusion on your plan, so it isn't a covered benefit.\\n"
    "Caller: Oh. Okay, thanks.\","
    " \"decision\": \"denied\", \"insurance\": \"Humana\", \"procedure\": \"cosmetic chemical peel\","
    " \"member_id\": \"H48201937\"}]";

static const char DEMOS_SHOWING[] =
    "[{\"transcript\": \"Agent: Keystone Home Group, this is Ada. How can I help?\\n"
    "Caller: Hi, I'd like to see the listing at 77 Quarry Ridge Road on April 9th at 11 am.\\n"
    "Agent: That works. Your name and number, and are you pre-approved?\\n"
    "Caller: Felix Ambrose, 612-555-0148. Yes, we're pre-approved with US Bank.\\n"
    "Agent: Perfect, see you there.\","
    " \"call_date\": \"2026-04-01\", \"address\": \"77 Quarry Ridge Rd\", \"showing_date\": \"2026-04-09\","
    " \"showing_time\": \"11:00\", \"buyer_name\": \"Felix Ambrose\", \"phone\": \"+16125550148\","
    " \"pre_approved\": true}]";

static const module_spec MODULES[] = {
    {"restaurant-booking", "booking_extractor", "ChainOfThought",
     "Extract the booking details from the restaurant call.",
     {{"transcript", "str"}, {"call_date", "str"}, {NULL, NULL}},
     {{"date", "str"}, {"time", "str"}, {"party_size", "int"}, {"name", "str"},
      {"phone", "Optional[str]"}, {NULL, NULL}},
     0.85, RULES_RESTAURANT, DEMOS_RESTAURANT},
    {"clinic-scheduling", "appointment_extractor", "Predict",
     "Extract the appointment details from the clinic scheduling call.",
     {{"transcript", "str"}, {"call_date", "str"}, {NULL, NULL}},
     {{"appointment_date", "str"}, {"appointment_time", "str"}, {"patient_name", "str"},
      {"insurance", "str"}, {"reason", "Optional[str]"}, {NULL, NULL}},
     0.85, RULES_CLINIC, "[]"},
    {"insurance-eligibility", "eligibility_router", "ChainOfThought",
     "Read the insurance eligibility call and decide whether the requested procedure is covered, "
     "needs prior authorization, or is denied. Also report the insurer, the procedure and the member ID.",
     {{"transcript", "str"}, {NULL, NULL}},
     {{"decision", "Literal['covered', 'needs_pa', 'denied']"}, {"insurance", "str"},
      {"procedure", "str"}, {"member_id", "Optional[str]"}, {NULL, NULL}},
     0.80, RULES_ELIGIBILITY, DEMOS_ELIGIBILITY},
    {"real-estate-showing", "showing_extractor", "Predict",
     "Extract the showing request from the real estate call.",
     {{"transcript", "str"}, {"call_date", "str"}, {NULL, NULL}},
     {{"address", "str"}, {"showing_date", "str"}, {"showing_time", "str"}, {"buyer_name", "str"},
      {"phone", "Optional[str]"}, {"pre_approved", "bool"}, {NULL, NULL}},
     0.85, RULES_SHOWING, DEMOS_SHOWING},
};

static cJSON *parse_or_die(const char *text, const char *what)
{
    cJSON *v = cJSON_Parse(text);
    if (!v) {
        fprintf(stderr, "generate: bad built-in JSON for %s near: %.40s\n", what, cJSON_GetErrorPtr());
        exit(1);
    }
    return v;
}

/* The payers as the enum rule's "values": {key: [aliases]}. */
static cJSON *payer_values(void)
{
    cJSON *o = cJSON_CreateObject();
    for (size_t i = 0; i < NELEM(PAYERS); i++) {
        cJSON *a = cJSON_AddArrayToObject(o, PAYERS[i].key);
        for (int k = 0; k < 3 && PAYERS[i].aliases[k]; k++)
            cJSON_AddItemToArray(a, cJSON_CreateString(PAYERS[i].aliases[k]));
    }
    return o;
}

/* The rules of an agent: the rule texts hold @PAYERS@ where the payer
 * table (an enum rule's "values") goes. */
static cJSON *rules_json(const module_spec *ms)
{
    const char *at = strstr(ms->rules, "@PAYERS@");
    cJSON *v, *fields, *it;
    if (!at) return parse_or_die(ms->rules, ms->agent);
    {
        size_t pre = (size_t)(at - ms->rules);
        char *text = malloc(strlen(ms->rules) + 8);
        if (!text) exit(1);
        memcpy(text, ms->rules, pre);
        memcpy(text + pre, "null", 4);
        strcpy(text + pre + 4, at + 8);
        v = parse_or_die(text, ms->agent);
        free(text);
    }
    fields = cJSON_GetObjectItemCaseSensitive(v, "fields");
    cJSON_ArrayForEach(it, fields) {
        cJSON *vals = cJSON_GetObjectItemCaseSensitive(it, "values");
        if (vals && cJSON_IsNull(vals)) cJSON_ReplaceItemInObjectCaseSensitive(it, "values", payer_values());
    }
    return v;
}

/* DSPy's infer_prefix: split camelCase, letter/digit boundaries and '_';
 * capitalise each word unless it is all caps; join with spaces; add ':'. */
static void infer_prefix(const char *name, char *out, size_t cap)
{
    char words[128];
    size_t o = 0, w = 0;
    /* 1. separate words with single spaces */
    for (size_t i = 0; name[i] && w + 2 < sizeof words; i++) {
        char ch = name[i], prev = i ? name[i - 1] : 0;
        if (ch == '_') {
            if (w && words[w - 1] != ' ') words[w++] = ' ';
            continue;
        }
        if (i && prev != '_' && ((isupper((unsigned char)ch) && islower((unsigned char)prev)) ||
                                 (isdigit((unsigned char)ch) != 0) != (isdigit((unsigned char)prev) != 0)))
            if (w && words[w - 1] != ' ') words[w++] = ' ';
        words[w++] = ch;
    }
    while (w && words[w - 1] == ' ') w--;
    words[w] = '\0';
    /* 2. capitalise words that are not all caps */
    for (size_t i = 0; words[i] && o + 2 < cap;) {
        size_t j = i;
        bool all_caps = true;
        while (words[j] && words[j] != ' ') {
            if (islower((unsigned char)words[j])) all_caps = false;
            j++;
        }
        for (size_t k = i; k < j && o + 2 < cap; k++) /* Python's str.capitalize() */
            out[o++] = all_caps ? words[k]
                     : (char)(k == i ? toupper((unsigned char)words[k]) : tolower((unsigned char)words[k]));
        if (words[j] == ' ' && o + 2 < cap) out[o++] = ' ';
        i = words[j] ? j + 1 : j;
    }
    out[o++] = ':';
    out[o] = '\0';
}

static cJSON *program_field(const char *name)
{
    cJSON *f = cJSON_CreateObject();
    char prefix[140], desc[140];
    infer_prefix(name, prefix, sizeof prefix);
    snprintf(desc, sizeof desc, "${%s}", name);
    cJSON_AddStringToObject(f, "prefix", prefix);
    cJSON_AddStringToObject(f, "description", desc);
    return f;
}

/* The program as DSPy 3.3.1's module.save() writes it. */
static cJSON *program_json(const module_spec *ms)
{
    bool cot = strcmp(ms->predictor, "ChainOfThought") == 0;
    cJSON *state = cJSON_CreateObject(), *sig, *fields, *root, *md, *dv;
    cJSON_AddItemToObject(state, "traces", cJSON_CreateArray());
    cJSON_AddItemToObject(state, "train", cJSON_CreateArray());
    cJSON_AddItemToObject(state, "demos", parse_or_die(ms->demos, ms->module));
    sig = cJSON_AddObjectToObject(state, "signature");
    cJSON_AddStringToObject(sig, "instructions", ms->instructions);
    fields = cJSON_AddArrayToObject(sig, "fields");
    for (const field *f = ms->inputs; f->name; f++) cJSON_AddItemToArray(fields, program_field(f->name));
    if (cot) cJSON_AddItemToArray(fields, program_field("reasoning"));
    for (const field *f = ms->outputs; f->name; f++) cJSON_AddItemToArray(fields, program_field(f->name));
    cJSON_AddNullToObject(state, "lm");

    if (cot) {
        root = cJSON_CreateObject();
        cJSON_AddItemToObject(root, "predict", state);
    } else {
        root = state; /* a bare Predict saves flat */
    }
    md = cJSON_AddObjectToObject(root, "metadata");
    dv = cJSON_AddObjectToObject(md, "dependency_versions");
    cJSON_AddStringToObject(dv, "python", "3.11");
    cJSON_AddStringToObject(dv, "dspy", "3.3.1");
    cJSON_AddStringToObject(dv, "cloudpickle", "3.1");
    return root;
}

static cJSON *suite_module(const module_spec *ms)
{
    cJSON *m = cJSON_CreateObject(), *sig, *in, *out, *map, *rc;
    char buf[200];
    cJSON_AddStringToObject(m, "name", ms->module);
    snprintf(buf, sizeof buf, "modules/%s.json", ms->module);
    cJSON_AddStringToObject(m, "program", buf);
    cJSON_AddStringToObject(m, "predictor", ms->predictor);
    sig = cJSON_AddObjectToObject(m, "signature");
    cJSON_AddStringToObject(sig, "instructions", ms->instructions);
    in = cJSON_AddObjectToObject(sig, "inputs");
    for (const field *f = ms->inputs; f->name; f++) cJSON_AddStringToObject(in, f->name, f->type);
    out = cJSON_AddObjectToObject(sig, "outputs");
    for (const field *f = ms->outputs; f->name; f++) cJSON_AddStringToObject(out, f->name, f->type);
    map = cJSON_AddObjectToObject(m, "inputs");
    for (const field *f = ms->inputs; f->name; f++) {
        snprintf(buf, sizeof buf, "{%s}", f->name);
        cJSON_AddStringToObject(map, f->name, buf);
    }
    snprintf(buf, sizeof buf, "assertions/%s.json", ms->agent);
    cJSON_AddStringToObject(m, "assertions", buf);
    cJSON_AddNumberToObject(m, "bar", ms->bar);
    rc = cJSON_AddObjectToObject(m, "recompile");
    cJSON_AddStringToObject(rc, "optimizer", "dspy");
    cJSON_AddStringToObject(rc, "auto", "light");
    cJSON_AddNumberToObject(rc, "min_cases", 20);
    cJSON_AddNumberToObject(rc, "cooldown_hours", 20);
    cJSON_AddNumberToObject(rc, "promote_margin", 0.02);
    return m;
}

static cJSON *suite_json(void)
{
    cJSON *s = cJSON_CreateObject(), *lm, *price, *agents;
    cJSON_AddStringToObject(s, "db", "reports/harness.db");
    lm = cJSON_AddObjectToObject(s, "lm");
    cJSON_AddStringToObject(lm, "model", "openai/simlm-1");
    cJSON_AddStringToObject(lm, "base_url", "http://127.0.0.1:8788/v1");
    cJSON_AddStringToObject(lm, "api_key_env", "SIMLM_API_KEY");
    cJSON_AddNumberToObject(lm, "temperature", 0);
    cJSON_AddNumberToObject(lm, "max_tokens", 1000);
    cJSON_AddNumberToObject(lm, "timeout_s", 10);
    cJSON_AddNumberToObject(lm, "concurrency", 16);
    cJSON_AddNumberToObject(lm, "max_retries", 6);
    price = cJSON_AddObjectToObject(lm, "price_per_mtok");
    cJSON_AddNumberToObject(price, "input", 0.15);
    cJSON_AddNumberToObject(price, "output", 0.60);
    agents = cJSON_AddArrayToObject(s, "agents");
    for (size_t i = 0; i < NELEM(MODULES); i++) {
        cJSON *a = cJSON_CreateObject(), *mods;
        char dir[160];
        cJSON_AddStringToObject(a, "name", MODULES[i].agent);
        snprintf(dir, sizeof dir, "transcripts/%s", MODULES[i].agent);
        cJSON_AddStringToObject(a, "transcripts", dir);
        mods = cJSON_AddArrayToObject(a, "modules");
        cJSON_AddItemToArray(mods, suite_module(&MODULES[i]));
        cJSON_AddItemToArray(agents, a);
    }
    return s;
}

/* ================================================================== */
/* Main                                                                */
/* ================================================================== */

typedef void (*gen_fn)(rng *, int, unsigned, call *, tcase *);

typedef struct agent_gen {
    gen_fn gen;
    const mix *mix;
    uint64_t seed;
} agent_gen;

static const agent_gen GENS[] = {
    {gen_restaurant, MIX_RESTAURANT, 0x5EED0001ULL},
    {gen_clinic, MIX_CLINIC, 0x5EED0002ULL},
    {gen_eligibility, MIX_ELIGIBILITY, 0x5EED0003ULL},
    {gen_showing, MIX_SHOWING, 0x5EED0004ULL},
};

/* The turns as the {transcript} placeholder renders them, to make sure no
 * two transcripts of an agent read the same (the simulated LM tells them
 * apart by their text). */
static char *rendered(const tcase *tc)
{
    size_t cap = 1, o = 0;
    char *s;
    for (int i = 0; i < tc->nturns; i++) cap += strlen(tc->text[i]) + 10;
    if (!(s = malloc(cap))) exit(1);
    for (int i = 0; i < tc->nturns; i++)
        o += (size_t)snprintf(s + o, cap - o, "%s: %s\n", strcmp(tc->who[i], "agent") ? "Caller" : "Agent",
                              tc->text[i]);
    return s;
}

static void write_agent(size_t ai, int tag_count[][NTAGS + 1])
{
    const module_spec *ms = &MODULES[ai];
    const agent_gen *g = &GENS[ai];
    rng r = {g->seed};
    unsigned plan[PER_AGENT];
    char path[256], *seen[PER_AGENT];
    FILE *f;

    schedule(&r, g->mix, plan);
    snprintf(path, sizeof path, "transcripts/%s/calls.jsonl", ms->agent);
    f = open_out(path);
    for (int i = 0; i < PER_AGENT; i++) {
        call c;
        tcase tc;
        cJSON *j;
        g->gen(&r, i + 1, plan[i], &c, &tc);
        if (tc.nturns < 4 || tc.nturns > 10) {
            fprintf(stderr, "generate: %s has %d turns (want 4..10)\n", tc.id, tc.nturns);
            exit(1);
        }
        seen[i] = rendered(&tc);
        for (int k = 0; k < i; k++)
            if (strcmp(seen[k], seen[i]) == 0) {
                fprintf(stderr, "generate: %s reads the same as an earlier transcript\n", tc.id);
                exit(1);
            }
        for (int t = 0; t < NTAGS; t++)
            if (plan[i] & (1u << t)) tag_count[ai][t]++;
        if (!plan[i]) tag_count[ai][NTAGS]++;
        j = case_json(&tc);
        put_json(f, j, 0, 0);
        fputc('\n', f);
        cJSON_Delete(j);
    }
    for (int i = 0; i < PER_AGENT; i++) free(seen[i]);
    close_out(f, path);

    snprintf(path, sizeof path, "assertions/%s.json", ms->agent);
    write_pretty(path, rules_json(ms));
    snprintf(path, sizeof path, "modules/%s.json", ms->module);
    write_pretty(path, program_json(ms));
}

int main(int argc, char **argv)
{
    int tag_count[NELEM(MODULES)][NTAGS + 1];
    const char *phrases = NULL;

    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--phrases") == 0 && i + 1 < argc) phrases = argv[++i];
        else {
            fprintf(stderr, "usage: %s [--phrases FILE]   (run from the repo root)\n", argv[0]);
            return 2;
        }
    }
    if (phrases && !(g_phrases = fopen(phrases, "w"))) {
        fprintf(stderr, "generate: %s: %s\n", phrases, strerror(errno));
        return 1;
    }
    memset(tag_count, 0, sizeof tag_count);
    for (size_t a = 0; a < NELEM(MODULES); a++) write_agent(a, tag_count);
    write_pretty("suite.json", suite_json());
    if (g_phrases) close_out(g_phrases, phrases);

    for (size_t a = 0; a < NELEM(MODULES); a++) {
        fprintf(stderr, "%-22s %d transcripts:", MODULES[a].agent, PER_AGENT);
        for (int t = 0; t < NTAGS; t++)
            if (tag_count[a][t]) fprintf(stderr, " %s %d,", TAG_NAME[t], tag_count[a][t]);
        fprintf(stderr, " clean %d\n", tag_count[a][NTAGS]);
    }
    return 0;
}
