/*
 * report.h — the data a `harness report` shows, read from the score store.
 *
 * A report is about one run (the latest by default) seen against its
 * history: the run's facts (LM, times, tokens, cost), each agent's pass
 * rate over the last N runs, each module's score with its change since the
 * module's previous run, per-field accuracy, the worst failing cases with
 * expected and actual values, and the recompile history. hx_report_load
 * gathers all of it in one read transaction, so every number in a report
 * comes from the same snapshot even while a run is writing (WAL).
 *
 * The database is opened read-only and never created, migrated or written:
 * a report may be rendered from a copy on a web server, or beside a running
 * `harness run`. Scores come from the DESIGN §5 views; the per-field
 * expected/actual values, which no view carries, and the run's LM and end
 * time are read from the store's `field_checks` and `runs` tables when they
 * exist (a report of an older schema simply lacks them).
 *
 * Renderers (report_html.c, report_md.c, report_junit.c, report_json.c)
 * take a loaded report and a FILE; they never query scores themselves,
 * except JUnit, which streams every case of the run through
 * hx_report_each_case instead of holding them all in memory.
 *
 * Every string is valid UTF-8 (invalid bytes from the database are replaced
 * by U+FFFD when loaded), so renderers only escape for their own syntax.
 * Unknown numbers are NAN; unknown strings are NULL. Errors follow error.h.
 */
#ifndef HX_REPORT_H
#define HX_REPORT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "error.h"

#define HX_REPORT_DEFAULT_LAST  30   /* runs in a trend */
#define HX_REPORT_DEFAULT_WORST 20   /* worst failing cases listed */
#define HX_REPORT_MAX_LAST      1000
#define HX_REPORT_MAX_WORST     10000

typedef struct hx_report_opts {
    int64_t run_id;   /* 0 = the latest run */
    int last;         /* runs per trend, >= 1 */
    int worst;        /* worst cases to list, >= 0 */
} hx_report_opts;

/* The run itself. */
typedef struct hx_report_run {
    int64_t run_id;
    const char *kind;          /* "run" | "check"; NULL if unknown */
    const char *status;        /* "running" | "finished" | "aborted"; NULL if unknown */
    const char *suite_path, *lm_model;
    const char *started_at, *finished_at;   /* ISO-8601 UTC */
    double duration_s;         /* finished - started; NAN while running */
    int64_t cases, passed, failed, errors;
    double pass_rate;          /* passed / (passed + failed); NAN if none */
    int64_t prompt_tokens, completion_tokens;
    double cost_usd;
    double latency_ms_mean, latency_ms_p95;  /* over cases that called an LM */
    int64_t previous_run_id;   /* the run before it; 0 = none */
    size_t modules_below;      /* modules below their bar */
} hx_report_run;

/* One run of an agent's trend. */
typedef struct hx_report_point {
    int64_t run_id;
    const char *started_at;
    double pass_rate;          /* NAN when the run had no pass/fail case */
} hx_report_point;

typedef struct hx_report_agent {
    const char *agent;
    int64_t cases, passed, failed, errors;
    double pass_rate;
    double bar;                /* the strictest bar of its modules in this run */
    hx_report_point *trend;    /* oldest first; the last point is this run */
    size_t ntrend;
} hx_report_agent;

typedef struct hx_report_module {
    const char *agent, *module, *program_sha256;
    int64_t cases, passed, failed, errors;
    double pass_rate, bar;
    bool below_bar;
    const char *status;        /* "ok", "below" or "none" (no pass/fail case) */
    int64_t prev_run_id;       /* the module's previous run; 0 = none */
    double prev_pass_rate;     /* NAN = none */
    double delta;              /* pass_rate - prev_pass_rate; NAN = none */
    bool program_changed;      /* the program's hash differs from prev_run_id's */
    double latency_ms_total;   /* summed over its cases */
} hx_report_module;

typedef struct hx_report_field {
    const char *agent, *module, *field;
    int64_t checks, passed;
    double accuracy;
    double prev_accuracy;      /* in the module's previous run; NAN = none */
} hx_report_field;

/* A failing field check of a case. */
typedef struct hx_report_check {
    const char *field;
    const char *expected;      /* canonical; "null" = must be absent */
    const char *actual_raw;    /* JSON text of what the module returned; NULL = absent */
    const char *actual;        /* canonical actual; NULL = absent or not normalisable */
    const char *reason;
} hx_report_check;

typedef struct hx_report_case {
    const char *agent, *module, *transcript_id;
    const char *status;        /* "fail" | "error" (or "pass" when streamed) */
    const char *reason;
    double latency_ms;
    int64_t prompt_tokens, completion_tokens;
    double cost_usd;
    const char *prev_status;   /* in the module's previous run; NULL = not in it
                                * (and always NULL in hx_report_each_case) */
    hx_report_check *checks;   /* failing fields, in rule order */
    size_t nchecks;
} hx_report_case;

typedef struct hx_report_trigger {
    int64_t id, run_id;
    const char *agent, *module, *reason, *status;
    const char *created_at, *finished_at;
    const char *old_program_sha256, *new_program_sha256;
    double pass_rate, bar, old_score, new_score;
    int promoted;              /* -1 unknown, 0, 1 */
} hx_report_trigger;

typedef struct hx_report hx_report;

struct hx_report {
    const char *db_path;
    const char *generated_at;  /* now, or SOURCE_DATE_EPOCH when set */
    int last, worst;
    bool has_field_details;    /* expected/actual per field were available */
    hx_report_run run;
    hx_report_agent *agents;   size_t nagents;   /* by name */
    hx_report_module *modules; size_t nmodules;  /* by agent, module */
    hx_report_field *fields;   size_t nfields;   /* by agent, module, accuracy */
    hx_report_case *worst_cases; size_t nworst;  /* worst first */
    hx_report_trigger *triggers; size_t ntriggers; /* newest first, up to this run */
    struct hx_report_priv *priv;
};

/* Open db_path read-only and load the report of opts->run_id. Fails, with
 * a message naming the file, when the file is missing, is not a harness
 * database, holds no runs, or lacks the run asked for. On failure *out is
 * NULL. */
int hx_report_load(const char *db_path, const hx_report_opts *opts,
                   hx_report **out, hx_error *err);

void hx_report_free(hx_report *r);

/* Call fn for every case of agent/module in the run, ordered by transcript
 * id, with its failing checks; stops at fn's first non-zero return (which
 * is returned). The case and its strings live until fn returns. */
typedef int (*hx_report_case_fn)(const hx_report_case *c, void *ud);
int hx_report_each_case(hx_report *r, const char *agent, const char *module,
                        hx_report_case_fn fn, void *ud, hx_error *err);

/* The renderers: write the report to out. -1 (with err) when out fails. */
int hx_report_html(hx_report *r, FILE *out, hx_error *err);
int hx_report_markdown(hx_report *r, FILE *out, hx_error *err);
int hx_report_junit(hx_report *r, FILE *out, hx_error *err);
int hx_report_json(hx_report *r, FILE *out, hx_error *err);

/* ---- helpers the renderers share --------------------------------------- */

/* Write s escaped for HTML and XML text or attribute values: & < > " '
 * become entities; in attributes TAB, LF and CR become character
 * references so they survive attribute normalisation; other C0 controls,
 * which XML 1.0 forbids, become U+FFFD. NULL writes nothing. */
void hx_report_put_markup(FILE *out, const char *s, bool attr);

/* "51.2%" / "—" for NAN, and "+2.5 pp" / "−1.0 pp" / "±0.0 pp" / "—". */
void hx_report_fmt_pct(char *buf, size_t n, double rate);
void hx_report_fmt_delta(char *buf, size_t n, double delta);

/* The result of writing to out: 0, or -1 with "cannot write the report". */
int hx_report_out_status(FILE *out, hx_error *err);

#endif
