/*
 * server.c — routing HTTP requests to the service (see server.h).
 *
 * microhttpd calls the handler several times per request: once with the
 * headers, once per chunk of body, once more to answer. The body is
 * gathered in a per-connection buffer (capped at --max-body) and the
 * request answered on the last call. A body over the cap gets 413: at once
 * when the client announced it with "Expect: 100-continue" (curl does for
 * large bodies) or when it is huge; otherwise after reading and discarding
 * it, because a client still sending would miss an early answer.
 */
#include "server.h"

#include <arpa/inet.h>
#include <errno.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <unistd.h>

#include "clock.h"
#include "reply.h"
#include "strbuf.h"

struct sl_server {
    struct MHD_Daemon *daemon;
    const sl_service *svc;
    sl_server_cfg cfg;
};

/* One request's state across handler calls. */
typedef struct conn {
    sl_buf body;
    size_t discarded; /* bytes of a too-large body thrown away */
    bool too_big;
    bool done;        /* answered and counted */
    struct timespec arrived;    /* when the request's headers were read */
} conn;

/* Past this, a too-large body is not worth reading to the end. */
#define DISCARD_MAX ((size_t)64 << 20)

static const char MODELS[] =
    "{\"object\":\"list\",\"data\":[{\"id\":\"simlm\",\"object\":\"model\",\"created\":1767225600,"
    "\"owned_by\":\"simlm\"}]}";

static bool path_is(const char *url, const char *path)
{
    /* "/v1/x" and "/x" both work: base_url may or may not end in /v1. */
    if (strncmp(url, "/v1/", 4) == 0) url += 3;
    return strcmp(url, path) == 0;
}

static enum MHD_Result send_json(struct MHD_Connection *c, int status, const char *body, int retry_after)
{
    struct MHD_Response *r;
    enum MHD_Result ret;
    char ra[16];
    if (!body) body = "";
    r = MHD_create_response_from_buffer(strlen(body), (void *)body, MHD_RESPMEM_MUST_COPY);
    if (!r) return MHD_NO;
    MHD_add_response_header(r, "Content-Type", "application/json");
    if (retry_after >= 0) {
        snprintf(ra, sizeof ra, "%d", retry_after);
        MHD_add_response_header(r, "Retry-After", ra);
    }
    if (status == 405) MHD_add_response_header(r, "Allow", "GET, POST");
    ret = MHD_queue_response(c, (unsigned)status, r);
    MHD_destroy_response(r);
    return ret;
}

static void finish(const sl_server *s, conn *st, const char *method, const char *url, int status,
                   sl_outcome o, sl_fault f)
{
    st->done = true;
    sl_stats_end(s->svc->stats, status, o, f);
    if (!s->cfg.quiet)
        fprintf(stderr, "simlm: %s %s %d fault=%s %lldms\n", method, url, status, sl_fault_name(f),
                sl_ms_since(&st->arrived));
}

static enum MHD_Result reply_error(const sl_server *s, struct MHD_Connection *c, conn *st,
                                   const char *method, const char *url, int status,
                                   const char *msg, const char *type, sl_outcome o)
{
    char *body = sl_reply_error(msg, type, NULL);
    enum MHD_Result r = send_json(c, status, body, -1);
    free(body);
    finish(s, st, method, url, status, o, SL_FAULT_NONE);
    return r;
}

static enum MHD_Result on_chat(const sl_server *s, struct MHD_Connection *c, conn *st,
                               const char *method, const char *url)
{
    sl_http h;
    enum MHD_Result r;
    if (st->too_big)
        return reply_error(s, c, st, method, url, 413, "Request body too large for simlm (--max-body).",
                           "invalid_request_error", SL_OUT_BAD_REQUEST);
    sl_chat(s->svc, st->body.s ? st->body.s : "", st->body.len, &st->arrived, &h);
    r = send_json(c, h.status, h.body, h.retry_after);
    finish(s, st, method, url, h.status, h.outcome, h.fault);
    sl_http_free(&h);
    return r;
}

static enum MHD_Result on_get(const sl_server *s, struct MHD_Connection *c, conn *st,
                              const char *method, const char *url)
{
    enum MHD_Result r;
    int status = 200;
    if (path_is(url, "/models")) r = send_json(c, status, MODELS, -1);
    else if (path_is(url, "/health")) r = send_json(c, status, "{\"status\":\"ok\"}", -1);
    else {
        char *body = sl_stats_json(s->svc->stats);
        if (!body) status = 500;
        r = send_json(c, status, body, -1);
        free(body);
    }
    finish(s, st, method, url, status, status == 200 ? SL_OUT_OTHER : SL_OUT_ERROR, SL_FAULT_NONE);
    return r;
}

static enum MHD_Result route(const sl_server *s, struct MHD_Connection *c, conn *st,
                             const char *method, const char *url)
{
    bool post = strcmp(method, "POST") == 0, get = strcmp(method, "GET") == 0;
    if (path_is(url, "/chat/completions")) {
        if (post) return on_chat(s, c, st, method, url);
        return reply_error(s, c, st, method, url, 405, "Use POST for /v1/chat/completions.",
                           "invalid_request_error", SL_OUT_OTHER);
    }
    if (path_is(url, "/models") || path_is(url, "/health") || path_is(url, "/stats")) {
        if (get) return on_get(s, c, st, method, url);
        return reply_error(s, c, st, method, url, 405, "Use GET for this path.",
                           "invalid_request_error", SL_OUT_OTHER);
    }
    return reply_error(s, c, st, method, url, 404, "simlm serves /v1/chat/completions, /v1/models, "
                       "/stats and /health.", "invalid_request_error", SL_OUT_OTHER);
}

/* The declared Content-Length, or 0 when there is none. */
static unsigned long long declared_length(struct MHD_Connection *c)
{
    const char *cl = MHD_lookup_connection_value(c, MHD_HEADER_KIND, MHD_HTTP_HEADER_CONTENT_LENGTH);
    char *end;
    unsigned long long n;
    if (!cl) return 0;
    errno = 0;
    n = strtoull(cl, &end, 10);
    return errno || end == cl ? 0 : n;
}

/* Answer 413 before the body is sent? */
static bool refuse_early(struct MHD_Connection *c, unsigned long long declared)
{
    const char *ex = MHD_lookup_connection_value(c, MHD_HEADER_KIND, MHD_HTTP_HEADER_EXPECT);
    return declared > DISCARD_MAX || (ex && strcasecmp(ex, "100-continue") == 0);
}

/* Take a chunk of body: keep it, or count it as discarded once over the
 * cap. Returns false when even discarding has gone on too long. */
static bool take_upload(const sl_server *s, conn *st, const char *upload, size_t n)
{
    if (!st->too_big && st->body.len + n > s->cfg.max_body) {
        st->too_big = true;
        st->discarded = st->body.len;
        sl_buf_free(&st->body);
    }
    if (!st->too_big) {
        sl_buf_put(&st->body, upload, n);
        return true;
    }
    st->discarded += n;
    return st->discarded <= DISCARD_MAX;
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *c, const char *url,
                                  const char *method, const char *version, const char *upload,
                                  size_t *upload_size, void **ctx)
{
    sl_server *s = cls;
    conn *st = *ctx;
    (void)version;
    if (!st) {
        if (!(st = calloc(1, sizeof *st))) return MHD_NO;
        st->arrived = sl_clock_in_ms(0);
        *ctx = st;
        sl_stats_begin(s->svc->stats);
        unsigned long long declared = declared_length(c);
        if (declared > s->cfg.max_body) {
            st->too_big = true;
            if (refuse_early(c, declared)) return on_chat(s, c, st, method, url);
        }
        return MHD_YES;
    }
    if (*upload_size) {
        bool ok = take_upload(s, st, upload, *upload_size);
        *upload_size = 0;
        return ok ? MHD_YES : MHD_NO;
    }
    if (st->done) return MHD_YES;
    if (st->body.oom) {
        sl_buf_free(&st->body);
        return reply_error(s, c, st, method, url, 500, "simlm ran out of memory reading the request.",
                           "server_error", SL_OUT_ERROR);
    }
    return route(s, c, st, method, url);
}

static void on_completed(void *cls, struct MHD_Connection *c, void **ctx,
                         enum MHD_RequestTerminationCode why)
{
    sl_server *s = cls;
    conn *st = *ctx;
    (void)c;
    (void)why;
    if (!st) return;
    /* Never answered (the client went away mid-upload): 499, as nginx says. */
    if (!st->done) sl_stats_end(s->svc->stats, 499, SL_OUT_OTHER, SL_FAULT_NONE);
    sl_buf_free(&st->body);
    free(st);
    *ctx = NULL;
}

/* A listening socket on 127.0.0.1:port; sets *bound to the real port. */
static int listen_local(int port, int *bound, char why[256])
{
    struct sockaddr_in a;
    socklen_t len = sizeof a;
    int one = 1, fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0) { snprintf(why, 256, "socket: %s", strerror(errno)); return -1; }
    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    memset(&a, 0, sizeof a);
    a.sin_family = AF_INET;
    a.sin_port = htons((unsigned short)port);
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (bind(fd, (struct sockaddr *)&a, sizeof a) != 0 || listen(fd, 1024) != 0 ||
        getsockname(fd, (struct sockaddr *)&a, &len) != 0) {
        snprintf(why, 256, "cannot listen on 127.0.0.1:%d: %s", port, strerror(errno));
        close(fd);
        return -1;
    }
    *bound = ntohs(a.sin_port);
    return fd;
}

int sl_server_start(const sl_service *svc, const sl_server_cfg *cfg, sl_server **out, int *port,
                    char why[256])
{
    sl_server *s = calloc(1, sizeof *s);
    unsigned flags = MHD_USE_THREAD_PER_CONNECTION | MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_POLL;
    int fd;
    if (!s) { snprintf(why, 256, "out of memory"); return -1; }
    s->svc = svc;
    s->cfg = *cfg;
    if ((fd = listen_local(cfg->port, port, why)) < 0) { free(s); return -1; }
    if (!cfg->quiet) flags |= MHD_USE_ERROR_LOG;
    s->daemon = MHD_start_daemon(flags, 0, NULL, NULL, on_request, s,
                                 MHD_OPTION_LISTEN_SOCKET, (MHD_socket)fd,
                                 MHD_OPTION_NOTIFY_COMPLETED, on_completed, s,
                                 MHD_OPTION_CONNECTION_LIMIT, cfg->max_connections,
                                 MHD_OPTION_CONNECTION_TIMEOUT, 600u,
                                 MHD_OPTION_END);
    if (!s->daemon) {
        snprintf(why, 256, "cannot start the HTTP server on 127.0.0.1:%d", *port);
        close(fd);
        free(s);
        return -1;
    }
    *out = s;
    return 0;
}

void sl_server_stop(sl_server *s)
{
    if (!s) return;
    sl_clock_stop_all(); /* wake sleeping handlers so their threads can be joined */
    MHD_stop_daemon(s->daemon);
    free(s);
}
