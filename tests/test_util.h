/*
 * test_util.h — shared scaffolding for the Check unit tests.
 *
 * Each tests/check_<module>.c is its own program: it defines
 * `Suite *make_suite(void)` and ends with HX_TEST_MAIN(), so modules can be
 * tested (and their test files written) independently.
 * HX_SHARED points at ../shared (set by the Makefile) for tests that read the
 * real SGD data.
 */
#ifndef HX_TEST_UTIL_H
#define HX_TEST_UTIL_H

#include <check.h>
#include <stdio.h>
#include <stdlib.h>

static inline const char *hx_test_shared(void)
{
    const char *s = getenv("HX_SHARED");
    return s && *s ? s : "../shared";
}

#define HX_TEST_MAIN()                                                    \
    int main(void)                                                        \
    {                                                                     \
        Suite *s = make_suite();                                          \
        SRunner *sr = srunner_create(s);                                  \
        srunner_run_all(sr, CK_NORMAL);                                   \
        int failed = srunner_ntests_failed(sr);                           \
        srunner_free(sr);                                                 \
        return failed ? EXIT_FAILURE : EXIT_SUCCESS;                      \
    }

#endif
