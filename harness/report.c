/*
 * report.c — load what a report shows from the score store (see report.h).
 *
 * Reading only: the file is opened with SQLITE_OPEN_READONLY, so a typo in
 * --db can never leave an empty database behind, and a report can be made
 * from a file a run is writing (WAL readers do not block the writer). One
 * read transaction spans the load and any later hx_report_each_case, so the
 * module counts in a JUnit <testsuite> tag agree with the cases streamed
 * under it.
 *
 * All scores come from the DESIGN §5 views. Two things the views do not
 * carry are read from the store's tables, each only when present: the run's
 * LM, status and end time (`runs`) and, for failing cases, each field's
 * expected and actual values (`field_checks`, joined to `cases` by id).
 *
 * Strings copied out of SQLite live in an arena owned by the report, made
 * valid UTF-8 on the way in; the few arrays are plain realloc'd vectors.
 */
#include "report.h"

#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <sqlite3.h>

/* PRAGMA application_id of a harness database ('HXDB'; see store.c). */
#define HX_APP_ID 0x48584442

/* A report waits this long for a writer's checkpoint before giving up. */
#define REPORT_BUSY_TIMEOUT_MS 5000

/* Recompile triggers listed: the history, not an audit log. */
#define REPORT_MAX_TRIGGERS 50

/* ---- arena: every string of a report, freed at once ---------------------- */

typedef struct arena_block {
    struct arena_block *next;
    size_t used, cap;
    char data[];
} arena_block;

typedef struct arena {
    arena_block *head;
} arena;

static char *arena_alloc(arena *a, size_t n)
{
    if (!a->head || a->head->cap - a->head->used < n) {
        size_t cap = n > 16384 ? n : 16384;
        arena_block *b = malloc(sizeof *b + cap);
        if (!b) return NULL;
        b->next = a->head;
        b->used = 0;
        b->cap = cap;
        a->head = b;
    }
    char *p = a->head->data + a->head->used;
    a->head->used += n;
    return p;
}

static void arena_free(arena *a)
{
    while (a->head) {
        arena_block *next = a->head->next;
        free(a->head);
        a->head = next;
    }
}

/* Length of the valid UTF-8 sequence at s (RFC 3629: no overlong forms,
 * no surrogates, nothing above U+10FFFF), or 0 if it is not one. */
static size_t utf8_seq_len(const unsigned char *s, size_t left)
{
    unsigned c = s[0];
    size_t n;
    unsigned lo = 0x80, hi = 0xBF;
    if (c < 0x80) return 1;
    if (c >= 0xC2 && c <= 0xDF) n = 2;
    else if (c >= 0xE0 && c <= 0xEF) n = 3;
    else if (c >= 0xF0 && c <= 0xF4) n = 4;
    else return 0;
    if (c == 0xE0) lo = 0xA0;
    else if (c == 0xED) hi = 0x9F;
    else if (c == 0xF0) lo = 0x90;
    else if (c == 0xF4) hi = 0x8F;
    if (left < n || s[1] < lo || s[1] > hi) return 0;
    for (size_t i = 2; i < n; i++)
        if (s[i] < 0x80 || s[i] > 0xBF) return 0;
    return n;
}

/* Copy s (len bytes) into the arena as valid UTF-8: each byte that starts
 * no valid sequence becomes U+FFFD. The text comes from LM output and
 * transcripts, and every renderer's syntax (JSON, XML) requires UTF-8. */
static const char *arena_utf8(arena *a, const unsigned char *s, size_t len)
{
    char *out = arena_alloc(a, len * 3 + 1), *o = out;
    if (!out) return NULL;
    for (size_t i = 0; i < len;) {
        size_t n = s[i] ? utf8_seq_len(s + i, len - i) : 0;
        if (n == 0) {
            memcpy(o, "\xEF\xBF\xBD", 3);
            o += 3;
            i++;
        } else {
            memcpy(o, s + i, n);
            o += n;
            i += n;
        }
    }
    *o = '\0';
    return out;
}

/* ---- the private part of a report ----------------------------------------- */

struct hx_report_priv {
    sqlite3 *db;
    arena strings;
    bool in_tx;
    bool has_runs, has_cases, has_triggers;
    bool oom;               /* a copy or a vector failed to grow */
    char generated[32];
};

static int db_fail(hx_report *r, hx_error *err, const char *what)
{
    return hx_fail(err, "%s: cannot read %s: %s", r->db_path, what,
                   r->priv->db ? sqlite3_errmsg(r->priv->db) : "out of memory");
}

static int prepare(hx_report *r, const char *sql, sqlite3_stmt **s, hx_error *err)
{
    if (sqlite3_prepare_v2(r->priv->db, sql, -1, s, NULL) != SQLITE_OK)
        return db_fail(r, err, "the scores");
    return 0;
}

/* A text column copied into arena a; NULL stays NULL. When the copy fails
 * *oom is set and "" returned, so that callers comparing names never meet
 * a NULL the schema rules out; the load then fails as a whole. */
static const char *col_copy(arena *a, sqlite3_stmt *s, int i, bool *oom)
{
    const unsigned char *t = sqlite3_column_text(s, i);
    const char *c;
    if (!t) return NULL;
    c = arena_utf8(a, t, (size_t)sqlite3_column_bytes(s, i));
    if (!c) *oom = true;
    return c ? c : "";
}

static const char *col_str(hx_report *r, sqlite3_stmt *s, int i)
{
    return col_copy(&r->priv->strings, s, i, &r->priv->oom);
}

static double col_real(sqlite3_stmt *s, int i)
{
    return sqlite3_column_type(s, i) == SQLITE_NULL ? NAN : sqlite3_column_double(s, i);
}

/* How a row loop ended: 0 when it read every row, else why not. */
static int loop_end(hx_report *r, int rc, const char *what, hx_error *err)
{
    if (r->priv->oom) return hx_fail(err, "%s: out of memory reading %s", r->db_path, what);
    return rc == SQLITE_DONE ? 0 : db_fail(r, err, what);
}

/* Append a zeroed item to vector VEC of N items and point ITEM at it; ITEM
 * is NULL (and the report out of memory) when the vector cannot grow. */
#define VEC_PUSH(R, VEC, N, ITEM)                                         \
    do {                                                                  \
        void *nv_ = realloc((VEC), ((N) + 1) * sizeof *(VEC));            \
        (ITEM) = NULL;                                                    \
        if (!nv_) {                                                       \
            (R)->priv->oom = true;                                        \
            break;                                                        \
        }                                                                 \
        (VEC) = nv_;                                                      \
        (ITEM) = &(VEC)[(N)++];                                           \
        memset((ITEM), 0, sizeof *(ITEM));                                \
    } while (0)

/* ---- opening: read-only, and only a harness database -------------------- */

static bool schema_has(sqlite3 *db, const char *type, const char *name)
{
    sqlite3_stmt *s;
    bool found = false;
    if (sqlite3_prepare_v2(db, "SELECT 1 FROM sqlite_master WHERE type = ?1 AND name = ?2", -1, &s,
                           NULL) != SQLITE_OK)
        return false;
    sqlite3_bind_text(s, 1, type, -1, SQLITE_STATIC);
    sqlite3_bind_text(s, 2, name, -1, SQLITE_STATIC);
    found = sqlite3_step(s) == SQLITE_ROW;
    sqlite3_finalize(s);
    return found;
}

/* Open path read-only and make sure it is a harness database with the
 * score views. Never creates the file: a missing one is refused first, by
 * name, because SQLite's "unable to open database file" does not say which. */
static int open_db(hx_report *r, const char *path, hx_error *err)
{
    struct stat sb;
    sqlite3_stmt *s = NULL;
    int app_id = 0, rc;
    static const char *const views[] = {"agent_scores", "module_scores", "field_scores",
                                        "case_results"};

    if (stat(path, &sb) != 0) return hx_fail(err, "%s: no such database (run `harness run` first?)", path);
    if (!S_ISREG(sb.st_mode)) return hx_fail(err, "%s: not a database file", path);
    if (sb.st_size == 0) return hx_fail(err, "%s: not a harness database (the file is empty)", path);
    if (access(path, R_OK) != 0) return hx_fail(err, "%s: cannot read the database: %s", path, strerror(errno));
    if (sqlite3_open_v2(path, &r->priv->db, SQLITE_OPEN_READONLY, NULL) != SQLITE_OK)
        return hx_fail(err, "%s: cannot open the database: %s", path,
                       r->priv->db ? sqlite3_errmsg(r->priv->db) : "out of memory");
    sqlite3_busy_timeout(r->priv->db, REPORT_BUSY_TIMEOUT_MS);
    rc = sqlite3_prepare_v2(r->priv->db, "PRAGMA application_id", -1, &s, NULL);
    if (rc == SQLITE_OK && (rc = sqlite3_step(s)) == SQLITE_ROW) app_id = sqlite3_column_int(s, 0);
    sqlite3_finalize(s);
    if (rc != SQLITE_ROW)
        return hx_fail(err, "%s: not a harness database: %s", path, sqlite3_errmsg(r->priv->db));
    if (app_id != HX_APP_ID) return hx_fail(err, "%s: not a harness database (written by another application)", path);
    for (size_t i = 0; i < sizeof views / sizeof views[0]; i++)
        if (!schema_has(r->priv->db, "view", views[i]))
            return hx_fail(err, "%s: not a harness score database: no %s view", path, views[i]);
    r->priv->has_runs = schema_has(r->priv->db, "table", "runs");
    r->priv->has_cases = schema_has(r->priv->db, "table", "cases") &&
                         schema_has(r->priv->db, "table", "field_checks");
    r->priv->has_triggers = schema_has(r->priv->db, "view", "recompile_triggers");
    /* One snapshot for the whole report: BEGIN, and the first read takes it. */
    if (sqlite3_exec(r->priv->db, "BEGIN", NULL, NULL, NULL) != SQLITE_OK) return db_fail(r, err, "the database");
    r->priv->in_tx = true;
    return 0;
}

/* ---- the run ------------------------------------------------------------ */

/* One int64 from a query with up to one int64 parameter; *found = false
 * when the result is NULL or there is no row. */
static int query_i64(hx_report *r, const char *sql, int64_t param, int64_t *out, bool *found,
                     hx_error *err)
{
    sqlite3_stmt *s;
    int rc;
    if (prepare(r, sql, &s, err) != 0) return -1;
    if (sqlite3_bind_parameter_count(s) > 0) sqlite3_bind_int64(s, 1, param);
    rc = sqlite3_step(s);
    *found = rc == SQLITE_ROW && sqlite3_column_type(s, 0) != SQLITE_NULL;
    if (*found) *out = sqlite3_column_int64(s, 0);
    sqlite3_finalize(s);
    if (rc != SQLITE_ROW && rc != SQLITE_DONE) return db_fail(r, err, "the runs");
    return 0;
}

static int resolve_run(hx_report *r, int64_t asked, hx_error *err)
{
    int64_t id = 0, lo = 0, hi = 0;
    bool found, f1, f2;
    if (asked <= 0) {
        if (query_i64(r, "SELECT max(run_id) FROM module_scores", 0, &id, &found, err) != 0) return -1;
        if (!found) return hx_fail(err, "%s: holds no runs yet", r->db_path);
        r->run.run_id = id;
        return 0;
    }
    if (query_i64(r, "SELECT run_id FROM module_scores WHERE run_id = ?1 LIMIT 1", asked, &id, &found, err) != 0 ||
        query_i64(r, "SELECT min(run_id) FROM module_scores", 0, &lo, &f1, err) != 0 ||
        query_i64(r, "SELECT max(run_id) FROM module_scores", 0, &hi, &f2, err) != 0)
        return -1;
    if (!found) {
        if (!f1) return hx_fail(err, "%s: holds no runs yet", r->db_path);
        return hx_fail(err, "%s: no run %lld with scores (runs %lld to %lld)", r->db_path,
                       (long long)asked, (long long)lo, (long long)hi);
    }
    r->run.run_id = id;
    return 0;
}

static int load_run_row(hx_report *r, hx_error *err)
{
    sqlite3_stmt *s;
    int rc;
    if (!r->priv->has_runs) {
        /* Without the runs table the start is still in the views. */
        if (prepare(r, "SELECT NULL, NULL, NULL, NULL, started_at, NULL, NULL FROM module_scores"
                       " WHERE run_id = ?1 LIMIT 1", &s, err) != 0)
            return -1;
    } else if (prepare(r, "SELECT kind, status, suite_path, lm_model, started_at, finished_at,"
                          " (julianday(finished_at) - julianday(started_at)) * 86400.0"
                          " FROM runs WHERE run_id = ?1", &s, err) != 0) {
        return -1;
    }
    sqlite3_bind_int64(s, 1, r->run.run_id);
    rc = sqlite3_step(s);
    if (rc == SQLITE_ROW) {
        r->run.kind = col_str(r, s, 0);
        r->run.status = col_str(r, s, 1);
        r->run.suite_path = col_str(r, s, 2);
        r->run.lm_model = col_str(r, s, 3);
        r->run.started_at = col_str(r, s, 4);
        r->run.finished_at = col_str(r, s, 5);
        r->run.duration_s = col_real(s, 6);
    }
    sqlite3_finalize(s);
    return rc == SQLITE_ROW || rc == SQLITE_DONE ? 0 : db_fail(r, err, "the run");
}

static int load_run_costs(hx_report *r, hx_error *err)
{
    sqlite3_stmt *s;
    int64_t timed = 0;
    int rc;
    if (prepare(r, "SELECT total(prompt_tokens), total(completion_tokens), total(cost_usd),"
                   " avg(CASE WHEN latency_ms > 0 THEN latency_ms END),"
                   " count(CASE WHEN latency_ms > 0 THEN 1 END)"
                   " FROM case_results WHERE run_id = ?1", &s, err) != 0)
        return -1;
    sqlite3_bind_int64(s, 1, r->run.run_id);
    if ((rc = sqlite3_step(s)) == SQLITE_ROW) {
        r->run.prompt_tokens = sqlite3_column_int64(s, 0);
        r->run.completion_tokens = sqlite3_column_int64(s, 1);
        r->run.cost_usd = sqlite3_column_double(s, 2);
        r->run.latency_ms_mean = col_real(s, 3);
        timed = sqlite3_column_int64(s, 4);
    }
    sqlite3_finalize(s);
    if (rc != SQLITE_ROW) return db_fail(r, err, "the case results");
    r->run.latency_ms_p95 = NAN;
    if (timed == 0) return 0;
    /* Nearest-rank 95th percentile: the ceil(0.95 n)-th smallest. */
    if (prepare(r, "SELECT latency_ms FROM case_results WHERE run_id = ?1 AND latency_ms > 0"
                   " ORDER BY latency_ms LIMIT 1 OFFSET ?2", &s, err) != 0)
        return -1;
    sqlite3_bind_int64(s, 1, r->run.run_id);
    sqlite3_bind_int64(s, 2, (timed * 95 + 99) / 100 - 1);
    if ((rc = sqlite3_step(s)) == SQLITE_ROW) r->run.latency_ms_p95 = sqlite3_column_double(s, 0);
    sqlite3_finalize(s);
    return rc == SQLITE_ROW || rc == SQLITE_DONE ? 0 : db_fail(r, err, "the case results");
}

static int load_run(hx_report *r, hx_error *err)
{
    bool found;
    r->run.duration_s = NAN;
    r->run.pass_rate = NAN;
    if (load_run_row(r, err) != 0 || load_run_costs(r, err) != 0) return -1;
    if (query_i64(r, "SELECT max(run_id) FROM module_scores WHERE run_id < ?1", r->run.run_id,
                  &r->run.previous_run_id, &found, err) != 0)
        return -1;
    if (!found) r->run.previous_run_id = 0;
    return 0;
}

/* ---- modules -------------------------------------------------------------- */

/* The module's time in this run, and its latest run before this one:
 * the rate and program hash there. */
static int load_module_prev(hx_report *r, hx_report_module *m, hx_error *err)
{
    sqlite3_stmt *s;
    int rc;
    if (prepare(r, "SELECT total(latency_ms) FROM case_results WHERE run_id = ?1 AND agent = ?2"
                   " AND module = ?3", &s, err) != 0)
        return -1;
    sqlite3_bind_int64(s, 1, r->run.run_id);
    sqlite3_bind_text(s, 2, m->agent, -1, SQLITE_STATIC);
    sqlite3_bind_text(s, 3, m->module, -1, SQLITE_STATIC);
    if ((rc = sqlite3_step(s)) == SQLITE_ROW) m->latency_ms_total = sqlite3_column_double(s, 0);
    sqlite3_finalize(s);
    if (rc != SQLITE_ROW) return db_fail(r, err, "the case results");
    if (prepare(r, "SELECT run_id, pass_rate, program_sha256 FROM module_scores"
                   " WHERE agent = ?1 AND module = ?2 AND run_id < ?3 ORDER BY run_id DESC LIMIT 1",
                &s, err) != 0)
        return -1;
    sqlite3_bind_text(s, 1, m->agent, -1, SQLITE_STATIC);
    sqlite3_bind_text(s, 2, m->module, -1, SQLITE_STATIC);
    sqlite3_bind_int64(s, 3, r->run.run_id);
    m->prev_pass_rate = m->delta = NAN;
    if ((rc = sqlite3_step(s)) == SQLITE_ROW) {
        const char *sha = (const char *)sqlite3_column_text(s, 2);
        m->prev_run_id = sqlite3_column_int64(s, 0);
        m->prev_pass_rate = col_real(s, 1);
        m->delta = m->pass_rate - m->prev_pass_rate; /* NAN if either is */
        m->program_changed = sha && m->program_sha256 && strcmp(sha, m->program_sha256) != 0;
    }
    sqlite3_finalize(s);
    return rc == SQLITE_ROW || rc == SQLITE_DONE ? 0 : db_fail(r, err, "the module scores");
}

static int load_modules(hx_report *r, hx_error *err)
{
    sqlite3_stmt *s;
    int rc;
    if (prepare(r, "SELECT agent, module, program_sha256, cases, passed, failed, errors, pass_rate,"
                   " bar, below_bar FROM module_scores WHERE run_id = ?1 ORDER BY agent, module",
                &s, err) != 0)
        return -1;
    sqlite3_bind_int64(s, 1, r->run.run_id);
    while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
        hx_report_module *m;
        VEC_PUSH(r, r->modules, r->nmodules, m);
        if (!m) break;
        m->agent = col_str(r, s, 0);
        m->module = col_str(r, s, 1);
        m->program_sha256 = col_str(r, s, 2);
        m->cases = sqlite3_column_int64(s, 3);
        m->passed = sqlite3_column_int64(s, 4);
        m->failed = sqlite3_column_int64(s, 5);
        m->errors = sqlite3_column_int64(s, 6);
        m->pass_rate = col_real(s, 7);
        m->bar = col_real(s, 8);
        m->below_bar = sqlite3_column_int(s, 9) != 0;
        m->status = isnan(m->pass_rate) ? "none" : m->below_bar ? "below" : "ok";
        r->run.cases += m->cases;
        r->run.passed += m->passed;
        r->run.failed += m->failed;
        r->run.errors += m->errors;
        r->run.modules_below += m->below_bar;
    }
    sqlite3_finalize(s);
    if (loop_end(r, rc, "the module scores", err) != 0) return -1;
    if (r->run.passed + r->run.failed > 0)
        r->run.pass_rate = (double)r->run.passed / (double)(r->run.passed + r->run.failed);
    for (size_t i = 0; i < r->nmodules; i++)
        if (load_module_prev(r, &r->modules[i], err) != 0) return -1;
    return 0;
}

/* ---- agents and their trends -------------------------------------------- */

static int load_trend(hx_report *r, hx_report_agent *a, hx_error *err)
{
    sqlite3_stmt *s;
    int rc;
    if (prepare(r, "SELECT run_id, started_at, pass_rate FROM agent_scores"
                   " WHERE agent = ?1 AND run_id <= ?2 ORDER BY run_id DESC LIMIT ?3", &s, err) != 0)
        return -1;
    sqlite3_bind_text(s, 1, a->agent, -1, SQLITE_STATIC);
    sqlite3_bind_int64(s, 2, r->run.run_id);
    sqlite3_bind_int(s, 3, r->last);
    while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
        hx_report_point *p;
        VEC_PUSH(r, a->trend, a->ntrend, p);
        if (!p) break;
        p->run_id = sqlite3_column_int64(s, 0);
        p->started_at = col_str(r, s, 1);
        p->pass_rate = col_real(s, 2);
    }
    sqlite3_finalize(s);
    if (loop_end(r, rc, "the agent scores", err) != 0) return -1;
    for (size_t i = 0; i < a->ntrend / 2; i++) { /* newest first -> oldest first */
        hx_report_point t = a->trend[i];
        a->trend[i] = a->trend[a->ntrend - 1 - i];
        a->trend[a->ntrend - 1 - i] = t;
    }
    return 0;
}

static double agent_bar(const hx_report *r, const char *agent)
{
    double bar = NAN;
    for (size_t i = 0; i < r->nmodules; i++)
        if (!strcmp(r->modules[i].agent, agent) && (isnan(bar) || r->modules[i].bar > bar))
            bar = r->modules[i].bar;
    return bar;
}

static int load_agents(hx_report *r, hx_error *err)
{
    sqlite3_stmt *s;
    int rc;
    if (prepare(r, "SELECT agent, cases, passed, failed, errors, pass_rate FROM agent_scores"
                   " WHERE run_id = ?1 ORDER BY agent", &s, err) != 0)
        return -1;
    sqlite3_bind_int64(s, 1, r->run.run_id);
    while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
        hx_report_agent *a;
        VEC_PUSH(r, r->agents, r->nagents, a);
        if (!a) break;
        a->agent = col_str(r, s, 0);
        a->cases = sqlite3_column_int64(s, 1);
        a->passed = sqlite3_column_int64(s, 2);
        a->failed = sqlite3_column_int64(s, 3);
        a->errors = sqlite3_column_int64(s, 4);
        a->pass_rate = col_real(s, 5);
        a->bar = agent_bar(r, a->agent);
    }
    sqlite3_finalize(s);
    if (loop_end(r, rc, "the agent scores", err) != 0) return -1;
    for (size_t i = 0; i < r->nagents; i++)
        if (load_trend(r, &r->agents[i], err) != 0) return -1;
    return 0;
}

/* ---- fields ----------------------------------------------------------------- */

static const hx_report_module *find_module(const hx_report *r, const char *agent, const char *module)
{
    for (size_t i = 0; i < r->nmodules; i++)
        if (!strcmp(r->modules[i].agent, agent) && !strcmp(r->modules[i].module, module))
            return &r->modules[i];
    return NULL;
}

static int load_field_prev(hx_report *r, sqlite3_stmt *prev, hx_report_field *f, hx_error *err)
{
    const hx_report_module *m = find_module(r, f->agent, f->module);
    int rc;
    f->prev_accuracy = NAN;
    if (!m || !m->prev_run_id) return 0;
    sqlite3_reset(prev);
    sqlite3_bind_int64(prev, 1, m->prev_run_id);
    sqlite3_bind_text(prev, 2, f->agent, -1, SQLITE_STATIC);
    sqlite3_bind_text(prev, 3, f->module, -1, SQLITE_STATIC);
    sqlite3_bind_text(prev, 4, f->field, -1, SQLITE_STATIC);
    if ((rc = sqlite3_step(prev)) == SQLITE_ROW) f->prev_accuracy = col_real(prev, 0);
    return rc == SQLITE_ROW || rc == SQLITE_DONE ? 0 : db_fail(r, err, "the field scores");
}

static int load_fields(hx_report *r, hx_error *err)
{
    sqlite3_stmt *s, *prev;
    int rc, fail = 0;
    if (prepare(r, "SELECT agent, module, field, checks, passed, accuracy FROM field_scores"
                   " WHERE run_id = ?1 ORDER BY agent, module, accuracy, field", &s, err) != 0)
        return -1;
    if (prepare(r, "SELECT accuracy FROM field_scores WHERE run_id = ?1 AND agent = ?2"
                   " AND module = ?3 AND field = ?4", &prev, err) != 0) {
        sqlite3_finalize(s);
        return -1;
    }
    sqlite3_bind_int64(s, 1, r->run.run_id);
    while (!fail && (rc = sqlite3_step(s)) == SQLITE_ROW) {
        hx_report_field *f;
        VEC_PUSH(r, r->fields, r->nfields, f);
        if (!f) break;
        f->agent = col_str(r, s, 0);
        f->module = col_str(r, s, 1);
        f->field = col_str(r, s, 2);
        f->checks = sqlite3_column_int64(s, 3);
        f->passed = sqlite3_column_int64(s, 4);
        f->accuracy = col_real(s, 5);
        fail = load_field_prev(r, prev, f, err);
    }
    sqlite3_finalize(s);
    sqlite3_finalize(prev);
    return fail ? -1 : loop_end(r, rc, "the field scores", err);
}

/* ---- cases ---------------------------------------------------------------- */

/* The failing checks of case row `case_id`, into c (strings in a). */
static int load_checks(hx_report *r, arena *a, sqlite3_stmt *q, int64_t case_id, hx_report_case *c,
                       hx_error *err)
{
    int rc;
    sqlite3_reset(q);
    sqlite3_bind_int64(q, 1, case_id);
    while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
        hx_report_check *k;
        VEC_PUSH(r, c->checks, c->nchecks, k);
        if (!k) break;
        k->field = col_copy(a, q, 0, &r->priv->oom);
        k->expected = col_copy(a, q, 1, &r->priv->oom);
        k->actual_raw = col_copy(a, q, 2, &r->priv->oom);
        k->actual = col_copy(a, q, 3, &r->priv->oom);
        k->reason = col_copy(a, q, 4, &r->priv->oom);
    }
    return loop_end(r, rc, "the field checks", err);
}

/* Columns 1..9 of a case query (0 is the row id) into c. */
static void case_from_row(hx_report *r, arena *a, sqlite3_stmt *s, hx_report_case *c)
{
    memset(c, 0, sizeof *c);
    c->agent = col_copy(a, s, 1, &r->priv->oom);
    c->module = col_copy(a, s, 2, &r->priv->oom);
    c->transcript_id = col_copy(a, s, 3, &r->priv->oom);
    c->status = col_copy(a, s, 4, &r->priv->oom);
    c->reason = col_copy(a, s, 5, &r->priv->oom);
    c->latency_ms = sqlite3_column_double(s, 6);
    c->prompt_tokens = sqlite3_column_int64(s, 7);
    c->completion_tokens = sqlite3_column_int64(s, 8);
    c->cost_usd = sqlite3_column_double(s, 9);
}

#define CASE_COLS "agent, module, transcript_id, status, reason, latency_ms, prompt_tokens," \
                  " completion_tokens, cost_usd"
static const char CHECKS_SQL[] =
    "SELECT field, expected, actual_raw, actual, reason FROM field_checks"
    " WHERE case_id = ?1 AND pass = 0 ORDER BY seq";

/* Worst first: the most failing fields, failures before errors (an error
 * is the infrastructure, not the module), then by name for a stable list.
 * Modules take turns — every module's worst case, then every module's
 * second worst, and so on — so that one bad module cannot crowd the others
 * out of the list. */
static const char WORST_SQL[] =
    "SELECT id, " CASE_COLS " FROM ("
    "  SELECT *, row_number() OVER (PARTITION BY agent, module"
    "                               ORDER BY nfail DESC, status = 'error', transcript_id) AS turn"
    "  FROM (SELECT c.id, " CASE_COLS ","
    "          (SELECT count(*) FROM field_checks AS f WHERE f.case_id = c.id AND f.pass = 0) AS nfail"
    "        FROM cases AS c WHERE c.run_id = ?1 AND c.status <> 'pass'))"
    " ORDER BY turn, nfail DESC, status = 'error', agent, module, transcript_id LIMIT ?2";
static const char WORST_SQL_VIEW[] =
    "SELECT 0, " CASE_COLS " FROM ("
    "  SELECT *, row_number() OVER (PARTITION BY agent, module"
    "                               ORDER BY status = 'error', transcript_id) AS turn"
    "  FROM case_results WHERE run_id = ?1 AND status <> 'pass')"
    " ORDER BY turn, status = 'error', agent, module, transcript_id LIMIT ?2";

static int load_prev_status(hx_report *r, sqlite3_stmt *q, hx_report_case *c, hx_error *err)
{
    const hx_report_module *m = find_module(r, c->agent, c->module);
    int rc;
    if (!m || !m->prev_run_id) return 0;
    sqlite3_reset(q);
    sqlite3_bind_int64(q, 1, m->prev_run_id);
    sqlite3_bind_text(q, 2, c->agent, -1, SQLITE_STATIC);
    sqlite3_bind_text(q, 3, c->module, -1, SQLITE_STATIC);
    sqlite3_bind_text(q, 4, c->transcript_id, -1, SQLITE_STATIC);
    if ((rc = sqlite3_step(q)) == SQLITE_ROW) c->prev_status = col_str(r, q, 0);
    return rc == SQLITE_ROW || rc == SQLITE_DONE ? 0 : db_fail(r, err, "the case results");
}

static int load_worst(hx_report *r, hx_error *err)
{
    sqlite3_stmt *s = NULL, *checks = NULL, *prev = NULL;
    int rc = SQLITE_DONE, fail = 0;
    if (r->worst == 0) return 0;
    if (prepare(r, r->priv->has_cases ? WORST_SQL : WORST_SQL_VIEW, &s, err) != 0 ||
        (r->priv->has_cases && prepare(r, CHECKS_SQL, &checks, err) != 0) ||
        prepare(r, "SELECT status FROM case_results WHERE run_id = ?1 AND agent = ?2"
                   " AND module = ?3 AND transcript_id = ?4", &prev, err) != 0) {
        fail = -1;
        goto out;
    }
    sqlite3_bind_int64(s, 1, r->run.run_id);
    sqlite3_bind_int(s, 2, r->worst);
    while (!fail && (rc = sqlite3_step(s)) == SQLITE_ROW) {
        hx_report_case *c;
        VEC_PUSH(r, r->worst_cases, r->nworst, c);
        if (!c) break;
        case_from_row(r, &r->priv->strings, s, c);
        if ((checks && load_checks(r, &r->priv->strings, checks, sqlite3_column_int64(s, 0), c, err) != 0) ||
            load_prev_status(r, prev, c, err) != 0)
            fail = -1;
    }
    if (!fail) fail = loop_end(r, rc, "the case results", err);
out:
    sqlite3_finalize(s);
    sqlite3_finalize(checks);
    sqlite3_finalize(prev);
    return fail;
}

/* ---- recompile triggers ------------------------------------------------- */

static int load_triggers(hx_report *r, hx_error *err)
{
    sqlite3_stmt *s;
    int rc;
    if (!r->priv->has_triggers) return 0;
    if (prepare(r, "SELECT id, run_id, agent, module, reason, status, created_at, finished_at,"
                   " old_program_sha256, new_program_sha256, pass_rate, bar, old_score, new_score,"
                   " promoted FROM recompile_triggers WHERE run_id <= ?1 ORDER BY id DESC LIMIT ?2",
                &s, err) != 0)
        return -1;
    sqlite3_bind_int64(s, 1, r->run.run_id);
    sqlite3_bind_int(s, 2, REPORT_MAX_TRIGGERS);
    while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
        hx_report_trigger *t;
        VEC_PUSH(r, r->triggers, r->ntriggers, t);
        if (!t) break;
        t->id = sqlite3_column_int64(s, 0);
        t->run_id = sqlite3_column_int64(s, 1);
        t->agent = col_str(r, s, 2);
        t->module = col_str(r, s, 3);
        t->reason = col_str(r, s, 4);
        t->status = col_str(r, s, 5);
        t->created_at = col_str(r, s, 6);
        t->finished_at = col_str(r, s, 7);
        t->old_program_sha256 = col_str(r, s, 8);
        t->new_program_sha256 = col_str(r, s, 9);
        t->pass_rate = col_real(s, 10);
        t->bar = col_real(s, 11);
        t->old_score = col_real(s, 12);
        t->new_score = col_real(s, 13);
        t->promoted = sqlite3_column_type(s, 14) == SQLITE_NULL ? -1 : sqlite3_column_int(s, 14);
    }
    sqlite3_finalize(s);
    return loop_end(r, rc, "the recompile triggers", err);
}

/* ---- the report ------------------------------------------------------------ */

/* Reproducible builds set SOURCE_DATE_EPOCH; a report made then carries
 * that time, so two renders of one database are byte-identical. */
static void generated_at(char out[32])
{
    const char *sde = getenv("SOURCE_DATE_EPOCH");
    time_t t = time(NULL);
    struct tm tm;
    if (sde && *sde) {
        char *end;
        long long v = strtoll(sde, &end, 10);
        if (!*end && v >= 0) t = (time_t)v;
    }
    gmtime_r(&t, &tm);
    strftime(out, 32, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

int hx_report_load(const char *db_path, const hx_report_opts *opts, hx_report **out, hx_error *err)
{
    hx_report *r = calloc(1, sizeof *r);
    *out = NULL;
    if (!r || !(r->priv = calloc(1, sizeof *r->priv))) {
        free(r);
        return hx_fail(err, "out of memory");
    }
    r->last = opts && opts->last > 0 ? opts->last : HX_REPORT_DEFAULT_LAST;
    r->worst = opts && opts->worst >= 0 ? opts->worst : HX_REPORT_DEFAULT_WORST;
    generated_at(r->priv->generated);
    r->generated_at = r->priv->generated;
    r->db_path = arena_utf8(&r->priv->strings, (const unsigned char *)db_path, strlen(db_path));
    if (!r->db_path || open_db(r, db_path, err) != 0 || resolve_run(r, opts ? opts->run_id : 0, err) != 0 ||
        load_run(r, err) != 0 || load_modules(r, err) != 0 || load_agents(r, err) != 0 ||
        load_fields(r, err) != 0 || load_worst(r, err) != 0 || load_triggers(r, err) != 0 ||
        r->priv->oom) {
        if (!r->db_path || r->priv->oom) hx_fail(err, "%s: out of memory", db_path);
        hx_report_free(r);
        return -1;
    }
    r->has_field_details = r->priv->has_cases;
    *out = r;
    return 0;
}

static void free_cases(hx_report_case *v, size_t n)
{
    for (size_t i = 0; i < n; i++) free(v[i].checks);
    free(v);
}

void hx_report_free(hx_report *r)
{
    if (!r) return;
    for (size_t i = 0; i < r->nagents; i++) free(r->agents[i].trend);
    free(r->agents);
    free(r->modules);
    free(r->fields);
    free_cases(r->worst_cases, r->nworst);
    free(r->triggers);
    if (r->priv) {
        if (r->priv->in_tx) sqlite3_exec(r->priv->db, "COMMIT", NULL, NULL, NULL);
        sqlite3_close(r->priv->db);
        arena_free(&r->priv->strings);
        free(r->priv);
    }
    free(r);
}

/* ---- streaming every case ------------------------------------------------ */

static const char EACH_SQL[] =
    "SELECT id, " CASE_COLS " FROM cases WHERE run_id = ?1 AND agent = ?2 AND module = ?3"
    " ORDER BY transcript_id";
static const char EACH_SQL_VIEW[] =
    "SELECT 0, " CASE_COLS " FROM case_results WHERE run_id = ?1 AND agent = ?2 AND module = ?3"
    " ORDER BY transcript_id";

int hx_report_each_case(hx_report *r, const char *agent, const char *module, hx_report_case_fn fn,
                        void *ud, hx_error *err)
{
    sqlite3_stmt *s = NULL, *checks = NULL;
    int rc = SQLITE_DONE, ret = 0;
    if (prepare(r, r->priv->has_cases ? EACH_SQL : EACH_SQL_VIEW, &s, err) != 0 ||
        (r->priv->has_cases && prepare(r, CHECKS_SQL, &checks, err) != 0)) {
        sqlite3_finalize(s);
        return -1;
    }
    sqlite3_bind_int64(s, 1, r->run.run_id);
    sqlite3_bind_text(s, 2, agent, -1, SQLITE_STATIC);
    sqlite3_bind_text(s, 3, module, -1, SQLITE_STATIC);
    /* Each case's strings live in a scratch arena dropped after fn: a
     * run of a million cases streams in constant memory. */
    while (ret == 0 && (rc = sqlite3_step(s)) == SQLITE_ROW) {
        arena scratch = {0};
        hx_report_case c;
        case_from_row(r, &scratch, s, &c);
        if (checks && c.status && strcmp(c.status, "pass") != 0 &&
            load_checks(r, &scratch, checks, sqlite3_column_int64(s, 0), &c, err) != 0)
            ret = -1;
        else if (r->priv->oom)
            ret = hx_fail(err, "%s: out of memory reading the case results", r->db_path);
        else
            ret = fn(&c, ud);
        free(c.checks);
        arena_free(&scratch);
    }
    if (ret == 0) ret = loop_end(r, rc, "the case results", err);
    sqlite3_finalize(s);
    sqlite3_finalize(checks);
    return ret;
}

/* ---- helpers for the renderers ------------------------------------------- */

void hx_report_put_markup(FILE *out, const char *s, bool attr)
{
    if (!s) return;
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        switch (*p) {
        case '&': fputs("&amp;", out); break;
        case '<': fputs("&lt;", out); break;
        case '>': fputs("&gt;", out); break;
        case '"': fputs("&quot;", out); break;
        case '\'': fputs("&#39;", out); break;
        case '\t': case '\n': case '\r':
            if (attr) fprintf(out, "&#%d;", *p);
            else fputc(*p, out);
            break;
        default:
            if (*p < 0x20 || *p == 0x7F) {
                fputs("\xEF\xBF\xBD", out); /* forbidden in XML 1.0; noise in HTML */
            } else if (p[0] == 0xEF && p[1] == 0xBF && (p[2] == 0xBE || p[2] == 0xBF)) {
                fputs("\xEF\xBF\xBD", out); /* U+FFFE, U+FFFF: not XML characters */
                p += 2;
            } else {
                fputc(*p, out);
            }
        }
    }
}

void hx_report_fmt_pct(char *buf, size_t n, double rate)
{
    if (isnan(rate)) snprintf(buf, n, "\xE2\x80\x94"); /* em dash */
    else snprintf(buf, n, "%.1f%%", 100.0 * rate);
}

void hx_report_fmt_delta(char *buf, size_t n, double delta)
{
    double pp = 100.0 * delta;
    if (isnan(delta)) snprintf(buf, n, "\xE2\x80\x94");
    else if (fabs(pp) < 0.05) snprintf(buf, n, "\xC2\xB1" "0.0 pp");
    else if (pp > 0) snprintf(buf, n, "+%.1f pp", pp);
    else snprintf(buf, n, "\xE2\x88\x92%.1f pp", -pp); /* U+2212 minus */
}

int hx_report_out_status(FILE *out, hx_error *err)
{
    if (fflush(out) != 0 || ferror(out)) return hx_fail(err, "cannot write the report");
    return 0;
}
