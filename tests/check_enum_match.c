/*
 * check_enum_match.c — enum and label matching (enum_match.h).
 *
 * The insurer enum is the one from DESIGN.md §3.3; the label set is
 * covered / needs_pa / denied. Expected outcomes and messages follow the
 * rules in enum_match.h.
 */
#include <string.h>

#include "enum_match.h"
#include "test_util.h"

Suite *make_suite(void);

static const char *const BCBS_ALIASES[] = {"BCBS", "Blue Cross"};
static const char *const UHC_ALIASES[] = {"UHC", "United Healthcare"};

static void add_ok(hx_enum *e, const char *key, const char *const *aliases, size_t n)
{
    hx_error err = {{0}};
    int rc = hx_enum_add(e, key, aliases, n, &err);
    ck_assert_msg(rc == 0, "adding %s failed: %s", key, err.msg);
}

static hx_enum insurers(void)
{
    hx_enum e = {0};
    add_ok(&e, "Blue Cross Blue Shield", BCBS_ALIASES, 2);
    add_ok(&e, "UnitedHealthcare", UHC_ALIASES, 2);
    return e;
}

static hx_enum labels(void)
{
    hx_enum e = {0};
    add_ok(&e, "covered", NULL, 0);
    add_ok(&e, "needs_pa", NULL, 0);
    add_ok(&e, "denied", NULL, 0);
    return e;
}

/* Match and require `outcome`; returns the key (or NULL). */
static const char *match(const hx_enum *e, const char *in, hx_enum_outcome outcome, char *why)
{
    static const char unset[] = "unset";
    const char *key = unset; /* hx_enum_match must overwrite it */
    hx_enum_outcome r = hx_enum_match(e, in, &key, why);
    ck_assert_msg(r == outcome, "\"%s\": outcome %d, expected %d (%s)", in, (int)r, (int)outcome, why);
    if (r != HX_ENUM_MATCHED) ck_assert_ptr_null(key);
    return key;
}

START_TEST(exact_keys_and_aliases)
{
    hx_enum e = insurers();
    char why[HX_WHY_MAX];
    const char *bcbs = "Blue Cross Blue Shield", *uhc = "UnitedHealthcare";
    ck_assert_str_eq(match(&e, "Blue Cross Blue Shield", HX_ENUM_MATCHED, why), bcbs);
    ck_assert_str_eq(why, "");
    ck_assert_str_eq(match(&e, "BCBS", HX_ENUM_MATCHED, why), bcbs);
    ck_assert_str_eq(match(&e, "bcbs", HX_ENUM_MATCHED, why), bcbs);
    ck_assert_str_eq(match(&e, "  blue-cross ", HX_ENUM_MATCHED, why), bcbs);
    ck_assert_str_eq(match(&e, "UHC", HX_ENUM_MATCHED, why), uhc);
    ck_assert_str_eq(match(&e, "united healthcare", HX_ENUM_MATCHED, why), uhc);
    ck_assert_str_eq(match(&e, "UNITEDHEALTHCARE", HX_ENUM_MATCHED, why), uhc);
    /* the key is borrowed from the enum, not a copy */
    ck_assert_ptr_eq(match(&e, "uhc", HX_ENUM_MATCHED, why), e.values[1].key);
    hx_enum_free(&e);
}
END_TEST

START_TEST(whole_word_containment)
{
    hx_enum e = insurers();
    char why[HX_WHY_MAX];
    ck_assert_str_eq(match(&e, "Blue Cross PPO plan", HX_ENUM_MATCHED, why), "Blue Cross Blue Shield");
    ck_assert_str_eq(why, "\"Blue Cross PPO plan\" contains Blue Cross Blue Shield");
    ck_assert_str_eq(match(&e, "I have UHC through work", HX_ENUM_MATCHED, why), "UnitedHealthcare");
    ck_assert_str_eq(match(&e, "it's BCBS, Blue Cross Blue Shield", HX_ENUM_MATCHED, why),
                     "Blue Cross Blue Shield");
    /* not at word boundaries */
    match(&e, "Blue Crossing", HX_ENUM_NO_MATCH, why);
    match(&e, "UHCX", HX_ENUM_NO_MATCH, why);
    match(&e, "subcbs", HX_ENUM_NO_MATCH, why);
    hx_enum_free(&e);
}
END_TEST

START_TEST(no_match_message)
{
    hx_enum e = insurers();
    char why[HX_WHY_MAX];
    match(&e, "Cigna", HX_ENUM_NO_MATCH, why);
    ck_assert_str_eq(why, "\"Cigna\" is none of: Blue Cross Blue Shield, UnitedHealthcare");
    match(&e, "", HX_ENUM_NO_MATCH, why);
    match(&e, "---", HX_ENUM_NO_MATCH, why);
    match(&e, NULL, HX_ENUM_NO_MATCH, why);
    ck_assert_str_ne(why, "");
    hx_enum_free(&e);
}
END_TEST

START_TEST(ambiguous_message)
{
    hx_enum e = {0};
    const char *const uhc[] = {"UHC", "United Healthcare", "United"};
    add_ok(&e, "Blue Cross Blue Shield", BCBS_ALIASES, 2);
    add_ok(&e, "UnitedHealthcare", uhc, 3);
    char why[HX_WHY_MAX];
    match(&e, "Blue Cross United", HX_ENUM_AMBIGUOUS, why);
    ck_assert_str_eq(why, "\"Blue Cross United\" matches both Blue Cross Blue Shield and UnitedHealthcare");
    hx_enum_free(&e);
}
END_TEST

START_TEST(ambiguous_three_labels)
{
    hx_enum e = labels();
    char why[HX_WHY_MAX];
    match(&e, "denied, covered or needs pa", HX_ENUM_AMBIGUOUS, why);
    ck_assert_str_eq(why, "\"denied, covered or needs pa\" matches covered, needs_pa and denied");
    hx_enum_free(&e);
}
END_TEST

START_TEST(label_spellings)
{
    hx_enum e = labels();
    char why[HX_WHY_MAX];
    const char *forms[] = {"needs_pa", "needs-pa", "Needs PA", "NEEDS  PA", "needs pa"};
    for (size_t i = 0; i < sizeof forms / sizeof forms[0]; i++)
        ck_assert_str_eq(match(&e, forms[i], HX_ENUM_MATCHED, why), "needs_pa");
    ck_assert_str_eq(match(&e, "Covered", HX_ENUM_MATCHED, why), "covered");
    match(&e, "needspa", HX_ENUM_NO_MATCH, why);
    ck_assert_str_eq(why, "\"needspa\" is none of: covered, needs_pa, denied");
    hx_enum_free(&e);
}
END_TEST

START_TEST(longer_name_wins)
{
    hx_enum e = {0};
    add_ok(&e, "covered", NULL, 0);
    add_ok(&e, "not_covered", NULL, 0);
    char why[HX_WHY_MAX];
    ck_assert_str_eq(match(&e, "it is not covered", HX_ENUM_MATCHED, why), "not_covered");
    ck_assert_str_eq(match(&e, "not covered", HX_ENUM_MATCHED, why), "not_covered");
    ck_assert_str_eq(match(&e, "it is covered", HX_ENUM_MATCHED, why), "covered");
    hx_enum_free(&e);

    /* "Blue Shield" (another insurer's alias) inside "Blue Cross Blue Shield" */
    const char *const bsc[] = {"Blue Shield"};
    add_ok(&e, "Blue Cross Blue Shield", BCBS_ALIASES, 2);
    add_ok(&e, "Blue Shield of California", bsc, 1);
    ck_assert_str_eq(match(&e, "my plan is Blue Cross Blue Shield PPO", HX_ENUM_MATCHED, why),
                     "Blue Cross Blue Shield");
    ck_assert_str_eq(match(&e, "my plan is Blue Shield PPO", HX_ENUM_MATCHED, why),
                     "Blue Shield of California");
    hx_enum_free(&e);
}
END_TEST

START_TEST(negation_is_not_a_match)
{
    hx_enum e = labels();
    char why[HX_WHY_MAX];
    match(&e, "the claim was not denied", HX_ENUM_NO_MATCH, why);
    ck_assert_str_eq(why, "\"the claim was not denied\" negates denied and is none of: "
                          "covered, needs_pa, denied");
    match(&e, "it has not been denied", HX_ENUM_NO_MATCH, why);
    match(&e, "it isn\u2019t covered", HX_ENUM_NO_MATCH, why);
    match(&e, "never needs PA", HX_ENUM_NO_MATCH, why);
    ck_assert_str_eq(match(&e, "It's not denied, it's covered", HX_ENUM_MATCHED, why), "covered");
    /* "no" counts only right before the value */
    ck_assert_str_eq(match(&e, "No, it's covered", HX_ENUM_MATCHED, why), "covered");
    match(&e, "no denied", HX_ENUM_NO_MATCH, why);
    /* a negation three words back is too far to be about the value */
    ck_assert_str_eq(match(&e, "not sure, but covered now", HX_ENUM_MATCHED, why), "covered");
    hx_enum_free(&e);
}
END_TEST

START_TEST(accents_fold_in_names)
{
    hx_enum e = {0};
    const char *const al[] = {"Muller"};
    add_ok(&e, "Müller Clinic", al, 1);
    char why[HX_WHY_MAX];
    ck_assert_str_eq(match(&e, "MULLER CLINIC", HX_ENUM_MATCHED, why), "Müller Clinic");
    ck_assert_str_eq(match(&e, "Dr. Müller", HX_ENUM_MATCHED, why), "Müller Clinic");
    hx_enum_free(&e);
}
END_TEST

START_TEST(duplicate_key_refused)
{
    hx_enum e = labels();
    hx_error err = {{0}};
    ck_assert_int_eq(hx_enum_add(&e, "covered", NULL, 0, &err), -1);
    ck_assert_ptr_nonnull(strstr(err.msg, "covered"));
    ck_assert_int_eq(hx_enum_add(&e, " Needs-PA ", NULL, 0, &err), -1);
    ck_assert_ptr_nonnull(strstr(err.msg, "Needs-PA"));
    ck_assert_ptr_nonnull(strstr(err.msg, "needs_pa"));
    ck_assert_uint_eq(e.n, 3);
    hx_enum_free(&e);
}
END_TEST

START_TEST(alias_of_another_key_refused)
{
    hx_enum e = {0};
    hx_error err = {{0}};
    add_ok(&e, "Blue Cross Blue Shield", BCBS_ALIASES, 2);
    const char *const bad[] = {"UHC", "blue cross"};
    ck_assert_int_eq(hx_enum_add(&e, "UnitedHealthcare", bad, 2, &err), -1);
    ck_assert_ptr_nonnull(strstr(err.msg, "blue cross"));
    ck_assert_ptr_nonnull(strstr(err.msg, "UnitedHealthcare"));
    ck_assert_ptr_nonnull(strstr(err.msg, "Blue Cross Blue Shield"));
    ck_assert_uint_eq(e.n, 1);

    /* a key that is another key's alias */
    ck_assert_int_eq(hx_enum_add(&e, "bcbs", NULL, 0, &err), -1);
    ck_assert_ptr_nonnull(strstr(err.msg, "Blue Cross Blue Shield"));

    /* an alias equal to another key */
    add_ok(&e, "Aetna", NULL, 0);
    const char *const bad2[] = {"AETNA"};
    ck_assert_int_eq(hx_enum_add(&e, "Cigna", bad2, 1, &err), -1);
    ck_assert_ptr_nonnull(strstr(err.msg, "Aetna"));
    ck_assert_ptr_nonnull(strstr(err.msg, "Cigna"));
    ck_assert_uint_eq(e.n, 2);

    /* the refused value left nothing behind */
    char why[HX_WHY_MAX];
    match(&e, "UHC", HX_ENUM_NO_MATCH, why);
    hx_enum_free(&e);
}
END_TEST

START_TEST(alias_of_own_key_accepted)
{
    hx_enum e = {0};
    const char *const al[] = {"AETNA", "Aetna Inc"};
    add_ok(&e, "Aetna", al, 2);
    char why[HX_WHY_MAX];
    ck_assert_str_eq(match(&e, "aetna inc.", HX_ENUM_MATCHED, why), "Aetna");
    hx_enum_free(&e);
}
END_TEST

START_TEST(unfoldable_names_refused)
{
    hx_enum e = {0};
    hx_error err = {{0}};
    ck_assert_int_eq(hx_enum_add(&e, "--", NULL, 0, &err), -1);
    ck_assert_ptr_nonnull(strstr(err.msg, "no letters or digits"));
    const char *const al[] = {"!!"};
    ck_assert_int_eq(hx_enum_add(&e, "ok", al, 1, &err), -1);
    ck_assert_ptr_nonnull(strstr(err.msg, "!!"));
    ck_assert_int_eq(hx_enum_add(&e, NULL, NULL, 0, &err), -1);
    ck_assert_int_eq(hx_enum_add(&e, "ok", NULL, 2, &err), -1);
    const char *const nul[] = {NULL};
    ck_assert_int_eq(hx_enum_add(&e, "ok", nul, 1, &err), -1);
    ck_assert_int_eq(hx_enum_add(&e, "ok", NULL, 0, NULL), 0); /* NULL err is allowed */
    ck_assert_uint_eq(e.n, 1);
    hx_enum_free(&e);
}
END_TEST

START_TEST(free_and_reuse)
{
    hx_enum e = insurers();
    hx_enum_free(&e);
    ck_assert_uint_eq(e.n, 0);
    ck_assert_ptr_null(e.values);
    hx_enum_free(&e);
    hx_enum_free(NULL);
    add_ok(&e, "covered", NULL, 0);
    char why[HX_WHY_MAX];
    ck_assert_str_eq(match(&e, "COVERED", HX_ENUM_MATCHED, why), "covered");
    hx_enum_free(&e);
}
END_TEST

START_TEST(empty_enum)
{
    hx_enum e = {0};
    char why[HX_WHY_MAX];
    match(&e, "x", HX_ENUM_NO_MATCH, why);
    ck_assert_str_eq(why, "\"x\" is none of: (no values)");
}
END_TEST

START_TEST(long_input_message_fits)
{
    hx_enum e = {0};
    char key[200];
    for (int i = 0; i < 10; i++) {
        snprintf(key, sizeof key, "Insurer number %d with a long name é", i);
        add_ok(&e, key, NULL, 0);
    }
    char in[400];
    memset(in, 'x', 300);
    in[300] = '\0';
    char why[HX_WHY_MAX];
    match(&e, in, HX_ENUM_NO_MATCH, why);
    ck_assert_uint_lt(strlen(why), HX_WHY_MAX);
    ck_assert_ptr_nonnull(strstr(why, "...\" is none of: Insurer number 0"));
    /* a message cut short does not end inside "é" (0xC3 0xA9) */
    size_t n = strlen(why);
    ck_assert((unsigned char)why[n - 1] != 0xC3);
    hx_enum_free(&e);
}
END_TEST

Suite *make_suite(void)
{
    Suite *s = suite_create("enum_match");
    TCase *m = tcase_create("match");
    tcase_add_test(m, exact_keys_and_aliases);
    tcase_add_test(m, whole_word_containment);
    tcase_add_test(m, no_match_message);
    tcase_add_test(m, ambiguous_message);
    tcase_add_test(m, ambiguous_three_labels);
    tcase_add_test(m, label_spellings);
    tcase_add_test(m, longer_name_wins);
    tcase_add_test(m, negation_is_not_a_match);
    tcase_add_test(m, accents_fold_in_names);
    tcase_add_test(m, empty_enum);
    tcase_add_test(m, long_input_message_fits);
    suite_add_tcase(s, m);

    TCase *a = tcase_create("add");
    tcase_add_test(a, duplicate_key_refused);
    tcase_add_test(a, alias_of_another_key_refused);
    tcase_add_test(a, alias_of_own_key_accepted);
    tcase_add_test(a, unfoldable_names_refused);
    tcase_add_test(a, free_and_reuse);
    suite_add_tcase(s, a);
    return s;
}

HX_TEST_MAIN()
