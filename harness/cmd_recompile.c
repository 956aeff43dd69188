/*
 * cmd_recompile.c — `harness recompile`: run the recompile of one module,
 * or of every pending trigger (recompile.h does the work; this file parses
 * options, picks the triggers and prints the verdicts).
 */
#include <cjson/cJSON.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "recompile.h"

static const char HELP[] =
    "Usage: harness recompile [--suite F] (--module M | --pending) [--optimizer dspy|native]\n"
    "                         [--db F] [--timeout S] [--json]\n"
    "\n"
    "Re-optimises a module's DSPy program with MIPROv2 and promotes the result only\n"
    "if it is better on transcripts the optimizer never saw:\n"
    "  1. the module's transcripts are split by the SHA-256 of their id: 50 % train,\n"
    "     25 % val (given to the optimizer), 25 % held-out (kept from it);\n"
    "  2. the optimizer runs as a child process with a time limit: `dspy` is\n"
    "     bridge/recompile.py, the real dspy.MIPROv2 whose metric is this tool's\n"
    "     assertion engine (libharness.so through ctypes);\n"
    "  3. the current program and the candidate are both scored on the held-out\n"
    "     transcripts with the module's LM (in a scratch database);\n"
    "  4. the candidate replaces the program file (atomically; every version is kept\n"
    "     as <program folder>/history/<module>.<sha256>.json) only if it scores at\n"
    "     least the current program plus recompile.promote_margin.\n"
    "Each step is recorded in the recompile_triggers view (open, running, done or\n"
    "failed; old/new hash and score; promoted). The files of trigger N (exported\n"
    "sets, candidate, optimizer log, result.json) are in <db folder>/recompile/N/.\n"
    "\n"
    "Options:\n"
    "  --suite F            the suite file (default: suite.json)\n"
    "  --module M           recompile module M (\"name\" or \"agent/name\"): its open\n"
    "                       trigger, or a new one against its latest run\n"
    "  --pending            run every open trigger (and any left \"running\" by a\n"
    "                       recompile that died), oldest first\n"
    "  --optimizer O        dspy (default: the module's recompile.optimizer); native\n"
    "                       (MIPROv2 in C) is not in this version\n"
    "  --db F               the database (default: the suite's \"db\")\n"
    "  --timeout S          the optimizer's time limit in seconds (default 3600);\n"
    "                       it is killed when it runs over and the trigger fails\n"
    "  --json               print the results as JSON\n"
    "\n"
    "The optimizer is $HX_PYTHON (default .venv/bin/python above the binary, else\n"
    "python3) running $HX_BRIDGE (default bridge/recompile.py) with $HX_LIBHARNESS\n"
    "(default libharness.so beside the binary); 'make recompile-venv' installs\n"
    "DSPy 3.3.1 into .venv. The LM's API key is read from the variable the suite\n"
    "names and is never written anywhere.\n"
    "\n"
    "Exit: 0 every recompile reached a verdict (promoted or kept the current\n"
    "program); 2 bad usage or config (nothing changed); 3 a recompile failed or\n"
    "another recompile holds the database.\n"
    "\n"
    "Examples:\n"
    "  harness recompile --module booking_extractor\n"
    "  harness recompile --pending --timeout 1800\n";

typedef struct cli {
    hx_recompile_opts o;
    const char *module;
    bool pending, json;
} cli;

static int parse(int argc, char **argv, cli *c)
{
    static const struct option OPTS[] = {
        {"suite", required_argument, 0, 's'}, {"module", required_argument, 0, 'm'},
        {"pending", no_argument, 0, 'p'}, {"optimizer", required_argument, 0, 'o'},
        {"db", required_argument, 0, 'd'}, {"timeout", required_argument, 0, 't'},
        {"json", no_argument, 0, 'j'}, {"help", no_argument, 0, 'h'}, {0, 0, 0, 0}};
    int ch;
    char *end;
    optind = 1;
    opterr = 0;
    while ((ch = getopt_long(argc, argv, "", OPTS, NULL)) != -1) {
        switch (ch) {
        case 's': c->o.suite_path = optarg; break;
        case 'm': c->module = optarg; break;
        case 'p': c->pending = true; break;
        case 'o': c->o.optimizer = optarg; break;
        case 'd': c->o.db = optarg; break;
        case 't':
            c->o.timeout_s = strtod(optarg, &end);
            if (*end || !(c->o.timeout_s > 0) || c->o.timeout_s > 7 * 86400)
                return hx_cli_usage("recompile", "--timeout takes seconds (more than 0, at most a week), not \"%s\"",
                                    optarg);
            break;
        case 'j': c->json = true; break;
        case 'h': fputs(HELP, stdout); return -1;
        default: return hx_cli_usage("recompile", "unknown option \"%s\"", argv[optind - 1]);
        }
    }
    if (optind < argc) return hx_cli_usage("recompile", "unexpected argument \"%s\"", argv[optind]);
    if (!c->module == !c->pending) return hx_cli_usage("recompile", "give either --module M or --pending");
    if (c->o.optimizer && !strcmp(c->o.optimizer, "native")) {
        fprintf(stderr, "harness recompile: the native optimizer (MIPROv2 in C) is not in this version; "
                        "use --optimizer dspy\n");
        return HX_EXIT_USAGE;
    }
    if (c->o.optimizer && strcmp(c->o.optimizer, "dspy"))
        return hx_cli_usage("recompile", "--optimizer takes dspy or native, not \"%s\"", c->o.optimizer);
    return 0;
}

/* A recompile that did not start has no status of its own: say so, and why. */
static cJSON *result_json(const hx_recompile_result *r, int rc, const char *error)
{
    cJSON *j = hx_recompile_result_json(r);
    if (rc == -2 || rc == -3) {
        cJSON_ReplaceItemInObject(j, "status", cJSON_CreateString("not started"));
        cJSON_ReplaceItemInObject(j, "message", cJSON_CreateString(error));
    }
    return j;
}

/* Worst outcome wins: a failure (3) over a config problem (2) over 0. */
static int exit_for(int rc, int sofar)
{
    int e = rc == 0 ? HX_EXIT_OK : rc == -2 ? HX_EXIT_USAGE : HX_EXIT_RUNTIME;
    if (sofar == HX_EXIT_RUNTIME || e == HX_EXIT_RUNTIME) return HX_EXIT_RUNTIME;
    return e > sofar ? e : sofar;
}

static int run_one(cli *c, int64_t id, cJSON *out, int sofar)
{
    hx_recompile_result r;
    hx_error err = {{0}};
    int rc = hx_recompile_run(&c->o, id, &r, &err);
    if (rc == -2 || rc == -3) fprintf(stderr, "harness recompile: trigger %lld: %s\n", (long long)id, err.msg);
    if (out) cJSON_AddItemToArray(out, result_json(&r, rc, err.msg));
    return exit_for(rc, sofar);
}

int hx_cmd_recompile(int argc, char **argv)
{
    cli c = {.o = {.suite_path = "suite.json"}};
    hx_error err = {{0}};
    int64_t *ids = NULL, one;
    size_t n = 0;
    int rc = parse(argc, argv, &c), ex = HX_EXIT_OK;
    if (rc != 0) return rc < 0 ? HX_EXIT_OK : rc;
    c.o.log = c.json ? NULL : stdout;
    if (c.module) {
        if (hx_recompile_request(&c.o, c.module, &one, &err) != 0) {
            fprintf(stderr, "harness recompile: %s\n", err.msg);
            return HX_EXIT_USAGE;
        }
        ids = &one;
        n = 1;
    } else if (hx_recompile_pending(&c.o, &ids, &n, &err) != 0) {
        fprintf(stderr, "harness recompile: %s\n", err.msg);
        return HX_EXIT_USAGE;
    }
    cJSON *out = c.json ? cJSON_CreateArray() : NULL;
    if (n == 0 && !c.json) puts("no pending recompile triggers");
    for (size_t i = 0; i < n; i++) ex = run_one(&c, ids[i], out, ex);
    if (ids != &one) free(ids);
    if (out) {
        char *t = cJSON_Print(out);
        if (t) puts(t);
        free(t);
        cJSON_Delete(out);
    }
    return ex;
}
