/*
 * check_norm_number.c — unit tests for hx_norm_integer, hx_norm_money and
 * hx_norm_number (harness/norm_number.c).
 *
 * Expected values come from the contract in canon.h and the brief's rules
 * (and plain arithmetic), not from the code's own output. The last test
 * reads the real SGD pairs (HX_SHARED/data/sgd/pairs_dev.jsonl) and holds
 * the money and duration kinds to the project's bar.
 */
#include "test_util.h"

#include "canon.h"

#include <cjson/cJSON.h>
#include <string.h>

Suite *make_suite(void);

typedef int (*norm_fn)(const char *, const hx_norm_ctx *, hx_canon *);

/* `line` is the caller's, so a failure points at the case, not here. */
static void expect(norm_fn fn, const char *name, const char *in, const char *want, int line)
{
    hx_canon c;
    memset(&c, 0, sizeof c);
    int rc = fn(in, NULL, &c);
    ck_assert_msg(rc == 0, "line %d: %s(\"%s\") refused: %s (want %s)", line, name, in,
                  c.why, want);
    ck_assert_msg(strcmp(c.value, want) == 0, "line %d: %s(\"%s\") = \"%s\", want \"%s\"",
                  line, name, in, c.value, want);
}

/* Refused with a reason; `why_has` (if non-NULL) must appear in it. */
static void refuse(norm_fn fn, const char *name, const char *in, const char *why_has,
                   int line)
{
    hx_canon c;
    memset(&c, 0, sizeof c);
    int rc = fn(in, NULL, &c);
    if (!in) in = "(NULL)";
    ck_assert_msg(rc == -1, "line %d: %s(\"%.80s\") gave \"%s\", want a refusal", line,
                  name, in, c.value);
    ck_assert_msg(c.why[0] != '\0', "line %d: %s(\"%.80s\"): empty reason", line, name, in);
    if (why_has)
        ck_assert_msg(strstr(c.why, why_has) != NULL,
                      "line %d: %s(\"%.80s\"): reason \"%s\" lacks \"%s\"", line, name, in,
                      c.why, why_has);
}

#define INT_OK(in, want) expect(hx_norm_integer, "integer", in, want, __LINE__)
#define INT_NO(in, why) refuse(hx_norm_integer, "integer", in, why, __LINE__)
#define MONEY_OK(in, want) expect(hx_norm_money, "money", in, want, __LINE__)
#define MONEY_NO(in, why) refuse(hx_norm_money, "money", in, why, __LINE__)
#define NUM_OK(in, want) expect(hx_norm_number, "number", in, want, __LINE__)
#define NUM_NO(in, why) refuse(hx_norm_number, "number", in, why, __LINE__)

/* ---- integer ---------------------------------------------------------------- */

START_TEST(integer_digits)
{
    INT_OK("4", "4");
    INT_OK("1,200", "1200");
    INT_OK("-3", "-3");
    INT_OK("+3", "3");
    INT_OK("3.0", "3");
    INT_OK("0", "0");
    INT_OK("007", "7");
    INT_OK("  12  ", "12");
}
END_TEST

START_TEST(integer_words)
{
    INT_OK("four", "4");
    INT_OK("Seven", "7");
    INT_OK("twenty-one", "21");
    INT_OK("one hundred and five", "105");
    INT_OK("a dozen", "12");
    INT_OK("a couple", "2");
    INT_OK("a couple of", "2");
    INT_OK("two thousand and twelve", "2012");
    INT_OK("three billion", "3000000000");
    INT_OK("minus three", "-3");
    INT_OK("2 million", "2000000");
    INT_OK("1.5 million", "1500000");
    INT_OK("2k", "2000");
}
END_TEST

START_TEST(integer_with_units)
{
    INT_OK("4 people", "4");
    INT_OK("party of six", "6");
    INT_OK("table for 4", "4");
    INT_OK("for four", "4");
    INT_OK("four of us", "4");
    INT_OK("2 nights", "2");
    INT_OK("three days", "3");
    INT_OK("I will be staying for seven days.", "7");
    INT_OK("4 people, so 4", "4");
    INT_OK("the two of us", "2");
    INT_OK("a table for 4 under the name Lee", "4");
    INT_OK("how about 4", "4");
    INT_OK("3-night stay", "3");
}
END_TEST

START_TEST(integer_people_words)
{
    INT_OK("just me", "1");
    INT_OK("only me", "1");
    INT_OK("myself", "1");
    INT_OK("just myself", "1");
    INT_OK("me", "1");
    INT_OK("me and my wife", "2");
    INT_OK("me and my husband", "2");
    INT_OK("my partner and I", "2");
    INT_OK("me and a friend", "2");
    INT_OK("both of us", "2");
    INT_OK("me and my wife, so 2", "2");
    /* the count these imply is not written down */
    INT_NO("me and my two kids", NULL);
    INT_NO("me and John", NULL);
    INT_NO("me and 3 friends", NULL);
    INT_NO("me and my wife and kids", NULL);
    INT_NO("me and my kids", NULL);
    INT_NO("just me, 4 people", "two different numbers");
}
END_TEST

START_TEST(integer_refusals)
{
    INT_NO("", "no number");
    INT_NO("garbage", "no number");
    INT_NO("4 or 6", NULL);
    INT_NO("4 and 6", "two different numbers: 4 and 6");
    INT_NO("4 people, no wait, 6", "two different numbers");
    INT_NO("2.5", NULL);
    INT_NO("two and a half", NULL);
    INT_NO("1e+20", "1e+20");
    INT_NO("1E5", NULL);
    INT_NO("about 4", NULL);
    INT_NO("at least 4", NULL);
    INT_NO("more than 4", NULL);
    INT_NO("not 4", NULL);
    INT_NO("4+", NULL);
    INT_NO("under 5", NULL);
    INT_NO("5th", "ordinal");
    INT_NO("the fifth", "ordinal");
    INT_NO("at 7:30", NULL);
    INT_NO("4pm", NULL);
    INT_NO("1,00", "malformed");
    INT_NO("12,34,567", "malformed");
    INT_NO("50%", "percent");
    INT_NO("a few", NULL);
    INT_NO("no one", NULL);
    INT_NO("two trillion", NULL);
    INT_NO("1,500 thousand", NULL);
    INT_NO("1.000", "thousands separator");
    INT_NO("negative, 4 people", NULL);
    INT_NO("twentynine", NULL);
    INT_NO("4\xe2\x80\x93" "5", NULL);          /* 4–5 with an en dash */
}
END_TEST

START_TEST(integer_limits)
{
    INT_OK("9007199254740992", "9007199254740992");      /* 2^53 */
    INT_OK("-9007199254740992", "-9007199254740992");
    INT_NO("9007199254740993", "too large");             /* 2^53 + 1 */
    INT_NO("9223372036854775807", "too large");          /* INT64_MAX */
    INT_NO("9223372036854775808", "too large");          /* INT64_MAX + 1 */
    INT_NO("99999999999999999999", "too large");
    INT_NO("18446744073709551616", "too large");         /* 2^64 */
    INT_NO("nine hundred billion billion", NULL);
}
END_TEST

START_TEST(integer_long_input)
{
    char buf[1001];
    memset(buf, 'a', 1000);
    buf[1000] = '\0';
    INT_NO(buf, NULL);
    for (int i = 0; i < 1000; i += 2) { buf[i] = '4'; buf[i + 1] = ' '; }
    INT_NO(buf, NULL);
    memset(buf, '9', 1000);
    INT_NO(buf, NULL);
    memset(buf, '-', 1000);
    INT_NO(buf, NULL);
    INT_NO(NULL, NULL);
}
END_TEST

/* ---- money ------------------------------------------------------------------ */

START_TEST(money_figures)
{
    MONEY_OK("$12.60", "12.60");
    MONEY_OK("$8.00", "8.00");
    MONEY_OK("$1,248.55", "1248.55");
    MONEY_OK("$21", "21");
    MONEY_OK("$1,009", "1009");
    MONEY_OK("$12.5", "12.50");
    MONEY_OK("40", "40");
    MONEY_OK("USD 40", "40");
    MONEY_OK("40 USD", "40");
    MONEY_OK("US$40", "40");
    MONEY_OK("-$5", "-5");
    MONEY_OK("$-5", "-5");
    MONEY_OK("$.50", "0.50");
    MONEY_OK("$0", "0");
    MONEY_OK("$99,999.99", "99999.99");
}
END_TEST

START_TEST(money_words)
{
    MONEY_OK("seventy one bucks", "71");
    MONEY_OK("71 dollars", "71");
    MONEY_OK("1,490 bucks", "1490");
    MONEY_OK("one thousand seven hundred and sixty bucks", "1760");
    MONEY_OK("five dollars and twenty cents", "5.20");
    MONEY_OK("50 cents", "0.50");
    MONEY_OK("twenty five cents", "0.25");
    MONEY_OK("$5 and 20 cents", "5.20");
    MONEY_OK("twelve dollars fifty", "12.50");
    MONEY_OK("a dollar five", "1.05");
    MONEY_OK("a hundred bucks", "100");
    MONEY_OK("minus five dollars and twenty cents", "-5.20");
    MONEY_OK("$150 a night", "150");
    MONEY_OK("$5, that is $5.00", "5.00");
    MONEY_OK("99\xc2\xa2", "0.99");               /* 99¢ */
    MONEY_OK("$1,500/month", "1500");
    MONEY_OK("$100.00 USD", "100.00");
}
END_TEST

START_TEST(money_scaled)
{
    MONEY_OK("$1.2 million", "1200000");
    MONEY_OK("1.5k", "1500");
    MONEY_OK("$2K", "2000");
    MONEY_OK("5 grand", "5000");
    MONEY_OK("$3m", "3000000");
    MONEY_OK("two million dollars", "2000000");
    MONEY_NO("$1.2345k", "whole number");
}
END_TEST

START_TEST(money_refusals)
{
    MONEY_NO("", "no number");
    MONEY_NO("free", "no number");
    MONEY_NO("$1.234", "2 decimals");
    MONEY_NO("1.230", "2 decimals");
    MONEY_NO("$5 and $6", "two different amounts: 5 and 6");
    MONEY_NO("$150 per person for 4 people", "two different amounts");
    MONEY_NO("1,00", "malformed");
    MONEY_NO("1.000,50", NULL);
    MONEY_NO("\xe2\x82\xac" "40", "EUR");      /* €40 */
    MONEY_NO("40 euros", "EUR");
    MONEY_NO("\xc2\xa3" "5", "GBP");           /* £5 */
    MONEY_NO("C$40", "C$");
    MONEY_NO("20 canadian dollars", "CAD");
    MONEY_NO("50 Singapore dollars", "SGD");
    MONEY_NO("$20-$30", "two different amounts");
    MONEY_NO("$50 + tax", NULL);
    MONEY_NO("1e5", "1e5");
    MONEY_NO("about $40", NULL);
    MONEY_NO("under $50", NULL);
    MONEY_NO("2.5 cents", "cent");
    MONEY_NO("the 5th", "ordinal");
    MONEY_NO("10%", "percent");
    MONEY_NO("99999999999999999999", "too large");
    MONEY_OK("$90071992547409.92", "90071992547409.92");  /* 2^53 cents */
    MONEY_NO("$90071992547409.93", "too large");
}
END_TEST

START_TEST(money_long_input)
{
    char buf[1001];
    memset(buf, '$', 1000);
    buf[1000] = '\0';
    MONEY_NO(buf, NULL);
    memset(buf, '1', 1000);
    MONEY_NO(buf, NULL);
    MONEY_NO(NULL, NULL);
}
END_TEST

/* ---- number ----------------------------------------------------------------- */

START_TEST(number_values)
{
    NUM_OK("3.50", "3.5");
    NUM_OK("1,234.5", "1234.5");
    NUM_OK("seven", "7");
    NUM_OK("-0.25", "-0.25");
    NUM_OK("-0", "0");
    NUM_OK(".5", "0.5");
    NUM_OK("00.500", "0.5");
    NUM_OK("1.5e3", "1500");
    NUM_OK("+2E-2", "0.02");
    NUM_OK("three point five", "3.5");
    NUM_OK("four point oh five", "4.05");
    NUM_OK("3.5 miles", "3.5");
    NUM_OK("1.5 million", "1500000");
    NUM_OK("999999999999999", "999999999999999");    /* 15 digits */
    NUM_OK("0.000000000000001", "0.000000000000001"); /* 15 decimals */
}
END_TEST

START_TEST(number_refusals)
{
    NUM_NO("50%", "percent");
    NUM_NO("fifty percent", "percent");
    NUM_NO("nan", "finite");
    NUM_NO("inf", "finite");
    NUM_NO("-infinity", "finite");
    NUM_NO("1e400", "too large");
    NUM_NO("1e-400", NULL);
    NUM_NO("1000000000000000", "too large");          /* 1e15 */
    NUM_NO("99999999999999999999", "too large");
    NUM_NO("3.141592653589793", "significant");
    NUM_NO("0.0000000000000001", "decimal places");
    NUM_NO("1,23", "malformed");
    NUM_NO("1.2.3", NULL);
    /* more fraction digits than a token holds: refused, not copied past a
     * stack buffer (found by fuzz/fuzz_normalize;
     * fuzz/regressions/normalize-number-long-fraction) */
    NUM_NO("0.1111111111111111111111111111111111111111111111111", "too long");
    NUM_NO("3.44444444444444444444444444444444444444444444444444444444444E5", "too long");
    NUM_NO("2 1/2", NULL);
    NUM_NO("3 or 4", NULL);
    NUM_NO("12 34", "two different numbers");
    NUM_NO("", "no number");
    NUM_NO("garbage", "no number");
    NUM_NO("about 3.5", NULL);
    NUM_NO("5th", "ordinal");
    NUM_NO(NULL, NULL);
}
END_TEST

START_TEST(number_long_input)
{
    char buf[1001];
    memset(buf, '7', 1000);
    buf[1000] = '\0';
    NUM_NO(buf, NULL);
    buf[1] = '.';
    NUM_NO(buf, NULL);
    memset(buf, 'x', 1000);
    NUM_NO(buf, NULL);
}
END_TEST

/* ---- the real SGD pairs ---------------------------------------------------- */

START_TEST(sgd_pairs)
{
    char path[1024], line[65536];
    int n[2] = {0, 0}, ok[2] = {0, 0}, wrong[2] = {0, 0};
    snprintf(path, sizeof path, "%s/data/sgd/pairs_dev.jsonl", hx_test_shared());
    FILE *f = fopen(path, "r");
    ck_assert_msg(f != NULL, "cannot open %s (set HX_SHARED)", path);
    while (fgets(line, sizeof line, f)) {
        cJSON *o = cJSON_Parse(line);
        ck_assert_ptr_nonnull(o);
        const char *kind = cJSON_GetStringValue(cJSON_GetObjectItem(o, "kind"));
        const char *s = cJSON_GetStringValue(cJSON_GetObjectItem(o, "surface"));
        const char *want = cJSON_GetStringValue(cJSON_GetObjectItem(o, "canonical"));
        int k = kind && !strcmp(kind, "money") ? 0 : kind && !strcmp(kind, "duration") ? 1 : -1;
        if (k >= 0 && s && want) {
            hx_canon c;
            int rc = k == 0 ? hx_norm_money(s, NULL, &c) : hx_norm_integer(s, NULL, &c);
            n[k]++;
            if (rc == 0 && !strcmp(c.value, want)) ok[k]++;
            else if (rc == 0) wrong[k]++;
        }
        cJSON_Delete(o);
    }
    fclose(f);
    ck_assert_int_gt(n[0], 0);
    ck_assert_int_gt(n[1], 0);
    ck_assert_msg(ok[0] * 100 >= n[0] * 98, "money exact %d/%d < 98%%", ok[0], n[0]);
    ck_assert_msg(wrong[0] * 1000 <= n[0] * 5, "money wrong %d/%d > 0.5%%", wrong[0], n[0]);
    ck_assert_msg(ok[1] == n[1], "duration exact %d/%d", ok[1], n[1]);
}
END_TEST

Suite *make_suite(void)
{
    Suite *s = suite_create("norm_number");
    TCase *t = tcase_create("integer");
    tcase_add_test(t, integer_digits);
    tcase_add_test(t, integer_words);
    tcase_add_test(t, integer_with_units);
    tcase_add_test(t, integer_people_words);
    tcase_add_test(t, integer_refusals);
    tcase_add_test(t, integer_limits);
    tcase_add_test(t, integer_long_input);
    suite_add_tcase(s, t);
    t = tcase_create("money");
    tcase_add_test(t, money_figures);
    tcase_add_test(t, money_words);
    tcase_add_test(t, money_scaled);
    tcase_add_test(t, money_refusals);
    tcase_add_test(t, money_long_input);
    suite_add_tcase(s, t);
    t = tcase_create("number");
    tcase_add_test(t, number_values);
    tcase_add_test(t, number_refusals);
    tcase_add_test(t, number_long_input);
    suite_add_tcase(s, t);
    t = tcase_create("sgd");
    tcase_add_test(t, sgd_pairs);
    suite_add_tcase(s, t);
    return s;
}

HX_TEST_MAIN()
