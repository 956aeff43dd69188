/*
 * check_norm_boolean.c — unit tests for hx_norm_boolean
 * (harness/norm_boolean.c): every listed answer word maps one way, and
 * anything that is not exactly one answer is refused.
 */
#include "test_util.h"

#include "canon.h"

#include <string.h>

Suite *make_suite(void);

/* `line` is the caller's, so a failure points at the case. */
static void expect(const char *in, const char *want, int line)
{
    hx_canon c;
    memset(&c, 0, sizeof c);
    int rc = hx_norm_boolean(in, NULL, &c);
    ck_assert_msg(rc == 0, "line %d: boolean(\"%s\") refused: %s (want %s)", line, in,
                  c.why, want);
    ck_assert_msg(strcmp(c.value, want) == 0,
                  "line %d: boolean(\"%s\") = \"%s\", want \"%s\"", line, in, c.value, want);
}

static void refuse(const char *in, int line)
{
    hx_canon c;
    memset(&c, 0, sizeof c);
    int rc = hx_norm_boolean(in, NULL, &c);
    if (!in) in = "(NULL)";
    ck_assert_msg(rc == -1, "line %d: boolean(\"%.80s\") gave \"%s\", want a refusal", line,
                  in, c.value);
    ck_assert_msg(c.why[0] != '\0', "line %d: boolean(\"%.80s\"): empty reason", line, in);
}

#define YES(in) expect(in, "true", __LINE__)
#define NO(in) expect(in, "false", __LINE__)
#define REFUSED(in) refuse(in, __LINE__)

START_TEST(true_words)
{
    YES("yes");
    YES("true");
    YES("y");
    YES("yeah");
    YES("yep");
    YES("yup");
    YES("sure");
    YES("correct");
    YES("right");
    YES("affirmative");
    YES("1");
}
END_TEST

START_TEST(false_words)
{
    NO("no");
    NO("false");
    NO("n");
    NO("nope");
    NO("nah");
    NO("negative");
    NO("0");
}
END_TEST

START_TEST(case_and_punctuation)
{
    YES("True");            /* SGD style */
    NO("False");
    YES("YES");
    NO("No.");
    YES("Yes!");
    YES("  yeah  ");
    YES("\"True\"");
    NO("nope!!");
    YES("Sure,");
}
END_TEST

START_TEST(refusals)
{
    REFUSED("");
    REFUSED("   ");
    REFUSED(".");
    REFUSED("maybe");
    REFUSED("yes and no");
    REFUSED("not sure");
    REFUSED("yes?");
    REFUSED("yes, but only on Friday");
    REFUSED("not true");
    REFUSED("truee");
    REFUSED("2");
    REFUSED("10");
    REFUSED("-1");
    REFUSED("1e400");
    REFUSED("99999999999999999999");
    REFUSED("y e s");
    REFUSED(NULL);
}
END_TEST

START_TEST(long_input)
{
    char buf[1001];
    memset(buf, ' ', 1000);
    buf[1000] = '\0';
    memcpy(buf + 500, "yes", 3);   /* one word padded to 1000 characters */
    YES(buf);
    memset(buf, 'y', 1000);
    REFUSED(buf);
}
END_TEST

Suite *make_suite(void)
{
    Suite *s = suite_create("norm_boolean");
    TCase *t = tcase_create("boolean");
    tcase_add_test(t, true_words);
    tcase_add_test(t, false_words);
    tcase_add_test(t, case_and_punctuation);
    tcase_add_test(t, refusals);
    tcase_add_test(t, long_input);
    suite_add_tcase(s, t);
    return s;
}

HX_TEST_MAIN()
