/*
 * check_norm_phone.c — unit tests for hx_norm_phone (harness/norm_phone.c).
 *
 * Expected values are the E.164 forms of the numbers as written (digits
 * copied by hand, +1 for NANP), and the refusals the contract in canon.h
 * and norm_phone.c's header promise.
 */
#include "test_util.h"

#include "canon.h"

#include <string.h>

Suite *make_suite(void);

/* `line` is the caller's, so a failure points at the case. */
static void expect(const char *in, const char *region, const char *want, int line)
{
    hx_norm_ctx ctx = {0};
    hx_canon c;
    memset(&c, 0, sizeof c);
    ctx.region = region;
    int rc = hx_norm_phone(in, &ctx, &c);
    ck_assert_msg(rc == 0, "line %d: phone(\"%s\") refused: %s (want %s)", line, in, c.why,
                  want);
    ck_assert_msg(strcmp(c.value, want) == 0, "line %d: phone(\"%s\") = \"%s\", want \"%s\"",
                  line, in, c.value, want);
}

/* Refused with a reason; `why_has` (if non-NULL) must appear in it. */
static void refuse(const char *in, const char *region, const char *why_has, int line)
{
    hx_norm_ctx ctx = {0};
    hx_canon c;
    memset(&c, 0, sizeof c);
    ctx.region = region;
    int rc = hx_norm_phone(in, &ctx, &c);
    if (!in) in = "(NULL)";
    ck_assert_msg(rc == -1, "line %d: phone(\"%.80s\") gave \"%s\", want a refusal", line,
                  in, c.value);
    ck_assert_msg(c.why[0] != '\0', "line %d: phone(\"%.80s\"): empty reason", line, in);
    if (why_has)
        ck_assert_msg(strstr(c.why, why_has) != NULL,
                      "line %d: phone(\"%.80s\"): reason \"%s\" lacks \"%s\"", line, in,
                      c.why, why_has);
}

#define OK(in, want) expect(in, NULL, want, __LINE__)
#define OK_IN(region, in, want) expect(in, region, want, __LINE__)
#define NO(in, why) refuse(in, NULL, why, __LINE__)
#define NO_IN(region, in, why) refuse(in, region, why, __LINE__)

START_TEST(nanp_written)
{
    OK("408-247-8880", "+14082478880");
    OK("(408) 247-8880", "+14082478880");
    OK("(408)247-8880", "+14082478880");
    OK("408.247.8880", "+14082478880");
    OK("4082478880", "+14082478880");
    OK("1-408-247-8880", "+14082478880");
    OK("1 (408) 247-8880", "+14082478880");
    OK("+1 408 247 8880", "+14082478880");
    OK("+1 (408) 247-8880", "+14082478880");
    OK("+14082478880", "+14082478880");
    OK("tel:+14082478880", "+14082478880");
    OK("my number is 408-247-8880", "+14082478880");
    OK("(408) 247-8880, that's my cell", "+14082478880");
    OK("408\xe2\x80\x93" "247\xe2\x80\x93" "8880", "+14082478880");  /* en dashes */
    OK("212 555 0199", "+12125550199");
}
END_TEST

START_TEST(nanp_spoken)
{
    OK("four oh eight, two four seven, eight eight eight zero", "+14082478880");
    OK("four o eight two four seven eight eight eight zero", "+14082478880");
    OK("four zero eight two four seven double eight eight zero", "+14082478880");
    OK("triple five, two one two, one two three four", "+15552121234");
    OK("four oh eight two four seven eighty eight eighty", "+14082478880");
    OK("one eight hundred five five five oh one nine nine", "+18005550199");
    OK("Four Oh Eight 247 8880", "+14082478880");
    OK("oh, it's 408 247 8880", "+14082478880");   /* "oh" alone is not a digit */
}
END_TEST

START_TEST(international)
{
    OK("+44 20 7946 0958", "+442079460958");
    OK("+44 (0)20 7946 0958", "+442079460958");
    OK("+49 30 901820", "+4930901820");
    OK("+81-3-1234-5678", "+81312345678");
    OK("011 44 20 7946 0958", "+442079460958");   /* US international prefix */
    OK_IN("GB", "+44 20 7946 0958", "+442079460958");
    OK_IN("US", "408-247-8880", "+14082478880");
    OK_IN("ca", "416-555-0199", "+14165550199");
    OK_IN("", "408-247-8880", "+14082478880");
    OK_IN("PR", "787-247-8880", "+17872478880");
}
END_TEST

START_TEST(refusals)
{
    NO("", "no phone number");
    NO("hello", "no phone number");
    NO("247-8880", "no area code");
    NO("408-247-888", "9 digits");
    NO("408-247-88801", "11 digits");
    NO("108-247-8880", "area code");
    NO("008-247-8880", "area code");
    NO("408-147-8880", "exchange");
    NO("408-047-8880", "exchange");
    NO("911-247-8880", "service code");
    NO("+1 408 247 888", NULL);
    NO("+1 108 247 8880", "area code");
    NO("+0 123 456 789", "country code");
    NO("+12345", "digits");
    NO("+1234567890123456", "digits");
    NO("408-247-8880 x123", "extension");
    NO("408-247-8880 ext. 123", "extension");
    NO("408-247-8880 extension 12", "extension");
    NO("408-247-8880 #12", "extension");
    NO("408 247 8880 or 415 247 8880", "inside the number");
    NO("1-800-FLOWERS", NULL);
    NO("408 + 247 8880", "'+'");
    NO("*67 408 247 8880", NULL);
    NO("double 88 247 8880", NULL);
    NO_IN("GB", "020 7946 0958", "GB");
    NO_IN("DE", "030 901820", "DE");
    NO(NULL, NULL);
}
END_TEST

START_TEST(huge_and_long)
{
    char buf[1001];
    NO("99999999999999999999", "20 digits");
    NO("1e400", NULL);
    memset(buf, '9', 1000);
    buf[1000] = '\0';
    NO(buf, NULL);
    memset(buf, 'a', 1000);
    NO(buf, NULL);
    for (int i = 0; i < 1000; i += 2) { buf[i] = '4'; buf[i + 1] = ' '; }
    NO(buf, NULL);
    for (int i = 0; i < 1000; i++) buf[i] = "four "[i % 5];
    NO(buf, NULL);
}
END_TEST

Suite *make_suite(void)
{
    Suite *s = suite_create("norm_phone");
    TCase *t = tcase_create("phone");
    tcase_add_test(t, nanp_written);
    tcase_add_test(t, nanp_spoken);
    tcase_add_test(t, international);
    tcase_add_test(t, refusals);
    tcase_add_test(t, huge_and_long);
    suite_add_tcase(s, t);
    return s;
}

HX_TEST_MAIN()
