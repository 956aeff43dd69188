/*
 * check_norm_date.c — unit tests for hx_norm_date (norm_date.c).
 *
 * Expected values come from the calendar, worked out by hand, not from the
 * code: 2019-03-01 is a Friday (the SGD call date), 2026-11-25 a Wednesday,
 * 2026-11-23 a Monday; 2020, 2024 and 2028 are leap years, 2019, 2026 and
 * 2100 are not.
 */
#include "test_util.h"

#include <string.h>

#include "canon.h"

static const hx_norm_ctx REF_2019 = {.ref_year = 2019, .ref_month = 3, .ref_day = 1};
static const hx_norm_ctx REF_2026 = {.ref_year = 2026, .ref_month = 11, .ref_day = 25};
static const hx_norm_ctx NO_REF = {.ref_year = 0};

static hx_norm_ctx ref(int y, int m, int d)
{
    hx_norm_ctx c = {.ref_year = y, .ref_month = m, .ref_day = d};
    return c;
}

/* The input must normalise to `want`. */
#define DATE_IS(ctx, text, want)                                               \
    do {                                                                       \
        hx_canon o_;                                                           \
        hx_norm_ctx c_ = (ctx);                                                \
        int r_ = hx_norm_date((text), &c_, &o_);                               \
        ck_assert_msg(r_ == 0, "\"%s\" refused: %s (want %s)", (text), o_.why, \
                      (want));                                                 \
        ck_assert_msg(strcmp(o_.value, (want)) == 0, "\"%s\" -> %s, want %s",  \
                      (text), o_.value, (want));                               \
    } while (0)

/* The input must be refused with a reason. */
#define DATE_NO(ctx, text)                                                     \
    do {                                                                       \
        hx_canon o_;                                                           \
        hx_norm_ctx c_ = (ctx);                                                \
        int r_ = hx_norm_date((text), &c_, &o_);                               \
        ck_assert_msg(r_ == -1, "\"%s\" accepted as %s", (text), o_.value);    \
        ck_assert_msg(o_.why[0] != '\0', "\"%s\" refused without a reason",    \
                      (text));                                                 \
    } while (0)

/* The refusal reason must mention `part`. */
#define DATE_WHY(ctx, text, part)                                              \
    do {                                                                       \
        hx_canon o_;                                                           \
        hx_norm_ctx c_ = (ctx);                                                \
        ck_assert_int_eq(hx_norm_date((text), &c_, &o_), -1);                  \
        ck_assert_msg(strstr(o_.why, (part)) != NULL, "why \"%s\" lacks \"%s\"", \
                      o_.why, (part));                                         \
    } while (0)

START_TEST(iso_dates)
{
    DATE_IS(NO_REF, "2026-11-21", "2026-11-21");
    DATE_IS(NO_REF, "2026-11-21T19:30:00-05:00", "2026-11-21");
    DATE_IS(NO_REF, "2026-11-21T19:30Z", "2026-11-21");
    DATE_IS(NO_REF, "2026/11/21", "2026-11-21");
    DATE_IS(NO_REF, "2019-3-8", "2019-03-08");
    DATE_IS(NO_REF, "(2026-11-21).", "2026-11-21");
    DATE_IS(NO_REF, "2026-11-21 19:30:00", "2026-11-21");
    DATE_NO(NO_REF, "2026-11-21 25:30");
    DATE_NO(NO_REF, "19:30 2026-11-21");
    DATE_NO(NO_REF, "2026-11-21T25");
    DATE_NO(NO_REF, "2026-11-21Tnoon");
    DATE_NO(NO_REF, "2026-13-01");
    DATE_NO(NO_REF, "2026-11-31");
    DATE_NO(NO_REF, "2026-11/21");
    DATE_NO(NO_REF, "20261121");
}
END_TEST

START_TEST(us_numeric_dates)
{
    DATE_IS(NO_REF, "11/21/2026", "2026-11-21");
    DATE_IS(NO_REF, "11/21/26", "2026-11-21");
    DATE_IS(NO_REF, "11-21-2026", "2026-11-21");
    DATE_IS(NO_REF, "03/08/2019", "2019-03-08");
    DATE_IS(NO_REF, "3/5/2026", "2026-03-05");       /* March 5, not May 3 */
    /* no year: rolls to the first such date on or after the call */
    DATE_IS(REF_2019, "11/21", "2019-11-21");
    DATE_IS(REF_2026, "11/21", "2027-11-21");
    DATE_IS(REF_2026, "11/25", "2026-11-25");
    DATE_NO(NO_REF, "11/21");
    /* a first number above 12 is not US order */
    DATE_WHY(NO_REF, "21/11/2026", "not month/day/year");
    DATE_NO(NO_REF, "13/5/2026");
    DATE_NO(REF_2019, "21/11");
    DATE_NO(NO_REF, "2/30/2026");
    DATE_NO(NO_REF, "11/21/202");
    DATE_NO(REF_2019, "5-6");                         /* a range, not May 6 */
    DATE_NO(NO_REF, "11/21/2026 and 11/22/2026");
    /* month 0 without a year: refused, not looked up as month -1 (found by
     * fuzz/fuzz_normalize; fuzz/regressions/normalize-date-month-zero) */
    DATE_WHY(REF_2019, "0/5", "month 0 does not exist");
    DATE_WHY(NO_REF, "00/40", "month 0 does not exist");
    DATE_WHY(REF_2026, "0/31", "month 0 does not exist");
    DATE_WHY(REF_2019, "0/1", "month 0 does not exist");
    DATE_WHY(NO_REF, "0/1", "month 0 does not exist");
}
END_TEST

START_TEST(month_names)
{
    DATE_IS(REF_2019, "March 5", "2019-03-05");
    DATE_IS(REF_2019, "March 5th", "2019-03-05");
    DATE_IS(REF_2019, "march fifth", "2019-03-05");
    DATE_IS(REF_2019, "5 March", "2019-03-05");
    DATE_IS(REF_2019, "5th of March", "2019-03-05");
    DATE_IS(REF_2019, "the fifth of March", "2019-03-05");
    DATE_IS(REF_2019, "March the 5th", "2019-03-05");
    DATE_IS(REF_2019, "MArch 1ST", "2019-03-01");
    DATE_IS(REF_2019, "march twenty first", "2019-03-21");
    DATE_IS(REF_2019, "the twenty-first of March", "2019-03-21");
    DATE_IS(REF_2019, "Jan. 5", "2020-01-05");
    DATE_IS(REF_2019, "Sept 3rd", "2019-09-03");
    DATE_IS(REF_2019, "sep 3", "2019-09-03");
    DATE_IS(REF_2019, "Dec 31", "2019-12-31");
    DATE_IS(REF_2019, "on March 5th please", "2019-03-05");
    DATE_NO(REF_2019, "March");
    DATE_NO(REF_2019, "March 32");
    DATE_NO(REF_2019, "March 5 6");
    DATE_NO(REF_2019, "March 5th or 6th");
    DATE_NO(REF_2019, "March 5 at 7pm");
}
END_TEST

START_TEST(years)
{
    DATE_IS(NO_REF, "March 5, 2027", "2027-03-05");
    DATE_IS(NO_REF, "March 5th 2027", "2027-03-05");
    DATE_IS(NO_REF, "5 March 2027", "2027-03-05");
    DATE_IS(NO_REF, "the 5th of March, 2027", "2027-03-05");
    DATE_IS(NO_REF, "March 5th, twenty nineteen", "2019-03-05");
    DATE_IS(NO_REF, "march 5 two thousand nineteen", "2019-03-05");
    /* a past date with an explicit year stays in the past */
    DATE_IS(REF_2026, "March 5, 2019", "2019-03-05");
    DATE_NO(NO_REF, "2019");
    DATE_NO(NO_REF, "March 2019");
    DATE_NO(NO_REF, "2019 March 5");
    DATE_NO(NO_REF, "March 5, 1850");
}
END_TEST

START_TEST(year_rollover)
{
    /* month + day without a year: first such date on or after the call */
    DATE_IS(REF_2026, "March 5", "2027-03-05");
    DATE_IS(REF_2019, "March 5", "2019-03-05");
    DATE_IS(REF_2026, "November 25", "2026-11-25");
    DATE_IS(REF_2026, "November 24", "2027-11-24");
    DATE_IS(REF_2026, "December 31", "2026-12-31");
    DATE_IS(REF_2019, "February 28", "2020-02-28");
    DATE_WHY(NO_REF, "March 5", "no year");
}
END_TEST

START_TEST(leap_years)
{
    DATE_IS(NO_REF, "2024-02-29", "2024-02-29");
    DATE_IS(NO_REF, "2000-02-29", "2000-02-29");
    DATE_IS(NO_REF, "February 29, 2020", "2020-02-29");
    DATE_WHY(NO_REF, "2026-02-29", "February 29");
    DATE_NO(NO_REF, "2100-02-29");
    DATE_NO(NO_REF, "February 29, 2019");
    /* Feb 29 without a year: the next year that has one */
    DATE_IS(REF_2019, "February 29", "2020-02-29");
    DATE_IS(REF_2026, "Feb 29th", "2028-02-29");
    DATE_IS(ref(2020, 2, 29), "February 29", "2020-02-29");
    DATE_IS(ref(2020, 3, 1), "February 29", "2024-02-29");
    /* 2100 is not a leap year, so from 2096-03-01 the next is 2104 */
    DATE_IS(ref(2096, 3, 1), "February 29", "2104-02-29");
    DATE_IS(ref(2020, 3, 1), "yesterday", "2020-02-29");
    DATE_IS(REF_2019, "yesterday", "2019-02-28");
}
END_TEST

START_TEST(calendar_validation)
{
    DATE_WHY(NO_REF, "February 30, 2026", "February 30 does not exist");
    DATE_NO(REF_2019, "February 30");
    DATE_NO(REF_2019, "April 31");
    DATE_NO(REF_2019, "June 31st");
    DATE_NO(REF_2019, "March 0");
    DATE_NO(NO_REF, "2026-04-31");
    DATE_NO(NO_REF, "0/5/2019");
    DATE_IS(NO_REF, "2026-12-31", "2026-12-31");
    DATE_IS(NO_REF, "2027-01-01", "2027-01-01");
}
END_TEST

START_TEST(weekday_check)
{
    DATE_IS(REF_2019, "Friday, March 8", "2019-03-08");
    DATE_IS(REF_2019, "Friday the 8th", "2019-03-08");
    DATE_IS(REF_2019, "Sunday the 3rd", "2019-03-03");
    DATE_IS(REF_2019, "March 8, Friday", "2019-03-08");
    DATE_IS(NO_REF, "Monday, November 23, 2026", "2026-11-23");
    DATE_IS(NO_REF, "Friday 2019-03-08", "2019-03-08");
    DATE_IS(REF_2019, "tomorrow, Saturday", "2019-03-02");
    DATE_IS(REF_2019, "next Friday, March 8th", "2019-03-08");
    DATE_WHY(NO_REF, "Saturday, November 23, 2026", "that date is a Monday");
    DATE_WHY(REF_2019, "Thursday, March 8", "that date is a Friday");
    DATE_NO(REF_2019, "Saturday the 8th");
    DATE_NO(REF_2019, "tomorrow, Sunday");
    DATE_NO(REF_2019, "next Friday the 15th");   /* next Friday is the 8th */
    DATE_NO(REF_2026, "Friday 11/21/2026");      /* a Saturday */
    /* "the 3rd Sunday" is the nth weekday of a month, not "Sunday the 3rd" */
    DATE_NO(REF_2019, "the 3rd sunday");
    DATE_NO(REF_2019, "the first monday of March");
    DATE_NO(REF_2019, "Friday Saturday");
}
END_TEST

START_TEST(relative_days)
{
    DATE_IS(REF_2019, "today", "2019-03-01");
    DATE_IS(REF_2019, "Today", "2019-03-01");
    DATE_IS(REF_2019, "tonight", "2019-03-01");
    DATE_IS(REF_2019, "this evening", "2019-03-01");
    DATE_IS(REF_2019, "later today", "2019-03-01");
    DATE_IS(REF_2019, "tomorrow", "2019-03-02");
    DATE_IS(REF_2019, "tomorrow evening", "2019-03-02");
    DATE_IS(REF_2019, "day after tomorrow", "2019-03-03");
    DATE_IS(REF_2019, "the day after tomorrow", "2019-03-03");
    DATE_IS(REF_2019, "yesterday", "2019-02-28");
    DATE_IS(ref(2026, 12, 31), "tomorrow", "2027-01-01");
    DATE_WHY(NO_REF, "tomorrow", "needs the call date");
    DATE_NO(NO_REF, "today");
    DATE_NO(REF_2019, "later");
    DATE_NO(REF_2019, "evening");
}
END_TEST

START_TEST(weekdays_sgd_reference)
{
    /* 2019-03-01 is a Friday */
    DATE_IS(REF_2019, "next Friday", "2019-03-08");
    DATE_IS(REF_2019, "next monday", "2019-03-04");
    DATE_IS(REF_2019, "friday", "2019-03-01");
    DATE_IS(REF_2019, "this friday", "2019-03-01");
    DATE_IS(REF_2019, "thursday", "2019-03-07");
    DATE_IS(REF_2019, "This Sunday", "2019-03-03");
    DATE_IS(REF_2019, "coming friday", "2019-03-08");
    DATE_IS(REF_2019, "this coming friday", "2019-03-08");
    DATE_IS(REF_2019, "Saturday this week", "2019-03-02");
    DATE_IS(REF_2019, "monday this week", "2019-02-25");
    DATE_IS(REF_2019, "friday next week", "2019-03-08");
    DATE_IS(REF_2019, "Monday next week", "2019-03-04");
    DATE_IS(REF_2019, "next week friday", "2019-03-08");
    DATE_IS(REF_2019, "Wednesday of next week", "2019-03-06");
    DATE_IS(REF_2019, "friday after next", "2019-03-15");
    DATE_IS(REF_2019, "Sat.", "2019-03-02");
    DATE_IS(REF_2019, "friday night", "2019-03-01");
}
END_TEST

START_TEST(weekdays_midweek_reference)
{
    /* 2026-11-25 is a Wednesday */
    DATE_IS(REF_2026, "wednesday", "2026-11-25");
    DATE_IS(REF_2026, "next wednesday", "2026-12-02");
    DATE_IS(REF_2026, "friday", "2026-11-27");
    DATE_IS(REF_2026, "next friday", "2026-11-27");
    DATE_IS(REF_2026, "tuesday", "2026-12-01");
    DATE_IS(REF_2026, "monday this week", "2026-11-23");
    DATE_IS(REF_2026, "sunday this week", "2026-11-29");
    DATE_IS(REF_2026, "monday next week", "2026-11-30");
    DATE_IS(REF_2026, "wednesday next week", "2026-12-02");
    DATE_IS(REF_2026, "friday after next", "2026-12-04");
    DATE_WHY(NO_REF, "next friday", "needs the call date");
    DATE_NO(REF_2026, "last friday");
    DATE_NO(REF_2026, "fridays");
    DATE_NO(REF_2026, "next week");
    DATE_NO(REF_2026, "this weekend");
}
END_TEST

START_TEST(day_of_month)
{
    DATE_IS(REF_2019, "the 16th", "2019-03-16");
    DATE_IS(REF_2019, "16th", "2019-03-16");
    DATE_IS(REF_2019, "the sixteenth", "2019-03-16");
    DATE_IS(REF_2019, "the 1st", "2019-03-01");
    DATE_IS(REF_2019, "the 5", "2019-03-05");
    DATE_IS(REF_2026, "the 30th", "2026-11-30");
    DATE_IS(REF_2026, "the 24th", "2026-12-24");     /* past: next month */
    DATE_IS(ref(2026, 12, 20), "the 5th", "2027-01-05");
    DATE_IS(ref(2019, 1, 31), "the 31st", "2019-01-31");
    DATE_WHY(REF_2026, "the 31st", "November 31 does not exist");
    DATE_NO(ref(2019, 1, 31), "the 30th");           /* February 30 */
    DATE_NO(NO_REF, "the 16th");
    DATE_NO(REF_2019, "5");                           /* a bare number */
    DATE_NO(REF_2019, "the 32nd");
}
END_TEST

START_TEST(day_of_this_or_next_month)
{
    DATE_IS(REF_2019, "the 1st of this month", "2019-03-01");
    DATE_IS(REF_2019, "16th of this month", "2019-03-16");
    DATE_IS(REF_2026, "the 1st of this month", "2026-11-01");  /* past is fine */
    DATE_IS(REF_2019, "16th of next month", "2019-04-16");
    DATE_IS(ref(2026, 12, 20), "5th of next month", "2027-01-05");
    DATE_IS(ref(2020, 1, 15), "29th of next month", "2020-02-29");
    DATE_IS(REF_2019, "14th of this Month", "2019-03-14");
    DATE_NO(ref(2019, 1, 15), "29th of next month");
    DATE_NO(REF_2019, "31st of next month");          /* April 31 */
    DATE_NO(NO_REF, "5th of this month");
    DATE_NO(REF_2019, "next month");
}
END_TEST

START_TEST(offsets)
{
    DATE_IS(REF_2019, "in 3 days", "2019-03-04");
    DATE_IS(REF_2019, "in three days", "2019-03-04");
    DATE_IS(REF_2019, "3 days from now", "2019-03-04");
    DATE_IS(REF_2019, "in a week", "2019-03-08");
    DATE_IS(REF_2019, "in two weeks", "2019-03-15");
    DATE_IS(REF_2019, "in a week's time", "2019-03-08");
    DATE_IS(REF_2019, "a week from today", "2019-03-08");
    DATE_IS(REF_2019, "a week from tomorrow", "2019-03-09");
    DATE_IS(REF_2019, "a week from Friday", "2019-03-08");
    DATE_IS(REF_2019, "a week from next friday", "2019-03-15");
    DATE_IS(REF_2026, "a week from Friday", "2026-12-04");
    DATE_IS(ref(2019, 2, 25), "in 10 days", "2019-03-07");
    DATE_IS(NO_REF, "a week from March 5, 2027", "2027-03-12");
    DATE_WHY(NO_REF, "in 3 days", "needs the call date");
    DATE_NO(REF_2019, "3 days");
    DATE_NO(REF_2019, "in 3 months");
    DATE_NO(REF_2019, "a week from");
    DATE_NO(REF_2019, "in 3 days or 4");
}
END_TEST

START_TEST(bad_input)
{
    char long_text[400];
    DATE_NO(REF_2019, "");
    DATE_NO(REF_2019, "   ");
    DATE_NO(REF_2019, "asdf");
    DATE_NO(REF_2019, "$%^&");
    DATE_NO(REF_2019, "café");
    DATE_NO(REF_2019, "sometime next week");
    DATE_NO(REF_2019, "March 5 maybe");
    memset(long_text, 0, sizeof long_text);
    for (size_t i = 0; i + 7 < sizeof long_text; i += 6) memcpy(long_text + i, "March ", 6);
    DATE_WHY(REF_2019, long_text, "too long");
    /* many short words: more tokens than the tokenizer keeps */
    memset(long_text, 0, sizeof long_text);
    for (size_t i = 0; i < 180; i += 2) memcpy(long_text + i, "5 ", 2);
    DATE_NO(REF_2019, long_text);
    {   /* no context at all: absolute dates only */
        hx_canon o;
        ck_assert_int_eq(hx_norm_date("March 8, 2019", NULL, &o), 0);
        ck_assert_str_eq(o.value, "2019-03-08");
        ck_assert_int_eq(hx_norm_date("tomorrow", NULL, &o), -1);
        ck_assert(o.why[0] != '\0');
    }
    {   /* no text at all */
        hx_canon o;
        ck_assert_int_eq(hx_norm_date(NULL, &REF_2019, &o), -1);
        ck_assert(o.why[0] != '\0');
    }
}
END_TEST

START_TEST(impossible_reference)
{
    /* a reference that is not a real day counts as unknown */
    DATE_NO(ref(2019, 2, 30), "tomorrow");
    DATE_NO(ref(2019, 13, 1), "the 5th");
    DATE_IS(ref(2019, 2, 30), "2019-03-08", "2019-03-08");
}
END_TEST

Suite *make_suite(void);

Suite *make_suite(void)
{
    Suite *s = suite_create("norm_date");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, iso_dates);
    tcase_add_test(tc, us_numeric_dates);
    tcase_add_test(tc, month_names);
    tcase_add_test(tc, years);
    tcase_add_test(tc, year_rollover);
    tcase_add_test(tc, leap_years);
    tcase_add_test(tc, calendar_validation);
    tcase_add_test(tc, weekday_check);
    tcase_add_test(tc, relative_days);
    tcase_add_test(tc, weekdays_sgd_reference);
    tcase_add_test(tc, weekdays_midweek_reference);
    tcase_add_test(tc, day_of_month);
    tcase_add_test(tc, day_of_this_or_next_month);
    tcase_add_test(tc, offsets);
    tcase_add_test(tc, bad_input);
    tcase_add_test(tc, impossible_reference);
    suite_add_tcase(s, tc);
    return s;
}

HX_TEST_MAIN()
