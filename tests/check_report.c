/*
 * check_report.c — unit tests for `harness report` (report.h and its four
 * renderers).
 *
 * Each test builds a database through the store API (store.h) with numbers
 * chosen by hand, loads the report, renders it into memory and checks what
 * a reader would see: the numbers below are worked out from the cases the
 * fixture adds, never read back from the report code. Strings a module or
 * a caller could have produced carry markup (<script>, &, quotes, control
 * characters, invalid UTF-8) to prove every format escapes them.
 *
 * The fixture, two runs:
 *   run 1  alpha/m1 (bar 0.8):  t1 t2 t3 pass, t4 fail (date)      -> 3/4 = 75 %
 *          beta<&>/m2 (bar 0.5): u1 pass, u2 error                 -> 1/1 = 100 %
 *   run 2  alpha/m1 (bar 0.8):  t1 t2 pass, t3 fail (date),
 *                               t4 fail (date and time), t5 error  -> 2/4 = 50 %
 *          beta<&>/m2 (bar 0.5): u1 u2 pass                        -> 2/2 = 100 %
 *   run 2 in all: 7 cases, 4 pass, 2 fail, 1 error -> 4/6 = 66.7 %; 1 of 2
 *   modules below its bar; alpha's Δ = 50 - 75 = -25 pp.
 *   Fields of alpha/m1: run 1 date 3/4, time 4/4; run 2 date 2/4, time 3/4.
 *   Every case: 100 prompt + 10 completion tokens, $0.001; run 2 latencies
 *   10, 20, 30, 40, 50 (alpha) and 60, 70 (beta) ms: mean 40, p95 70.
 *   One recompile trigger on run 2 for alpha/m1, done and promoted.
 */
#include "test_util.h"
#include "report.h"
#include "store.h"

#include <cjson/cJSON.h>
#include <dirent.h>
#include <math.h>
#include <sqlite3.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

Suite *make_suite(void);

/* The malicious strings: what an LM or a caller could put in a value. */
#define EVIL_ID     "t4<script>alert(1)</script>&\"q'"
#define EVIL_SCRIPT "<script>window.__xss=1</script>"
#define EVIL_IMG    "<img src=x onerror=\"window.__xss=2\">"

/* ---- fixture: a temporary directory per test ------------------------------------ */

static char tmpdir[256];
static char dbpath[320];

static void setup(void)
{
    snprintf(tmpdir, sizeof tmpdir, "/tmp/hx_report_XXXXXX");
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
            if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, "..")) continue;
            snprintf(p, sizeof p, "%s/%s", tmpdir, e->d_name);
            unlink(p);
        }
        closedir(d);
    }
    rmdir(tmpdir);
}

/* ---- building the database -------------------------------------------------------- */

static int64_t begin_run(hx_store *st, const char *started_at)
{
    hx_run_info info = {.kind = "run", .suite_path = "suite.json", .lm_model = "openai/test-lm",
                        .started_at = started_at};
    int64_t id = 0;
    hx_error err = {{0}};
    ck_assert_msg(hx_store_run_begin(st, &info, &id, &err) == 0, "%s", err.msg);
    return id;
}

static void module(hx_store *st, int64_t run, const char *agent, const char *mod, const char *sha, double bar)
{
    hx_error err = {{0}};
    ck_assert_msg(hx_store_module_begin(st, run, agent, mod, sha, bar, &err) == 0, "%s", err.msg);
}

static hx_field_result fr(const char *field, bool pass, const char *expected, const char *raw, const char *actual,
                          const char *reason)
{
    hx_field_result f = {.field = field, .pass = pass, .expected = expected, .actual_raw = raw,
                         .actual = actual, .reason = pass ? "" : reason};
    return f;
}

static void add_case(hx_store *st, int64_t run, const char *agent, const char *mod, const char *tid,
                     hx_status status, const char *reason, double latency, size_t nf, const hx_field_result *f)
{
    hx_case_result cr = {.agent = agent, .module = mod, .transcript_id = tid, .status = status,
                         .reason = reason, .latency_ms = latency, .prompt_tokens = 100,
                         .completion_tokens = 10, .cost_usd = 0.001, .outputs_json = NULL,
                         .nfields = nf, .fields = f};
    hx_error err = {{0}};
    ck_assert_msg(hx_store_case_add(st, run, &cr, &err) == 0, "%s", err.msg);
}

/* A passing case of alpha/m1 (date and time right). */
static void alpha_pass(hx_store *st, int64_t run, const char *tid, double latency)
{
    hx_field_result f[2] = {fr("date", true, "2026-11-21", "\"2026-11-21\"", "2026-11-21", ""),
                            fr("time", true, "19:30", "\"19:30\"", "19:30", "")};
    add_case(st, run, "alpha", "m1", tid, HX_PASS, "", latency, 2, f);
}

static void end_run(hx_store *st, int64_t run)
{
    hx_error err = {{0}};
    ck_assert_msg(hx_store_run_end(st, run, "finished", &err) == 0, "%s", err.msg);
}

static void build_run1(hx_store *st)
{
    int64_t run = begin_run(st, "2026-11-20T02:00:00Z");
    hx_field_result t4[2] = {fr("date", false, "2026-11-21", "\"tomorrow\"", NULL, "expected 2026-11-21, got \"tomorrow\""),
                             fr("time", true, "19:30", "\"19:30\"", "19:30", "")};
    module(st, run, "alpha", "m1", "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", 0.8);
    module(st, run, "beta<&>", "m2", NULL, 0.5);
    alpha_pass(st, run, "t1", 5);
    alpha_pass(st, run, "t2", 5);
    alpha_pass(st, run, "t3", 5);
    add_case(st, run, "alpha", "m1", EVIL_ID, HX_FAIL, t4[0].reason, 5, 2, t4);
    add_case(st, run, "beta<&>", "m2", "u1", HX_PASS, "", 5, 0, NULL);
    add_case(st, run, "beta<&>", "m2", "u2", HX_ERROR, "HTTP 503", 5, 0, NULL);
    end_run(st, run);
}

static void build_run2(hx_store *st)
{
    int64_t run = begin_run(st, "2026-11-21T02:00:00Z");
    hx_field_result t3[2] = {fr("date", false, "2026-11-21", "\"2026-11-28\"", "2026-11-28",
                                "expected 2026-11-21, got 2026-11-28: a week late"),
                             fr("time", true, "19:30", "\"19:30\"", "19:30", "")};
    /* The worst case: both fields wrong, with markup, quotes, control
     * characters and a byte that is not UTF-8 in what the "model" said. */
    hx_field_result t4[2] = {fr("date", false, "null", "\"" EVIL_IMG "\"", NULL,
                                "expected no value, got \"" EVIL_IMG "\": invented value & more"),
                             fr("time", false, "19:30", "\"" EVIL_SCRIPT "\"", NULL,
                                "expected 19:30, got " EVIL_SCRIPT " 'quoted'\x01\x1b[31m bad\xff byte\nline 2")};
    module(st, run, "alpha", "m1", "bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb", 0.8);
    module(st, run, "beta<&>", "m2", NULL, 0.5);
    alpha_pass(st, run, "t1", 10);
    alpha_pass(st, run, "t2", 20);
    add_case(st, run, "alpha", "m1", "t3", HX_FAIL, t3[0].reason, 30, 2, t3);
    add_case(st, run, "alpha", "m1", EVIL_ID, HX_FAIL, t4[0].reason, 40, 2, t4);
    add_case(st, run, "alpha", "m1", "t5", HX_ERROR, "timeout after 60 s", 50, 0, NULL);
    add_case(st, run, "beta<&>", "m2", "u1", HX_PASS, "", 60, 0, NULL);
    add_case(st, run, "beta<&>", "m2", "u2", HX_PASS, "", 70, 0, NULL);
    {
        hx_recompile_info info = {.agent = "alpha", .module = "m1", .pass_rate = 0.5, .bar = 0.8,
                                  .reason = "pass rate 50.0% < bar 80.0% <b>bold</b>",
                                  .created_at = "2026-11-21T02:05:00Z"};
        hx_recompile_step step = {.status = "done", .old_program_sha256 = NULL, .new_program_sha256 = NULL,
                                  .old_score = 0.5, .new_score = 0.7, .promoted = 1};
        int64_t id = 0;
        hx_error err = {{0}};
        ck_assert_msg(hx_store_recompile_open(st, run, &info, &id, &err) == 0, "%s", err.msg);
        ck_assert_msg(hx_store_recompile_update(st, id, &step, &err) == 0, "%s", err.msg);
    }
    end_run(st, run);
}

static void build_db(void)
{
    hx_store *st = NULL;
    hx_error err = {{0}};
    ck_assert_msg(hx_store_open(dbpath, &st, &err) == 0, "%s", err.msg);
    build_run1(st);
    build_run2(st);
    hx_store_close(st);
}

static hx_report *load(int64_t run, int last, int worst)
{
    hx_report_opts o = {.run_id = run, .last = last, .worst = worst};
    hx_report *r = NULL;
    hx_error err = {{0}};
    ck_assert_msg(hx_report_load(dbpath, &o, &r, &err) == 0, "%s", err.msg);
    ck_assert_ptr_nonnull(r);
    return r;
}

/* Render with fn into a malloc'd string. */
static char *render(hx_report *r, int (*fn)(hx_report *, FILE *, hx_error *))
{
    char *buf = NULL;
    size_t n = 0;
    FILE *f = open_memstream(&buf, &n);
    hx_error err = {{0}};
    ck_assert_ptr_nonnull(f);
    ck_assert_msg(fn(r, f, &err) == 0, "%s", err.msg);
    fclose(f);
    return buf;
}

static size_t count(const char *hay, const char *needle)
{
    size_t n = 0;
    for (const char *p = hay; (p = strstr(p, needle)); p += strlen(needle)) n++;
    return n;
}

static const cJSON *get(const cJSON *o, const char *k)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, k);
    ck_assert_msg(v != NULL, "no \"%s\"", k);
    return v;
}

#define ck_assert_close(x, y) ck_assert_msg(fabs((x) - (y)) < 1e-9, "%s = %.12g, wanted %.12g", #x, (double)(x), (double)(y))

/* ---- loading -------------------------------------------------------------------------- */

START_TEST(load_run_facts)
{
    build_db();
    hx_report *r = load(0, 30, 20);
    ck_assert_int_eq(r->run.run_id, 2);
    ck_assert_str_eq(r->run.lm_model, "openai/test-lm");
    ck_assert_str_eq(r->run.started_at, "2026-11-21T02:00:00Z");
    ck_assert_str_eq(r->run.status, "finished");
    ck_assert_ptr_nonnull(r->run.finished_at);
    ck_assert_msg(!isnan(r->run.duration_s), "duration of a finished run");
    ck_assert_int_eq(r->run.cases, 7);
    ck_assert_int_eq(r->run.passed, 4);
    ck_assert_int_eq(r->run.failed, 2);
    ck_assert_int_eq(r->run.errors, 1);
    ck_assert_close(r->run.pass_rate, 4.0 / 6.0);
    ck_assert_int_eq(r->run.prompt_tokens, 700);
    ck_assert_int_eq(r->run.completion_tokens, 70);
    ck_assert_close(r->run.cost_usd, 0.007);
    ck_assert_close(r->run.latency_ms_mean, 40.0);
    ck_assert_close(r->run.latency_ms_p95, 70.0);
    ck_assert_int_eq(r->run.previous_run_id, 1);
    ck_assert_uint_eq(r->run.modules_below, 1);
    hx_report_free(r);
}
END_TEST

START_TEST(load_modules_delta_status)
{
    build_db();
    hx_report *r = load(0, 30, 20);
    ck_assert_uint_eq(r->nmodules, 2);
    const hx_report_module *a = &r->modules[0], *b = &r->modules[1];
    ck_assert_str_eq(a->agent, "alpha");
    ck_assert_int_eq(a->cases, 5);
    ck_assert_int_eq(a->passed, 2);
    ck_assert_int_eq(a->failed, 2);
    ck_assert_int_eq(a->errors, 1);
    ck_assert_close(a->pass_rate, 0.5);
    ck_assert_close(a->prev_pass_rate, 0.75);
    ck_assert_close(a->delta, -0.25);
    ck_assert_int_eq(a->prev_run_id, 1);
    ck_assert_str_eq(a->status, "below");
    ck_assert(a->below_bar);
    ck_assert(a->program_changed);                  /* aaaa... -> bbbb... */
    ck_assert_close(a->latency_ms_total, 150.0);    /* 10+20+30+40+50 */
    ck_assert_str_eq(b->agent, "beta<&>");
    ck_assert_close(b->pass_rate, 1.0);
    ck_assert_close(b->delta, 0.0);
    ck_assert_str_eq(b->status, "ok");
    ck_assert(!b->program_changed);                 /* no hash either time */
    hx_report_free(r);
}
END_TEST

START_TEST(load_agents_trend)
{
    build_db();
    hx_report *r = load(0, 30, 20);
    ck_assert_uint_eq(r->nagents, 2);
    const hx_report_agent *a = &r->agents[0];
    ck_assert_str_eq(a->agent, "alpha");
    ck_assert_close(a->bar, 0.8);
    ck_assert_uint_eq(a->ntrend, 2);
    ck_assert_int_eq(a->trend[0].run_id, 1);   /* oldest first */
    ck_assert_close(a->trend[0].pass_rate, 0.75);
    ck_assert_int_eq(a->trend[1].run_id, 2);
    ck_assert_close(a->trend[1].pass_rate, 0.5);
    hx_report_free(r);
    r = load(0, 1, 20);                        /* --last 1 */
    ck_assert_uint_eq(r->agents[0].ntrend, 1);
    ck_assert_int_eq(r->agents[0].trend[0].run_id, 2);
    hx_report_free(r);
}
END_TEST

START_TEST(load_fields_and_worst)
{
    build_db();
    hx_report *r = load(0, 30, 20);
    /* alpha's fields, least accurate first, then beta has none. */
    ck_assert_uint_eq(r->nfields, 2);
    ck_assert_str_eq(r->fields[0].field, "date");
    ck_assert_int_eq(r->fields[0].checks, 4);
    ck_assert_int_eq(r->fields[0].passed, 2);
    ck_assert_close(r->fields[0].accuracy, 0.5);
    ck_assert_close(r->fields[0].prev_accuracy, 0.75);
    ck_assert_str_eq(r->fields[1].field, "time");
    ck_assert_close(r->fields[1].accuracy, 0.75);
    ck_assert_close(r->fields[1].prev_accuracy, 1.0);
    /* Worst: two failing fields, then one, then the error. */
    ck_assert(r->has_field_details);
    ck_assert_uint_eq(r->nworst, 3);
    ck_assert_str_eq(r->worst_cases[0].transcript_id, EVIL_ID);
    ck_assert_uint_eq(r->worst_cases[0].nchecks, 2);
    ck_assert_str_eq(r->worst_cases[0].checks[0].field, "date");
    ck_assert_str_eq(r->worst_cases[0].checks[0].actual_raw, "\"" EVIL_IMG "\"");
    ck_assert_ptr_null(r->worst_cases[0].checks[0].actual);
    ck_assert_str_eq(r->worst_cases[0].prev_status, "fail");
    ck_assert_str_eq(r->worst_cases[1].transcript_id, "t3");
    ck_assert_str_eq(r->worst_cases[1].prev_status, "pass");  /* a new failure */
    ck_assert_str_eq(r->worst_cases[2].transcript_id, "t5");
    ck_assert_str_eq(r->worst_cases[2].status, "error");
    ck_assert_uint_eq(r->worst_cases[2].nchecks, 0);
    /* The byte that is not UTF-8 came back as U+FFFD. */
    ck_assert_ptr_nonnull(strstr(r->worst_cases[0].checks[1].reason, "bad\xEF\xBF\xBD byte"));
    hx_report_free(r);
    r = load(0, 30, 1);                        /* --worst 1 */
    ck_assert_uint_eq(r->nworst, 1);
    hx_report_free(r);
}
END_TEST

START_TEST(load_triggers)
{
    build_db();
    hx_report *r = load(0, 30, 20);
    ck_assert_uint_eq(r->ntriggers, 1);
    ck_assert_str_eq(r->triggers[0].status, "done");
    ck_assert_int_eq(r->triggers[0].promoted, 1);
    ck_assert_close(r->triggers[0].new_score, 0.7);
    ck_assert_ptr_nonnull(r->triggers[0].finished_at);
    hx_report_free(r);
    r = load(1, 30, 20);                       /* run 1 predates the trigger */
    ck_assert_uint_eq(r->ntriggers, 0);
    hx_report_free(r);
}
END_TEST

START_TEST(load_older_run)
{
    build_db();
    hx_report *r = load(1, 30, 20);
    ck_assert_int_eq(r->run.run_id, 1);
    ck_assert_int_eq(r->run.previous_run_id, 0);
    ck_assert_msg(isnan(r->modules[0].delta), "no previous run, no delta");
    ck_assert_int_eq(r->modules[0].prev_run_id, 0);
    ck_assert_uint_eq(r->agents[0].ntrend, 1);
    ck_assert_close(r->run.pass_rate, 4.0 / 5.0);  /* 3+1 pass, 1 fail, 1 error */
    hx_report_free(r);
}
END_TEST

/* A third run in which beta/m2 only errs: no pass rate anywhere. */
static void build_run3_all_errors(void)
{
    hx_store *st = NULL;
    hx_error err = {{0}};
    ck_assert_msg(hx_store_open(dbpath, &st, &err) == 0, "%s", err.msg);
    int64_t run = begin_run(st, "2026-11-22T02:00:00Z");
    module(st, run, "beta<&>", "m2", NULL, 0.5);
    add_case(st, run, "beta<&>", "m2", "u1", HX_ERROR, "HTTP 503", 0, 0, NULL);
    add_case(st, run, "beta<&>", "m2", "u2", HX_ERROR, "HTTP 503", 0, 0, NULL);
    end_run(st, run);
    hx_store_close(st);
}

static void assert_no_nan(const char *what, const char *text)
{
    for (const char *p = text; *p; p++)
        ck_assert_msg(strncasecmp(p, "nan", 3) != 0, "%s prints a NaN: %.80s", what, p > text + 20 ? p - 20 : text);
}

START_TEST(all_errors_run_has_no_score)
{
    build_db();
    build_run3_all_errors();
    hx_report *r = load(0, 30, 20);
    ck_assert_int_eq(r->run.run_id, 3);
    ck_assert_uint_eq(r->nmodules, 1);
    ck_assert_str_eq(r->modules[0].status, "none");
    ck_assert(!r->modules[0].below_bar);
    ck_assert_msg(isnan(r->modules[0].pass_rate) && isnan(r->modules[0].delta), "no rate, no delta");
    ck_assert_msg(isnan(r->run.pass_rate), "no run pass rate");
    ck_assert_msg(isnan(r->run.latency_ms_mean) && isnan(r->run.latency_ms_p95), "no LM latency");
    ck_assert_uint_eq(r->agents[0].ntrend, 3);
    ck_assert_msg(isnan(r->agents[0].trend[2].pass_rate), "a gap in the trend");
    char *h = render(r, hx_report_html), *m = render(r, hx_report_markdown), *x = render(r, hx_report_junit),
         *j = render(r, hx_report_json);
    assert_no_nan("html", h);
    assert_no_nan("markdown", m);
    assert_no_nan("junit", x);
    assert_no_nan("json", j);
    ck_assert_uint_eq(count(h, "<circle class=\"pt"), 2);   /* runs 1 and 2; run 3 has no rate */
    ck_assert_ptr_nonnull(strstr(h, "no score"));
    ck_assert_ptr_nonnull(strstr(x, "errors=\"2\""));
    /* regression: the headline said "every module at or above its bar" with ✅ */
    ck_assert_ptr_null(strstr(m, "every module at or above its bar"));
    ck_assert_ptr_nonnull(strstr(m, "1 of 1 modules with no score"));
    ck_assert_ptr_null(strstr(m, "### \xE2\x9C\x85"));
    cJSON *o = cJSON_Parse(j);
    ck_assert_ptr_nonnull(o);
    ck_assert(cJSON_IsNull(get(get(o, "run"), "pass_rate")));
    cJSON_Delete(o);
    free(h);
    free(m);
    free(x);
    free(j);
    hx_report_free(r);
}
END_TEST

/* ---- refusing what is not a report ----------------------------------------------- */

static void load_fails(int64_t run, const char *want)
{
    hx_report_opts o = {.run_id = run, .last = 30, .worst = 20};
    hx_report *r = (hx_report *)1;
    hx_error err = {{0}};
    ck_assert_int_eq(hx_report_load(dbpath, &o, &r, &err), -1);
    ck_assert_ptr_null(r);
    ck_assert_msg(strstr(err.msg, dbpath) != NULL, "message names the file: %s", err.msg);
    ck_assert_msg(strstr(err.msg, want) != NULL, "wanted \"%s\" in: %s", want, err.msg);
}

START_TEST(missing_db_not_created)
{
    struct stat sb;
    load_fails(0, "no such database");
    ck_assert_int_ne(stat(dbpath, &sb), 0);
}
END_TEST

START_TEST(not_a_database)
{
    FILE *f = fopen(dbpath, "w");
    ck_assert_ptr_nonnull(f);
    fputs("this is a text file, long enough to look like a header of something else entirely\n", f);
    fclose(f);
    load_fails(0, "not a harness database");
}
END_TEST

START_TEST(empty_file)
{
    FILE *f = fopen(dbpath, "w");
    ck_assert_ptr_nonnull(f);
    fclose(f);
    load_fails(0, "the file is empty");
}
END_TEST

START_TEST(another_applications_database)
{
    sqlite3 *db;
    ck_assert_int_eq(sqlite3_open(dbpath, &db), SQLITE_OK);
    ck_assert_int_eq(sqlite3_exec(db, "CREATE TABLE t (x)", NULL, NULL, NULL), SQLITE_OK);
    sqlite3_close(db);
    load_fails(0, "not a harness database");
}
END_TEST

START_TEST(empty_and_unknown_run)
{
    hx_store *st = NULL;
    hx_error err = {{0}};
    ck_assert_msg(hx_store_open(dbpath, &st, &err) == 0, "%s", err.msg);
    hx_store_close(st);
    load_fails(0, "holds no runs yet");
    build_db();
    load_fails(99, "no run 99");
}
END_TEST

/* ---- HTML --------------------------------------------------------------------------- */

START_TEST(html_structure)
{
    build_db();
    hx_report *r = load(0, 30, 20);
    char *h = render(r, hx_report_html);
    ck_assert_ptr_nonnull(strstr(h, "<!DOCTYPE html>"));
    ck_assert_uint_eq(count(h, "<svg class=\"trend\""), 2);
    ck_assert_ptr_nonnull(strstr(h, "<svg class=\"trend\" data-agent=\"alpha\""));
    ck_assert_ptr_nonnull(strstr(h, "<svg class=\"trend\" data-agent=\"beta&lt;&amp;&gt;\""));
    ck_assert_uint_eq(count(h, "<path class=\"rate\""), 2);
    ck_assert_uint_eq(count(h, "<line class=\"bar\" data-bar=\"0.8000\""), 1);
    ck_assert_ptr_nonnull(strstr(h, "<table id=\"modules\">"));
    ck_assert_ptr_nonnull(strstr(h, "<table id=\"fields\">"));
    ck_assert_ptr_nonnull(strstr(h, "<table id=\"worst\">"));
    ck_assert_ptr_nonnull(strstr(h, "<table id=\"recompiles\">"));
    ck_assert_uint_eq(count(h, "<tr class=\"module "), 2);
    ck_assert_uint_eq(count(h, "<tr class=\"fieldrow\""), 1);
    ck_assert_uint_eq(count(h, "<tr class=\"case "), 3);
    ck_assert_uint_eq(count(h, "<tr class=\"trigger\""), 1);
    /* Numbers worked out by hand. */
    ck_assert_ptr_nonnull(strstr(h, "66.7% of 7 cases pass"));
    ck_assert_ptr_nonnull(strstr(h, "1 of 2 modules below their bar"));
    ck_assert_ptr_nonnull(strstr(h, "\xE2\x88\x92" "25.0 pp"));      /* alpha's Δ */
    ck_assert_ptr_nonnull(strstr(h, "data-accuracy=\"0.5000\""));     /* date */
    ck_assert_ptr_nonnull(strstr(h, "700 prompt + 70 completion"));
    ck_assert_ptr_nonnull(strstr(h, "$0.0070"));
    ck_assert_ptr_nonnull(strstr(h, "40 ms mean, 70 ms p95"));
    ck_assert_ptr_nonnull(strstr(h, "new failure"));                 /* t3 */
    /* Self-contained: nothing fetched, nothing run. */
    ck_assert_ptr_null(strstr(h, "<script"));
    ck_assert_ptr_null(strstr(h, "<img"));
    ck_assert_ptr_null(strstr(h, "<link"));
    ck_assert_ptr_null(strstr(h, "href="));
    /* The only URL is the SVG namespace name, which nothing fetches. */
    ck_assert_uint_eq(count(h, "://"), count(h, "xmlns=\"http://www.w3.org/2000/svg\""));
    ck_assert_ptr_null(strstr(h, "url("));
    ck_assert_ptr_null(strstr(h, "@import"));
    free(h);
    hx_report_free(r);
}
END_TEST

START_TEST(html_escapes_everything)
{
    build_db();
    hx_report *r = load(0, 30, 20);
    char *h = render(r, hx_report_html);
    ck_assert_ptr_nonnull(strstr(h, "&lt;script&gt;window.__xss=1&lt;/script&gt;"));
    ck_assert_ptr_nonnull(strstr(h, "&lt;img src=x onerror=&quot;window.__xss=2&quot;&gt;"));
    ck_assert_ptr_nonnull(strstr(h, "t4&lt;script&gt;alert(1)&lt;/script&gt;&amp;&quot;q&#39;"));
    ck_assert_ptr_nonnull(strstr(h, "invented value &amp; more"));
    ck_assert_ptr_nonnull(strstr(h, "&lt;b&gt;bold&lt;/b&gt;"));       /* trigger reason */
    ck_assert_ptr_nonnull(strstr(h, "&#39;quoted&#39;\xEF\xBF\xBD\xEF\xBF\xBD[31m bad\xEF\xBF\xBD byte"));
    ck_assert_ptr_null(strstr(h, "<b>"));
    ck_assert_ptr_null(strstr(h, "\x1b"));
    free(h);
    hx_report_free(r);
}
END_TEST

START_TEST(html_single_run_chart)
{
    hx_store *st = NULL;
    hx_error err = {{0}};
    ck_assert_msg(hx_store_open(dbpath, &st, &err) == 0, "%s", err.msg);
    build_run1(st);
    hx_store_close(st);
    hx_report *r = load(0, 30, 20);
    char *h = render(r, hx_report_html);
    ck_assert_uint_eq(count(h, "<circle class=\"pt"), 2);  /* one point per agent */
    ck_assert_ptr_null(strstr(h, "nan"));
    ck_assert_ptr_null(strstr(h, "NaN"));
    free(h);
    hx_report_free(r);
}
END_TEST

/* ---- JUnit --------------------------------------------------------------------------- */

/* Every '<' opens a JUnit element and every '&' starts a reference we
 * write; no control character but TAB and LF; valid UTF-8 (no 0xFF). */
static void assert_clean_xml(const char *x)
{
    static const char *const tags[] = {"?xml ", "testsuites ", "/testsuites>", "testsuite ", "/testsuite>",
                                       "properties>", "/properties>", "property ", "testcase ", "/testcase>",
                                       "failure ", "/failure>", "error ", "/error>"};
    static const char *const refs[] = {"&amp;", "&lt;", "&gt;", "&quot;", "&#39;", "&#9;", "&#10;", "&#13;"};
    for (const char *p = x; *p; p++) {
        if (*p == '<') {
            bool ok = false;
            for (size_t i = 0; i < sizeof tags / sizeof tags[0]; i++)
                if (!strncmp(p + 1, tags[i], strlen(tags[i]))) ok = true;
            ck_assert_msg(ok, "stray '<' at: %.60s", p);
        } else if (*p == '&') {
            bool ok = false;
            for (size_t i = 0; i < sizeof refs / sizeof refs[0]; i++)
                if (!strncmp(p, refs[i], strlen(refs[i]))) ok = true;
            ck_assert_msg(ok, "stray '&' at: %.60s", p);
        } else {
            ck_assert_msg((unsigned char)*p >= 0x20 || *p == '\n' || *p == '\t', "control character %#x",
                          (unsigned char)*p);
            ck_assert_msg((unsigned char)*p != 0xFF, "invalid UTF-8");
        }
    }
}

START_TEST(junit_counts_and_escaping)
{
    build_db();
    hx_report *r = load(0, 30, 20);
    char *x = render(r, hx_report_junit);
    assert_clean_xml(x);
    ck_assert_ptr_nonnull(strstr(x, "<testsuites name=\"harness run 2\" tests=\"7\" failures=\"2\" errors=\"1\""));
    ck_assert_ptr_nonnull(strstr(x, "<testsuite name=\"alpha/m1\" tests=\"5\" failures=\"2\" errors=\"1\" skipped=\"0\" "
                                    "time=\"0.150\" timestamp=\"2026-11-21T02:00:00\">"));
    ck_assert_ptr_nonnull(strstr(x, "<testsuite name=\"beta&lt;&amp;&gt;/m2\" tests=\"2\" failures=\"0\" errors=\"0\""));
    ck_assert_uint_eq(count(x, "<testsuite "), 2);
    ck_assert_uint_eq(count(x, "<testcase "), 7);
    ck_assert_uint_eq(count(x, "<failure "), 2);
    ck_assert_uint_eq(count(x, "<error "), 1);
    ck_assert_ptr_nonnull(strstr(x, "<error message=\"timeout after 60 s\" type=\"infrastructure\">"));
    /* The failure body lists every failing field; the message is one line. */
    ck_assert_ptr_nonnull(strstr(x, "name=\"t4&lt;script&gt;alert(1)&lt;/script&gt;&amp;&quot;q&#39;\""));
    ck_assert_ptr_nonnull(strstr(x, ">date: expected no value, got &quot;&lt;img src=x onerror="));
    ck_assert_ptr_nonnull(strstr(x, "\ntime: expected 19:30, got &lt;script&gt;window.__xss=1&lt;/script&gt;"));
    ck_assert_ptr_nonnull(strstr(x, "<property name=\"pass_rate\" value=\"0.5\"/>"));
    ck_assert_ptr_nonnull(strstr(x, "<property name=\"below_bar\" value=\"true\"/>"));
    free(x);
    hx_report_free(r);
}
END_TEST

START_TEST(markup_attribute_breaks)
{
    char *buf = NULL;
    size_t n = 0;
    FILE *f = open_memstream(&buf, &n);
    hx_report_put_markup(f, "a\tb\nc\rd\x02" "e\xEF\xBF\xBE" "f", true);
    fputc('|', f);
    hx_report_put_markup(f, "a\nb", false);
    hx_report_put_markup(f, NULL, false);
    fclose(f);
    ck_assert_str_eq(buf, "a&#9;b&#10;c&#13;d\xEF\xBF\xBD" "e\xEF\xBF\xBD" "f|a\nb");
    free(buf);
}
END_TEST

/* ---- Markdown ------------------------------------------------------------------------ */

START_TEST(markdown_summary)
{
    build_db();
    hx_report *r = load(0, 30, 20);
    char *m = render(r, hx_report_markdown);
    ck_assert_ptr_nonnull(strstr(m, "### \xE2\x9D\x8C harness run 2 \xE2\x80\x94 1 of 2 modules below bar"));
    ck_assert_ptr_nonnull(strstr(m, "| \xE2\x9D\x8C | alpha/m1 | \xE2\x96\x88\xE2\x96\x88\xE2\x96\x88\xE2\x96\x88\xE2\x96\x88"
                                    "\xE2\x96\x91\xE2\x96\x91\xE2\x96\x91\xE2\x96\x91\xE2\x96\x91 50.0% | "
                                    "\xE2\x88\x92" "25.0 pp | 80.0% |"));
    ck_assert_ptr_nonnull(strstr(m, "| \xE2\x9C\x85 | beta&lt;&amp;&gt;/m2 |"));
    ck_assert_ptr_nonnull(strstr(m, "**Top failing fields:** `date` 50.0% (alpha/m1) \xC2\xB7 `time` 75.0% (alpha/m1)"));
    ck_assert_ptr_nonnull(strstr(m, "1. `t4<script>alert(1)</script>&\"q'` alpha/m1"));  /* a code span */
    ck_assert_ptr_nonnull(strstr(m, "2. `t3`"));
    ck_assert_ptr_nonnull(strstr(m, "*(new failure)*"));
    ck_assert_ptr_nonnull(strstr(m, "3. `t5` alpha/m1 \xE2\x80\x94 timeout after 60 s"));
    ck_assert_ptr_nonnull(strstr(m, "&lt;script&gt;window.\\_\\_xss=1&lt;/script&gt;"));
    /* Outside code spans no markup survives, and each case is one line. */
    ck_assert_uint_eq(count(m, "<script>"), 1);
    ck_assert_ptr_null(strstr(m, "<img"));
    ck_assert_ptr_null(strstr(m, "\nline 2"));
    free(m);
    hx_report_free(r);
}
END_TEST

/* ---- JSON ------------------------------------------------------------------------------ */

START_TEST(json_whole_report)
{
    build_db();
    hx_report *r = load(0, 30, 20);
    char *j = render(r, hx_report_json);
    cJSON *o = cJSON_Parse(j);
    ck_assert_msg(o != NULL, "not JSON: %.200s", j);
    const cJSON *run = get(o, "run"), *mods = get(o, "modules"), *worst = get(o, "worst_cases");
    ck_assert_str_eq(get(o, "format")->valuestring, "harness-report/1");
    ck_assert_int_eq(get(run, "run_id")->valueint, 2);
    ck_assert_int_eq(get(run, "cases")->valueint, 7);
    ck_assert_close(get(run, "pass_rate")->valuedouble, 4.0 / 6.0);
    ck_assert_int_eq(get(run, "previous_run_id")->valueint, 1);
    ck_assert_int_eq(cJSON_GetArraySize(mods), 2);
    ck_assert_close(get(cJSON_GetArrayItem(mods, 0), "delta")->valuedouble, -0.25);
    ck_assert(cJSON_IsTrue(get(cJSON_GetArrayItem(mods, 0), "below_bar")));
    ck_assert_str_eq(get(cJSON_GetArrayItem(mods, 1), "agent")->valuestring, "beta<&>");
    ck_assert_int_eq(cJSON_GetArraySize(get(cJSON_GetArrayItem(get(o, "agents"), 0), "trend")), 2);
    ck_assert_int_eq(cJSON_GetArraySize(get(o, "fields")), 2);
    ck_assert_int_eq(cJSON_GetArraySize(worst), 3);
    const cJSON *w0 = cJSON_GetArrayItem(worst, 0), *k1 = cJSON_GetArrayItem(get(w0, "checks"), 1);
    ck_assert_str_eq(get(w0, "transcript_id")->valuestring, EVIL_ID);
    ck_assert_str_eq(get(k1, "actual_raw")->valuestring, "\"" EVIL_SCRIPT "\"");
    ck_assert(cJSON_IsNull(get(k1, "actual")));
    ck_assert_ptr_nonnull(strstr(get(k1, "reason")->valuestring, "'quoted'\x01\x1b[31m bad\xEF\xBF\xBD byte\nline 2"));
    ck_assert(cJSON_IsTrue(get(cJSON_GetArrayItem(get(o, "recompiles"), 0), "promoted")));
    ck_assert(cJSON_IsNull(get(cJSON_GetArrayItem(get(o, "recompiles"), 0), "old_program_sha256")));
    cJSON_Delete(o);
    free(j);
    hx_report_free(r);
}
END_TEST

/* ---- the command ------------------------------------------------------------------------- */

/* Run `harness report ARGS` (HX_BIN); its exit code. */
static int cli(const char *args)
{
    const char *bin = getenv("HX_BIN");
    char cmd[2048];
    snprintf(cmd, sizeof cmd, "'%s' report %s >%s/out.txt 2>%s/err.txt", bin, args, tmpdir, tmpdir);
    int st = system(cmd);
    return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

static char *slurp(const char *name)
{
    char p[600];
    snprintf(p, sizeof p, "%s/%s", tmpdir, name);
    FILE *f = fopen(p, "rb");
    if (!f) return strdup("");
    char *buf = calloc(1, 1 << 20);
    size_t n = fread(buf, 1, (1 << 20) - 1, f);
    buf[n] = '\0';
    fclose(f);
    return buf;
}

START_TEST(cli_exit_codes_and_out)
{
    char args[1024], *s;
    struct stat sb;
    if (!getenv("HX_BIN") || !*getenv("HX_BIN")) return; /* run through `make unit` */
    snprintf(args, sizeof args, "--db %s --format html", dbpath);
    ck_assert_int_eq(cli(args), 2);                         /* missing database */
    s = slurp("err.txt");
    ck_assert_msg(strstr(s, dbpath) && strstr(s, "no such database"), "%s", s);
    free(s);
    ck_assert_int_ne(stat(dbpath, &sb), 0);                 /* and not created */
    build_db();
    snprintf(args, sizeof args, "--db %s", dbpath);
    ck_assert_int_eq(cli(args), 2);                         /* no format */
    snprintf(args, sizeof args, "--db %s --format pdf", dbpath);
    ck_assert_int_eq(cli(args), 2);
    snprintf(args, sizeof args, "--db %s --format md --run 0", dbpath);
    ck_assert_int_eq(cli(args), 2);
    snprintf(args, sizeof args, "--db %s --format md --last x", dbpath);
    ck_assert_int_eq(cli(args), 2);
    snprintf(args, sizeof args, "--db %s --format md --run 7", dbpath);
    ck_assert_int_eq(cli(args), 2);
    snprintf(args, sizeof args, "--db %s --format md --run 1", dbpath);
    ck_assert_int_eq(cli(args), 0);
    s = slurp("out.txt");
    ck_assert_ptr_nonnull(strstr(s, "harness run 1"));
    free(s);
    /* --out: the format from the extension, written whole, readable. */
    snprintf(args, sizeof args, "--db %s --out %s/sub/r.json", dbpath, tmpdir);
    ck_assert_int_eq(cli(args), 0);
    s = slurp("sub/r.json");
    cJSON *o = cJSON_Parse(s);
    ck_assert_ptr_nonnull(o);
    cJSON_Delete(o);
    free(s);
    {
        char p[600];
        snprintf(p, sizeof p, "%s/sub/r.json", tmpdir);
        ck_assert_int_eq(stat(p, &sb), 0);
        ck_assert_int_ne(sb.st_mode & 0044, 0);             /* not mkstemp's 0600 */
        unlink(p);
        snprintf(p, sizeof p, "%s/sub", tmpdir);
        rmdir(p);
    }
    snprintf(args, sizeof args, "--db %s --format junit --out %s/x.xml", dbpath, dbpath); /* under a file */
    ck_assert_int_eq(cli(args), 3);
}
END_TEST

Suite *make_suite(void)
{
    Suite *s = suite_create("report");
    TCase *load_tc = tcase_create("load"), *fail_tc = tcase_create("refuse"), *fmt_tc = tcase_create("formats"),
          *cli_tc = tcase_create("cli");
    TCase *all[] = {load_tc, fail_tc, fmt_tc, cli_tc};
    for (size_t i = 0; i < 4; i++) {
        tcase_add_checked_fixture(all[i], setup, teardown);
        tcase_set_timeout(all[i], 30);
        suite_add_tcase(s, all[i]);
    }
    tcase_add_test(load_tc, load_run_facts);
    tcase_add_test(load_tc, load_modules_delta_status);
    tcase_add_test(load_tc, load_agents_trend);
    tcase_add_test(load_tc, load_fields_and_worst);
    tcase_add_test(load_tc, load_triggers);
    tcase_add_test(load_tc, load_older_run);
    tcase_add_test(load_tc, all_errors_run_has_no_score);
    tcase_add_test(fail_tc, missing_db_not_created);
    tcase_add_test(fail_tc, not_a_database);
    tcase_add_test(fail_tc, empty_file);
    tcase_add_test(fail_tc, another_applications_database);
    tcase_add_test(fail_tc, empty_and_unknown_run);
    tcase_add_test(fmt_tc, html_structure);
    tcase_add_test(fmt_tc, html_escapes_everything);
    tcase_add_test(fmt_tc, html_single_run_chart);
    tcase_add_test(fmt_tc, junit_counts_and_escaping);
    tcase_add_test(fmt_tc, markup_attribute_breaks);
    tcase_add_test(fmt_tc, markdown_summary);
    tcase_add_test(fmt_tc, json_whole_report);
    tcase_add_test(cli_tc, cli_exit_codes_and_out);
    return s;
}

HX_TEST_MAIN()
