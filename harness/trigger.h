/*
 * trigger.h — when does a module need recompiling? (DESIGN §7)
 *
 * After `harness run` finishes, each module it scored is judged once. A
 * recompile trigger is recorded (a row of recompile_triggers, status
 * "open") when:
 *   - its pass rate is below its bar, or, with recompile.max_drop > 0, it
 *     fell more than max_drop points below the median of the module's
 *     previous runs (at most HX_TRIGGER_HISTORY of them, and only once there
 *     are HX_TRIGGER_DROP_MIN_RUNS: one earlier run is not a trend);
 * and all of these hold:
 *   - the run had at most 10 % errors overall (more is an outage, not a
 *     regression), and the module itself had fewer than 10 % errors;
 *   - the module had at least recompile.min_cases cases in this run;
 *   - no trigger of the module is still "open" or "running";
 *   - the module's last trigger is at least recompile.cooldown_hours old.
 *
 * hx_trigger_decide is the rule alone, a pure function (the unit tests
 * drive every boundary through it). hx_trigger_evaluate gathers its inputs
 * from the store for one run and records the triggers that fire.
 */
#ifndef HX_TRIGGER_H
#define HX_TRIGGER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "error.h"
#include "store.h"
#include "suite.h"

#define HX_TRIGGER_HISTORY 7         /* earlier runs the drop rule looks at */
#define HX_TRIGGER_DROP_MIN_RUNS 3   /* fewer earlier runs: no drop rule */

typedef struct hx_trigger_input {
    double pass_rate;          /* this run's; NAN when no case was answered */
    double bar;
    size_t cases, errors;      /* the module's, this run */
    size_t run_cases, run_errors; /* the whole run's */
    const hx_recompile_config *rc;
    const double *history;     /* pass rates of earlier runs, newest first */
    size_t nhistory;           /* only the first HX_TRIGGER_HISTORY count */
    bool has_last;             /* the module has an earlier trigger: */
    int64_t last_id;
    const char *last_status;   /*   "open", "running", "done", "failed" */
    double last_age_hours;     /*   how long ago it was created */
} hx_trigger_input;

typedef struct hx_trigger_decision {
    bool fire;
    char reason[320];          /* why it fires, or why not: one line */
} hx_trigger_decision;

void hx_trigger_decide(const hx_trigger_input *in, hx_trigger_decision *out);

/* The median of v[0..n-1] (n > 0); v is not changed. */
double hx_trigger_median(const double *v, size_t n);

typedef struct hx_trigger_outcome {
    char agent[128], module[128];
    double pass_rate, bar;
    bool fired;
    int64_t trigger_id;        /* when fired */
    char reason[320];          /* as hx_trigger_decision */
} hx_trigger_outcome;

/* Judge every module of run run_id (its module_scores rows) against the
 * suite's recompile settings and record the triggers that fire. now: the
 * clock for cooldowns (0 = time(NULL)). *out (owned, free()) gets one
 * outcome per module of the run that the suite knows. */
int hx_trigger_evaluate(hx_store *st, const hx_suite *s, int64_t run_id, time_t now,
                        hx_trigger_outcome **out, size_t *n, hx_error *err);

/* "2026-11-25T02:00:00Z" to a time; -1 if it is not that form. */
time_t hx_trigger_parse_utc(const char *iso);

#endif
