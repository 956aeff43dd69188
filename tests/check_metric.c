/*
 * check_metric.c — the metric API the DSPy bridge calls through ctypes
 * (metric.h): fractions and case verdicts exactly as the assertion engine
 * decides them, relative dates against the call date, refusals of bad input
 * with a reason, the rule cache, and many threads at once (DSPy evaluates
 * on several).
 */
#include "test_util.h"

#include <math.h>
#include <pthread.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "metric.h"

Suite *make_suite(void);

static char tmpdir[256], rules[320], rules_any[320];

static void write_file(const char *path, const char *text)
{
    FILE *f = fopen(path, "w");
    ck_assert_ptr_nonnull(f);
    fputs(text, f);
    ck_assert_int_eq(fclose(f), 0);
}

static const char RULES[] =
    "{\"fields\": {\"date\": {\"type\": \"date\"}, \"time\": {\"type\": \"time\"},\n"
    " \"party_size\": {\"type\": \"integer\"}, \"name\": {\"type\": \"text\", \"min_similarity\": 0.85},\n"
    " \"phone\": {\"type\": \"phone\", \"region\": \"US\"}}, \"case_passes\": \"all\"}\n";

static void setup(void)
{
    snprintf(tmpdir, sizeof tmpdir, "/tmp/hx_metric_XXXXXX");
    ck_assert_ptr_nonnull(mkdtemp(tmpdir));
    snprintf(rules, sizeof rules, "%s/rules.json", tmpdir);
    snprintf(rules_any, sizeof rules_any, "%s/any.json", tmpdir);
    write_file(rules, RULES);
    write_file(rules_any, "{\"fields\": {\"a\": {\"type\": \"integer\"}, \"b\": {\"type\": \"integer\"}},"
                          " \"case_passes\": \"any\"}");
}

static void teardown(void)
{
    hx_metric_reset();
    unlink(rules);
    unlink(rules_any);
    rmdir(tmpdir);
}

static const char EXPECTED[] =
    "{\"date\": \"2026-11-26\", \"time\": \"19:30\", \"party_size\": 4,"
    " \"name\": {\"any_of\": [\"Dana\", \"Dana Whitfield\"]}, \"phone\": null}";

START_TEST(test_all_fields_pass)
{
    const char *out = "{\"date\": \"2026-11-26\", \"time\": \"7:30 pm\", \"party_size\": 4,"
                      " \"name\": \"Dana Whitfield\", \"phone\": null}";
    ck_assert_double_eq(hx_metric(rules, EXPECTED, out, "2026-11-25"), 1.0);
    ck_assert_int_eq(hx_metric_case(rules, EXPECTED, out, "2026-11-25"), 1);
    ck_assert_str_eq(hx_metric_error(), "");
}
END_TEST

START_TEST(test_fraction_of_checked_fields)
{
    /* am/pm wrong and an invented phone: 3 of 5 pass */
    const char *out = "{\"date\": \"2026-11-26\", \"time\": \"07:30\", \"party_size\": \"four\","
                      " \"name\": \"Dana\", \"phone\": \"555-0100\"}";
    double f = hx_metric(rules, EXPECTED, out, "2026-11-25");
    ck_assert_double_eq_tol(f, 2.0 / 5.0 + 1.0 / 5.0, 1e-12);
    ck_assert_int_eq(hx_metric_case(rules, EXPECTED, out, "2026-11-25"), 0);
}
END_TEST

START_TEST(test_relative_date_needs_call_date)
{
    const char *exp = "{\"date\": \"tomorrow\"}";
    ck_assert_double_eq(hx_metric(rules, exp, "{\"date\": \"2026-11-26\"}", "2026-11-25"), 1.0);
    ck_assert_double_eq(hx_metric(rules, exp, "{\"date\": \"2026-11-27\"}", "2026-11-25"), 0.0);
    /* without a call date the expected value cannot be read: the field fails, it is not an error */
    ck_assert_double_eq(hx_metric(rules, exp, "{\"date\": \"2026-11-26\"}", ""), 0.0);
}
END_TEST

START_TEST(test_fields_without_rule_are_not_checked)
{
    const char *exp = "{\"time\": \"19:30\", \"decision\": \"covered\"}";
    ck_assert_double_eq(hx_metric(rules, exp, "{\"time\": \"19:30\"}", "2026-11-25"), 1.0);
}
END_TEST

START_TEST(test_absent_outputs)
{
    const char *exp = "{\"time\": \"19:30\", \"phone\": null}";
    /* no outputs at all: the phone rightly left empty passes, the time does not */
    ck_assert_double_eq(hx_metric(rules, exp, "null", "2026-11-25"), 0.5);
    ck_assert_double_eq(hx_metric(rules, exp, "", "2026-11-25"), 0.5);
    ck_assert_double_eq(hx_metric(rules, exp, NULL, "2026-11-25"), 0.5);
    ck_assert_double_eq(hx_metric(rules, exp, "{\"time\": \"19:30\", \"phone\": \"None\"}", "2026-11-25"), 1.0);
}
END_TEST

START_TEST(test_case_passes_any)
{
    const char *exp = "{\"a\": 1, \"b\": 2}";
    ck_assert_double_eq(hx_metric(rules_any, exp, "{\"a\": 1, \"b\": 3}", NULL), 0.5);
    ck_assert_int_eq(hx_metric_case(rules_any, exp, "{\"a\": 1, \"b\": 3}", NULL), 1);
    ck_assert_int_eq(hx_metric_case(rules_any, exp, "{\"a\": 0, \"b\": 3}", NULL), 0);
}
END_TEST

START_TEST(test_bad_input_refused_with_reason)
{
    char missing[400];
    snprintf(missing, sizeof missing, "%s/nope.json", tmpdir);
    ck_assert_double_eq(hx_metric(missing, EXPECTED, "{}", "2026-11-25"), -1);
    ck_assert_ptr_nonnull(strstr(hx_metric_error(), "nope.json"));
    ck_assert_double_eq(hx_metric(rules, "{not json", "{}", "2026-11-25"), -1);
    ck_assert_ptr_nonnull(strstr(hx_metric_error(), "expected"));
    ck_assert_double_eq(hx_metric(rules, "[1]", "{}", "2026-11-25"), -1);
    ck_assert_double_eq(hx_metric(rules, EXPECTED, "[1, 2]", "2026-11-25"), -1);
    ck_assert_ptr_nonnull(strstr(hx_metric_error(), "outputs"));
    ck_assert_double_eq(hx_metric(rules, EXPECTED, "{}", "2026-13-01"), -1);
    ck_assert_ptr_nonnull(strstr(hx_metric_error(), "call_date"));
    ck_assert_double_eq(hx_metric(rules, "{\"decision\": \"x\"}", "{}", "2026-11-25"), -1);
    ck_assert_ptr_nonnull(strstr(hx_metric_error(), "nothing to check"));
    ck_assert_double_eq(hx_metric(NULL, EXPECTED, "{}", NULL), -1);
    ck_assert_double_eq(hx_metric(rules, NULL, "{}", NULL), -1);
    ck_assert_int_eq(hx_metric_case(rules, "{}", "{}", NULL), -1);
    ck_assert_ptr_null(hx_metric_explain(rules, "{}", "{}", NULL));
    /* and a good call afterwards clears the error */
    ck_assert_double_eq(hx_metric(rules, "{\"time\": \"19:30\"}", "{\"time\": \"19:30\"}", NULL), 1.0);
    ck_assert_str_eq(hx_metric_error(), "");
}
END_TEST

START_TEST(test_bad_rules_file_reports_problem)
{
    char bad[400];
    snprintf(bad, sizeof bad, "%s/bad.json", tmpdir);
    write_file(bad, "{\"fields\": {\"x\": {\"type\": \"weekday\"}}}");
    ck_assert_double_eq(hx_metric(bad, "{\"x\": 1}", "{}", NULL), -1);
    ck_assert_ptr_nonnull(strstr(hx_metric_error(), "weekday"));
    unlink(bad);
}
END_TEST

START_TEST(test_rules_are_cached_until_reset)
{
    const char *exp = "{\"time\": \"19:30\"}", *out = "{\"time\": \"19:35\"}";
    ck_assert_double_eq(hx_metric(rules, exp, out, NULL), 0.0);
    /* a tolerance added to the file is not seen while the rules are cached */
    write_file(rules, "{\"fields\": {\"time\": {\"type\": \"time\", \"tolerance_minutes\": 10}}}");
    ck_assert_double_eq(hx_metric(rules, exp, out, NULL), 0.0);
    hx_metric_reset();
    ck_assert_double_eq(hx_metric(rules, exp, out, NULL), 1.0);
}
END_TEST

START_TEST(test_explain)
{
    char *s = hx_metric_explain(rules, "{\"time\": \"19:30\", \"party_size\": 4}",
                                "{\"time\": \"07:30\", \"party_size\": 4}", "2026-11-25");
    ck_assert_ptr_nonnull(s);
    ck_assert_ptr_nonnull(strstr(s, "\"status\":\"fail\""));
    ck_assert_ptr_nonnull(strstr(s, "\"score\":0.5"));
    ck_assert_ptr_nonnull(strstr(s, "am/pm"));
    ck_assert_ptr_nonnull(strstr(s, "\"field\":\"party_size\",\"pass\":true"));
    hx_metric_free(s);
}
END_TEST

START_TEST(test_abi)
{
    ck_assert_int_eq(hx_metric_abi(), HX_METRIC_ABI);
}
END_TEST

/* Many threads, several rule files, first loads racing: every answer must
 * still be the single-threaded one. */
static void *hammer(void *arg)
{
    long k = (long)arg;
    for (int i = 0; i < 300; i++) {
        const char *r = (i + k) % 2 ? rules : rules_any;
        double f = r == rules ? hx_metric(r, "{\"time\": \"19:30\", \"party_size\": 4}",
                                          "{\"time\": \"19:30\", \"party_size\": 5}", "2026-11-25")
                              : hx_metric(r, "{\"a\": 1, \"b\": 2}", "{\"a\": 1, \"b\": 2}", NULL);
        double want = r == rules ? 0.5 : 1.0;
        if (f != want) return (void *)1;
        if (i % 50 == 0 && hx_metric(r, "{", "{}", NULL) != -1) return (void *)1;
    }
    return NULL;
}

START_TEST(test_threads)
{
    pthread_t t[8];
    for (long i = 0; i < 8; i++) ck_assert_int_eq(pthread_create(&t[i], NULL, hammer, (void *)i), 0);
    for (int i = 0; i < 8; i++) {
        void *r;
        ck_assert_int_eq(pthread_join(t[i], &r), 0);
        ck_assert_ptr_null(r);
    }
}
END_TEST

Suite *make_suite(void)
{
    Suite *s = suite_create("metric");
    TCase *tc = tcase_create("metric");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, test_all_fields_pass);
    tcase_add_test(tc, test_fraction_of_checked_fields);
    tcase_add_test(tc, test_relative_date_needs_call_date);
    tcase_add_test(tc, test_fields_without_rule_are_not_checked);
    tcase_add_test(tc, test_absent_outputs);
    tcase_add_test(tc, test_case_passes_any);
    tcase_add_test(tc, test_bad_input_refused_with_reason);
    tcase_add_test(tc, test_bad_rules_file_reports_problem);
    tcase_add_test(tc, test_rules_are_cached_until_reset);
    tcase_add_test(tc, test_explain);
    tcase_add_test(tc, test_abi);
    tcase_add_test(tc, test_threads);
    suite_add_tcase(s, tc);
    return s;
}

HX_TEST_MAIN()
