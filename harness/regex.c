/*
 * regex.c — PCRE2 behind the small interface of regex.h.
 *
 * Limits (the reason this wrapper exists rather than calling PCRE2 inline):
 *   - match limit 1,000,000: how often the matcher may backtrack. Ordinary
 *     patterns on a transcript field use a few thousand; a catastrophic one
 *     such as (a+)+$ reaches the limit in tens of milliseconds and fails
 *     with "match limit exceeded" instead of running for hours.
 *   - depth limit 100,000 and heap limit 64 MiB: bound the interpreter's
 *     backtracking memory.
 * PCRE2's own defaults (10 million, and a 20 GB heap) are far too generous
 * for a checker that runs thousands of matches.
 *
 * JIT compilation is tried and silently skipped where unavailable (e.g. a
 * build without JIT, or a system that forbids executable memory). The JIT
 * honours the match limit but runs on PCRE2's default 32 KiB JIT stack; a
 * match that overflows it is retried by the interpreter (which has the
 * depth and heap limits) rather than reported, because allocating a JIT
 * stack per regex would make matching from several threads unsafe.
 *
 * Under valgrind the JIT is not used: PCRE2's JIT code reads a few bytes
 * past the subject on purpose (aligned SIMD loads), which valgrind reports
 * as invalid or uninitialised reads unless PCRE2 was built with
 * --enable-valgrind (Debian's is not). The check needs valgrind's header,
 * which the valgrind package installs; without it the JIT stays on.
 */
#define PCRE2_CODE_UNIT_WIDTH 8
#include "regex.h"

#include <pcre2.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#if defined(__has_include)
#if __has_include(<valgrind/valgrind.h>)
#include <valgrind/valgrind.h>
#define HX_UNDER_VALGRIND() (RUNNING_ON_VALGRIND != 0)
#endif
#endif
#ifndef HX_UNDER_VALGRIND
#define HX_UNDER_VALGRIND() 0
#endif

#define HX_RE_MATCH_LIMIT 1000000u
#define HX_RE_DEPTH_LIMIT 100000u
#define HX_RE_HEAP_LIMIT_KIB (64u * 1024u)

struct hx_regex {
    pcre2_code *code;
    pcre2_match_context *mctx;
    char *pattern; /* for messages */
};

void hx_regex_free(hx_regex *re)
{
    if (!re) return;
    pcre2_code_free(re->code);
    pcre2_match_context_free(re->mctx);
    free(re->pattern);
    free(re);
}

static void pcre2_message(int code, char *buf, size_t cap)
{
    if (pcre2_get_error_message(code, (PCRE2_UCHAR *)buf, cap) < 0 && cap > 0)
        buf[0] = '\0'; /* an unknown code, or a message cut short */
    if (!buf[0]) snprintf(buf, cap, "PCRE2 error %d", code);
}

static pcre2_match_context *limited_context(void)
{
    pcre2_match_context *m = pcre2_match_context_create(NULL);
    if (!m) return NULL;
    pcre2_set_match_limit(m, HX_RE_MATCH_LIMIT);
    pcre2_set_depth_limit(m, HX_RE_DEPTH_LIMIT);
    pcre2_set_heap_limit(m, HX_RE_HEAP_LIMIT_KIB);
    return m;
}

int hx_regex_compile(const char *pattern, hx_regex **out, hx_error *err)
{
    *out = NULL;
    if (!pattern) return hx_fail(err, "regex: no pattern");
    int ec = 0;
    PCRE2_SIZE off = 0;
    pcre2_code *code = pcre2_compile((PCRE2_SPTR)pattern, PCRE2_ZERO_TERMINATED,
                                     PCRE2_UTF | PCRE2_UCP, &ec, &off, NULL);
    if (!code) {
        char msg[256];
        pcre2_message(ec, msg, sizeof msg);
        return hx_fail(err, "regex \"%s\": at offset %zu: %s", pattern, (size_t)off, msg);
    }
    if (!HX_UNDER_VALGRIND())
        (void)pcre2_jit_compile(code, PCRE2_JIT_COMPLETE); /* a failure just means no JIT */

    hx_regex *re = calloc(1, sizeof *re);
    if (re) {
        re->code = code;
        re->mctx = limited_context();
        re->pattern = strdup(pattern);
    }
    if (!re || !re->mctx || !re->pattern) {
        if (re) hx_regex_free(re);
        else pcre2_code_free(code);
        return hx_fail(err, "regex \"%s\": out of memory", pattern);
    }
    *out = re;
    return 0;
}

static int run(const hx_regex *re, const char *subject, size_t len, uint32_t opts,
               pcre2_match_data *md)
{
    return pcre2_match(re->code, (PCRE2_SPTR)subject, len, 0, opts, md, re->mctx);
}

int hx_regex_match(const hx_regex *re, const char *subject, size_t len, hx_error *err)
{
    if (!re) return hx_fail(err, "regex: not compiled");
    if (!subject) { subject = ""; len = 0; }
    pcre2_match_data *md = pcre2_match_data_create_from_pattern(re->code, NULL);
    if (!md) return hx_fail(err, "regex \"%s\": out of memory", re->pattern);
    int rc = run(re, subject, len, 0, md);
    if (rc == PCRE2_ERROR_JIT_STACKLIMIT) rc = run(re, subject, len, PCRE2_NO_JIT, md);
    pcre2_match_data_free(md);

    if (rc >= 0) return 1; /* rc 0 means "matched, ovector too small": still a match */
    if (rc == PCRE2_ERROR_NOMATCH) return 0;
    char msg[256];
    pcre2_message(rc, msg, sizeof msg);
    if (rc == PCRE2_ERROR_MATCHLIMIT || rc == PCRE2_ERROR_DEPTHLIMIT || rc == PCRE2_ERROR_HEAPLIMIT)
        return hx_fail(err, "regex \"%s\" gave up on this text (%s): the pattern backtracks "
                            "too much; make it more specific", re->pattern, msg);
    return hx_fail(err, "regex \"%s\": matching failed: %s", re->pattern, msg);
}
