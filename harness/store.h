/*
 * store.h — the SQLite score store: where every checked case lands.
 *
 * `harness run` and `harness check` write each hx_case_result here as it
 * arrives; people and dashboards read the scores back with plain SQL through
 * five views whose names and columns are a contract (DESIGN.md §5):
 * agent_scores, module_scores, field_scores, case_results and
 * recompile_triggers. The tables behind them are private to store.c and may
 * change between schema versions; the views may not.
 *
 * Three promises shape the design:
 *   - Nothing committed is lost. Cases are written in batches (one
 *     transaction per HX_STORE_BATCH_CASES cases or HX_STORE_BATCH_MS of
 *     work, whichever comes first); a crash loses at most the open batch,
 *     and `--resume` re-runs exactly what is missing.
 *   - Readers never wait. The database is in WAL mode, so a dashboard or a
 *     second `harness report` reads the last committed state while a run
 *     is writing.
 *   - Scores stay fast as history grows. Per-(run, module) and
 *     per-(run, module, field) counters, and per-(run, module) sums of
 *     tokens, cost and latency, are kept up to date as cases are added, so
 *     the score views never scan case rows. Each answered case also
 *     records whether it flipped (pass <-> fail) from the transcript's
 *     previous answered case, and cases are indexed by transcript, so
 *     flakiness and one transcript's history are index reads too. Three
 *     views beside the five expose these (module_costs, agent_costs,
 *     case_flips; see store.c, schema version 4).
 *
 * Errors follow error.h; every message names the database file and what
 * was being done ("reports/h.db: cannot write case results: database or
 * disk is full"). A store handle is for one thread at a time.
 */
#ifndef HX_STORE_H
#define HX_STORE_H

#include <stdbool.h>
#include <stdint.h>

#include "error.h"
#include "result.h"

typedef struct hx_store hx_store;
struct sqlite3;

/* Default batch bounds: large enough that a run of thousands of cases costs
 * a handful of fsyncs, small enough that a dashboard sees progress within a
 * second and a crash costs little. */
#define HX_STORE_BATCH_CASES 256
#define HX_STORE_BATCH_MS    1000

typedef struct hx_run_info {
    const char *kind;        /* "run" or "check" */
    const char *suite_path;  /* may be NULL */
    const char *lm_model;    /* may be NULL */
    const char *started_at;  /* ISO-8601 UTC "2026-11-25T02:00:00Z"; NULL = now */
} hx_run_info;

/* Open (creating the file, not its directory) and bring the schema up to
 * date. Refuses, changing nothing, a file that is not SQLite, a database of
 * another application, one written by a newer harness, and a read-only
 * file. */
int hx_store_open(const char *path, hx_store **out, hx_error *err);

/* As hx_store_open, but migrate no further than `version` (1 ..
 * hx_store_schema_latest()), and refuse a database already past it. For
 * tests of the upgrade path and for tools that must not upgrade. */
int hx_store_open_at_version(const char *path, int version, hx_store **out,
                             hx_error *err);

/* Commits the open batch (errors are lost: call hx_store_flush first to see
 * them), copies and empties the -wal as far as no reader still needs it
 * (without waiting for one, and without SQLite's exclusive
 * checkpoint-on-close lock, which would make readers starting in that
 * instant fail with SQLITE_BUSY), then closes. The -wal and -shm files stay
 * beside the database. NULL is fine. */
void hx_store_close(hx_store *st);

/* The schema version of the open database, and the newest this code knows. */
int hx_store_schema_version(hx_store *st);
int hx_store_schema_latest(void);

/* Change the batch bounds: commit after max_cases cases, or at the first
 * case added max_ms or more after the batch began (0 = no time bound). */
void hx_store_set_batch(hx_store *st, int max_cases, int max_ms);

/* The path given to open, and the underlying connection — for reading
 * (reports, tests). Writing through it bypasses the batch bookkeeping. */
const char *hx_store_path(const hx_store *st);
struct sqlite3 *hx_store_sqlite(hx_store *st);

/* Runs. A run is "running" from begin until run_end marks it "finished" or
 * "aborted"; run_resume sets a run back to "running" (for --resume). */
int hx_store_run_begin(hx_store *st, const hx_run_info *info, int64_t *run_id,
                       hx_error *err);
int hx_store_run_end(hx_store *st, int64_t run_id,
                     const char *status /* "finished" | "aborted" */, hx_error *err);
int hx_store_run_resume(hx_store *st, int64_t run_id, hx_error *err);

/* Declare a module of a run, with the hash of the program scored and its
 * bar (0..1). Must precede the module's cases. Declaring it again (resume)
 * updates the hash and bar and keeps its cases. program_sha256 may be NULL. */
int hx_store_module_begin(hx_store *st, int64_t run_id, const char *agent,
                          const char *module, const char *program_sha256,
                          double bar, hx_error *err);

/* Add one case to the open batch. A case with the same (run, agent, module,
 * transcript_id) as an earlier one replaces it, counters, sums and flips
 * included (in any run, not only the newest: the flip of the transcript's
 * next answered case follows). On failure this case is not stored and the
 * rest of the batch is kept, unless the message says otherwise. */
int hx_store_case_add(hx_store *st, int64_t run_id, const hx_case_result *cr,
                      hx_error *err);

/* Commit the open batch now (no-op when none is open). */
int hx_store_flush(hx_store *st, hx_error *err);

/* The stored status of one case, if any (sees the open batch too). */
int hx_store_case_status(hx_store *st, int64_t run_id, const char *agent,
                         const char *module, const char *transcript_id,
                         bool *found, hx_status *status, hx_error *err);

/*
 * Recompile triggers (DESIGN.md §7). A trigger is opened when a module
 * falls below its bar, and each step of the recompile updates it. Status:
 * "open" (recorded, not started), "running", "done" (candidate scored;
 * `promoted` says whether it replaced the program) or "failed".
 */
typedef struct hx_recompile_info {
    const char *agent;
    const char *module;
    double pass_rate;        /* NAN when the run had no pass/fail case */
    double bar;
    const char *reason;      /* one line; may be NULL */
    const char *created_at;  /* ISO-8601 UTC; NULL = now */
} hx_recompile_info;

typedef struct hx_recompile_step {
    const char *status;              /* required */
    const char *old_program_sha256;  /* NULL = leave as is */
    const char *new_program_sha256;  /* NULL = leave as is */
    double old_score;                /* NAN = leave as is */
    double new_score;                /* NAN = leave as is */
    int promoted;                    /* -1 = leave as is, else 0 or 1 */
} hx_recompile_step;

typedef struct hx_recompile_state {
    int64_t id;
    char status[16];
    char created_at[32];
} hx_recompile_state;

int hx_store_recompile_open(hx_store *st, int64_t run_id,
                            const hx_recompile_info *info, int64_t *trigger_id,
                            hx_error *err);
/* finished_at is set when status becomes "done" or "failed". */
int hx_store_recompile_update(hx_store *st, int64_t trigger_id,
                              const hx_recompile_step *step, hx_error *err);
/* The newest trigger of agent/module, for the open-trigger and cooldown
 * rules; *found is false when there is none. */
int hx_store_recompile_last(hx_store *st, const char *agent, const char *module,
                            bool *found, hx_recompile_state *out, hx_error *err);

#endif
