/*
 * calendar.h — proleptic Gregorian day arithmetic, shared by everything
 * that reasons about dates (the date normaliser, date comparisons and their
 * "3 days late" reasons, transcript call dates, the demo generator).
 *
 * Day numbers count days since 1970-01-01 (negative before it), using
 * Howard Hinnant's civil-from-days algorithms: exact for every year, no
 * time zones, no libc locale or TZ state involved.
 */
#ifndef HX_CALENDAR_H
#define HX_CALENDAR_H

#include <stdbool.h>

bool hx_is_leap(int y);
int hx_days_in_month(int y, int m);                 /* m = 1..12 */
long hx_days_from_civil(int y, int m, int d);
void hx_civil_from_days(long dn, int *y, int *m, int *d);
int hx_weekday(long dn);                            /* 0 = Monday .. 6 = Sunday */

#endif
