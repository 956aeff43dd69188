/*
 * check_assertion.c — the assertion engine: expected-value forms, typed
 * comparisons and the reasons people read.
 */
#include "test_util.h"

#include <string.h>

#include "assertion.h"

static hx_json_doc DOC;
static hx_rules RULES;
static hx_norm_ctx CTX; /* call on Wednesday 2026-11-25 */

static void load_rules(const char *json)
{
    hx_error err;
    hx_diags d = {0};
    ck_assert_msg(hx_json_doc_parse("rules.json", 1, json, strlen(json), &DOC, &err) == 0, "%s", err.msg);
    int rc = hx_rules_from_doc(&DOC, &RULES, &d);
    if (rc != 0) hx_diags_print(&d, stderr);
    ck_assert_int_eq(rc, 0);
    hx_diags_free(&d);
    memset(&CTX, 0, sizeof CTX);
    CTX.ref_year = 2026;
    CTX.ref_month = 11;
    CTX.ref_day = 25;
}

static void teardown(void)
{
    hx_rules_free(&RULES);
    hx_json_doc_free(&DOC);
}

/* Check field `field` with expected and actual given as JSON texts
 * (actual NULL = absent). Returns pass; *v is filled (caller frees). */
static bool check(const char *field, const char *expected, const char *actual, hx_field_verdict *v)
{
    cJSON *e = cJSON_Parse(expected), *a = actual ? cJSON_Parse(actual) : NULL;
    const hx_rule *r = hx_rules_find(&RULES, field);
    ck_assert_msg(e != NULL, "bad expected JSON %s", expected);
    ck_assert_msg(!actual || a, "bad actual JSON %s", actual);
    ck_assert_ptr_nonnull(r);
    hx_check_field(r, field, e, a, &CTX, v);
    cJSON_Delete(e);
    cJSON_Delete(a);
    return v->pass;
}

static void expect_fail_reason(const char *field, const char *expected, const char *actual, const char *reason)
{
    hx_field_verdict v;
    ck_assert_msg(!check(field, expected, actual, &v), "%s: %s vs %s passed", field, expected, actual ? actual : "(absent)");
    ck_assert_msg(strstr(v.reason, reason) != NULL, "reason \"%s\" lacks \"%s\"", v.reason, reason);
    hx_field_verdict_free(&v);
}

static void expect_pass(const char *field, const char *expected, const char *actual)
{
    hx_field_verdict v;
    ck_assert_msg(check(field, expected, actual, &v), "%s: %s vs %s failed: %s", field, expected,
                  actual ? actual : "(absent)", v.reason);
    hx_field_verdict_free(&v);
}

static const char BOOKING[] =
    "{\"fields\": {"
    " \"date\": {\"type\": \"date\"},"
    " \"time\": {\"type\": \"time\"},"
    " \"late\": {\"type\": \"time\", \"tolerance_minutes\": 10},"
    " \"party_size\": {\"type\": \"integer\"},"
    " \"amount\": {\"type\": \"money\", \"tolerance\": 0.01},"
    " \"name\": {\"type\": \"text\", \"min_similarity\": 0.85},"
    " \"exact_name\": {\"type\": \"text\"},"
    " \"phone\": {\"type\": \"phone\"},"
    " \"insured\": {\"type\": \"boolean\"},"
    " \"insurance\": {\"type\": \"enum\", \"values\": {\"Blue Cross Blue Shield\": [\"BCBS\", \"Blue Cross\"],"
    "                 \"UnitedHealthcare\": [\"UHC\", \"United Healthcare\"]}},"
    " \"decision\": {\"type\": \"label\", \"values\": [\"covered\", \"needs_pa\", \"denied\"]},"
    " \"notes\": {\"type\": \"regex\", \"pattern\": \"(?i)allerg\"},"
    " \"free_notes\": {\"type\": \"regex\"},"
    " \"dishes\": {\"type\": \"list\", \"items\": {\"type\": \"text\"}},"
    " \"steps\": {\"type\": \"list\", \"items\": {\"type\": \"integer\"}, \"ordered\": true},"
    " \"address\": {\"type\": \"address\"}"
    "}}";

static void setup_booking(void) { load_rules(BOOKING); }

START_TEST(time_am_pm_reason)
{
    expect_fail_reason("time", "\"19:30\"", "\"07:30\"", "expected 19:30, got 07:30: am/pm differs");
    expect_pass("time", "\"19:30\"", "\"7:30 pm\"");
    expect_fail_reason("time", "\"19:30\"", "\"19:45\"", "15 minutes late");
    /* regression: a gap over 12 h was described across midnight ("435 minutes late") */
    expect_fail_reason("time", "\"20:30\"", "\"03:45\"", "16 h 45 min early");
    expect_fail_reason("time", "\"09:00\"", "\"10:30\"", "1 h 30 min late");
}
END_TEST

START_TEST(time_tolerance_wraps_midnight)
{
    expect_pass("late", "\"23:55\"", "\"00:05\"");
    expect_pass("late", "\"12:00\"", "\"11:50\"");
    expect_fail_reason("late", "\"12:00\"", "\"11:49\"", "11 minutes early");
}
END_TEST

START_TEST(date_reasons)
{
    expect_fail_reason("date", "\"2026-11-21\"", "\"2026-11-20\"", "1 day early");
    expect_fail_reason("date", "\"2026-11-27\"", "\"2026-12-04\"", "a week late");
    expect_fail_reason("date", "\"2027-03-05\"", "\"2026-03-05\"", "the year differs");
    /* both sides resolve against the call date: Wed 2026-11-25 + 1 */
    expect_pass("date", "\"tomorrow\"", "\"2026-11-26\"");
    expect_pass("date", "\"2026-11-27\"", "\"next Friday\"");
}
END_TEST

START_TEST(null_means_must_be_absent)
{
    expect_pass("phone", "null", NULL);
    expect_pass("phone", "null", "null");
    expect_pass("phone", "null", "\"\"");
    expect_pass("phone", "null", "\"None\"");
    expect_pass("phone", "null", "\"N/A\"");
    expect_pass("phone", "null", "\"not provided\"");
    expect_fail_reason("phone", "null", "\"555-0199\"", "invented value");
}
END_TEST

START_TEST(absent_actual_fails)
{
    hx_field_verdict v;
    ck_assert(!check("time", "\"7pm\"", NULL, &v));
    ck_assert_str_eq(v.reason, "expected 19:00, got nothing");
    ck_assert_ptr_null(v.actual_raw);
    hx_field_verdict_free(&v);
    expect_fail_reason("time", "\"19:00\"", "\"unknown\"", "got nothing");
}
END_TEST

START_TEST(unreadable_actual_names_it)
{
    hx_field_verdict v;
    ck_assert(!check("time", "\"19:00\"", "\"sevenish\"", &v));
    ck_assert_msg(strstr(v.reason, "expected 19:00, got \"sevenish\": ") == v.reason, "%s", v.reason);
    ck_assert_str_eq(v.actual_raw, "\"sevenish\"");
    ck_assert_ptr_null(v.actual);
    hx_field_verdict_free(&v);
}
END_TEST

START_TEST(any_of_alternatives)
{
    hx_field_verdict v;
    expect_pass("name", "{\"any_of\": [\"Dana\", \"Dana Whitfield\"]}", "\"dana whitfield\"");
    ck_assert(!check("exact_name", "{\"any_of\": [\"Dana\", \"Dana Whitfield\"]}", "\"Dan\"", &v));
    ck_assert_str_eq(v.expected, "any of: dana | dana whitfield");
    ck_assert_msg(strstr(v.reason, "expected any of: dana | dana whitfield, got \"Dan\"") != NULL, "%s", v.reason);
    hx_field_verdict_free(&v);
}
END_TEST

START_TEST(integer_words_and_numbers)
{
    expect_pass("party_size", "4", "\"four\"");
    expect_pass("party_size", "\"six\"", "6");
    expect_pass("party_size", "12", "\"a dozen\"");
    expect_fail_reason("party_size", "4", "5", "expected 4, got 5");
    expect_fail_reason("party_size", "4", "4.5", "got \"4.5\"");
}
END_TEST

START_TEST(money_tolerance)
{
    expect_pass("amount", "\"$1,250.50\"", "1250.5");
    expect_pass("amount", "\"10.00\"", "\"$10.01\"");
    expect_fail_reason("amount", "\"10.00\"", "\"$10.50\"", "off by 0.50");
    expect_pass("amount", "71", "\"seventy one bucks\"");
}
END_TEST

START_TEST(text_similarity)
{
    hx_field_verdict v;
    /* "omar haddad" vs "omar hadad": one edit in 11 characters = 0.909 */
    expect_pass("name", "\"Omar Haddad\"", "\"Omar Hadad\"");
    /* "omar haddad" vs "omar had": 3 edits in 11 = 0.727 */
    ck_assert(!check("name", "\"Omar Haddad\"", "\"Omar Had\"", &v));
    ck_assert_msg(strstr(v.reason, "similarity 0.73 < 0.85") != NULL, "%s", v.reason);
    hx_field_verdict_free(&v);
    expect_pass("exact_name", "\"José O'Brien\"", "\"jose obrien\"");
    expect_fail_reason("exact_name", "\"Omar Haddad\"", "\"Omar Hadad\"", "expected \"omar haddad\"");
}
END_TEST

START_TEST(phone_e164)
{
    expect_pass("phone", "\"(415) 555-0134\"", "\"+1 415 555 0134\"");
    expect_fail_reason("phone", "\"+14155550134\"", "\"+44 415 555 0134\"", "country code differs");
}
END_TEST

START_TEST(enum_and_label)
{
    hx_field_verdict v;
    expect_pass("insurance", "\"UnitedHealthcare\"", "\"UHC\"");
    expect_pass("insurance", "\"BCBS\"", "\"blue cross\"");
    expect_fail_reason("insurance", "\"UnitedHealthcare\"", "\"Blue Cross\"",
                       "expected UnitedHealthcare, got Blue Cross Blue Shield");
    ck_assert(!check("insurance", "\"UnitedHealthcare\"", "\"Cigna\"", &v));
    ck_assert_str_eq(v.expected, "UnitedHealthcare");
    ck_assert_ptr_null(v.actual);
    hx_field_verdict_free(&v);
    expect_pass("decision", "\"needs_pa\"", "\"Needs PA\"");
    expect_fail_reason("decision", "\"covered\"", "\"denied\"", "expected covered, got denied");
    expect_pass("insured", "true", "\"Yes\"");
    expect_fail_reason("insured", "true", "\"no\"", "expected true, got false");
}
END_TEST

START_TEST(regex_rule_and_per_case_pattern)
{
    expect_pass("notes", "true", "\"Severe ALLERGY to nuts\"");
    expect_fail_reason("notes", "true", "\"window seat\"", "does not match /(?i)allerg/");
    expect_pass("free_notes", "\"^window\"", "\"window seat\"");
    expect_fail_reason("free_notes", "\"^window\"", "\"a window seat\"", "does not match /^window/");
}
END_TEST

START_TEST(lists)
{
    expect_pass("dishes", "[\"Pad Thai\", \"Green Curry\"]", "[\"green curry\", \"pad thai\"]");
    expect_pass("dishes", "[\"Pad Thai\"]", "\"[\\\"pad thai\\\"]\"");
    expect_fail_reason("dishes", "[\"Pad Thai\", \"Green Curry\"]", "[\"pad thai\", \"red curry\"]",
                       "missing \"Green Curry\"; unexpected \"red curry\"");
    expect_pass("steps", "[1, 2, 3]", "[\"one\", 2, \"three\"]");
    expect_fail_reason("steps", "[1, 2, 3]", "[2, 1, 3]", "missing");
    expect_fail_reason("dishes", "[\"Pad Thai\"]", "\"pad thai\"", "expected a list of 1, got a single value");
}
END_TEST

START_TEST(address_by_component)
{
    expect_pass("address", "\"1580 Clayton Road # 1\"", "\"1580 clayton rd # 1\"");
    expect_fail_reason("address", "\"1580 Clayton Road\"", "\"1508 Clayton Road\"", "1580");
}
END_TEST

START_TEST(expected_values_validated)
{
    char why[512];
    cJSON *e;
    const hx_rule *date = hx_rules_find(&RULES, "date");
    e = cJSON_Parse("\"2026-13-01\"");
    ck_assert_int_eq(hx_expected_valid(date, e, &CTX, why), -1);
    ck_assert_msg(strstr(why, "not a valid date") != NULL, "%s", why);
    cJSON_Delete(e);
    e = cJSON_Parse("{\"any_of\": []}");
    ck_assert_int_eq(hx_expected_valid(date, e, &CTX, why), -1);
    ck_assert_str_eq(why, "\"any_of\" is empty");
    cJSON_Delete(e);
    e = cJSON_Parse("{\"one_of\": [\"2026-11-25\"]}");
    ck_assert_int_eq(hx_expected_valid(date, e, &CTX, why), -1);
    cJSON_Delete(e);
    e = cJSON_Parse("{\"any_of\": [\"2026-11-25\", \"tomorrow\"]}");
    ck_assert_int_eq(hx_expected_valid(date, e, &CTX, why), 0);
    cJSON_Delete(e);
    e = cJSON_Parse("null");
    ck_assert_int_eq(hx_expected_valid(date, e, &CTX, why), 0);
    cJSON_Delete(e);
    e = cJSON_Parse("\"[\"");
    ck_assert_int_eq(hx_expected_valid(hx_rules_find(&RULES, "free_notes"), e, &CTX, why), -1);
    cJSON_Delete(e);
}
END_TEST

/* --- cases ---------------------------------------------------------------- */

static int case_status(const char *expected, const char *outputs, hx_case_verdict *v)
{
    cJSON *e = cJSON_Parse(expected), *o = outputs ? cJSON_Parse(outputs) : NULL;
    int rc = hx_check_case(&RULES, e, o, &CTX, v);
    cJSON_Delete(e);
    cJSON_Delete(o);
    ck_assert_int_eq(rc, 0);
    return v->status;
}

START_TEST(case_all_reports_first_failure)
{
    hx_case_verdict v;
    ck_assert_int_eq(case_status("{\"date\": \"2026-11-26\", \"time\": \"19:00\", \"other_module_field\": 1}",
                                 "{\"date\": \"tomorrow\", \"time\": \"7:00\"}", &v), HX_FAIL);
    ck_assert_uint_eq(v.nfields, 2); /* a field with no rule belongs to another module */
    ck_assert(v.fields[0].pass);
    ck_assert(!v.fields[1].pass);
    ck_assert_str_eq(v.reason, "time: expected 19:00, got 07:00: am/pm differs");
    hx_case_verdict_free(&v);
    ck_assert_int_eq(case_status("{\"date\": \"2026-11-26\"}", "{\"date\": \"2026-11-26\"}", &v), HX_PASS);
    ck_assert_str_eq(v.reason, "");
    hx_case_verdict_free(&v);
    /* no outputs at all: every expected value is missing */
    ck_assert_int_eq(case_status("{\"date\": \"2026-11-26\", \"phone\": null}", NULL, &v), HX_FAIL);
    ck_assert(v.fields[1].pass);
    hx_case_verdict_free(&v);
}
END_TEST

START_TEST(case_any_and_fraction)
{
    hx_case_verdict v;
    teardown();
    load_rules("{\"fields\": {\"a\": {\"type\": \"integer\"}, \"b\": {\"type\": \"integer\"}, \"c\": {\"type\": \"integer\"}},"
               " \"case_passes\": 0.6}");
    ck_assert_int_eq(case_status("{\"a\": 1, \"b\": 2, \"c\": 3}", "{\"a\": 1, \"b\": 2, \"c\": 4}", &v), HX_PASS);
    hx_case_verdict_free(&v);
    ck_assert_int_eq(case_status("{\"a\": 1, \"b\": 2, \"c\": 3}", "{\"a\": 1, \"b\": 5, \"c\": 4}", &v), HX_FAIL);
    hx_case_verdict_free(&v);
    teardown();
    load_rules("{\"fields\": {\"a\": {\"type\": \"integer\"}, \"b\": {\"type\": \"integer\"}}, \"case_passes\": \"any\"}");
    ck_assert_int_eq(case_status("{\"a\": 1, \"b\": 2}", "{\"a\": 9, \"b\": 2}", &v), HX_PASS);
    hx_case_verdict_free(&v);
    ck_assert_int_eq(case_status("{\"a\": 1, \"b\": 2}", "{\"a\": 9, \"b\": 9}", &v), HX_FAIL);
    hx_case_verdict_free(&v);
}
END_TEST

START_TEST(absent_words_are_not_values)
{
    cJSON *v;
    ck_assert(hx_value_absent(NULL));
    v = cJSON_Parse("\"  None. \""); ck_assert(hx_value_absent(v)); cJSON_Delete(v);
    v = cJSON_Parse("\"unknown\""); ck_assert(hx_value_absent(v)); cJSON_Delete(v);
    v = cJSON_Parse("[]"); ck_assert(hx_value_absent(v)); cJSON_Delete(v);
    v = cJSON_Parse("\"Nonna's\""); ck_assert(!hx_value_absent(v)); cJSON_Delete(v);
    v = cJSON_Parse("0"); ck_assert(!hx_value_absent(v)); cJSON_Delete(v);
    v = cJSON_Parse("false"); ck_assert(!hx_value_absent(v)); cJSON_Delete(v);
}
END_TEST

Suite *make_suite(void);
Suite *make_suite(void)
{
    Suite *s = suite_create("assertion");
    TCase *tc = tcase_create("fields");
    tcase_add_checked_fixture(tc, setup_booking, teardown);
    tcase_add_test(tc, time_am_pm_reason);
    tcase_add_test(tc, time_tolerance_wraps_midnight);
    tcase_add_test(tc, date_reasons);
    tcase_add_test(tc, null_means_must_be_absent);
    tcase_add_test(tc, absent_actual_fails);
    tcase_add_test(tc, unreadable_actual_names_it);
    tcase_add_test(tc, any_of_alternatives);
    tcase_add_test(tc, integer_words_and_numbers);
    tcase_add_test(tc, money_tolerance);
    tcase_add_test(tc, text_similarity);
    tcase_add_test(tc, phone_e164);
    tcase_add_test(tc, enum_and_label);
    tcase_add_test(tc, regex_rule_and_per_case_pattern);
    tcase_add_test(tc, lists);
    tcase_add_test(tc, address_by_component);
    tcase_add_test(tc, expected_values_validated);
    tcase_add_test(tc, case_all_reports_first_failure);
    tcase_add_test(tc, case_any_and_fraction);
    tcase_add_test(tc, absent_words_are_not_values);
    suite_add_tcase(s, tc);
    return s;
}

HX_TEST_MAIN()
