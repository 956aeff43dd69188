/*
 * cmd_common.c — helpers shared by the commands (see cli.h). Part of the CLI, not
 * the library.
 */
#include "cli.h"

#include <stdarg.h>
#include <stdlib.h>
#include <unistd.h>

int hx_cli_usage(const char *cmd, const char *fmt, ...)
{
    va_list ap;
    fprintf(stderr, "harness %s: ", cmd);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fprintf(stderr, "\nTry 'harness %s --help'.\n", cmd);
    return HX_EXIT_USAGE;
}

bool hx_cli_color(FILE *f)
{
    const char *nc = getenv("NO_COLOR");
    if (nc && *nc) return false;
    return isatty(fileno(f));
}

const char *hx_cli_red(bool on) { return on ? "\033[31m" : ""; }
const char *hx_cli_green(bool on) { return on ? "\033[32m" : ""; }
const char *hx_cli_dim(bool on) { return on ? "\033[2m" : ""; }
const char *hx_cli_reset(bool on) { return on ? "\033[0m" : ""; }
