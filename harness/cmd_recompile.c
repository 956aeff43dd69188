/*
 * cmd_recompile.c — `harness recompile` (being written; see the issue tracker).
 */
#include <stdio.h>

#include "cli.h"

int hx_cmd_recompile(int argc, char **argv)
{
    (void)argc;
    (void)argv;
    fprintf(stderr, "harness recompile: not available in this version yet\n");
    return HX_EXIT_USAGE;
}
