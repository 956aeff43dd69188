/*
 * runner.h — `harness run`: the nightly job.
 *
 * For every selected module of every selected agent, every transcript is
 * rendered into the messages DSPy would send (chat_adapter.c), sent with
 * many requests in flight (lm_client.c), parsed as DSPy parses (falling
 * back to JSON mode as DSPy does), checked (assertion.c) and written to the
 * store as it arrives (store.c). Memory holds only the requests in flight,
 * never the run. A run can be resumed after a crash (--resume) and its
 * infrastructure errors re-run (--rerun-errors).
 */
#ifndef HX_RUNNER_H
#define HX_RUNNER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "diag.h"
#include "error.h"
#include "trigger.h"

typedef struct hx_run_opts {
    const char *suite_path;
    const char *const *agents;   /* filters; n = 0 means all */
    size_t nagents;
    const char *const *modules;
    size_t nmodules;
    const char *db;              /* NULL = the suite's */
    int concurrency;             /* 0 = the suite's */
    int cache_mode;              /* HX_CACHE_* (lm_cache.h) */
    int64_t resume_run;          /* 0 = a new run */
    int64_t rerun_errors_run;    /* 0 = none */
    bool progress;               /* a progress line on stderr */
    /* After a finished run, judge its modules and record recompile
     * triggers (trigger.h); the outcomes land in the summary. */
    bool triggers;
    /* For scoring a recompile's candidate (recompile.c): the program file
     * to use instead of the module's own (exactly one module must be
     * selected), and which transcripts to replay (NULL = all). Such runs
     * go to a scratch database, so history only holds real runs. */
    const char *program_override;
    bool (*want_id)(const char *transcript_id, void *user);
    void *want_id_user;
} hx_run_opts;

typedef struct hx_module_summary {
    char agent[128], module[128];
    size_t cases, passed, failed, errors;
    double pass_rate;            /* NAN when no pass/fail case */
    double prev_pass_rate;       /* the previous run's, NAN if none */
    double bar;
    bool below;
} hx_module_summary;

typedef struct hx_run_summary {
    int64_t run_id;
    char db[1024];
    hx_module_summary *modules;  /* owned */
    size_t nmodules;
    size_t cases, errors;
    double wall_s;
    int64_t prompt_tokens, completion_tokens;
    double cost_usd;
    int64_t requests, retries;
    bool too_many_errors;        /* errors > 10 % of cases: an outage, not a regression */
    hx_trigger_outcome *triggers; /* owned; one per module judged (opts.triggers) */
    size_t ntriggers;
    char program_sha256[65];     /* with program_override: the hash of the program scored */
} hx_run_summary;

/* Run. Returns 0 when the run finished (scores in *sum), -2 when the suite,
 * rules, programs or transcripts have problems (listed in d; nothing sent,
 * nothing written), -1 when it could not finish (err; what finished is kept
 * and --resume continues it). */
int hx_run(const hx_run_opts *o, hx_run_summary *sum, hx_diags *d, hx_error *err);
void hx_run_summary_free(hx_run_summary *s);

#endif
