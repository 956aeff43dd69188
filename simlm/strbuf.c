/*
 * strbuf.c — the growable string of strbuf.h and two small text helpers.
 */
#include "strbuf.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static bool reserve(sl_buf *b, size_t extra)
{
    size_t need, cap;
    char *s;
    if (b->oom) return false;
    if (extra > (size_t)-1 / 2 - b->len) { b->oom = true; return false; }
    need = b->len + extra + 1;
    if (need <= b->cap) return true;
    cap = b->cap ? b->cap : 256;
    while (cap < need) cap *= 2;
    s = realloc(b->s, cap);
    if (!s) { b->oom = true; return false; }
    b->s = s;
    b->cap = cap;
    return true;
}

void sl_buf_put(sl_buf *b, const char *s, size_t n)
{
    if (!reserve(b, n)) return;
    if (n) memcpy(b->s + b->len, s, n);
    b->len += n;
    b->s[b->len] = '\0';
}

void sl_buf_puts(sl_buf *b, const char *s)
{
    sl_buf_put(b, s, strlen(s));
}

void sl_buf_printf(sl_buf *b, const char *fmt, ...)
{
    va_list ap;
    int n;
    va_start(ap, fmt);
    n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    if (n < 0) { b->oom = true; return; }
    if (!reserve(b, (size_t)n)) return;
    va_start(ap, fmt);
    vsnprintf(b->s + b->len, (size_t)n + 1, fmt, ap);
    va_end(ap);
    b->len += (size_t)n;
}

char *sl_buf_take(sl_buf *b)
{
    char *s = b->s;
    bool oom = b->oom;
    memset(b, 0, sizeof *b);
    if (oom) { free(s); return NULL; }
    return s ? s : strdup("");
}

void sl_buf_free(sl_buf *b)
{
    free(b->s);
    memset(b, 0, sizeof *b);
}

static bool is_space(char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
}

void sl_trim(const char **s, size_t *n)
{
    while (*n && is_space(**s)) { (*s)++; (*n)--; }
    while (*n && is_space((*s)[*n - 1])) (*n)--;
}

char *sl_strndup(const char *s, size_t n)
{
    char *d = malloc(n + 1);
    if (!d) return NULL;
    memcpy(d, s, n);
    d[n] = '\0';
    return d;
}
