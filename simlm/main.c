/*
 * main.c — simlm: a simulated OpenAI-compatible LM (a test double).
 *
 * It answers DSPy ChatAdapter / JSONAdapter prompts like an imperfect
 * extraction model whose mistakes depend on what the prompt teaches, and
 * injects provider faults on demand, deterministically. It is the
 * harness's demo LM and the LM of its tests; simlm/README.md is the user
 * documentation.
 *
 * This file wires the pieces: options, the transcript index, the fault
 * table, the server; then waits for SIGTERM/SIGINT and shuts down cleanly
 * (requests that sleep are woken, every allocation freed).
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <pthread.h>

#include "chat.h"
#include "clock.h"
#include "options.h"
#include "server.h"
#include "truth.h"

/* Write the port to path atomically (temp file + rename), so a reader
 * polling for the file never sees it half written. */
static int write_port_file(const char *path, int port)
{
    size_t n = strlen(path) + 8;
    char *tmp = malloc(n);
    FILE *f;
    int ok;
    if (!tmp) return -1;
    snprintf(tmp, n, "%s.tmp", path);
    if (!(f = fopen(tmp, "w"))) { free(tmp); return -1; }
    ok = fprintf(f, "%d\n", port) > 0;
    ok = (fclose(f) == 0) && ok;
    ok = ok && rename(tmp, path) == 0;
    if (!ok) remove(tmp);
    free(tmp);
    return ok ? 0 : -1;
}

static int load_truth(const sl_options *o, sl_truth *t)
{
    char why[512];
    for (size_t i = 0; i < o->ntruth; i++)
        if (sl_truth_load(t, o->truth[i], o->quiet, why) != 0) {
            fprintf(stderr, "simlm: --truth: %s\n", why);
            return -1;
        }
    sl_truth_finish(t);
    return 0;
}

static void configure(const sl_options *o, const sl_truth *t, sl_service *svc, sl_fault_cfg *fc)
{
    const sl_skill *drifted = o->drift ? sl_skill_named(o->drift_skill) : NULL;
    memset(fc, 0, sizeof *fc);
    fc->rate[SL_FAULT_HANG] = o->hang;
    fc->rate[SL_FAULT_429] = o->fail_429;
    fc->rate[SL_FAULT_500] = o->fail_500;
    fc->rate[SL_FAULT_MALFORMED] = o->malformed;
    fc->rate[SL_FAULT_EMPTY] = o->empty;
    fc->rate[SL_FAULT_TRUNCATE] = o->truncate;
    fc->once = o->fault_once;
    fc->seed = o->seed;
    memset(svc, 0, sizeof *svc);
    svc->model.truth = t;
    svc->model.teaching = (sl_teaching){o->known_anyway, o->seed, drifted};
    svc->model.prose = (sl_prose_cfg){o->seed, o->teach_rate, drifted};
    svc->latency_ms = o->latency_ms;
    svc->jitter_ms = o->jitter_ms;
    svc->hang_ms = o->hang_ms;
    svc->retry_after = o->retry_after;
    svc->fail_all = o->fail_all;
    svc->seed = o->seed;
}

/* Serve until SIGTERM or SIGINT. The signals are blocked before any
 * thread starts, so only sigwait here receives them. */
static int serve(const sl_options *o, const sl_service *svc, const sigset_t *sigs)
{
    sl_server_cfg cfg = {o->port, o->max_body, o->max_connections, o->quiet};
    sl_server *srv;
    char why[256];
    int port, sig, rc = 0;
    if (sl_server_start(svc, &cfg, &srv, &port, why) != 0) {
        fprintf(stderr, "simlm: %s\n", why);
        return 1;
    }
    if (o->port_file && write_port_file(o->port_file, port) != 0) {
        fprintf(stderr, "simlm: --port-file: cannot write %s\n", o->port_file);
        rc = 1;
    } else {
        if (!o->quiet)
            fprintf(stderr, "simlm: listening on http://127.0.0.1:%d/v1%s%s%s\n", port,
                    o->drift ? " (drift breaks " : "", o->drift ? o->drift_skill : "",
                    o->drift ? ")" : "");
        sigwait(sigs, &sig);
        if (!o->quiet) fprintf(stderr, "simlm: stopping (signal %d)\n", sig);
    }
    sl_server_stop(srv);
    return rc;
}

int main(int argc, char **argv)
{
    sl_options o;
    sl_truth truth = {0};
    sl_service svc;
    sl_fault_cfg fc;
    sigset_t sigs;
    int rc;
    switch (sl_options_parse(argc, argv, &o, stdout, stderr)) {
    case SL_OPT_EXIT: return 0;
    case SL_OPT_USAGE: return 2;
    case SL_OPT_RUN: break;
    }
    signal(SIGPIPE, SIG_IGN);
    sigemptyset(&sigs);
    sigaddset(&sigs, SIGTERM);
    sigaddset(&sigs, SIGINT);
    pthread_sigmask(SIG_BLOCK, &sigs, NULL);
    if (load_truth(&o, &truth) != 0) { sl_truth_free(&truth); return 2; }
    configure(&o, &truth, &svc, &fc);
    svc.faults = sl_faults_new(&fc);
    svc.stats = sl_stats_new();
    if (!svc.faults || !svc.stats) {
        fprintf(stderr, "simlm: out of memory\n");
        rc = 1;
    } else {
        rc = serve(&o, &svc, &sigs);
    }
    sl_faults_free(svc.faults);
    sl_stats_free(svc.stats);
    sl_truth_free(&truth);
    return rc;
}
