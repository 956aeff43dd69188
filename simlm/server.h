/*
 * server.h — simlm's HTTP side (libmicrohttpd).
 *
 * Listens on 127.0.0.1 only (a test double has no business on other
 * interfaces), one thread per connection so requests that sleep
 * (--latency-ms, --hang) overlap: 64 or more in flight is normal.
 * Routes: POST /v1/chat/completions, GET /v1/models, GET /stats,
 * GET /health (also without the /v1 prefix). Request bodies over
 * --max-body get 413; unknown paths 404; wrong methods 405.
 */
#ifndef SL_SERVER_H
#define SL_SERVER_H

#include <stdbool.h>
#include <stddef.h>

#include "chat.h"

typedef struct sl_server_cfg {
    int port;              /* 0 = ephemeral */
    size_t max_body;
    unsigned max_connections;
    bool quiet;
} sl_server_cfg;

typedef struct sl_server sl_server;

/* Start serving svc (borrowed; must outlive the server). Sets *port to the
 * port bound. Returns 0, or -1 with why. */
int sl_server_start(const sl_service *svc, const sl_server_cfg *cfg, sl_server **out, int *port,
                    char why[256]);
/* Stop accepting, finish (or abandon) requests in flight, free. */
void sl_server_stop(sl_server *s);

#endif
