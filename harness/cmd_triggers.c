/*
 * cmd_triggers.c — `harness triggers`: the recompile_triggers view, newest
 * first, for people (a table with each trigger's reason and verdict) and
 * for machines (--json). It only reads: the database is opened read-only.
 */
#include <cjson/cJSON.h>
#include <getopt.h>
#include <math.h>
#include <sqlite3.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "suite.h"

static const char HELP[] =
    "Usage: harness triggers [--suite F] [--db F] [--limit N] [--json]\n"
    "\n"
    "Lists recompile triggers, newest first: when a module fell below its bar (or\n"
    "dropped below its recent median), why, and what the recompile did: status\n"
    "(open, running, done, failed), the current and candidate programs' pass rates\n"
    "on held-out transcripts, and whether the candidate was promoted.\n"
    "\n"
    "A trigger is recorded after 'harness run' when a module's pass rate is below\n"
    "its bar on a run with at least recompile.min_cases cases and fewer than 10 %\n"
    "errors, unless the module has a trigger still open or running, or its last\n"
    "trigger is younger than recompile.cooldown_hours.\n"
    "\n"
    "Options:\n"
    "  --suite F     the suite whose \"db\" to read (default: suite.json)\n"
    "  --db F        the database (overrides the suite's)\n"
    "  --limit N     at most N triggers (default 50; 0 = all)\n"
    "  --json        print them as a JSON array\n"
    "\n"
    "The same rows: sqlite3 DB 'SELECT * FROM recompile_triggers ORDER BY id DESC'\n";

typedef struct row {
    int64_t id, run_id;
    const char *agent, *module, *reason, *status, *created, *finished, *old_sha, *new_sha;
    double rate, bar, old_score, new_score;
    int promoted; /* -1 = NULL */
} row;

static const char *text_or_null(sqlite3_stmt *q, int i)
{
    return (const char *)sqlite3_column_text(q, i);
}

static double real_or_nan(sqlite3_stmt *q, int i)
{
    return sqlite3_column_type(q, i) == SQLITE_NULL ? NAN : sqlite3_column_double(q, i);
}

static void read_row(sqlite3_stmt *q, row *r)
{
    r->id = sqlite3_column_int64(q, 0);
    r->run_id = sqlite3_column_int64(q, 1);
    r->agent = text_or_null(q, 2);
    r->module = text_or_null(q, 3);
    r->rate = real_or_nan(q, 4);
    r->bar = real_or_nan(q, 5);
    r->reason = text_or_null(q, 6);
    r->status = text_or_null(q, 7);
    r->created = text_or_null(q, 8);
    r->finished = text_or_null(q, 9);
    r->old_sha = text_or_null(q, 10);
    r->new_sha = text_or_null(q, 11);
    r->old_score = real_or_nan(q, 12);
    r->new_score = real_or_nan(q, 13);
    r->promoted = sqlite3_column_type(q, 14) == SQLITE_NULL ? -1 : sqlite3_column_int(q, 14);
}

static void pct(char *buf, size_t cap, double v)
{
    if (isnan(v)) snprintf(buf, cap, "-");
    else snprintf(buf, cap, "%.1f%%", 100 * v);
}

static void print_text_row(const row *r, bool color)
{
    char rate[16], bar[16], o[16], n[16], who[300], scores[48];
    pct(rate, sizeof rate, r->rate);
    pct(bar, sizeof bar, r->bar);
    pct(o, sizeof o, r->old_score);
    pct(n, sizeof n, r->new_score);
    snprintf(who, sizeof who, "%s/%s", r->agent ? r->agent : "", r->module ? r->module : "");
    snprintf(scores, sizeof scores, "%s -> %s", o, n);
    const char *st = r->status ? r->status : "";
    const char *c = !strcmp(st, "failed") ? hx_cli_red(color) : r->promoted == 1 ? hx_cli_green(color) : "";
    printf("  %4lld  %-20s  %-44s %7s %7s  %s%-8s%s %-19s %s\n", (long long)r->id, r->created ? r->created : "",
           who, rate, bar, c, st, hx_cli_reset(color && *c), scores,
           r->promoted == 1 ? "yes" : r->promoted == 0 ? "no" : "-");
    if (r->reason && *r->reason) printf("        %s%s%s\n", hx_cli_dim(color), r->reason, hx_cli_reset(color));
}

static void add_num(cJSON *o, const char *k, double v)
{
    if (isnan(v)) cJSON_AddNullToObject(o, k);
    else cJSON_AddNumberToObject(o, k, v);
}

static void add_str(cJSON *o, const char *k, const char *v)
{
    if (v) cJSON_AddStringToObject(o, k, v);
    else cJSON_AddNullToObject(o, k);
}

static cJSON *row_json(const row *r)
{
    cJSON *j = cJSON_CreateObject();
    cJSON_AddNumberToObject(j, "id", (double)r->id);
    cJSON_AddNumberToObject(j, "run_id", (double)r->run_id);
    add_str(j, "agent", r->agent);
    add_str(j, "module", r->module);
    add_num(j, "pass_rate", r->rate);
    add_num(j, "bar", r->bar);
    add_str(j, "reason", r->reason);
    add_str(j, "status", r->status);
    add_str(j, "created_at", r->created);
    add_str(j, "finished_at", r->finished);
    add_str(j, "old_program_sha256", r->old_sha);
    add_str(j, "new_program_sha256", r->new_sha);
    add_num(j, "old_score", r->old_score);
    add_num(j, "new_score", r->new_score);
    if (r->promoted < 0) cJSON_AddNullToObject(j, "promoted");
    else cJSON_AddBoolToObject(j, "promoted", r->promoted);
    return j;
}

/* The database: --db, else the suite's. 0, or an exit code. */
static int db_path(const char *db, const char *suite_path, char *out, size_t cap)
{
    hx_suite s;
    hx_diags d = {0};
    if (db) {
        snprintf(out, cap, "%s", db);
        return 0;
    }
    if (hx_suite_load(suite_path, &s, &d) != 0) {
        hx_diags_print(&d, stderr);
        hx_diags_free(&d);
        hx_suite_free(&s);
        return hx_cli_usage("triggers", "cannot read the suite %s; name the database with --db", suite_path);
    }
    snprintf(out, cap, "%s", s.db);
    hx_diags_free(&d);
    hx_suite_free(&s);
    return 0;
}

static int list(sqlite3 *db, const char *path, int limit, bool json)
{
    sqlite3_stmt *q;
    bool color = hx_cli_color(stdout);
    int rc, n = 0;
    if (sqlite3_prepare_v2(db,
                           "SELECT id, run_id, agent, module, pass_rate, bar, reason, status, created_at,"
                           " finished_at, old_program_sha256, new_program_sha256, old_score, new_score, promoted"
                           " FROM recompile_triggers ORDER BY id DESC LIMIT ?1", -1, &q, NULL) != SQLITE_OK) {
        fprintf(stderr, "harness triggers: %s: not a harness database with recompile triggers (%s)\n", path,
                sqlite3_errmsg(db));
        return HX_EXIT_USAGE;
    }
    sqlite3_bind_int(q, 1, limit > 0 ? limit : -1);
    cJSON *arr = json ? cJSON_CreateArray() : NULL;
    if (!json)
        printf("  %4s  %-20s  %-44s %7s %7s  %-8s %-19s %s\n", "id", "created (UTC)", "agent/module", "rate", "bar",
               "status", "held-out old->new", "promoted");
    while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
        row r;
        read_row(q, &r);
        if (json) cJSON_AddItemToArray(arr, row_json(&r));
        else print_text_row(&r, color);
        n++;
    }
    sqlite3_finalize(q);
    if (json) {
        char *t = cJSON_Print(arr);
        if (t) puts(t);
        free(t);
        cJSON_Delete(arr);
    } else if (n == 0) puts("  (no recompile triggers)");
    if (rc != SQLITE_DONE) {
        fprintf(stderr, "harness triggers: %s: %s\n", path, sqlite3_errmsg(db));
        return HX_EXIT_RUNTIME;
    }
    return HX_EXIT_OK;
}

int hx_cmd_triggers(int argc, char **argv)
{
    static const struct option OPTS[] = {
        {"suite", required_argument, 0, 's'}, {"db", required_argument, 0, 'd'},
        {"limit", required_argument, 0, 'l'}, {"json", no_argument, 0, 'j'},
        {"help", no_argument, 0, 'h'}, {0, 0, 0, 0}};
    const char *suite = "suite.json", *dbarg = NULL;
    char path[1024], *end;
    int c, limit = 50, rc;
    bool json = false;
    sqlite3 *db = NULL;

    optind = 1;
    opterr = 0;
    while ((c = getopt_long(argc, argv, "", OPTS, NULL)) != -1) {
        switch (c) {
        case 's': suite = optarg; break;
        case 'd': dbarg = optarg; break;
        case 'l':
            limit = (int)strtol(optarg, &end, 10);
            if (*end || limit < 0) return hx_cli_usage("triggers", "--limit takes a number (0 = all), not \"%s\"", optarg);
            break;
        case 'j': json = true; break;
        case 'h': fputs(HELP, stdout); return HX_EXIT_OK;
        default: return hx_cli_usage("triggers", "unknown option \"%s\"", argv[optind - 1]);
        }
    }
    if (optind < argc) return hx_cli_usage("triggers", "unexpected argument \"%s\"", argv[optind]);
    if ((rc = db_path(dbarg, suite, path, sizeof path)) != 0) return rc;
    if (access(path, F_OK) != 0) {
        fprintf(stderr, "harness triggers: no database at %s (no run has written one yet?)\n", path);
        return HX_EXIT_USAGE;
    }
    if (sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL) != SQLITE_OK) {
        fprintf(stderr, "harness triggers: %s: cannot open: %s\n", path, db ? sqlite3_errmsg(db) : "out of memory");
        sqlite3_close(db);
        return HX_EXIT_RUNTIME;
    }
    sqlite3_busy_timeout(db, 5000);
    rc = list(db, path, limit, json);
    sqlite3_close(db);
    return rc;
}
