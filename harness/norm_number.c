/*
 * norm_number.c — counts, money and plain numbers (see canon.h).
 *
 * Callers say numbers in many ways: "4", "four", "party of six", "a couple",
 * "$1,248.55", "seventy one bucks", "five dollars and twenty cents",
 * "1.5k". Three normalisers share one reader here:
 *
 *   hx_norm_integer  "4"        -?[0-9]+, |n| <= 2^53
 *   hx_norm_money    "1248.55"  whole dollars, or exactly 2 decimals when
 *                               the text itself gave cents ("$8.00", "$12.5")
 *   hx_norm_number   "3.5"      the shortest exact decimal
 *
 * How a text is read. It is tokenized with hx_tokenize (text.h), after a
 * small rewrite that keeps what the tokenizer would drop: a sign ("-5",
 * "-$5" become "minus 5", "minus $5") and a bare decimal point (".5" becomes
 * "0.5"). Each token either starts a number (digits such as "1,250.50" or
 * "1.5k", or number words read by hx_numwords_read, numwords.h, plus
 * "point five" decimals and "1.2 million") or is another word. Other words
 * are allowed around the number ("party of six", "2 nights", "$40 a night")
 * as long as the text holds ONE value: the same value repeated is fine ("4
 * people, so 4"), two different values are refused.
 *
 * Never guess. A wrong canonical value turns a failed extraction into a
 * pass, so anything that makes the value inexact is refused rather than
 * ignored: hedges and comparisons ("about 4", "at least 4", "4 or 5", "not
 * 4"), fractions ("2.5", "two and a half"), ordinals ("5th" is not a count),
 * percentages ("50%": is it 50 or 0.5?), exponent forms in integers and money
 * ("1e+20"), number-like words that are not read ("trillion", "few", "k"
 * alone), any token holding a digit that is not a number ("7:30", "4pm"),
 * malformed separators ("1,00"), and values too large to compare exactly as
 * JSON numbers (beyond 2^53 for integers and for money in cents; 15
 * significant digits and |x| < 1e15 for plain numbers, the precision a double
 * always round-trips).
 *
 * Hedges such as "about", "around", "over", "under" count only right
 * before a number ("under the name Lee" and "how about 4" are fine);
 * "or", "not", "at least", "maybe" count anywhere. Punctuation is gone
 * after tokenizing, so "negative 4" (a sign, or "negative, 4"?) is refused.
 *
 * Design decisions worth knowing:
 *  - integer: "just me"/"only me"/"myself"/"by myself"/"alone" is 1; "me and
 *    my wife", "my husband and I", "me and a friend" (ONE companion noun
 *    from a fixed list, one "and") is 2. Any other "me and ..." ("me and my
 *    two kids", "me and John", "me and 3 friends") is refused: the count it
 *    implies is not written down. "both of us" is 2.
 *  - integer: units are not converted: "2 weeks" is 2, as "2 nights" is.
 *    "3.0" is 3, but "1.000" is refused (a European thousand?).
 *  - money: only US dollars. "$", "USD", "dollars", "bucks", "cents" mark it;
 *    other currencies (symbols, codes, "euros", "C$", "Singapore dollars")
 *    are refused by name. More than 2 decimals is refused ("1.230" may be a
 *    European thousand).
 *    A bare number is taken as dollars. "1.5k", "$1.2 million", "$3m" are
 *    read when the result is whole dollars. "twelve dollars fifty" and "a
 *    dollar five" (dollars then a number below 100 that ends the text) are
 *    cents. "$5, that's $5.00" is one amount and keeps the cents: 5.00.
 *  - number: percentages are refused (50% could be 50 or 0.5); the
 *    exponent form is read here only ("1.5e3" is 1500); NaN and infinity are
 *    refused; "three point five" is 3.5.
 */
#include "canon.h"
#include "numwords.h"
#include "text.h"

#include <ctype.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

enum mode { M_INTEGER, M_MONEY, M_NUMBER };

/* Longest input read; longer texts cannot tokenize anyway (HX_TOK_MAX). */
#define IN_MAX 1024
#define LIMIT_2_53 9007199254740992ULL
#define NUMBER_DIGITS 15            /* DBL_DIG: decimals a double round-trips */
#define MAX_FOUND 16

/* An exact decimal: (neg ? -1 : 1) * mant * 10^exp, trailing zeros of mant
 * moved into exp, so two equal values have equal fields. */
typedef struct dec {
    bool neg;
    uint64_t mant;
    int exp;
    int written_frac;   /* digits written after the point ("12.50" -> 2) */
    bool scaled;        /* a scale word or suffix multiplied it ("1.5k") */
    bool ordinal;       /* "5th", "fifth" */
    bool cents_unit;    /* money: the literal itself was cents ("50c") */
} dec;

/* A number found in the text and, for money, the unit around it. */
enum unit { U_NONE, U_DOLLARS, U_CENTS };
typedef struct found {
    dec d;
    enum unit unit;
    bool dollar_word;   /* followed by "dollars"/"bucks" (not just "$") */
    int start, end;     /* token range [start, end) including the unit */
} found;

typedef struct reader {
    hx_tokens tk;
    enum mode mode;
    found f[MAX_FOUND];
    int nf;
} reader;

/* ---- small word lists --------------------------------------------------- */

static bool in_list(const char *w, const char *const *list)
{
    for (; *list; list++)
        if (strcmp(w, *list) == 0) return true;
    return false;
}

/* Words that make a written number inexact or conditional wherever they
 * stand ("4 or 5", "at least 4", "not 4", "maybe 4"). */
static const char *const HEDGES[] = {
    "maybe", "perhaps", "probably", "possibly", "or", "than", "least",
    "most", "more", "less", "fewer", "between", "max", "maximum", "min",
    "minimum", "not", "ish", "odd", "upwards", NULL};

/* Words that only hedge right before a number: "about 4", "under $50",
 * but "how about Friday" and "under the name Lee" are fine. */
static const char *const BEFORE_NUMBER[] = {
    "about", "around", "approximately", "approx", "roughly", "nearly",
    "almost", "over", "under", "above", "below", "upto", "within", "beyond",
    NULL};

/* Number-like words this reader does not turn into a value: left over next
 * to a number they would change its meaning, so they refuse. */
static const char *const NUMBERISH[] = {
    "hundred", "thousand", "million", "billion", "trillion", "hundreds",
    "thousands", "millions", "billions", "trillions", "dozen", "dozens",
    "half", "halves", "quarter", "quarters", "point", "percent", "%",
    "fraction", "few", "several", "couple", "pair", "twice", "once",
    "thrice", "none", "nil", "nought", "naught", "minus", "+", "k", "nan",
    "inf", "infinity", "oclock", "pm", "times", "squared", NULL};

/* Currencies that are not US dollars, by code or word (the name printed
 * is the word itself where it is used by several countries: "peso"). Other
 * countries' dollars are caught by their adjective ("Singapore dollars"). */
static const struct { const char *w, *code; } FOREIGN[] = {
    {"eur", "EUR"}, {"euro", "EUR"}, {"euros", "EUR"}, {"gbp", "GBP"},
    {"pound", "GBP"}, {"pounds", "GBP"}, {"quid", "GBP"}, {"sterling", "GBP"},
    {"jpy", "JPY"}, {"yen", "JPY"}, {"cad", "CAD"}, {"canadian", "CAD"},
    {"loonie", "CAD"}, {"aud", "AUD"}, {"australian", "AUD"}, {"aussie", "AUD"},
    {"mxn", "MXN"}, {"mexican", "MXN"}, {"peso", "peso"}, {"pesos", "peso"},
    {"inr", "INR"}, {"rupee", "rupee"}, {"rupees", "rupee"}, {"cny", "CNY"},
    {"rmb", "CNY"}, {"yuan", "CNY"}, {"renminbi", "CNY"}, {"chf", "CHF"},
    {"franc", "franc"}, {"francs", "franc"}, {"hkd", "HKD"}, {"hong", "HKD"},
    {"nzd", "NZD"}, {"zealand", "NZD"}, {"sgd", "SGD"}, {"singapore", "SGD"},
    {"twd", "TWD"}, {"taiwan", "TWD"}, {"taiwanese", "TWD"}, {"jamaican", "JMD"},
    {"bahamian", "BSD"}, {"caribbean", "XCD"}, {"fijian", "FJD"},
    {"krw", "KRW"}, {"brl", "BRL"}, {"reais", "BRL"}, {"rub", "RUB"},
    {"ruble", "RUB"}, {"rubles", "RUB"},
    {"zar", "ZAR"}, {"rand", "ZAR"}, {"sek", "SEK"}, {"nok", "NOK"},
    {"dkk", "DKK"}, {"krona", "krona"}, {"kronor", "krona"}, {"krone", "krone"},
    {"kroner", "krone"}, {"bitcoin", "BTC"}, {"btc", "BTC"}, {NULL, NULL}};

/* Currency symbols as UTF-8; the tokenizer would glue them to the digits
 * ("€40" is one word token), so they are looked for in the raw text. */
static const struct { const char *sym, *code; } FOREIGN_SYM[] = {
    {"\xe2\x82\xac", "EUR"}, {"\xc2\xa3", "GBP"}, {"\xc2\xa5", "JPY"},
    {"\xe2\x82\xb9", "INR"}, {"\xe2\x82\xa9", "KRW"}, {"\xe2\x82\xbd", "RUB"},
    {"\xe2\x82\xaa", "ILS"}, {"\xe2\x82\xba", "TRY"}, {"\xe2\x82\xb1", "PHP"},
    {"\xe2\x82\xbf", "BTC"}, {NULL, NULL}};

static const char *foreign_code(const char *w)
{
    for (int i = 0; FOREIGN[i].w; i++)
        if (strcmp(w, FOREIGN[i].w) == 0) return FOREIGN[i].code;
    return NULL;
}

static bool is_dollar_word(const char *w)
{
    return strcmp(w, "dollar") == 0 || strcmp(w, "dollars") == 0 ||
           strcmp(w, "buck") == 0 || strcmp(w, "bucks") == 0 ||
           strcmp(w, "usd") == 0;
}

static bool is_cent_word(const char *w)
{
    return strcmp(w, "cent") == 0 || strcmp(w, "cents") == 0 ||
           strcmp(w, "\xc2\xa2") == 0;            /* ¢ */
}

/* Decimal exponent of a scale word that may follow a decimal literal
 * ("1.2 million"); money also knows the "k"/"m"/"bn" shorthands. */
static int scale_word(const char *w, enum mode m)
{
    if (strcmp(w, "thousand") == 0) return 3;
    if (strcmp(w, "million") == 0) return 6;
    if (strcmp(w, "billion") == 0) return 9;
    if (m == M_MONEY) {
        if (strcmp(w, "k") == 0 || strcmp(w, "grand") == 0) return 3;
        if (strcmp(w, "m") == 0 || strcmp(w, "mm") == 0 || strcmp(w, "mil") == 0)
            return 6;
        if (strcmp(w, "b") == 0 || strcmp(w, "bn") == 0) return 9;
    }
    return 0;
}

/* 0..9 for a word spoken as one digit after "point" ("point oh five"). */
static int digit_word(const char *w)
{
    static const char *const D[] = {"zero", "one", "two", "three", "four",
                                    "five", "six", "seven", "eight", "nine"};
    if (strcmp(w, "oh") == 0 || strcmp(w, "o") == 0) return 0;
    for (int i = 0; i < 10; i++)
        if (strcmp(w, D[i]) == 0) return i;
    return -1;
}

static bool has_digit(const char *s)
{
    for (; *s; s++)
        if (isdigit((unsigned char)*s)) return true;
    return false;
}

/* ---- exact decimals ----------------------------------------------------- */

static void dec_normalize(dec *d)
{
    if (d->mant == 0) { d->exp = 0; d->neg = false; return; }
    while (d->mant % 10 == 0) { d->mant /= 10; d->exp++; }
}

static bool dec_equal(const dec *a, const dec *b)
{
    return a->neg == b->neg && a->mant == b->mant && a->exp == b->exp;
}

/* mant * 10^exp into *v if it is a whole number no larger than limit. */
static bool dec_to_u64(const dec *d, uint64_t limit, uint64_t *v)
{
    uint64_t x = d->mant;
    if (d->exp < 0) return false;
    for (int i = 0; i < d->exp; i++) {
        if (x > limit / 10) return false;
        x *= 10;
    }
    if (x > limit) return false;
    *v = x;
    return true;
}

/* The shortest decimal form: "3.5", "-0.25", "1500". */
static void dec_format(const dec *d, char *buf, size_t cap)
{
    char digits[24], tmp[96];
    int len = snprintf(digits, sizeof digits, "%" PRIu64, d->mant);
    size_t k = 0;
    if (d->neg) tmp[k++] = '-';
    if (d->exp >= 0) {                              /* 15 -> "1500" */
        memcpy(tmp + k, digits, (size_t)len);
        k += (size_t)len;
        for (int z = 0; z < d->exp && k + 1 < sizeof tmp; z++) tmp[k++] = '0';
    } else if (-d->exp < len) {                     /* 35e-1 -> "3.5" */
        int whole = len + d->exp;
        memcpy(tmp + k, digits, (size_t)whole);
        k += (size_t)whole;
        tmp[k++] = '.';
        memcpy(tmp + k, digits + whole, (size_t)(len - whole));
        k += (size_t)(len - whole);
    } else {                                        /* 25e-3 -> "0.025" */
        tmp[k++] = '0';
        tmp[k++] = '.';
        for (int z = 0; z < -d->exp - len && k + (size_t)len + 1 < sizeof tmp; z++)
            tmp[k++] = '0';
        memcpy(tmp + k, digits, (size_t)len);
        k += (size_t)len;
    }
    tmp[k] = '\0';
    snprintf(buf, cap, "%s", tmp);
}

/* ---- reading one number --------------------------------------------------- */

/* Append fraction digits "25" to *d. Returns -1 if they do not fit. */
static int append_fraction(dec *d, const char *digits)
{
    for (; *digits; digits++) {
        if (d->mant > (UINT64_MAX - 9) / 10) return -1;
        d->mant = d->mant * 10 + (uint64_t)(*digits - '0');
        d->exp--;
        d->written_frac++;
    }
    return 0;
}

/* Parse a digit token: "42", "1,250.50", "5th", "1.5k", money "3m", "50c".
 * Returns 1 and fills *d, or -1 with out->why set. */
static int parse_literal(const char *t, enum mode m, dec *d, hx_canon *out)
{
    const char *p = t;
    int group = -1, lead = 0;            /* digits in the current ',' group */
    memset(d, 0, sizeof *d);
    for (; isdigit((unsigned char)*p) || *p == ','; p++) {
        if (*p == ',') {
            if ((group < 0 && lead > 3) || (group >= 0 && group != 3))
                return hx_canon_refuse(out, "malformed number \"%s\"", t);
            group = 0;
            continue;
        }
        if (d->mant > (UINT64_MAX - 9) / 10)
            return hx_canon_refuse(out, "\"%s\" is too large", t);
        d->mant = d->mant * 10 + (uint64_t)(*p - '0');
        if (group >= 0) group++; else lead++;
    }
    if (group >= 0 && group != 3)
        return hx_canon_refuse(out, "malformed number \"%s\"", t);
    if (*p == '.' && isdigit((unsigned char)p[1])) {
        char frac[HX_TOK_LEN];
        size_t n = strspn(p + 1, "0123456789");
        if (n >= sizeof frac) return hx_canon_refuse(out, "\"%s\" has too many digits", t);
        memcpy(frac, p + 1, n);
        frac[n] = '\0';
        if (append_fraction(d, frac) < 0)
            return hx_canon_refuse(out, "\"%s\" has too many digits", t);
        p += 1 + n;
    }
    if (*p == '\0') return 1;
    if (d->written_frac == 0 &&
        (!strcmp(p, "st") || !strcmp(p, "nd") || !strcmp(p, "rd") || !strcmp(p, "th"))) {
        d->ordinal = true;
        return 1;
    }
    if (strcmp(p, "k") == 0 || (m == M_MONEY && scale_word(p, m) > 0)) {
        d->exp += scale_word(p, M_MONEY);    /* "1.5k", money "3m" */
        d->scaled = true;
        return 1;
    }
    if (m == M_MONEY && strcmp(p, "c") == 0) {
        d->cents_unit = true;                 /* "50c" */
        return 1;
    }
    if (p[0] == 'e' && (p[1] == '\0' || isdigit((unsigned char)p[1])))
        return hx_canon_refuse(out, "\"%s\" is an exponent form, not an exact %s", t,
                               m == M_MONEY ? "amount" : "number");
    return hx_canon_refuse(out, "cannot read \"%s\" as a number", t);
}

/* "point five", "point oh five", "point 25" at token i: appends the
 * fraction to *d and returns the tokens used, 0 if there is none, -1 if it
 * has too many digits. */
static int read_point(const hx_tokens *tk, int i, dec *d)
{
    int j = i + 1;
    if (!hx_tok_is(tk, i, "point")) return 0;
    if (j < tk->n && hx_all_digits(tk->t[j]))
        return append_fraction(d, tk->t[j]) < 0 ? -1 : 2;
    for (; j < tk->n && digit_word(tk->t[j]) >= 0; j++) {
        char one[2] = {(char)('0' + digit_word(tk->t[j])), '\0'};
        if (append_fraction(d, one) < 0) return -1;
    }
    return j - i > 1 ? j - i : 0;
}

/* A scale word after a number: "1.2 million", money "5k", "2 grand".
 * Whole numbers before "thousand"/"million" were already read by numwords;
 * if one is still there numwords refused it ("1,500 thousand"), so it is
 * left over and refused. Returns the tokens used (0 or 1). */
static int read_scale(const hx_tokens *tk, int i, enum mode m, dec *d)
{
    int sc;
    if (d->scaled || d->ordinal || i >= tk->n) return 0;
    if ((sc = scale_word(tk->t[i], m)) == 0) return 0;
    if (d->written_frac == 0 && scale_word(tk->t[i], M_INTEGER) > 0) return 0;
    d->exp += sc;
    d->scaled = true;
    return 1;
}

/* Read an unsigned number at token i. Returns tokens used, 0 if none starts
 * here, -1 with out->why set. */
static int read_unsigned(const reader *r, int i, dec *d, hx_canon *out)
{
    const hx_tokens *tk = &r->tk;
    const char *w = tk->t[i];
    hx_numword nw;
    int used = 0, pt;

    memset(d, 0, sizeof *d);
    if (isdigit((unsigned char)w[0])) {
        if (parse_literal(w, r->mode, d, out) < 0) return -1;
        used = 1;
        bool plain = !d->written_frac && !d->ordinal && !d->scaled && !d->cents_unit;
        if (plain && i + 1 < tk->n && scale_word(tk->t[i + 1], M_INTEGER) > 0) {
            /* "2 million", "3 hundred thousand": numwords reads digits + scales */
            if (hx_numwords_read(tk, i, &nw) < 0)
                return hx_canon_refuse(out, "\"%s %s\" is too large", w, tk->t[i + 1]);
            d->mant = (uint64_t)nw.value;
            d->ordinal = nw.ordinal;
            used = nw.consumed;
        }
    } else if (r->mode == M_MONEY && (!strcmp(w, "a") || !strcmp(w, "an")) &&
               i + 1 < tk->n && is_dollar_word(tk->t[i + 1])) {
        d->mant = 1;                          /* "a dollar", "a buck" */
        return 1;
    } else if (strcmp(w, "point") != 0) {     /* "point five" has no whole part */
        if (hx_numwords_read(tk, i, &nw) < 0) return 0;
        d->mant = (uint64_t)nw.value;
        d->ordinal = nw.ordinal;
        used = nw.consumed;
    }
    if (!d->ordinal && !d->scaled && !d->written_frac && !d->cents_unit) {
        if ((pt = read_point(tk, i + used, d)) < 0)
            return hx_canon_refuse(out, "too many digits after \"point\"");
        used += pt;
    }
    if (used == 0) return 0;
    return used + read_scale(tk, i + used, r->mode, d);
}

/* Read a possibly signed number at token i (see read_unsigned). */
static int read_number(const reader *r, int i, dec *d, hx_canon *out)
{
    const hx_tokens *tk = &r->tk;
    bool neg = hx_tok_is(tk, i, "minus");
    int j = i, n;
    if (neg || hx_tok_is(tk, i, "+")) {
        j++;
        if (r->mode == M_MONEY && hx_tok_is(tk, j, "$")) j++;   /* "-$5" */
        if (j >= tk->n) return 0;
        n = read_unsigned(r, j, d, out);
        if (n <= 0) return n;
        d->neg = neg;
        return j - i + n;
    }
    return read_unsigned(r, i, d, out);
}

/* ---- the text around the numbers ------------------------------------------- */

/* Copy `in` to buf, spelling out what the tokenizer drops: a sign glued to
 * a number ("-5", "-$5", "−5") becomes " minus ", a bare ".5" becomes
 * "0.5". Returns -1 if it does not fit. */
static int prepare(const char *in, char *buf, size_t cap)
{
    size_t k = 0;
    for (const char *p = in; *p; p++) {
        const char *add = NULL;
        char one[3] = {*p, 0, 0};
        bool after_word = p > in && isalnum((unsigned char)p[-1]);
        if (*p == '-' && !after_word &&
            (isdigit((unsigned char)p[1]) || p[1] == '$' ||
             (p[1] == '.' && isdigit((unsigned char)p[2]))))
            add = " minus ";
        else if (strncmp(p, "\xe2\x88\x92", 3) == 0) {     /* U+2212 minus */
            add = " minus ";
            p += 2;
        } else if (*p == '.' && isdigit((unsigned char)p[1]) && !after_word) {
            one[0] = '0'; one[1] = '.';
        }
        if (!add) add = one;
        size_t len = strlen(add);
        if (k + len + 1 > cap) return -1;
        memcpy(buf + k, add, len);
        k += len;
    }
    buf[k] = '\0';
    return 0;
}

/* Refuse exponent forms ("1e+20", "2.5E-3") in integers and money; the
 * tokenizer would split them into pieces that read as other numbers. */
static int refuse_exponent(const char *in, enum mode m, hx_canon *out)
{
    for (const char *p = in; *p; p++) {
        if (!isdigit((unsigned char)*p) || (p > in && isalnum((unsigned char)p[-1])))
            continue;
        const char *q = p;
        while (isdigit((unsigned char)*q) || *q == '.' || *q == ',') q++;
        if (*q != 'e' && *q != 'E') continue;
        const char *e = q + 1;
        if (*e == '+' || *e == '-') e++;
        if (!isdigit((unsigned char)*e)) continue;
        while (isdigit((unsigned char)*e)) e++;
        return hx_canon_refuse(out, "\"%.*s\" is not an exact %s", (int)(e - p), p,
                               m == M_MONEY ? "amount of money" : "integer");
    }
    return 0;
}

/* Foreign currency symbols and "C$"-style prefixes in the raw text. */
static int refuse_currency_raw(const char *in, hx_canon *out)
{
    for (int i = 0; FOREIGN_SYM[i].sym; i++)
        if (strstr(in, FOREIGN_SYM[i].sym))
            return hx_canon_refuse(out, "currency %s is not USD", FOREIGN_SYM[i].code);
    for (const char *p = strchr(in, '$'); p; p = strchr(p + 1, '$')) {
        const char *s = p;
        while (s > in && isalpha((unsigned char)s[-1])) s--;
        if (s == p) continue;
        char pre[8];
        size_t len = (size_t)(p - s);
        if (len >= sizeof pre) len = sizeof pre - 1;
        hx_ascii_lower(pre, len + 1, s);
        if (strcmp(pre, "us") != 0 && strcmp(pre, "usd") != 0)
            return hx_canon_refuse(out, "currency \"%.*s$\" is not USD", (int)len, s);
    }
    return 0;
}

/* A number word or scale word on its own ("nine", "hundred"). */
static bool number_word(const char *w)
{
    bool ord;
    return hx_numword_small(w, &ord) >= 0 || !strcmp(w, "hundred") ||
           !strcmp(w, "thousand") || !strcmp(w, "million") || !strcmp(w, "billion");
}

/* Number words written together ("twentynine", "onehundred"): numwords
 * does not read them, and taken as filler they would hide a number. */
static bool glued_number_words(const char *w)
{
    char head[HX_TOK_LEN];
    size_t len = strlen(w);
    for (size_t k = 3; k + 3 <= len; k++) {
        memcpy(head, w, k);
        head[k] = '\0';
        if (number_word(head) && number_word(w + k)) return true;
    }
    return false;
}

/* Whether a number starts at token i, looking past a "$". */
static bool number_follows(const reader *r, int i)
{
    dec d;
    hx_canon scratch;
    if (hx_tok_is(&r->tk, i, "$")) i++;
    return i < r->tk.n && read_number(r, i, &d, &scratch) > 0;
}

/* What a word that is not part of a number means for the reading: 0 if
 * it is harmless, -1 (with out->why) if it makes the value unreadable. */
static int check_word(const reader *r, int i, hx_canon *out)
{
    const hx_tokens *tk = &r->tk;
    const char *w = tk->t[i];
    const char *code;

    if (has_digit(w))
        return hx_canon_refuse(out, "cannot read \"%s\" as a number", w);
    if (in_list(w, HEDGES))
        return hx_canon_refuse(out, "\"%s\" makes the number inexact", w);
    if (in_list(w, BEFORE_NUMBER) && number_follows(r, i + 1) &&
        !(strcmp(w, "about") == 0 && (hx_tok_is(tk, i - 1, "how") ||
                                      hx_tok_is(tk, i - 1, "what"))))
        return hx_canon_refuse(out, "\"%s %s\" is not an exact number", w,
                               hx_tok_is(tk, i + 1, "$") && i + 2 < tk->n ?
                               tk->t[i + 2] : tk->t[i + 1]);
    /* punctuation is gone by now: "negative 4" may be "negative, 4" (no, 4) */
    if (strcmp(w, "negative") == 0 && number_follows(r, i + 1))
        return hx_canon_refuse(out, "\"negative\" before a number: a sign or a no?");
    if (strcmp(w, "up") == 0 && hx_tok_is(tk, i + 1, "to"))
        return hx_canon_refuse(out, "\"up to\" is a bound, not a number");
    if (strcmp(w, "no") == 0 && hx_tok_is(tk, i + 1, "one"))
        return hx_canon_refuse(out, "\"no one\" is not a count to read");
    if (strcmp(w, "%") == 0 || strcmp(w, "percent") == 0)
        return hx_canon_refuse(out, "a percentage is not a plain number "
                                    "(50%% could mean 50 or 0.5)");
    if (strcmp(w, "+") == 0)
        return hx_canon_refuse(out, "a \"+\" after a number makes it inexact");
    if (!strcmp(w, "nan") || !strcmp(w, "inf") || !strcmp(w, "infinity"))
        return hx_canon_refuse(out, "\"%s\" is not a finite number", w);
    if (in_list(w, NUMBERISH) || glued_number_words(w))
        return hx_canon_refuse(out, "cannot read \"%s\" exactly", w);
    if (r->mode == M_MONEY && (code = foreign_code(w)) != NULL)
        return hx_canon_refuse(out, "currency %s is not USD", code);
    return 0;
}

/* Money: after a number, the unit word(s) that follow it. */
static int read_unit(const hx_tokens *tk, int i, found *f)
{
    if (hx_tok_is(tk, i, "us") && i + 1 < tk->n && is_dollar_word(tk->t[i + 1]))
        i++;                                          /* "us dollars" */
    if (i < tk->n && is_dollar_word(tk->t[i])) {
        f->unit = U_DOLLARS;
        f->dollar_word = strcmp(tk->t[i], "usd") != 0;
        return i + 1;
    }
    if (i < tk->n && is_cent_word(tk->t[i])) {
        f->unit = U_CENTS;
        return i + 1;
    }
    return i;
}

/* Tokenize and collect every number of the text into r->f. */
static int collect(const char *in, enum mode m, reader *r, hx_canon *out)
{
    char buf[IN_MAX * 4];
    size_t len = strlen(in);

    r->mode = m;
    r->nf = 0;
    if (len > IN_MAX)
        return hx_canon_refuse(out, "too long to be a number (%zu characters)", len);
    if (m != M_NUMBER && refuse_exponent(in, m, out) < 0) return -1;
    if (m == M_MONEY && refuse_currency_raw(in, out) < 0) return -1;
    if (prepare(in, buf, sizeof buf) < 0 || hx_tokenize(buf, &r->tk) < 0)
        return hx_canon_refuse(out, "too long or too many words to read a number");

    for (int i = 0; i < r->tk.n;) {
        found f;
        int n = read_number(r, i, &f.d, out);
        if (n < 0) return -1;
        if (n == 0) {
            if (check_word(r, i, out) < 0) return -1;
            i++;
            continue;
        }
        if (r->nf == MAX_FOUND) return hx_canon_refuse(out, "too many numbers");
        f.unit = f.d.cents_unit ? U_CENTS : U_NONE;
        f.dollar_word = false;
        f.start = i;
        f.end = m == M_MONEY && !f.d.cents_unit ? read_unit(&r->tk, i + n, &f) : i + n;
        dec_normalize(&f.d);
        r->f[r->nf++] = f;
        i = f.end;
    }
    if (r->nf == 0 && m != M_INTEGER)     /* integers: the lexicon may answer */
        return hx_canon_refuse(out, "no number in \"%.60s\"", in);
    return 0;
}

/* ---- integers --------------------------------------------------------------- */

/* One companion: "me and my wife" is two people. */
static const char *const COMPANIONS[] = {
    "wife", "husband", "partner", "spouse", "friend", "boyfriend",
    "girlfriend", "fiance", "fiancee", "son", "daughter", "kid", "child",
    "baby", "mom", "mother", "mum", "dad", "father", "brother", "sister",
    "sibling", "cousin", "aunt", "uncle", "niece", "nephew", "grandma",
    "grandmother", "grandpa", "grandfather", "grandson", "granddaughter",
    "colleague", "coworker", "boss", "roommate", "date", "guest", "buddy",
    "pal", "neighbor", "neighbour", "mate", "client", NULL};

/* Plural or collective company: "me and my kids" is more than two. */
static const char *const GROUPS[] = {
    "kids", "children", "friends", "family", "parents", "folks", "guys",
    "others", "colleagues", "coworkers", "sons", "daughters", "brothers",
    "sisters", "cousins", "grandparents", "grandkids", "grandchildren",
    "team", "group", "everyone", "everybody", "gang", "crew", "whole", NULL};

static bool is_self(const char *w)
{
    return !strcmp(w, "me") || !strcmp(w, "myself") || !strcmp(w, "i");
}

static bool is_join(const char *w)
{
    return !strcmp(w, "and") || !strcmp(w, "plus") || !strcmp(w, "&") ||
           !strcmp(w, "with");
}

static bool is_det(const char *w)
{
    return !strcmp(w, "my") || !strcmp(w, "a") || !strcmp(w, "an") ||
           !strcmp(w, "our");
}

/* "just me", "only myself", "by myself", "me alone", or the text "me". */
static bool solo_at(const hx_tokens *tk, int i)
{
    if (strcmp(tk->t[i], "me") != 0 && strcmp(tk->t[i], "myself") != 0) return false;
    return tk->n == 1 || hx_tok_is(tk, i - 1, "just") || hx_tok_is(tk, i - 1, "only") ||
           hx_tok_is(tk, i - 1, "by") || hx_tok_is(tk, i + 1, "alone") ||
           hx_tok_is(tk, i + 1, "only");
}

/* Self word at i joined to one companion: "me and [my] wife" (forward) or
 * "[my] wife and I" (backward). */
static bool pair_at(const hx_tokens *tk, int i, bool fwd)
{
    int c = fwd ? i + 2 : i - 2;
    if (fwd && c < tk->n && is_det(tk->t[c])) c++;
    return c >= 0 && c < tk->n && in_list(tk->t[c], COMPANIONS);
}

/* How many people a "me ..." phrase names: 1 ("just me"), 2 ("me and my
 * wife", "both of us"), 0 if the text has no such phrase, -1 if it has one
 * this reader cannot count ("me and my two kids", "me and John"). */
static int people_phrase(const hx_tokens *tk)
{
    bool solo = false, group = false, both = false, joined = false;
    int joins = 0, pairs = 0;
    for (int i = 0; i < tk->n; i++) {
        const char *w = tk->t[i];
        if (is_join(w)) joins++;
        if (in_list(w, GROUPS)) group = true;
        if (!strcmp(w, "alone") || !strcmp(w, "solo")) solo = true;
        if (!strcmp(w, "both") && hx_tok_is(tk, i + 1, "of") && hx_tok_is(tk, i + 2, "us"))
            both = true;
        if (!is_self(w)) continue;
        solo |= solo_at(tk, i);
        /* a self word next to a joining word: someone else comes along */
        bool fwd = i + 1 < tk->n && is_join(tk->t[i + 1]);
        bool back = i > 0 && is_join(tk->t[i - 1]);
        joined |= fwd || back;
        pairs += (fwd && pair_at(tk, i, true)) + (back && pair_at(tk, i, false));
    }
    if (joined) return pairs == 1 && joins == 1 && !group ? 2 : -1;
    if (group && (both || solo)) return -1;
    if (both) return solo ? -1 : 2;
    return solo ? 1 : 0;
}

int hx_norm_integer(const char *in, const hx_norm_ctx *ctx, hx_canon *out)
{
    reader r;
    char a[64], b[64];
    uint64_t v;
    (void)ctx;
    if (!in) return hx_canon_refuse(out, "no text");
    if (collect(in, M_INTEGER, &r, out) < 0) return -1;

    for (int k = 0; k < r.nf; k++) {
        const dec *d = &r.f[k].d;
        dec_format(d, a, sizeof a);
        if (d->ordinal)
            return hx_canon_refuse(out, "\"%s\" is an ordinal, not a count",
                                   r.tk.t[r.f[k].start]);
        if (d->exp < 0) return hx_canon_refuse(out, "\"%s\" is not a whole number", a);
        if (d->written_frac == 3)       /* "1.000": one, or a European thousand? */
            return hx_canon_refuse(out, "\"%s\" may use '.' as a thousands separator",
                                   r.tk.t[r.f[k].start]);
        if (!dec_to_u64(d, LIMIT_2_53, &v))
            return hx_canon_refuse(out, "too large (beyond 2^53)");
        if (k > 0 && !dec_equal(d, &r.f[0].d)) {
            dec_format(&r.f[0].d, b, sizeof b);
            return hx_canon_refuse(out, "two different numbers: %s and %s", b, a);
        }
    }
    int people = people_phrase(&r.tk);
    if (people < 0)
        return hx_canon_refuse(out, "cannot count the people in \"%.60s\"", in);
    if (people > 0 && r.nf > 0 &&
        (r.f[0].d.neg || !dec_to_u64(&r.f[0].d, 2, &v) || v != (uint64_t)people)) {
        dec_format(&r.f[0].d, a, sizeof a);
        return hx_canon_refuse(out, "two different numbers: %d (from the words) and %s",
                               people, a);
    }
    if (people > 0) return hx_canon_set(out, "%d", people);
    if (r.nf == 0) return hx_canon_refuse(out, "no number in \"%.60s\"", in);
    dec_format(&r.f[0].d, a, sizeof a);
    return hx_canon_set(out, "%s", a);
}

/* ---- money ------------------------------------------------------------------ */

/* An amount in cents and whether the text gave cents. */
typedef struct amount {
    int64_t cents;
    bool has_cents;
} amount;

static void amount_format(const amount *a, char *buf, size_t cap)
{
    uint64_t m = a->cents < 0 ? (uint64_t)0 - (uint64_t)a->cents : (uint64_t)a->cents;
    const char *sign = a->cents < 0 ? "-" : "";
    if (a->has_cents)
        snprintf(buf, cap, "%s%" PRIu64 ".%02" PRIu64, sign, m / 100, m % 100);
    else
        snprintf(buf, cap, "%s%" PRIu64, sign, m / 100);
}

/* Turn one found number into an amount (cents up to 2^53, so that the
 * amount stays exact wherever it is compared). */
static int to_amount(const reader *r, const found *f, amount *a, hx_canon *out)
{
    dec d = f->d;
    uint64_t c;
    const char *w = r->tk.t[f->start];
    if (d.ordinal)
        return hx_canon_refuse(out, "\"%s\" is an ordinal, not an amount", w);
    if (f->unit != U_CENTS) {
        /* "1.230" may be a European thousand: more than 2 decimals refuse */
        if (d.written_frac > 2 && !d.scaled)
            return hx_canon_refuse(out, "\"%s\" has more than 2 decimals", w);
        d.exp += 2;
    }
    if (d.exp < 0)
        return hx_canon_refuse(out, "\"%s\" is not a whole number of cents", w);
    if (!dec_to_u64(&d, LIMIT_2_53, &c)) return hx_canon_refuse(out, "too large");
    if (d.scaled && c % 100 != 0)
        return hx_canon_refuse(out, "\"%s\" is not a whole number of dollars", w);
    a->has_cents = f->unit == U_CENTS || (!d.scaled && d.written_frac > 0);
    a->cents = d.neg ? -(int64_t)c : (int64_t)c;
    return 0;
}

/* A "$" just before a number, or before its sign. */
static bool dollar_sign_before(const reader *r, const found *f)
{
    return hx_tok_is(&r->tk, f->start - 1, "$") || hx_tok_is(&r->tk, f->start + 1, "$");
}

/* Whether found[k+1] is the cents part of found[k]: "five dollars and
 * twenty cents", "$5 and 20 cents", "twelve dollars fifty", "a dollar five".
 * If so, *v is the cents. */
static bool cents_follow(const reader *r, int k, uint64_t *v)
{
    const found *d = &r->f[k], *c = &r->f[k + 1];
    int gap = c->start - d->end;
    if (d->unit == U_CENTS || d->d.written_frac || d->d.scaled)
        return false;
    if (d->unit != U_DOLLARS && !dollar_sign_before(r, d)) return false;
    if (!(gap == 0 || (gap == 1 && hx_tok_is(&r->tk, d->end, "and"))))
        return false;
    if (c->d.neg || c->d.written_frac || c->d.scaled || c->d.ordinal ||
        !dec_to_u64(&c->d, 99, v))
        return false;
    if (c->unit == U_CENTS) return true;
    /* a bare number right after "dollars" is cents only when it ends the text */
    return c->unit == U_NONE && d->dollar_word && gap == 0 && k + 2 == r->nf &&
           c->end == r->tk.n;
}

int hx_norm_money(const char *in, const hx_norm_ctx *ctx, hx_canon *out)
{
    reader r;
    amount got[MAX_FOUND];
    int n = 0;
    char a[48], b[48];
    (void)ctx;
    if (!in) return hx_canon_refuse(out, "no text");
    if (collect(in, M_MONEY, &r, out) < 0) return -1;

    for (int k = 0; k < r.nf; k++, n++) {
        if (to_amount(&r, &r.f[k], &got[n], out) < 0) return -1;
        uint64_t c = 0;
        if (k + 1 < r.nf && cents_follow(&r, k, &c)) {
            got[n].cents += got[n].cents < 0 ? -(int64_t)c : (int64_t)c;
            got[n].has_cents = true;
            k++;
        }
    }
    for (int k = 1; k < n; k++) {
        if (got[k].cents != got[0].cents) {
            amount_format(&got[0], a, sizeof a);
            amount_format(&got[k], b, sizeof b);
            return hx_canon_refuse(out, "two different amounts: %s and %s", a, b);
        }
        got[0].has_cents |= got[k].has_cents;
    }
    amount_format(&got[0], a, sizeof a);
    return hx_canon_set(out, "%s", a);
}

/* ---- plain numbers ------------------------------------------------------------ */

/* A whole text that is one numeric literal with an optional exponent:
 * "-1,234.5", "1.5e3", "+2E-2". Returns 1 and fills *d, 0 if the text is
 * not such a literal (the word reader then tries), -1 with out->why set. */
static int parse_plain(const char *in, dec *d, hx_canon *out)
{
    char lit[64];
    const char *p = in, *e;
    long ex = 0;
    bool neg = false;
    size_t k = 0;
    while (isspace((unsigned char)*p)) p++;
    if (*p == '-' || *p == '+') neg = *p++ == '-';
    if (*p == '.') lit[k++] = '0';                  /* ".5" reads as "0.5" */
    for (e = p; isdigit((unsigned char)*e) || *e == ',' || *e == '.'; e++) {
        if (k + 1 >= sizeof lit) return 0;
        lit[k++] = *e;
    }
    lit[k] = '\0';
    if (e == p) return 0;
    if (*e == 'e' || *e == 'E') {
        const char *q = e + 1;
        bool eneg = false;
        if (*q == '+' || *q == '-') eneg = *q++ == '-';
        if (!isdigit((unsigned char)*q)) return 0;
        for (; isdigit((unsigned char)*q); q++)
            if (ex < 100000) ex = ex * 10 + (*q - '0');   /* capped: no overflow */
        if (eneg) ex = -ex;
        e = q;
    }
    while (isspace((unsigned char)*e)) e++;
    if (*e || !isdigit((unsigned char)lit[0])) return 0;
    if (parse_literal(lit, M_NUMBER, d, out) < 0) return 0;
    if (ex > 400) return hx_canon_refuse(out, "\"%.40s\" is too large", in);
    if (ex < -400) return hx_canon_refuse(out, "\"%.40s\" is too small to write exactly", in);
    d->exp += (int)ex;
    d->neg = neg;
    dec_normalize(d);
    return 1;
}

/* Refuse values a double may not carry exactly as a decimal: more than 15
 * significant digits, 1e15 and beyond, or more than 15 decimal places. */
static int number_bounds(const dec *d, hx_canon *out)
{
    char digits[32];
    int len = snprintf(digits, sizeof digits, "%" PRIu64, d->mant);
    if (d->mant == 0) return 0;
    if (len + d->exp > NUMBER_DIGITS) return hx_canon_refuse(out, "too large");
    if (len > NUMBER_DIGITS)
        return hx_canon_refuse(out, "more than %d significant digits", NUMBER_DIGITS);
    if (-d->exp > NUMBER_DIGITS)
        return hx_canon_refuse(out, "more than %d decimal places", NUMBER_DIGITS);
    return 0;
}

int hx_norm_number(const char *in, const hx_norm_ctx *ctx, hx_canon *out)
{
    reader r;
    dec d;
    char a[64], b[64];
    int rc;
    (void)ctx;
    if (!in) return hx_canon_refuse(out, "no text");
    if ((rc = parse_plain(in, &d, out)) != 0) {
        if (rc < 0 || number_bounds(&d, out) < 0) return -1;
        dec_format(&d, a, sizeof a);
        return hx_canon_set(out, "%s", a);
    }
    if (collect(in, M_NUMBER, &r, out) < 0) return -1;
    for (int k = 0; k < r.nf; k++) {
        if (r.f[k].d.ordinal)
            return hx_canon_refuse(out, "\"%s\" is an ordinal", r.tk.t[r.f[k].start]);
        if (number_bounds(&r.f[k].d, out) < 0) return -1;
        if (k > 0 && !dec_equal(&r.f[k].d, &r.f[0].d)) {
            dec_format(&r.f[0].d, a, sizeof a);
            dec_format(&r.f[k].d, b, sizeof b);
            return hx_canon_refuse(out, "two different numbers: %s and %s", a, b);
        }
    }
    dec_format(&r.f[0].d, a, sizeof a);
    return hx_canon_set(out, "%s", a);
}
