/*
 * clock.h — sleeping that shutdown can interrupt.
 *
 * simlm sleeps inside request handlers (--latency-ms, --jitter-ms, and
 * --hang-ms, two minutes by default). A plain sleep would keep SIGTERM
 * waiting until every hanging request ran out; these sleeps wait on one
 * condition variable that sl_clock_stop_all() broadcasts, so the server
 * stops at once.
 */
#ifndef SL_CLOCK_H
#define SL_CLOCK_H

#include <stdbool.h>
#include <time.h>

/* Sleep ms milliseconds (<= 0: not at all). Returns true if it slept the
 * full time, false if woken because the server is stopping. */
bool sl_sleep_ms(long ms);
/* The same until a moment of the monotonic clock (one already past: not at
 * all), for a reply due a fixed time after its request arrived however
 * long the answer took to compute. */
bool sl_sleep_until(const struct timespec *until);
/* Now on the monotonic clock, plus ms milliseconds. */
struct timespec sl_clock_in_ms(long ms);
/* t plus ms milliseconds (ms <= 0: t). */
struct timespec sl_clock_add_ms(struct timespec t, long ms);
/* Wake every sleeper now and make later sleeps return at once. */
void sl_clock_stop_all(void);
bool sl_clock_stopping(void);
/* Milliseconds since t, a moment of the monotonic clock (request times). */
long long sl_ms_since(const struct timespec *t);

#endif
