/*
 * diag.h — a list of problems found in user files, reported all at once.
 *
 * `harness validate` must list *every* problem of a suite, not stop at the
 * first, so loaders of user files (suite.c, transcript.c, rules.c,
 * program.c) add each problem they find to an hx_diags and carry on where
 * they safely can. Each problem names the file, the line and column where
 * known (0 = unknown), the JSON path of the value, and what was expected.
 * Printed form:  file:line:col: $.agents[0].bar: expected a number from 0 to 1, got "high"
 */
#ifndef HX_DIAG_H
#define HX_DIAG_H

#include <stdio.h>
#include <stddef.h>

typedef struct hx_diag {
    char *file;   /* owned */
    int line, col;
    char *path;   /* owned; "" when the problem is the whole file */
    char *msg;    /* owned */
} hx_diag;

typedef struct hx_diags {
    hx_diag *v;
    size_t n, cap;
    size_t max;   /* stop recording after this many (0 = 1000); counted in dropped */
    size_t dropped;
} hx_diags;

void hx_diags_add(hx_diags *d, const char *file, int line, int col,
                  const char *path, const char *fmt, ...)
    __attribute__((format(printf, 6, 7)));

/* Print one problem a line to f. */
void hx_diags_print(const hx_diags *d, FILE *f);

/* Print as a JSON array of {"file","line","col","path","message"}. */
void hx_diags_print_json(const hx_diags *d, FILE *f);

void hx_diags_free(hx_diags *d);

#endif
