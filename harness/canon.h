/*
 * canon.h — the normaliser contract shared by every typed value.
 *
 * A normaliser turns what a caller said or a model wrote ("half past 7 in
 * the evening", "$1,250.50", "next Tuesday") into one canonical string
 * ("19:30", "1250.5", "2026-12-01"), or refuses honestly with a reason.
 * It never guesses: an input it cannot read exactly is refused, because a
 * wrong canonical value turns a real failure into a pass.
 *
 * Each rule type has its normaliser in its own file (norm_date.c,
 * norm_time.c, norm_number.c, norm_phone.c, norm_boolean.c,
 * norm_address.c, norm_text.c). The assertion engine (assertion.c) runs the same
 * normaliser on the expected and the actual side and compares the results;
 * `harness normalize` exposes each one directly.
 *
 * Results live in a fixed-size hx_canon owned by the caller: canonical
 * values are short, so nothing is allocated and nothing needs freeing.
 */
#ifndef HX_CANON_H
#define HX_CANON_H

#include <stdbool.h>
#include <stdint.h>

/* What a normaliser may need besides the text itself. */
typedef struct hx_norm_ctx {
    /* The call's date, against which relative dates resolve; 0/0/0 = unknown
     * (then relative phrases are refused). */
    int ref_year, ref_month, ref_day;
    /* time: meridiem for a bare hour such as "7": 0 = refuse, 'a' or 'p'. */
    char default_meridiem;
    /* phone: ISO region for national numbers; "" or NULL means "US". */
    const char *region;
} hx_norm_ctx;

#define HX_CANON_MAX 512
#define HX_WHY_MAX   256

typedef struct hx_canon {
    char value[HX_CANON_MAX]; /* canonical form; valid when the call returned 0 */
    char why[HX_WHY_MAX];     /* reason for a refusal; valid when it returned -1 */
} hx_canon;

/* Record a refusal in out->why and return -1. */
int hx_canon_refuse(hx_canon *out, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
/* Record a canonical value in out->value and return 0. */
int hx_canon_set(hx_canon *out, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/*
 * The normalisers. Each returns 0 with out->value set, or -1 with out->why
 * set. `in` is UTF-8 text (already validated by the caller); it may hold
 * surrounding words that are not part of the value only where a normaliser
 * says so.
 */
int hx_norm_date(const char *in, const hx_norm_ctx *ctx, hx_canon *out);    /* YYYY-MM-DD */
int hx_norm_time(const char *in, const hx_norm_ctx *ctx, hx_canon *out);    /* HH:MM, 24 h */
int hx_norm_integer(const char *in, const hx_norm_ctx *ctx, hx_canon *out); /* -?[0-9]+ */
int hx_norm_money(const char *in, const hx_norm_ctx *ctx, hx_canon *out);   /* 1250 or 1250.5 or 0.05 */
int hx_norm_number(const char *in, const hx_norm_ctx *ctx, hx_canon *out);  /* shortest decimal */
int hx_norm_phone(const char *in, const hx_norm_ctx *ctx, hx_canon *out);   /* E.164 +14155550123 */
int hx_norm_boolean(const char *in, const hx_norm_ctx *ctx, hx_canon *out); /* true | false */
int hx_norm_address(const char *in, const hx_norm_ctx *ctx, hx_canon *out); /* USPS Pub 28 one line */
int hx_norm_text(const char *in, const hx_norm_ctx *ctx, hx_canon *out);    /* folded */

#endif
