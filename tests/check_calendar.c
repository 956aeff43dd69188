/*
 * check_calendar.c — day arithmetic against calendar facts.
 */
#include "test_util.h"

#include "calendar.h"

START_TEST(epoch_and_known_days)
{
    ck_assert_int_eq(hx_days_from_civil(1970, 1, 1), 0);
    ck_assert_int_eq(hx_weekday(0), 3);                                   /* a Thursday */
    ck_assert_int_eq(hx_weekday(hx_days_from_civil(2026, 11, 25)), 2);    /* a Wednesday */
    ck_assert_int_eq(hx_weekday(hx_days_from_civil(2019, 3, 1)), 4);      /* a Friday */
    ck_assert_int_eq(hx_days_from_civil(1969, 12, 31), -1);
    ck_assert_int_eq(hx_days_from_civil(2000, 3, 1) - hx_days_from_civil(2000, 2, 28), 2);
    ck_assert_int_eq(hx_days_from_civil(2100, 3, 1) - hx_days_from_civil(2100, 2, 28), 1);
}
END_TEST

START_TEST(leap_years_and_month_lengths)
{
    ck_assert(hx_is_leap(2000));
    ck_assert(hx_is_leap(2024));
    ck_assert(!hx_is_leap(1900));
    ck_assert(!hx_is_leap(2026));
    ck_assert_int_eq(hx_days_in_month(2024, 2), 29);
    ck_assert_int_eq(hx_days_in_month(2026, 2), 28);
    ck_assert_int_eq(hx_days_in_month(2026, 4), 30);
    ck_assert_int_eq(hx_days_in_month(2026, 12), 31);
}
END_TEST

START_TEST(round_trip)
{
    /* every day from 1600 to 2400 maps back to itself and days are consecutive */
    long start = hx_days_from_civil(1600, 1, 1), end = hx_days_from_civil(2400, 12, 31);
    int py = 1599, pm = 12, pd = 31;
    for (long dn = start; dn <= end; dn++) {
        int y, m, d;
        hx_civil_from_days(dn, &y, &m, &d);
        ck_assert_int_eq(hx_days_from_civil(y, m, d), dn);
        if (d == 1) ck_assert(pd == hx_days_in_month(py, pm) && (m == pm + 1 || (m == 1 && pm == 12)));
        else ck_assert_int_eq(d, pd + 1);
        py = y; pm = m; pd = d;
    }
}
END_TEST

Suite *make_suite(void);
Suite *make_suite(void)
{
    Suite *s = suite_create("calendar");
    TCase *tc = tcase_create("calendar");
    tcase_add_test(tc, epoch_and_known_days);
    tcase_add_test(tc, leap_years_and_month_lengths);
    tcase_add_test(tc, round_trip);
    suite_add_tcase(s, tc);
    return s;
}

HX_TEST_MAIN()
