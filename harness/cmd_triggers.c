/*
 * cmd_triggers.c — `harness triggers` (being written; see the issue tracker).
 */
#include <stdio.h>

#include "cli.h"

int hx_cmd_triggers(int argc, char **argv)
{
    (void)argc;
    (void)argv;
    fprintf(stderr, "harness triggers: not available in this version yet\n");
    return HX_EXIT_USAGE;
}
