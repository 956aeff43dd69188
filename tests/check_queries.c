/*
 * check_queries.c — the dashboard queries of docs/queries.sql, tested.
 *
 * The queries are read from docs/queries.sql at test time (the tests run
 * from the repository root) and split at their "-- @query NAME" markers,
 * so the documented text is the tested text. Every query of the file must
 * have a checker here and every checker a query: adding a query to the doc
 * without a test, or renaming one, fails test_file_format.
 *
 * The database is 31 runs over 30 simulated nights written through the
 * store API (hx_store_run_begin / module_begin / case_add / run_end /
 * recompile_open / recompile_update), with deterministic pseudo-random
 * outcomes and planted facts:
 *   - a regression on night 20 (appointment_extractor: "time" fails for
 *     most transcripts) and one on night 30 (showing_extractor: "address");
 *   - a flaky transcript (rest-0007 of booking_extractor) whose "time"
 *     alternates pass / fail from run to run;
 *   - an outage on night 12 (every insurance_router case is an error);
 *   - a second, partial run on night 15 (restaurant-booking only, as
 *     `harness run --agent restaurant-booking` would write);
 *   - known token counts and costs, a slow module (insurance_router), a
 *     response-cache hit (no LM call: latency 0, no cost) every night;
 *   - four recompile triggers: one done, one failed, one running, one open.
 * Every expected answer is computed here from the generated data (the
 * `gen` arrays), never copied from a query's output.
 *
 * The README's copies of the queries (docs/readme-sql.md, and README.md
 * once the section is merged there) must be the file's text too.
 *
 * Performance (bench/scale.c on 365 nights x 10 agents x 1,000 cases =
 * 3.65 M case rows; full table in docs/readme-sql.md): every view over the
 * newest run and every query reads rollup rows or index ranges, in tens of
 * ms at most (slowest_modules_latest_run, ~25 ms of CPU, ranks the newest
 * run's case rows for its p95). Three reads needed schema version 4
 * (store.c) for that, and these tests cover what it derives as cases are
 * written, replacements of older runs included:
 *   - cost_per_agent_night reads agent_costs, sums kept per run and agent
 *     (was a scan of the window's case rows, linear in the window);
 *   - flaky_transcripts counts the window's rows of case_flips (flips
 *     recorded at insert, in a partial index) instead of ordering all of
 *     the window's case rows per transcript for lag();
 *   - one transcript's history is a range of the index cases_by_transcript.
 */
#include "test_util.h"
#include "store.h"

#include <ctype.h>
#include <dirent.h>
#include <math.h>
#include <sqlite3.h>
#include <stdint.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

Suite *make_suite(void);

#define QUERIES_FILE "docs/queries.sql"
#define QUERY_MARK   "-- @query "

/* ---- the queries file --------------------------------------------------- */

typedef struct query {
    char name[64];
    char title[160];
    int ncomment;   /* comment lines after the marker */
    char *text;     /* from the marker line to the next marker */
} query;

#define MAX_QUERIES 64
static query queries[MAX_QUERIES];
static int nqueries;
static char load_error[256];

static char *slurp(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f) return NULL;
    char *buf = NULL;
    size_t len = 0, cap = 0, n;
    char chunk[4096];
    while ((n = fread(chunk, 1, sizeof chunk, f)) > 0) {
        if (len + n + 1 > cap) {
            cap = (len + n + 1) * 2;
            char *nb = realloc(buf, cap);
            if (!nb) { free(buf); fclose(f); return NULL; }
            buf = nb;
        }
        memcpy(buf + len, chunk, n);
        len += n;
    }
    fclose(f);
    if (!buf && !(buf = malloc(1))) return NULL;
    buf[len] = '\0';
    return buf;
}

static void free_queries(void)
{
    for (int i = 0; i < nqueries; i++) free(queries[i].text);
    nqueries = 0;
}

/* Split the file at its markers; a problem goes to load_error (asserted by
 * test_file_format, so that the other tests report it too). */
static void load_queries(void)
{
    char *all = slurp(QUERIES_FILE);
    if (!all) {
        snprintf(load_error, sizeof load_error,
                 "%s: cannot read (tests run from the repository root)", QUERIES_FILE);
        return;
    }
    const char *starts[MAX_QUERIES + 1];
    int n = 0;
    for (const char *line = all; line && *line;) {
        if (strncmp(line, QUERY_MARK, strlen(QUERY_MARK)) == 0) {
            if (n == MAX_QUERIES) {
                snprintf(load_error, sizeof load_error, "more than %d queries", MAX_QUERIES);
                break;
            }
            starts[n++] = line;
        }
        const char *nl = strchr(line, '\n');
        line = nl ? nl + 1 : NULL;
    }
    starts[n] = all + strlen(all);
    for (int i = 0; i < n; i++) {
        query *q = &queries[nqueries++];
        size_t len = (size_t)(starts[i + 1] - starts[i]);
        q->text = malloc(len + 1);
        if (!q->text) { nqueries--; break; }
        memcpy(q->text, starts[i], len);
        q->text[len] = '\0';
        const char *p = q->text + strlen(QUERY_MARK);
        size_t nl = strcspn(p, "\r\n");
        while (nl > 0 && isspace((unsigned char)p[nl - 1])) nl--;
        snprintf(q->name, sizeof q->name, "%.*s", (int)nl, p);
        /* The comment block right after the marker: title, description. */
        const char *line = strchr(q->text, '\n');
        q->ncomment = 0;
        q->title[0] = '\0';
        while (line && strncmp(line + 1, "--", 2) == 0) {
            const char *c = line + 3;
            while (*c == ' ') c++;
            if (q->ncomment++ == 0)
                snprintf(q->title, sizeof q->title, "%.*s", (int)strcspn(c, "\r\n"), c);
            line = strchr(line + 1, '\n');
        }
    }
    free(all);
}

static const query *find_query(const char *name)
{
    for (int i = 0; i < nqueries; i++)
        if (strcmp(queries[i].name, name) == 0) return &queries[i];
    return NULL;
}

/* ---- the simulated nights ----------------------------------------------- */

#define NIGHTS 30
#define NRUNS  (NIGHTS + 1)
#define NT     40
#define MAXF   5
#define NMOD   4

typedef struct mod_def {
    const char *agent, *module, *prefix;
    int nf;
    const char *fields[MAXF];
    double bar;
} mod_def;

/* In (agent, module) order, which is the ORDER BY of most queries. */
static const mod_def MODS[NMOD] = {
    { "clinic-scheduling", "appointment_extractor", "appt", 4,
      { "date", "time", "name", "phone" }, 0.85 },
    { "clinic-scheduling", "insurance_router", "ins", 2,
      { "insurer", "decision" }, 0.80 },
    { "real-estate-showing", "showing_extractor", "show", 5,
      { "date", "time", "address", "phone", "name" }, 0.85 },
    { "restaurant-booking", "booking_extractor", "rest", 5,
      { "date", "time", "party_size", "name", "phone" }, 0.85 },
};
#define M_APPT 0
#define M_INS  1
#define M_SHOW 2
#define M_REST 3

#define NAGENTS 3
static const char *const AGENTS[NAGENTS] = {
    "clinic-scheduling", "real-estate-showing", "restaurant-booking"
};

#define REGRESSION_DAY   20
#define REGRESSION_DAY2  30
#define OUTAGE_DAY       12
#define EXTRA_RUN_DAY    15
#define FLAKY_T          6     /* rest-0007 */
#define ERROR_LATENCY_MS 30000.0

typedef struct run_def {
    int day, hour;
    bool present[NMOD];
    char started_at[32];
    char night[16];
    int64_t id;               /* as the store returned it */
} run_def;

typedef struct case_def {
    hx_status status;
    bool fpass[MAXF];
    double latency_ms;
    int64_t prompt_tokens, completion_tokens;
    double cost_usd;
} case_def;

typedef struct trig_def {
    int run;                  /* index into gen.runs */
    int mod;
    const char *final_status; /* after its updates */
    char created_at[32];
    double pass_rate;
    int64_t id;
} trig_def;

#define NTRIG 4

static struct {
    int nruns;
    run_def runs[NRUNS];
    case_def cases[NRUNS][NMOD][NT];
    trig_def trig[NTRIG];
} gen;

static uint64_t mix(uint64_t x)
{
    x += 0x9e3779b97f4a7c15ULL;
    x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
    x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
    return x ^ (x >> 31);
}

static uint64_t h4(uint64_t a, uint64_t b, uint64_t c, uint64_t d)
{
    return mix(mix(mix(mix(a) ^ b) ^ c) ^ d);
}

/* Uniform in [0, 1). */
static double u4(uint64_t a, uint64_t b, uint64_t c, uint64_t d)
{
    return (double)(h4(a, b, c, d) >> 11) / 9007199254740992.0;
}

static void tid(int m, int t, char out[32])
{
    snprintf(out, 32, "%s-%04d", MODS[m].prefix, t + 1);
}

static void generate(void)
{
    memset(&gen, 0, sizeof gen);
    /* Runs: one a night at 02:00, plus a partial one on EXTRA_RUN_DAY. */
    for (int day = 1; day <= NIGHTS; day++) {
        run_def *r = &gen.runs[gen.nruns++];
        r->day = day;
        r->hour = 2;
        for (int m = 0; m < NMOD; m++) r->present[m] = true;
        if (day == EXTRA_RUN_DAY) {
            run_def *x = &gen.runs[gen.nruns++];
            x->day = day;
            x->hour = 14;
            x->present[M_REST] = true;
        }
    }
    for (int r = 0; r < gen.nruns; r++) {
        run_def *rd = &gen.runs[r];
        snprintf(rd->started_at, sizeof rd->started_at, "2026-10-%02dT%02d:00:00Z",
                 rd->day, rd->hour);
        snprintf(rd->night, sizeof rd->night, "2026-10-%02d", rd->day);
        for (int m = 0; m < NMOD; m++) {
            if (!rd->present[m]) continue;
            for (int t = 0; t < NT; t++) {
                case_def *c = &gen.cases[r][m][t];
                bool flaky = m == M_REST && t == FLAKY_T;
                bool error = !flaky && (u4(1, (uint64_t)r, (uint64_t)m, (uint64_t)t) < 0.012 ||
                                        (m == M_INS && rd->day == OUTAGE_DAY));
                if (error) {
                    c->status = HX_ERROR;
                    c->latency_ms = ERROR_LATENCY_MS;
                    continue;
                }
                bool all = true;
                for (int f = 0; f < MODS[m].nf; f++) {
                    /* Stable per transcript and field: mostly easy, some hard. */
                    double p = u4(2, (uint64_t)m, (uint64_t)t, (uint64_t)f) < 0.05 ? 0.02 : 0.998;
                    bool pass = u4(3, (uint64_t)r, (uint64_t)(m * 100 + t), (uint64_t)f) < p;
                    const char *fname = MODS[m].fields[f];
                    if (flaky) pass = strcmp(fname, "time") != 0 || r % 2 == 0;
                    if (m == M_APPT && rd->day == REGRESSION_DAY && strcmp(fname, "time") == 0 &&
                        t < 26)
                        pass = false;
                    if (m == M_SHOW && rd->day == REGRESSION_DAY2 &&
                        strcmp(fname, "address") == 0 && t % 3 == 0)
                        pass = false;
                    c->fpass[f] = pass;
                    all = all && pass;
                }
                c->status = all ? HX_PASS : HX_FAIL;
                uint64_t h = h4(4, (uint64_t)r, (uint64_t)m, (uint64_t)t);
                c->prompt_tokens = 600 + (int64_t)(h % 500);
                c->completion_tokens = 40 + (int64_t)((h >> 20) % 90);
                c->cost_usd = (double)c->prompt_tokens * 0.15e-6 +
                              (double)c->completion_tokens * 0.60e-6;
                c->latency_ms = 150.0 + (double)((h >> 40) % 900) + (m == M_INS ? 1500.0 : 0.0);
                /* A response-cache hit calls no LM: latency 0, no cost. */
                if (m == M_REST && t == NT - 1) {
                    c->latency_ms = 0;
                    c->prompt_tokens = c->completion_tokens = 0;
                    c->cost_usd = 0;
                }
            }
        }
    }
    /* Recompile triggers: run index of a night's 02:00 run is found below. */
    static const struct { int day; int mod; const char *status; } T[NTRIG] = {
        { REGRESSION_DAY, M_APPT, "done" },
        { 25, M_REST, "failed" },
        { 28, M_INS, "running" },
        { REGRESSION_DAY2, M_SHOW, "open" },
    };
    for (int i = 0; i < NTRIG; i++) {
        trig_def *tg = &gen.trig[i];
        for (int r = 0; r < gen.nruns; r++)
            if (gen.runs[r].day == T[i].day && gen.runs[r].hour == 2) tg->run = r;
        tg->mod = T[i].mod;
        tg->final_status = T[i].status;
        snprintf(tg->created_at, sizeof tg->created_at, "2026-10-%02dT03:00:00Z", T[i].day);
    }
}

/* ---- facts derived from gen (the independent side) --------------------- */

typedef struct counts {
    int64_t cases, passed, failed, errors;
} counts;

static counts mod_counts(int r, int m)
{
    counts c = {0, 0, 0, 0};
    if (!gen.runs[r].present[m]) return c;
    for (int t = 0; t < NT; t++) {
        c.cases++;
        switch (gen.cases[r][m][t].status) {
        case HX_PASS: c.passed++; break;
        case HX_FAIL: c.failed++; break;
        default: c.errors++; break;
        }
    }
    return c;
}

/* As the views compute it: NAN for NULL. */
static double rate(counts c)
{
    return c.passed + c.failed > 0 ? (double)c.passed / (double)(c.passed + c.failed) : NAN;
}

static bool agent_present(int r, const char *agent)
{
    for (int m = 0; m < NMOD; m++)
        if (gen.runs[r].present[m] && strcmp(MODS[m].agent, agent) == 0) return true;
    return false;
}

static counts agent_counts(int r, const char *agent)
{
    counts c = {0, 0, 0, 0};
    for (int m = 0; m < NMOD; m++) {
        if (strcmp(MODS[m].agent, agent) != 0) continue;
        counts x = mod_counts(r, m);
        c.cases += x.cases;
        c.passed += x.passed;
        c.failed += x.failed;
        c.errors += x.errors;
    }
    return c;
}

/* The program hash of module m on a night: the appointment program is
 * replaced after its night-20 recompile. */
static const char *sha_of(int day, int m, char buf[72])
{
    snprintf(buf, 72, "%064d", m * 10 + (m == M_APPT && day > REGRESSION_DAY ? 1 : 0));
    return buf;
}

/* First day of "the last n nights" of runs 0..upto-1. */
static int since_day(int upto, int n)
{
    return gen.runs[upto - 1].day - (n - 1);
}

/* ---- writing the database through the store API ------------------------ */

typedef void (*after_run_fn)(int upto);

static void write_run(hx_store *st, int r)
{
    hx_error err = {{0}};
    char sha[72], sha2[72];
    run_def *rd = &gen.runs[r];
    hx_run_info info = { .kind = "run", .suite_path = "suite.json",
                         .lm_model = "openai/gpt-4o-mini", .started_at = rd->started_at };
    ck_assert_msg(hx_store_run_begin(st, &info, &rd->id, &err) == 0, "%s", err.msg);
    for (int m = 0; m < NMOD; m++) {
        if (!rd->present[m]) continue;
        ck_assert_msg(hx_store_module_begin(st, rd->id, MODS[m].agent, MODS[m].module,
                                            sha_of(rd->day, m, sha), MODS[m].bar, &err) == 0,
                      "%s", err.msg);
        for (int t = 0; t < NT; t++) {
            const case_def *c = &gen.cases[r][m][t];
            hx_field_result fr[MAXF];
            char why[MAXF][96];
            const char *reason = "";
            size_t nf = 0;
            if (c->status == HX_ERROR) {
                reason = "no answer after 6 retries: timeout after 30 s";
            } else {
                for (int f = 0; f < MODS[m].nf; f++) {
                    snprintf(why[f], sizeof why[f], "expected %s-%d, got something else",
                             MODS[m].fields[f], t);
                    fr[f] = (hx_field_result){
                        .field = MODS[m].fields[f], .pass = c->fpass[f], .expected = "x",
                        .actual_raw = c->fpass[f] ? "\"x\"" : "\"y\"",
                        .actual = c->fpass[f] ? "x" : "y",
                        .reason = c->fpass[f] ? "" : why[f] };
                    if (!c->fpass[f] && !*reason) reason = why[f];
                }
                nf = (size_t)MODS[m].nf;
            }
            char id[32];
            tid(m, t, id);
            hx_case_result cr = {
                .agent = MODS[m].agent, .module = MODS[m].module, .transcript_id = id,
                .status = c->status, .reason = reason, .latency_ms = c->latency_ms,
                .prompt_tokens = c->prompt_tokens, .completion_tokens = c->completion_tokens,
                .cost_usd = c->cost_usd, .outputs_json = "{}", .nfields = nf,
                .fields = nf ? fr : NULL };
            ck_assert_msg(hx_store_case_add(st, rd->id, &cr, &err) == 0, "%s", err.msg);
        }
    }
    ck_assert_msg(hx_store_flush(st, &err) == 0, "%s", err.msg);
    ck_assert_msg(hx_store_run_end(st, rd->id, "finished", &err) == 0, "%s", err.msg);

    for (int i = 0; i < NTRIG; i++) {
        trig_def *tg = &gen.trig[i];
        if (tg->run != r) continue;
        tg->pass_rate = rate(mod_counts(r, tg->mod));
        char why[128];
        snprintf(why, sizeof why, "pass rate %.3f below bar %.2f", tg->pass_rate,
                 MODS[tg->mod].bar);
        hx_recompile_info ri = { .agent = MODS[tg->mod].agent, .module = MODS[tg->mod].module,
                                 .pass_rate = tg->pass_rate, .bar = MODS[tg->mod].bar,
                                 .reason = why, .created_at = tg->created_at };
        ck_assert_msg(hx_store_recompile_open(st, rd->id, &ri, &tg->id, &err) == 0, "%s",
                      err.msg);
        if (strcmp(tg->final_status, "open") == 0) continue;
        hx_recompile_step step = { .status = "running", .old_score = NAN, .new_score = NAN,
                                   .promoted = -1 };
        ck_assert_msg(hx_store_recompile_update(st, tg->id, &step, &err) == 0, "%s", err.msg);
        if (strcmp(tg->final_status, "running") == 0) continue;
        step = (hx_recompile_step){ .status = tg->final_status,
                                    .old_program_sha256 = sha_of(rd->day, tg->mod, sha),
                                    .new_program_sha256 = sha_of(rd->day + 1, tg->mod, sha2),
                                    .old_score = 0.5, .new_score = 0.9,
                                    .promoted = strcmp(tg->final_status, "done") == 0 };
        ck_assert_msg(hx_store_recompile_update(st, tg->id, &step, &err) == 0, "%s", err.msg);
    }
}

static void build_db(const char *path, after_run_fn after)
{
    hx_store *st = NULL;
    hx_error err = {{0}};
    ck_assert_msg(hx_store_open(path, &st, &err) == 0, "%s", err.msg);
    for (int r = 0; r < gen.nruns; r++) {
        write_run(st, r);
        if (after) after(r + 1);
    }
    hx_store_close(st);
}

/* ---- fixture ------------------------------------------------------------ */

static char tmpdir[256];
static char dbpath[320];
static char stepdb[320];
static sqlite3 *db;

static void rm_tree(const char *dir)
{
    DIR *d = opendir(dir);
    if (!d) return;
    struct dirent *e;
    char p[600];
    while ((e = readdir(d))) {
        if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0) continue;
        snprintf(p, sizeof p, "%s/%s", dir, e->d_name);
        unlink(p);
    }
    closedir(d);
    rmdir(dir);
}

/* Once, before any test forks: load the file, generate and write the
 * 30 nights. A failure here is reported by the tests (load_error, or a
 * missing database). */
static void suite_setup(void)
{
    load_queries();
    generate();
    snprintf(tmpdir, sizeof tmpdir, "/tmp/hx_queries_XXXXXX");
    ck_assert_ptr_nonnull(mkdtemp(tmpdir));
    snprintf(dbpath, sizeof dbpath, "%s/h.db", tmpdir);
    snprintf(stepdb, sizeof stepdb, "%s/step.db", tmpdir);
    build_db(dbpath, NULL);
}

static void suite_teardown(void)
{
    free_queries();
    rm_tree(tmpdir);
}

static void open_reader(void)
{
    ck_assert_int_eq(sqlite3_open_v2(dbpath, &db, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
}

static void close_reader(void)
{
    sqlite3_close(db);
    db = NULL;
}

/* ---- running a query and reading its result ----------------------------- */

typedef struct cell {
    int type;      /* SQLITE_INTEGER, SQLITE_FLOAT, SQLITE_TEXT, SQLITE_NULL */
    int64_t i;
    double d;
    char *s;
} cell;

typedef struct rset {
    char name[64];
    int ncol;
    char cols[24][48];
    int nrow;
    cell *cells;   /* nrow * ncol */
} rset;

enum bind_mode { BIND_TEXT, BIND_NUMBER };

/* params: "name", "value", ..., NULL (names without the colon). */
static rset run_on(sqlite3 *conn, const char *name, enum bind_mode mode,
                   const char *const *params)
{
    rset rs;
    memset(&rs, 0, sizeof rs);
    snprintf(rs.name, sizeof rs.name, "%s", name);
    const query *q = find_query(name);
    ck_assert_msg(q != NULL, "%s has no query \"%s\"", QUERIES_FILE, name);

    sqlite3_stmt *s = NULL;
    const char *tail = NULL;
    int rc = sqlite3_prepare_v2(conn, q->text, -1, &s, &tail);
    ck_assert_msg(rc == SQLITE_OK && s, "%s: %s", name, sqlite3_errmsg(conn));
    for (int i = 0; params && params[i]; i += 2) {
        char key[64];
        snprintf(key, sizeof key, ":%s", params[i]);
        int idx = sqlite3_bind_parameter_index(s, key);
        ck_assert_msg(idx > 0, "%s has no parameter %s", name, key);
        const char *v = params[i + 1];
        char *end;
        double d = strtod(v, &end);
        if (mode == BIND_NUMBER && *v && !*end) {
            if (d == floor(d)) sqlite3_bind_int64(s, idx, (sqlite3_int64)d);
            else sqlite3_bind_double(s, idx, d);
        } else {
            sqlite3_bind_text(s, idx, v, -1, SQLITE_TRANSIENT);
        }
    }
    rs.ncol = sqlite3_column_count(s);
    ck_assert_int_le(rs.ncol, 24);
    for (int c = 0; c < rs.ncol; c++)
        snprintf(rs.cols[c], sizeof rs.cols[c], "%s", sqlite3_column_name(s, c));
    int cap = 0;
    while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
        if (rs.nrow == cap) {
            cap = cap ? cap * 2 : 64;
            cell *nc = realloc(rs.cells, (size_t)cap * (size_t)rs.ncol * sizeof *nc);
            ck_assert_ptr_nonnull(nc);
            rs.cells = nc;
        }
        for (int c = 0; c < rs.ncol; c++) {
            cell *x = &rs.cells[rs.nrow * rs.ncol + c];
            memset(x, 0, sizeof *x);
            x->type = sqlite3_column_type(s, c);
            if (x->type == SQLITE_INTEGER) x->i = sqlite3_column_int64(s, c);
            else if (x->type == SQLITE_FLOAT) x->d = sqlite3_column_double(s, c);
            else if (x->type == SQLITE_TEXT) {
                x->s = strdup((const char *)sqlite3_column_text(s, c));
                ck_assert_ptr_nonnull(x->s);
            } else x->type = SQLITE_NULL;
        }
        rs.nrow++;
    }
    ck_assert_msg(rc == SQLITE_DONE, "%s: %s", name, sqlite3_errmsg(conn));
    sqlite3_finalize(s);
    return rs;
}

static rset run_query(const char *name, enum bind_mode mode, const char *const *params)
{
    return run_on(db, name, mode, params);
}

static void rs_free(rset *rs)
{
    for (int i = 0; i < rs->nrow * rs->ncol; i++) free(rs->cells[i].s);
    free(rs->cells);
    rs->cells = NULL;
    rs->nrow = 0;
}

/* The result's columns, as a comma-separated list: the query's contract. */
static void want_cols(const rset *rs, const char *want)
{
    char got[1024] = "";
    for (int c = 0; c < rs->ncol; c++) {
        if (c) strcat(got, ",");
        strcat(got, rs->cols[c]);
    }
    ck_assert_msg(strcmp(got, want) == 0, "%s: columns %s, wanted %s", rs->name, got, want);
}

static const cell *at(const rset *rs, int row, const char *col)
{
    ck_assert_msg(row < rs->nrow, "%s: no row %d (%d rows)", rs->name, row, rs->nrow);
    for (int c = 0; c < rs->ncol; c++)
        if (strcmp(rs->cols[c], col) == 0) return &rs->cells[row * rs->ncol + c];
    ck_abort_msg("%s: no column %s", rs->name, col);
    return NULL;
}

static void eq_text(const rset *rs, int row, const char *col, const char *want)
{
    const cell *x = at(rs, row, col);
    ck_assert_msg(x->type == SQLITE_TEXT && strcmp(x->s, want) == 0,
                  "%s row %d %s: got %s, wanted \"%s\"", rs->name, row, col,
                  x->type == SQLITE_TEXT ? x->s : "(not text)", want);
}

static void eq_int(const rset *rs, int row, const char *col, int64_t want)
{
    const cell *x = at(rs, row, col);
    ck_assert_msg(x->type == SQLITE_INTEGER && x->i == want,
                  "%s row %d %s: got %lld (type %d), wanted %lld", rs->name, row, col,
                  (long long)x->i, x->type, (long long)want);
}

static bool close_to(double a, double b, double rel)
{
    double scale = fmax(1.0, fmax(fabs(a), fabs(b)));
    return fabs(a - b) <= rel * scale;
}

/* want NAN = NULL. Reals summed in another order may differ in the last
 * bits; everything else is computed by the same operations. */
static void eq_real(const rset *rs, int row, const char *col, double want)
{
    const cell *x = at(rs, row, col);
    if (isnan(want)) {
        ck_assert_msg(x->type == SQLITE_NULL, "%s row %d %s: wanted NULL (type %d)", rs->name,
                      row, col, x->type);
        return;
    }
    double got = x->type == SQLITE_FLOAT ? x->d : x->type == SQLITE_INTEGER ? (double)x->i : NAN;
    ck_assert_msg(x->type != SQLITE_NULL && close_to(got, want, 1e-9),
                  "%s row %d %s: got %.12g (type %d), wanted %.12g", rs->name, row, col, got,
                  x->type, want);
}

static void want_rows(const rset *rs, int n)
{
    ck_assert_msg(rs->nrow == n, "%s: %d rows, wanted %d", rs->name, rs->nrow, n);
}

/* Two results of the same query agree cell by cell. */
static void same_result(const rset *a, const rset *b)
{
    ck_assert_int_eq(a->ncol, b->ncol);
    want_rows(b, a->nrow);
    for (int i = 0; i < a->nrow * a->ncol; i++) {
        const cell *x = &a->cells[i], *y = &b->cells[i];
        ck_assert_msg(x->type == y->type, "%s: cell %d types differ", a->name, i);
        if (x->type == SQLITE_INTEGER) ck_assert_int_eq(x->i, y->i);
        if (x->type == SQLITE_FLOAT) ck_assert(close_to(x->d, y->d, 1e-6));
        if (x->type == SQLITE_TEXT) ck_assert_str_eq(x->s, y->s);
    }
}

/* ---- the file itself ---------------------------------------------------- */

static const char *const CHECKED[] = {
    "agent_pass_rate_trend", "worst_fields_latest_run", "module_regressions",
    "cost_per_agent_night", "flaky_transcripts", "open_recompile_triggers",
    "error_rate_per_night", "slowest_modules_latest_run", "latest_module_scores",
};
#define NCHECKED ((int)(sizeof CHECKED / sizeof CHECKED[0]))
static const char *const PARAMS[] = { ":nights", ":points", ":top", ":min_flips" };

START_TEST(test_file_format)
{
    ck_assert_msg(!load_error[0], "%s", load_error);
    ck_assert_int_ge(nqueries, 6);
    open_reader();
    for (int i = 0; i < nqueries; i++) {
        const query *q = &queries[i];
        ck_assert_msg(q->name[0], "query %d has no name", i);
        for (int j = 0; j < i; j++)
            ck_assert_msg(strcmp(queries[j].name, q->name) != 0, "two queries named %s", q->name);
        ck_assert_msg(q->ncomment >= 2 && q->title[0],
                      "%s: wants a title line and a description under its marker", q->name);
        bool checked = false;
        for (int c = 0; c < NCHECKED; c++) checked = checked || strcmp(CHECKED[c], q->name) == 0;
        ck_assert_msg(checked, "%s is in %s but has no checker in tests/check_queries.c",
                      q->name, QUERIES_FILE);
        /* Exactly one statement, known parameters only. */
        sqlite3_stmt *s = NULL;
        const char *tail = NULL;
        ck_assert_msg(sqlite3_prepare_v2(db, q->text, -1, &s, &tail) == SQLITE_OK && s,
                      "%s: %s", q->name, sqlite3_errmsg(db));
        ck_assert_msg(sqlite3_stmt_readonly(s), "%s writes", q->name);
        for (int p = 1; p <= sqlite3_bind_parameter_count(s); p++) {
            const char *pn = sqlite3_bind_parameter_name(s, p);
            bool known = false;
            for (size_t k = 0; pn && k < sizeof PARAMS / sizeof PARAMS[0]; k++)
                known = known || strcmp(pn, PARAMS[k]) == 0;
            ck_assert_msg(known, "%s: parameter %s is not one of :nights :points :top :min_flips",
                          q->name, pn ? pn : "?");
        }
        sqlite3_finalize(s);
        sqlite3_stmt *s2 = NULL;
        ck_assert_int_eq(sqlite3_prepare_v2(db, tail, -1, &s2, NULL), SQLITE_OK);
        ck_assert_msg(s2 == NULL, "%s holds more than one statement", q->name);
    }
    for (int c = 0; c < NCHECKED; c++)
        ck_assert_msg(find_query(CHECKED[c]), "%s lacks the query %s", QUERIES_FILE, CHECKED[c]);
    close_reader();
}
END_TEST

/* Unbound and blank ('', what Datasette sends for an empty form field)
 * parameters mean the default. */
START_TEST(test_defaults_unbound_blank)
{
    ck_assert_msg(!load_error[0], "%s", load_error);
    open_reader();
    for (int i = 0; i < nqueries; i++) {
        rset a = run_query(queries[i].name, BIND_TEXT, NULL);
        /* Every parameter the query has, bound to ''. */
        char names[8][32];
        const char *mine[17] = { NULL };
        sqlite3_stmt *s = NULL;
        ck_assert_int_eq(sqlite3_prepare_v2(db, queries[i].text, -1, &s, NULL), SQLITE_OK);
        int np = sqlite3_bind_parameter_count(s), k = 0;
        ck_assert_int_le(np, 8);
        for (int p = 1; p <= np; p++) {
            snprintf(names[p - 1], sizeof names[p - 1], "%s", sqlite3_bind_parameter_name(s, p) + 1);
            mine[k++] = names[p - 1];
            mine[k++] = "";
        }
        sqlite3_finalize(s);
        rset b = run_query(queries[i].name, BIND_TEXT, mine);
        same_result(&a, &b);
        rs_free(&a);
        rs_free(&b);
    }
    close_reader();
}
END_TEST

/* The README's copies of the queries (```sql blocks opening with a marker
 * line) are the file's text. docs/readme-sql.md must hold every query;
 * README.md, once the section is merged there, whichever it holds. */
static size_t trimmed_len(const char *s, size_t n)
{
    while (n > 0 && isspace((unsigned char)s[n - 1])) n--;
    return n;
}

static int check_markdown_copies(const char *path)
{
    char *md = slurp(path);
    if (!md) return -1;
    int found = 0;
    const char *open_fence = "```sql\n";
    for (const char *p = strstr(md, open_fence); p; p = strstr(p, open_fence)) {
        const char *body = p + strlen(open_fence);
        const char *end = strstr(body, "\n```");
        ck_assert_msg(end != NULL, "%s: an unclosed ```sql block", path);
        p = end + 4;
        if (strncmp(body, QUERY_MARK, strlen(QUERY_MARK)) != 0) continue;
        char name[64];
        size_t nl = strcspn(body + strlen(QUERY_MARK), "\r\n");
        snprintf(name, sizeof name, "%.*s", (int)nl, body + strlen(QUERY_MARK));
        const query *q = find_query(name);
        ck_assert_msg(q != NULL, "%s shows a query %s that %s does not have", path, name,
                      QUERIES_FILE);
        size_t a = trimmed_len(body, (size_t)(end - body)), b = trimmed_len(q->text, strlen(q->text));
        ck_assert_msg(a == b && memcmp(body, q->text, a) == 0,
                      "%s: the copy of %s differs from %s", path, name, QUERIES_FILE);
        found++;
    }
    free(md);
    return found;
}

START_TEST(test_readme_copies)
{
    ck_assert_msg(!load_error[0], "%s", load_error);
    int n = check_markdown_copies("docs/readme-sql.md");
    ck_assert_msg(n == nqueries, "docs/readme-sql.md shows %d of the %d queries", n, nqueries);
    check_markdown_copies("README.md");
}
END_TEST

/* ---- 1. agent_pass_rate_trend ------------------------------------------- */

static void check_trend(int nights, const char *const *params, enum bind_mode mode)
{
    rset rs = run_query("agent_pass_rate_trend", mode, params);
    want_cols(&rs, "night,started_at,run_id,agent,cases,passed,failed,errors,pass_rate");
    int row = 0, since = since_day(gen.nruns, nights);
    for (int a = 0; a < NAGENTS; a++) {
        for (int r = 0; r < gen.nruns; r++) {
            if (gen.runs[r].day < since || !agent_present(r, AGENTS[a])) continue;
            counts c = agent_counts(r, AGENTS[a]);
            eq_text(&rs, row, "night", gen.runs[r].night);
            eq_text(&rs, row, "started_at", gen.runs[r].started_at);
            eq_int(&rs, row, "run_id", gen.runs[r].id);
            eq_text(&rs, row, "agent", AGENTS[a]);
            eq_int(&rs, row, "cases", c.cases);
            eq_int(&rs, row, "passed", c.passed);
            eq_int(&rs, row, "failed", c.failed);
            eq_int(&rs, row, "errors", c.errors);
            eq_real(&rs, row, "pass_rate", rate(c));
            row++;
        }
    }
    want_rows(&rs, row);
    rs_free(&rs);
}

START_TEST(test_agent_pass_rate_trend)
{
    open_reader();
    check_trend(30, NULL, BIND_TEXT);
    const char *p7[] = { "nights", "7", NULL };
    check_trend(7, p7, BIND_TEXT);
    check_trend(7, p7, BIND_NUMBER);
    const char *p1[] = { "nights", "1", NULL };
    check_trend(1, p1, BIND_NUMBER);
    /* Night 15 had two runs: 16 nights back from night 30 reach it. */
    const char *p16[] = { "nights", "16", NULL };
    check_trend(16, p16, BIND_TEXT);
    const char *p400[] = { "nights", "400", NULL };
    check_trend(400, p400, BIND_TEXT);
    /* The planted regression shows in the trend: clinic-scheduling on
     * night 20 is well below its night 19. */
    rset rs = run_query("agent_pass_rate_trend", BIND_TEXT, NULL);
    double r19 = NAN, r20 = NAN;
    for (int i = 0; i < rs.nrow; i++) {
        if (strcmp(at(&rs, i, "agent")->s, "clinic-scheduling") != 0) continue;
        if (strcmp(at(&rs, i, "night")->s, "2026-10-19") == 0) r19 = at(&rs, i, "pass_rate")->d;
        if (strcmp(at(&rs, i, "night")->s, "2026-10-20") == 0) r20 = at(&rs, i, "pass_rate")->d;
    }
    ck_assert_msg(r19 - r20 > 0.25, "night 19 %.3f, night 20 %.3f", r19, r20);
    rs_free(&rs);
    close_reader();
}
END_TEST

/* ---- 2. worst_fields_latest_run ----------------------------------------- */

typedef struct fexp {
    int m, f;
    int64_t checks, passed;
    double accuracy;
} fexp;

static int fexp_cmp(const void *a, const void *b)
{
    const fexp *x = a, *y = b;
    if (x->accuracy != y->accuracy) return x->accuracy < y->accuracy ? -1 : 1;
    if (x->checks != y->checks) return x->checks > y->checks ? -1 : 1;
    int c = strcmp(MODS[x->m].agent, MODS[y->m].agent);
    if (c) return c;
    if ((c = strcmp(MODS[x->m].module, MODS[y->m].module))) return c;
    return strcmp(MODS[x->m].fields[x->f], MODS[y->m].fields[y->f]);
}

static void check_worst_fields(int top, const char *const *params, enum bind_mode mode)
{
    int r = gen.nruns - 1;
    fexp e[NMOD * MAXF];
    int n = 0;
    for (int m = 0; m < NMOD; m++) {
        if (!gen.runs[r].present[m]) continue;
        for (int f = 0; f < MODS[m].nf; f++) {
            fexp x = { m, f, 0, 0, 0 };
            for (int t = 0; t < NT; t++) {
                if (gen.cases[r][m][t].status == HX_ERROR) continue;
                x.checks++;
                x.passed += gen.cases[r][m][t].fpass[f];
            }
            if (!x.checks) continue;
            x.accuracy = (double)x.passed / (double)x.checks;
            e[n++] = x;
        }
    }
    qsort(e, (size_t)n, sizeof e[0], fexp_cmp);
    rset rs = run_query("worst_fields_latest_run", mode, params);
    want_cols(&rs, "agent,module,field,checks,passed,failed,accuracy");
    int want = n < top ? n : top;
    want_rows(&rs, want);
    for (int i = 0; i < want; i++) {
        eq_text(&rs, i, "agent", MODS[e[i].m].agent);
        eq_text(&rs, i, "module", MODS[e[i].m].module);
        eq_text(&rs, i, "field", MODS[e[i].m].fields[e[i].f]);
        eq_int(&rs, i, "checks", e[i].checks);
        eq_int(&rs, i, "passed", e[i].passed);
        eq_int(&rs, i, "failed", e[i].checks - e[i].passed);
        eq_real(&rs, i, "accuracy", e[i].accuracy);
    }
    rs_free(&rs);
}

START_TEST(test_worst_fields_latest_run)
{
    open_reader();
    check_worst_fields(20, NULL, BIND_TEXT);
    const char *p3[] = { "top", "3", NULL };
    check_worst_fields(3, p3, BIND_TEXT);
    check_worst_fields(3, p3, BIND_NUMBER);
    /* The night-30 regression (showing_extractor's address) is the worst. */
    rset rs = run_query("worst_fields_latest_run", BIND_TEXT, p3);
    eq_text(&rs, 0, "module", "showing_extractor");
    eq_text(&rs, 0, "field", "address");
    rs_free(&rs);
    close_reader();
}
END_TEST

/* ---- 3. module_regressions ---------------------------------------------- */

typedef struct rexp {
    int m, run, prev;
    double rate, median, drop;
} rexp;

static int dbl_cmp(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

static int rexp_cmp(const void *a, const void *b)
{
    const rexp *x = a, *y = b;
    if (x->drop != y->drop) return x->drop > y->drop ? -1 : 1;
    int c = strcmp(MODS[x->m].agent, MODS[y->m].agent);
    return c ? c : strcmp(MODS[x->m].module, MODS[y->m].module);
}

/* Over the first `upto` runs. Returns how many; fills out. */
static int expected_regressions(int upto, double points, rexp *out)
{
    int n = 0;
    int newest_day = gen.runs[upto - 1].day;
    for (int m = 0; m < NMOD; m++) {
        int scored[NRUNS], ns = 0;
        for (int r = 0; r < upto; r++)
            if (gen.runs[r].present[m] && !isnan(rate(mod_counts(r, m)))) scored[ns++] = r;
        if (ns < 2) continue;
        int last = scored[ns - 1];
        if (gen.runs[last].day != newest_day) continue;
        double prev[7];
        int np = 0;
        for (int k = ns - 2; k >= 0 && np < 7; k--) prev[np++] = rate(mod_counts(scored[k], m));
        qsort(prev, (size_t)np, sizeof prev[0], dbl_cmp);
        double median = np % 2 ? prev[np / 2] : (prev[np / 2 - 1] + prev[np / 2]) / 2.0;
        double latest = rate(mod_counts(last, m));
        double drop = 100.0 * (median - latest);
        /* The same IEEE operations as the query (a quotient of counts, the
         * mean of one or two of them, 100 * a difference), so a drop of
         * exactly the threshold compares the same way on both sides. */
        if (drop > points) out[n++] = (rexp){ m, last, np, latest, median, drop };
    }
    qsort(out, (size_t)n, sizeof out[0], rexp_cmp);
    return n;
}

static void check_regressions_on(sqlite3 *conn, int upto, double points,
                                 const char *const *params, enum bind_mode mode)
{
    rexp e[NMOD];
    int n = expected_regressions(upto, points, e);
    rset rs = run_on(conn, "module_regressions", mode, params);
    want_cols(&rs, "agent,module,run_id,night,pass_rate,median_pass_rate,previous_nights,"
                   "drop_points");
    want_rows(&rs, n);
    for (int i = 0; i < n; i++) {
        eq_text(&rs, i, "agent", MODS[e[i].m].agent);
        eq_text(&rs, i, "module", MODS[e[i].m].module);
        eq_int(&rs, i, "run_id", gen.runs[e[i].run].id);
        eq_text(&rs, i, "night", gen.runs[e[i].run].night);
        eq_real(&rs, i, "pass_rate", e[i].rate);
        eq_real(&rs, i, "median_pass_rate", e[i].median);
        eq_int(&rs, i, "previous_nights", e[i].prev);
        eq_real(&rs, i, "drop_points", e[i].drop);
    }
    rs_free(&rs);
}

START_TEST(test_module_regressions)
{
    open_reader();
    check_regressions_on(db, gen.nruns, 10.0, NULL, BIND_TEXT);
    const char *p5[] = { "points", "5", NULL };
    check_regressions_on(db, gen.nruns, 5.0, p5, BIND_NUMBER);
    const char *p25[] = { "points", "2.5", NULL };
    check_regressions_on(db, gen.nruns, 2.5, p25, BIND_TEXT);
    /* The planted night-30 regression is found by the default query. */
    rset rs = run_query("module_regressions", BIND_TEXT, NULL);
    ck_assert_int_ge(rs.nrow, 1);
    bool found = false;
    for (int i = 0; i < rs.nrow; i++)
        found = found || strcmp(at(&rs, i, "module")->s, "showing_extractor") == 0;
    ck_assert_msg(found, "the night-30 regression of showing_extractor is not listed");
    rs_free(&rs);
    close_reader();
}
END_TEST

/* The same query after every night of a database written night by night:
 * the night-20 regression is listed on night 20 and gone on night 21, and
 * the outage of night 12 (no pass rate) is skipped, not a regression. */
static int step_hits20;

static void after_night(int upto)
{
    sqlite3 *conn = NULL;
    ck_assert_int_eq(sqlite3_open_v2(stepdb, &conn, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
    check_regressions_on(conn, upto, 10.0, NULL, BIND_TEXT);
    const char *p3[] = { "points", "3", NULL };
    check_regressions_on(conn, upto, 3.0, p3, BIND_TEXT);
    rexp e[NMOD];
    int n = expected_regressions(upto, 10.0, e);
    int day = gen.runs[upto - 1].day;
    for (int i = 0; i < n; i++) {
        if (e[i].m == M_APPT) {
            ck_assert_int_eq(day, REGRESSION_DAY);
            step_hits20++;
        }
    }
    sqlite3_close(conn);
}

START_TEST(test_module_regressions_each_night)
{
    step_hits20 = 0;
    unlink(stepdb);
    build_db(stepdb, after_night);
    ck_assert_int_eq(step_hits20, 1);
}
END_TEST

/* ---- 4. cost_per_agent_night -------------------------------------------- */

static void check_cost(int nights, const char *const *params, enum bind_mode mode)
{
    rset rs = run_query("cost_per_agent_night", mode, params);
    want_cols(&rs, "night,agent,cases,prompt_tokens,completion_tokens,cost_usd");
    int row = 0, since = since_day(gen.nruns, nights);
    for (int day = since < 1 ? 1 : since; day <= NIGHTS; day++) {
        for (int a = 0; a < NAGENTS; a++) {
            int64_t cases = 0, pt = 0, ct = 0;
            double cost = 0;
            for (int r = 0; r < gen.nruns; r++) {
                if (gen.runs[r].day != day) continue;
                for (int m = 0; m < NMOD; m++) {
                    if (!gen.runs[r].present[m] || strcmp(MODS[m].agent, AGENTS[a]) != 0)
                        continue;
                    for (int t = 0; t < NT; t++) {
                        const case_def *c = &gen.cases[r][m][t];
                        cases++;
                        pt += c->prompt_tokens;
                        ct += c->completion_tokens;
                        cost += c->cost_usd;
                    }
                }
            }
            if (!cases) continue;
            char night[16];
            snprintf(night, sizeof night, "2026-10-%02d", day);
            eq_text(&rs, row, "night", night);
            eq_text(&rs, row, "agent", AGENTS[a]);
            eq_int(&rs, row, "cases", cases);
            eq_int(&rs, row, "prompt_tokens", pt);
            eq_int(&rs, row, "completion_tokens", ct);
            eq_real(&rs, row, "cost_usd", cost);
            row++;
        }
    }
    want_rows(&rs, row);
    rs_free(&rs);
}

START_TEST(test_cost_per_agent_night)
{
    open_reader();
    check_cost(30, NULL, BIND_TEXT);
    const char *p16[] = { "nights", "16", NULL };
    check_cost(16, p16, BIND_NUMBER);   /* reaches night 15 and its two runs */
    const char *p2[] = { "nights", "2", NULL };
    check_cost(2, p2, BIND_TEXT);
    close_reader();
}
END_TEST

/* ---- 5. flaky_transcripts ----------------------------------------------- */

typedef struct flexp {
    int m, t;
    int64_t runs, passed, failed, flips;
    int last;
} flexp;

static int flexp_cmp(const void *a, const void *b)
{
    const flexp *x = a, *y = b;
    if (x->flips != y->flips) return x->flips > y->flips ? -1 : 1;
    int c = strcmp(MODS[x->m].agent, MODS[y->m].agent);
    if (c) return c;
    if ((c = strcmp(MODS[x->m].module, MODS[y->m].module))) return c;
    return x->t - y->t;   /* ids are zero-padded: numeric order is text order */
}

static void check_flaky(int nights, int min_flips, const char *const *params,
                        enum bind_mode mode)
{
    static flexp e[NMOD * NT];
    int n = 0, since = since_day(gen.nruns, nights);
    for (int m = 0; m < NMOD; m++) {
        for (int t = 0; t < NT; t++) {
            flexp x = { m, t, 0, 0, 0, 0, -1 };
            int prev = -1;
            for (int r = 0; r < gen.nruns; r++) {
                if (gen.runs[r].day < since || !gen.runs[r].present[m]) continue;
                hx_status s = gen.cases[r][m][t].status;
                if (s == HX_ERROR) continue;
                x.runs++;
                if (s == HX_PASS) x.passed++;
                else x.failed++;
                if (prev >= 0 && (int)s != prev) x.flips++;
                prev = (int)s;
                x.last = r;
            }
            if (x.runs && x.flips >= min_flips) e[n++] = x;
        }
    }
    qsort(e, (size_t)n, sizeof e[0], flexp_cmp);
    rset rs = run_query("flaky_transcripts", mode, params);
    want_cols(&rs, "agent,module,transcript_id,runs,passed,failed,flips,last_run_id");
    want_rows(&rs, n);
    for (int i = 0; i < n; i++) {
        char id[32];
        tid(e[i].m, e[i].t, id);
        eq_text(&rs, i, "agent", MODS[e[i].m].agent);
        eq_text(&rs, i, "module", MODS[e[i].m].module);
        eq_text(&rs, i, "transcript_id", id);
        eq_int(&rs, i, "runs", e[i].runs);
        eq_int(&rs, i, "passed", e[i].passed);
        eq_int(&rs, i, "failed", e[i].failed);
        eq_int(&rs, i, "flips", e[i].flips);
        eq_int(&rs, i, "last_run_id", gen.runs[e[i].last].id);
    }
    rs_free(&rs);
}

START_TEST(test_flaky_transcripts)
{
    open_reader();
    check_flaky(14, 3, NULL, BIND_TEXT);
    const char *p[] = { "nights", "30", "min_flips", "1", NULL };
    check_flaky(30, 1, p, BIND_NUMBER);
    const char *q[] = { "nights", "5", "min_flips", "2", NULL };
    check_flaky(5, 2, q, BIND_TEXT);
    /* The planted flaky transcript leads the default list: it flips on
     * every one of the 14 runs of the window. */
    rset rs = run_query("flaky_transcripts", BIND_TEXT, NULL);
    ck_assert_int_ge(rs.nrow, 1);
    eq_text(&rs, 0, "transcript_id", "rest-0007");
    eq_int(&rs, 0, "flips", 13);
    rs_free(&rs);
    close_reader();
}
END_TEST

/* Both queries read what the store derives as cases are written (the cost
 * sums, the flips), so re-runs of older nights must leave them right: a
 * copy of the database gets 60 replaced cases in the runs of the last 20
 * nights, in random order, with new statuses and costs; gen follows, and
 * the expected answers are computed from it as above. */
START_TEST(test_flaky_and_cost_after_older_runs_rewritten)
{
    static case_def saved[NRUNS][NMOD][NT];
    memcpy(saved, gen.cases, sizeof saved);
    char path[400];
    snprintf(path, sizeof path, "%s/rewritten.db", tmpdir);
    unlink(path);
    build_db(path, NULL);
    hx_store *st = NULL;
    hx_error err = {{0}};
    ck_assert_msg(hx_store_open(path, &st, &err) == 0, "%s", err.msg);
    int done = 0;
    for (uint64_t i = 0; done < 60; i++) {
        int r = gen.nruns - 1 - (int)(h4(9, i, 0, 0) % 20);
        int m = (int)(h4(9, i, 1, 0) % NMOD), t = (int)(h4(9, i, 2, 0) % NT);
        if (!gen.runs[r].present[m]) continue;
        case_def *c = &gen.cases[r][m][t];
        uint64_t h = h4(9, i, 3, 0);
        c->status = h % 7 == 0 ? HX_ERROR : (hx_status)(h % 2);
        c->prompt_tokens = 100 + (int64_t)(h % 1000);
        c->completion_tokens = 10 + (int64_t)((h >> 16) % 100);
        c->cost_usd = (double)c->prompt_tokens * 0.15e-6 + (double)c->completion_tokens * 0.60e-6;
        c->latency_ms = 100.0 + (double)((h >> 32) % 1000);
        char id[32];
        tid(m, t, id);
        hx_case_result cr = { .agent = MODS[m].agent, .module = MODS[m].module,
                              .transcript_id = id, .status = c->status, .reason = "re-run",
                              .latency_ms = c->latency_ms, .prompt_tokens = c->prompt_tokens,
                              .completion_tokens = c->completion_tokens,
                              .cost_usd = c->cost_usd, .outputs_json = "{}" };
        ck_assert_msg(hx_store_case_add(st, gen.runs[r].id, &cr, &err) == 0, "%s", err.msg);
        done++;
    }
    hx_store_close(st);

    sqlite3 *main_db = db;
    ck_assert_int_eq(sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
    check_flaky(14, 3, NULL, BIND_TEXT);
    const char *p1[] = { "nights", "30", "min_flips", "1", NULL };
    check_flaky(30, 1, p1, BIND_NUMBER);
    const char *p2[] = { "nights", "7", "min_flips", "2", NULL };
    check_flaky(7, 2, p2, BIND_TEXT);
    check_cost(30, NULL, BIND_TEXT);
    const char *p3[] = { "nights", "10", NULL };
    check_cost(10, p3, BIND_TEXT);
    sqlite3_close(db);
    db = main_db;
    memcpy(gen.cases, saved, sizeof saved);
}
END_TEST

/* ---- 6. open_recompile_triggers ----------------------------------------- */

static double epoch_of(const char *iso)
{
    struct tm tm;
    memset(&tm, 0, sizeof tm);
    ck_assert_int_eq(sscanf(iso, "%d-%d-%dT%d:%d:%d", &tm.tm_year, &tm.tm_mon, &tm.tm_mday,
                            &tm.tm_hour, &tm.tm_min, &tm.tm_sec), 6);
    tm.tm_year -= 1900;
    tm.tm_mon -= 1;
    return (double)timegm(&tm);
}

START_TEST(test_open_recompile_triggers)
{
    open_reader();
    double t0 = (double)time(NULL);
    rset rs = run_query("open_recompile_triggers", BIND_TEXT, NULL);
    double t1 = (double)time(NULL) + 1.0;
    want_cols(&rs, "id,agent,module,run_id,status,pass_rate,bar,reason,created_at,hours_open");
    int row = 0;
    /* Triggers are generated oldest first. */
    for (int i = 0; i < NTRIG; i++) {
        const trig_def *tg = &gen.trig[i];
        if (strcmp(tg->final_status, "open") != 0 && strcmp(tg->final_status, "running") != 0)
            continue;
        eq_int(&rs, row, "id", tg->id);
        eq_text(&rs, row, "agent", MODS[tg->mod].agent);
        eq_text(&rs, row, "module", MODS[tg->mod].module);
        eq_int(&rs, row, "run_id", gen.runs[tg->run].id);
        eq_text(&rs, row, "status", tg->final_status);
        eq_real(&rs, row, "pass_rate", tg->pass_rate);
        eq_real(&rs, row, "bar", MODS[tg->mod].bar);
        eq_text(&rs, row, "created_at", tg->created_at);
        ck_assert_ptr_nonnull(strstr(at(&rs, row, "reason")->s, "below bar"));
        double h = at(&rs, row, "hours_open")->d, c = epoch_of(tg->created_at);
        ck_assert_msg(h >= (t0 - c) / 3600.0 - 1e-3 && h <= (t1 - c) / 3600.0 + 1e-3,
                      "hours_open %.4f, wanted %.4f", h, (t0 - c) / 3600.0);
        row++;
    }
    ck_assert_int_eq(row, 2);
    want_rows(&rs, row);
    rs_free(&rs);
    close_reader();
}
END_TEST

/* ---- 7. error_rate_per_night -------------------------------------------- */

static void check_errors(int nights, const char *const *params, enum bind_mode mode)
{
    rset rs = run_query("error_rate_per_night", mode, params);
    want_cols(&rs, "night,started_at,run_id,cases,errors,error_rate,outage");
    int row = 0, since = since_day(gen.nruns, nights), outages = 0;
    for (int r = 0; r < gen.nruns; r++) {
        if (gen.runs[r].day < since) continue;
        int64_t cases = 0, errors = 0;
        for (int m = 0; m < NMOD; m++) {
            counts c = mod_counts(r, m);
            cases += c.cases;
            errors += c.errors;
        }
        eq_text(&rs, row, "night", gen.runs[r].night);
        eq_text(&rs, row, "started_at", gen.runs[r].started_at);
        eq_int(&rs, row, "run_id", gen.runs[r].id);
        eq_int(&rs, row, "cases", cases);
        eq_int(&rs, row, "errors", errors);
        eq_real(&rs, row, "error_rate", (double)errors / (double)cases);
        eq_int(&rs, row, "outage", (double)errors > 0.10 * (double)cases);
        outages += (double)errors > 0.10 * (double)cases;
        row++;
    }
    want_rows(&rs, row);
    if (since <= OUTAGE_DAY) ck_assert_int_eq(outages, 1);
    rs_free(&rs);
}

START_TEST(test_error_rate_per_night)
{
    open_reader();
    check_errors(30, NULL, BIND_TEXT);
    const char *p[] = { "nights", "19", NULL };
    check_errors(19, p, BIND_NUMBER);
    const char *q[] = { "nights", "3", NULL };
    check_errors(3, q, BIND_TEXT);
    close_reader();
}
END_TEST

/* ---- 8. slowest_modules_latest_run -------------------------------------- */

typedef struct lexp {
    int m;
    int64_t n;
    double avg, p95, max;
} lexp;

static int lexp_cmp(const void *a, const void *b)
{
    const lexp *x = a, *y = b;
    if (x->p95 != y->p95) return x->p95 > y->p95 ? -1 : 1;
    int c = strcmp(MODS[x->m].agent, MODS[y->m].agent);
    return c ? c : strcmp(MODS[x->m].module, MODS[y->m].module);
}

START_TEST(test_slowest_modules_latest_run)
{
    int r = gen.nruns - 1;
    lexp e[NMOD];
    int n = 0;
    for (int m = 0; m < NMOD; m++) {
        if (!gen.runs[r].present[m]) continue;
        double v[NT], sum = 0;
        int k = 0;
        for (int t = 0; t < NT; t++) {
            double l = gen.cases[r][m][t].latency_ms;
            if (l > 0) { v[k++] = l; sum += l; }
        }
        if (!k) continue;
        qsort(v, (size_t)k, sizeof v[0], dbl_cmp);
        int rank = (k * 95 + 99) / 100;   /* ceil(0.95 k) */
        e[n++] = (lexp){ m, k, sum / k, v[rank - 1], v[k - 1] };
    }
    qsort(e, (size_t)n, sizeof e[0], lexp_cmp);
    open_reader();
    rset rs = run_query("slowest_modules_latest_run", BIND_TEXT, NULL);
    want_cols(&rs, "agent,module,cases,avg_ms,p95_ms,max_ms");
    want_rows(&rs, n);
    for (int i = 0; i < n; i++) {
        eq_text(&rs, i, "agent", MODS[e[i].m].agent);
        eq_text(&rs, i, "module", MODS[e[i].m].module);
        eq_int(&rs, i, "cases", e[i].n);
        eq_real(&rs, i, "avg_ms", e[i].avg);
        eq_real(&rs, i, "p95_ms", e[i].p95);
        eq_real(&rs, i, "max_ms", e[i].max);
    }
    rs_free(&rs);
    close_reader();
}
END_TEST

/* ---- 9. latest_module_scores -------------------------------------------- */

START_TEST(test_latest_module_scores)
{
    int r = gen.nruns - 1;
    int order[NMOD], n = 0;
    /* below_bar first, then (agent, module): MODS is in that order. */
    for (int pass = 1; pass >= 0; pass--) {
        for (int m = 0; m < NMOD; m++) {
            if (!gen.runs[r].present[m]) continue;
            double pr = rate(mod_counts(r, m));
            int below = !isnan(pr) && pr < MODS[m].bar;
            if (below == pass) order[n++] = m;
        }
    }
    open_reader();
    rset rs = run_query("latest_module_scores", BIND_TEXT, NULL);
    want_cols(&rs, "agent,module,run_id,program_sha256,cases,passed,failed,errors,pass_rate,"
                   "bar,below_bar,previous_run_id,previous_pass_rate,delta");
    want_rows(&rs, n);
    for (int i = 0; i < n; i++) {
        int m = order[i], prev = -1;
        for (int k = r - 1; k >= 0 && prev < 0; k--)
            if (gen.runs[k].present[m]) prev = k;
        counts c = mod_counts(r, m);
        double pr = rate(c), pp = prev >= 0 ? rate(mod_counts(prev, m)) : NAN;
        eq_text(&rs, i, "agent", MODS[m].agent);
        eq_text(&rs, i, "module", MODS[m].module);
        eq_int(&rs, i, "run_id", gen.runs[r].id);
        char sha[72];
        eq_text(&rs, i, "program_sha256", sha_of(gen.runs[r].day, m, sha));
        eq_int(&rs, i, "cases", c.cases);
        eq_int(&rs, i, "passed", c.passed);
        eq_int(&rs, i, "failed", c.failed);
        eq_int(&rs, i, "errors", c.errors);
        eq_real(&rs, i, "pass_rate", pr);
        eq_real(&rs, i, "bar", MODS[m].bar);
        eq_int(&rs, i, "below_bar", !isnan(pr) && pr < MODS[m].bar);
        if (prev >= 0) eq_int(&rs, i, "previous_run_id", gen.runs[prev].id);
        else eq_real(&rs, i, "previous_run_id", NAN);
        eq_real(&rs, i, "previous_pass_rate", pp);
        eq_real(&rs, i, "delta", pr - pp);
    }
    /* The planted night-30 regression is below its bar and fell. */
    bool seen = false;
    for (int i = 0; i < rs.nrow; i++) {
        if (strcmp(at(&rs, i, "module")->s, "showing_extractor") != 0) continue;
        seen = true;
        eq_int(&rs, i, "below_bar", 1);
        ck_assert(at(&rs, i, "delta")->d < -0.2);
    }
    ck_assert(seen);
    rs_free(&rs);
    close_reader();
}
END_TEST

Suite *make_suite(void)
{
    Suite *s = suite_create("queries");
    TCase *tc = tcase_create("queries");
    tcase_add_unchecked_fixture(tc, suite_setup, suite_teardown);
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, test_file_format);
    tcase_add_test(tc, test_defaults_unbound_blank);
    tcase_add_test(tc, test_readme_copies);
    tcase_add_test(tc, test_agent_pass_rate_trend);
    tcase_add_test(tc, test_worst_fields_latest_run);
    tcase_add_test(tc, test_module_regressions);
    tcase_add_test(tc, test_module_regressions_each_night);
    tcase_add_test(tc, test_cost_per_agent_night);
    tcase_add_test(tc, test_flaky_transcripts);
    tcase_add_test(tc, test_flaky_and_cost_after_older_runs_rewritten);
    tcase_add_test(tc, test_open_recompile_triggers);
    tcase_add_test(tc, test_error_rate_per_night);
    tcase_add_test(tc, test_slowest_modules_latest_run);
    tcase_add_test(tc, test_latest_module_scores);
    suite_add_tcase(s, tc);
    return s;
}

HX_TEST_MAIN()
