/*
 * text.h — small text primitives every parser of spoken values shares.
 *
 * UTF-8 validation (outside input is checked once, where it enters), ASCII
 * case folding, and a word tokenizer tuned for spoken entities: it lowercases,
 * splits on spaces and punctuation, but keeps numeric runs such as "7:30",
 * "1,250.50", "3/5/2026" and "5th" whole, and folds "o'clock" to "oclock".
 * '$', '#', '%', '+' and '&' come out as one-character tokens because they
 * carry meaning (money, unit, percent, country code, "and").
 */
#ifndef HX_TEXT_H
#define HX_TEXT_H

#include <stdbool.h>
#include <stddef.h>

/* True if s[0..len) is well-formed UTF-8 (no overlongs, no surrogates, no
 * code points above U+10FFFF). On false, *bad (if non-NULL) is the offset of
 * the first bad byte. */
bool hx_utf8_valid(const char *s, size_t len, size_t *bad);

/* 1-based line and column (in bytes) of offset `off` within s. */
void hx_line_col(const char *s, size_t off, int *line, int *col);

#define HX_TOK_MAX 64   /* tokens kept; more makes hx_tokenize fail */
#define HX_TOK_LEN 48   /* bytes per token including NUL; longer fails */

typedef struct hx_tokens {
    int n;
    char t[HX_TOK_MAX][HX_TOK_LEN];
} hx_tokens;

/* Tokenize `in` as described above. Returns 0, or -1 if the text has more
 * than HX_TOK_MAX tokens or a token longer than HX_TOK_LEN-1 bytes. Non-ASCII
 * bytes are kept inside words unchanged. */
int hx_tokenize(const char *in, hx_tokens *out);

/* True if token i exists and equals w. */
bool hx_tok_is(const hx_tokens *tk, int i, const char *w);

/* True if every byte of s is an ASCII digit and s is non-empty. */
bool hx_all_digits(const char *s);

/* Copy src into dst (size cap) lowercased in ASCII; returns dst. */
char *hx_ascii_lower(char *dst, size_t cap, const char *src);

#endif
