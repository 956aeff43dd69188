/*
 * cli.h — what the harness commands share: exit codes, usage errors,
 * colour, and the entry point of each command (cmd_<name>.c).
 *
 * The CLI is thin: each command parses its options, calls the library, and
 * prints. Exit codes are the contract of DESIGN §4.
 */
#ifndef HX_CLI_H
#define HX_CLI_H

#include <stdbool.h>
#include <stdio.h>

enum {
    HX_EXIT_OK = 0,        /* every module at or above its bar */
    HX_EXIT_BELOW = 1,     /* some module below its bar (or: some value refused) */
    HX_EXIT_USAGE = 2,     /* bad usage, config or input; nothing sent or written */
    HX_EXIT_RUNTIME = 3    /* could not finish: LM, disk or database failure */
};

/* Print "harness CMD: message" and a pointer to --help on stderr; returns
 * HX_EXIT_USAGE. */
int hx_cli_usage(const char *cmd, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* True when f is a terminal and NO_COLOR is unset or empty. */
bool hx_cli_color(FILE *f);

/* ANSI sequences, or "" when colour is off. */
const char *hx_cli_red(bool on);
const char *hx_cli_green(bool on);
const char *hx_cli_dim(bool on);
const char *hx_cli_reset(bool on);

int hx_cmd_validate(int argc, char **argv);
int hx_cmd_normalize(int argc, char **argv);
int hx_cmd_check(int argc, char **argv);
int hx_cmd_run(int argc, char **argv);
int hx_cmd_report(int argc, char **argv);
int hx_cmd_triggers(int argc, char **argv);
int hx_cmd_recompile(int argc, char **argv);

#define HX_VERSION "0.1.0"

#endif
