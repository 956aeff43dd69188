/*
 * strbuf.h — a growable string for building prompts' answers and replies.
 *
 * Replies are assembled from many small pieces; a buffer with a sticky
 * out-of-memory flag lets the builders append without checking each step
 * and check once when they take the result (NULL means it ran out).
 */
#ifndef SL_STRBUF_H
#define SL_STRBUF_H

#include <stdbool.h>
#include <stddef.h>

typedef struct sl_buf {
    char *s;      /* owned; NUL-terminated when non-NULL */
    size_t len, cap;
    bool oom;     /* an append failed: the content is incomplete */
} sl_buf;

void sl_buf_put(sl_buf *b, const char *s, size_t n);
void sl_buf_puts(sl_buf *b, const char *s);
void sl_buf_printf(sl_buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* The content as an owned string ("" when nothing was added), or NULL if
 * an append ran out of memory. The buffer is left empty either way. */
char *sl_buf_take(sl_buf *b);
void sl_buf_free(sl_buf *b);

/* s[0..n) without leading and trailing ASCII whitespace. */
void sl_trim(const char **s, size_t *n);
/* A copy of s[0..n), NUL-terminated; NULL on out of memory. */
char *sl_strndup(const char *s, size_t n);

#endif
