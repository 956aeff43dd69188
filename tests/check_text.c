/*
 * check_text.c — UTF-8 validation, the spoken-value tokenizer, number words.
 */
#include "test_util.h"

#include <string.h>

#include "numwords.h"
#include "text.h"

/* The same answers wherever the bytes fall against the 8-byte ASCII fast
 * path: a bad byte or a valid sequence after 0..40 ASCII bytes. */
START_TEST(utf8_after_ascii_runs)
{
    char buf[64];
    size_t bad = 99;
    for (size_t k = 0; k <= 40; k++) {
        memset(buf, 'a', k);
        memcpy(buf + k, "\xff" "bbbbbbbbbb", 11);
        ck_assert_msg(!hx_utf8_valid(buf, k + 11, &bad), "0xFF after %zu ASCII bytes passed", k);
        ck_assert_uint_eq(bad, k);
        memcpy(buf + k, "\xc3\xa9" "aaaaaaaaa", 11);
        ck_assert_msg(hx_utf8_valid(buf, k + 11, NULL), "e-acute after %zu ASCII bytes refused", k);
        memcpy(buf + k, "\xe2\x82", 2);   /* truncated at the very end */
        ck_assert(!hx_utf8_valid(buf, k + 2, &bad));
        ck_assert_uint_eq(bad, k);
    }
}
END_TEST

START_TEST(utf8_valid_and_invalid)
{
    size_t bad = 99;
    ck_assert(hx_utf8_valid("plain", 5, NULL));
    ck_assert(hx_utf8_valid("Jos\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80", 14, NULL));
    ck_assert(!hx_utf8_valid("ab\xff", 3, &bad));
    ck_assert_uint_eq(bad, 2);
    ck_assert(!hx_utf8_valid("\xc0\xaf", 2, &bad));          /* overlong '/' */
    ck_assert_uint_eq(bad, 0);
    ck_assert(!hx_utf8_valid("x\xed\xa0\x80", 4, &bad));     /* surrogate U+D800 */
    ck_assert_uint_eq(bad, 1);
    ck_assert(!hx_utf8_valid("\xf4\x90\x80\x80", 4, &bad));  /* above U+10FFFF */
    ck_assert(!hx_utf8_valid("ok\xe2\x82", 4, &bad));        /* truncated */
    ck_assert_uint_eq(bad, 2);
}
END_TEST

START_TEST(line_col)
{
    int l, c;
    hx_line_col("ab\ncd\nef", 7, &l, &c);
    ck_assert_int_eq(l, 3);
    ck_assert_int_eq(c, 2);
    hx_line_col("ab", 0, &l, &c);
    ck_assert_int_eq(l, 1);
    ck_assert_int_eq(c, 1);
}
END_TEST

START_TEST(tokenizer_keeps_numeric_runs)
{
    hx_tokens t;
    ck_assert_int_eq(hx_tokenize("At 7:30pm, $1,250.50 for the 5th; o'clock O\"clock 3/5/2026.", &t), 0);
    const char *want[] = {"at", "7:30pm", "$", "1,250.50", "for", "the", "5th", "oclock", "oclock", "3/5/2026"};
    ck_assert_int_eq(t.n, 10);
    for (int i = 0; i < 10; i++) ck_assert_str_eq(t.t[i], want[i]);
}
END_TEST

START_TEST(tokenizer_splits_hyphens_and_drops_possessive)
{
    hx_tokens t;
    ck_assert_int_eq(hx_tokenize("Twenty-one of Luigi's guests #4", &t), 0);
    const char *want[] = {"twenty", "one", "of", "luigi", "guests", "#", "4"};
    ck_assert_int_eq(t.n, 7);
    for (int i = 0; i < 7; i++) ck_assert_str_eq(t.t[i], want[i]);
}
END_TEST

START_TEST(tokenizer_limits)
{
    hx_tokens t;
    char big[400];
    memset(big, 'a', sizeof big - 1);
    big[sizeof big - 1] = '\0';
    ck_assert_int_eq(hx_tokenize(big, &t), -1);          /* one token too long */
    char many[HX_TOK_MAX * 2 + 8] = "";
    for (int i = 0; i <= HX_TOK_MAX; i++) strcat(many, "a ");
    ck_assert_int_eq(hx_tokenize(many, &t), -1);         /* too many tokens */
    ck_assert_int_eq(hx_tokenize("", &t), 0);
    ck_assert_int_eq(t.n, 0);
}
END_TEST

static long long words(const char *s, int *consumed, bool *ord)
{
    hx_tokens t;
    hx_numword w;
    ck_assert_int_eq(hx_tokenize(s, &t), 0);
    if (hx_numwords_read(&t, 0, &w) != 0) return -1;
    if (consumed) *consumed = w.consumed;
    if (ord) *ord = w.ordinal;
    return (long long)w.value;
}

START_TEST(number_words)
{
    int n;
    ck_assert_int_eq(words("seven", NULL, NULL), 7);
    ck_assert_int_eq(words("twenty-one", NULL, NULL), 21);
    ck_assert_int_eq(words("one hundred and five", NULL, NULL), 105);
    ck_assert_int_eq(words("one thousand seven hundred and sixty bucks", &n, NULL), 1760);
    ck_assert_int_eq(n, 6); /* "bucks" is not part of the number */
    ck_assert_int_eq(words("twelve hundred", NULL, NULL), 1200);
    ck_assert_int_eq(words("two million three hundred thousand", NULL, NULL), 2300000);
    ck_assert_int_eq(words("a dozen", &n, NULL), 12);
    ck_assert_int_eq(n, 2);
    ck_assert_int_eq(words("a couple of people", &n, NULL), 2);
    ck_assert_int_eq(n, 3);
    ck_assert_int_eq(words("a hundred", NULL, NULL), 100);
    ck_assert_int_eq(words("2 million", NULL, NULL), 2000000);
    ck_assert_int_eq(words("1,250", NULL, NULL), 1250);
    ck_assert_int_eq(words("zero", NULL, NULL), 0);
}
END_TEST

START_TEST(ordinals)
{
    bool ord = false;
    ck_assert_int_eq(words("twenty first", NULL, &ord), 21);
    ck_assert(ord);
    ck_assert_int_eq(words("fifth of march", NULL, &ord), 5);
    ck_assert(ord);
    ck_assert_int_eq(words("5th", NULL, &ord), 5);
    ck_assert(ord);
    ck_assert_int_eq(words("thirtieth", NULL, &ord), 30);
    ck_assert(ord);
    ck_assert_int_eq(words("twelve", NULL, &ord), 12);
    ck_assert(!ord);
}
END_TEST

/* Every single number word, cardinal and ordinal, and words that are not
 * number words though they start like one (values from English). */
START_TEST(small_number_words)
{
    static const struct { const char *w; int v; bool ord; } W[] = {
        {"zero", 0, false}, {"one", 1, false}, {"two", 2, false}, {"three", 3, false},
        {"four", 4, false}, {"five", 5, false}, {"six", 6, false}, {"seven", 7, false},
        {"eight", 8, false}, {"nine", 9, false}, {"ten", 10, false}, {"eleven", 11, false},
        {"twelve", 12, false}, {"thirteen", 13, false}, {"fourteen", 14, false},
        {"fifteen", 15, false}, {"sixteen", 16, false}, {"seventeen", 17, false},
        {"eighteen", 18, false}, {"nineteen", 19, false}, {"twenty", 20, false},
        {"thirty", 30, false}, {"forty", 40, false}, {"fourty", 40, false}, {"fifty", 50, false},
        {"sixty", 60, false}, {"seventy", 70, false}, {"eighty", 80, false}, {"ninety", 90, false},
        {"zeroth", 0, true}, {"first", 1, true}, {"second", 2, true}, {"third", 3, true},
        {"fourth", 4, true}, {"fifth", 5, true}, {"ninth", 9, true}, {"twelfth", 12, true},
        {"nineteenth", 19, true}, {"twentieth", 20, true}, {"fortieth", 40, true},
        {"ninetieth", 90, true},
    };
    static const char *const NOT[] = {"", "tent", "fiver", "o", "none", "seconds", "evening",
                                      "nine1", "Two", "hundred", "a", "dozen"};
    for (size_t i = 0; i < sizeof W / sizeof *W; i++) {
        bool ord = !W[i].ord;
        ck_assert_msg(hx_numword_small(W[i].w, &ord) == W[i].v, "%s", W[i].w);
        ck_assert_msg(ord == W[i].ord, "%s: ordinal flag", W[i].w);
        ck_assert_int_eq(hx_numword_small(W[i].w, NULL), W[i].v);
    }
    for (size_t i = 0; i < sizeof NOT / sizeof *NOT; i++)
        ck_assert_msg(hx_numword_small(NOT[i], NULL) == -1, "\"%s\" read as a number", NOT[i]);
}
END_TEST

START_TEST(malformed_sequences_stop_early)
{
    int n;
    ck_assert_int_eq(words("twenty twenty", &n, NULL), 20);
    ck_assert_int_eq(n, 1);
    ck_assert_int_eq(words("five three", &n, NULL), 5);
    ck_assert_int_eq(n, 1);
    ck_assert_int_eq(words("thousand", NULL, NULL), -1);
    ck_assert_int_eq(words("people", NULL, NULL), -1);
    ck_assert_int_eq(words("1,00", NULL, NULL), -1);
    ck_assert_int_eq(words("2st", NULL, NULL), -1);   /* suffix must fit: 2nd */
    ck_assert_int_eq(words("11st", NULL, NULL), -1);  /* 11th */
    ck_assert_int_eq(words("23rd", NULL, NULL), 23);
    ck_assert_int_eq(words("112th", NULL, NULL), 112);
    ck_assert_int_eq(words("99999999999999999999", NULL, NULL), -1); /* beyond int64 */
}
END_TEST

Suite *make_suite(void);
Suite *make_suite(void)
{
    Suite *s = suite_create("text");
    TCase *tc = tcase_create("text");
    tcase_add_test(tc, utf8_valid_and_invalid);
    tcase_add_test(tc, utf8_after_ascii_runs);
    tcase_add_test(tc, line_col);
    tcase_add_test(tc, tokenizer_keeps_numeric_runs);
    tcase_add_test(tc, tokenizer_splits_hyphens_and_drops_possessive);
    tcase_add_test(tc, tokenizer_limits);
    tcase_add_test(tc, number_words);
    tcase_add_test(tc, ordinals);
    tcase_add_test(tc, small_number_words);
    tcase_add_test(tc, malformed_sequences_stop_early);
    suite_add_tcase(s, tc);
    return s;
}

HX_TEST_MAIN()
