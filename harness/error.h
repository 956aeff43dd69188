/*
 * error.h — the one error convention of libharness.
 *
 * Every fallible function returns int: 0 on success, -1 on failure. The
 * caller passes an hx_error it owns (on the stack, usually); the failing
 * function fills it with one line a person can act on, naming the file,
 * line and field where it knows them. Passing NULL is allowed and means
 * "I only want the return code". Nothing is allocated, so an hx_error
 * never needs freeing and can be reused.
 *
 * Problems in user files that should be reported *all at once* (harness
 * validate) go into an hx_diags list instead; see diag.h.
 */
#ifndef HX_ERROR_H
#define HX_ERROR_H

#include <stddef.h>

typedef struct hx_error {
    char msg[1024];
} hx_error;

/* Format a message into err (if non-NULL) and return -1, so callers can
 * write `return hx_fail(err, "...", ...);`. */
int hx_fail(hx_error *err, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* Prefix an existing message: "context: old message". Returns -1. */
int hx_fail_prefix(hx_error *err, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

#endif
