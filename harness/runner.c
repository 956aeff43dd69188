/*
 * runner.c — the replay loop behind `harness run` (see runner.h).
 *
 * Modules that talk to the same LM endpoint (base URL, key, limits) share
 * one LM client, and so one concurrency limit and one rate limit, for the
 * whole run. Their transcripts stream from disk one module after another,
 * but the next module's cases start as soon as the previous module has
 * nothing left to read: its last requests, and the JSON-mode retries of
 * its unparseable replies, drain while the endpoint is kept busy with the
 * next module's. At most 2 × concurrency cases exist in memory at once:
 * the loop tops up the client's queue, then polls it; completions arrive
 * in on_done, which either finishes the case (check + store) or, on a
 * reply that does not parse, queues it again in the next adapter stage —
 * the fallback DSPy's ChatAdapter makes (chat_adapter.h): JSON mode, with
 * a json_schema response_format for models that support structured
 * outputs (then json_object if that fails too), or json_object directly
 * for the others. Nothing is submitted from inside the client's callback;
 * re-queued cases wait on a list the loop drains, and go to the front of
 * the client's queue (a follow-up has waited one reply already; behind new
 * cases, the run's last follow-ups would stretch its end). While it reads
 * transcripts to top up the queue, the loop lets the client start requests
 * and take in replies every few cases, so slots never wait on reading.
 *
 * Modules with different endpoints (a module's own "lm") run as separate
 * groups, one group after another.
 */
#include "runner.h"

#include <math.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "assertion.h"
#include "chat_adapter.h"
#include "json_adapter.h"
#include "lm_cache.h"
#include "lm_client.h"
#include "paths.h"
#include "store.h"
#include "suite.h"
#include "template.h"
#include "validate.h"

/* The request a case is at. ST_JSON_PLAIN: JSON mode without any
 * response_format (structured_outputs "none"). */
enum stage { ST_CHAT, ST_JSON_SCHEMA, ST_JSON_OBJECT, ST_JSON_PLAIN };

typedef struct job job;
typedef struct mod_run mod_run;
typedef struct lm_group lm_group;

struct job {
    mod_run *mr;
    char *tid;              /* owned */
    cJSON *expected;        /* owned */
    cJSON *inputs;          /* owned */
    hx_norm_ctx ctx;
    enum stage stage;
    char *body;             /* owned: the request of the current stage */
    double latency_ms;
    int64_t prompt_tokens, completion_tokens;
    char first_why[256];    /* why the ChatAdapter reply did not parse */
    job *next;              /* on the re-queue list */
};

/* One module of the run: its configuration and its tallies. */
struct mod_run {
    const hx_agent_config *a;
    const hx_module_config *m;
    lm_group *g;
    size_t done, errors, failed, passed;
    int64_t prompt_tokens, completion_tokens;
    double cost_usd;
};

/* One LM endpoint and the modules that use it (see the top of the file). */
struct lm_group {
    const hx_lm_config *lm; /* the first module's; the others share its endpoint */
    mod_run **mods;         /* owned array (the mod_runs are hx_run's) */
    size_t nmods;
    hx_store *st;
    int64_t run_id;
    hx_lm_cache *cache;
    int cache_mode;
    hx_lm_client *client;
    job *requeue;
    size_t live;            /* jobs in memory, every module of the group */
    int store_failed;
    hx_error store_err;
    int aborting;           /* cancelled jobs are dropped, not stored: --resume re-runs them */
    int64_t requests, retries;
};

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

static void job_free(job *j)
{
    if (!j) return;
    free(j->tid);
    cJSON_Delete(j->expected);
    cJSON_Delete(j->inputs);
    free(j->body);
    free(j);
}

/* --- building requests ---------------------------------------------------- */

static int build_body(job *j, hx_error *err)
{
    const hx_module_config *m = j->mr->m;
    cJSON *msgs, *rf = NULL;
    free(j->body);
    j->body = NULL;
    if (j->stage == ST_CHAT) {
        msgs = hx_chat_format(&m->sig, m->chain_of_thought, &m->prog, j->inputs, err);
    } else {
        msgs = hx_json_adapter_format(&m->sig, m->chain_of_thought, &m->prog, j->inputs, err);
        if (j->stage != ST_JSON_PLAIN) {
            rf = hx_json_response_format(&m->sig, m->chain_of_thought, j->stage == ST_JSON_SCHEMA);
            if (!rf) { cJSON_Delete(msgs); return hx_fail(err, "out of memory"); }
        }
    }
    if (!msgs) { cJSON_Delete(rf); return -1; }
    j->body = hx_lm_chat_body(m->lm.model, msgs, m->lm.temperature, m->lm.max_tokens, rf);
    cJSON_Delete(msgs);
    cJSON_Delete(rf);
    if (!j->body) return hx_fail(err, "out of memory");
    return 0;
}

/* The JSON-mode request after an unparseable ChatAdapter reply. */
static enum stage json_stage(const hx_lm_config *lm)
{
    switch (lm->structured_outputs) {
    case HX_SO_JSON_SCHEMA: return ST_JSON_SCHEMA;
    case HX_SO_JSON_OBJECT: return ST_JSON_OBJECT;
    case HX_SO_NONE: return ST_JSON_PLAIN;
    case HX_SO_AUTO: break;
    }
    return hx_json_model_supports_schema(lm->model) ? ST_JSON_SCHEMA : ST_JSON_OBJECT;
}

/* --- finishing cases --------------------------------------------------------- */

static void store_case(mod_run *mr, job *j, hx_status status, const char *reason,
                       const hx_case_verdict *v, const cJSON *outputs)
{
    lm_group *g = mr->g;
    hx_field_result *fr = NULL;
    char *oj = outputs ? cJSON_PrintUnformatted(outputs) : NULL;
    double cost = (j->prompt_tokens * mr->m->lm.price_in + j->completion_tokens * mr->m->lm.price_out) / 1e6;
    if (v && v->nfields) {
        fr = calloc(v->nfields, sizeof *fr);
        if (fr) hx_case_verdict_to_result(v, fr);
    }
    hx_case_result cr = {
        .agent = mr->a->name, .module = mr->m->name, .transcript_id = j->tid, .status = status,
        .reason = reason, .latency_ms = j->latency_ms, .prompt_tokens = j->prompt_tokens,
        .completion_tokens = j->completion_tokens, .cost_usd = cost, .outputs_json = oj,
        .nfields = fr ? v->nfields : 0, .fields = fr};
    if (!g->store_failed && hx_store_case_add(g->st, g->run_id, &cr, &g->store_err) != 0)
        g->store_failed = 1;
    mr->done++;
    mr->cost_usd += cost;
    mr->prompt_tokens += j->prompt_tokens;
    mr->completion_tokens += j->completion_tokens;
    if (status == HX_ERROR) mr->errors++;
    else if (status == HX_FAIL) mr->failed++;
    else mr->passed++;
    free(fr);
    free(oj);
}

static void finish_parsed(mod_run *mr, job *j, cJSON *outputs)
{
    hx_case_verdict v;
    if (hx_check_case(&mr->m->rules, j->expected, outputs, &j->ctx, &v) != 0) {
        store_case(mr, j, HX_ERROR, "out of memory while checking", NULL, outputs);
        return;
    }
    store_case(mr, j, v.status, v.reason, &v, outputs);
    hx_case_verdict_free(&v);
}

static void requeue(job *j, enum stage next)
{
    lm_group *g = j->mr->g;
    j->stage = next;
    j->next = g->requeue;
    g->requeue = j;
}

static void drop(job *j)
{
    j->mr->g->live--;
    job_free(j);
}

static void on_done(void *user, const hx_lm_result *r)
{
    job *j = user;
    mod_run *mr = j->mr;
    lm_group *g = mr->g;
    cJSON *outputs = NULL;
    char why[256] = "";
    int parsed;

    if (g->aborting) {
        drop(j);
        return;
    }
    j->latency_ms += r->latency_ms;
    j->prompt_tokens += r->prompt_tokens;
    j->completion_tokens += r->completion_tokens;
    if (!r->ok) {
        /* A server that refuses structured outputs answers 400. DSPy
         * raises there; asking for a plain JSON object instead is kinder
         * to a suite whose structured_outputs guess was wrong. */
        if (j->stage == ST_JSON_SCHEMA && r->http_status == 400) {
            requeue(j, ST_JSON_OBJECT);
            return;
        }
        store_case(mr, j, HX_ERROR, r->error ? r->error : "LM request failed", NULL, NULL);
        drop(j);
        return;
    }
    if (j->stage == ST_CHAT)
        parsed = hx_chat_parse(&mr->m->sig, mr->m->chain_of_thought, r->content, &outputs, why);
    else
        parsed = hx_json_adapter_parse(&mr->m->sig, mr->m->chain_of_thought, r->content, &outputs, why);
    if (parsed == 0) {
        /* Only replies that parsed are cached: an unparseable reply cached
         * would be replayed forever. */
        if (g->cache && g->cache_mode == HX_CACHE_READ_WRITE && !r->from_cache)
            hx_lm_cache_put(g->cache, j->body, r->body, r->prompt_tokens, r->completion_tokens, NULL);
        finish_parsed(mr, j, outputs);
        cJSON_Delete(outputs);
        drop(j);
        return;
    }
    if (j->stage == ST_CHAT) {
        snprintf(j->first_why, sizeof j->first_why, "%s", why);
        requeue(j, json_stage(&mr->m->lm));
        return;
    }
    if (j->stage == ST_JSON_SCHEMA) {
        requeue(j, ST_JSON_OBJECT);
        return;
    }
    char reason[600];
    snprintf(reason, sizeof reason, "unparseable reply: %s (JSON mode: %s)", j->first_why, why);
    store_case(mr, j, HX_FAIL, reason, NULL, NULL);
    drop(j);
}

/* --- the loop ------------------------------------------------------------------ */

/* A case's first request joins the end of the client's queue; its
 * JSON-mode follow-up goes to the front, so the run's last follow-ups are
 * not held behind new cases (see run_group). */
static int submit(lm_group *g, job *j, hx_error *err)
{
    if (build_body(j, err) != 0) return -1;
    if (j->stage == ST_CHAT) return hx_lm_submit(g->client, j->body, j, on_done, err);
    return hx_lm_submit_first(g->client, j->body, j, on_done, err);
}

/* Should this transcript go through this module in this run? */
static int wanted(mod_run *mr, const hx_run_opts *o, const hx_transcript *t, hx_error *err)
{
    lm_group *g = mr->g;
    const cJSON *e;
    int has = 0;
    bool found;
    hx_status status;
    if (o->want_id && !o->want_id(t->id, o->want_id_user)) return 0;
    cJSON_ArrayForEach(e, t->expected)
        if (hx_rules_find(&mr->m->rules, e->string)) has = 1;
    if (!has) return 0; /* nothing of this module to check: don't pay for a call */
    if (!o->resume_run && !o->rerun_errors_run) return 1;
    if (hx_store_case_status(g->st, g->run_id, mr->a->name, mr->m->name, t->id, &found, &status, err) != 0)
        return -1;
    if (o->rerun_errors_run) return found && status == HX_ERROR;
    return !found;
}

static void progress(const lm_group *g, size_t cur, size_t total_seen, bool on)
{
    size_t done = 0, passed = 0, failed = 0, errors = 0;
    const mod_run *mr = g->mods[cur < g->nmods ? cur : g->nmods - 1];
    if (!on) return;
    for (size_t i = 0; i < g->nmods; i++) {
        done += g->mods[i]->done;
        passed += g->mods[i]->passed;
        failed += g->mods[i]->failed;
        errors += g->mods[i]->errors;
    }
    if (g->nmods > 1)
        fprintf(stderr, "\r\033[K%s/%s (module %zu of %zu): %zu done (%zu pass, %zu fail, %zu error), %zu in flight, %zu read",
                mr->a->name, mr->m->name, (cur < g->nmods ? cur : g->nmods - 1) + 1, g->nmods,
                done, passed, failed, errors, g->live, total_seen);
    else
        fprintf(stderr, "\r\033[K%s/%s: %zu done (%zu pass, %zu fail, %zu error), %zu in flight, %zu read",
                mr->a->name, mr->m->name, done, passed, failed, errors, g->live, total_seen);
    fflush(stderr);
}

static int open_client(lm_group *g, const hx_run_opts *o, hx_error *err)
{
    const hx_lm_config *lm = g->lm;
    const char *key = lm->api_key_env ? getenv(lm->api_key_env) : NULL;
    hx_lm_opts lo = {
        .base_url = lm->base_url, .api_key = key && *key ? key : NULL, .timeout_s = lm->timeout_s,
        .concurrency = o->concurrency > 0 ? o->concurrency : lm->concurrency,
        .max_retries = lm->max_retries, .rpm = lm->rpm, .tpm = lm->tpm, .backoff_base_ms = 500,
        .seed = (unsigned)time(NULL), .cache = g->cache, .cache_mode = g->cache_mode};
    return hx_lm_client_new(&lo, &g->client, err);
}

/* Read the next transcript of the module being read and queue its case.
 * Returns 1 when a case was queued or skipped, 0 when the module has
 * nothing left, -1 on error. */
static int feed_one(lm_group *g, mod_run *mr, hx_tscan *sc, hx_diags *d, const hx_run_opts *o,
                    size_t *seen, hx_error *err)
{
    hx_transcript t;
    char why[256];
    int r = hx_tscan_next(sc, &t, d);
    if (r == 0) return 0;
    if (r < 0) return 1; /* validated already; cannot happen unless files changed */
    (*seen)++;
    int w = wanted(mr, o, &t, err);
    if (w <= 0) { hx_transcript_free(&t); return w < 0 ? -1 : 1; }
    job *j = calloc(1, sizeof *j);
    if (!j) { hx_transcript_free(&t); return hx_fail(err, "out of memory"); }
    j->mr = mr;
    j->tid = strdup(t.id);
    j->expected = t.expected;   /* the job's now; t is freed below */
    t.expected = NULL;
    hx_transcript_ctx(&t, &j->ctx);
    j->inputs = hx_template_inputs(mr->m, &t, why);
    hx_transcript_free(&t);
    if (!j->inputs) {
        store_case(mr, j, HX_ERROR, why, NULL, NULL);
        job_free(j);
        return 1;
    }
    g->live++;
    return submit(g, j, err) != 0 ? -1 : 1;
}

/* Cases read between two looks at the client while topping up its queue. */
#define FEED_BETWEEN_POLLS 8

/* Send the JSON-mode follow-ups the callbacks queued. */
static int submit_requeued(lm_group *g, hx_error *err)
{
    while (g->requeue) {
        job *j = g->requeue;
        g->requeue = j->next;
        if (submit(g, j, err) != 0) return -1;
    }
    return 0;
}

static int run_group(lm_group *g, const hx_run_opts *o, hx_error *err)
{
    hx_tscan *sc = NULL;
    hx_diags d = {0};
    int rc = 0, conc = o->concurrency > 0 ? o->concurrency : g->lm->concurrency;
    size_t cur = 0, seen = 0, cap = (size_t)conc * 2;
    bool show = o->progress;
    double last_flush = now_s();

    if (open_client(g, o, err) != 0) return -1;
    for (;;) {
        if (submit_requeued(g, err) != 0) { rc = -1; goto out; }
        /* Start what is queued in the slots the last replies freed before
         * reading more transcripts: reading and rendering a wave of cases
         * takes milliseconds, and each of them would otherwise be added to
         * every wave of the run. For the same reason the client gets a
         * look-in every few cases read (cheap when nothing happened). */
        if (g->live) hx_lm_poll(g->client, 0);
        size_t fed = 0;
        while (g->live < cap && cur < g->nmods && !g->store_failed) {
            if (fed++ % FEED_BETWEEN_POLLS == FEED_BETWEEN_POLLS - 1) {
                hx_lm_poll(g->client, 0);
                if (submit_requeued(g, err) != 0) { rc = -1; goto out; }
            }
            mod_run *mr = g->mods[cur];
            if (!sc) {
                if (hx_store_module_begin(g->st, g->run_id, mr->a->name, mr->m->name, mr->m->prog.sha256,
                                          mr->m->bar, err) != 0 ||
                    hx_tscan_open(mr->a->transcripts, &sc, err) != 0) {
                    rc = -1;
                    goto out;
                }
            }
            int r = feed_one(g, mr, sc, &d, o, &seen, err);
            if (r < 0) { rc = -1; goto out; }
            if (r == 0) { /* on to the next module while this one drains */
                hx_tscan_close(sc);
                sc = NULL;
                cur++;
            }
        }
        if (cur == g->nmods && g->live == 0) break;
        if (g->live) hx_lm_poll(g->client, 100);
        /* The store commits a batch when a case arrives after its time bound;
         * on a slow LM that may be long after, so commit when idle too, and a
         * dashboard sees progress within a second. */
        if (now_s() - last_flush > 1.0) {
            if (!g->store_failed && hx_store_flush(g->st, &g->store_err) != 0) g->store_failed = 1;
            last_flush = now_s();
        }
        if (g->store_failed) {
            *err = g->store_err;
            rc = -1;
            goto out;
        }
        progress(g, cur, seen, show);
    }
out:
    if (show) fputc('\n', stderr);
    /* On failure, what is still queued or in flight is dropped: freeing the
     * client cancels it, and on_done frees each job without storing it. */
    g->aborting = rc != 0;
    while (g->requeue) {
        job *j = g->requeue;
        g->requeue = j->next;
        drop(j);
    }
    {
        hx_lm_stats ls;
        hx_lm_get_stats(g->client, &ls);
        g->requests = ls.requests;
        g->retries = ls.retries;
    }
    hx_lm_client_free(g->client);
    g->client = NULL;
    hx_tscan_close(sc);
    hx_diags_free(&d);
    return rc;
}

/* Can these two modules share one client? Same endpoint, same key, same
 * limits: the model may differ (it travels in each request body). */
static bool same_endpoint(const hx_lm_config *x, const hx_lm_config *y)
{
    return strcmp(x->base_url, y->base_url) == 0 && strcmp(x->api_key_env, y->api_key_env) == 0 &&
           x->timeout_s == y->timeout_s && x->concurrency == y->concurrency &&
           x->max_retries == y->max_retries && x->rpm == y->rpm && x->tpm == y->tpm;
}

/* --- selection and summary --------------------------------------------------------- */

static bool selected(const char *name, const char *const *list, size_t n)
{
    if (n == 0) return true;
    for (size_t i = 0; i < n; i++)
        if (strcmp(list[i], name) == 0) return true;
    return false;
}

static int check_filters(const hx_suite *s, const hx_run_opts *o, hx_diags *d)
{
    int bad = 0;
    for (size_t i = 0; i < o->nagents; i++) {
        bool ok = false;
        for (size_t a = 0; a < s->nagents; a++) ok |= !strcmp(s->agents[a].name, o->agents[i]);
        if (!ok) { hx_diags_add(d, s->file, 0, 0, "", "--agent %s: no such agent", o->agents[i]); bad = 1; }
    }
    for (size_t i = 0; i < o->nmodules; i++) {
        bool ok = false;
        for (size_t a = 0; a < s->nagents; a++)
            for (size_t k = 0; k < s->agents[a].nmodules; k++)
                ok |= !strcmp(s->agents[a].modules[k].name, o->modules[i]);
        if (!ok) { hx_diags_add(d, s->file, 0, 0, "", "--module %s: no such module", o->modules[i]); bad = 1; }
    }
    return bad ? -1 : 0;
}

/* Swap the selected module's program for the one given (a recompile's
 * candidate), checked exactly as the suite's own programs are. */
static int apply_override(hx_suite *s, const hx_run_opts *o, hx_run_summary *sum, hx_diags *d)
{
    hx_module_config *m = NULL;
    size_t n = 0;
    if (!o->program_override) return 0;
    for (size_t a = 0; a < s->nagents; a++) {
        if (!selected(s->agents[a].name, o->agents, o->nagents)) continue;
        for (size_t k = 0; k < s->agents[a].nmodules; k++)
            if (selected(s->agents[a].modules[k].name, o->modules, o->nmodules)) {
                m = &s->agents[a].modules[k];
                n++;
            }
    }
    if (n != 1) {
        hx_diags_add(d, s->file, 0, 0, "", "a program override needs exactly one module selected, not %zu", n);
        return -1;
    }
    hx_program_free(&m->prog);
    if (hx_program_load(o->program_override, m->program_key, &m->sig, m->chain_of_thought, &m->prog, d) != 0)
        return -1;
    snprintf(sum->program_sha256, sizeof sum->program_sha256, "%s", m->prog.sha256);
    return 0;
}

static double previous_rate(hx_store *st, int64_t run_id, const char *agent, const char *module)
{
    sqlite3_stmt *q;
    double r = NAN;
    if (sqlite3_prepare_v2(hx_store_sqlite(st),
                           "SELECT pass_rate FROM module_scores WHERE run_id < ?1 AND agent = ?2 AND module = ?3"
                           " ORDER BY run_id DESC LIMIT 1", -1, &q, NULL) != SQLITE_OK)
        return NAN;
    sqlite3_bind_int64(q, 1, run_id);
    sqlite3_bind_text(q, 2, agent, -1, SQLITE_STATIC);
    sqlite3_bind_text(q, 3, module, -1, SQLITE_STATIC);
    if (sqlite3_step(q) == SQLITE_ROW && sqlite3_column_type(q, 0) != SQLITE_NULL) r = sqlite3_column_double(q, 0);
    sqlite3_finalize(q);
    return r;
}

/* Scores come back from the store's own view, so the summary and the
 * dashboards can never disagree (and a resumed run counts every case). */
static int summarise(hx_store *st, hx_run_summary *sum, hx_error *err)
{
    sqlite3_stmt *q;
    if (sqlite3_prepare_v2(hx_store_sqlite(st),
                           "SELECT agent, module, cases, passed, failed, errors, pass_rate, bar, below_bar"
                           " FROM module_scores WHERE run_id = ?1 ORDER BY agent, module", -1, &q, NULL) != SQLITE_OK)
        return hx_fail(err, "%s: cannot read module_scores: %s", sum->db, sqlite3_errmsg(hx_store_sqlite(st)));
    sqlite3_bind_int64(q, 1, sum->run_id);
    while (sqlite3_step(q) == SQLITE_ROW) {
        hx_module_summary *ms = realloc(sum->modules, (sum->nmodules + 1) * sizeof *ms);
        if (!ms) break;
        sum->modules = ms;
        ms = &sum->modules[sum->nmodules++];
        memset(ms, 0, sizeof *ms);
        snprintf(ms->agent, sizeof ms->agent, "%s", (const char *)sqlite3_column_text(q, 0));
        snprintf(ms->module, sizeof ms->module, "%s", (const char *)sqlite3_column_text(q, 1));
        ms->cases = (size_t)sqlite3_column_int64(q, 2);
        ms->passed = (size_t)sqlite3_column_int64(q, 3);
        ms->failed = (size_t)sqlite3_column_int64(q, 4);
        ms->errors = (size_t)sqlite3_column_int64(q, 5);
        ms->pass_rate = sqlite3_column_type(q, 6) == SQLITE_NULL ? NAN : sqlite3_column_double(q, 6);
        ms->bar = sqlite3_column_double(q, 7);
        ms->below = sqlite3_column_int(q, 8) != 0 || isnan(ms->pass_rate);
        ms->prev_pass_rate = previous_rate(st, sum->run_id, ms->agent, ms->module);
        sum->cases += ms->cases;
        sum->errors += ms->errors;
    }
    sqlite3_finalize(q);
    sum->too_many_errors = sum->cases > 0 && sum->errors * 10 > sum->cases;
    return 0;
}

/* The selected modules, in suite order, grouped by LM endpoint. mods and
 * groups are owned by the caller (each group's mods array too). */
static int plan_groups(const hx_suite *s, const hx_run_opts *o, hx_store *st, int64_t run_id,
                       hx_lm_cache *cache, mod_run **mods_out, size_t *nmods_out,
                       lm_group **groups_out, size_t *ngroups_out, hx_error *err)
{
    size_t n = 0, ng = 0;
    for (size_t a = 0; a < s->nagents; a++)
        n += s->agents[a].nmodules;
    mod_run *mods = calloc(n ? n : 1, sizeof *mods);
    lm_group *groups = calloc(n ? n : 1, sizeof *groups);
    *mods_out = mods;
    *groups_out = groups;
    *nmods_out = *ngroups_out = 0;
    if (!mods || !groups) return hx_fail(err, "out of memory");
    n = 0;
    for (size_t a = 0; a < s->nagents; a++) {
        if (!selected(s->agents[a].name, o->agents, o->nagents)) continue;
        for (size_t k = 0; k < s->agents[a].nmodules; k++) {
            const hx_module_config *m = &s->agents[a].modules[k];
            if (!selected(m->name, o->modules, o->nmodules)) continue;
            mod_run *mr = &mods[n++];
            lm_group *g = NULL;
            *nmods_out = n;
            mr->a = &s->agents[a];
            mr->m = m;
            for (size_t i = 0; i < ng && !g; i++)
                if (same_endpoint(groups[i].lm, &m->lm)) g = &groups[i];
            if (!g) {
                g = &groups[ng++];
                *ngroups_out = ng;
                *g = (lm_group){.lm = &m->lm, .st = st, .run_id = run_id, .cache = cache,
                                .cache_mode = o->cache_mode};
            }
            mod_run **grown = realloc(g->mods, (g->nmods + 1) * sizeof *grown);
            if (!grown) return hx_fail(err, "out of memory");
            g->mods = grown;
            g->mods[g->nmods++] = mr;
            mr->g = g;
        }
    }
    return 0;
}

static void tally(const mod_run *mods, size_t n, hx_run_summary *sum)
{
    for (size_t i = 0; i < n; i++) {
        sum->prompt_tokens += mods[i].prompt_tokens;
        sum->completion_tokens += mods[i].completion_tokens;
        sum->cost_usd += mods[i].cost_usd;
    }
}

int hx_run(const hx_run_opts *o, hx_run_summary *sum, hx_diags *d, hx_error *err)
{
    hx_suite s;
    hx_store *st = NULL;
    hx_lm_cache *cache = NULL;
    mod_run *mods = NULL;
    lm_group *groups = NULL;
    size_t nmods = 0, ngroups = 0;
    int rc = -1;
    double t0 = now_s();

    memset(sum, 0, sizeof *sum);
    if (hx_suite_load(o->suite_path, &s, d) != 0 || hx_validate_suite(&s, d, NULL) != 0 ||
        check_filters(&s, o, d) != 0 || apply_override(&s, o, sum, d) != 0) {
        hx_suite_free(&s);
        return -2;
    }
    snprintf(sum->db, sizeof sum->db, "%s", o->db ? o->db : s.db);
    if (hx_make_parent_dirs(sum->db, err) != 0 || hx_store_open(sum->db, &st, err) != 0) goto out;
    if (o->cache_mode != HX_CACHE_OFF) {
        /* The cache lives beside the scores, in its own file: it can be
         * deleted or shared without touching the history. */
        char path[1100];
        snprintf(path, sizeof path, "%s.lm-cache", sum->db);
        if (hx_lm_cache_open(path, &cache, err) != 0) goto out;
    }
    if (o->resume_run || o->rerun_errors_run) {
        sum->run_id = o->resume_run ? o->resume_run : o->rerun_errors_run;
        if (hx_store_run_resume(st, sum->run_id, err) != 0) goto out;
    } else {
        hx_run_info info = {.kind = "run", .suite_path = o->suite_path, .lm_model = s.lm.model};
        if (hx_store_run_begin(st, &info, &sum->run_id, err) != 0) goto out;
    }
    if (plan_groups(&s, o, st, sum->run_id, cache, &mods, &nmods, &groups, &ngroups, err) != 0) goto out;
    for (size_t i = 0; i < ngroups; i++) {
        int r = run_group(&groups[i], o, err);
        sum->requests += groups[i].requests;
        sum->retries += groups[i].retries;
        if (r != 0) {
            hx_error e2;
            tally(mods, nmods, sum);
            hx_store_flush(st, &e2);
            hx_store_run_end(st, sum->run_id, "aborted", &e2);
            goto out;
        }
    }
    tally(mods, nmods, sum);
    if (hx_store_run_end(st, sum->run_id, "finished", err) != 0) goto out;
    if (summarise(st, sum, err) != 0) goto out;
    /* The run is already finished and stored; a database failure while
     * recording triggers still fails the command, as any database failure
     * does (exit 3). */
    if (o->triggers &&
        hx_trigger_evaluate(st, &s, sum->run_id, 0, &sum->triggers, &sum->ntriggers, err) != 0)
        goto out;
    sum->wall_s = now_s() - t0;
    rc = 0;
out:
    for (size_t i = 0; i < ngroups; i++) free(groups[i].mods);
    free(groups);
    free(mods);
    hx_lm_cache_close(cache);
    hx_store_close(st);
    hx_suite_free(&s);
    return rc;
}

void hx_run_summary_free(hx_run_summary *s)
{
    if (!s) return;
    free(s->modules);
    s->modules = NULL;
    s->nmodules = 0;
    free(s->triggers);
    s->triggers = NULL;
    s->ntriggers = 0;
}
