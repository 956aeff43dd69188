/*
 * check_norm_text.c — the text fold (hx_norm_text) and hx_text_similarity.
 *
 * Expected values come from the rules in norm_text.c's header: lowercase,
 * accents to base letters, apostrophes deleted, other punctuation and
 * spaces separating words, trimmed; similarity is 1 - Levenshtein / longer
 * length in code points.
 */
#include <string.h>

#include "canon.h"
#include "fold.h"
#include "test_util.h"

Suite *make_suite(void);

static hx_canon c;

/* Fold `in`, requiring success; the result lives in the static c. */
static const char *fold(const char *in)
{
    int rc = hx_norm_text(in, NULL, &c);
    ck_assert_msg(rc == 0, "fold(\"%s\") refused: %s", in, c.why);
    return c.value;
}

START_TEST(case_and_spacing)
{
    ck_assert_str_eq(fold("  Mary   SMITH \t\n"), "mary smith");
    ck_assert_str_eq(fold("Dr.\tJohn\r\nDoe"), "dr john doe");
    ck_assert_str_eq(fold("Room 12B"), "room 12b");
}
END_TEST

START_TEST(latin_accents)
{
    ck_assert_str_eq(fold("José"), "jose");
    ck_assert_str_eq(fold("Müller"), "muller");
    ck_assert_str_eq(fold("Ø"), "o");
    ck_assert_str_eq(fold("ø"), "o");
    ck_assert_str_eq(fold("ß"), "ss");
    ck_assert_str_eq(fold("Straße"), "strasse");
    ck_assert_str_eq(fold("François Pérez-Núñez"), "francois perez nunez");
    ck_assert_str_eq(fold("ŁÓDŹ"), "lodz");
    ck_assert_str_eq(fold("Œuvre"), "oeuvre");
    ck_assert_str_eq(fold("Ærø"), "aero");
    ck_assert_str_eq(fold("Þór"), "thor");
    ck_assert_str_eq(fold("Ştefan Ștefan"), "stefan stefan"); /* cedilla and comma below */
    ck_assert_str_eq(fold("Nguyễn Thị Đào"), "nguyen thi dao");
    ck_assert_str_eq(fold("İstanbul"), "istanbul");
    ck_assert_str_eq(fold("GROẞ"), "gross");
}
END_TEST

START_TEST(combining_accents_dropped)
{
    ck_assert_str_eq(fold("Jose\u0301"), "jose");
    ck_assert_str_eq(fold("Mu\u0308ller"), "muller");
}
END_TEST

START_TEST(apostrophes_deleted)
{
    ck_assert_str_eq(fold("O'Brien"), "obrien");
    ck_assert_str_eq(fold("O\u2019Brien"), "obrien");
    ck_assert_str_eq(fold("O\u2018Brien"), "obrien");
    ck_assert_str_eq(fold("O`Brien"), "obrien");
    ck_assert_str_eq(fold("O\u02BCBrien"), "obrien");
    ck_assert_str_eq(fold("don\u2019t"), "dont");
    ck_assert_str_eq(fold("Hawai\u02BBi"), "hawaii");
}
END_TEST

START_TEST(quotes_and_punctuation)
{
    ck_assert_str_eq(fold("\u201CHello,\u201D she said."), "hello she said");
    ck_assert_str_eq(fold("\"Hello,\" she said."), "hello she said");
    ck_assert_str_eq(fold("\u00ABoui\u00BB"), "oui");
    ck_assert_str_eq(fold("Mary-Jane"), "mary jane");
    ck_assert_str_eq(fold("a/b\\c|d"), "a b c d");
    ck_assert_str_eq(fold("$1,250.50!"), "1 250 50");
}
END_TEST

START_TEST(underscore_label_forms)
{
    ck_assert_str_eq(fold("needs_pa"), "needs pa");
    ck_assert_str_eq(fold("needs-pa"), "needs pa");
    ck_assert_str_eq(fold("Needs PA"), "needs pa");
    ck_assert_str_eq(fold("needs\u2014pa"), "needs pa");
    ck_assert_str_eq(fold("__needs__pa__"), "needs pa");
}
END_TEST

START_TEST(empty_and_blank)
{
    ck_assert_str_eq(fold(""), "");
    ck_assert_str_eq(fold("   \t "), "");
    ck_assert_str_eq(fold("?!..."), "");
    ck_assert_str_eq(fold("\u2019"), "");
    ck_assert_str_eq(fold("\u00A0\u3000"), "");
}
END_TEST

START_TEST(unicode_spaces_and_invisibles)
{
    ck_assert_str_eq(fold("Ana\u00A0L\u00F3pez"), "ana lopez");
    ck_assert_str_eq(fold("a\u2003b\u202Fc"), "a b c");
    ck_assert_str_eq(fold("Ana\u200Bbel"), "anabel");
    ck_assert_str_eq(fold("\uFEFFBob"), "bob");
    ck_assert_str_eq(fold("co\u00ADoperate"), "cooperate");
}
END_TEST

START_TEST(fullwidth_ascii)
{
    ck_assert_str_eq(fold("\uFF21\uFF22\uFF23\uFF11\uFF12\uFF13"), "abc123");
    ck_assert_str_eq(fold("\uFF21\uFF0C\uFF22"), "a b");
}
END_TEST

START_TEST(other_scripts)
{
    ck_assert_str_eq(fold("ΑΘΗΝΑ"), "αθηνα");
    ck_assert_str_eq(fold("ΟΔΥΣΣΕΥΣ"), "οδυσσευσ");
    ck_assert_str_eq(fold("МОСКВА Ёлка"), "москва ёлка");
    ck_assert_str_eq(fold("東京 タワー"), "東京 タワー");
    ck_assert_str_eq(fold("hi \U0001F642"), "hi \U0001F642");
}
END_TEST

START_TEST(length_limit)
{
    char in[2000];
    memset(in, 'a', HX_CANON_MAX - 1);
    in[HX_CANON_MAX - 1] = '\0';
    ck_assert_int_eq(strlen(fold(in)), HX_CANON_MAX - 1);

    memset(in, 'a', HX_CANON_MAX);
    in[HX_CANON_MAX] = '\0';
    ck_assert_int_eq(hx_norm_text(in, NULL, &c), -1);
    ck_assert_str_eq(c.value, "");
    ck_assert_ptr_nonnull(strstr(c.why, "too long"));

    /* 300 "ß" are 600 bytes in and fold to 600 bytes: too long */
    in[0] = '\0';
    for (int i = 0; i < 300; i++) strcat(in, "ß");
    ck_assert_int_eq(hx_norm_text(in, NULL, &c), -1);

    /* long input whose fold is short is fine */
    memset(in, ' ', 1500);
    strcpy(in + 1500, "Bob");
    ck_assert_str_eq(fold(in), "bob");
}
END_TEST

START_TEST(invalid_utf8_refused)
{
    ck_assert_int_eq(hx_norm_text("ab\xff", NULL, &c), -1);
    ck_assert_ptr_nonnull(strstr(c.why, "UTF-8"));
    ck_assert_int_eq(hx_norm_text("\xc3", NULL, &c), -1);
    ck_assert_int_eq(hx_norm_text(NULL, NULL, &c), -1);
}
END_TEST

START_TEST(fold_in_place)
{
    hx_canon x;
    strcpy(x.value, "Straße Öl");
    ck_assert_int_eq(hx_norm_text(x.value, NULL, &x), 0);
    ck_assert_str_eq(x.value, "strasse ol");
}
END_TEST

START_TEST(fold_is_idempotent)
{
    const char *samples[] = {"José O’Brien", "needs_pa", "Nguyễn  Thị", "ΑΘΗΝΑ", "a.b.c"};
    for (size_t i = 0; i < sizeof samples / sizeof samples[0]; i++) {
        char once[HX_CANON_MAX];
        strcpy(once, fold(samples[i]));
        ck_assert_str_eq(fold(once), once);
    }
}
END_TEST

/* ---- similarity ---- */

START_TEST(similarity_known_pairs)
{
    ck_assert_double_eq_tol(hx_text_similarity("kitten", "sitting"), 1.0 - 3.0 / 7.0, 1e-12);
    ck_assert_double_eq_tol(hx_text_similarity("flaw", "lawn"), 0.5, 1e-12);
    ck_assert_double_eq_tol(hx_text_similarity("katherine", "catherine"), 1.0 - 1.0 / 9.0, 1e-12);
    ck_assert_double_eq_tol(hx_text_similarity("abc", "xyz"), 0.0, 1e-12);
    ck_assert_double_eq_tol(hx_text_similarity("a", "ab"), 0.5, 1e-12);
    ck_assert_double_eq(hx_text_similarity("mary smith", "mary smith"), 1.0);
}
END_TEST

START_TEST(similarity_counts_code_points)
{
    /* one substituted character, not two bytes */
    ck_assert_double_eq_tol(hx_text_similarity("jose", "josé"), 0.75, 1e-12);
    ck_assert_double_eq_tol(hx_text_similarity("東京", "東都"), 0.5, 1e-12);
}
END_TEST

START_TEST(similarity_empty)
{
    ck_assert_double_eq(hx_text_similarity("", ""), 1.0);
    ck_assert_double_eq(hx_text_similarity("abc", ""), 0.0);
    ck_assert_double_eq(hx_text_similarity("", "abc"), 0.0);
    ck_assert_double_eq(hx_text_similarity(NULL, ""), 1.0);
    ck_assert_double_eq(hx_text_similarity(NULL, "a"), 0.0);
}
END_TEST

START_TEST(similarity_symmetric)
{
    const char *w[] = {"kitten", "sitting", "", "saturday", "sunday", "josé"};
    size_t n = sizeof w / sizeof w[0];
    for (size_t i = 0; i < n; i++)
        for (size_t j = 0; j < n; j++)
            ck_assert_double_eq(hx_text_similarity(w[i], w[j]), hx_text_similarity(w[j], w[i]));
    ck_assert_double_eq_tol(hx_text_similarity("saturday", "sunday"), 1.0 - 3.0 / 8.0, 1e-12);
}
END_TEST

START_TEST(similarity_bound)
{
    size_t big = HX_SIM_MAX_CP + 904;
    char *a = malloc(big + 1), *b = malloc(big + 1);
    ck_assert_ptr_nonnull(a);
    ck_assert_ptr_nonnull(b);

    /* at the bound: still an edit distance */
    memset(a, 'a', HX_SIM_MAX_CP);
    a[HX_SIM_MAX_CP] = '\0';
    memcpy(b, a, HX_SIM_MAX_CP + 1);
    b[HX_SIM_MAX_CP - 1] = 'b';
    ck_assert_double_eq_tol(hx_text_similarity(a, b), 1.0 - 1.0 / HX_SIM_MAX_CP, 1e-12);

    /* past it: equal or nothing */
    memset(a, 'a', big);
    a[big] = '\0';
    memcpy(b, a, big + 1);
    ck_assert_double_eq(hx_text_similarity(a, b), 1.0);
    b[big - 1] = 'b';
    ck_assert_double_eq(hx_text_similarity(a, b), 0.0);
    ck_assert_double_eq(hx_text_similarity(a, "aaa"), 0.0);
    free(a);
    free(b);
}
END_TEST

START_TEST(similarity_after_fold)
{
    char x[HX_CANON_MAX];
    strcpy(x, fold("José  O’Brien"));
    ck_assert_double_eq(hx_text_similarity(x, fold("jose obrien")), 1.0);
    strcpy(x, fold("Katherine Smith"));
    ck_assert(hx_text_similarity(x, fold("Catherine Smith")) >= 0.85);
    ck_assert(hx_text_similarity(x, fold("Karen Jones")) < 0.85);
}
END_TEST

Suite *make_suite(void)
{
    Suite *s = suite_create("norm_text");
    TCase *f = tcase_create("fold");
    tcase_add_test(f, case_and_spacing);
    tcase_add_test(f, latin_accents);
    tcase_add_test(f, combining_accents_dropped);
    tcase_add_test(f, apostrophes_deleted);
    tcase_add_test(f, quotes_and_punctuation);
    tcase_add_test(f, underscore_label_forms);
    tcase_add_test(f, empty_and_blank);
    tcase_add_test(f, unicode_spaces_and_invisibles);
    tcase_add_test(f, fullwidth_ascii);
    tcase_add_test(f, other_scripts);
    tcase_add_test(f, length_limit);
    tcase_add_test(f, invalid_utf8_refused);
    tcase_add_test(f, fold_in_place);
    tcase_add_test(f, fold_is_idempotent);
    suite_add_tcase(s, f);

    TCase *sim = tcase_create("similarity");
    tcase_set_timeout(sim, 60); /* the bound test is slow under valgrind */
    tcase_add_test(sim, similarity_known_pairs);
    tcase_add_test(sim, similarity_counts_code_points);
    tcase_add_test(sim, similarity_empty);
    tcase_add_test(sim, similarity_symmetric);
    tcase_add_test(sim, similarity_bound);
    tcase_add_test(sim, similarity_after_fold);
    suite_add_tcase(s, sim);
    return s;
}

HX_TEST_MAIN()
