/*
 * check_regex.c — the PCRE2 wrapper (regex.h): matching, UTF-8 and inline
 * flags, compile errors, and bounded time on catastrophic patterns.
 */
#include <stddef.h>
#include <string.h>
#include <time.h>

#include "regex.h"
#include "test_util.h"

Suite *make_suite(void);

static hx_regex *compile_ok(const char *pattern)
{
    hx_regex *re = NULL;
    hx_error err = {{0}};
    int rc = hx_regex_compile(pattern, &re, &err);
    ck_assert_msg(rc == 0, "compiling %s failed: %s", pattern, err.msg);
    ck_assert_ptr_nonnull(re);
    return re;
}

/* Match a NUL-terminated subject. */
static int search(const char *pattern, const char *subject)
{
    hx_regex *re = compile_ok(pattern);
    hx_error err = {{0}};
    int r = hx_regex_match(re, subject, strlen(subject), &err);
    hx_regex_free(re);
    return r;
}

static double now_seconds(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

START_TEST(inline_case_flag)
{
    ck_assert_int_eq(search("(?i)allerg", "Patient reports ALLERGY to penicillin"), 1);
    ck_assert_int_eq(search("(?i)allerg", "allergic to nuts"), 1);
    ck_assert_int_eq(search("(?i)allerg", "no known issues"), 0);
    /* without the flag, case matters */
    ck_assert_int_eq(search("allerg", "ALLERGY"), 0);
}
END_TEST

START_TEST(unanchored_and_anchored)
{
    ck_assert_int_eq(search("PA", "needs PA today"), 1);
    ck_assert_int_eq(search("^PA$", "needs PA today"), 0);
    ck_assert_int_eq(search("^needs PA today$", "needs PA today"), 1);
    ck_assert_int_eq(search("", ""), 1);
    ck_assert_int_eq(search("x", ""), 0);
}
END_TEST

START_TEST(utf8_patterns_and_subjects)
{
    ck_assert_int_eq(search("^jos.$", "josé"), 1);         /* "." is one character */
    ck_assert_int_eq(search("(?i)JOSÉ", "josé"), 1);       /* case folds beyond ASCII */
    ck_assert_int_eq(search("^\\w+$", "Müller"), 1);       /* UCP: \w knows ü */
    ck_assert_int_eq(search("\\bNguyễn\\b", "Dr. Nguyễn, MD"), 1);
    ck_assert_int_eq(search("^.{2}$", "東京"), 1);
}
END_TEST

START_TEST(length_is_respected)
{
    hx_regex *re = compile_ok("b");
    hx_error err = {{0}};
    const char subject[] = {'a', '\0', 'b'};
    ck_assert_int_eq(hx_regex_match(re, subject, 3, &err), 1); /* past the NUL */
    ck_assert_int_eq(hx_regex_match(re, subject, 1, &err), 0); /* not past len */
    ck_assert_int_eq(hx_regex_match(re, "abc", 1, NULL), 0);
    ck_assert_int_eq(hx_regex_match(re, NULL, 0, &err), 0);
    hx_regex_free(re);
}
END_TEST

START_TEST(compile_error_names_offset_and_reason)
{
    static max_align_t not_null;
    hx_regex *re = (hx_regex *)(void *)&not_null; /* must be reset to NULL */
    hx_error err = {{0}};
    ck_assert_int_eq(hx_regex_compile("(abc", &re, &err), -1);
    ck_assert_ptr_null(re);
    ck_assert_ptr_nonnull(strstr(err.msg, "(abc"));
    ck_assert_ptr_nonnull(strstr(err.msg, "offset 4"));
    ck_assert_ptr_nonnull(strstr(err.msg, "missing closing parenthesis"));
}
END_TEST

START_TEST(invalid_patterns)
{
    const char *bad[] = {"a{2,1}", "[z-a]", "*a", "(?<n>a)(?<n>b)", "\\", "ab\xff"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        hx_regex *re = NULL;
        hx_error err = {{0}};
        ck_assert_msg(hx_regex_compile(bad[i], &re, &err) == -1, "\"%s\" compiled", bad[i]);
        ck_assert_ptr_null(re);
        ck_assert_ptr_nonnull(strstr(err.msg, "offset"));
    }
    hx_regex *re = NULL;
    ck_assert_int_eq(hx_regex_compile(NULL, &re, NULL), -1); /* NULL err is allowed */
    ck_assert_ptr_null(re);
}
END_TEST

START_TEST(invalid_utf8_subject_is_an_error)
{
    hx_regex *re = compile_ok("a");
    hx_error err = {{0}};
    ck_assert_int_eq(hx_regex_match(re, "a\xff", 2, &err), -1);
    ck_assert_str_ne(err.msg, "");
    hx_regex_free(re);
}
END_TEST

START_TEST(catastrophic_backtracking_is_bounded)
{
    const char *subject = "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaab";
    hx_regex *re = compile_ok("(a+)+$");
    hx_error err = {{0}};
    double t0 = now_seconds();
    int r = hx_regex_match(re, subject, strlen(subject), &err);
    double took = now_seconds() - t0;
    ck_assert_msg(r == 0 || r == -1, "(a+)+$ matched: %d", r);
    if (r == -1) ck_assert_ptr_nonnull(strstr(err.msg, "limit"));
    ck_assert_msg(took < 5.0, "(a+)+$ took %.1f s", took);
    hx_regex_free(re);
}
END_TEST

START_TEST(nested_quantifier_on_long_subject_is_bounded)
{
    char subject[5002];
    memset(subject, 'x', 5000);
    subject[5000] = '!';
    subject[5001] = '\0';
    hx_regex *re = compile_ok("^(x+x+)+y$");
    hx_error err = {{0}};
    double t0 = now_seconds();
    int r = hx_regex_match(re, subject, strlen(subject), &err);
    double took = now_seconds() - t0;
    ck_assert_msg(r == 0 || r == -1, "matched: %d", r);
    ck_assert_msg(took < 5.0, "took %.1f s", took);
    hx_regex_free(re);
}
END_TEST

/* Deep but legitimate backtracking overflows the JIT's small stack; the
 * wrapper must then answer with the interpreter, not report an error. */
START_TEST(deep_match_still_answers)
{
    static char subject[10001];
    for (int i = 0; i < 10000; i++) subject[i] = i % 2 ? 'a' : 'b';
    hx_regex *re = compile_ok("^(?:(a)|b)*$");
    hx_error err = {{0}};
    ck_assert_int_eq(hx_regex_match(re, subject, 10000, &err), 1);
    subject[9999] = 'c';
    ck_assert_int_eq(hx_regex_match(re, subject, 10000, &err), 0);
    hx_regex_free(re);
}
END_TEST

START_TEST(free_null)
{
    hx_regex_free(NULL);
}
END_TEST

Suite *make_suite(void)
{
    Suite *s = suite_create("regex");
    TCase *m = tcase_create("match");
    tcase_set_timeout(m, 30); /* a hang is the failure the limits prevent */
    tcase_add_test(m, inline_case_flag);
    tcase_add_test(m, unanchored_and_anchored);
    tcase_add_test(m, utf8_patterns_and_subjects);
    tcase_add_test(m, length_is_respected);
    tcase_add_test(m, compile_error_names_offset_and_reason);
    tcase_add_test(m, invalid_patterns);
    tcase_add_test(m, invalid_utf8_subject_is_an_error);
    tcase_add_test(m, catastrophic_backtracking_is_bounded);
    tcase_add_test(m, nested_quantifier_on_long_subject_is_bounded);
    tcase_add_test(m, deep_match_still_answers);
    tcase_add_test(m, free_null);
    suite_add_tcase(s, m);
    return s;
}

HX_TEST_MAIN()
