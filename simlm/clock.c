/*
 * clock.c — interruptible sleeps (see clock.h).
 *
 * The condition variable uses CLOCK_MONOTONIC so a wall-clock change cannot
 * stretch or cut a simulated latency.
 */
#include "clock.h"

#include <errno.h>
#include <pthread.h>
#include <time.h>

static pthread_mutex_t g_mu = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t g_cv;
static pthread_once_t g_once = PTHREAD_ONCE_INIT;
static bool g_stopping;

static void init_cv(void)
{
    pthread_condattr_t a;
    pthread_condattr_init(&a);
    pthread_condattr_setclock(&a, CLOCK_MONOTONIC);
    pthread_cond_init(&g_cv, &a);
    pthread_condattr_destroy(&a);
}

long long sl_ms_since(const struct timespec *t)
{
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    return (long long)(now.tv_sec - t->tv_sec) * 1000 + (now.tv_nsec - t->tv_nsec) / 1000000;
}

struct timespec sl_clock_add_ms(struct timespec t, long ms)
{
    if (ms <= 0) return t;
    t.tv_sec += ms / 1000;
    t.tv_nsec += (ms % 1000) * 1000000L;
    if (t.tv_nsec >= 1000000000L) { t.tv_sec++; t.tv_nsec -= 1000000000L; }
    return t;
}

struct timespec sl_clock_in_ms(long ms)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return sl_clock_add_ms(t, ms);
}

bool sl_sleep_until(const struct timespec *until)
{
    struct timespec now;
    bool full = true;
    clock_gettime(CLOCK_MONOTONIC, &now);
    if (now.tv_sec > until->tv_sec || (now.tv_sec == until->tv_sec && now.tv_nsec >= until->tv_nsec))
        return !sl_clock_stopping();
    pthread_once(&g_once, init_cv);
    pthread_mutex_lock(&g_mu);
    for (;;) {
        if (g_stopping) { full = false; break; }
        if (pthread_cond_timedwait(&g_cv, &g_mu, until) == ETIMEDOUT) break;
    }
    pthread_mutex_unlock(&g_mu);
    return full;
}

bool sl_sleep_ms(long ms)
{
    if (ms <= 0) return !sl_clock_stopping();
    struct timespec until = sl_clock_in_ms(ms);
    return sl_sleep_until(&until);
}

void sl_clock_stop_all(void)
{
    pthread_once(&g_once, init_cv);
    pthread_mutex_lock(&g_mu);
    g_stopping = true;
    pthread_cond_broadcast(&g_cv);
    pthread_mutex_unlock(&g_mu);
}

bool sl_clock_stopping(void)
{
    bool s;
    pthread_mutex_lock(&g_mu);
    s = g_stopping;
    pthread_mutex_unlock(&g_mu);
    return s;
}
