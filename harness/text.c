/*
 * text.c — UTF-8 validation, line/column lookup and the spoken-value
 * tokenizer (see text.h for what each does and why).
 */
#include "text.h"

#include <ctype.h>
#include <stdint.h>
#include <string.h>

bool hx_utf8_valid(const char *s, size_t len, size_t *bad)
{
    const unsigned char *p = (const unsigned char *)s;
    size_t i = 0;
    while (i < len) {
        /* Transcripts are mostly ASCII: eight bytes at a time while no
         * byte has its high bit set (memcpy: no unaligned access). */
        uint64_t w;
        while (len - i >= sizeof w) {
            memcpy(&w, p + i, sizeof w);
            if (w & UINT64_C(0x8080808080808080)) break;
            i += sizeof w;
        }
        if (i >= len) break;
        unsigned c = p[i];
        size_t need;
        unsigned min;
        if (c < 0x80) { i++; continue; }
        else if ((c & 0xE0) == 0xC0) { need = 1; min = 0x80; c &= 0x1F; }
        else if ((c & 0xF0) == 0xE0) { need = 2; min = 0x800; c &= 0x0F; }
        else if ((c & 0xF8) == 0xF0) { need = 3; min = 0x10000; c &= 0x07; }
        else goto fail;
        if (len - i <= need) goto fail;
        for (size_t k = 1; k <= need; k++) {
            if ((p[i + k] & 0xC0) != 0x80) goto fail;
            c = (c << 6) | (p[i + k] & 0x3F);
        }
        if (c < min || c > 0x10FFFF || (c >= 0xD800 && c <= 0xDFFF)) goto fail;
        i += need + 1;
    }
    return true;
fail:
    if (bad) *bad = i;
    return false;
}

void hx_line_col(const char *s, size_t off, int *line, int *col)
{
    int l = 1, c = 1;
    for (size_t i = 0; i < off && s[i]; i++) {
        if (s[i] == '\n') { l++; c = 1; }
        else c++;
    }
    *line = l;
    *col = c;
}

static bool is_word_byte(unsigned char c)
{
    return isalnum(c) || c >= 0x80;
}

int hx_tokenize(const char *in, hx_tokens *out)
{
    const unsigned char *p = (const unsigned char *)in;
    out->n = 0;
    while (*p) {
        char buf[HX_TOK_LEN];
        size_t k = 0;
        if (strchr("$#%+&", *p) && *p) {
            buf[k++] = (char)*p++;
        } else if (isdigit(*p)) {
            /* a numeric run: digits with single inner ':' ',' '.' '/' and a
             * trailing ordinal suffix or letters glued on ("5th", "7pm") */
            while (*p) {
                if (isdigit(*p) || isalpha(*p)) {
                    if (k + 1 >= HX_TOK_LEN) return -1;
                    buf[k++] = (char)tolower(*p++);
                } else if (strchr(":,./", *p) && isdigit(p[1]) && k > 0 &&
                           isdigit((unsigned char)buf[k - 1])) {
                    if (k + 1 >= HX_TOK_LEN) return -1;
                    buf[k++] = (char)*p++;
                } else break;
            }
        } else if (is_word_byte(*p)) {
            while (*p && (is_word_byte(*p) ||
                          ((*p == '\'' || *p == '"') && isalpha(p[1]) && k > 0))) {
                if (*p == '\'' || *p == '"') {
                    /* o'clock -> oclock; don't -> dont; a trailing 's drops */
                    if ((p[1] == 's' || p[1] == 'S') && !is_word_byte(p[2])) {
                        p += 2;
                        break;
                    }
                    p++;
                    continue;
                }
                if (k + 1 >= HX_TOK_LEN) return -1;
                buf[k++] = (char)tolower(*p++);
            }
        } else {
            p++;
            continue;
        }
        if (k == 0) continue;
        if (out->n >= HX_TOK_MAX) return -1;
        buf[k] = '\0';
        memcpy(out->t[out->n++], buf, k + 1);
    }
    return 0;
}

bool hx_tok_is(const hx_tokens *tk, int i, const char *w)
{
    return i >= 0 && i < tk->n && strcmp(tk->t[i], w) == 0;
}

bool hx_all_digits(const char *s)
{
    if (!*s) return false;
    for (; *s; s++)
        if (!isdigit((unsigned char)*s)) return false;
    return true;
}

char *hx_ascii_lower(char *dst, size_t cap, const char *src)
{
    size_t i = 0;
    if (cap == 0) return dst;
    for (; src[i] && i + 1 < cap; i++)
        dst[i] = (char)tolower((unsigned char)src[i]);
    dst[i] = '\0';
    return dst;
}
