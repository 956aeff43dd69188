/*
 * cmd_validate.c — `harness validate`: check a whole suite, list every
 * problem, write nothing.
 */
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "validate.h"

static const char HELP[] =
    "Usage: harness validate [--suite F] [--json]\n"
    "\n"
    "Checks the suite file, every module's assertion rules and compiled DSPy\n"
    "program, and every transcript of every agent, and lists ALL problems as\n"
    "  file:line:col: $.json.path: what is wrong and what was expected\n"
    "Expected values are read with their rules too, so a fixture typo such as\n"
    "\"2026-13-01\" is reported here rather than as a model failure.\n"
    "Nothing is sent to an LM and nothing is written.\n"
    "\n"
    "Options:\n"
    "  --suite F   the suite file (default: suite.json)\n"
    "  --json      print the problems as a JSON array on stdout\n"
    "\n"
    "Exit: 0 valid; 2 problems found (listed on stderr, or stdout with --json).\n"
    "\n"
    "Example:\n"
    "  harness validate --suite suite.json\n";

int hx_cmd_validate(int argc, char **argv)
{
    static const struct option OPTS[] = {
        {"suite", required_argument, 0, 's'}, {"json", no_argument, 0, 'j'},
        {"help", no_argument, 0, 'h'}, {0, 0, 0, 0}};
    const char *suite_path = "suite.json";
    int json = 0, c;
    hx_suite s;
    hx_diags d = {0};
    size_t counts[256] = {0}, total = 0;
    int rc;

    optind = 1;
    opterr = 0;
    while ((c = getopt_long(argc, argv, "", OPTS, NULL)) != -1) {
        switch (c) {
        case 's': suite_path = optarg; break;
        case 'j': json = 1; break;
        case 'h': fputs(HELP, stdout); return HX_EXIT_OK;
        default: return hx_cli_usage("validate", "unknown option \"%s\"", argv[optind - 1]);
        }
    }
    if (optind < argc) return hx_cli_usage("validate", "unexpected argument \"%s\"", argv[optind]);

    rc = hx_suite_load(suite_path, &s, &d);
    if (rc == 0 && s.nagents > 256) {
        hx_diags_add(&d, suite_path, 0, 0, "", "more than 256 agents");
        rc = -1;
    }
    if (rc == 0) rc = hx_validate_suite(&s, &d, counts);
    else if (s.nagents) hx_validate_suite(&s, &d, NULL); /* still report the rest */
    if (json) {
        hx_diags_print_json(&d, stdout);
    } else if (d.n) {
        hx_diags_print(&d, stderr);
        fprintf(stderr, "%zu problem%s found in %s\n", d.n + d.dropped, d.n + d.dropped == 1 ? "" : "s",
                suite_path);
    } else {
        for (size_t a = 0; a < s.nagents; a++) total += counts[a];
        printf("%s: valid (%zu agent%s, %zu transcript%s)\n", suite_path, s.nagents,
               s.nagents == 1 ? "" : "s", total, total == 1 ? "" : "s");
    }
    rc = d.n ? HX_EXIT_USAGE : HX_EXIT_OK;
    hx_diags_free(&d);
    hx_suite_free(&s);
    return rc;
}
