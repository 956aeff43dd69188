/*
 * numwords.c — reading English number words (see numwords.h).
 *
 * The grammar is the classic one: a number is a sum of groups, each group
 * being (small | tens [small] | small "hundred" [and] rest) optionally
 * followed by a scale word; scale words must decrease left to right
 * ("one million two thousand", never "two thousand one million").
 */
#include "numwords.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

static const char *const UNITS[] = {
    "zero", "one", "two", "three", "four", "five", "six", "seven", "eight",
    "nine", "ten", "eleven", "twelve", "thirteen", "fourteen", "fifteen",
    "sixteen", "seventeen", "eighteen", "nineteen"};
static const char *const UNITS_ORD[] = {
    "zeroth", "first", "second", "third", "fourth", "fifth", "sixth",
    "seventh", "eighth", "ninth", "tenth", "eleventh", "twelfth",
    "thirteenth", "fourteenth", "fifteenth", "sixteenth", "seventeenth",
    "eighteenth", "nineteenth"};
static const char *const TENS[] = {
    NULL, NULL, "twenty", "thirty", "forty", "fifty", "sixty", "seventy",
    "eighty", "ninety"};
static const char *const TENS_ORD[] = {
    NULL, NULL, "twentieth", "thirtieth", "fortieth", "fiftieth", "sixtieth",
    "seventieth", "eightieth", "ninetieth"};

int hx_numword_small(const char *w, bool *ordinal)
{
    /* Every word below starts with one of these letters; the normalisers
     * ask about most words of a value, and most are not number words. */
    if (!w[0] || !strchr("zotfsen", w[0])) return -1;
    for (int i = 0; i < 20; i++) {
        if (strcmp(w, UNITS[i]) == 0) { if (ordinal) *ordinal = false; return i; }
        if (strcmp(w, UNITS_ORD[i]) == 0) { if (ordinal) *ordinal = true; return i; }
    }
    for (int i = 2; i < 10; i++) {
        if (strcmp(w, TENS[i]) == 0) { if (ordinal) *ordinal = false; return i * 10; }
        if (strcmp(w, TENS_ORD[i]) == 0) { if (ordinal) *ordinal = true; return i * 10; }
    }
    if (strcmp(w, "fourty") == 0) { if (ordinal) *ordinal = false; return 40; }
    return -1;
}

/* Scale words and their values; ordinal forms end the number. */
static int64_t scale_of(const char *w, bool *ordinal)
{
    static const struct { const char *w, *ord; int64_t v; } S[] = {
        {"hundred", "hundredth", 100},
        {"thousand", "thousandth", 1000},
        {"million", "millionth", 1000000},
        {"billion", "billionth", 1000000000},
    };
    for (size_t i = 0; i < sizeof S / sizeof S[0]; i++) {
        if (strcmp(w, S[i].w) == 0) { *ordinal = false; return S[i].v; }
        if (strcmp(w, S[i].ord) == 0) { *ordinal = true; return S[i].v; }
    }
    return 0;
}

/* A digit token: "42" or "5th"/"1st"/"2nd"/"3rd". Thousands separators
 * ("1,250") are accepted only in well-formed groups of three. */
static bool digit_token(const char *t, int64_t *v, bool *ordinal)
{
    int64_t x = 0;
    const char *p = t;
    int group = -1;
    if (!isdigit((unsigned char)*p)) return false;
    for (; *p; p++) {
        if (isdigit((unsigned char)*p)) {
            if (x > (INT64_MAX - 9) / 10) return false;
            x = x * 10 + (*p - '0');
            if (group >= 0) group++;
        } else if (*p == ',') {
            if (group >= 0 && group != 3) return false;
            if (group < 0 && (p - t) > 3) return false;
            group = 0;
        } else break;
    }
    if (group >= 0 && group != 3) return false;
    *ordinal = false;
    if (*p) {
        /* The suffix must fit the number: 1st 2nd 3rd, but 11th 12th 13th;
         * "2st" is a typo we refuse rather than read. */
        const char *want = "th";
        if (x % 100 < 11 || x % 100 > 13) {
            if (x % 10 == 1) want = "st";
            else if (x % 10 == 2) want = "nd";
            else if (x % 10 == 3) want = "rd";
        }
        if (strcmp(p, want) != 0) return false;
        *ordinal = true;
    }
    *v = x;
    return true;
}

int hx_numwords_read(const hx_tokens *tk, int at, hx_numword *out)
{
    int64_t total = 0;    /* completed groups (thousands and above) */
    int64_t group = 0;    /* current group below 1000 */
    int64_t last_scale = INT64_MAX;
    int i = at;
    int used = 0;         /* tokens of the number proper */
    bool any = false, ord = false;
    enum { NONE, UNIT, TEN, HUNDRED, SCALE, DIGITS } prev = NONE;

    while (i < tk->n && !ord) {
        const char *w = tk->t[i];
        bool o = false;
        int small;
        int64_t sc, dv;

        if ((strcmp(w, "a") == 0 || strcmp(w, "an") == 0) && prev == NONE) {
            /* "a hundred", "a dozen", "a couple (of)" */
            if (i + 1 < tk->n && strcmp(tk->t[i + 1], "dozen") == 0) {
                out->value = 12; out->consumed = i + 2 - at; out->ordinal = false;
                return 0;
            }
            if (i + 1 < tk->n && strcmp(tk->t[i + 1], "couple") == 0) {
                out->value = 2; out->consumed = i + 2 - at; out->ordinal = false;
                if (i + 2 < tk->n && strcmp(tk->t[i + 2], "of") == 0) out->consumed++;
                return 0;
            }
            if (i + 1 < tk->n && scale_of(tk->t[i + 1], &o) > 0) {
                group = 1; prev = UNIT; any = true; i++;
                continue;
            }
            break;
        }
        if (strcmp(w, "dozen") == 0 && prev == NONE) {
            out->value = 12; out->consumed = i + 1 - at; out->ordinal = false;
            return 0;
        }
        if (strcmp(w, "and") == 0) {
            /* only between a hundred/scale and what follows it */
            if ((prev == HUNDRED || prev == SCALE) && i + 1 < tk->n &&
                (hx_numword_small(tk->t[i + 1], NULL) >= 0)) {
                i++;
                continue;
            }
            break;
        }
        if ((small = hx_numword_small(w, &o)) >= 0) {
            if (small >= 20) {               /* tens */
                if (prev == UNIT || prev == TEN || prev == DIGITS) break;
                if (group % 100 != 0) break;
                group += small;
                prev = TEN;
            } else {
                if (prev == UNIT || prev == DIGITS) break;
                if (prev == TEN && (small == 0 || small >= 10)) break;
                if (prev == HUNDRED && group % 100 != 0) break;
                group += small;
                prev = UNIT;
            }
            any = true; ord = o; i++; used = i - at;
            continue;
        }
        if ((sc = scale_of(w, &o)) > 0) {
            if (!any || prev == SCALE) break;
            if (sc == 100) {
                if (group == 0 || group >= 100 || prev == HUNDRED) break;
                group *= 100;
                prev = HUNDRED;
            } else {
                if (sc >= last_scale) break;
                if (group == 0) break;
                if (group > INT64_MAX / sc) return -1;
                total += group * sc;
                group = 0;
                last_scale = sc;
                prev = SCALE;
            }
            ord = o; i++; used = i - at;
            continue;
        }
        if (digit_token(w, &dv, &o)) {
            if (prev != NONE) break;
            group = dv; prev = DIGITS; any = true; ord = o; i++; used = i - at;
            /* a digit run may be followed by a scale word only ("2 million") */
            if (!o && dv < 1000 && i < tk->n && scale_of(tk->t[i], &o) > 0) continue;
            break;
        }
        break;
    }
    if (!any) return -1;
    if (total > INT64_MAX - group) return -1;
    out->value = total + group;
    out->consumed = used;
    out->ordinal = ord;
    return 0;
}
