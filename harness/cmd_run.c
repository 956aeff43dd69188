/*
 * cmd_run.c — `harness run`: replay, score, store, summarise.
 */
#include <cjson/cJSON.h>
#include <getopt.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "lm_cache.h"
#include "recompile.h"
#include "runner.h"

static const char HELP[] =
    "Usage: harness run [--suite F] [--agent A]... [--module M]... [--db F]\n"
    "                   [--concurrency N] [--cache read-write|read|off]\n"
    "                   [--resume RUN] [--rerun-errors RUN] [--no-recompile] [--json]\n"
    "\n"
    "Replays every transcript of every agent through the agent's DSPy modules:\n"
    "renders the exact messages DSPy's ChatAdapter sends, calls the suite's\n"
    "OpenAI-compatible LM with many requests in flight (retries with backoff on\n"
    "429/5xx/timeouts, honouring Retry-After), parses replies as DSPy does (with\n"
    "its JSON-mode fallback), checks every expected field with the module's\n"
    "assertion rules, and writes each result to SQLite as it arrives.\n"
    "Everything is validated first: a problem in the suite, rules, programs or\n"
    "transcripts stops the run before any LM call (exit 2).\n"
    "\n"
    "Options:\n"
    "  --suite F            the suite file (default: suite.json)\n"
    "  --agent A            only this agent (repeatable)\n"
    "  --module M           only this module (repeatable)\n"
    "  --db F               the database (default: the suite's \"db\")\n"
    "  --concurrency N      requests in flight (default: the suite's lm.concurrency)\n"
    "  --cache MODE         response cache keyed by the request's SHA-256, in\n"
    "                       <db>.lm-cache: read-write, read, or off (default off)\n"
    "  --resume RUN         finish run RUN after a crash: only missing cases run\n"
    "  --rerun-errors RUN   run again the cases of RUN that ended in error\n"
    "  --no-recompile       record recompile triggers but do not run the recompiles\n"
    "                       ('harness recompile --pending' runs them later)\n"
    "  --json               print the summary as JSON\n"
    "\n"
    "The API key is read from the environment variable the suite names\n"
    "(lm.api_key_env) and is never written anywhere.\n"
    "\n"
    "After the run, a module below its bar (on a run with at least min_cases cases\n"
    "and under 10 % errors, no trigger open, no trigger within cooldown_hours) gets\n"
    "a recompile trigger, and the recompile runs at once: DSPy MIPROv2 proposes a\n"
    "candidate, which replaces the program only if it beats it on held-out\n"
    "transcripts by promote_margin (see 'harness recompile --help').\n"
    "\n"
    "Exit: 0 every module at or above its bar; 1 some module below its bar;\n"
    "2 bad usage, config or input (nothing sent, nothing written); 3 the run could\n"
    "not finish or more than 10 % of cases ended in error (LM unreachable, disk or\n"
    "database failure): what finished is kept, and --resume RUN continues it.\n"
    "\n"
    "Example:\n"
    "  harness run --suite suite.json --agent restaurant-booking\n";

#define MAX_FILTERS 64

static int parse_run_id(const char *s, int64_t *out)
{
    char *end;
    long long v = strtoll(s, &end, 10);
    if (*end || v <= 0) return -1;
    *out = v;
    return 0;
}

static void print_text(const hx_run_summary *s)
{
    bool color = hx_cli_color(stdout);
    printf("run %lld  (%s)\n", (long long)s->run_id, s->db);
    printf("  %-28s %-26s %7s %6s %6s %6s %8s %8s %6s\n", "agent", "module", "cases", "pass", "fail",
           "error", "rate", "delta", "bar");
    for (size_t i = 0; i < s->nmodules; i++) {
        const hx_module_summary *m = &s->modules[i];
        char rate[16] = "-", delta[16] = "-";
        if (!isnan(m->pass_rate)) snprintf(rate, sizeof rate, "%.1f%%", 100 * m->pass_rate);
        if (!isnan(m->pass_rate) && !isnan(m->prev_pass_rate))
            snprintf(delta, sizeof delta, "%+.1f", 100 * (m->pass_rate - m->prev_pass_rate));
        printf("  %-28s %-26s %7zu %6zu %6zu %6zu %8s %8s %5.0f%% %s%s%s\n", m->agent, m->module, m->cases,
               m->passed, m->failed, m->errors, rate, delta, 100 * m->bar,
               m->below ? hx_cli_red(color) : hx_cli_green(color), m->below ? "BELOW" : "ok",
               hx_cli_reset(color));
    }
    /* per agent: its modules' cases together (pass rate excludes errors) */
    for (size_t i = 0; i < s->nmodules; i++) {
        size_t p = 0, f = 0, e = 0, c = 0;
        bool first = true;
        for (size_t k = 0; k < i; k++)
            if (!strcmp(s->modules[k].agent, s->modules[i].agent)) first = false;
        if (!first) continue;
        for (size_t k = i; k < s->nmodules; k++)
            if (!strcmp(s->modules[k].agent, s->modules[i].agent)) {
                p += s->modules[k].passed; f += s->modules[k].failed;
                e += s->modules[k].errors; c += s->modules[k].cases;
            }
        printf("  agent %-22s %zu cases, %zu passed, %zu failed, %zu errors", s->modules[i].agent, c, p, f, e);
        if (p + f) printf(", pass rate %.1f%%", 100.0 * (double)p / (double)(p + f));
        putchar('\n');
    }
    printf("  %zu cases, %zu errors, %.1f s, %lld requests (%lld retries), %lld prompt + %lld completion tokens, $%.4f\n",
           s->cases, s->errors, s->wall_s, (long long)s->requests, (long long)s->retries,
           (long long)s->prompt_tokens, (long long)s->completion_tokens, s->cost_usd);
    if (s->too_many_errors)
        printf("  more than 10%% of cases ended in error: treat this as an outage, not a regression;\n"
               "  'harness run --rerun-errors %lld' runs them again\n", (long long)s->run_id);
}

/* Triggers: only the modules that had one, or needed one and were held
 * back (below the bar, or in an outage); healthy modules say nothing. */
static void print_triggers(const hx_run_summary *s)
{
    for (size_t i = 0; i < s->ntriggers; i++) {
        const hx_trigger_outcome *t = &s->triggers[i];
        bool below = !isnan(t->pass_rate) && t->pass_rate < t->bar;
        if (t->fired)
            printf("  recompile trigger %lld for %s/%s: %s\n", (long long)t->trigger_id, t->agent, t->module,
                   t->reason);
        else if (below || s->too_many_errors)
            printf("  no recompile trigger for %s/%s: %s\n", t->agent, t->module, t->reason);
    }
}

static cJSON *triggers_json(const hx_run_summary *s)
{
    cJSON *a = cJSON_CreateArray();
    for (size_t i = 0; i < s->ntriggers; i++) {
        const hx_trigger_outcome *t = &s->triggers[i];
        cJSON *j = cJSON_CreateObject();
        cJSON_AddStringToObject(j, "agent", t->agent);
        cJSON_AddStringToObject(j, "module", t->module);
        cJSON_AddBoolToObject(j, "fired", t->fired);
        if (t->fired) cJSON_AddNumberToObject(j, "trigger_id", (double)t->trigger_id);
        else cJSON_AddNullToObject(j, "trigger_id");
        cJSON_AddStringToObject(j, "reason", t->reason);
        cJSON_AddItemToArray(a, j);
    }
    return a;
}

/* Run the recompile of every trigger this run opened. A recompile that
 * cannot start (another one holds the database, optimizer `native`)
 * leaves its trigger open for 'harness recompile --pending'. */
static void run_recompiles(const hx_run_opts *ro, const hx_run_summary *s, bool json, cJSON *out)
{
    hx_recompile_opts o = {.suite_path = ro->suite_path, .db = ro->db, .concurrency = ro->concurrency,
                           .log = json ? NULL : stdout};
    for (size_t i = 0; i < s->ntriggers; i++) {
        const hx_trigger_outcome *t = &s->triggers[i];
        hx_recompile_result r;
        hx_error err = {{0}};
        if (!t->fired) continue;
        int rc = hx_recompile_run(&o, t->trigger_id, &r, &err);
        if (rc == -2 || rc == -3)
            fprintf(stderr, "harness run: recompile %lld not started (trigger left open): %s\n",
                    (long long)t->trigger_id, err.msg);
        if (!out) continue;
        cJSON *j = hx_recompile_result_json(&r);
        if (rc == -2 || rc == -3) {
            cJSON_ReplaceItemInObject(j, "status", cJSON_CreateString("not started"));
            cJSON_ReplaceItemInObject(j, "message", cJSON_CreateString(err.msg));
        }
        cJSON_AddItemToArray(out, j);
    }
}

static void print_json(const hx_run_summary *s, cJSON *recompiles)
{
    cJSON *o = cJSON_CreateObject(), *ms = cJSON_CreateArray();
    cJSON_AddNumberToObject(o, "run_id", (double)s->run_id);
    cJSON_AddStringToObject(o, "db", s->db);
    cJSON_AddNumberToObject(o, "cases", (double)s->cases);
    cJSON_AddNumberToObject(o, "errors", (double)s->errors);
    cJSON_AddNumberToObject(o, "wall_s", s->wall_s);
    cJSON_AddNumberToObject(o, "prompt_tokens", (double)s->prompt_tokens);
    cJSON_AddNumberToObject(o, "completion_tokens", (double)s->completion_tokens);
    cJSON_AddNumberToObject(o, "cost_usd", s->cost_usd);
    cJSON_AddNumberToObject(o, "requests", (double)s->requests);
    cJSON_AddNumberToObject(o, "retries", (double)s->retries);
    cJSON_AddBoolToObject(o, "too_many_errors", s->too_many_errors);
    for (size_t i = 0; i < s->nmodules; i++) {
        const hx_module_summary *m = &s->modules[i];
        cJSON *j = cJSON_CreateObject();
        cJSON_AddStringToObject(j, "agent", m->agent);
        cJSON_AddStringToObject(j, "module", m->module);
        cJSON_AddNumberToObject(j, "cases", (double)m->cases);
        cJSON_AddNumberToObject(j, "passed", (double)m->passed);
        cJSON_AddNumberToObject(j, "failed", (double)m->failed);
        cJSON_AddNumberToObject(j, "errors", (double)m->errors);
        if (isnan(m->pass_rate)) cJSON_AddNullToObject(j, "pass_rate");
        else cJSON_AddNumberToObject(j, "pass_rate", m->pass_rate);
        if (isnan(m->prev_pass_rate)) cJSON_AddNullToObject(j, "previous_pass_rate");
        else cJSON_AddNumberToObject(j, "previous_pass_rate", m->prev_pass_rate);
        cJSON_AddNumberToObject(j, "bar", m->bar);
        cJSON_AddBoolToObject(j, "below_bar", m->below);
        cJSON_AddItemToArray(ms, j);
    }
    cJSON_AddItemToObject(o, "modules", ms);
    cJSON_AddItemToObject(o, "triggers", triggers_json(s));
    cJSON_AddItemToObject(o, "recompiles", recompiles ? recompiles : cJSON_CreateArray());
    char *t = cJSON_Print(o);
    if (t) puts(t);
    free(t);
    cJSON_Delete(o);
}

int hx_cmd_run(int argc, char **argv)
{
    static const struct option OPTS[] = {
        {"suite", required_argument, 0, 's'}, {"agent", required_argument, 0, 'a'},
        {"module", required_argument, 0, 'm'}, {"db", required_argument, 0, 'd'},
        {"concurrency", required_argument, 0, 'c'}, {"cache", required_argument, 0, 'C'},
        {"resume", required_argument, 0, 'r'}, {"rerun-errors", required_argument, 0, 'e'},
        {"no-recompile", no_argument, 0, 'n'}, {"report", required_argument, 0, 'R'},
        {"json", no_argument, 0, 'j'}, {"help", no_argument, 0, 'h'}, {0, 0, 0, 0}};
    const char *agents[MAX_FILTERS], *modules[MAX_FILTERS];
    hx_run_opts o = {.suite_path = "suite.json", .cache_mode = HX_CACHE_OFF, .agents = agents, .modules = modules};
    hx_run_summary sum;
    hx_diags d = {0};
    hx_error err;
    int c, json = 0, rc, no_recompile = 0;
    char *end;

    optind = 1;
    opterr = 0;
    while ((c = getopt_long(argc, argv, "", OPTS, NULL)) != -1) {
        switch (c) {
        case 's': o.suite_path = optarg; break;
        case 'a':
            if (o.nagents == MAX_FILTERS) return hx_cli_usage("run", "too many --agent");
            agents[o.nagents++] = optarg;
            break;
        case 'm':
            if (o.nmodules == MAX_FILTERS) return hx_cli_usage("run", "too many --module");
            modules[o.nmodules++] = optarg;
            break;
        case 'd': o.db = optarg; break;
        case 'c':
            o.concurrency = (int)strtol(optarg, &end, 10);
            if (*end || o.concurrency < 1 || o.concurrency > 4096)
                return hx_cli_usage("run", "--concurrency takes a number from 1 to 4096, not \"%s\"", optarg);
            break;
        case 'C':
            if (!strcmp(optarg, "read-write")) o.cache_mode = HX_CACHE_READ_WRITE;
            else if (!strcmp(optarg, "read")) o.cache_mode = HX_CACHE_READ;
            else if (!strcmp(optarg, "off")) o.cache_mode = HX_CACHE_OFF;
            else return hx_cli_usage("run", "--cache takes read-write, read or off, not \"%s\"", optarg);
            break;
        case 'r':
            if (parse_run_id(optarg, &o.resume_run) != 0)
                return hx_cli_usage("run", "--resume takes a run id (a positive number), not \"%s\"", optarg);
            break;
        case 'e':
            if (parse_run_id(optarg, &o.rerun_errors_run) != 0)
                return hx_cli_usage("run", "--rerun-errors takes a run id, not \"%s\"", optarg);
            break;
        case 'n': no_recompile = 1; break;
        case 'R': return hx_cli_usage("run", "--report is not in this version; query the database's views");
        case 'j': json = 1; break;
        case 'h': fputs(HELP, stdout); return HX_EXIT_OK;
        default: return hx_cli_usage("run", "unknown option \"%s\"", argv[optind - 1]);
        }
    }
    if (optind < argc) return hx_cli_usage("run", "unexpected argument \"%s\"", argv[optind]);
    if (o.resume_run && o.rerun_errors_run) return hx_cli_usage("run", "--resume and --rerun-errors do not go together");
    o.progress = !json && hx_cli_color(stderr);
    o.triggers = true;

    rc = hx_run(&o, &sum, &d, &err);
    if (rc == -2) {
        hx_diags_print(&d, stderr);
        fprintf(stderr, "harness run: %zu problem%s; nothing was sent or written\n", d.n + d.dropped,
                d.n + d.dropped == 1 ? "" : "s");
        hx_diags_free(&d);
        return HX_EXIT_USAGE;
    }
    hx_diags_free(&d);
    if (rc != 0) {
        fprintf(stderr, "harness run: %s\n", err.msg);
        if (sum.run_id) fprintf(stderr, "harness run: what finished is kept; 'harness run --resume %lld' continues\n",
                                (long long)sum.run_id);
        hx_run_summary_free(&sum);
        return HX_EXIT_RUNTIME;
    }
    cJSON *recompiles = json ? cJSON_CreateArray() : NULL;
    if (!json) {
        print_text(&sum);
        print_triggers(&sum);
        fflush(stdout);
    }
    if (!no_recompile) run_recompiles(&o, &sum, json, recompiles);
    if (json) print_json(&sum, recompiles);
    rc = HX_EXIT_OK;
    if (sum.too_many_errors) rc = HX_EXIT_RUNTIME;
    else
        for (size_t i = 0; i < sum.nmodules; i++)
            if (sum.modules[i].below) rc = HX_EXIT_BELOW;
    hx_run_summary_free(&sum);
    return rc;
}
