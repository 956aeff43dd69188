/*
 * main.c — the harness command: dispatch to cmd_<name>.c.
 */
#include <stdio.h>
#include <string.h>

#include "cli.h"

static const char USAGE[] =
    "harness — replay call transcripts through DSPy modules and check every entity\n"
    "\n"
    "Usage: harness COMMAND [OPTIONS]\n"
    "\n"
    "Commands:\n"
    "  validate   check a suite, its rules, programs and transcripts; list every problem\n"
    "  check      score a file of predictions against the transcripts (no LM calls)\n"
    "  normalize  show the canonical form of values (why did an assertion fail?)\n"
    "  run        replay transcripts through the modules against an LM; store and score\n"
    "  report     HTML / Markdown / JUnit / JSON reports from the database\n"
    "  recompile  re-optimise a module with DSPy MIPROv2; promote only if better\n"
    "  triggers   list recompile triggers\n"
    "\n"
    "Run 'harness COMMAND --help' for a command's options and examples.\n"
    "\n"
    "Exit codes: 0 every module at or above its bar; 1 some module below its bar;\n"
    "2 bad usage, config or input (nothing sent, nothing written); 3 could not\n"
    "finish (LM, disk or database failure).\n";

int main(int argc, char **argv)
{
    const char *cmd = argc > 1 ? argv[1] : NULL;
    if (!cmd || !strcmp(cmd, "--help") || !strcmp(cmd, "-h") || !strcmp(cmd, "help")) {
        fputs(USAGE, cmd ? stdout : stderr);
        return cmd ? HX_EXIT_OK : HX_EXIT_USAGE;
    }
    if (!strcmp(cmd, "--version") || !strcmp(cmd, "version")) {
        printf("harness %s\n", HX_VERSION);
        return HX_EXIT_OK;
    }
    if (!strcmp(cmd, "validate")) return hx_cmd_validate(argc - 1, argv + 1);
    if (!strcmp(cmd, "check")) return hx_cmd_check(argc - 1, argv + 1);
    if (!strcmp(cmd, "normalize") || !strcmp(cmd, "normalise")) return hx_cmd_normalize(argc - 1, argv + 1);
    if (!strcmp(cmd, "run")) return hx_cmd_run(argc - 1, argv + 1);
    if (!strcmp(cmd, "report")) return hx_cmd_report(argc - 1, argv + 1);
    if (!strcmp(cmd, "triggers")) return hx_cmd_triggers(argc - 1, argv + 1);
    if (!strcmp(cmd, "recompile")) return hx_cmd_recompile(argc - 1, argv + 1);
    fprintf(stderr, "harness: unknown command \"%s\"\n\n%s", cmd, USAGE);
    return HX_EXIT_USAGE;
}
