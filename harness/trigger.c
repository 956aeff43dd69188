/*
 * trigger.c — the recompile trigger rules (see trigger.h).
 *
 * The decision is kept apart from the database so each rule and boundary is
 * testable with plain numbers; hx_trigger_evaluate only reads the inputs
 * (the run's module_scores, the module's earlier finished runs, its last
 * trigger) and writes the triggers that fire.
 */
#include "trigger.h"

#include <math.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* --- the rule --------------------------------------------------------------- */

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

double hx_trigger_median(const double *v, size_t n)
{
    double tmp[HX_TRIGGER_HISTORY];
    if (n == 0) return NAN;
    if (n > HX_TRIGGER_HISTORY) n = HX_TRIGGER_HISTORY;
    memcpy(tmp, v, n * sizeof *tmp);
    qsort(tmp, n, sizeof *tmp, cmp_double);
    return n % 2 ? tmp[n / 2] : (tmp[n / 2 - 1] + tmp[n / 2]) / 2;
}

/* Reasons not to look at the scores at all: too little or too broken data.
 * Returns true (and says why) when the run does not count. */
static bool run_does_not_count(const hx_trigger_input *in, hx_trigger_decision *out)
{
    if (in->run_errors * 10 > in->run_cases) {
        snprintf(out->reason, sizeof out->reason,
                 "the run had %zu errors in %zu cases (more than 10 %%): an outage, not a regression",
                 in->run_errors, in->run_cases);
        return true;
    }
    if (in->errors * 10 >= in->cases && in->errors > 0) {
        snprintf(out->reason, sizeof out->reason,
                 "%zu errors in %zu cases (10 %% or more): the scores are not trustworthy",
                 in->errors, in->cases);
        return true;
    }
    if (isnan(in->pass_rate)) {
        snprintf(out->reason, sizeof out->reason, "no case was answered");
        return true;
    }
    if (in->cases < (size_t)(in->rc->min_cases > 0 ? in->rc->min_cases : 0)) {
        snprintf(out->reason, sizeof out->reason, "%zu cases, fewer than min_cases %d", in->cases,
                 in->rc->min_cases);
        return true;
    }
    return false;
}

/* Is the score bad enough? Fills the reason either way. */
static bool score_is_bad(const hx_trigger_input *in, hx_trigger_decision *out)
{
    size_t nh = in->nhistory < HX_TRIGGER_HISTORY ? in->nhistory : HX_TRIGGER_HISTORY;
    bool below = in->pass_rate < in->bar;
    bool drop = false;
    double med = NAN;
    if (in->rc->max_drop > 0 && nh >= HX_TRIGGER_DROP_MIN_RUNS) {
        med = hx_trigger_median(in->history, nh);
        drop = (med - in->pass_rate) * 100 > in->rc->max_drop;
    }
    if (below)
        snprintf(out->reason, sizeof out->reason, "pass rate %.1f%% < bar %.1f%% (%zu cases, %zu errors)%s",
                 100 * in->pass_rate, 100 * in->bar, in->cases, in->errors,
                 drop ? "; also a drop below the recent median" : "");
    else if (drop)
        snprintf(out->reason, sizeof out->reason,
                 "pass rate %.1f%% is %.1f points below the median %.1f%% of the last %zu runs (max_drop %g)",
                 100 * in->pass_rate, 100 * (med - in->pass_rate), 100 * med, nh, in->rc->max_drop);
    else
        snprintf(out->reason, sizeof out->reason, "pass rate %.1f%% at or above bar %.1f%%",
                 100 * in->pass_rate, 100 * in->bar);
    return below || drop;
}

/* An unfinished or recent trigger holds a new one back. */
static bool held_back(const hx_trigger_input *in, hx_trigger_decision *out, const char *why_bad)
{
    if (!in->has_last) return false;
    if (in->last_status && (!strcmp(in->last_status, "open") || !strcmp(in->last_status, "running"))) {
        snprintf(out->reason, sizeof out->reason, "%.200s; trigger %lld is still %s", why_bad,
                 (long long)in->last_id, in->last_status);
        return true;
    }
    /* A negative age (a clock set back) counts as recent: when in doubt,
     * do not start a second expensive recompile. */
    if (in->last_age_hours < in->rc->cooldown_hours) {
        snprintf(out->reason, sizeof out->reason, "%.200s; cooldown: trigger %lld is %.1f h old (< %g h)",
                 why_bad, (long long)in->last_id, in->last_age_hours, in->rc->cooldown_hours);
        return true;
    }
    return false;
}

void hx_trigger_decide(const hx_trigger_input *in, hx_trigger_decision *out)
{
    char bad[320];
    memset(out, 0, sizeof *out);
    if (run_does_not_count(in, out)) return;
    if (!score_is_bad(in, out)) return;
    snprintf(bad, sizeof bad, "%s", out->reason);
    if (held_back(in, out, bad)) return;
    out->fire = true;
}

/* --- reading the store ---------------------------------------------------------- */

time_t hx_trigger_parse_utc(const char *iso)
{
    struct tm tm;
    char z = 0;
    int n = 0;
    memset(&tm, 0, sizeof tm);
    if (!iso || sscanf(iso, "%4d-%2d-%2dT%2d:%2d:%2d%c%n", &tm.tm_year, &tm.tm_mon, &tm.tm_mday,
                       &tm.tm_hour, &tm.tm_min, &tm.tm_sec, &z, &n) != 7 || z != 'Z' || iso[n])
        return (time_t)-1;
    tm.tm_year -= 1900;
    tm.tm_mon -= 1;
    return timegm(&tm);
}

static const hx_module_config *find_config(const hx_suite *s, const char *agent, const char *module)
{
    for (size_t a = 0; a < s->nagents; a++) {
        if (strcmp(s->agents[a].name, agent)) continue;
        for (size_t k = 0; k < s->agents[a].nmodules; k++)
            if (!strcmp(s->agents[a].modules[k].name, module)) return &s->agents[a].modules[k];
    }
    return NULL;
}

/* Pass rates of the module's earlier finished runs, newest first. */
static int read_history(sqlite3 *db, int64_t run_id, const char *agent, const char *module,
                        double hist[HX_TRIGGER_HISTORY], size_t *n)
{
    sqlite3_stmt *q;
    *n = 0;
    if (sqlite3_prepare_v2(db,
                           "SELECT m.pass_rate FROM module_scores AS m JOIN runs AS r ON r.run_id = m.run_id"
                           " WHERE m.agent = ?1 AND m.module = ?2 AND m.run_id < ?3 AND r.kind = 'run'"
                           " AND r.status = 'finished' AND m.pass_rate IS NOT NULL"
                           " ORDER BY m.run_id DESC LIMIT ?4", -1, &q, NULL) != SQLITE_OK)
        return -1;
    sqlite3_bind_text(q, 1, agent, -1, SQLITE_STATIC);
    sqlite3_bind_text(q, 2, module, -1, SQLITE_STATIC);
    sqlite3_bind_int64(q, 3, run_id);
    sqlite3_bind_int(q, 4, HX_TRIGGER_HISTORY);
    int rc;
    while ((rc = sqlite3_step(q)) == SQLITE_ROW && *n < HX_TRIGGER_HISTORY)
        hist[(*n)++] = sqlite3_column_double(q, 0);
    sqlite3_finalize(q);
    return rc == SQLITE_DONE || rc == SQLITE_ROW ? 0 : -1;
}

typedef struct module_row {
    char agent[128], module[128];
    size_t cases, errors;
    double pass_rate, bar;
} module_row;

static int read_run(sqlite3 *db, int64_t run_id, module_row **rows, size_t *n)
{
    sqlite3_stmt *q;
    int rc;
    *rows = NULL;
    *n = 0;
    if (sqlite3_prepare_v2(db,
                           "SELECT agent, module, cases, errors, pass_rate, bar FROM module_scores"
                           " WHERE run_id = ?1 ORDER BY agent, module", -1, &q, NULL) != SQLITE_OK)
        return -1;
    sqlite3_bind_int64(q, 1, run_id);
    while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
        module_row *r = realloc(*rows, (*n + 1) * sizeof *r);
        if (!r) { rc = SQLITE_NOMEM; break; }
        *rows = r;
        r = &r[(*n)++];
        snprintf(r->agent, sizeof r->agent, "%s", (const char *)sqlite3_column_text(q, 0));
        snprintf(r->module, sizeof r->module, "%s", (const char *)sqlite3_column_text(q, 1));
        r->cases = (size_t)sqlite3_column_int64(q, 2);
        r->errors = (size_t)sqlite3_column_int64(q, 3);
        r->pass_rate = sqlite3_column_type(q, 4) == SQLITE_NULL ? NAN : sqlite3_column_double(q, 4);
        r->bar = sqlite3_column_double(q, 5);
    }
    sqlite3_finalize(q);
    return rc == SQLITE_DONE ? 0 : -1;
}

/* Judge one module and record its trigger if it fires. */
static int judge(hx_store *st, const module_row *r, const hx_module_config *m, int64_t run_id,
                 size_t run_cases, size_t run_errors, time_t now, hx_trigger_outcome *o, hx_error *err)
{
    double hist[HX_TRIGGER_HISTORY];
    size_t nh = 0;
    bool found;
    hx_recompile_state last;
    hx_trigger_decision dec;

    if (read_history(hx_store_sqlite(st), run_id, r->agent, r->module, hist, &nh) != 0)
        return hx_fail(err, "%s: cannot read the history of %s/%s: %s", hx_store_path(st), r->agent,
                       r->module, sqlite3_errmsg(hx_store_sqlite(st)));
    if (hx_store_recompile_last(st, r->agent, r->module, &found, &last, err) != 0) return -1;
    time_t created = found ? hx_trigger_parse_utc(last.created_at) : (time_t)-1;
    hx_trigger_input in = {
        .pass_rate = r->pass_rate, .bar = r->bar, .cases = r->cases, .errors = r->errors,
        .run_cases = run_cases, .run_errors = run_errors, .rc = &m->recompile, .history = hist,
        .nhistory = nh, .has_last = found, .last_id = found ? last.id : 0,
        .last_status = found ? last.status : NULL,
        /* an unreadable created_at counts as recent, like a clock set back */
        .last_age_hours = created == (time_t)-1 ? -1 : difftime(now, created) / 3600.0};
    hx_trigger_decide(&in, &dec);
    memset(o, 0, sizeof *o);
    snprintf(o->agent, sizeof o->agent, "%s", r->agent);
    snprintf(o->module, sizeof o->module, "%s", r->module);
    o->pass_rate = r->pass_rate;
    o->bar = r->bar;
    o->fired = dec.fire;
    snprintf(o->reason, sizeof o->reason, "%s", dec.reason);
    if (!dec.fire) return 0;
    hx_recompile_info info = {.agent = r->agent, .module = r->module, .pass_rate = r->pass_rate,
                              .bar = r->bar, .reason = dec.reason};
    return hx_store_recompile_open(st, run_id, &info, &o->trigger_id, err);
}

int hx_trigger_evaluate(hx_store *st, const hx_suite *s, int64_t run_id, time_t now,
                        hx_trigger_outcome **out, size_t *n, hx_error *err)
{
    module_row *rows;
    size_t nrows, run_cases = 0, run_errors = 0;
    *out = NULL;
    *n = 0;
    if (!now) now = time(NULL);
    if (hx_store_flush(st, err) != 0) return -1;
    if (read_run(hx_store_sqlite(st), run_id, &rows, &nrows) != 0) {
        free(rows);
        return hx_fail(err, "%s: cannot read the scores of run %lld: %s", hx_store_path(st),
                       (long long)run_id, sqlite3_errmsg(hx_store_sqlite(st)));
    }
    for (size_t i = 0; i < nrows; i++) {
        run_cases += rows[i].cases;
        run_errors += rows[i].errors;
    }
    if (nrows && !(*out = calloc(nrows, sizeof **out))) {
        free(rows);
        return hx_fail(err, "out of memory");
    }
    for (size_t i = 0; i < nrows; i++) {
        const hx_module_config *m = find_config(s, rows[i].agent, rows[i].module);
        if (!m) continue; /* a module the suite no longer has */
        if (judge(st, &rows[i], m, run_id, run_cases, run_errors, now, &(*out)[*n], err) != 0) {
            free(rows);
            free(*out);
            *out = NULL;
            *n = 0;
            return -1;
        }
        (*n)++;
    }
    free(rows);
    return 0;
}
