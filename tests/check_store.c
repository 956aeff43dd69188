/*
 * check_store.c — unit tests for the SQLite score store (store.h).
 *
 * Each test works on a fresh database in its own temporary directory and
 * reads the results back the way a dashboard would: through a second, plain
 * sqlite3 connection and the DESIGN.md §5 views. Expected numbers are
 * computed from the cases each test adds, never copied from the store.
 */
#include "test_util.h"
#include "store.h"

#include <dirent.h>
#include <math.h>
#include <sqlite3.h>
#include <stdarg.h>
#include <errno.h>
#include <signal.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

Suite *make_suite(void);

/* ---- fixture: a temporary directory per test ---------------------------- */

static char tmpdir[256];
static char dbpath[320];

static void setup(void)
{
    snprintf(tmpdir, sizeof tmpdir, "/tmp/hx_store_XXXXXX");
    ck_assert_ptr_nonnull(mkdtemp(tmpdir));
    snprintf(dbpath, sizeof dbpath, "%s/h.db", tmpdir);
}

static void teardown(void)
{
    DIR *d = opendir(tmpdir);
    if (d) {
        struct dirent *e;
        char p[600];
        while ((e = readdir(d))) {
            if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0) continue;
            snprintf(p, sizeof p, "%s/%s", tmpdir, e->d_name);
            unlink(p);
        }
        closedir(d);
    }
    rmdir(tmpdir);
}

/* ---- helpers ------------------------------------------------------------ */

static hx_store *open_store(void)
{
    hx_store *st = NULL;
    hx_error err = {{0}};
    ck_assert_msg(hx_store_open(dbpath, &st, &err) == 0, "%s", err.msg);
    ck_assert_ptr_nonnull(st);
    return st;
}

static int64_t begin_run(hx_store *st, const char *kind, const char *started_at)
{
    hx_run_info info = { .kind = kind, .suite_path = "suite.json",
                         .lm_model = "openai/gpt-4o-mini", .started_at = started_at };
    hx_error err = {{0}};
    int64_t id = 0;
    ck_assert_msg(hx_store_run_begin(st, &info, &id, &err) == 0, "%s", err.msg);
    ck_assert_int_gt(id, 0);
    return id;
}

static void begin_module(hx_store *st, int64_t run, const char *agent,
                         const char *module, const char *sha, double bar)
{
    hx_error err = {{0}};
    ck_assert_msg(hx_store_module_begin(st, run, agent, module, sha, bar, &err) == 0,
                  "%s", err.msg);
}

static hx_field_result field(const char *name, bool pass)
{
    hx_field_result f = { .field = name, .pass = pass, .expected = "19:30",
                          .actual_raw = pass ? "\"7:30 pm\"" : "\"7:30 am\"",
                          .actual = pass ? "19:30" : "07:30",
                          .reason = pass ? "" : "expected 19:30, got 07:30: am/pm differs" };
    return f;
}

static void add_case(hx_store *st, int64_t run, const char *agent, const char *module,
                     const char *tid, hx_status status, size_t nf,
                     const hx_field_result *fields)
{
    hx_case_result cr = { .agent = agent, .module = module, .transcript_id = tid,
                          .status = status,
                          .reason = status == HX_PASS ? "" : "something went wrong",
                          .latency_ms = 12.5, .prompt_tokens = 100,
                          .completion_tokens = 20, .cost_usd = 0.0001,
                          .outputs_json = "{\"time\":\"7:30 pm\"}",
                          .nfields = nf, .fields = fields };
    hx_error err = {{0}};
    ck_assert_msg(hx_store_case_add(st, run, &cr, &err) == 0, "%s", err.msg);
}

static void flush(hx_store *st)
{
    hx_error err = {{0}};
    ck_assert_msg(hx_store_flush(st, &err) == 0, "%s", err.msg);
}

/* A dashboard's connection: plain sqlite3, default (zero) busy timeout, so
 * a reader that would have to wait fails at once instead. */
static sqlite3 *reader(void)
{
    sqlite3 *db = NULL;
    ck_assert_int_eq(sqlite3_open(dbpath, &db), SQLITE_OK);
    return db;
}

static sqlite3_stmt *vrow(sqlite3 *db, const char *fmt, va_list ap)
{
    char sql[2048];
    sqlite3_stmt *s = NULL;
    vsnprintf(sql, sizeof sql, fmt, ap);
    int rc = sqlite3_prepare_v2(db, sql, -1, &s, NULL);
    ck_assert_msg(rc == SQLITE_OK, "prepare \"%s\": %s", sql, sqlite3_errmsg(db));
    rc = sqlite3_step(s);
    ck_assert_msg(rc == SQLITE_ROW, "no row for \"%s\" (rc %d: %s)", sql, rc, sqlite3_errmsg(db));
    return s;
}

/* First column of the first row, as integer / real / text / NULL test. */
static int64_t qi(sqlite3 *db, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
static int64_t qi(sqlite3 *db, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    sqlite3_stmt *s = vrow(db, fmt, ap);
    va_end(ap);
    ck_assert_int_eq(sqlite3_column_type(s, 0), SQLITE_INTEGER);
    int64_t v = sqlite3_column_int64(s, 0);
    sqlite3_finalize(s);
    return v;
}

static double qd(sqlite3 *db, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
static double qd(sqlite3 *db, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    sqlite3_stmt *s = vrow(db, fmt, ap);
    va_end(ap);
    ck_assert_int_eq(sqlite3_column_type(s, 0), SQLITE_FLOAT);
    double v = sqlite3_column_double(s, 0);
    sqlite3_finalize(s);
    return v;
}

static char qbuf[1024];
static const char *qt(sqlite3 *db, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
static const char *qt(sqlite3 *db, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    sqlite3_stmt *s = vrow(db, fmt, ap);
    va_end(ap);
    ck_assert_int_eq(sqlite3_column_type(s, 0), SQLITE_TEXT);
    snprintf(qbuf, sizeof qbuf, "%s", (const char *)sqlite3_column_text(s, 0));
    sqlite3_finalize(s);
    return qbuf;
}

static bool qnull(sqlite3 *db, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
static bool qnull(sqlite3 *db, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    sqlite3_stmt *s = vrow(db, fmt, ap);
    va_end(ap);
    bool v = sqlite3_column_type(s, 0) == SQLITE_NULL;
    sqlite3_finalize(s);
    return v;
}

static void exec_ok(sqlite3 *db, const char *sql)
{
    char *msg = NULL;
    int rc = sqlite3_exec(db, sql, NULL, NULL, &msg);
    ck_assert_msg(rc == SQLITE_OK, "%s: %s", sql, msg ? msg : "?");
    sqlite3_free(msg);
}

static bool iso_shape(const char *s)
{
    const char *pat = "dddd-dd-ddTdd:dd:ddZ";
    if (strlen(s) != strlen(pat)) return false;
    for (size_t i = 0; pat[i]; i++)
        if (pat[i] == 'd' ? (s[i] < '0' || s[i] > '9') : s[i] != pat[i]) return false;
    return true;
}

static size_t read_file(const char *path, char *buf, size_t cap)
{
    FILE *f = fopen(path, "rb");
    ck_assert_ptr_nonnull(f);
    size_t n = fread(buf, 1, cap, f);
    fclose(f);
    return n;
}

static void write_file(const char *path, const char *data, size_t len)
{
    FILE *f = fopen(path, "wb");
    ck_assert_ptr_nonnull(f);
    ck_assert_uint_eq(fwrite(data, 1, len, f), len);
    fclose(f);
}

/* agent_scores must be the sum of module_scores, per run and agent, with
 * the same agents on both sides. */
static void agents_match_modules(sqlite3 *db)
{
    ck_assert_int_eq(qi(db, "SELECT count(*) FROM agent_scores a WHERE NOT EXISTS ("
                            " SELECT 1 FROM module_scores m WHERE m.run_id = a.run_id AND m.agent = a.agent"
                            " GROUP BY m.run_id, m.agent HAVING sum(m.cases) = a.cases"
                            " AND sum(m.passed) = a.passed AND sum(m.failed) = a.failed"
                            " AND sum(m.errors) = a.errors)"), 0);
    ck_assert_int_eq(qi(db, "SELECT count(*) FROM (SELECT DISTINCT run_id, agent FROM module_scores)"),
                     qi(db, "SELECT count(*) FROM agent_scores"));
}

/* ---- the contract: five views, exact columns ---------------------------- */

static void check_columns(sqlite3 *db, const char *view, const char *const *cols, int n)
{
    char sql[128];
    sqlite3_stmt *s;
    snprintf(sql, sizeof sql, "PRAGMA table_info(%s)", view);
    ck_assert_int_eq(sqlite3_prepare_v2(db, sql, -1, &s, NULL), SQLITE_OK);
    int i = 0;
    while (sqlite3_step(s) == SQLITE_ROW) {
        ck_assert_msg(i < n, "%s has more than %d columns", view, n);
        ck_assert_str_eq((const char *)sqlite3_column_text(s, 1), cols[i]);
        i++;
    }
    sqlite3_finalize(s);
    ck_assert_msg(i == n, "%s has %d columns, want %d", view, i, n);
    ck_assert_int_eq(qi(db, "SELECT count(*) FROM sqlite_schema WHERE type = 'view' AND name = '%s'",
                        view), 1);
}

START_TEST(test_views_have_contract_columns)
{
    static const char *const agent[] = { "run_id", "started_at", "agent", "cases", "passed",
                                         "failed", "errors", "pass_rate" };
    static const char *const module[] = { "run_id", "started_at", "agent", "module",
                                          "program_sha256", "cases", "passed", "failed",
                                          "errors", "pass_rate", "bar", "below_bar" };
    static const char *const field_[] = { "run_id", "agent", "module", "field", "checks",
                                          "passed", "accuracy" };
    static const char *const cases[] = { "run_id", "agent", "module", "transcript_id",
                                         "status", "reason", "latency_ms", "prompt_tokens",
                                         "completion_tokens", "cost_usd" };
    static const char *const trig[] = { "id", "run_id", "agent", "module", "pass_rate", "bar",
                                        "reason", "status", "created_at", "finished_at",
                                        "old_program_sha256", "new_program_sha256",
                                        "old_score", "new_score", "promoted" };
    hx_store *st = open_store();
    ck_assert_int_eq(hx_store_schema_version(st), hx_store_schema_latest());
    hx_store_close(st);

    sqlite3 *db = reader();
    check_columns(db, "agent_scores", agent, sizeof agent / sizeof *agent);
    check_columns(db, "module_scores", module, sizeof module / sizeof *module);
    check_columns(db, "field_scores", field_, sizeof field_ / sizeof *field_);
    check_columns(db, "case_results", cases, sizeof cases / sizeof *cases);
    check_columns(db, "recompile_triggers", trig, sizeof trig / sizeof *trig);
    /* Empty database: every view answers, with no rows. */
    ck_assert_int_eq(qi(db, "SELECT (SELECT count(*) FROM agent_scores) + (SELECT count(*) FROM module_scores)"
                            " + (SELECT count(*) FROM field_scores) + (SELECT count(*) FROM case_results)"
                            " + (SELECT count(*) FROM recompile_triggers)"), 0);
    /* No secret has a column anywhere. */
    ck_assert_int_eq(qi(db, "SELECT count(*) FROM sqlite_schema WHERE sql LIKE '%%api_key%%'"
                            " OR sql LIKE '%%secret%%'"), 0);
    sqlite3_close(db);
}
END_TEST

START_TEST(test_wal_and_open_pragmas)
{
    hx_store *st = open_store();
    sqlite3 *own = hx_store_sqlite(st);
    ck_assert_int_eq(qi(own, "PRAGMA foreign_keys"), 1);
    ck_assert_int_eq(qi(own, "PRAGMA synchronous"), 1); /* NORMAL */
    ck_assert_str_eq(hx_store_path(st), dbpath);
    hx_store_close(st);
    sqlite3 *db = reader();
    ck_assert_str_eq(qt(db, "PRAGMA journal_mode"), "wal");
    sqlite3_close(db);
}
END_TEST

/* SQLite's temporary files, open in this process (they are unlinked at
 * once, so only /proc shows them). */
static int temp_files_open(void)
{
    DIR *d = opendir("/proc/self/fd");
    struct dirent *e;
    int n = 0;
    ck_assert_ptr_nonnull(d);
    while ((e = readdir(d))) {
        char link[64], target[512];
        ssize_t k;
        snprintf(link, sizeof link, "/proc/self/fd/%s", e->d_name);
        if ((k = readlink(link, target, sizeof target - 1)) <= 0) continue;
        target[k] = '\0';
        if (strstr(target, "etilqs_")) n++;
    }
    closedir(d);
    return n;
}

/* Each case is written under a savepoint, whose journal must stay in
 * memory: spilled to a temporary file it cost some thirty write system
 * calls a case on the run's only thread. */
START_TEST(test_case_journal_stays_in_memory)
{
    hx_store *st = open_store();
    int64_t run = begin_run(st, "run", NULL);
    hx_field_result f[5] = { field("date", true), field("time", false), field("party_size", true),
                             field("phone", true), field("name", false) };
    char tid[32];
    begin_module(st, run, "a", "m", NULL, 0.9);
    ck_assert_int_eq(qi(hx_store_sqlite(st), "PRAGMA temp_store"), 2);   /* MEMORY */
    for (int i = 0; i < 200; i++) {
        snprintf(tid, sizeof tid, "rest-%04d", i);
        add_case(st, run, "a", "m", tid, i % 3 ? HX_PASS : HX_FAIL, 5, f);
    }
    ck_assert_int_eq(temp_files_open(), 0);   /* the batch is still open */
    flush(st);
    ck_assert_int_eq(temp_files_open(), 0);
    hx_store_close(st);
}
END_TEST

/* ---- scores ------------------------------------------------------------- */

START_TEST(test_module_scores_counts)
{
    const int npass = 3, nfail = 1, nerr = 1;
    const double bar = 0.9;
    const char *sha = "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08";
    hx_store *st = open_store();
    int64_t run = begin_run(st, "run", "2026-11-25T02:00:00Z");
    begin_module(st, run, "restaurant-booking", "booking_extractor", sha, bar);
    char tid[32];
    int k = 0;
    for (int i = 0; i < npass; i++, k++) {
        snprintf(tid, sizeof tid, "rest-%04d", k);
        add_case(st, run, "restaurant-booking", "booking_extractor", tid, HX_PASS, 0, NULL);
    }
    for (int i = 0; i < nfail; i++, k++) {
        snprintf(tid, sizeof tid, "rest-%04d", k);
        add_case(st, run, "restaurant-booking", "booking_extractor", tid, HX_FAIL, 0, NULL);
    }
    for (int i = 0; i < nerr; i++, k++) {
        snprintf(tid, sizeof tid, "rest-%04d", k);
        add_case(st, run, "restaurant-booking", "booking_extractor", tid, HX_ERROR, 0, NULL);
    }
    flush(st);

    double want_rate = (double)npass / (npass + nfail);
    sqlite3 *db = reader();
    const char *w = "FROM module_scores WHERE run_id = %lld AND agent = 'restaurant-booking'"
                    " AND module = 'booking_extractor'";
    char sql[256];
#define MS(col) (snprintf(sql, sizeof sql, "SELECT " col " %s", w), sql)
    ck_assert_int_eq(qi(db, MS("count(*)"), (long long)run), 1);
    ck_assert_int_eq(qi(db, MS("cases"), (long long)run), npass + nfail + nerr);
    ck_assert_int_eq(qi(db, MS("passed"), (long long)run), npass);
    ck_assert_int_eq(qi(db, MS("failed"), (long long)run), nfail);
    ck_assert_int_eq(qi(db, MS("errors"), (long long)run), nerr);
    ck_assert_double_eq_tol(qd(db, MS("pass_rate"), (long long)run), want_rate, 1e-12);
    ck_assert_double_eq_tol(qd(db, MS("bar"), (long long)run), bar, 1e-12);
    ck_assert_int_eq(qi(db, MS("below_bar"), (long long)run), want_rate < bar);
    ck_assert_str_eq(qt(db, MS("program_sha256"), (long long)run), sha);
    ck_assert_str_eq(qt(db, MS("started_at"), (long long)run), "2026-11-25T02:00:00Z");
#undef MS
    const char *wa = "FROM agent_scores WHERE run_id = %lld AND agent = 'restaurant-booking'";
#define AS(col) (snprintf(sql, sizeof sql, "SELECT " col " %s", wa), sql)
    ck_assert_int_eq(qi(db, AS("count(*)"), (long long)run), 1);
    ck_assert_int_eq(qi(db, AS("cases"), (long long)run), npass + nfail + nerr);
    ck_assert_int_eq(qi(db, AS("passed"), (long long)run), npass);
    ck_assert_int_eq(qi(db, AS("failed"), (long long)run), nfail);
    ck_assert_int_eq(qi(db, AS("errors"), (long long)run), nerr);
    ck_assert_double_eq_tol(qd(db, AS("pass_rate"), (long long)run), want_rate, 1e-12);
    ck_assert_str_eq(qt(db, AS("started_at"), (long long)run), "2026-11-25T02:00:00Z");
#undef AS
    sqlite3_close(db);
    hx_store_close(st);
}
END_TEST

START_TEST(test_pass_rate_null_without_answers)
{
    hx_store *st = open_store();
    int64_t run = begin_run(st, "run", NULL);
    begin_module(st, run, "a", "outage", NULL, 0.9);
    begin_module(st, run, "a", "empty", NULL, 0.9);
    add_case(st, run, "a", "outage", "t1", HX_ERROR, 0, NULL);
    add_case(st, run, "a", "outage", "t2", HX_ERROR, 0, NULL);
    flush(st);
    sqlite3 *db = reader();
    ck_assert(qnull(db, "SELECT pass_rate FROM module_scores WHERE module = 'outage'"));
    ck_assert_int_eq(qi(db, "SELECT errors FROM module_scores WHERE module = 'outage'"), 2);
    /* An outage is not a regression: not below the bar. */
    ck_assert_int_eq(qi(db, "SELECT below_bar FROM module_scores WHERE module = 'outage'"), 0);
    ck_assert(qnull(db, "SELECT pass_rate FROM module_scores WHERE module = 'empty'"));
    ck_assert_int_eq(qi(db, "SELECT cases FROM module_scores WHERE module = 'empty'"), 0);
    ck_assert(qnull(db, "SELECT program_sha256 FROM module_scores WHERE module = 'empty'"));
    ck_assert(qnull(db, "SELECT pass_rate FROM agent_scores WHERE agent = 'a'"));
    ck_assert_int_eq(qi(db, "SELECT cases FROM agent_scores WHERE agent = 'a'"), 2);
    sqlite3_close(db);
    hx_store_close(st);
}
END_TEST

START_TEST(test_at_bar_is_not_below)
{
    const int npass = 9, nfail = 1;
    const double bar = 0.9;
    hx_store *st = open_store();
    int64_t run = begin_run(st, "run", NULL);
    begin_module(st, run, "a", "m", NULL, bar);
    begin_module(st, run, "a", "low", NULL, bar);
    char tid[16];
    for (int i = 0; i < npass + nfail; i++) {
        snprintf(tid, sizeof tid, "t%d", i);
        add_case(st, run, "a", "m", tid, i < npass ? HX_PASS : HX_FAIL, 0, NULL);
        /* one more failure in "low": 8 of 10 */
        add_case(st, run, "a", "low", tid, i < npass - 1 ? HX_PASS : HX_FAIL, 0, NULL);
    }
    flush(st);
    sqlite3 *db = reader();
    double rate = (double)npass / (npass + nfail);
    ck_assert_double_eq_tol(qd(db, "SELECT pass_rate FROM module_scores WHERE module = 'm'"), rate, 1e-12);
    ck_assert_int_eq(qi(db, "SELECT below_bar FROM module_scores WHERE module = 'm'"), rate < bar);
    ck_assert_int_eq(qi(db, "SELECT below_bar FROM module_scores WHERE module = 'low'"),
                     (double)(npass - 1) / (npass + nfail) < bar);
    sqlite3_close(db);
    hx_store_close(st);
}
END_TEST

static const struct plan_row {
    const char *agent, *module;
    int pass, fail, error;
    double bar;
} plan[] = {
    { "restaurant-booking", "booking_extractor", 2, 1, 0, 0.9 },
    { "restaurant-booking", "upsell_detector", 1, 0, 2, 0.5 },
    { "clinic-intake", "booking_extractor", 1, 3, 0, 0.2 },
};
#define NPLAN ((int)(sizeof plan / sizeof plan[0]))

START_TEST(test_two_agents_two_modules)
{
    hx_store *st = open_store();
    int64_t run = begin_run(st, "run", "2026-11-24T02:00:00Z");
    for (int p = 0; p < NPLAN; p++) {
        const struct plan_row *r = &plan[p];
        begin_module(st, run, r->agent, r->module, NULL, r->bar);
        char tid[16];
        int k = 0;
        for (int i = 0; i < r->pass; i++, k++) {
            snprintf(tid, sizeof tid, "t%d", k);
            add_case(st, run, r->agent, r->module, tid, HX_PASS, 0, NULL);
        }
        for (int i = 0; i < r->fail; i++, k++) {
            snprintf(tid, sizeof tid, "t%d", k);
            add_case(st, run, r->agent, r->module, tid, HX_FAIL, 0, NULL);
        }
        for (int i = 0; i < r->error; i++, k++) {
            snprintf(tid, sizeof tid, "t%d", k);
            add_case(st, run, r->agent, r->module, tid, HX_ERROR, 0, NULL);
        }
    }
    flush(st);
    sqlite3 *db = reader();
    ck_assert_int_eq(qi(db, "SELECT count(*) FROM module_scores WHERE run_id = %lld", (long long)run),
                     NPLAN);
    for (int p = 0; p < NPLAN; p++) {
        const struct plan_row *r = &plan[p];
        const char *w = "FROM module_scores WHERE agent = '%s' AND module = '%s'";
        char sql[256];
        double rate = (double)r->pass / (r->pass + r->fail);
        snprintf(sql, sizeof sql, "SELECT cases %s", w);
        ck_assert_int_eq(qi(db, sql, r->agent, r->module), r->pass + r->fail + r->error);
        snprintf(sql, sizeof sql, "SELECT passed %s", w);
        ck_assert_int_eq(qi(db, sql, r->agent, r->module), r->pass);
        snprintf(sql, sizeof sql, "SELECT failed %s", w);
        ck_assert_int_eq(qi(db, sql, r->agent, r->module), r->fail);
        snprintf(sql, sizeof sql, "SELECT errors %s", w);
        ck_assert_int_eq(qi(db, sql, r->agent, r->module), r->error);
        snprintf(sql, sizeof sql, "SELECT pass_rate %s", w);
        ck_assert_double_eq_tol(qd(db, sql, r->agent, r->module), rate, 1e-12);
        snprintf(sql, sizeof sql, "SELECT below_bar %s", w);
        ck_assert_int_eq(qi(db, sql, r->agent, r->module), rate < r->bar);
    }
    /* Agent rows: sums over that agent's modules. */
    ck_assert_int_eq(qi(db, "SELECT count(*) FROM agent_scores WHERE run_id = %lld", (long long)run), 2);
    const char *agents[] = { "restaurant-booking", "clinic-intake" };
    for (int a = 0; a < 2; a++) {
        int c = 0, ps = 0, f = 0, e = 0;
        for (int p = 0; p < NPLAN; p++) {
            if (strcmp(plan[p].agent, agents[a]) != 0) continue;
            c += plan[p].pass + plan[p].fail + plan[p].error;
            ps += plan[p].pass;
            f += plan[p].fail;
            e += plan[p].error;
        }
        ck_assert_int_eq(qi(db, "SELECT cases FROM agent_scores WHERE agent = '%s'", agents[a]), c);
        ck_assert_int_eq(qi(db, "SELECT passed FROM agent_scores WHERE agent = '%s'", agents[a]), ps);
        ck_assert_int_eq(qi(db, "SELECT failed FROM agent_scores WHERE agent = '%s'", agents[a]), f);
        ck_assert_int_eq(qi(db, "SELECT errors FROM agent_scores WHERE agent = '%s'", agents[a]), e);
        ck_assert_double_eq_tol(qd(db, "SELECT pass_rate FROM agent_scores WHERE agent = '%s'", agents[a]),
                                (double)ps / (ps + f), 1e-12);
    }
    sqlite3_close(db);
    hx_store_close(st);
}
END_TEST

START_TEST(test_field_scores_accuracy)
{
    /* date passes in cases 0..3 of 5, time in 0..1, name only checked in 2 */
    const int n = 5, date_ok = 4, time_ok = 2;
    hx_store *st = open_store();
    int64_t run = begin_run(st, "run", NULL);
    begin_module(st, run, "a", "m", NULL, 0.5);
    for (int i = 0; i < n; i++) {
        hx_field_result f[3] = { field("date", i < date_ok), field("time", i < time_ok),
                                 field("name", true) };
        char tid[16];
        snprintf(tid, sizeof tid, "t%d", i);
        add_case(st, run, "a", "m", tid, (i < date_ok && i < time_ok) ? HX_PASS : HX_FAIL,
                 i < 2 ? 3 : 2, f);
    }
    flush(st);
    sqlite3 *db = reader();
    ck_assert_int_eq(qi(db, "SELECT count(*) FROM field_scores WHERE run_id = %lld", (long long)run), 3);
    ck_assert_int_eq(qi(db, "SELECT checks FROM field_scores WHERE field = 'date'"), n);
    ck_assert_int_eq(qi(db, "SELECT passed FROM field_scores WHERE field = 'date'"), date_ok);
    ck_assert_double_eq_tol(qd(db, "SELECT accuracy FROM field_scores WHERE field = 'date'"),
                            (double)date_ok / n, 1e-12);
    ck_assert_int_eq(qi(db, "SELECT checks FROM field_scores WHERE field = 'time'"), n);
    ck_assert_double_eq_tol(qd(db, "SELECT accuracy FROM field_scores WHERE field = 'time'"),
                            (double)time_ok / n, 1e-12);
    ck_assert_int_eq(qi(db, "SELECT checks FROM field_scores WHERE field = 'name'"), 2);
    ck_assert_double_eq_tol(qd(db, "SELECT accuracy FROM field_scores WHERE field = 'name'"), 1.0, 1e-12);
    ck_assert_str_eq(qt(db, "SELECT agent || '/' || module FROM field_scores WHERE field = 'name'"), "a/m");
    /* The field rows keep what a person needs to see why a check failed. */
    ck_assert_str_eq(qt(db, "SELECT f.reason FROM field_checks f JOIN cases c ON c.id = f.case_id"
                            " WHERE c.transcript_id = 't4' AND f.field = 'time'"),
                     "expected 19:30, got 07:30: am/pm differs");
    ck_assert_str_eq(qt(db, "SELECT f.actual_raw || ' ' || f.actual || ' ' || f.expected"
                            " FROM field_checks f JOIN cases c ON c.id = f.case_id"
                            " WHERE c.transcript_id = 't4' AND f.field = 'time'"),
                     "\"7:30 am\" 07:30 19:30");
    sqlite3_close(db);
    hx_store_close(st);
}
END_TEST

START_TEST(test_case_results_values)
{
    hx_store *st = open_store();
    int64_t run = begin_run(st, "run", NULL);
    begin_module(st, run, "a", "m", NULL, 0.5);
    hx_field_result f = field("time", false);
    hx_case_result cr = { .agent = "a", .module = "m", .transcript_id = "rest-0042",
                          .status = HX_FAIL, .reason = "time: expected 19:30, got 07:30",
                          .latency_ms = 1234.5, .prompt_tokens = 812,
                          .completion_tokens = 57, .cost_usd = 0.00015612,
                          .outputs_json = "{\"time\":\"7:30 am\"}", .nfields = 1, .fields = &f };
    hx_error err = {{0}};
    ck_assert_msg(hx_store_case_add(st, run, &cr, &err) == 0, "%s", err.msg);
    flush(st);
    sqlite3 *db = reader();
    const char *w = " FROM case_results WHERE run_id = %lld AND agent = 'a' AND module = 'm'"
                    " AND transcript_id = 'rest-0042'";
    char sql[256];
#define CR(col) (snprintf(sql, sizeof sql, "SELECT " col "%s", w), sql)
    ck_assert_str_eq(qt(db, CR("status"), (long long)run), "fail");
    ck_assert_str_eq(qt(db, CR("reason"), (long long)run), cr.reason);
    ck_assert_double_eq_tol(qd(db, CR("latency_ms"), (long long)run), cr.latency_ms, 1e-9);
    ck_assert_int_eq(qi(db, CR("prompt_tokens"), (long long)run), cr.prompt_tokens);
    ck_assert_int_eq(qi(db, CR("completion_tokens"), (long long)run), cr.completion_tokens);
    ck_assert_double_eq_tol(qd(db, CR("cost_usd"), (long long)run), cr.cost_usd, 1e-15);
#undef CR
    ck_assert_str_eq(qt(db, "SELECT outputs_json FROM cases WHERE transcript_id = 'rest-0042'"),
                     cr.outputs_json);
    sqlite3_close(db);

    bool found = false;
    hx_status s = HX_PASS;
    ck_assert_int_eq(hx_store_case_status(st, run, "a", "m", "rest-0042", &found, &s, &err), 0);
    ck_assert(found);
    ck_assert_int_eq(s, HX_FAIL);
    ck_assert_int_eq(hx_store_case_status(st, run, "a", "m", "rest-0043", &found, &s, &err), 0);
    ck_assert(!found);
    /* Sees the open batch too. */
    add_case(st, run, "a", "m", "rest-0043", HX_ERROR, 0, NULL);
    ck_assert_int_eq(hx_store_case_status(st, run, "a", "m", "rest-0043", &found, &s, &err), 0);
    ck_assert(found);
    ck_assert_int_eq(s, HX_ERROR);
    hx_store_close(st);
}
END_TEST

/* ---- replacing a case --------------------------------------------------- */

START_TEST(test_readd_replaces)
{
    hx_store *st = open_store();
    int64_t run = begin_run(st, "run", NULL);
    begin_module(st, run, "a", "m", NULL, 0.9);
    hx_field_result f1[2] = { field("date", false), field("time", true) };
    hx_field_result f2[1] = { field("date", true) };
    add_case(st, run, "a", "m", "t1", HX_FAIL, 2, f1);
    add_case(st, run, "a", "m", "t2", HX_PASS, 1, f2);
    flush(st);
    /* t1 again, in a later batch: now a pass with only date checked. */
    add_case(st, run, "a", "m", "t1", HX_PASS, 1, f2);
    /* t2 twice within one batch: last one wins. */
    add_case(st, run, "a", "m", "t2", HX_FAIL, 2, f1);
    add_case(st, run, "a", "m", "t2", HX_ERROR, 0, NULL);
    flush(st);

    sqlite3 *db = reader();
    ck_assert_int_eq(qi(db, "SELECT count(*) FROM case_results"), 2);
    ck_assert_str_eq(qt(db, "SELECT status FROM case_results WHERE transcript_id = 't1'"), "pass");
    ck_assert_str_eq(qt(db, "SELECT status FROM case_results WHERE transcript_id = 't2'"), "error");
    ck_assert_int_eq(qi(db, "SELECT cases FROM module_scores"), 2);
    ck_assert_int_eq(qi(db, "SELECT passed FROM module_scores"), 1);
    ck_assert_int_eq(qi(db, "SELECT failed FROM module_scores"), 0);
    ck_assert_int_eq(qi(db, "SELECT errors FROM module_scores"), 1);
    ck_assert_double_eq_tol(qd(db, "SELECT pass_rate FROM module_scores"), 1.0, 1e-12);
    /* Fields: only t1's single passing date check is left. */
    ck_assert_int_eq(qi(db, "SELECT count(*) FROM field_checks"), 1);
    ck_assert_int_eq(qi(db, "SELECT count(*) FROM field_scores"), 1);
    ck_assert_int_eq(qi(db, "SELECT checks FROM field_scores WHERE field = 'date'"), 1);
    ck_assert_int_eq(qi(db, "SELECT passed FROM field_scores WHERE field = 'date'"), 1);
    sqlite3_close(db);
    hx_store_close(st);
}
END_TEST

/* Many random adds and re-adds over few transcripts, in small batches; the
 * test keeps its own model of the last write per case and compares every
 * counter with it. */
START_TEST(test_rollups_follow_random_replacements)
{
    enum { NA = 2, NM = 2, NT = 40, NF = 3, STEPS = 1500 };
    static const char *const agents[NA] = { "a0", "a1" };
    static const char *const modules[NM] = { "m0", "m1" };
    static const char *const fields[NF] = { "date", "time", "phone" };
    int status[NA][NM][NT];
    int fmask[NA][NM][NT], fpass[NA][NM][NT]; /* which fields checked / passed */
    memset(status, -1, sizeof status);
    unsigned seed = 12345;
#define RND() (seed = seed * 1103515245u + 12345u, (seed >> 16) & 0x7fff)

    hx_store *st = open_store();
    hx_store_set_batch(st, 37, 0);
    int64_t run = begin_run(st, "run", NULL);
    for (int a = 0; a < NA; a++)
        for (int m = 0; m < NM; m++) begin_module(st, run, agents[a], modules[m], NULL, 0.8);
    for (int i = 0; i < STEPS; i++) {
        int a = RND() % NA, m = RND() % NM, t = RND() % NT, s = RND() % 3;
        hx_field_result fr[NF];
        size_t nf = 0;
        int mask = 0, pass = 0;
        for (int f = 0; f < NF; f++) {
            if (RND() % 4 == 0) continue;
            bool ok = RND() % 3 != 0;
            fr[nf++] = field(fields[f], ok);
            mask |= 1 << f;
            if (ok) pass |= 1 << f;
        }
        char tid[16];
        snprintf(tid, sizeof tid, "t%02d", t);
        add_case(st, run, agents[a], modules[m], tid, (hx_status)s, nf, fr);
        status[a][m][t] = s;
        fmask[a][m][t] = mask;
        fpass[a][m][t] = pass;
    }
#undef RND
    flush(st);

    sqlite3 *db = reader();
    for (int a = 0; a < NA; a++) {
        for (int m = 0; m < NM; m++) {
            int n[3] = { 0, 0, 0 }, checks[NF] = { 0 }, passed[NF] = { 0 };
            for (int t = 0; t < NT; t++) {
                if (status[a][m][t] < 0) continue;
                n[status[a][m][t]]++;
                for (int f = 0; f < NF; f++) {
                    checks[f] += (fmask[a][m][t] >> f) & 1;
                    passed[f] += (fpass[a][m][t] >> f) & 1;
                }
            }
            const char *w = "FROM module_scores WHERE agent = '%s' AND module = '%s'";
            char sql[160];
            snprintf(sql, sizeof sql, "SELECT cases %s", w);
            ck_assert_int_eq(qi(db, sql, agents[a], modules[m]), n[0] + n[1] + n[2]);
            snprintf(sql, sizeof sql, "SELECT passed %s", w);
            ck_assert_int_eq(qi(db, sql, agents[a], modules[m]), n[HX_PASS]);
            snprintf(sql, sizeof sql, "SELECT failed %s", w);
            ck_assert_int_eq(qi(db, sql, agents[a], modules[m]), n[HX_FAIL]);
            snprintf(sql, sizeof sql, "SELECT errors %s", w);
            ck_assert_int_eq(qi(db, sql, agents[a], modules[m]), n[HX_ERROR]);
            ck_assert_int_eq(qi(db, "SELECT count(*) FROM case_results WHERE agent = '%s' AND module = '%s'",
                                agents[a], modules[m]), n[0] + n[1] + n[2]);
            for (int f = 0; f < NF; f++) {
                ck_assert_int_eq(qi(db, "SELECT coalesce(sum(checks), 0) FROM field_scores WHERE agent = '%s'"
                                        " AND module = '%s' AND field = '%s'",
                                    agents[a], modules[m], fields[f]), checks[f]);
                ck_assert_int_eq(qi(db, "SELECT coalesce(sum(passed), 0) FROM field_scores WHERE agent = '%s'"
                                        " AND module = '%s' AND field = '%s'",
                                    agents[a], modules[m], fields[f]), passed[f]);
            }
        }
    }
    agents_match_modules(db);
    sqlite3_close(db);
    hx_store_close(st);
}
END_TEST

/* Rollups are kept by the database, so a repair made by hand in the sqlite3
 * shell keeps the scores right too. */
START_TEST(test_rollups_follow_manual_sql)
{
    hx_store *st = open_store();
    int64_t run = begin_run(st, "run", NULL);
    int64_t run2 = begin_run(st, "run", NULL);
    begin_module(st, run, "a", "m", NULL, 0.9);
    begin_module(st, run, "a", "m2", NULL, 0.9);
    begin_module(st, run, "b", "m", NULL, 0.9);
    begin_module(st, run2, "a", "m", NULL, 0.9);
    hx_field_result f[2] = { field("date", true), field("time", false) };
    add_case(st, run, "a", "m2", "t1", HX_FAIL, 0, NULL);
    add_case(st, run, "b", "m", "t1", HX_PASS, 0, NULL);
    add_case(st, run, "a", "m", "t1", HX_PASS, 2, f);
    add_case(st, run, "a", "m", "t2", HX_FAIL, 2, f);
    add_case(st, run, "a", "m", "t3", HX_ERROR, 0, NULL);
    add_case(st, run2, "a", "m", "t1", HX_PASS, 2, f);
    hx_store_close(st); /* close commits the open batch */

    sqlite3 *db = reader();
    exec_ok(db, "PRAGMA foreign_keys = ON");
#define M_OF_RUN "FROM module_scores WHERE run_id = %lld AND agent = 'a' AND module = 'm'"
    ck_assert_int_eq(qi(db, "SELECT cases " M_OF_RUN, (long long)run), 3);
    ck_assert_int_eq(qi(db, "SELECT cases FROM agent_scores WHERE run_id = %lld AND agent = 'a'",
                        (long long)run), 4);
    exec_ok(db, "UPDATE cases SET status = 'pass' WHERE transcript_id = 't3'");
    ck_assert_int_eq(qi(db, "SELECT passed " M_OF_RUN, (long long)run), 2);
    ck_assert_int_eq(qi(db, "SELECT errors " M_OF_RUN, (long long)run), 0);
    ck_assert_int_eq(qi(db, "SELECT passed FROM agent_scores WHERE run_id = %lld AND agent = 'a'",
                        (long long)run), 2);
    agents_match_modules(db);
    exec_ok(db, "UPDATE field_checks SET pass = 1 WHERE field = 'time'");
    ck_assert_int_eq(qi(db, "SELECT passed FROM field_scores WHERE run_id = %lld AND field = 'time'",
                        (long long)run), 2);
    char sql[128];
    snprintf(sql, sizeof sql, "DELETE FROM cases WHERE run_id = %lld AND transcript_id = 't2'", (long long)run);
    exec_ok(db, sql);
    ck_assert_int_eq(qi(db, "SELECT cases " M_OF_RUN, (long long)run), 2);
    ck_assert_int_eq(qi(db, "SELECT failed " M_OF_RUN, (long long)run), 0);
    ck_assert_int_eq(qi(db, "SELECT checks FROM field_scores WHERE run_id = %lld AND field = 'date'",
                        (long long)run), 1);
    agents_match_modules(db);
    /* Dropping one module of an agent takes its cases out of the agent's
     * sums; dropping the agent's last module takes the agent row. */
    exec_ok(db, "DELETE FROM run_modules WHERE module = 'm2'");
    ck_assert_int_eq(qi(db, "SELECT cases FROM agent_scores WHERE run_id = %lld AND agent = 'a'",
                        (long long)run), 2);
    ck_assert_int_eq(qi(db, "SELECT failed FROM agent_scores WHERE run_id = %lld AND agent = 'a'",
                        (long long)run), 0);
    exec_ok(db, "DELETE FROM run_modules WHERE agent = 'b'");
    ck_assert_int_eq(qi(db, "SELECT count(*) FROM agent_scores WHERE agent = 'b'"), 0);
    agents_match_modules(db);
#undef M_OF_RUN
    /* Moving a case between modules is refused, not silently miscounted. */
    ck_assert_int_ne(sqlite3_exec(db, "UPDATE cases SET module = 'x'", NULL, NULL, NULL), SQLITE_OK);
    /* Pruning a run takes everything of it, and nothing of the other run. */
    snprintf(sql, sizeof sql, "DELETE FROM runs WHERE run_id = %lld", (long long)run);
    exec_ok(db, sql);
    ck_assert_int_eq(qi(db, "SELECT count(*) FROM module_scores WHERE run_id = %lld", (long long)run), 0);
    ck_assert_int_eq(qi(db, "SELECT count(*) FROM case_results WHERE run_id = %lld", (long long)run), 0);
    ck_assert_int_eq(qi(db, "SELECT count(*) FROM field_rollups WHERE run_id = %lld", (long long)run), 0);
    ck_assert_int_eq(qi(db, "SELECT count(*) FROM field_checks"), 2);
    ck_assert_int_eq(qi(db, "SELECT cases FROM module_scores WHERE run_id = %lld", (long long)run2), 1);
    ck_assert_int_eq(qi(db, "SELECT checks FROM field_scores WHERE run_id = %lld AND field = 'time'",
                        (long long)run2), 1);
    sqlite3_close(db);
}
END_TEST

/* The dashboard's trend query, newest first, over several runs. */
START_TEST(test_trend_query)
{
    enum { NRUNS = 5 };
    int64_t ids[NRUNS];
    hx_store *st = open_store();
    for (int r = 0; r < NRUNS; r++) {
        char day[32];
        snprintf(day, sizeof day, "2026-11-%02dT02:00:00Z", 20 + r);
        ids[r] = begin_run(st, "run", day);
        begin_module(st, ids[r], "x", "m", NULL, 0.9);
        begin_module(st, ids[r], "other", "m", NULL, 0.9);
        /* run r: r + 1 passes and one failure for x */
        for (int i = 0; i <= r + 1; i++) {
            char tid[16];
            snprintf(tid, sizeof tid, "t%d", i);
            add_case(st, ids[r], "x", "m", tid, i <= r ? HX_PASS : HX_FAIL, 0, NULL);
            add_case(st, ids[r], "other", "m", tid, HX_FAIL, 0, NULL);
        }
        hx_error err = {{0}};
        ck_assert_msg(hx_store_run_end(st, ids[r], "finished", &err) == 0, "%s", err.msg);
    }
    hx_store_close(st);

    sqlite3 *db = reader();
    static const char *const trend[] = {
        "SELECT run_id, pass_rate FROM agent_scores WHERE agent = 'x' ORDER BY run_id DESC LIMIT 30",
        "SELECT run_id, pass_rate FROM module_scores WHERE agent = 'x' AND module = 'm'"
        " ORDER BY run_id DESC LIMIT 30",
    };
    for (int t = 0; t < 2; t++) {
        sqlite3_stmt *s;
        ck_assert_int_eq(sqlite3_prepare_v2(db, trend[t], -1, &s, NULL), SQLITE_OK);
        int r = NRUNS - 1;
        while (sqlite3_step(s) == SQLITE_ROW) {
            ck_assert_int_ge(r, 0);
            ck_assert_int_eq(sqlite3_column_int64(s, 0), ids[r]);
            ck_assert_double_eq_tol(sqlite3_column_double(s, 1), (double)(r + 1) / (r + 2), 1e-12);
            r--;
        }
        ck_assert_int_eq(r, -1);
        sqlite3_finalize(s);
    }
    ck_assert_int_eq(qi(db, "SELECT run_id FROM agent_scores WHERE run_id = (SELECT max(run_id) FROM runs)"
                            " AND agent = 'x'"), ids[NRUNS - 1]);
    ck_assert_str_eq(qt(db, "SELECT started_at FROM module_scores WHERE run_id = (SELECT max(run_id) FROM runs)"
                            " AND agent = 'x'"), "2026-11-24T02:00:00Z");
    sqlite3_close(db);
}
END_TEST

/* ---- batching ----------------------------------------------------------- */

START_TEST(test_batches_commit_every_n)
{
    const int n = 1000, batch = 256;
    hx_store *st = open_store();
    hx_store_set_batch(st, batch, 0); /* no time bound: deterministic */
    int64_t run = begin_run(st, "run", NULL);
    begin_module(st, run, "a", "m", NULL, 0.9);
    int passed = 0;
    for (int i = 0; i < n; i++) {
        char tid[16];
        snprintf(tid, sizeof tid, "t%04d", i);
        hx_field_result f = field("time", i % 4 != 0);
        add_case(st, run, "a", "m", tid, i % 4 != 0 ? HX_PASS : HX_FAIL, 1, &f);
        passed += i % 4 != 0;
    }
    sqlite3 *db = reader();
    int committed = n / batch * batch;
    ck_assert_int_eq(qi(db, "SELECT count(*) FROM case_results"), committed);
    /* Counters commit with their rows: a reader never sees them disagree. */
    ck_assert_int_eq(qi(db, "SELECT cases FROM module_scores"), committed);
    ck_assert_int_eq(qi(db, "SELECT checks FROM field_scores"), committed);
    flush(st);
    ck_assert_int_eq(qi(db, "SELECT count(*) FROM case_results"), n);
    ck_assert_int_eq(qi(db, "SELECT cases FROM module_scores"), n);
    ck_assert_int_eq(qi(db, "SELECT passed FROM module_scores"), passed);
    ck_assert_int_eq(qi(db, "SELECT failed FROM module_scores"), n - passed);
    ck_assert_int_eq(qi(db, "SELECT passed FROM field_scores"), passed);
    sqlite3_close(db);
    hx_store_close(st);
}
END_TEST

START_TEST(test_batch_time_bound)
{
    hx_store *st = open_store();
    hx_store_set_batch(st, 1000, 0);
    int64_t run = begin_run(st, "run", NULL);
    begin_module(st, run, "a", "m", NULL, 0.9);
    add_case(st, run, "a", "m", "t0", HX_PASS, 0, NULL); /* warm up: statements prepared */
    flush(st);
    hx_store_set_batch(st, 1000, 250);
    sqlite3 *db = reader();
    add_case(st, run, "a", "m", "t1", HX_PASS, 0, NULL);
    ck_assert_int_eq(qi(db, "SELECT count(*) FROM case_results"), 1);
    struct timespec ts = { 0, 350 * 1000 * 1000 };
    nanosleep(&ts, NULL);
    add_case(st, run, "a", "m", "t2", HX_PASS, 0, NULL); /* batch is old: commits */
    ck_assert_int_eq(qi(db, "SELECT count(*) FROM case_results"), 3);
    sqlite3_close(db);
    hx_store_close(st);
}
END_TEST

START_TEST(test_reader_during_open_batch)
{
    const int n = 10;
    hx_store *st = open_store();
    hx_store_set_batch(st, 256, 0);
    int64_t run = begin_run(st, "run", NULL);
    begin_module(st, run, "a", "m", NULL, 0.9);
    for (int i = 0; i < n; i++) {
        char tid[16];
        hx_field_result f = field("date", true);
        snprintf(tid, sizeof tid, "t%d", i);
        add_case(st, run, "a", "m", tid, HX_PASS, 1, &f);
    }
    /* The store now holds the write lock with an open transaction. A plain
     * reader with no busy timeout must still read every view at once. */
    sqlite3 *db = reader();
    static const char *const views[] = { "agent_scores", "module_scores", "field_scores",
                                          "case_results", "recompile_triggers" };
    for (size_t v = 0; v < sizeof views / sizeof *views; v++) {
        char sql[96];
        sqlite3_stmt *s;
        snprintf(sql, sizeof sql, "SELECT * FROM %s WHERE run_id = (SELECT max(run_id) FROM runs)", views[v]);
        ck_assert_int_eq(sqlite3_prepare_v2(db, sql, -1, &s, NULL), SQLITE_OK);
        int rc;
        while ((rc = sqlite3_step(s)) == SQLITE_ROW) {}
        ck_assert_msg(rc == SQLITE_DONE, "%s: %s", views[v], sqlite3_errmsg(db));
        sqlite3_finalize(s);
    }
    ck_assert_int_eq(qi(db, "SELECT count(*) FROM case_results"), 0);
    ck_assert_int_eq(qi(db, "SELECT cases FROM module_scores"), 0);
    flush(st);
    ck_assert_int_eq(qi(db, "SELECT count(*) FROM case_results"), n);
    ck_assert_int_eq(qi(db, "SELECT cases FROM module_scores"), n);
    ck_assert_int_eq(qi(db, "SELECT checks FROM field_scores"), n);
    sqlite3_close(db);
    hx_store_close(st);
}
END_TEST

/* A case that cannot be stored is undone alone; its batch survives. */
START_TEST(test_bad_case_keeps_batch)
{
    hx_store *st = open_store();
    int64_t run = begin_run(st, "run", NULL);
    begin_module(st, run, "a", "m", NULL, 0.9);
    add_case(st, run, "a", "m", "t1", HX_PASS, 0, NULL);

    hx_error err = {{0}};
    hx_case_result cr = { .agent = "a", .module = "never-begun", .transcript_id = "t2",
                          .status = HX_PASS };
    ck_assert_int_eq(hx_store_case_add(st, run, &cr, &err), -1);
    ck_assert_msg(strstr(err.msg, dbpath) == err.msg, "%s", err.msg);
    ck_assert_msg(strstr(err.msg, "a/never-begun is not a module of run"), "%s", err.msg);

    cr.module = "m";
    cr.transcript_id = NULL;
    ck_assert_int_eq(hx_store_case_add(st, run, &cr, &err), -1);
    ck_assert_msg(strstr(err.msg, "transcript_id"), "%s", err.msg);
    cr.transcript_id = "t3";
    cr.status = (hx_status)7;
    ck_assert_int_eq(hx_store_case_add(st, run, &cr, &err), -1);
    ck_assert_msg(strstr(err.msg, "status"), "%s", err.msg);
    cr.status = HX_PASS;
    cr.nfields = 1;
    hx_field_result nameless = field("x", true);
    nameless.field = NULL;
    cr.fields = &nameless;
    ck_assert_int_eq(hx_store_case_add(st, run, &cr, &err), -1);
    ck_assert_msg(strstr(err.msg, "field name"), "%s", err.msg);

    add_case(st, run, "a", "m", "t4", HX_FAIL, 0, NULL);

    /* A failure half-way through a replacement (old row deleted, new row and
     * one field written) leaves the old case whole. */
    hx_field_result tf[2] = { field("date", true), field("time", false) };
    add_case(st, run, "a", "m", "t5", HX_FAIL, 2, tf);
    exec_ok(hx_store_sqlite(st),
            "CREATE TEMP TRIGGER boom BEFORE INSERT ON field_checks WHEN NEW.field = 'boom'"
            " BEGIN SELECT RAISE(ABORT, 'boom'); END");
    hx_field_result bf[2] = { field("date", true), field("boom", true) };
    cr.transcript_id = "t5";
    cr.nfields = 2;
    cr.fields = bf;
    ck_assert_int_eq(hx_store_case_add(st, run, &cr, &err), -1);
    ck_assert_msg(strstr(err.msg, "boom (case a/m/t5)"), "%s", err.msg);
    flush(st);
    sqlite3 *db = reader();
    ck_assert_int_eq(qi(db, "SELECT count(*) FROM case_results"), 3);
    ck_assert_int_eq(qi(db, "SELECT cases FROM module_scores WHERE module = 'm'"), 3);
    ck_assert_int_eq(qi(db, "SELECT failed FROM module_scores WHERE module = 'm'"), 2);
    ck_assert_int_eq(qi(db, "SELECT count(*) FROM module_scores"), 1);
    ck_assert_str_eq(qt(db, "SELECT status FROM case_results WHERE transcript_id = 't5'"), "fail");
    ck_assert_int_eq(qi(db, "SELECT count(*) FROM field_checks"), 2);
    ck_assert_int_eq(qi(db, "SELECT passed FROM field_scores WHERE field = 'time'"), 0);
    ck_assert_int_eq(qi(db, "SELECT count(*) FROM field_scores WHERE field = 'boom'"), 0);
    sqlite3_close(db);
    hx_store_close(st);
}
END_TEST

START_TEST(test_disk_full_is_reported)
{
    hx_store *st = open_store();
    hx_store_set_batch(st, 1000, 0);
    int64_t run = begin_run(st, "run", NULL);
    begin_module(st, run, "a", "m", NULL, 0.9);
    add_case(st, run, "a", "m", "t0", HX_PASS, 0, NULL);
    flush(st);

    sqlite3 *own = hx_store_sqlite(st);
    int64_t pages = qi(own, "PRAGMA page_count");
    char sql[64];
    snprintf(sql, sizeof sql, "PRAGMA max_page_count = %lld", (long long)pages + 4);
    exec_ok(own, sql);

    static char big[30000];
    memset(big, 'x', sizeof big - 1);
    hx_case_result cr = { .agent = "a", .module = "m", .status = HX_PASS, .outputs_json = big };
    hx_error err = {{0}};
    int i, rc = 0;
    char tid[16];
    for (i = 1; i < 50 && rc == 0; i++) {
        snprintf(tid, sizeof tid, "t%d", i);
        cr.transcript_id = tid;
        rc = hx_store_case_add(st, run, &cr, &err);
    }
    ck_assert_int_eq(rc, -1);
    char want[512];
    snprintf(want, sizeof want, "%s: cannot write case results: database or disk is full", dbpath);
    ck_assert_msg(strncmp(err.msg, want, strlen(want)) == 0, "%s", err.msg);

    /* Room again: the store goes on, and what it kept is consistent. */
    exec_ok(own, "PRAGMA max_page_count = 1000000");
    add_case(st, run, "a", "m", "after", HX_FAIL, 0, NULL);
    ck_assert_int_eq(hx_store_run_end(st, run, "finished", &err), 0);
    sqlite3 *db = reader();
    ck_assert_int_eq(qi(db, "SELECT cases FROM module_scores"), qi(db, "SELECT count(*) FROM case_results"));
    ck_assert_int_eq(qi(db, "SELECT count(*) FROM case_results WHERE transcript_id = '%s'", tid), 0);
    ck_assert_int_eq(qi(db, "SELECT count(*) FROM case_results WHERE transcript_id IN ('t0', 'after')"), 2);
    sqlite3_close(db);
    hx_store_close(st);
}
END_TEST

/* ---- readers while the store opens, writes and closes -------------------- */

/*
 * A dashboard's connection has no busy handler: any lock that shuts readers
 * out, however briefly, is an error on its screen. In WAL mode the only such
 * lock is an EXCLUSIVE lock on the database file, and SQLite takes one when
 * the last connection closes (to checkpoint and delete the -wal). A reader
 * that starts in that instant fails with SQLITE_BUSY.
 *
 * To catch that instant without timing, the store is opened through a VFS
 * that wraps "unix" and, whenever the store's connection is granted a
 * database-file lock above SHARED, opens a new reader (plain "unix", no busy
 * timeout) and runs a dashboard query right then. The unix VFS arbitrates
 * locks between connections of one process itself, so the reader meets the
 * store's lock exactly as another process would.
 */
static sqlite3_vfs *probe_unix;
static sqlite3_vfs probe_vfs;
static sqlite3_io_methods probe_methods;
static const sqlite3_io_methods *probe_orig;
static int probe_locks;     /* locks above SHARED granted to the store */
static int probe_refused;   /* readers refused during one of them */
static char probe_msg[256];

static int probe_lock(sqlite3_file *f, int level)
{
    int rc = probe_orig->xLock(f, level);
    if (rc != SQLITE_OK || level <= SQLITE_LOCK_SHARED) return rc;
    probe_locks++;
    sqlite3 *r = NULL;
    int qrc = sqlite3_open_v2(dbpath, &r, SQLITE_OPEN_READWRITE, "unix");
    if (qrc == SQLITE_OK)
        qrc = sqlite3_exec(r, "SELECT count(*) FROM case_results", NULL, NULL, NULL);
    if (qrc != SQLITE_OK) {
        probe_refused++;
        snprintf(probe_msg, sizeof probe_msg, "lock level %d: reader got %s (%s)", level,
                 sqlite3_errstr(qrc), r ? sqlite3_errmsg(r) : "");
    }
    sqlite3_close(r);
    return rc;
}

static int probe_open(sqlite3_vfs *vfs, const char *name, sqlite3_file *f, int flags, int *out)
{
    (void)vfs;
    int rc = probe_unix->xOpen(probe_unix, name, f, flags, out);
    if (rc == SQLITE_OK && (flags & SQLITE_OPEN_MAIN_DB) && f->pMethods) {
        /* The file stays unix's own; only its lock call is intercepted. */
        probe_orig = f->pMethods;
        probe_methods = *probe_orig;
        probe_methods.xLock = probe_lock;
        f->pMethods = &probe_methods;
    }
    return rc;
}

/* Make the probe the default VFS (the store opens with the default) until
 * probe_end. */
static void probe_begin(void)
{
    probe_unix = sqlite3_vfs_find("unix");
    ck_assert_ptr_nonnull(probe_unix);
    probe_vfs = *probe_unix;
    probe_vfs.zName = "hx-lock-probe";
    probe_vfs.xOpen = probe_open;
    probe_locks = probe_refused = 0;
    probe_msg[0] = '\0';
    ck_assert_int_eq(sqlite3_vfs_register(&probe_vfs, 1), SQLITE_OK);
}

static void probe_end(void)
{
    sqlite3_vfs_register(probe_unix, 1);
    sqlite3_vfs_unregister(&probe_vfs);
}

START_TEST(test_readers_never_locked_out)
{
    /* The file exists and is in WAL mode already: turning WAL on is the one
     * step that must lock readers out, and it happens once per database. */
    hx_store *st = open_store();
    hx_store_close(st);

    probe_begin();
    st = open_store();
    sqlite3_vfs_register(probe_unix, 1); /* reader() below: plain unix */
    int64_t run = begin_run(st, "run", NULL);
    begin_module(st, run, "a", "m", NULL, 0.9);
    hx_store_set_batch(st, 3, 0);
    for (int i = 0; i < 10; i++) {
        char tid[16];
        snprintf(tid, sizeof tid, "t%d", i);
        add_case(st, run, "a", "m", tid, i % 3 ? HX_PASS : HX_FAIL, 0, NULL);
    }
    hx_error err = {{0}};
    ck_assert_msg(hx_store_run_end(st, run, "finished", &err) == 0, "%s", err.msg);
    hx_store_close(st);
    probe_end();
    ck_assert_msg(probe_refused == 0, "%d of %d locks shut a reader out; %s", probe_refused,
                  probe_locks, probe_msg);

    sqlite3 *db = reader();
    ck_assert_int_eq(qi(db, "SELECT count(*) FROM case_results"), 10);
    sqlite3_close(db);

    /* What the run wrote is in the database file itself when the store has
     * closed, not only in the -wal beside it: a copy of the file alone (a
     * backup script, an immutable=1 reader) holds it. */
    char copy[400];
    snprintf(copy, sizeof copy, "%s/copy.db", tmpdir);
    static char buf[4 << 20];
    size_t n = read_file(dbpath, buf, sizeof buf);
    ck_assert_uint_lt(n, sizeof buf);
    write_file(copy, buf, n);
    ck_assert_int_eq(sqlite3_open(copy, &db), SQLITE_OK);
    ck_assert_int_eq(qi(db, "SELECT count(*) FROM case_results"), 10);
    ck_assert_str_eq(qt(db, "SELECT status FROM runs WHERE run_id = %lld", (long long)run),
                     "finished");
    sqlite3_close(db);
}
END_TEST

static long long file_size(const char *path)
{
    struct stat sb;
    return stat(path, &sb) == 0 ? (long long)sb.st_size : -1;
}

/* The -wal the store leaves is empty: whoever opens the database first next
 * rebuilds the -shm from it, and readers arriving meanwhile get
 * SQLITE_BUSY_RECOVERY, for as long as the -wal takes to read. A reader
 * holding an old snapshot keeps its part of the -wal, and closing does not
 * wait for it (the busy timeout is 10 s; a close that waited would take it). */
START_TEST(test_close_empties_wal_without_waiting)
{
    char wal[400];
    snprintf(wal, sizeof wal, "%s-wal", dbpath);
    hx_store *st = open_store();
    int64_t run = begin_run(st, "run", NULL);
    begin_module(st, run, "a", "m", NULL, 0.9);
    add_case(st, run, "a", "m", "t0", HX_PASS, 0, NULL);
    flush(st);
    ck_assert_int_gt(file_size(wal), 0);
    hx_store_close(st);
    ck_assert_int_le(file_size(wal), 0); /* empty or gone */

    st = open_store();
    sqlite3 *db = reader();
    exec_ok(db, "BEGIN");
    ck_assert_int_eq(qi(db, "SELECT count(*) FROM case_results"), 1);
    for (int i = 1; i < 20; i++) {
        char tid[16];
        snprintf(tid, sizeof tid, "t%d", i);
        add_case(st, run, "a", "m", tid, HX_FAIL, 0, NULL);
    }
    flush(st);
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    hx_store_close(st);
    clock_gettime(CLOCK_MONOTONIC, &t1);
    double s = (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
    ck_assert_msg(s < 5.0, "closing waited %.1f s for a reader", s);
    ck_assert_int_eq(qi(db, "SELECT count(*) FROM case_results"), 1); /* its snapshot */
    exec_ok(db, "COMMIT");
    ck_assert_int_eq(qi(db, "SELECT count(*) FROM case_results"), 20);
    ck_assert_int_gt(file_size(wal), 0); /* what the reader needed was kept */
    sqlite3_close(db);
    hx_store_close(open_store());
    ck_assert_int_le(file_size(wal), 0);
    db = reader();
    ck_assert_int_eq(qi(db, "SELECT count(*) FROM case_results"), 20);
    sqlite3_close(db);
}
END_TEST

/* ---- I/O errors name their cause ----------------------------------------- */

/*
 * SQLite says "disk I/O error" for every failed read, write or mmap; the
 * person reading it needs the system's reason ("No space left on device",
 * "File too large"). The failures are made real with RLIMIT_FSIZE in a child
 * process (writes past the limit fail with EFBIG, SIGXFSZ ignored), so the
 * test runs without root and leaves this process's limits alone.
 */
typedef enum { FSIZE_OPEN, FSIZE_WRITE } fsize_step;

/* In the child: the step under a file-size limit of limit bytes. Writes the
 * store's message to fd; exits 0 when the step failed as wanted. */
static void fsize_child(int fd, fsize_step step, rlim_t limit)
{
    hx_error err = {{0}};
    hx_store *st = NULL;
    int rc = 0;
    struct rlimit rl = { limit, limit };
    signal(SIGXFSZ, SIG_IGN);
    if (step == FSIZE_OPEN) {
        if (setrlimit(RLIMIT_FSIZE, &rl) != 0) _exit(3);
        rc = hx_store_open(dbpath, &st, &err);
    } else {
        if (hx_store_open(dbpath, &st, &err) != 0) _exit(4);
        if (setrlimit(RLIMIT_FSIZE, &rl) != 0) _exit(3);
        hx_run_info info = { .kind = "run" };
        int64_t run = 0;
        rc = hx_store_run_begin(st, &info, &run, &err);
        if (rc == 0) rc = hx_store_module_begin(st, run, "a", "m", NULL, 0.5, &err);
        hx_store_set_batch(st, 1, 0);
        static char big[30000];
        memset(big, 'x', sizeof big - 1);
        for (int i = 0; i < 100 && rc == 0; i++) {
            char tid[16];
            snprintf(tid, sizeof tid, "t%d", i);
            hx_case_result cr = { .agent = "a", .module = "m", .transcript_id = tid,
                                  .status = HX_PASS, .outputs_json = big };
            rc = hx_store_case_add(st, run, &cr, &err);
        }
    }
    hx_store_close(st);
    size_t len = strlen(err.msg);
    if (write(fd, err.msg, len) != (ssize_t)len) _exit(5);
    _exit(rc == -1 ? 0 : 1);
}

static void fsize_expect(fsize_step step, rlim_t limit, const char *what)
{
    int p[2];
    ck_assert_int_eq(pipe(p), 0);
    fflush(NULL);
    pid_t pid = fork();
    ck_assert_int_ge(pid, 0);
    if (pid == 0) {
        close(p[0]);
        fsize_child(p[1], step, limit);
    }
    close(p[1]);
    char msg[1100] = "";
    size_t got = 0;
    ssize_t r;
    while ((r = read(p[0], msg + got, sizeof msg - 1 - got)) > 0) got += (size_t)r;
    msg[got] = '\0';
    close(p[0]);
    int status = 0;
    ck_assert_int_eq(waitpid(pid, &status, 0), pid);
    ck_assert_msg(WIFEXITED(status) && WEXITSTATUS(status) == 0,
                  "child status %d, message [%s]", status, msg);
    char want[300];
    snprintf(want, sizeof want, "%s: %s", dbpath, what);
    ck_assert_msg(strncmp(msg, want, strlen(want)) == 0, "[%s], wanted it to start [%s]", msg, want);
    snprintf(want, sizeof want, "disk I/O error (%s)", strerror(EFBIG));
    ck_assert_msg(strstr(msg, want), "[%s] does not contain [%s]", msg, want);
}

START_TEST(test_io_error_names_cause_at_open)
{
    hx_store *st = open_store();
    int64_t run = begin_run(st, "run", NULL);
    ck_assert_int_gt(run, 0);
    hx_store_close(st);
    /* Opening maps the -shm beside the file: 32 KiB, grown a page at a time,
     * which a 4 KiB limit stops (a full disk stops it the same way). */
    fsize_expect(FSIZE_OPEN, 4096, "cannot read schema version");
    /* Nothing was lost or damaged. */
    sqlite3 *db = reader();
    ck_assert_str_eq(qt(db, "PRAGMA integrity_check"), "ok");
    ck_assert_int_eq(qi(db, "SELECT count(*) FROM runs"), 1);
    sqlite3_close(db);
}
END_TEST

START_TEST(test_io_error_names_cause_on_write)
{
    hx_store *st = open_store();
    hx_store_close(st);
    /* The -wal may not grow past 256 KiB: a few 30 KB cases fill it. */
    fsize_expect(FSIZE_WRITE, 256 * 1024, "cannot write case results");
    sqlite3 *db = reader();
    ck_assert_str_eq(qt(db, "PRAGMA integrity_check"), "ok");
    ck_assert_int_eq(qi(db, "SELECT cases FROM module_scores"),
                     qi(db, "SELECT count(*) FROM case_results"));
    sqlite3_close(db);
}
END_TEST

/* ---- runs, modules ------------------------------------------------------ */

START_TEST(test_run_lifecycle)
{
    hx_error err = {{0}};
    hx_store *st = open_store();
    char before[32], after[32];
    time_t t = time(NULL);
    strftime(before, sizeof before, "%Y-%m-%dT%H:%M:%SZ", gmtime(&t));
    int64_t run = begin_run(st, "run", NULL);
    int64_t chk = begin_run(st, "check", "2026-11-25T03:00:00Z");
    ck_assert_int_gt(chk, run);
    begin_module(st, chk, "a", "m", NULL, 0.5);
    add_case(st, chk, "a", "m", "t1", HX_PASS, 0, NULL);
    ck_assert_msg(hx_store_run_end(st, run, "aborted", &err) == 0, "%s", err.msg);
    ck_assert_msg(hx_store_run_end(st, chk, "finished", &err) == 0, "%s", err.msg);
    t = time(NULL);
    strftime(after, sizeof after, "%Y-%m-%dT%H:%M:%SZ", gmtime(&t));

    sqlite3 *db = reader();
    const char *started = qt(db, "SELECT started_at FROM runs WHERE run_id = %lld", (long long)run);
    ck_assert_msg(iso_shape(started), "%s", started);
    ck_assert(strcmp(before, started) <= 0 && strcmp(started, after) <= 0);
    ck_assert_str_eq(qt(db, "SELECT status FROM runs WHERE run_id = %lld", (long long)run), "aborted");
    ck_assert_str_eq(qt(db, "SELECT status FROM runs WHERE run_id = %lld", (long long)chk), "finished");
    const char *fin = qt(db, "SELECT finished_at FROM runs WHERE run_id = %lld", (long long)chk);
    ck_assert_msg(iso_shape(fin) && strcmp(before, fin) <= 0 && strcmp(fin, after) <= 0, "%s", fin);
    ck_assert_str_eq(qt(db, "SELECT kind FROM runs WHERE run_id = %lld", (long long)chk), "check");
    ck_assert_str_eq(qt(db, "SELECT lm_model FROM runs WHERE run_id = %lld", (long long)chk),
                     "openai/gpt-4o-mini");
    /* check runs are scored runs: they show in the score views, and the
     * case added just before run_end is committed by it. */
    ck_assert_int_eq(qi(db, "SELECT passed FROM agent_scores WHERE run_id = %lld", (long long)chk), 1);
    ck_assert_str_eq(qt(db, "SELECT started_at FROM agent_scores WHERE run_id = %lld", (long long)chk),
                     "2026-11-25T03:00:00Z");

    /* --resume: running again, finished_at cleared; the module keeps its
     * cases when declared again, with the new hash and bar. */
    ck_assert_msg(hx_store_run_resume(st, chk, &err) == 0, "%s", err.msg);
    ck_assert_str_eq(qt(db, "SELECT status FROM runs WHERE run_id = %lld", (long long)chk), "running");
    ck_assert(qnull(db, "SELECT finished_at FROM runs WHERE run_id = %lld", (long long)chk));
    begin_module(st, chk, "a", "m", "abc123", 0.75);
    ck_assert_int_eq(qi(db, "SELECT cases FROM module_scores WHERE run_id = %lld", (long long)chk), 1);
    ck_assert_str_eq(qt(db, "SELECT program_sha256 FROM module_scores WHERE run_id = %lld", (long long)chk),
                     "abc123");
    ck_assert_double_eq_tol(qd(db, "SELECT bar FROM module_scores WHERE run_id = %lld", (long long)chk),
                            0.75, 1e-12);
    sqlite3_close(db);

    /* Refusals. */
    ck_assert_int_eq(hx_store_run_end(st, chk, "done", &err), -1);
    ck_assert_msg(strstr(err.msg, "finished") && strstr(err.msg, dbpath), "%s", err.msg);
    ck_assert_int_eq(hx_store_run_end(st, 9999, "finished", &err), -1);
    ck_assert_msg(strstr(err.msg, "no such run"), "%s", err.msg);
    ck_assert_int_eq(hx_store_run_resume(st, 9999, &err), -1);
    ck_assert_msg(strstr(err.msg, "no such run"), "%s", err.msg);
    hx_run_info bad = { .kind = "nightly" };
    int64_t id = 0;
    ck_assert_int_eq(hx_store_run_begin(st, &bad, &id, &err), -1);
    ck_assert_msg(strstr(err.msg, "kind"), "%s", err.msg);
    bad.kind = "run";
    bad.started_at = "2026-11-25 02:00";
    ck_assert_int_eq(hx_store_run_begin(st, &bad, &id, &err), -1);
    ck_assert_msg(strstr(err.msg, "started_at"), "%s", err.msg);
    ck_assert_int_eq(hx_store_module_begin(st, 9999, "a", "m", NULL, 0.5, &err), -1);
    ck_assert_msg(strstr(err.msg, "no run 9999"), "%s", err.msg);
    ck_assert_int_eq(hx_store_module_begin(st, chk, "a", "m", NULL, 1.5, &err), -1);
    ck_assert_msg(strstr(err.msg, "bar"), "%s", err.msg);
    ck_assert_int_eq(hx_store_module_begin(st, chk, "a", "m", NULL, NAN, &err), -1);
    hx_store_close(st);
}
END_TEST

/* ---- recompile triggers ------------------------------------------------- */

START_TEST(test_recompile_triggers)
{
    hx_error err = {{0}};
    hx_store *st = open_store();
    int64_t run = begin_run(st, "run", NULL);
    bool found = true;
    hx_recompile_state last;
    ck_assert_int_eq(hx_store_recompile_last(st, "a", "m", &found, &last, &err), 0);
    ck_assert(!found);

    hx_recompile_info info = { .agent = "a", .module = "m", .pass_rate = 0.75, .bar = 0.9,
                               .reason = "pass rate 0.75 below bar 0.90",
                               .created_at = "2026-11-25T02:10:00Z" };
    int64_t id = 0, id2 = 0;
    ck_assert_msg(hx_store_recompile_open(st, run, &info, &id, &err) == 0, "%s", err.msg);
    hx_recompile_step step = { .status = "running", .old_program_sha256 = "old",
                               .old_score = NAN, .new_score = NAN, .promoted = -1 };
    ck_assert_msg(hx_store_recompile_update(st, id, &step, &err) == 0, "%s", err.msg);
    hx_recompile_step done = { .status = "done", .new_program_sha256 = "new",
                               .old_score = 0.75, .new_score = 0.92, .promoted = 1 };
    ck_assert_msg(hx_store_recompile_update(st, id, &done, &err) == 0, "%s", err.msg);

    info.module = "other";
    info.pass_rate = NAN;
    info.created_at = NULL;
    info.reason = NULL;
    ck_assert_msg(hx_store_recompile_open(st, run, &info, &id2, &err) == 0, "%s", err.msg);

    sqlite3 *db = reader();
    const char *w = " FROM recompile_triggers WHERE id = %lld";
    char sql[128];
#define RT(col) (snprintf(sql, sizeof sql, "SELECT " col "%s", w), sql)
    ck_assert_int_eq(qi(db, RT("run_id"), (long long)id), run);
    ck_assert_str_eq(qt(db, RT("agent"), (long long)id), "a");
    ck_assert_str_eq(qt(db, RT("module"), (long long)id), "m");
    ck_assert_double_eq_tol(qd(db, RT("pass_rate"), (long long)id), 0.75, 1e-12);
    ck_assert_double_eq_tol(qd(db, RT("bar"), (long long)id), 0.9, 1e-12);
    ck_assert_str_eq(qt(db, RT("reason"), (long long)id), "pass rate 0.75 below bar 0.90");
    ck_assert_str_eq(qt(db, RT("status"), (long long)id), "done");
    ck_assert_str_eq(qt(db, RT("created_at"), (long long)id), "2026-11-25T02:10:00Z");
    ck_assert(iso_shape(qt(db, RT("finished_at"), (long long)id)));
    ck_assert_str_eq(qt(db, RT("old_program_sha256"), (long long)id), "old");
    ck_assert_str_eq(qt(db, RT("new_program_sha256"), (long long)id), "new");
    ck_assert_double_eq_tol(qd(db, RT("old_score"), (long long)id), 0.75, 1e-12);
    ck_assert_double_eq_tol(qd(db, RT("new_score"), (long long)id), 0.92, 1e-12);
    ck_assert_int_eq(qi(db, RT("promoted"), (long long)id), 1);
    ck_assert(qnull(db, RT("pass_rate"), (long long)id2));
    ck_assert(qnull(db, RT("finished_at"), (long long)id2));
    ck_assert(qnull(db, RT("promoted"), (long long)id2));
    ck_assert_str_eq(qt(db, RT("status"), (long long)id2), "open");
    ck_assert(iso_shape(qt(db, RT("created_at"), (long long)id2)));
#undef RT
    sqlite3_close(db);

    ck_assert_int_eq(hx_store_recompile_last(st, "a", "m", &found, &last, &err), 0);
    ck_assert(found);
    ck_assert_int_eq(last.id, id);
    ck_assert_str_eq(last.status, "done");
    ck_assert_str_eq(last.created_at, "2026-11-25T02:10:00Z");

    hx_recompile_step bad = { .status = "promoted", .old_score = NAN, .new_score = NAN,
                              .promoted = -1 };
    ck_assert_int_eq(hx_store_recompile_update(st, id, &bad, &err), -1);
    ck_assert_msg(strstr(err.msg, "status"), "%s", err.msg);
    ck_assert_int_eq(hx_store_recompile_update(st, id2 + 100, &step, &err), -1);
    ck_assert_msg(strstr(err.msg, "no such trigger"), "%s", err.msg);
    ck_assert_int_eq(hx_store_recompile_open(st, run + 100, &info, &id2, &err), -1);
    ck_assert_msg(strstr(err.msg, "no run"), "%s", err.msg);
    hx_store_close(st);
}
END_TEST

/* ---- schema 4: cost sums, a transcript's history, flips ----------------- */

/* One case with chosen tokens, cost and latency. The tests below pick
 * costs and latencies that are multiples of a power of two, small enough
 * that every sum of them is exact in a double: a sum kept by adding and
 * subtracting is then equal, not merely close, to the sum of the rows, so
 * a single missed or doubled delta shows. */
typedef struct spend {
    int64_t pt, ct;
    double cost, lat;
} spend;

static void add_spend(hx_store *st, int64_t run, const char *agent, const char *module,
                      const char *tid, hx_status status, spend s)
{
    hx_case_result cr = { .agent = agent, .module = module, .transcript_id = tid,
                          .status = status, .reason = status == HX_PASS ? "" : "wrong",
                          .latency_ms = s.lat, .prompt_tokens = s.pt,
                          .completion_tokens = s.ct, .cost_usd = s.cost,
                          .outputs_json = "{}" };
    hx_error err = {{0}};
    ck_assert_msg(hx_store_case_add(st, run, &cr, &err) == 0, "%s", err.msg);
}

START_TEST(test_v4_views_columns)
{
    static const char *const mcost[] = { "run_id", "started_at", "agent", "module", "cases",
                                         "prompt_tokens", "completion_tokens", "cost_usd",
                                         "latency_ms_sum" };
    static const char *const acost[] = { "run_id", "started_at", "agent", "cases",
                                         "prompt_tokens", "completion_tokens", "cost_usd",
                                         "latency_ms_sum" };
    static const char *const flips[] = { "run_id", "agent", "module", "transcript_id",
                                         "status", "previous_run_id" };
    hx_store *st = open_store();
    ck_assert_int_ge(hx_store_schema_version(st), 4);
    hx_store_close(st);
    sqlite3 *db = reader();
    check_columns(db, "module_costs", mcost, sizeof mcost / sizeof *mcost);
    check_columns(db, "agent_costs", acost, sizeof acost / sizeof *acost);
    check_columns(db, "case_flips", flips, sizeof flips / sizeof *flips);
    sqlite3_close(db);
}
END_TEST

/* A module declared with no cases has zero sums, of the right types. */
START_TEST(test_cost_sums_values)
{
    hx_store *st = open_store();
    int64_t run = begin_run(st, "run", "2026-11-25T02:00:00Z");
    begin_module(st, run, "a", "m", NULL, 0.9);
    begin_module(st, run, "a", "idle", NULL, 0.9);
    begin_module(st, run, "b", "m", NULL, 0.9);
    add_spend(st, run, "a", "m", "t1", HX_PASS, (spend){ 800, 50, 0.000150, 1234.5 });
    add_spend(st, run, "a", "m", "t2", HX_FAIL, (spend){ 700, 40, 0.000129, 765.5 });
    add_spend(st, run, "a", "m", "t3", HX_ERROR, (spend){ 0, 0, 0, 30000 });
    add_spend(st, run, "b", "m", "t1", HX_PASS, (spend){ 10, 1, 0.000002, 0 });
    flush(st);
    sqlite3 *db = reader();
    const char *m = "FROM module_costs WHERE run_id = %lld AND agent = 'a' AND module = 'm'";
    char sql[256];
#define MC(col) (snprintf(sql, sizeof sql, "SELECT " col " %s", m), sql)
    ck_assert_str_eq(qt(db, MC("started_at"), (long long)run), "2026-11-25T02:00:00Z");
    ck_assert_int_eq(qi(db, MC("cases"), (long long)run), 3);
    ck_assert_int_eq(qi(db, MC("prompt_tokens"), (long long)run), 800 + 700);
    ck_assert_int_eq(qi(db, MC("completion_tokens"), (long long)run), 50 + 40);
    ck_assert_double_eq_tol(qd(db, MC("cost_usd"), (long long)run), 0.000150 + 0.000129, 1e-18);
    ck_assert_double_eq_tol(qd(db, MC("latency_ms_sum"), (long long)run),
                            1234.5 + 765.5 + 30000, 1e-9);
#undef MC
    ck_assert_int_eq(qi(db, "SELECT prompt_tokens FROM module_costs WHERE module = 'idle'"), 0);
    ck_assert_double_eq(qd(db, "SELECT cost_usd FROM module_costs WHERE module = 'idle'"), 0);
    ck_assert_int_eq(qi(db, "SELECT cases FROM agent_costs WHERE agent = 'a'"), 3);
    ck_assert_int_eq(qi(db, "SELECT prompt_tokens FROM agent_costs WHERE agent = 'a'"), 1500);
    ck_assert_int_eq(qi(db, "SELECT completion_tokens FROM agent_costs WHERE agent = 'b'"), 1);
    ck_assert_double_eq_tol(qd(db, "SELECT cost_usd FROM agent_costs WHERE agent = 'b'"),
                            0.000002, 1e-18);
    ck_assert_str_eq(qt(db, "SELECT started_at FROM agent_costs WHERE agent = 'b'"),
                     "2026-11-25T02:00:00Z");
    sqlite3_close(db);
    hx_store_close(st);
}
END_TEST

/* The flips the store must hold, from the statuses alone: for each
 * transcript, walk the runs in order, skip errors and absent cases, and
 * note every answered case whose status differs from the previous answered
 * one. */
enum { FR = 5, FA = 2, FM = 2, FT = 12 };
static const char *const F_AGENTS[FA] = { "a0", "a1" };
static const char *const F_MODULES[FM] = { "m0", "m1" };

typedef struct flip_model {
    int status[FR][FA][FM][FT]; /* -1 = no case */
    spend spent[FR][FA][FM][FT];
} flip_model;

static void check_flips_against(sqlite3 *db, const flip_model *fm, const int64_t *runs)
{
    int nflips = 0;
    for (int a = 0; a < FA; a++) {
        for (int m = 0; m < FM; m++) {
            for (int t = 0; t < FT; t++) {
                int prev = -1, prev_r = -1;
                char tid[16];
                snprintf(tid, sizeof tid, "t%02d", t);
                for (int r = 0; r < FR; r++) {
                    int s = fm->status[r][a][m][t];
                    if (s < 0 || s == HX_ERROR) continue;
                    if (prev >= 0 && s != prev) {
                        nflips++;
                        ck_assert_msg(qi(db, "SELECT previous_run_id FROM case_flips WHERE run_id = %lld"
                                             " AND agent = '%s' AND module = '%s' AND transcript_id = '%s'",
                                         (long long)runs[r], F_AGENTS[a], F_MODULES[m], tid) == runs[prev_r],
                                      "flip of %s/%s/%s in run %d", F_AGENTS[a], F_MODULES[m], tid, r);
                        ck_assert_str_eq(qt(db, "SELECT status FROM case_flips WHERE run_id = %lld"
                                                " AND agent = '%s' AND module = '%s' AND transcript_id = '%s'",
                                            (long long)runs[r], F_AGENTS[a], F_MODULES[m], tid),
                                         s == HX_PASS ? "pass" : "fail");
                    }
                    prev = s;
                    prev_r = r;
                }
            }
        }
    }
    /* Every expected flip is there, and nothing else. */
    ck_assert_int_eq(qi(db, "SELECT count(*) FROM case_flips"), nflips);
}

/* Sums per module and per agent, against the model. Exact (see spend). */
static void check_sums_against(sqlite3 *db, const flip_model *fm, const int64_t *runs)
{
    for (int r = 0; r < FR; r++) {
        for (int a = 0; a < FA; a++) {
            int64_t acases = 0, apt = 0, act = 0;
            double acost = 0, alat = 0;
            for (int m = 0; m < FM; m++) {
                int64_t cases = 0, pt = 0, ct = 0;
                double cost = 0, lat = 0;
                for (int t = 0; t < FT; t++) {
                    if (fm->status[r][a][m][t] < 0) continue;
                    const spend *s = &fm->spent[r][a][m][t];
                    cases++;
                    pt += s->pt;
                    ct += s->ct;
                    cost += s->cost;
                    lat += s->lat;
                }
                const char *w = "FROM module_costs WHERE run_id = %lld AND agent = '%s' AND module = '%s'";
                char sql[160];
#define MC(col) (snprintf(sql, sizeof sql, "SELECT " col " %s", w), sql)
                ck_assert_int_eq(qi(db, MC("cases"), (long long)runs[r], F_AGENTS[a], F_MODULES[m]), cases);
                ck_assert_int_eq(qi(db, MC("prompt_tokens"), (long long)runs[r], F_AGENTS[a], F_MODULES[m]), pt);
                ck_assert_int_eq(qi(db, MC("completion_tokens"), (long long)runs[r], F_AGENTS[a], F_MODULES[m]), ct);
                ck_assert_double_eq(qd(db, MC("cost_usd"), (long long)runs[r], F_AGENTS[a], F_MODULES[m]), cost);
                ck_assert_double_eq(qd(db, MC("latency_ms_sum"), (long long)runs[r], F_AGENTS[a], F_MODULES[m]), lat);
#undef MC
                acases += cases;
                apt += pt;
                act += ct;
                acost += cost;
                alat += lat;
            }
            const char *w = "FROM agent_costs WHERE run_id = %lld AND agent = '%s'";
            char sql[160];
#define AC(col) (snprintf(sql, sizeof sql, "SELECT " col " %s", w), sql)
            ck_assert_int_eq(qi(db, AC("cases"), (long long)runs[r], F_AGENTS[a]), acases);
            ck_assert_int_eq(qi(db, AC("prompt_tokens"), (long long)runs[r], F_AGENTS[a]), apt);
            ck_assert_int_eq(qi(db, AC("completion_tokens"), (long long)runs[r], F_AGENTS[a]), act);
            ck_assert_double_eq(qd(db, AC("cost_usd"), (long long)runs[r], F_AGENTS[a]), acost);
            ck_assert_double_eq(qd(db, AC("latency_ms_sum"), (long long)runs[r], F_AGENTS[a]), alat);
#undef AC
        }
    }
}

/* Random adds and re-adds over the model's runs, in any run order (a
 * resumed or re-run older run writes after newer ones), in small batches,
 * recorded in fm as the last write per case. */
static void write_model_history(hx_store *st, flip_model *fm, int64_t *runs, unsigned seed,
                                int steps)
{
    memset(fm->status, -1, sizeof fm->status);
    memset(fm->spent, 0, sizeof fm->spent);
#define RND() (seed = seed * 1103515245u + 12345u, (seed >> 16) & 0x7fff)
    hx_store_set_batch(st, 41, 0);
    for (int r = 0; r < FR; r++) {
        char day[32];
        snprintf(day, sizeof day, "2026-11-%02dT02:00:00Z", 10 + r);
        runs[r] = begin_run(st, "run", day);
        for (int a = 0; a < FA; a++)
            for (int m = 0; m < FM; m++)
                begin_module(st, runs[r], F_AGENTS[a], F_MODULES[m], NULL, 0.8);
    }
    for (int i = 0; i < steps; i++) {
        int r = RND() % FR, a = RND() % FA, m = RND() % FM, t = RND() % FT;
        /* Mostly answered, so that flips are many; some errors. */
        int s = RND() % 10 == 0 ? HX_ERROR : (int)(RND() % 2);
        spend sp = { RND() % 1000, RND() % 100, (double)(RND() % 512) / 1048576.0,
                     (double)(RND() % 8000) / 4.0 };
        char tid[16];
        snprintf(tid, sizeof tid, "t%02d", t);
        add_spend(st, runs[r], F_AGENTS[a], F_MODULES[m], tid, (hx_status)s, sp);
        fm->status[r][a][m][t] = s;
        fm->spent[r][a][m][t] = sp;
    }
#undef RND
    flush(st);
}

START_TEST(test_sums_and_flips_follow_random_replacements)
{
    static flip_model fm;
    int64_t runs[FR];
    hx_store *st = open_store();
    write_model_history(st, &fm, runs, 777, 2500);
    sqlite3 *db = reader();
    check_flips_against(db, &fm, runs);
    check_sums_against(db, &fm, runs);
    ck_assert_int_gt(qi(db, "SELECT count(*) FROM case_flips"), 50);
    sqlite3_close(db);
    hx_store_close(st);
}
END_TEST

/* The case the brief calls out: a case replaced in an older run changes
 * the flip of the next run's case. Expected flips are written out by hand
 * from the statuses in the comments. */
START_TEST(test_flips_follow_older_run_replacement)
{
    hx_store *st = open_store();
    int64_t r[4];
    for (int i = 0; i < 4; i++) {
        r[i] = begin_run(st, "run", NULL);
        begin_module(st, r[i], "a", "m", NULL, 0.9);
    }
    /* t1: pass pass pass pass — no flip. */
    for (int i = 0; i < 4; i++) add_case(st, r[i], "a", "m", "t1", HX_PASS, 0, NULL);
    flush(st);
    sqlite3 *db = reader();
    ck_assert_int_eq(qi(db, "SELECT count(*) FROM case_flips"), 0);

    /* Run 0 re-run: fail pass pass pass — run 1 flips from run 0. */
    add_case(st, r[0], "a", "m", "t1", HX_FAIL, 0, NULL);
    flush(st);
    ck_assert_int_eq(qi(db, "SELECT count(*) FROM case_flips"), 1);
    ck_assert_int_eq(qi(db, "SELECT run_id FROM case_flips"), r[1]);
    ck_assert_int_eq(qi(db, "SELECT previous_run_id FROM case_flips"), r[0]);
    ck_assert_str_eq(qt(db, "SELECT status FROM case_flips"), "pass");

    /* Run 1 becomes an error: fail error pass pass — run 2 now flips from
     * run 0 (the error is skipped), run 1 flips from nothing. */
    add_case(st, r[1], "a", "m", "t1", HX_ERROR, 0, NULL);
    flush(st);
    ck_assert_int_eq(qi(db, "SELECT count(*) FROM case_flips"), 1);
    ck_assert_int_eq(qi(db, "SELECT run_id FROM case_flips"), r[2]);
    ck_assert_int_eq(qi(db, "SELECT previous_run_id FROM case_flips"), r[0]);

    /* Run 1 answered again, as a failure: fail fail pass pass — run 2
     * flips from run 1. */
    add_case(st, r[1], "a", "m", "t1", HX_FAIL, 0, NULL);
    flush(st);
    ck_assert_int_eq(qi(db, "SELECT count(*) FROM case_flips"), 1);
    ck_assert_int_eq(qi(db, "SELECT run_id FROM case_flips"), r[2]);
    ck_assert_int_eq(qi(db, "SELECT previous_run_id FROM case_flips"), r[1]);

    /* Run 2 re-run within one batch, twice (fail, then pass, then fail):
     * fail fail fail pass — only run 3 flips, from run 2. */
    add_case(st, r[2], "a", "m", "t1", HX_FAIL, 0, NULL);
    add_case(st, r[2], "a", "m", "t1", HX_PASS, 0, NULL);
    add_case(st, r[2], "a", "m", "t1", HX_FAIL, 0, NULL);
    flush(st);
    ck_assert_int_eq(qi(db, "SELECT count(*) FROM case_flips"), 1);
    ck_assert_int_eq(qi(db, "SELECT run_id FROM case_flips"), r[3]);
    ck_assert_int_eq(qi(db, "SELECT previous_run_id FROM case_flips"), r[2]);

    /* A transcript first written in a newer run, then in an older one (a
     * resumed run): t2 is pass in run 3, then fail in run 1 — run 3 flips
     * from run 1; then pass in run 2 — run 2 flips from run 1, run 3 does
     * not flip any more. */
    add_case(st, r[3], "a", "m", "t2", HX_PASS, 0, NULL);
    add_case(st, r[1], "a", "m", "t2", HX_FAIL, 0, NULL);
    flush(st);
    ck_assert_int_eq(qi(db, "SELECT previous_run_id FROM case_flips WHERE transcript_id = 't2'"
                            " AND run_id = %lld", (long long)r[3]), r[1]);
    add_case(st, r[2], "a", "m", "t2", HX_PASS, 0, NULL);
    flush(st);
    ck_assert_int_eq(qi(db, "SELECT count(*) FROM case_flips WHERE transcript_id = 't2'"), 1);
    ck_assert_int_eq(qi(db, "SELECT run_id FROM case_flips WHERE transcript_id = 't2'"), r[2]);
    ck_assert_int_eq(qi(db, "SELECT previous_run_id FROM case_flips WHERE transcript_id = 't2'"), r[1]);
    /* Other modules and agents with the same transcript id are their own
     * histories. */
    begin_module(st, r[0], "a", "other", NULL, 0.9);
    begin_module(st, r[0], "b", "m", NULL, 0.9);
    add_case(st, r[0], "a", "other", "t2", HX_PASS, 0, NULL);
    add_case(st, r[0], "b", "m", "t2", HX_PASS, 0, NULL);
    flush(st);
    ck_assert_int_eq(qi(db, "SELECT count(*) FROM case_flips WHERE transcript_id = 't2'"), 1);
    ck_assert_int_eq(qi(db, "SELECT count(*) FROM case_flips"), 2);
    sqlite3_close(db);
    hx_store_close(st);
}
END_TEST

/* Sums and flips are kept by the database: a repair by hand in the sqlite3
 * shell keeps them right too, and moving a case to another transcript is
 * refused. */
START_TEST(test_sums_and_flips_follow_manual_sql)
{
    hx_store *st = open_store();
    int64_t r[3];
    for (int i = 0; i < 3; i++) {
        r[i] = begin_run(st, "run", NULL);
        begin_module(st, r[i], "a", "m", NULL, 0.9);
        begin_module(st, r[i], "a", "m2", NULL, 0.9);
    }
    /* t1: pass fail pass; t2: pass pass pass. */
    add_spend(st, r[0], "a", "m", "t1", HX_PASS, (spend){ 100, 10, 0.25, 8 });
    add_spend(st, r[1], "a", "m", "t1", HX_FAIL, (spend){ 200, 20, 0.5, 16 });
    add_spend(st, r[2], "a", "m", "t1", HX_PASS, (spend){ 300, 30, 0.75, 32 });
    for (int i = 0; i < 3; i++) add_spend(st, r[i], "a", "m", "t2", HX_PASS, (spend){ 1, 1, 0.125, 1 });
    add_spend(st, r[1], "a", "m2", "t1", HX_PASS, (spend){ 1000, 100, 2, 64 });
    hx_store_close(st);

    sqlite3 *db = reader();
    exec_ok(db, "PRAGMA foreign_keys = ON");
    ck_assert_int_eq(qi(db, "SELECT count(*) FROM case_flips"), 2);
    /* Status by hand: run 1's t1 becomes a pass — no flip left. */
    exec_ok(db, "UPDATE cases SET status = 'pass' WHERE transcript_id = 't1' AND module = 'm'"
                " AND status = 'fail'");
    ck_assert_int_eq(qi(db, "SELECT count(*) FROM case_flips"), 0);
    /* Run 0's t2 becomes a failure: run 1's t2 flips from it. */
    char sql[256];
    snprintf(sql, sizeof sql, "UPDATE cases SET status = 'fail' WHERE run_id = %lld AND transcript_id = 't2'",
             (long long)r[0]);
    exec_ok(db, sql);
    ck_assert_int_eq(qi(db, "SELECT count(*) FROM case_flips"), 1);
    ck_assert_int_eq(qi(db, "SELECT run_id FROM case_flips WHERE transcript_id = 't2'"), r[1]);
    /* ... and an error: nobody flips from it. */
    exec_ok(db, "UPDATE cases SET status = 'error' WHERE status = 'fail'");
    ck_assert_int_eq(qi(db, "SELECT count(*) FROM case_flips"), 0);
    exec_ok(db, "UPDATE cases SET status = 'fail' WHERE status = 'error'");
    ck_assert_int_eq(qi(db, "SELECT count(*) FROM case_flips"), 1);
    /* Deleting run 0's t2 leaves run 1's with no predecessor. */
    snprintf(sql, sizeof sql, "DELETE FROM cases WHERE run_id = %lld AND transcript_id = 't2'", (long long)r[0]);
    exec_ok(db, sql);
    ck_assert_int_eq(qi(db, "SELECT count(*) FROM case_flips"), 0);

    /* Costs by hand: the sums follow. Run 1, module m: t1 (200, 20, 0.5,
     * 16) and t2 (1, 1, 0.125, 1); module m2: t1 (1000, 100, 2, 64). */
    snprintf(sql, sizeof sql, "FROM module_costs WHERE run_id = %lld AND module = 'm'", (long long)r[1]);
    ck_assert_int_eq(qi(db, "SELECT prompt_tokens %s", sql), 201);
    exec_ok(db, "UPDATE cases SET prompt_tokens = 250, completion_tokens = 25, cost_usd = 0.625,"
                " latency_ms = 24 WHERE prompt_tokens = 200");
    ck_assert_int_eq(qi(db, "SELECT prompt_tokens %s", sql), 251);
    ck_assert_int_eq(qi(db, "SELECT completion_tokens %s", sql), 26);
    ck_assert_double_eq(qd(db, "SELECT cost_usd %s", sql), 0.75);
    ck_assert_double_eq(qd(db, "SELECT latency_ms_sum %s", sql), 25);
    /* One column at a time too, and back. */
    exec_ok(db, "UPDATE cases SET cost_usd = 0.875 WHERE prompt_tokens = 250");
    ck_assert_double_eq(qd(db, "SELECT cost_usd %s", sql), 1.0);
    exec_ok(db, "UPDATE cases SET latency_ms = 40 WHERE prompt_tokens = 250");
    ck_assert_double_eq(qd(db, "SELECT latency_ms_sum %s", sql), 41);
    exec_ok(db, "UPDATE cases SET completion_tokens = 35 WHERE prompt_tokens = 250");
    ck_assert_int_eq(qi(db, "SELECT completion_tokens %s", sql), 36);
    exec_ok(db, "UPDATE cases SET prompt_tokens = 260 WHERE prompt_tokens = 250");
    ck_assert_int_eq(qi(db, "SELECT prompt_tokens %s", sql), 261);
    exec_ok(db, "UPDATE cases SET prompt_tokens = 250, completion_tokens = 25, cost_usd = 0.625,"
                " latency_ms = 24 WHERE prompt_tokens = 260");
    char asql[256];
    snprintf(asql, sizeof asql, "FROM agent_costs WHERE run_id = %lld", (long long)r[1]);
    ck_assert_int_eq(qi(db, "SELECT prompt_tokens %s", asql), 1251);
    ck_assert_double_eq(qd(db, "SELECT cost_usd %s", asql), 2.75);
    ck_assert_double_eq(qd(db, "SELECT latency_ms_sum %s", asql), 89);
    /* A status change alone moves no cost. */
    exec_ok(db, "UPDATE cases SET status = 'error' WHERE prompt_tokens = 250");
    ck_assert_int_eq(qi(db, "SELECT prompt_tokens %s", sql), 251);
    /* Deleting a case subtracts it. */
    exec_ok(db, "DELETE FROM cases WHERE prompt_tokens = 1000");
    ck_assert_int_eq(qi(db, "SELECT prompt_tokens %s", asql), 251);
    ck_assert_double_eq(qd(db, "SELECT cost_usd %s", asql), 0.75);
    ck_assert_int_eq(qi(db, "SELECT cases %s", asql), 2);

    /* Pruning run 0 takes run 1's flip from it (t1 is pass, pass now: none
     * anyway) and nothing of the others. */
    exec_ok(db, "UPDATE cases SET status = 'fail' WHERE status = 'error'");
    snprintf(sql, sizeof sql, "SELECT count(*) FROM case_flips WHERE previous_run_id = %lld", (long long)r[0]);
    ck_assert_int_eq(qi(db, "%s", sql), 1);   /* t1: pass (run 0), fail (run 1) */
    snprintf(sql, sizeof sql, "DELETE FROM runs WHERE run_id = %lld", (long long)r[0]);
    exec_ok(db, sql);
    ck_assert_int_eq(qi(db, "SELECT count(*) FROM case_flips"), 1); /* t1: fail (1), pass (2) */
    ck_assert_int_eq(qi(db, "SELECT run_id FROM case_flips"), r[2]);
    ck_assert_int_eq(qi(db, "SELECT previous_run_id FROM case_flips"), r[1]);
    ck_assert_int_ne(sqlite3_exec(db, "UPDATE cases SET transcript_id = 'x'", NULL, NULL, NULL),
                     SQLITE_OK);
    ck_assert_int_eq(qi(db, "SELECT count(*) FROM cases WHERE transcript_id = 'x'"), 0);
    sqlite3_close(db);
}
END_TEST

/* The reads schema 4 exists for use its indexes, not a scan: one
 * transcript's history, and the flips of a window of runs. */
static bool plan_uses(sqlite3 *db, const char *sql, const char *index)
{
    char eqp[1024];
    snprintf(eqp, sizeof eqp, "EXPLAIN QUERY PLAN %s", sql);
    sqlite3_stmt *s = NULL;
    ck_assert_int_eq(sqlite3_prepare_v2(db, eqp, -1, &s, NULL), SQLITE_OK);
    bool found = false;
    while (sqlite3_step(s) == SQLITE_ROW) {
        const char *detail = (const char *)sqlite3_column_text(s, 3);
        found = found || (detail && strstr(detail, index) && !strstr(detail, "SCAN"));
    }
    sqlite3_finalize(s);
    return found;
}

START_TEST(test_history_reads_use_indexes)
{
    hx_store *st = open_store();
    hx_store_close(st);
    sqlite3 *db = reader();
    ck_assert(plan_uses(db, "SELECT * FROM case_results WHERE agent = 'a' AND module = 'm'"
                            " AND transcript_id = 't1' ORDER BY run_id", "cases_by_transcript"));
    ck_assert(plan_uses(db, "SELECT agent, module, transcript_id, count(*) FROM case_flips"
                            " WHERE run_id IN (SELECT run_id FROM runs WHERE run_id > 3)"
                            " AND previous_run_id > 3 GROUP BY agent, module, transcript_id",
                        "COVERING INDEX cases_flips"));
    sqlite3_close(db);
}
END_TEST

/* ---- migrations and refusals -------------------------------------------- */

START_TEST(test_migrates_from_version_1)
{
    hx_error err = {{0}};
    hx_store *st = NULL;
    ck_assert_int_gt(hx_store_schema_latest(), 1);
    ck_assert_msg(hx_store_open_at_version(dbpath, 1, &st, &err) == 0, "%s", err.msg);
    ck_assert_int_eq(hx_store_schema_version(st), 1);
    int64_t run = begin_run(st, "run", NULL);
    begin_module(st, run, "a", "m", NULL, 0.9);
    hx_field_result f[2] = { field("date", true), field("time", false) };
    add_case(st, run, "a", "m", "t1", HX_PASS, 2, f);
    add_case(st, run, "a", "m", "t2", HX_FAIL, 2, f);
    add_case(st, run, "a", "m", "t3", HX_ERROR, 1, f);
    add_case(st, run, "a", "m", "t3", HX_FAIL, 1, f); /* replaced at version 1 too */
    hx_store_close(st);

    sqlite3 *db = reader();
    ck_assert_int_eq(qi(db, "PRAGMA user_version"), 1);
    ck_assert_int_eq(qi(db, "SELECT count(*) FROM sqlite_schema WHERE name = 'module_scores'"), 0);
    sqlite3_close(db);

    st = open_store();
    ck_assert_int_eq(hx_store_schema_version(st), hx_store_schema_latest());
    db = reader();
    ck_assert_int_eq(qi(db, "PRAGMA user_version"), hx_store_schema_latest());
    /* Backfilled from the version 1 rows: t1 pass, t2 fail, t3 fail. */
    ck_assert_int_eq(qi(db, "SELECT cases FROM module_scores"), 3);
    ck_assert_int_eq(qi(db, "SELECT passed FROM module_scores"), 1);
    ck_assert_int_eq(qi(db, "SELECT failed FROM module_scores"), 2);
    ck_assert_int_eq(qi(db, "SELECT errors FROM module_scores"), 0);
    ck_assert_int_eq(qi(db, "SELECT checks FROM field_scores WHERE field = 'date'"), 3);
    ck_assert_int_eq(qi(db, "SELECT passed FROM field_scores WHERE field = 'date'"), 3);
    ck_assert_int_eq(qi(db, "SELECT checks FROM field_scores WHERE field = 'time'"), 2);
    ck_assert_int_eq(qi(db, "SELECT passed FROM field_scores WHERE field = 'time'"), 0);
    ck_assert_int_eq(qi(db, "SELECT cases FROM agent_scores"), 3);
    agents_match_modules(db);
    /* And maintained from now on. */
    add_case(st, run, "a", "m", "t2", HX_PASS, 0, NULL);
    add_case(st, run, "a", "m", "t4", HX_ERROR, 0, NULL);
    flush(st);
    ck_assert_int_eq(qi(db, "SELECT cases FROM module_scores"), 4);
    ck_assert_int_eq(qi(db, "SELECT passed FROM module_scores"), 2);
    ck_assert_int_eq(qi(db, "SELECT failed FROM module_scores"), 1);
    ck_assert_int_eq(qi(db, "SELECT errors FROM module_scores"), 1);
    ck_assert_int_eq(qi(db, "SELECT checks FROM field_scores WHERE field = 'time'"), 1);
    agents_match_modules(db);
    sqlite3_close(db);
    hx_store_close(st);

    /* Opening again at the latest version changes nothing. */
    st = open_store();
    ck_assert_int_eq(hx_store_schema_version(st), hx_store_schema_latest());
    hx_store_close(st);
    /* An old harness (version 1) refuses the upgraded file. */
    ck_assert_int_eq(hx_store_open_at_version(dbpath, 1, &st, &err), -1);
    ck_assert_ptr_null(st);
    ck_assert_msg(strstr(err.msg, "is newer than this harness (1)"), "%s", err.msg);
}
END_TEST

/* Rows of TABLE (columns COLS) are the same in main and in the attached
 * database f: the same count, and none of main's missing from f (keys are
 * unique, so that makes the two sets equal). */
static void same_rows(sqlite3 *db, const char *table, const char *cols)
{
    ck_assert_int_eq(qi(db, "SELECT count(*) FROM main.%s", table),
                     qi(db, "SELECT count(*) FROM f.%s", table));
    ck_assert_msg(qi(db, "SELECT count(*) FROM (SELECT %s FROM main.%s EXCEPT SELECT %s FROM f.%s)",
                     cols, table, cols, table) == 0,
                  "%s: rows of the upgraded database differ from the fresh one", table);
}

static void upgraded_equals_fresh(sqlite3 *db)
{
    same_rows(db, "run_modules", "run_id, agent, module, program_sha256, bar, cases, passed,"
                                 " failed, errors, prompt_tokens, completion_tokens, cost_usd,"
                                 " latency_ms_sum");
    same_rows(db, "agent_rollups", "run_id, agent, cases, passed, failed, errors, prompt_tokens,"
                                   " completion_tokens, cost_usd, latency_ms_sum");
    same_rows(db, "cases", "run_id, agent, module, transcript_id, status, prompt_tokens,"
                           " completion_tokens, cost_usd, latency_ms, flip_from_run_id");
}

/* A version-3 database with history upgrades to what a version-4 database
 * fed the same cases holds: counters, sums and flips, and both go on
 * alike. Both are also checked against the model of what was written. */
START_TEST(test_migrates_from_version_3)
{
    static flip_model fm3, fm4;
    int64_t runs3[FR], runs4[FR];
    char fresh[400];
    snprintf(fresh, sizeof fresh, "%s/fresh.db", tmpdir);
    hx_error err = {{0}};
    hx_store *st = NULL;
    ck_assert_msg(hx_store_open_at_version(dbpath, 3, &st, &err) == 0, "%s", err.msg);
    ck_assert_int_eq(hx_store_schema_version(st), 3);
    write_model_history(st, &fm3, runs3, 4242, 1500);
    hx_store_close(st);
    sqlite3 *db = reader();
    ck_assert_int_eq(qi(db, "PRAGMA user_version"), 3);
    ck_assert_int_eq(qi(db, "SELECT count(*) FROM sqlite_schema WHERE name IN"
                            " ('case_flips', 'module_costs', 'agent_costs', 'cases_by_transcript')"), 0);
    sqlite3_close(db);

    ck_assert_msg(hx_store_open(fresh, &st, &err) == 0, "%s", err.msg);
    write_model_history(st, &fm4, runs4, 4242, 1500);
    hx_store_close(st);
    for (int r = 0; r < FR; r++) ck_assert_int_eq(runs3[r], runs4[r]);

    st = open_store();   /* the upgrade */
    ck_assert_int_eq(hx_store_schema_version(st), hx_store_schema_latest());
    db = reader();
    ck_assert_int_eq(qi(db, "PRAGMA user_version"), hx_store_schema_latest());
    check_flips_against(db, &fm3, runs3);
    check_sums_against(db, &fm3, runs3);
    ck_assert_int_gt(qi(db, "SELECT count(*) FROM case_flips"), 30);
    agents_match_modules(db);
    char attach[512];
    snprintf(attach, sizeof attach, "ATTACH '%s' AS f", fresh);
    exec_ok(db, attach);
    upgraded_equals_fresh(db);

    /* Maintained from now on, alike: a replacement in an older run and a
     * new case in the newest. */
    hx_store *st4 = NULL;
    ck_assert_msg(hx_store_open(fresh, &st4, &err) == 0, "%s", err.msg);
    hx_store *both[2] = { st, st4 };
    for (int i = 0; i < 2; i++) {
        add_spend(both[i], runs3[1], "a0", "m0", "t03", HX_FAIL, (spend){ 5, 6, 0.5, 7 });
        add_spend(both[i], runs3[1], "a0", "m0", "t04", HX_PASS, (spend){ 5, 6, 0.5, 7 });
        add_spend(both[i], runs3[FR - 1], "a1", "m1", "t05", HX_PASS, (spend){ 1, 2, 0.25, 3 });
        flush(both[i]);
    }
    fm3.status[1][0][0][3] = HX_FAIL;
    fm3.spent[1][0][0][3] = (spend){ 5, 6, 0.5, 7 };
    fm3.status[1][0][0][4] = HX_PASS;
    fm3.spent[1][0][0][4] = (spend){ 5, 6, 0.5, 7 };
    fm3.status[FR - 1][1][1][5] = HX_PASS;
    fm3.spent[FR - 1][1][1][5] = (spend){ 1, 2, 0.25, 3 };
    check_flips_against(db, &fm3, runs3);
    check_sums_against(db, &fm3, runs3);
    upgraded_equals_fresh(db);
    sqlite3_close(db);
    hx_store_close(st4);
    hx_store_close(st);
}
END_TEST

START_TEST(test_newer_version_refused)
{
    hx_store *st = open_store();
    hx_store_close(st);
    int newer = hx_store_schema_latest() + 4;
    sqlite3 *db = reader();
    char sql[64];
    snprintf(sql, sizeof sql, "PRAGMA user_version = %d", newer);
    exec_ok(db, sql);
    sqlite3_close(db);

    static char before[1 << 20], after[1 << 20];
    size_t nb = read_file(dbpath, before, sizeof before);
    hx_error err = {{0}};
    st = (hx_store *)1;
    ck_assert_int_eq(hx_store_open(dbpath, &st, &err), -1);
    ck_assert_ptr_null(st);
    char want[512];
    snprintf(want, sizeof want,
             "%s: database schema version %d is newer than this harness (%d); upgrade harness",
             dbpath, newer, hx_store_schema_latest());
    ck_assert_str_eq(err.msg, want);
    size_t na = read_file(dbpath, after, sizeof after);
    ck_assert_uint_eq(na, nb);
    ck_assert(memcmp(before, after, nb) == 0);
    db = reader();
    ck_assert_int_eq(qi(db, "PRAGMA user_version"), newer);
    sqlite3_close(db);
}
END_TEST

START_TEST(test_not_sqlite_refused)
{
    static const char text[] =
        "{\"db\": \"reports/harness.db\", \"agents\": []}\n"
        "this is a suite file, not a database, and it is long enough to have a header\n";
    write_file(dbpath, text, sizeof text - 1);
    hx_error err = {{0}};
    hx_store *st = NULL;
    ck_assert_int_eq(hx_store_open(dbpath, &st, &err), -1);
    ck_assert_ptr_null(st);
    char want[400];
    snprintf(want, sizeof want, "%s: not an SQLite database", dbpath);
    ck_assert_msg(strncmp(err.msg, want, strlen(want)) == 0, "%s", err.msg);
    char back[sizeof text];
    ck_assert_uint_eq(read_file(dbpath, back, sizeof back), sizeof text - 1);
    ck_assert(memcmp(back, text, sizeof text - 1) == 0);
}
END_TEST

START_TEST(test_other_application_refused)
{
    sqlite3 *db = reader();
    exec_ok(db, "CREATE TABLE notes (x); PRAGMA user_version = 3");
    sqlite3_close(db);
    hx_error err = {{0}};
    hx_store *st = NULL;
    ck_assert_int_eq(hx_store_open(dbpath, &st, &err), -1);
    ck_assert_msg(strstr(err.msg, dbpath) == err.msg && strstr(err.msg, "another application"),
                  "%s", err.msg);
    db = reader();
    exec_ok(db, "PRAGMA user_version = 0; PRAGMA application_id = 42");
    sqlite3_close(db);
    ck_assert_int_eq(hx_store_open(dbpath, &st, &err), -1);
    ck_assert_msg(strstr(err.msg, "another application"), "%s", err.msg);
}
END_TEST

/* Run hx_store_open on the read-only file; 0 when it was refused cleanly. */
static int open_readonly_child(void)
{
    hx_error err = {{0}};
    hx_store *st = NULL;
    if (hx_store_open(dbpath, &st, &err) == 0) {
        hx_store_close(st);
        return 1;
    }
    if (st || strstr(err.msg, dbpath) != err.msg || !strstr(err.msg, "read-only")) {
        fprintf(stderr, "unexpected: %s\n", err.msg);
        return 2;
    }
    return 0;
}

START_TEST(test_readonly_file_refused)
{
    hx_store *st = open_store();
    hx_store_close(st);
    ck_assert_int_eq(chmod(dbpath, 0444), 0);
    if (geteuid() != 0) {
        ck_assert_int_eq(open_readonly_child(), 0);
        return;
    }
    /* root writes through file modes: test as "nobody" in a child. */
    ck_assert_int_eq(chmod(tmpdir, 0755), 0);
    fflush(NULL);
    pid_t pid = fork();
    ck_assert_int_ge(pid, 0);
    if (pid == 0) {
        if (setgid(65534) != 0 || setuid(65534) != 0) _exit(3);
        _exit(open_readonly_child());
    }
    int status = 0;
    ck_assert_int_eq(waitpid(pid, &status, 0), pid);
    ck_assert(WIFEXITED(status));
    ck_assert_int_eq(WEXITSTATUS(status), 0);
}
END_TEST

START_TEST(test_missing_directory_refused)
{
    char path[400];
    snprintf(path, sizeof path, "%s/no/such/dir/h.db", tmpdir);
    hx_error err = {{0}};
    hx_store *st = NULL;
    ck_assert_int_eq(hx_store_open(path, &st, &err), -1);
    ck_assert_ptr_null(st);
    ck_assert_msg(strstr(err.msg, path) == err.msg && strstr(err.msg, "cannot open"), "%s", err.msg);
    ck_assert_int_eq(hx_store_open("", &st, &err), -1);
    ck_assert_int_eq(hx_store_open_at_version(dbpath, hx_store_schema_latest() + 1, &st, &err), -1);
    ck_assert_int_eq(access(dbpath, F_OK), -1); /* nothing created */
    hx_store_close(NULL);
}
END_TEST

START_TEST(test_two_stores_one_file)
{
    /* Two harness processes on one database: both open (the second finds
     * the schema done), and their cases land in their own runs. */
    hx_store *a = open_store(), *b = open_store();
    hx_store_set_batch(a, 1000, 0);
    int64_t ra = begin_run(a, "run", NULL), rb = begin_run(b, "run", NULL);
    begin_module(a, ra, "x", "m", NULL, 0.5);
    begin_module(b, rb, "x", "m", NULL, 0.5);
    add_case(a, ra, "x", "m", "t1", HX_PASS, 0, NULL);
    flush(a);
    add_case(b, rb, "x", "m", "t1", HX_FAIL, 0, NULL);
    flush(b);
    sqlite3 *db = reader();
    ck_assert_int_eq(qi(db, "SELECT passed FROM module_scores WHERE run_id = %lld", (long long)ra), 1);
    ck_assert_int_eq(qi(db, "SELECT failed FROM module_scores WHERE run_id = %lld", (long long)rb), 1);
    sqlite3_close(db);
    hx_store_close(a);
    hx_store_close(b);
}
END_TEST

Suite *make_suite(void)
{
    Suite *s = suite_create("store");
    TCase *tc = tcase_create("store");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, test_views_have_contract_columns);
    tcase_add_test(tc, test_wal_and_open_pragmas);
    tcase_add_test(tc, test_case_journal_stays_in_memory);
    tcase_add_test(tc, test_module_scores_counts);
    tcase_add_test(tc, test_pass_rate_null_without_answers);
    tcase_add_test(tc, test_at_bar_is_not_below);
    tcase_add_test(tc, test_two_agents_two_modules);
    tcase_add_test(tc, test_field_scores_accuracy);
    tcase_add_test(tc, test_case_results_values);
    tcase_add_test(tc, test_readd_replaces);
    tcase_add_test(tc, test_rollups_follow_random_replacements);
    tcase_add_test(tc, test_rollups_follow_manual_sql);
    tcase_add_test(tc, test_trend_query);
    tcase_add_test(tc, test_batches_commit_every_n);
    tcase_add_test(tc, test_batch_time_bound);
    tcase_add_test(tc, test_reader_during_open_batch);
    tcase_add_test(tc, test_bad_case_keeps_batch);
    tcase_add_test(tc, test_disk_full_is_reported);
    tcase_add_test(tc, test_readers_never_locked_out);
    tcase_add_test(tc, test_close_empties_wal_without_waiting);
    tcase_add_test(tc, test_io_error_names_cause_at_open);
    tcase_add_test(tc, test_io_error_names_cause_on_write);
    tcase_add_test(tc, test_run_lifecycle);
    tcase_add_test(tc, test_recompile_triggers);
    tcase_add_test(tc, test_v4_views_columns);
    tcase_add_test(tc, test_cost_sums_values);
    tcase_add_test(tc, test_sums_and_flips_follow_random_replacements);
    tcase_add_test(tc, test_flips_follow_older_run_replacement);
    tcase_add_test(tc, test_sums_and_flips_follow_manual_sql);
    tcase_add_test(tc, test_history_reads_use_indexes);
    tcase_add_test(tc, test_migrates_from_version_1);
    tcase_add_test(tc, test_migrates_from_version_3);
    tcase_add_test(tc, test_newer_version_refused);
    tcase_add_test(tc, test_not_sqlite_refused);
    tcase_add_test(tc, test_other_application_refused);
    tcase_add_test(tc, test_readonly_file_refused);
    tcase_add_test(tc, test_missing_directory_refused);
    tcase_add_test(tc, test_two_stores_one_file);
    suite_add_tcase(s, tc);
    return s;
}

HX_TEST_MAIN()
