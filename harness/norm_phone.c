/*
 * norm_phone.c — phone numbers to E.164 (see canon.h).
 *
 * Callers and models write one number many ways: "408-247-8880",
 * "(408) 247-8880", "408.247.8880", "1-408-247-8880", "+1 408 247 8880",
 * or spoken: "four oh eight, two four seven, eight eight eight zero",
 * "double eight", "triple five", "eighty eight eighty". hx_norm_phone
 * reduces all of them to E.164, "+14082478880", so the two sides of a check
 * compare as strings.
 *
 * How a text is read. It is cut into pieces (digit runs, words, '+', '#');
 * separators (spaces, - . ( ) / , : ; and Unicode dashes and no-break
 * spaces) only separate. Digit words become digits ("oh"/"o" only next to
 * other digits, so "oh, it's 408..." keeps its interjection). Other words
 * may stand before or after the number ("my cell is ...") but not inside it
 * ("408 247 8880 or 415 ...").
 *
 * Which numbers are accepted:
 *  - with '+': 8 to 15 digits, country code not starting with 0; "+1" numbers
 *    are checked as NANP. "+44 (0)20 ..." drops the "(0)" trunk marker (a
 *    written convention meaning "omit when dialling from abroad").
 *  - without '+', for a NANP region (ctx->region NULL, "", "US", "CA" or
 *    another +1 country such as "PR"): 10 digits, or 11 starting with 1; the
 *    US international prefix 011 is read as '+'.
 *  - NANP rules: area code and exchange start with 2-9, and the area code is
 *    not an N11 service code (211..911).
 *
 * Refused, never guessed: extensions ("x123", "ext. 123", "#123": dropping
 * one would call someone else), 7-digit local numbers (no area code), a
 * national number for a region outside NANP (its numbering plan is not known
 * here: write it with +country code), letters inside the number ("1-800-
 * FLOWERS" is not decoded), two numbers in one text.
 */
#include "canon.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#define PH_MAX_PIECES 96
#define PH_WORD 24
#define PH_MAX_DIGITS 24
#define PH_IN_MAX 512

enum piece_kind { P_DIGITS, P_WORD, P_PLUS, P_HASH, P_STAR };

typedef struct piece {
    enum piece_kind kind;
    char s[PH_WORD];
} piece;

typedef struct pieces {
    int n;
    piece p[PH_MAX_PIECES];
} pieces;

/* The digits read so far and what the reader has seen. */
typedef struct dial {
    char d[PH_MAX_DIGITS + 1];
    int n;                  /* may exceed PH_MAX_DIGITS: then only counted */
    bool plus;
    const char *gap;        /* a word seen after the first digit, if any */
} dial;

/* ---- cutting the text into pieces ------------------------------------------ */

/* Length of a separator at p (0 if none): ASCII punctuation that only
 * separates groups, or a Unicode dash, minus or no-break space. */
static size_t separator_len(const char *p)
{
    static const char *const WIDE[] = {
        "\xc2\xa0",                                   /* no-break space */
        "\xe2\x80\x90", "\xe2\x80\x91", "\xe2\x80\x92", "\xe2\x80\x93",
        "\xe2\x80\x94", "\xe2\x80\x95",               /* dashes */
        "\xe2\x88\x92",                               /* minus sign */
        "\xe2\x80\xaf", "\xe2\x80\x87", "\xe2\x80\x89", /* narrow spaces */
        NULL};
    if (*p && strchr(" \t\r\n-.()/,:;'\"[]", *p)) return 1;
    for (int i = 0; WIDE[i]; i++)
        if (strncmp(p, WIDE[i], strlen(WIDE[i])) == 0) return strlen(WIDE[i]);
    return 0;
}

static int add_piece(pieces *ps, enum piece_kind k, const char *s, size_t len)
{
    if (ps->n >= PH_MAX_PIECES) return -1;
    piece *p = &ps->p[ps->n++];
    p->kind = k;
    if (len >= sizeof p->s) len = sizeof p->s - 1;    /* a word's prefix is enough */
    for (size_t i = 0; i < len; i++) p->s[i] = (char)tolower((unsigned char)s[i]);
    p->s[len] = '\0';
    return 0;
}

/* Cut `in` into pieces. "(0)" after a '+' number is the trunk marker and is
 * dropped. Returns -1 if there are too many pieces. */
static int cut(const char *in, pieces *ps)
{
    const char *p = in;
    bool plus = false, plus_digits = false;    /* a '+', then digits after it */
    ps->n = 0;
    while (*p) {
        size_t sep = separator_len(p), len = 0;
        enum piece_kind k;
        if (plus_digits && strncmp(p, "(0)", 3) == 0) { p += 3; continue; }
        if (sep) { p += sep; continue; }
        if (isdigit((unsigned char)*p)) {
            /* a long run is cut into several pieces; they append alike */
            while (isdigit((unsigned char)p[len]) && len + 1 < PH_WORD) len++;
            k = P_DIGITS;
            plus_digits = plus;
        } else if (*p == '+' || *p == '#' || *p == '*') {
            len = 1;
            k = *p == '+' ? P_PLUS : *p == '#' ? P_HASH : P_STAR;
            plus |= k == P_PLUS;
        } else {
            /* a word: letters and other bytes up to a digit or separator */
            while (p[len] && !isdigit((unsigned char)p[len]) && !separator_len(p + len) &&
                   !strchr("+#*", p[len]))
                len++;
            k = P_WORD;
        }
        if (add_piece(ps, k, p, len) < 0) return -1;
        p += len;
    }
    return 0;
}

/* ---- spoken digits ----------------------------------------------------------- */

/* 0..9 for a spoken single digit ("oh" and "o" are handled by the caller). */
static int unit_word(const char *w)
{
    static const char *const U[] = {"zero", "one", "two", "three", "four",
                                    "five", "six", "seven", "eight", "nine"};
    for (int i = 0; i < 10; i++)
        if (strcmp(w, U[i]) == 0) return i;
    if (strcmp(w, "nought") == 0 || strcmp(w, "naught") == 0) return 0;
    return -1;
}

/* 10..19 for a teen word, 20..90 for a tens word, else -1. */
static int teen_or_tens(const char *w)
{
    static const char *const T[] = {"ten", "eleven", "twelve", "thirteen",
                                    "fourteen", "fifteen", "sixteen",
                                    "seventeen", "eighteen", "nineteen"};
    static const char *const TENS[] = {"twenty", "thirty", "forty", "fifty",
                                       "sixty", "seventy", "eighty", "ninety"};
    for (int i = 0; i < 10; i++)
        if (strcmp(w, T[i]) == 0) return 10 + i;
    for (int i = 0; i < 8; i++)
        if (strcmp(w, TENS[i]) == 0) return 20 + 10 * i;
    return -1;
}

static bool is_oh(const piece *p)
{
    return p->kind == P_WORD && (strcmp(p->s, "oh") == 0 || strcmp(p->s, "o") == 0);
}

/* Whether piece i stands for digits on its own (a digit run or a number
 * word), which makes a neighbouring "oh" a zero. */
static bool digitish(const pieces *ps, int i)
{
    if (i < 0 || i >= ps->n) return false;
    const piece *p = &ps->p[i];
    if (p->kind == P_DIGITS) return true;
    return p->kind == P_WORD &&
           (unit_word(p->s) >= 0 || teen_or_tens(p->s) >= 0 ||
            !strcmp(p->s, "double") || !strcmp(p->s, "triple"));
}

/* 0 if piece i is "oh"/"o" standing next to other digits ("four oh
 * eight"), -1 otherwise ("oh, it's ..." is an interjection). */
static int oh_as_zero(const pieces *ps, int i)
{
    if (!is_oh(&ps->p[i])) return -1;
    bool next_oh = i + 1 < ps->n && is_oh(&ps->p[i + 1]);
    bool prev_oh = i > 0 && is_oh(&ps->p[i - 1]);
    return digitish(ps, i - 1) || digitish(ps, i + 1) || next_oh || prev_oh ? 0 : -1;
}

static int append(dial *dl, const char *digits, hx_canon *out)
{
    if (dl->gap)
        return hx_canon_refuse(out, "word \"%s\" inside the number", dl->gap);
    for (; *digits; digits++) {
        if (dl->n < PH_MAX_DIGITS) dl->d[dl->n] = *digits;
        dl->n++;
    }
    return 0;
}

/* "double eight" / "triple 5": the next piece must be one digit. */
static int read_repeat(const pieces *ps, int i, int times, dial *dl, hx_canon *out)
{
    const piece *nx = i + 1 < ps->n ? &ps->p[i + 1] : NULL;
    int v = -1;
    if (nx && nx->kind == P_WORD) v = is_oh(nx) ? 0 : unit_word(nx->s);
    if (nx && nx->kind == P_DIGITS && strlen(nx->s) == 1) v = nx->s[0] - '0';
    if (v < 0)
        return hx_canon_refuse(out, "\"%s\" must be followed by one digit", ps->p[i].s);
    char rep[4] = {0};
    for (int k = 0; k < times; k++) rep[k] = (char)('0' + v);
    return append(dl, rep, out) < 0 ? -1 : 2;
}

/* An extension marker at piece i ("x123", "ext. 123", "#123"). */
static int refuse_extension(const pieces *ps, int i, hx_canon *out)
{
    const char *num = i + 1 < ps->n && ps->p[i + 1].kind == P_DIGITS ? ps->p[i + 1].s : "";
    return hx_canon_refuse(out, "has an extension (\"%s%s\"): dropping it would "
                                "call someone else", ps->p[i].s, num);
}

/* Read the word at piece i. Returns pieces used, or -1 with out->why. */
static int read_word(const pieces *ps, int i, dial *dl, hx_canon *out)
{
    const char *w = ps->p[i].s;
    int v;
    char buf[4];

    if (!strcmp(w, "ext") || !strcmp(w, "extn") || !strcmp(w, "extension") ||
        (!strcmp(w, "x") && dl->n > 0))
        return refuse_extension(ps, i, out);
    if ((v = unit_word(w)) >= 0 || (v = oh_as_zero(ps, i)) == 0) {
        snprintf(buf, sizeof buf, "%d", v);
        return append(dl, buf, out) < 0 ? -1 : 1;
    }
    if ((v = teen_or_tens(w)) >= 0) {
        /* "eighty eight" is 88; "eighty" alone is 80 */
        int u = v >= 20 && i + 1 < ps->n && ps->p[i + 1].kind == P_WORD ?
                unit_word(ps->p[i + 1].s) : -1;
        snprintf(buf, sizeof buf, "%d", u > 0 ? v + u : v);
        return append(dl, buf, out) < 0 ? -1 : (u > 0 ? 2 : 1);
    }
    if (!strcmp(w, "double")) return read_repeat(ps, i, 2, dl, out);
    if (!strcmp(w, "triple")) return read_repeat(ps, i, 3, dl, out);
    if (!strcmp(w, "hundred")) {
        /* "eight hundred" is 800 only right after one spoken digit */
        if (i > 0 && ps->p[i - 1].kind == P_WORD && unit_word(ps->p[i - 1].s) > 0 &&
            !(i + 1 < ps->n && !strcmp(ps->p[i + 1].s, "and")))
            return append(dl, "00", out) < 0 ? -1 : 1;
        return hx_canon_refuse(out, "cannot read \"hundred\" here");
    }
    if (!strcmp(w, "thousand") || !strcmp(w, "million"))
        return hx_canon_refuse(out, "cannot read \"%s\" in a phone number", w);
    if (dl->n > 0 && !dl->gap) dl->gap = w;    /* filler after the number */
    return 1;
}

/* Read all pieces into *dl. Returns 0 or -1 with out->why set. */
static int read_dial(const pieces *ps, dial *dl, hx_canon *out)
{
    memset(dl, 0, sizeof *dl);
    for (int i = 0; i < ps->n;) {
        const piece *p = &ps->p[i];
        int used = 1;
        switch (p->kind) {
        case P_DIGITS:
            if (append(dl, p->s, out) < 0) return -1;
            break;
        case P_PLUS:
            if (dl->n > 0 || dl->plus)
                return hx_canon_refuse(out, "'+' inside the number");
            dl->plus = true;
            break;
        case P_HASH:
            if (dl->n > 0) return refuse_extension(ps, i, out);
            break;                                  /* "phone #: ..." */
        case P_STAR:
            return hx_canon_refuse(out, "cannot read '*' in a phone number");
        case P_WORD:
            if ((used = read_word(ps, i, dl, out)) < 0) return -1;
            break;
        }
        i += used;
    }
    if (dl->n > PH_MAX_DIGITS) dl->d[PH_MAX_DIGITS] = '\0';
    else dl->d[dl->n] = '\0';
    return 0;
}

/* ---- numbering plans ------------------------------------------------------------ */

/* Regions whose national numbers are NANP (+1). */
static bool nanp_region(const char *region)
{
    static const char *const R[] = {
        "US", "CA", "PR", "VI", "GU", "AS", "MP", "AG", "AI", "BB", "BM", "BS",
        "DM", "DO", "GD", "JM", "KN", "KY", "LC", "MS", "SX", "TC", "TT", "VC",
        "VG", NULL};
    if (!region || !*region) return true;
    for (int i = 0; R[i]; i++)
        if (strcasecmp(region, R[i]) == 0) return true;
    return false;
}

/* Check the 10 national digits of a NANP number and set +1 form. */
static int nanp(const char *ten, hx_canon *out)
{
    if (ten[0] < '2')
        return hx_canon_refuse(out, "area code %.3s cannot start with %c", ten, ten[0]);
    if (ten[1] == '1' && ten[2] == '1')
        return hx_canon_refuse(out, "%.3s is a service code, not an area code", ten);
    if (ten[3] < '2')
        return hx_canon_refuse(out, "exchange %.3s cannot start with %c", ten + 3, ten[3]);
    return hx_canon_set(out, "+1%s", ten);
}

/* A number written with '+' (or NANP's 011 prefix): d is what follows. */
static int international(const char *d, int n, hx_canon *out)
{
    if (n < 8 || n > 15)
        return hx_canon_refuse(out, "not a phone number: %d digits after '+' "
                                    "(E.164 has 8 to 15)", n);
    if (d[0] == '0')
        return hx_canon_refuse(out, "country code cannot start with 0");
    if (d[0] == '1') {
        if (n != 11)
            return hx_canon_refuse(out, "not a phone number: +1 takes 10 digits, "
                                        "got %d", n - 1);
        return nanp(d + 1, out);
    }
    return hx_canon_set(out, "+%s", d);
}

/* Wrong number of digits; name a word after them, which may be letters
 * standing for digits ("1-800-FLOWERS"). */
static int refuse_count(const dial *dl, hx_canon *out)
{
    if (dl->gap)
        return hx_canon_refuse(out, "not a phone number: %d digits (letters such as "
                                    "\"%s\" are not read as digits)", dl->n, dl->gap);
    return hx_canon_refuse(out, "not a phone number: %d digits", dl->n);
}

int hx_norm_phone(const char *in, const hx_norm_ctx *ctx, hx_canon *out)
{
    pieces ps;
    dial dl;
    const char *region = ctx ? ctx->region : NULL;

    if (!in) return hx_canon_refuse(out, "no text");
    if (strlen(in) > PH_IN_MAX || cut(in, &ps) < 0)
        return hx_canon_refuse(out, "too long for a phone number");
    if (read_dial(&ps, &dl, out) < 0) return -1;
    if (dl.n == 0) return hx_canon_refuse(out, "no phone number in \"%.60s\"", in);
    if (dl.n > PH_MAX_DIGITS) return refuse_count(&dl, out);
    if (dl.plus) return international(dl.d, dl.n, out);
    if (!nanp_region(region))
        return hx_canon_refuse(out, "national number for region %.8s: write it with + "
                                    "and the country code (no numbering plan for %.8s "
                                    "here)", region, region);
    if (dl.n > 3 && strncmp(dl.d, "011", 3) == 0)
        return international(dl.d + 3, dl.n - 3, out);
    if (dl.n == 10) return nanp(dl.d, out);
    if (dl.n == 11 && dl.d[0] == '1') return nanp(dl.d + 1, out);
    if (dl.n == 7 && !dl.gap)
        return hx_canon_refuse(out, "no area code: a 7-digit local number");
    return refuse_count(&dl, out);
}
