/*
 * check_norm_time.c — unit tests for hx_norm_time (norm_time.c).
 *
 * Expected values follow the 12-hour clock by hand: 12 pm is noon, 12 am
 * midnight, "quarter to 11" is 10:45. NO_DEFAULT refuses a bare hour,
 * AM / PM supply ctx->default_meridiem.
 */
#include "test_util.h"

#include <string.h>

#include "canon.h"

static const hx_norm_ctx NO_DEFAULT = {.default_meridiem = 0};
static const hx_norm_ctx AM = {.default_meridiem = 'a'};
static const hx_norm_ctx PM = {.default_meridiem = 'p'};

/* The input must normalise to `want`. */
#define TIME_IS(ctx, text, want)                                               \
    do {                                                                       \
        hx_canon o_;                                                           \
        hx_norm_ctx c_ = (ctx);                                                \
        int r_ = hx_norm_time((text), &c_, &o_);                               \
        ck_assert_msg(r_ == 0, "\"%s\" refused: %s (want %s)", (text), o_.why, \
                      (want));                                                 \
        ck_assert_msg(strcmp(o_.value, (want)) == 0, "\"%s\" -> %s, want %s",  \
                      (text), o_.value, (want));                               \
    } while (0)

/* The input must be refused with a reason. */
#define TIME_NO(ctx, text)                                                     \
    do {                                                                       \
        hx_canon o_;                                                           \
        hx_norm_ctx c_ = (ctx);                                                \
        int r_ = hx_norm_time((text), &c_, &o_);                               \
        ck_assert_msg(r_ == -1, "\"%s\" accepted as %s", (text), o_.value);    \
        ck_assert_msg(o_.why[0] != '\0', "\"%s\" refused without a reason",    \
                      (text));                                                 \
    } while (0)

/* The refusal reason must mention `part`. */
#define TIME_WHY(ctx, text, part)                                              \
    do {                                                                       \
        hx_canon o_;                                                           \
        hx_norm_ctx c_ = (ctx);                                                \
        ck_assert_int_eq(hx_norm_time((text), &c_, &o_), -1);                  \
        ck_assert_msg(strstr(o_.why, (part)) != NULL, "why \"%s\" lacks \"%s\"", \
                      o_.why, (part));                                         \
    } while (0)

START_TEST(twenty_four_hour)
{
    TIME_IS(NO_DEFAULT, "19:30", "19:30");
    TIME_IS(NO_DEFAULT, "07:30", "07:30");
    TIME_IS(NO_DEFAULT, "19:30:00", "19:30");
    TIME_IS(NO_DEFAULT, "00:15", "00:15");
    TIME_IS(NO_DEFAULT, "0:27", "00:27");
    TIME_IS(NO_DEFAULT, "23:59", "23:59");
    TIME_IS(NO_DEFAULT, "1930 hours", "19:30");
    TIME_IS(NO_DEFAULT, "0730 hours", "07:30");
    TIME_IS(NO_DEFAULT, "19:30 hrs", "19:30");
    TIME_IS(NO_DEFAULT, "nineteen hundred hours", "19:00");
    TIME_IS(NO_DEFAULT, "nineteen thirty", "19:30");
    /* a 24-hour reading ignores the default meridiem */
    TIME_IS(AM, "19:30", "19:30");
    TIME_IS(PM, "07:30", "07:30");
    TIME_IS(PM, "00:15", "00:15");
    TIME_IS(NO_DEFAULT, "19:30 in the evening", "19:30");
    TIME_NO(NO_DEFAULT, "19:30 in the morning");
    TIME_NO(NO_DEFAULT, "1930");
    TIME_NO(NO_DEFAULT, "19:30:15");
}
END_TEST

START_TEST(h_mm_without_meridiem)
{
    /* documented: taken as written unless a default meridiem is set */
    TIME_IS(NO_DEFAULT, "7:30", "07:30");
    TIME_IS(NO_DEFAULT, "12:30", "12:30");
    TIME_IS(PM, "7:30", "19:30");
    TIME_IS(AM, "7:30", "07:30");
    TIME_IS(PM, "12:30", "12:30");
    TIME_IS(AM, "12:30", "00:30");
}
END_TEST

START_TEST(explicit_meridiem)
{
    TIME_IS(NO_DEFAULT, "7:30 pm", "19:30");
    TIME_IS(NO_DEFAULT, "7:30pm", "19:30");
    TIME_IS(NO_DEFAULT, "7pm", "19:00");
    TIME_IS(NO_DEFAULT, "7 p.m.", "19:00");
    TIME_IS(NO_DEFAULT, "7p.m.", "19:00");
    TIME_IS(NO_DEFAULT, "7 PM", "19:00");
    TIME_IS(NO_DEFAULT, "7.30pm", "19:30");
    TIME_IS(NO_DEFAULT, "7:30 a.m.", "07:30");
    TIME_IS(NO_DEFAULT, "8:40 AM", "08:40");
    TIME_IS(NO_DEFAULT, "730pm", "19:30");
    TIME_IS(NO_DEFAULT, "7 30 pm", "19:30");
    TIME_IS(NO_DEFAULT, "07:30 pm", "19:30");
    TIME_IS(NO_DEFAULT, "0:27 am", "00:27");
    TIME_IS(NO_DEFAULT, "7:30:00 pm", "19:30");
    /* the explicit meridiem wins over the default */
    TIME_IS(AM, "7 pm", "19:00");
    TIME_IS(PM, "7 am", "07:00");
    TIME_WHY(NO_DEFAULT, "7 am pm", "both am and pm");
    TIME_NO(NO_DEFAULT, "13 pm");
    TIME_NO(NO_DEFAULT, "19:30 pm");
    TIME_NO(NO_DEFAULT, "00:30 pm");
    TIME_NO(NO_DEFAULT, "1930pm");
}
END_TEST

START_TEST(twelve_oclock)
{
    TIME_IS(NO_DEFAULT, "12:30 pm", "12:30");
    TIME_IS(NO_DEFAULT, "12 pm", "12:00");
    TIME_IS(NO_DEFAULT, "12 am", "00:00");
    TIME_IS(NO_DEFAULT, "12:15 am", "00:15");
    TIME_IS(NO_DEFAULT, "12:59 pm", "12:59");
    TIME_IS(NO_DEFAULT, "twelve pm", "12:00");
    TIME_IS(NO_DEFAULT, "12 in the afternoon", "12:00");
    TIME_IS(NO_DEFAULT, "afternoon 12", "12:00");
    TIME_IS(NO_DEFAULT, "12 at night", "00:00");
    TIME_WHY(NO_DEFAULT, "12 in the morning", "ambiguous");
    TIME_NO(NO_DEFAULT, "12 in the evening");
}
END_TEST

START_TEST(noon_and_midnight)
{
    TIME_IS(NO_DEFAULT, "noon", "12:00");
    TIME_IS(NO_DEFAULT, "midday", "12:00");
    TIME_IS(NO_DEFAULT, "12 noon", "12:00");
    TIME_IS(NO_DEFAULT, "twelve noon", "12:00");
    TIME_IS(NO_DEFAULT, "midnight", "00:00");
    TIME_IS(NO_DEFAULT, "12 midnight", "00:00");
    TIME_IS(AM, "noon", "12:00");
    TIME_IS(PM, "midnight", "00:00");
    TIME_IS(NO_DEFAULT, "quarter past noon", "12:15");
    TIME_IS(NO_DEFAULT, "quarter to noon", "11:45");
    TIME_IS(NO_DEFAULT, "quarter to midnight", "23:45");
    TIME_IS(NO_DEFAULT, "half past midnight", "00:30");
    TIME_NO(NO_DEFAULT, "3 noon");
    TIME_NO(NO_DEFAULT, "noon am");
    TIME_NO(NO_DEFAULT, "midnight pm");
    TIME_NO(NO_DEFAULT, "12:30 noon");
}
END_TEST

START_TEST(words)
{
    TIME_IS(NO_DEFAULT, "seven thirty pm", "19:30");
    TIME_IS(NO_DEFAULT, "seven fifteen in the evening", "19:15");
    TIME_IS(NO_DEFAULT, "eleven am", "11:00");
    TIME_IS(NO_DEFAULT, "seven thirty-five pm", "19:35");
    TIME_IS(NO_DEFAULT, "twelve oh five pm", "12:05");
    TIME_IS(NO_DEFAULT, "Six in the evening", "18:00");
    TIME_IS(PM, "seven thirty", "19:30");
    TIME_WHY(NO_DEFAULT, "seven thirty", "no am/pm");
    TIME_NO(NO_DEFAULT, "seven five pm");
    TIME_NO(NO_DEFAULT, "seventh pm");
}
END_TEST

START_TEST(day_parts)
{
    TIME_IS(NO_DEFAULT, "10:30 in the morning", "10:30");
    TIME_IS(NO_DEFAULT, "3 in the afternoon", "15:00");
    TIME_IS(NO_DEFAULT, "6:30 in the evening", "18:30");
    TIME_IS(NO_DEFAULT, "8 at night", "20:00");
    TIME_IS(NO_DEFAULT, "8:15 in the night", "20:15");
    TIME_IS(NO_DEFAULT, "8 tonight", "20:00");
    TIME_IS(NO_DEFAULT, "tonight at 8", "20:00");
    TIME_IS(NO_DEFAULT, "7:30 this evening", "19:30");
    TIME_IS(NO_DEFAULT, "morning 10:30", "10:30");
    TIME_IS(NO_DEFAULT, "evening 4:30", "16:30");
    TIME_IS(NO_DEFAULT, "afternoon 1:30", "13:30");
    TIME_IS(NO_DEFAULT, "night 8", "20:00");
    TIME_IS(NO_DEFAULT, "Afternoon 2", "14:00");
    TIME_IS(NO_DEFAULT, "7 pm in the evening", "19:00");
    /* a day part beats the default meridiem */
    TIME_IS(AM, "7 in the evening", "19:00");
    TIME_IS(PM, "7 in the morning", "07:00");
    TIME_NO(NO_DEFAULT, "7 pm in the morning");
    TIME_NO(NO_DEFAULT, "7 am in the evening");
    TIME_NO(NO_DEFAULT, "morning 7 in the evening");
    TIME_NO(NO_DEFAULT, "2 at night");           /* 2 am or 2 pm? */
    TIME_NO(NO_DEFAULT, "11 in the afternoon");
    TIME_NO(NO_DEFAULT, "in the evening");
}
END_TEST

START_TEST(relative_to_the_hour)
{
    TIME_IS(PM, "half past 11", "23:30");
    TIME_IS(AM, "half past 11", "11:30");
    TIME_IS(NO_DEFAULT, "quarter past 4 pm", "16:15");
    TIME_IS(NO_DEFAULT, "a quarter past 4 pm", "16:15");
    TIME_IS(AM, "quarter to 11", "10:45");
    TIME_IS(NO_DEFAULT, "twenty past 7 pm", "19:20");
    TIME_IS(NO_DEFAULT, "ten to 8 pm", "19:50");
    TIME_IS(NO_DEFAULT, "ten till eight pm", "19:50");
    TIME_IS(NO_DEFAULT, "5 minutes past 3 pm", "15:05");
    TIME_IS(NO_DEFAULT, "7 minutes to 8 pm", "19:53");
    TIME_IS(NO_DEFAULT, "twenty five to 8 in the evening", "19:35");
    TIME_IS(NO_DEFAULT, "quarter of 8 pm", "19:45");
    TIME_IS(NO_DEFAULT, "half past 12 in the afternoon", "12:30");
    TIME_IS(NO_DEFAULT, "quarter to 12 in the morning", "11:45");
    TIME_IS(NO_DEFAULT, "quarter to 1 in the afternoon", "12:45");
    TIME_IS(NO_DEFAULT, "quarter to 1 am", "00:45");
    TIME_IS(NO_DEFAULT, "quarter to 12 at night", "23:45");
    TIME_IS(NO_DEFAULT, "Half past 5 in the evening", "17:30");
    TIME_WHY(NO_DEFAULT, "quarter to 11", "no am/pm");
    TIME_NO(NO_DEFAULT, "half past 11");
    /* before 12 am: 11:45 am, or a quarter before midnight? */
    TIME_WHY(NO_DEFAULT, "quarter to 12 am", "ambiguous");
    TIME_NO(NO_DEFAULT, "quarter to 12 pm");
    /* "7 to 8" is more likely a range */
    TIME_WHY(NO_DEFAULT, "7 to 8 pm", "range");
    TIME_NO(NO_DEFAULT, "half to 8 pm");
    TIME_NO(NO_DEFAULT, "quarter past");
}
END_TEST

START_TEST(british_half)
{
    TIME_IS(PM, "half seven", "19:30");
    TIME_IS(NO_DEFAULT, "half seven in the evening", "19:30");
    TIME_IS(NO_DEFAULT, "half 8 in the morning", "08:30");
    TIME_NO(NO_DEFAULT, "half seven");
    TIME_NO(PM, "half 19");
}
END_TEST

START_TEST(oclock)
{
    TIME_IS(NO_DEFAULT, "7 o'clock pm", "19:00");
    TIME_IS(NO_DEFAULT, "2 o\"clock in the afternoon", "14:00");
    TIME_IS(NO_DEFAULT, "seven o'clock in the evening", "19:00");
    TIME_IS(NO_DEFAULT, "7o'clock pm", "19:00");
    TIME_IS(PM, "7 o'clock", "19:00");
    TIME_IS(NO_DEFAULT, "19 o'clock", "19:00");
    TIME_WHY(NO_DEFAULT, "7 o'clock", "no am/pm");
    TIME_NO(NO_DEFAULT, "7:30 o'clock pm");
}
END_TEST

START_TEST(bare_hours)
{
    TIME_WHY(NO_DEFAULT, "7", "no am/pm for a bare hour");
    TIME_NO(NO_DEFAULT, "seven");
    TIME_IS(PM, "7", "19:00");
    TIME_IS(AM, "seven", "07:00");
    TIME_IS(AM, "12", "00:00");
    TIME_IS(PM, "12", "12:00");
    TIME_NO(NO_DEFAULT, "19");                    /* a bare number */
    TIME_NO(PM, "0");
}
END_TEST

START_TEST(impossible_times)
{
    TIME_NO(NO_DEFAULT, "25:00");
    TIME_NO(NO_DEFAULT, "24:00");
    TIME_NO(NO_DEFAULT, "7:61");
    TIME_NO(NO_DEFAULT, "7:60 pm");
    TIME_NO(NO_DEFAULT, "13 pm");
    TIME_NO(NO_DEFAULT, "0 pm");
    TIME_NO(PM, "25");
    TIME_NO(NO_DEFAULT, "7:5 pm");
    TIME_NO(NO_DEFAULT, "7.5 pm");
    TIME_NO(NO_DEFAULT, "799pm");
}
END_TEST

START_TEST(fillers_and_leftovers)
{
    TIME_IS(NO_DEFAULT, "at 7 pm please", "19:00");
    TIME_IS(NO_DEFAULT, "around 7:30 pm", "19:30");
    TIME_IS(NO_DEFAULT, "ok 7 pm sharp", "19:00");
    TIME_NO(NO_DEFAULT, "7 pm tomorrow");
    TIME_NO(NO_DEFAULT, "7 or 8 pm");
    TIME_NO(NO_DEFAULT, "7-8 pm");
    TIME_NO(NO_DEFAULT, "between 7 and 8 pm");
    TIME_NO(NO_DEFAULT, "in 20 minutes");
    TIME_NO(NO_DEFAULT, "7 hours");
    TIME_NO(NO_DEFAULT, "2 people at 7 pm");
    TIME_NO(NO_DEFAULT, "7ish pm");
}
END_TEST

START_TEST(bad_input)
{
    char long_text[400];
    TIME_NO(NO_DEFAULT, "");
    TIME_NO(NO_DEFAULT, "   ");
    TIME_NO(NO_DEFAULT, "garbage");
    TIME_NO(NO_DEFAULT, "!!!");
    TIME_NO(NO_DEFAULT, "pm");
    TIME_NO(NO_DEFAULT, "évening 7");
    memset(long_text, 0, sizeof long_text);
    memset(long_text, '7', 300);
    TIME_WHY(NO_DEFAULT, long_text, "too long");
    memset(long_text, 0, sizeof long_text);
    for (size_t i = 0; i < 180; i += 2) memcpy(long_text + i, "7 ", 2);
    TIME_NO(NO_DEFAULT, long_text);
    {   /* no text at all */
        hx_canon o;
        ck_assert_int_eq(hx_norm_time(NULL, &NO_DEFAULT, &o), -1);
        ck_assert(o.why[0] != '\0');
    }
    {   /* no context at all: no default meridiem */
        hx_canon o;
        ck_assert_int_eq(hx_norm_time("7 pm", NULL, &o), 0);
        ck_assert_str_eq(o.value, "19:00");
        ck_assert_int_eq(hx_norm_time("7", NULL, &o), -1);
    }
}
END_TEST

Suite *make_suite(void);

Suite *make_suite(void)
{
    Suite *s = suite_create("norm_time");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, twenty_four_hour);
    tcase_add_test(tc, h_mm_without_meridiem);
    tcase_add_test(tc, explicit_meridiem);
    tcase_add_test(tc, twelve_oclock);
    tcase_add_test(tc, noon_and_midnight);
    tcase_add_test(tc, words);
    tcase_add_test(tc, day_parts);
    tcase_add_test(tc, relative_to_the_hour);
    tcase_add_test(tc, british_half);
    tcase_add_test(tc, oclock);
    tcase_add_test(tc, bare_hours);
    tcase_add_test(tc, impossible_times);
    tcase_add_test(tc, fillers_and_leftovers);
    tcase_add_test(tc, bad_input);
    suite_add_tcase(s, tc);
    return s;
}

HX_TEST_MAIN()
