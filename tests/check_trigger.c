/*
 * check_trigger.c — the recompile trigger rules (trigger.h): each rule at
 * its boundary through the pure hx_trigger_decide, then hx_trigger_evaluate
 * on a real store (runs, history, open and finished triggers, cooldown
 * clocks), read back through the recompile_triggers view.
 */
#include "test_util.h"

#include <math.h>
#include <sqlite3.h>
#include <string.h>
#include <unistd.h>

#include "store.h"
#include "suite.h"
#include "trigger.h"

Suite *make_suite(void);

/* --- the pure rule ------------------------------------------------------------- */

static hx_recompile_config RC = {.min_cases = 20, .cooldown_hours = 20, .promote_margin = 0.02};

/* A module at 80 % against a bar of 85 % on a clean run of 20 cases, no
 * earlier trigger: fires. Each test changes one thing. */
static hx_trigger_input base(void)
{
    hx_trigger_input in = {.pass_rate = 0.80, .bar = 0.85, .cases = 20, .errors = 0, .run_cases = 20,
                           .run_errors = 0, .rc = &RC};
    return in;
}

static bool fires(const hx_trigger_input *in, char reason[320])
{
    hx_trigger_decision d;
    hx_trigger_decide(in, &d);
    if (reason) snprintf(reason, 320, "%s", d.reason);
    ck_assert_msg(d.reason[0], "a decision always says why");
    return d.fire;
}

START_TEST(test_below_bar_fires)
{
    hx_trigger_input in = base();
    char why[320];
    ck_assert(fires(&in, why));
    ck_assert_ptr_nonnull(strstr(why, "80.0% < bar 85.0%"));
}
END_TEST

START_TEST(test_at_bar_does_not_fire)
{
    hx_trigger_input in = base();
    in.pass_rate = 17.0 / 20.0; /* as module_scores computes it */
    ck_assert(!fires(&in, NULL));
    in.pass_rate = nextafter(0.85, 0);
    ck_assert(fires(&in, NULL));
}
END_TEST

START_TEST(test_min_cases_boundary)
{
    hx_trigger_input in = base();
    char why[320];
    in.cases = in.run_cases = 19;
    ck_assert(!fires(&in, why));
    ck_assert_ptr_nonnull(strstr(why, "min_cases 20"));
    in.cases = in.run_cases = 20;
    ck_assert(fires(&in, NULL));
}
END_TEST

START_TEST(test_run_errors_boundary)
{
    hx_trigger_input in = base();
    char why[320];
    /* another module of the run had the errors: 10 of 100 is not more than 10 % */
    in.run_cases = 100;
    in.run_errors = 10;
    ck_assert(fires(&in, NULL));
    in.run_errors = 11;
    ck_assert(!fires(&in, why));
    ck_assert_ptr_nonnull(strstr(why, "outage"));
}
END_TEST

START_TEST(test_module_errors_boundary)
{
    hx_trigger_input in = base();
    char why[320];
    in.run_cases = 200; /* keep the run-level rule out of it */
    in.errors = 1;      /* 5 % */
    ck_assert(fires(&in, NULL));
    in.errors = 2;      /* exactly 10 %: not under 10 % */
    ck_assert(!fires(&in, why));
    ck_assert_ptr_nonnull(strstr(why, "2 errors in 20 cases"));
}
END_TEST

START_TEST(test_nothing_answered)
{
    hx_trigger_input in = base();
    in.pass_rate = NAN;
    ck_assert(!fires(&in, NULL));
}
END_TEST

START_TEST(test_open_or_running_holds_back)
{
    hx_trigger_input in = base();
    char why[320];
    in.has_last = true;
    in.last_id = 7;
    in.last_age_hours = 1000;
    in.last_status = "open";
    ck_assert(!fires(&in, why));
    ck_assert_ptr_nonnull(strstr(why, "trigger 7 is still open"));
    in.last_status = "running";
    ck_assert(!fires(&in, why));
    ck_assert_ptr_nonnull(strstr(why, "still running"));
    in.last_status = "done";
    ck_assert(fires(&in, NULL));
    in.last_status = "failed";
    ck_assert(fires(&in, NULL));
}
END_TEST

START_TEST(test_cooldown_boundary)
{
    hx_trigger_input in = base();
    char why[320];
    in.has_last = true;
    in.last_id = 3;
    in.last_status = "done";
    in.last_age_hours = 19.99;
    ck_assert(!fires(&in, why));
    ck_assert_ptr_nonnull(strstr(why, "cooldown"));
    in.last_age_hours = 20.0;
    ck_assert(fires(&in, NULL));
    in.last_age_hours = -1; /* a clock set back: when in doubt, wait */
    ck_assert(!fires(&in, NULL));
}
END_TEST

START_TEST(test_drop_rule)
{
    hx_recompile_config rc = RC;
    double hist[3] = {0.75, 0.75, 0.75};
    hx_trigger_input in = base();
    char why[320];
    rc.max_drop = 25;
    in.rc = &rc;
    in.bar = 0.40;
    in.pass_rate = 0.5;
    in.history = hist;
    in.nhistory = 3;
    ck_assert(!fires(&in, why)); /* exactly 25 points: not more than max_drop */
    rc.max_drop = 24.5;
    ck_assert(fires(&in, why));
    ck_assert_ptr_nonnull(strstr(why, "25.0 points below the median 75.0% of the last 3 runs"));
    in.nhistory = 2; /* two earlier runs are not a trend */
    ck_assert(!fires(&in, NULL));
    in.nhistory = 3;
    rc.max_drop = 0; /* off */
    ck_assert(!fires(&in, NULL));
}
END_TEST

START_TEST(test_drop_uses_last_seven_runs)
{
    hx_recompile_config rc = RC;
    /* newest first: seven good runs, then three bad ones that are too old to count */
    double hist[10] = {0.9, 0.9, 0.9, 0.9, 0.9, 0.9, 0.9, 0.1, 0.1, 0.1};
    hx_trigger_input in = base();
    rc.max_drop = 10;
    in.rc = &rc;
    in.bar = 0.1;
    in.pass_rate = 0.75;
    in.history = hist;
    in.nhistory = 10;
    ck_assert(fires(&in, NULL));
}
END_TEST

START_TEST(test_median)
{
    double odd[3] = {0.9, 0.1, 0.5}, even[4] = {0.4, 0.1, 0.9, 0.6};
    ck_assert_double_eq(hx_trigger_median(odd, 3), 0.5);
    ck_assert_double_eq_tol(hx_trigger_median(even, 4), 0.5, 1e-12);
    ck_assert_double_eq(odd[0], 0.9); /* not sorted in place */
    ck_assert(isnan(hx_trigger_median(odd, 0)));
}
END_TEST

START_TEST(test_parse_utc)
{
    ck_assert_int_eq((long long)hx_trigger_parse_utc("1970-01-02T00:00:00Z"), 86400);
    ck_assert_int_eq((long long)hx_trigger_parse_utc("2026-11-25T02:00:00Z"), 1795572000LL);
    ck_assert_int_eq((long long)hx_trigger_parse_utc("2026-11-25 02:00:00"), -1);
    ck_assert_int_eq((long long)hx_trigger_parse_utc("2026-11-25T02:00:00Zx"), -1);
    ck_assert_int_eq((long long)hx_trigger_parse_utc(NULL), -1);
}
END_TEST

/* --- on a store ------------------------------------------------------------------ */

static char tmpdir[256], dbpath[320];
static hx_store *st;
static hx_module_config mod;
static hx_agent_config agent;
static hx_suite suite;
static double run_bar; /* the bar each run declares (module_scores.bar) */

static void store_setup(void)
{
    hx_error err = {{0}};
    snprintf(tmpdir, sizeof tmpdir, "/tmp/hx_trigger_XXXXXX");
    ck_assert_ptr_nonnull(mkdtemp(tmpdir));
    snprintf(dbpath, sizeof dbpath, "%s/h.db", tmpdir);
    ck_assert_msg(hx_store_open(dbpath, &st, &err) == 0, "%s", err.msg);
    memset(&mod, 0, sizeof mod);
    memset(&agent, 0, sizeof agent);
    memset(&suite, 0, sizeof suite);
    mod.name = (char *)"extractor";
    mod.bar = 0.85;
    mod.recompile = RC;
    agent.name = (char *)"booking";
    agent.modules = &mod;
    agent.nmodules = 1;
    suite.agents = &agent;
    suite.nagents = 1;
    run_bar = 0.85;
}

static void store_teardown(void)
{
    char p[400];
    hx_store_close(st);
    const char *sfx[] = {"", "-wal", "-shm"};
    for (int i = 0; i < 3; i++) {
        snprintf(p, sizeof p, "%s%s", dbpath, sfx[i]);
        unlink(p);
    }
    rmdir(tmpdir);
}

/* A finished run of `cases` cases of booking/extractor: `passed` pass,
 * `errors` error, the rest fail. kind: "run" or "check". */
static int64_t add_run(const char *kind, int cases, int passed, int errors)
{
    hx_error err = {{0}};
    int64_t id;
    hx_run_info info = {.kind = kind};
    ck_assert_msg(hx_store_run_begin(st, &info, &id, &err) == 0, "%s", err.msg);
    ck_assert_msg(hx_store_module_begin(st, id, "booking", "extractor", "abc", run_bar, &err) == 0, "%s", err.msg);
    for (int i = 0; i < cases; i++) {
        char tid[32];
        snprintf(tid, sizeof tid, "t-%03d", i);
        hx_case_result cr = {.agent = "booking", .module = "extractor", .transcript_id = tid,
                             .status = i < passed ? HX_PASS : i < passed + errors ? HX_ERROR : HX_FAIL,
                             .reason = ""};
        ck_assert_msg(hx_store_case_add(st, id, &cr, &err) == 0, "%s", err.msg);
    }
    ck_assert_msg(hx_store_run_end(st, id, "finished", &err) == 0, "%s", err.msg);
    return id;
}

static hx_trigger_outcome evaluate(int64_t run, time_t now)
{
    hx_trigger_outcome *o = NULL, r;
    size_t n = 0;
    hx_error err = {{0}};
    ck_assert_msg(hx_trigger_evaluate(st, &suite, run, now, &o, &n, &err) == 0, "%s", err.msg);
    ck_assert_uint_eq(n, 1);
    r = o[0];
    free(o);
    return r;
}

static int count_triggers(const char *where)
{
    sqlite3 *db;
    sqlite3_stmt *q;
    char sql[300];
    int n = -1;
    snprintf(sql, sizeof sql, "SELECT count(*) FROM recompile_triggers WHERE %s", where);
    ck_assert_int_eq(sqlite3_open_v2(dbpath, &db, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
    ck_assert_int_eq(sqlite3_prepare_v2(db, sql, -1, &q, NULL), SQLITE_OK);
    if (sqlite3_step(q) == SQLITE_ROW) n = sqlite3_column_int(q, 0);
    sqlite3_finalize(q);
    sqlite3_close(db);
    return n;
}

static time_t created_of(int64_t id)
{
    sqlite3 *db;
    sqlite3_stmt *q;
    time_t t = -1;
    ck_assert_int_eq(sqlite3_open_v2(dbpath, &db, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
    ck_assert_int_eq(sqlite3_prepare_v2(db, "SELECT created_at FROM recompile_triggers WHERE id = ?1", -1, &q, NULL),
                     SQLITE_OK);
    sqlite3_bind_int64(q, 1, id);
    if (sqlite3_step(q) == SQLITE_ROW) t = hx_trigger_parse_utc((const char *)sqlite3_column_text(q, 0));
    sqlite3_finalize(q);
    sqlite3_close(db);
    ck_assert(t != (time_t)-1);
    return t;
}

static void finish_trigger(int64_t id)
{
    hx_error err = {{0}};
    hx_recompile_step s = {.status = "done", .old_score = NAN, .new_score = NAN, .promoted = 0};
    ck_assert_msg(hx_store_recompile_update(st, id, &s, &err) == 0, "%s", err.msg);
}

START_TEST(test_store_fires_and_records)
{
    int64_t run = add_run("run", 20, 16, 0);
    hx_trigger_outcome o = evaluate(run, 0);
    ck_assert(o.fired);
    ck_assert_int_gt(o.trigger_id, 0);
    ck_assert_str_eq(o.agent, "booking");
    ck_assert_double_eq_tol(o.pass_rate, 0.8, 1e-12);
    char where[200];
    snprintf(where, sizeof where, "id = %lld AND run_id = %lld AND status = 'open' AND reason LIKE "
                                  "'pass rate 80.0%% < bar 85.0%%%%' AND abs(pass_rate - 0.8) < 1e-9",
             (long long)o.trigger_id, (long long)run);
    ck_assert_int_eq(count_triggers(where), 1);
}
END_TEST

START_TEST(test_store_open_trigger_then_cooldown)
{
    hx_trigger_outcome o1 = evaluate(add_run("run", 20, 10, 0), 0);
    ck_assert(o1.fired);
    /* the next night, still below: the first trigger is still open */
    hx_trigger_outcome o2 = evaluate(add_run("run", 20, 10, 0), 0);
    ck_assert(!o2.fired);
    ck_assert_ptr_nonnull(strstr(o2.reason, "still open"));
    /* its recompile finishes; a run an hour later is in the cooldown, one 21 hours later is not */
    finish_trigger(o1.trigger_id);
    time_t t0 = created_of(o1.trigger_id);
    hx_trigger_outcome o3 = evaluate(add_run("run", 20, 10, 0), t0 + 3600);
    ck_assert(!o3.fired);
    ck_assert_ptr_nonnull(strstr(o3.reason, "cooldown"));
    hx_trigger_outcome o4 = evaluate(add_run("run", 20, 10, 0), t0 + 21 * 3600);
    ck_assert(o4.fired);
    ck_assert_int_eq(count_triggers("1"), 2);
}
END_TEST

START_TEST(test_store_outage_writes_nothing)
{
    /* 18 answered (all wrong) and 2 errors is 10 %: not under 10 % for the module */
    hx_trigger_outcome o = evaluate(add_run("run", 20, 0, 2), 0);
    ck_assert(!o.fired);
    /* all errors: the pass rate is not even defined */
    o = evaluate(add_run("run", 20, 0, 20), 0);
    ck_assert(!o.fired);
    ck_assert_ptr_nonnull(strstr(o.reason, "outage"));
    ck_assert_int_eq(count_triggers("1"), 0);
}
END_TEST

START_TEST(test_store_healthy_and_small_runs)
{
    ck_assert(!evaluate(add_run("run", 20, 20, 0), 0).fired);
    ck_assert(!evaluate(add_run("run", 19, 0, 0), 0).fired); /* under min_cases */
    ck_assert_int_eq(count_triggers("1"), 0);
}
END_TEST

START_TEST(test_store_drop_from_history)
{
    mod.recompile.max_drop = 10;
    run_bar = 0.5; /* the runs below never cross it */
    for (int i = 0; i < 3; i++) add_run("run", 20, 19, 0); /* 95 % */
    add_run("check", 20, 0, 0);                            /* a `harness check` is not history */
    int64_t run = add_run("run", 20, 16, 0);               /* 80 %: 15 points down */
    hx_trigger_outcome o = evaluate(run, 0);
    ck_assert_msg(o.fired, "%s", o.reason);
    ck_assert_msg(strstr(o.reason, "median 95.0% of the last 3 runs"), "%s", o.reason);
}
END_TEST

START_TEST(test_store_module_not_in_suite_is_skipped)
{
    hx_trigger_outcome *o = NULL;
    size_t n = 7;
    hx_error err = {{0}};
    int64_t run = add_run("run", 20, 0, 0);
    mod.name = (char *)"renamed";
    ck_assert_msg(hx_trigger_evaluate(st, &suite, run, 0, &o, &n, &err) == 0, "%s", err.msg);
    ck_assert_uint_eq(n, 0);
    free(o);
    ck_assert_int_eq(count_triggers("1"), 0);
}
END_TEST

Suite *make_suite(void)
{
    Suite *s = suite_create("trigger");
    TCase *rule = tcase_create("rule");
    tcase_add_test(rule, test_below_bar_fires);
    tcase_add_test(rule, test_at_bar_does_not_fire);
    tcase_add_test(rule, test_min_cases_boundary);
    tcase_add_test(rule, test_run_errors_boundary);
    tcase_add_test(rule, test_module_errors_boundary);
    tcase_add_test(rule, test_nothing_answered);
    tcase_add_test(rule, test_open_or_running_holds_back);
    tcase_add_test(rule, test_cooldown_boundary);
    tcase_add_test(rule, test_drop_rule);
    tcase_add_test(rule, test_drop_uses_last_seven_runs);
    tcase_add_test(rule, test_median);
    tcase_add_test(rule, test_parse_utc);
    suite_add_tcase(s, rule);
    TCase *store = tcase_create("store");
    tcase_add_checked_fixture(store, store_setup, store_teardown);
    tcase_add_test(store, test_store_fires_and_records);
    tcase_add_test(store, test_store_open_trigger_then_cooldown);
    tcase_add_test(store, test_store_outage_writes_nothing);
    tcase_add_test(store, test_store_healthy_and_small_runs);
    tcase_add_test(store, test_store_drop_from_history);
    tcase_add_test(store, test_store_module_not_in_suite_is_skipped);
    suite_add_tcase(s, store);
    return s;
}

HX_TEST_MAIN()
