/*
 * regex.h — the `regex` rule: a thin wrapper over PCRE2 (libpcre2-8).
 *
 * Assertion files may say `"notes": {"type": "regex", "pattern":
 * "(?i)allerg"}`: the actual value passes if the pattern matches somewhere
 * in it (unanchored; use ^ and $ to anchor). Patterns are Perl-compatible
 * and UTF-8: they are compiled with PCRE2_UTF | PCRE2_UCP, so "." is one
 * character and \w, \b, \d and (?i) know accented letters. Inline flags
 * such as (?i), (?s) and (?x) work; no other options are set.
 *
 * Patterns come from user files, so a bad one must not hang a run: every
 * match is bounded (see regex.c for the limits) and a pattern that
 * backtracks past them yields an error for that check, not a stall.
 * A compiled hx_regex is read-only while matching, so one may be matched
 * from several threads at once.
 */
#ifndef HX_REGEX_H
#define HX_REGEX_H

#include <stddef.h>

#include "error.h"

typedef struct hx_regex hx_regex;

/* Compile a NUL-terminated UTF-8 pattern. On failure *out is NULL and err
 * says where and why, e.g. `regex "(abc": at offset 4: missing closing
 * parenthesis`. Free the result with hx_regex_free. */
int hx_regex_compile(const char *pattern, hx_regex **out, hx_error *err);

/* Search subject[0..len) (UTF-8; may hold NULs). Returns 1 on a match, 0 on
 * none, -1 with err set if matching failed: invalid UTF-8 in the subject,
 * or a resource limit hit by a pattern that backtracks too much. */
int hx_regex_match(const hx_regex *re, const char *subject, size_t len, hx_error *err);

/* Free what hx_regex_compile made. NULL is fine. */
void hx_regex_free(hx_regex *re);

#endif
