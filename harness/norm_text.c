/*
 * norm_text.c — the `text` normaliser (folding) and hx_text_similarity.
 *
 * A text rule compares names and free phrases, where the transcript, the
 * model and the person who wrote the expected value disagree on case,
 * accents, quotes and spacing but not on the words. Folding removes exactly
 * those differences, and enum_match.c folds keys, aliases and labels the
 * same way, so this file is the one definition of "the same text".
 *
 * The fold, code point by code point:
 *   - ASCII letters are lowercased; digits are kept.
 *   - Accented Latin letters become their base letter: Latin-1, Latin
 *     Extended-A, the Romanian and Pinyin letters of Latin Extended-B
 *     (ș ț ǎ ǔ, Vietnamese ơ ư) and the Vietnamese block of Latin Extended
 *     Additional ("Nguyễn" -> "nguyen"). Combining accents (U+0300-036F) are
 *     dropped, so decomposed "e\u0301" folds like "é". Ligatures and special
 *     letters spell out: æ -> ae, œ -> oe, ĳ -> ij, ß/ẞ -> ss, þ -> th,
 *     ð/đ -> d, ø -> o, ł -> l.
 *   - Apostrophes are deleted, not turned into spaces, so "O'Brien",
 *     "O’Brien" (U+2019) and "OBrien" agree and "don't" is "dont". Straight
 *     ' and `, U+2018/2019/201A/201B, U+2032 prime, U+00B4 acute and the
 *     modifier letters U+02B9-02BC (incl. the Hawaiian ʻokina) count as
 *     apostrophes. Invisible characters (soft hyphen, zero-width space and
 *     joiners, direction marks, BOM) are deleted too.
 *   - All other punctuation and symbols separate words: ASCII punctuation
 *     including '_' and '-', quotes (straight and curly), dashes, Latin-1
 *     symbols (« » ¿ ° × ÷ ...), the General Punctuation block and CJK
 *     brackets. So "needs_pa", "needs-pa" and "Needs PA" all fold to
 *     "needs pa" (a label key written with an underscore matches the spoken
 *     form), and "Mary-Jane" is "mary jane". The price: "A.B." folds to
 *     "a b", not "ab", and "1,250" to "1 250".
 *   - Whitespace (ASCII, no-break and Unicode spaces) and control
 *     characters separate words; runs of separators become one space and
 *     the result is trimmed.
 *   - Fullwidth ASCII (U+FF01-FF5E) folds like ASCII.
 *   - Other scripts are kept as they are, except that Greek and basic
 *     Cyrillic capitals are lowercased (their accents are not removed).
 * Text that is empty or only punctuation folds to "" (that is a value, not
 * a refusal). The normaliser refuses input that is not valid UTF-8 and text
 * whose folded form does not fit in hx_canon.value (511 bytes) — cutting it
 * would make two different long texts compare equal.
 *
 * hx_text_similarity (contract and bounds in fold.h) is plain Levenshtein
 * over code points, keeping one row of the table for the shorter string.
 */
#include "canon.h"
#include "fold.h"
#include "text.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* Table targets: DROP deletes the code point (it belongs to the word it sits
 * in), SEP ends the word; anything else replaces the code point. */
#define DROP ""
#define SEP  " "

typedef struct fold_range {
    uint32_t lo, hi;
    const char *to;
} fold_range;

static const fold_range FOLDS[] = {
    /* Latin-1 Supplement: controls, symbols, then letters */
    {0x0080, 0x00A9, SEP},   {0x00AA, 0x00AA, "a"},  {0x00AB, 0x00AC, SEP},
    {0x00AD, 0x00AD, DROP},  {0x00AE, 0x00B1, SEP},  {0x00B2, 0x00B2, "2"},
    {0x00B3, 0x00B3, "3"},   {0x00B4, 0x00B4, DROP}, {0x00B6, 0x00B8, SEP},
    {0x00B9, 0x00B9, "1"},   {0x00BA, 0x00BA, "o"},  {0x00BB, 0x00BB, SEP},
    {0x00BF, 0x00BF, SEP},
    {0x00C0, 0x00C5, "a"},   {0x00C6, 0x00C6, "ae"}, {0x00C7, 0x00C7, "c"},
    {0x00C8, 0x00CB, "e"},   {0x00CC, 0x00CF, "i"},  {0x00D0, 0x00D0, "d"},
    {0x00D1, 0x00D1, "n"},   {0x00D2, 0x00D6, "o"},  {0x00D7, 0x00D7, SEP},
    {0x00D8, 0x00D8, "o"},   {0x00D9, 0x00DC, "u"},  {0x00DD, 0x00DD, "y"},
    {0x00DE, 0x00DE, "th"},  {0x00DF, 0x00DF, "ss"},
    {0x00E0, 0x00E5, "a"},   {0x00E6, 0x00E6, "ae"}, {0x00E7, 0x00E7, "c"},
    {0x00E8, 0x00EB, "e"},   {0x00EC, 0x00EF, "i"},  {0x00F0, 0x00F0, "d"},
    {0x00F1, 0x00F1, "n"},   {0x00F2, 0x00F6, "o"},  {0x00F7, 0x00F7, SEP},
    {0x00F8, 0x00F8, "o"},   {0x00F9, 0x00FC, "u"},  {0x00FD, 0x00FD, "y"},
    {0x00FE, 0x00FE, "th"},  {0x00FF, 0x00FF, "y"},
    /* Latin Extended-A, in pairs of capital and small letter */
    {0x0100, 0x0105, "a"},   {0x0106, 0x010D, "c"},  {0x010E, 0x0111, "d"},
    {0x0112, 0x011B, "e"},   {0x011C, 0x0123, "g"},  {0x0124, 0x0127, "h"},
    {0x0128, 0x0131, "i"},   {0x0132, 0x0133, "ij"}, {0x0134, 0x0135, "j"},
    {0x0136, 0x0138, "k"},   {0x0139, 0x0142, "l"},  {0x0143, 0x014B, "n"},
    {0x014C, 0x0151, "o"},   {0x0152, 0x0153, "oe"}, {0x0154, 0x0159, "r"},
    {0x015A, 0x0161, "s"},   {0x0162, 0x0167, "t"},  {0x0168, 0x0173, "u"},
    {0x0174, 0x0175, "w"},   {0x0176, 0x0178, "y"},  {0x0179, 0x017E, "z"},
    {0x017F, 0x017F, "s"},
    /* Latin Extended-B: the letters names actually use */
    {0x0180, 0x0180, "b"},   {0x0192, 0x0192, "f"},  {0x01A0, 0x01A1, "o"},
    {0x01AF, 0x01B0, "u"},   {0x01CD, 0x01CE, "a"},  {0x01CF, 0x01D0, "i"},
    {0x01D1, 0x01D2, "o"},   {0x01D3, 0x01DC, "u"},  {0x0218, 0x0219, "s"},
    {0x021A, 0x021B, "t"},
    /* modifier-letter apostrophes and primes, combining accents */
    {0x02B9, 0x02BC, DROP},  {0x0300, 0x036F, DROP},
    /* Latin Extended Additional: capital sharp s, Vietnamese vowels */
    {0x1E9E, 0x1E9E, "ss"},  {0x1EA0, 0x1EB7, "a"},  {0x1EB8, 0x1EC7, "e"},
    {0x1EC8, 0x1ECB, "i"},   {0x1ECC, 0x1EE3, "o"},  {0x1EE4, 0x1EF1, "u"},
    {0x1EF2, 0x1EF9, "y"},
    /* General Punctuation */
    {0x2000, 0x200A, SEP},   {0x200B, 0x200F, DROP}, {0x2010, 0x2017, SEP},
    {0x2018, 0x201B, DROP},  {0x201C, 0x2029, SEP},  {0x202A, 0x202E, DROP},
    {0x202F, 0x2031, SEP},   {0x2032, 0x2032, DROP}, {0x2033, 0x205F, SEP},
    {0x2060, 0x206F, DROP},  {0x2212, 0x2212, SEP},
    /* CJK spaces and brackets (not the iteration marks 3005-3007) */
    {0x3000, 0x3004, SEP},   {0x3008, 0x3011, SEP},  {0x3014, 0x301F, SEP},
    {0xFEFF, 0xFEFF, DROP},
};

/* Decode one code point at s. The input is valid UTF-8 here, but a bad
 * sequence still never reads past a NUL (a NUL is not a continuation byte):
 * it yields U+FFFD and the bytes consumed so far. Returns bytes used, >= 1. */
static size_t utf8_decode(const unsigned char *s, uint32_t *cp)
{
    size_t n = s[0] < 0x80 ? 1 : s[0] >= 0xF0 ? 4 : s[0] >= 0xE0 ? 3
             : s[0] >= 0xC0 ? 2 : 0;
    if (n == 1) { *cp = s[0]; return 1; }
    if (n == 0) { *cp = 0xFFFD; return 1; } /* stray continuation byte */
    uint32_t c = s[0] & (0x7Fu >> n);
    for (size_t k = 1; k < n; k++) {
        if ((s[k] & 0xC0) != 0x80) { *cp = 0xFFFD; return k; }
        c = (c << 6) | (s[k] & 0x3Fu);
    }
    *cp = c;
    return n;
}

static size_t utf8_encode(uint32_t cp, char out[4])
{
    if (cp < 0x80) { out[0] = (char)cp; return 1; }
    if (cp < 0x800) {
        out[0] = (char)(0xC0 | (cp >> 6));
        out[1] = (char)(0x80 | (cp & 0x3F));
        return 2;
    }
    out[0] = (char)(0xE0 | (cp >> 12)); /* only BMP letters are re-encoded */
    out[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
    out[2] = (char)(0x80 | (cp & 0x3F));
    return 3;
}

/* ---- the output: words joined by single spaces, trimmed ---- */

typedef struct sink {
    char buf[HX_CANON_MAX];
    size_t len;
    bool space_pending; /* a separator was seen after some output */
    bool overflow;
} sink;

static void put_sep(sink *s)
{
    if (s->len > 0) s->space_pending = true; /* leading separators vanish */
}

static void put_bytes(sink *s, const char *b, size_t n)
{
    size_t need = n + (s->space_pending ? 1 : 0);
    if (s->len + need > sizeof s->buf - 1) { s->overflow = true; return; }
    if (s->space_pending) s->buf[s->len++] = ' ';
    s->space_pending = false;
    memcpy(s->buf + s->len, b, n);
    s->len += n;
}

static void put_str(sink *s, const char *str)
{
    if (strcmp(str, SEP) == 0) put_sep(s);
    else if (*str) put_bytes(s, str, strlen(str));
}

/* ---- folding one code point ---- */

static void fold_ascii(sink *s, unsigned char c)
{
    if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')) {
        char ch = (char)c;
        put_bytes(s, &ch, 1);
    } else if (c >= 'A' && c <= 'Z') {
        char ch = (char)(c - 'A' + 'a');
        put_bytes(s, &ch, 1);
    } else if (c != '\'' && c != '`') {
        put_sep(s); /* punctuation, symbols, whitespace, controls */
    }
}

static const char *table_fold(uint32_t cp)
{
    for (size_t i = 0; i < sizeof FOLDS / sizeof FOLDS[0]; i++)
        if (cp >= FOLDS[i].lo && cp <= FOLDS[i].hi) return FOLDS[i].to;
    return NULL;
}

/* Lowercase Greek and basic Cyrillic capitals; 0 if cp is not one. */
static uint32_t other_lower(uint32_t cp)
{
    if (cp >= 0x0391 && cp <= 0x03A9 && cp != 0x03A2) return cp + 0x20;
    if (cp == 0x03C2) return 0x03C3; /* final sigma: σ and ς are one letter */
    if (cp >= 0x0410 && cp <= 0x042F) return cp + 0x20;
    if (cp >= 0x0400 && cp <= 0x040F) return cp + 0x50;
    return 0;
}

static void fold_cp(sink *s, uint32_t cp, const char *raw, size_t rawlen)
{
    if (cp < 0x80) { fold_ascii(s, (unsigned char)cp); return; }
    if (cp >= 0xFF01 && cp <= 0xFF5E) { fold_ascii(s, (unsigned char)(cp - 0xFEE0)); return; }
    const char *to = table_fold(cp);
    if (to) { put_str(s, to); return; }
    uint32_t low = other_lower(cp);
    if (low) {
        char enc[4];
        put_bytes(s, enc, utf8_encode(low, enc));
        return;
    }
    put_bytes(s, raw, rawlen); /* any other character stands for itself */
}

int hx_norm_text(const char *in, const hx_norm_ctx *ctx, hx_canon *out)
{
    (void)ctx; /* folding needs no context */
    if (!in) return hx_canon_refuse(out, "no text");
    size_t len = strlen(in), bad = 0;
    if (!hx_utf8_valid(in, len, &bad))
        return hx_canon_refuse(out, "text is not valid UTF-8 (byte %zu)", bad);

    /* Fold into a separate buffer: `in` may be out->value itself, and the
     * fold can grow ("ß" -> "ss"), which would overwrite unread input. */
    sink s = {.len = 0};
    const unsigned char *p = (const unsigned char *)in;
    while (*p) {
        uint32_t cp;
        size_t n = utf8_decode(p, &cp);
        fold_cp(&s, cp, (const char *)p, n);
        if (s.overflow)
            return hx_canon_refuse(out, "text is too long: its folded form exceeds %d bytes",
                                   HX_CANON_MAX - 1);
        p += n;
    }
    s.buf[s.len] = '\0';
    memcpy(out->value, s.buf, s.len + 1);
    out->why[0] = '\0';
    return 0;
}

/* ---- similarity ---- */

/* Code points in s, counting no further than `limit`. */
static size_t cp_count(const char *s, size_t limit)
{
    const unsigned char *p = (const unsigned char *)s;
    size_t n = 0;
    while (*p && n < limit) {
        uint32_t cp;
        p += utf8_decode(p, &cp);
        n++;
    }
    return n;
}

static uint32_t min3(uint32_t a, uint32_t b, uint32_t c)
{
    uint32_t m = a < b ? a : b;
    return m < c ? m : c;
}

/* Levenshtein distance between `lng` (nl code points, decoded as we go)
 * and `shrt` (ns code points, decoded once into the caller's array), using
 * one row of ns+1 cells. */
static uint32_t levenshtein(const char *lng, size_t nl, const uint32_t *shrt, size_t ns,
                            uint32_t *row)
{
    for (size_t j = 0; j <= ns; j++) row[j] = (uint32_t)j;
    const unsigned char *p = (const unsigned char *)lng;
    for (size_t i = 1; i <= nl; i++) {
        uint32_t c;
        p += utf8_decode(p, &c);
        uint32_t diag = row[0]; /* row[i-1][j-1] */
        row[0] = (uint32_t)i;
        for (size_t j = 1; j <= ns; j++) {
            uint32_t up = row[j];
            row[j] = min3(up + 1, row[j - 1] + 1, diag + (c != shrt[j - 1]));
            diag = up;
        }
    }
    return row[ns];
}

double hx_text_similarity(const char *a_folded, const char *b_folded)
{
    const char *a = a_folded ? a_folded : "";
    const char *b = b_folded ? b_folded : "";
    if (strcmp(a, b) == 0) return 1.0; /* includes two empty strings */
    size_t na = cp_count(a, HX_SIM_MAX_CP + 1), nb = cp_count(b, HX_SIM_MAX_CP + 1);
    if (na > HX_SIM_MAX_CP || nb > HX_SIM_MAX_CP) return 0.0;
    if (na < nb) { /* keep b the shorter, so memory is O(min) */
        const char *t = a; a = b; b = t;
        size_t tn = na; na = nb; nb = tn;
    }
    if (nb == 0) return 0.0;

    uint32_t *mem = malloc((2 * nb + 1) * sizeof *mem);
    if (!mem) return 0.0;
    uint32_t *bcp = mem, *row = mem + nb;
    const unsigned char *p = (const unsigned char *)b;
    for (size_t j = 0; j < nb; j++) p += utf8_decode(p, &bcp[j]);
    uint32_t d = levenshtein(a, na, bcp, nb, row);
    free(mem);
    return 1.0 - (double)d / (double)na;
}
