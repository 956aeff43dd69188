/*
 * cmd_report.c — `harness report` (being written; see the issue tracker).
 */
#include <stdio.h>

#include "cli.h"

int hx_cmd_report(int argc, char **argv)
{
    (void)argc;
    (void)argv;
    fprintf(stderr, "harness report: not available in this version yet\n");
    return HX_EXIT_USAGE;
}
