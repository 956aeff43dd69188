/*
 * options.h — simlm's command line.
 *
 * Every flag is documented in simlm/README.md and in `simlm --help`;
 * keep the three in step.
 */
#ifndef SL_OPTIONS_H
#define SL_OPTIONS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#define SL_MAX_TRUTH 64

typedef struct sl_options {
    int port;                 /* 0 = ephemeral */
    const char *port_file;    /* borrowed from argv; NULL = none */
    const char *truth[SL_MAX_TRUTH];
    size_t ntruth;
    uint64_t seed;
    bool quiet;
    long latency_ms, jitter_ms, hang_ms;
    int retry_after;
    double fail_429, fail_500, hang, malformed, empty, truncate;
    bool fault_once;
    bool fail_all;
    bool drift;
    const char *drift_skill;
    double known_anyway;
    double teach_rate;
    size_t max_body;
    unsigned max_connections;
} sl_options;

typedef enum sl_opt_rc {
    SL_OPT_RUN = 0,   /* options parsed: serve */
    SL_OPT_EXIT = 1,  /* --help / --version printed: exit 0 */
    SL_OPT_USAGE = 2  /* bad usage, message printed: exit 2 */
} sl_opt_rc;

/* Parse argv into o (defaults first). Messages go to out / err. */
sl_opt_rc sl_options_parse(int argc, char **argv, sl_options *o, FILE *out, FILE *err);

#endif
