/*
 * chat.h — one POST /v1/chat/completions, start to finish, without HTTP.
 *
 * The service takes a request body and gives back the status, body and
 * headers to send; server.c only moves bytes. Order: --fail-all (503);
 * reading the request (400 if it is not one); the fault decision; then the
 * answer, formatted for the adapter, with the fault applied to it (empty,
 * truncated, malformed); then the wait until the simulated latency has
 * passed since the request arrived (a --hang fault waits its hang_ms on
 * top), so the latency is the server's whole answer time.
 */
#ifndef SL_CHAT_H
#define SL_CHAT_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "answer.h"
#include "faults.h"
#include "stats.h"

typedef struct sl_service {
    sl_model model;
    sl_faults *faults;     /* borrowed */
    sl_stats *stats;       /* borrowed */
    long latency_ms, jitter_ms, hang_ms;
    int retry_after;       /* seconds, for 429 */
    bool fail_all;
    uint64_t seed;
} sl_service;

typedef struct sl_http {
    int status;
    char *body;            /* owned; NULL = empty body */
    int retry_after;       /* Retry-After seconds; < 0 = no header */
    sl_fault fault;
    sl_outcome outcome;
} sl_http;

void sl_chat(const sl_service *svc, const char *body, size_t len, const struct timespec *arrived,
             sl_http *out);
void sl_http_free(sl_http *h);

#endif
