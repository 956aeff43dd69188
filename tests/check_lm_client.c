/*
 * check_lm_client.c — unit tests for the LM client (lm_client.h).
 *
 * Each test runs a scripted HTTP/1.1 server inside the test process: one
 * thread, a listening socket on 127.0.0.1 with an ephemeral port, poll()
 * over keep-alive connections. A test fills `plan` (what to answer to the
 * n-th request: a JSON body, a status with headers, a hold, a hang, a
 * reset) and reads what the server saw (request times, headers, bodies,
 * the most requests it held at once) after stopping it; joining the thread
 * is the synchronisation, so nothing sleeps. Timeouts and backoff bases are
 * small so the whole file runs in a few seconds.
 */
#include "test_util.h"
#include "lm_client.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <sqlite3.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

Suite *make_suite(void);

#define KEY "sk-test-SECRET-0123456789"
#define OK_BODY "{\"choices\":[{\"message\":{\"role\":\"assistant\",\"content\":\"hello\"}}]," \
                "\"usage\":{\"prompt_tokens\":10,\"completion_tokens\":5}}"
#define REQ_BODY "{\"model\":\"m\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}"

/* ---- the scripted server ------------------------------------------------ */

enum { A_RESPOND, A_HANG, A_RESET };

typedef struct srv_resp {
    int action;
    int status;
    const char *headers;    /* extra header lines, each ending "\r\n" */
    const char *body;
    int hold_ms;            /* answer this long after the request arrived */
    int http_date_after_s;  /* >0: send Date: now and Retry-After: now + s as HTTP-dates */
    int wait_nreq;          /* and not before the server has received this many requests */
} srv_resp;

#define RESP(action_, status_, headers_, body_, hold_, date_, wait_)                 \
    ((srv_resp){.action = (action_), .status = (status_), .headers = (headers_),      \
                .body = (body_), .hold_ms = (hold_), .http_date_after_s = (date_),     \
                .wait_nreq = (wait_)})

#define MAXREQ  256
#define MAXCONN 64
#define CONNBUF 65536

static srv_resp plan[MAXREQ];   /* per request index; beyond plan_n: the default */
static int plan_n;

typedef struct srv_conn {
    int fd;
    char buf[CONNBUF];
    size_t len;
    int state;              /* 0 reading, 1 holding, 2 hanging */
    double release_at;
    int idx;
} srv_conn;

typedef struct srv {
    int lfd, port, wake[2];
    pthread_t th;
    srv_conn conns[MAXCONN];
    int nconn;
    /* what the server saw; read after srv_stop */
    int nreq, connections, inflight, max_inflight;
    double recv_at[MAXREQ], sent_at[MAXREQ];
    char first_line[256], auth[256], bodies[4][4096];
} srv;

static double mono_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

/* strcasestr is a GNU extension. */
static const char *find_ci(const char *hay, const char *needle)
{
    size_t n = strlen(needle);
    for (; *hay; hay++)
        if (strncasecmp(hay, needle, n) == 0) return hay;
    return NULL;
}

static const srv_resp *plan_for(int idx)
{
    static const srv_resp dflt = {.action = A_RESPOND, .status = 200, .body = OK_BODY};
    return idx < plan_n ? &plan[idx] : &dflt;
}

static const char *reason(int status)
{
    switch (status) {
    case 200: return "OK";
    case 400: return "Bad Request";
    case 401: return "Unauthorized";
    case 404: return "Not Found";
    case 429: return "Too Many Requests";
    case 500: return "Internal Server Error";
    case 503: return "Service Unavailable";
    default: return "Whatever";
    }
}

static void send_all(int fd, const char *p, size_t n)
{
    while (n) {
        ssize_t k = send(fd, p, n, MSG_NOSIGNAL);
        if (k <= 0) return;
        p += k;
        n -= (size_t)k;
    }
}

static void http_date(time_t t, char *buf, size_t cap)
{
    struct tm tm;
    gmtime_r(&t, &tm);
    strftime(buf, cap, "%a, %d %b %Y %H:%M:%S GMT", &tm);
}

static void close_conn(srv *s, int i)
{
    if (s->conns[i].state != 0) s->inflight--;
    close(s->conns[i].fd);
    s->conns[i] = s->conns[--s->nconn];
}

static void respond(srv *s, int i)
{
    srv_conn *c = &s->conns[i];
    const srv_resp *p = plan_for(c->idx);
    char head[8192], dates[160] = "";
    const char *body = p->body ? p->body : "";
    if (p->http_date_after_s > 0) {
        char d1[64], d2[64];
        time_t now = time(NULL);
        http_date(now, d1, sizeof d1);
        http_date(now + p->http_date_after_s, d2, sizeof d2);
        snprintf(dates, sizeof dates, "Date: %s\r\nRetry-After: %s\r\n", d1, d2);
    }
    /* One send: a second small write would wait out the client's delayed
     * ACK (Nagle), adding 40 ms to every reply on a kept-alive connection. */
    int n = snprintf(head, sizeof head,
                     "HTTP/1.1 %d %s\r\nContent-Type: application/json\r\n"
                     "Content-Length: %zu\r\n%s%s\r\n%s",
                     p->status, reason(p->status), strlen(body), dates,
                     p->headers ? p->headers : "", body);
    if (n >= (int)sizeof head) n = (int)sizeof head - 1;   /* (test bodies are small) */
    /* Stamped before sending: the client cannot see the reply earlier, so
     * gaps measured from here are lower bounds. */
    s->sent_at[c->idx] = mono_ms();
    send_all(c->fd, head, (size_t)n);
    s->inflight--;
    c->state = 0;
}

static void record(srv *s, const char *req, size_t hdr_len, const char *body, size_t blen)
{
    int idx = s->nreq;
    if (idx == 0) {
        const char *eol = strstr(req, "\r\n");
        snprintf(s->first_line, sizeof s->first_line, "%.*s", (int)(eol - req), req);
        const char *a = find_ci(req, "\r\nAuthorization:");
        if (a && (size_t)(a - req) < hdr_len) {
            a += 16;
            while (*a == ' ') a++;
            snprintf(s->auth, sizeof s->auth, "%.*s", (int)strcspn(a, "\r"), a);
        }
    }
    if (idx < 4) {
        size_t n = blen < sizeof s->bodies[idx] - 1 ? blen : sizeof s->bodies[idx] - 1;
        memcpy(s->bodies[idx], body, n);
        s->bodies[idx][n] = '\0';
    }
}

/* A complete request in the buffer: act on it. Returns false when the
 * connection was closed (reset). */
static bool on_request(srv *s, int i, size_t total, size_t hdr_len)
{
    srv_conn *c = &s->conns[i];
    int idx = s->nreq < MAXREQ - 1 ? s->nreq : MAXREQ - 1;
    record(s, c->buf, hdr_len, c->buf + hdr_len + 4, total - hdr_len - 4);
    s->recv_at[idx] = mono_ms();
    s->nreq++;
    memmove(c->buf, c->buf + total, c->len - total);
    c->len -= total;
    c->idx = idx;
    if (++s->inflight > s->max_inflight) s->max_inflight = s->inflight;
    const srv_resp *p = plan_for(idx);
    if (p->action == A_RESET) {
        struct linger lg = {1, 0};   /* close with RST, not FIN */
        setsockopt(c->fd, SOL_SOCKET, SO_LINGER, &lg, sizeof lg);
        c->state = 1;
        close_conn(s, i);
        return false;
    }
    c->state = p->action == A_HANG ? 2 : 1;
    c->release_at = s->recv_at[idx] + p->hold_ms;
    if (c->state == 1 && p->hold_ms <= 0 && s->nreq >= p->wait_nreq) respond(s, i);
    return true;
}

/* Parse what has arrived; returns false if the connection went away. */
static bool try_requests(srv *s, int i)
{
    srv_conn *c = &s->conns[i];
    while (c->state == 0) {
        c->buf[c->len < CONNBUF ? c->len : CONNBUF - 1] = '\0';
        char *end = strstr(c->buf, "\r\n\r\n");
        if (!end) return true;
        size_t hdr_len = (size_t)(end - c->buf);
        const char *cl = find_ci(c->buf, "\r\nContent-Length:");
        size_t blen = cl && cl < end ? strtoul(cl + 17, NULL, 10) : 0;
        if (c->len < hdr_len + 4 + blen) return true;
        if (!on_request(s, i, hdr_len + 4 + blen, hdr_len)) return false;
    }
    return true;
}

static void on_readable(srv *s, int i)
{
    srv_conn *c = &s->conns[i];
    ssize_t k = recv(c->fd, c->buf + c->len, CONNBUF - 1 - c->len, 0);
    if (k <= 0) {
        close_conn(s, i);
        return;
    }
    c->len += (size_t)k;
    try_requests(s, i);
}

static void accept_one(srv *s)
{
    int fd = accept(s->lfd, NULL, NULL);
    if (fd < 0) return;
    if (s->nconn == MAXCONN) {
        close(fd);
        return;
    }
    s->connections++;
    srv_conn *c = &s->conns[s->nconn++];
    c->fd = fd;
    c->len = 0;
    c->state = 0;
}

/* Answer held requests that are due; returns ms to the next one (-1: none,
 * or only ones waiting for more requests, which a new request wakes). */
static int release_due(srv *s)
{
    double now = mono_ms(), next = -1;
    /* Backwards: a reset in try_requests moves the last connection into i. */
    for (int i = s->nconn - 1; i >= 0; i--) {
        srv_conn *c = &s->conns[i];
        if (c->state != 1 || s->nreq < plan_for(c->idx)->wait_nreq) continue;
        if (c->release_at <= now) {
            respond(s, i);
            try_requests(s, i);   /* a pipelined next request (curl does not, but) */
        } else if (next < 0 || c->release_at - now < next) {
            next = c->release_at - now;
        }
    }
    return next < 0 ? -1 : (int)next + 1;
}

static void *srv_main(void *arg)
{
    srv *s = arg;
    struct pollfd pf[MAXCONN + 2];
    for (;;) {
        int timeout = release_due(s);
        int n = 0;
        pf[n++] = (struct pollfd){.fd = s->wake[0], .events = POLLIN};
        pf[n++] = (struct pollfd){.fd = s->lfd, .events = POLLIN};
        for (int i = 0; i < s->nconn; i++)
            pf[n++] = (struct pollfd){.fd = s->conns[i].fd, .events = POLLIN};
        int nconn = s->nconn;
        if (poll(pf, (nfds_t)n, timeout) < 0 && errno != EINTR) break;
        if (pf[0].revents) break;
        /* Backwards: close_conn moves the last connection into slot i. */
        for (int i = nconn - 1; i >= 0; i--)
            if (pf[i + 2].revents) on_readable(s, i);
        if (pf[1].revents) accept_one(s);
    }
    return NULL;
}

static srv *srv_start(void)
{
    srv *s = calloc(1, sizeof *s);
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = 0};
    socklen_t al = sizeof a;
    ck_assert_ptr_nonnull(s);
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    s->lfd = socket(AF_INET, SOCK_STREAM, 0);
    ck_assert_int_ge(s->lfd, 0);
    ck_assert_int_eq(bind(s->lfd, (struct sockaddr *)&a, sizeof a), 0);
    ck_assert_int_eq(listen(s->lfd, 64), 0);
    ck_assert_int_eq(getsockname(s->lfd, (struct sockaddr *)&a, &al), 0);
    s->port = ntohs(a.sin_port);
    ck_assert_int_eq(pipe(s->wake), 0);
    ck_assert_int_eq(pthread_create(&s->th, NULL, srv_main, s), 0);
    return s;
}

static void srv_stop(srv *s)
{
    ck_assert_int_eq(write(s->wake[1], "x", 1), 1);
    pthread_join(s->th, NULL);
    for (int i = 0; i < s->nconn; i++) close(s->conns[i].fd);
    close(s->lfd);
    close(s->wake[0]);
    close(s->wake[1]);
}

/* ---- client side helpers ---------------------------------------------- */

typedef struct outcome {
    int calls;
    bool ok, from_cache;
    int status, attempts;
    int64_t pt, ct;
    double latency_ms;
    char content[256], error[600], body[1024];
} outcome;

static void on_done(void *user, const hx_lm_result *r)
{
    outcome *o = user;
    o->calls++;
    o->ok = r->ok;
    o->from_cache = r->from_cache;
    o->status = r->http_status;
    o->attempts = r->attempts;
    o->pt = r->prompt_tokens;
    o->ct = r->completion_tokens;
    o->latency_ms = r->latency_ms;
    snprintf(o->content, sizeof o->content, "%s", r->content ? r->content : "");
    snprintf(o->error, sizeof o->error, "%s", r->error ? r->error : "");
    snprintf(o->body, sizeof o->body, "%s", r->body ? r->body : "(null)");
    ck_assert(r->ok == (r->error == NULL));
}

static char url_buf[64];

static hx_lm_opts opts_for(int port)
{
    snprintf(url_buf, sizeof url_buf, "http://127.0.0.1:%d/v1", port);
    hx_lm_opts o = {0};
    o.base_url = url_buf;
    o.api_key = KEY;
    o.timeout_s = 5;
    o.concurrency = 4;
    o.max_retries = 3;
    o.backoff_base_ms = 1;
    o.seed = 42;
    return o;
}

static hx_lm_client *client(const hx_lm_opts *o)
{
    hx_lm_client *c = NULL;
    hx_error err = {{0}};
    ck_assert_msg(hx_lm_client_new(o, &c, &err) == 0, "%s", err.msg);
    return c;
}

static void submit(hx_lm_client *c, const char *body, outcome *o)
{
    hx_error err = {{0}};
    ck_assert_msg(hx_lm_submit(c, body, o, on_done, &err) == 0, "%s", err.msg);
}

/* Drive until everything is done (bounded, so a bug fails, not hangs). */
static void run_all(hx_lm_client *c)
{
    double give_up = mono_ms() + 20000;
    while (hx_lm_poll(c, 200) > 0) ck_assert(mono_ms() < give_up);
}

static void setup(void)
{
    memset(plan, 0, sizeof plan);
    plan_n = 0;
}

static void plan_set(int idx, srv_resp r)
{
    plan[idx] = r;
    if (idx + 1 > plan_n) plan_n = idx + 1;
    for (int i = 0; i < plan_n; i++)
        if (!plan[i].status && plan[i].action == A_RESPOND) plan[i] = *plan_for(MAXREQ);
}

static srv_resp ok_resp(void)
{
    return RESP(A_RESPOND, 200, NULL, OK_BODY, 0, 0, 0);
}

/* ---- success and the wire format --------------------------------------- */

START_TEST(test_ok_basic)
{
    srv *s = srv_start();
    hx_lm_opts o = opts_for(s->port);
    hx_lm_client *c = client(&o);
    outcome r = {0};
    submit(c, REQ_BODY, &r);
    run_all(c);
    hx_lm_stats st;
    hx_lm_get_stats(c, &st);
    hx_lm_client_free(c);
    srv_stop(s);

    ck_assert_int_eq(r.calls, 1);
    ck_assert(r.ok);
    ck_assert_str_eq(r.content, "hello");
    ck_assert_int_eq(r.status, 200);
    ck_assert_int_eq(r.attempts, 1);
    ck_assert_int_eq(r.pt, 10);
    ck_assert_int_eq(r.ct, 5);
    ck_assert(r.latency_ms >= 0);
    ck_assert_str_eq(r.body, OK_BODY);
    ck_assert_str_eq(s->first_line, "POST /v1/chat/completions HTTP/1.1");
    ck_assert_str_eq(s->auth, "Bearer " KEY);
    ck_assert_str_eq(s->bodies[0], REQ_BODY);
    ck_assert_int_eq(st.requests, 1);
    ck_assert_int_eq(st.succeeded, 1);
    ck_assert_int_eq(st.attempts, 1);
    ck_assert_int_eq(st.retries, 0);
    ck_assert_int_eq(st.prompt_tokens, 10);
    ck_assert_int_eq(st.completion_tokens, 5);
    free(s);
}
END_TEST

START_TEST(test_no_key_no_authorization)
{
    srv *s = srv_start();
    hx_lm_opts o = opts_for(s->port);
    o.api_key = NULL;
    char base[80];
    snprintf(base, sizeof base, "%s///", o.base_url);   /* trailing slashes are dropped */
    o.base_url = base;
    hx_lm_client *c = client(&o);
    outcome r = {0};
    submit(c, REQ_BODY, &r);
    run_all(c);
    hx_lm_client_free(c);
    srv_stop(s);
    ck_assert(r.ok);
    ck_assert_str_eq(s->auth, "");
    ck_assert_str_eq(s->first_line, "POST /v1/chat/completions HTTP/1.1");
    free(s);
}
END_TEST

START_TEST(test_body_is_copied)
{
    srv *s = srv_start();
    hx_lm_opts o = opts_for(s->port);
    hx_lm_client *c = client(&o);
    outcome r = {0};
    char body[] = REQ_BODY;
    submit(c, body, &r);
    memset(body, 'x', sizeof body - 1);
    run_all(c);
    hx_lm_client_free(c);
    srv_stop(s);
    ck_assert_str_eq(s->bodies[0], REQ_BODY);
    free(s);
}
END_TEST

/* ---- retries ------------------------------------------------------------ */

START_TEST(test_5xx_then_ok)
{
    plan_set(0, RESP(A_RESPOND, 500, NULL, "{\"error\":{\"message\":\"boom\"}}", 0, 0, 0));
    plan_set(1, RESP(A_RESPOND, 503, NULL, "", 0, 0, 0));
    srv *s = srv_start();
    hx_lm_opts o = opts_for(s->port);
    hx_lm_client *c = client(&o);
    outcome r = {0};
    submit(c, REQ_BODY, &r);
    run_all(c);
    hx_lm_stats st;
    hx_lm_get_stats(c, &st);
    hx_lm_client_free(c);
    srv_stop(s);
    ck_assert_int_eq(r.calls, 1);
    ck_assert(r.ok);
    ck_assert_int_eq(r.attempts, 3);
    ck_assert_int_eq(s->nreq, 3);
    ck_assert_int_eq(st.retries, 2);
    ck_assert_int_eq(st.retries_5xx, 2);
    ck_assert_int_eq(st.attempts, 3);
    free(s);
}
END_TEST

START_TEST(test_5xx_exhausts_retries)
{
    for (int i = 0; i < 10; i++)
        plan_set(i, RESP(A_RESPOND, 500, NULL,
                         "{\"error\":{\"message\":\"The server\\nis overloaded\"}}", 0, 0, 0));
    srv *s = srv_start();
    hx_lm_opts o = opts_for(s->port);
    o.max_retries = 2;
    hx_lm_client *c = client(&o);
    outcome r = {0};
    submit(c, REQ_BODY, &r);
    run_all(c);
    hx_lm_stats st;
    hx_lm_get_stats(c, &st);
    hx_lm_client_free(c);
    srv_stop(s);
    ck_assert_int_eq(r.calls, 1);
    ck_assert(!r.ok);
    ck_assert_int_eq(r.status, 500);
    ck_assert_int_eq(r.attempts, 3);
    ck_assert_int_eq(s->nreq, 3);
    /* the server's message, on one line; the body is handed back as well */
    ck_assert_str_eq(r.error, "HTTP 500 after 3 attempts: The server is overloaded");
    ck_assert_ptr_nonnull(strstr(r.body, "overloaded"));
    ck_assert_int_eq(st.failed, 1);
    ck_assert_int_eq(st.retries_5xx, 2);
    free(s);
}
END_TEST

/* 400, 401 and 404 fail at once; a key echoed by the server is masked. */
START_TEST(test_4xx_not_retried_key_masked)
{
    static const int codes[] = {401, 400, 404};
    for (size_t k = 0; k < 3; k++) {
        setup();
        plan_set(0, RESP(A_RESPOND, codes[k], NULL,
                         "{\"error\":{\"message\":\"Incorrect API key provided: " KEY "\"}}",
                         0, 0, 0));
        srv *s = srv_start();
        hx_lm_opts o = opts_for(s->port);
        hx_lm_client *c = client(&o);
        outcome r = {0};
        submit(c, REQ_BODY, &r);
        run_all(c);
        hx_lm_stats st;
        hx_lm_get_stats(c, &st);
        hx_lm_client_free(c);
        srv_stop(s);
        ck_assert_int_eq(r.calls, 1);
        ck_assert(!r.ok);
        ck_assert_int_eq(r.status, codes[k]);
        ck_assert_int_eq(r.attempts, 1);
        ck_assert_int_eq(s->nreq, 1);
        ck_assert_int_eq(st.retries, 0);
        char want[64];
        snprintf(want, sizeof want, "HTTP %d: Incorrect API key provided: ", codes[k]);
        ck_assert_msg(strncmp(r.error, want, strlen(want)) == 0, "%s", r.error);
        ck_assert_ptr_null(strstr(r.error, KEY));
        ck_assert_ptr_null(strstr(r.body, KEY));
        ck_assert_ptr_null(strstr(r.error, "SECRET"));
        free(s);
    }
}
END_TEST

START_TEST(test_bad_reply_retried)
{
    plan_set(0, RESP(A_RESPOND, 200, NULL, "this is not json {", 0, 0, 0));
    plan_set(1, RESP(A_RESPOND, 200, NULL, "{\"choices\":[]}", 0, 0, 0));
    srv *s = srv_start();
    hx_lm_opts o = opts_for(s->port);
    hx_lm_client *c = client(&o);
    outcome r = {0};
    submit(c, REQ_BODY, &r);
    run_all(c);
    hx_lm_stats st;
    hx_lm_get_stats(c, &st);
    hx_lm_client_free(c);
    srv_stop(s);
    ck_assert(r.ok);
    ck_assert_int_eq(r.attempts, 3);
    ck_assert_int_eq(st.retries_bad_reply, 2);
    free(s);
}
END_TEST

START_TEST(test_bad_reply_exhausts)
{
    for (int i = 0; i < 5; i++)
        plan_set(i, RESP(A_RESPOND, 200, NULL,
                         "{\"choices\":[{\"message\":{\"content\":null}}]}", 0, 0, 0));
    srv *s = srv_start();
    hx_lm_opts o = opts_for(s->port);
    o.max_retries = 1;
    hx_lm_client *c = client(&o);
    outcome r = {0};
    submit(c, REQ_BODY, &r);
    run_all(c);
    hx_lm_client_free(c);
    srv_stop(s);
    ck_assert_int_eq(r.calls, 1);
    ck_assert(!r.ok);
    ck_assert_int_eq(r.status, 200);
    ck_assert_int_eq(s->nreq, 2);
    ck_assert_str_eq(r.error, "bad reply after 2 attempts: "
                              "HTTP 200 but reply has no choices[0].message.content");
    free(s);
}
END_TEST

START_TEST(test_timeout)
{
    plan_set(0, RESP(A_HANG, 200, NULL, NULL, 0, 0, 0));
    plan_set(1, RESP(A_HANG, 200, NULL, NULL, 0, 0, 0));
    srv *s = srv_start();
    hx_lm_opts o = opts_for(s->port);
    o.timeout_s = 0.2;
    o.max_retries = 1;
    hx_lm_client *c = client(&o);
    outcome r = {0};
    double t0 = mono_ms();
    submit(c, REQ_BODY, &r);
    run_all(c);
    double took = mono_ms() - t0;
    hx_lm_stats st;
    hx_lm_get_stats(c, &st);
    hx_lm_client_free(c);
    srv_stop(s);
    ck_assert_int_eq(r.calls, 1);
    ck_assert(!r.ok);
    ck_assert_int_eq(r.status, 0);
    ck_assert_int_eq(r.attempts, 2);
    ck_assert_str_eq(r.error, "timeout after 0.2 s (2 attempts)");
    ck_assert_int_eq(s->nreq, 2);
    ck_assert_int_eq(st.retries_timeout, 1);
    ck_assert(took >= 400);
    ck_assert_msg(r.latency_ms >= 190, "%.1f", r.latency_ms);
    free(s);
}
END_TEST

START_TEST(test_connection_reset)
{
    plan_set(0, RESP(A_RESET, 0, NULL, NULL, 0, 0, 0));
    srv *s = srv_start();
    hx_lm_opts o = opts_for(s->port);
    hx_lm_client *c = client(&o);
    outcome r = {0};
    submit(c, REQ_BODY, &r);
    run_all(c);
    hx_lm_stats st;
    hx_lm_get_stats(c, &st);
    hx_lm_client_free(c);
    srv_stop(s);
    ck_assert_int_eq(r.calls, 1);
    ck_assert(r.ok);
    ck_assert_int_eq(r.attempts, 2);
    ck_assert_int_eq(st.retries_connect, 1);
    ck_assert_int_eq(s->connections, 2);
    free(s);
}
END_TEST

static int closed_port(void)
{
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = 0};
    socklen_t al = sizeof a;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    ck_assert_int_eq(bind(fd, (struct sockaddr *)&a, sizeof a), 0);
    ck_assert_int_eq(getsockname(fd, (struct sockaddr *)&a, &al), 0);
    close(fd);   /* bound, never listened: connecting is refused */
    return ntohs(a.sin_port);
}

START_TEST(test_connect_refused)
{
    hx_lm_opts o = opts_for(closed_port());
    o.max_retries = 2;
    hx_lm_client *c = client(&o);
    outcome r = {0};
    submit(c, REQ_BODY, &r);
    run_all(c);
    hx_lm_stats st;
    hx_lm_get_stats(c, &st);
    hx_lm_client_free(c);
    ck_assert_int_eq(r.calls, 1);
    ck_assert(!r.ok);
    ck_assert_int_eq(r.status, 0);
    ck_assert_int_eq(r.attempts, 3);
    ck_assert_msg(strncmp(r.error, "connection failed after 3 attempts: ", 36) == 0, "%s", r.error);
    ck_assert_ptr_null(strstr(r.error, KEY));
    ck_assert_int_eq(st.retries_connect, 2);
}
END_TEST

/* ---- Retry-After ---------------------------------------------------------- */

/* The retry must reach the server no earlier than the header asked,
 * measured from when the server sent the refusal. */
static void retry_after_case(srv_resp first, double min_gap_ms)
{
    plan_set(0, first);
    srv *s = srv_start();
    hx_lm_opts o = opts_for(s->port);
    hx_lm_client *c = client(&o);
    outcome r = {0};
    submit(c, REQ_BODY, &r);
    run_all(c);
    hx_lm_client_free(c);
    srv_stop(s);
    ck_assert(r.ok);
    ck_assert_int_eq(s->nreq, 2);
    double gap = s->recv_at[1] - s->sent_at[0];
    ck_assert_msg(gap >= min_gap_ms, "retried after %.1f ms, asked %.0f", gap, min_gap_ms);
    ck_assert_msg(gap < min_gap_ms + 2000, "retried after %.1f ms", gap);
    free(s);
}

START_TEST(test_retry_after_seconds)
{
    retry_after_case(RESP(A_RESPOND, 429, "Retry-After: 1\r\n", "{}", 0, 0, 0), 1000);
}
END_TEST

START_TEST(test_retry_after_http_date)
{
    /* Date: T and Retry-After: T+1 s, both HTTP-dates, on a 503 */
    retry_after_case(RESP(A_RESPOND, 503, NULL, "{}", 0, 1, 0), 1000);
}
END_TEST

START_TEST(test_retry_after_ms)
{
    retry_after_case(RESP(A_RESPOND, 429, "retry-after-ms: 300\r\n", "{}", 0, 0, 0), 300);
}
END_TEST

START_TEST(test_retry_after_parse)
{
    ck_assert_int_eq(hx_lm_retry_after_ms(NULL, NULL, NULL, 0), -1);
    ck_assert_int_eq(hx_lm_retry_after_ms("1", NULL, NULL, 0), 1000);
    ck_assert_int_eq(hx_lm_retry_after_ms("0.5", NULL, NULL, 0), 500);
    ck_assert_int_eq(hx_lm_retry_after_ms(NULL, "250", NULL, 0), 250);
    ck_assert_int_eq(hx_lm_retry_after_ms("2", "500", NULL, 0), 2000);   /* the larger */
    ck_assert_int_eq(hx_lm_retry_after_ms("1", "1500", NULL, 0), 1500);
    ck_assert_int_eq(hx_lm_retry_after_ms("soon", "x", NULL, 0), -1);
    ck_assert_int_eq(hx_lm_retry_after_ms("-3", NULL, NULL, 0), -1);
    /* 1994-11-06 08:49:37 GMT = 784111777 */
    const char *at = "Sun, 06 Nov 1994 08:49:37 GMT";
    ck_assert_int_eq(hx_lm_retry_after_ms(at, NULL, "Sun, 06 Nov 1994 08:49:30 GMT", 0), 7000);
    ck_assert_int_eq(hx_lm_retry_after_ms(at, NULL, NULL, 784111777 - 3), 3000);
    ck_assert_int_eq(hx_lm_retry_after_ms(at, NULL, "garbage", 784111777 - 4), 4000);
    ck_assert_int_eq(hx_lm_retry_after_ms(at, NULL, NULL, 784111777 + 60), 0);   /* past */
}
END_TEST

/* ---- concurrency ---------------------------------------------------------- */

START_TEST(test_concurrency_window)
{
    /* the first three are answered only once all three are in; the rest
     * are held a little, so that a fourth in flight would overlap */
    for (int i = 0; i < 12; i++)
        plan_set(i, RESP(A_RESPOND, 200, NULL, OK_BODY, i < 3 ? 0 : 20, 0, i < 3 ? 3 : 0));
    srv *s = srv_start();
    hx_lm_opts o = opts_for(s->port);
    o.concurrency = 3;
    hx_lm_client *c = client(&o);
    outcome r[12] = {{0}};
    for (int i = 0; i < 12; i++) submit(c, REQ_BODY, &r[i]);
    run_all(c);
    hx_lm_stats st;
    hx_lm_get_stats(c, &st);
    hx_lm_client_free(c);
    srv_stop(s);
    for (int i = 0; i < 12; i++) {
        ck_assert_int_eq(r[i].calls, 1);
        ck_assert(r[i].ok);
    }
    ck_assert_int_eq(s->nreq, 12);
    ck_assert_int_eq(s->max_inflight, 3);         /* never more, and the window is used */
    ck_assert_int_le(st.max_in_flight, 3);
    ck_assert_int_le(s->connections, 3);          /* connections are kept alive and reused */
    ck_assert_int_eq(st.concurrency, 3);
    ck_assert_int_eq(st.min_concurrency, 3);
    free(s);
}
END_TEST

/* Four requests sent under one window all get a 429: one congestion
 * signal, so the window halves once (4 -> 2), then grows by one after two
 * successes. */
START_TEST(test_429_burst_halves_once)
{
    /* (all four refusals wait until all four requests are in) */
    for (int i = 0; i < 4; i++)
        plan_set(i, RESP(A_RESPOND, 429, "Retry-After: 0\r\n", "{}", 0, 0, 4));
    srv *s = srv_start();
    hx_lm_opts o = opts_for(s->port);
    o.concurrency = 4;
    hx_lm_client *c = client(&o);
    outcome r[4] = {{0}};
    for (int i = 0; i < 4; i++) submit(c, REQ_BODY, &r[i]);
    run_all(c);
    hx_lm_stats st;
    hx_lm_get_stats(c, &st);
    hx_lm_client_free(c);
    srv_stop(s);
    for (int i = 0; i < 4; i++) {
        ck_assert_int_eq(r[i].calls, 1);
        ck_assert(r[i].ok);
        ck_assert_int_eq(r[i].attempts, 2);
    }
    ck_assert_int_eq(st.retries_429, 4);
    ck_assert_int_eq(st.min_concurrency, 2);
    ck_assert_int_eq(st.concurrency, 3);
    free(s);
}
END_TEST

/* Successive 429s each halve (8 -> 4 -> 2 -> 1); successes then add one
 * per window's worth, back up to the ceiling. */
START_TEST(test_429_sequence_and_recovery)
{
    for (int i = 0; i < 3; i++)
        plan_set(i, RESP(A_RESPOND, 429, "Retry-After: 0\r\n", "{}", 0, 0, 0));
    srv *s = srv_start();
    hx_lm_opts o = opts_for(s->port);
    o.concurrency = 8;
    hx_lm_client *c = client(&o);
    outcome first = {0};
    submit(c, REQ_BODY, &first);
    run_all(c);
    hx_lm_stats st;
    hx_lm_get_stats(c, &st);
    ck_assert(first.ok);
    ck_assert_int_eq(first.attempts, 4);
    ck_assert_int_eq(st.min_concurrency, 1);
    ck_assert_int_eq(st.concurrency, 2);          /* 1 success at window 1 */
    outcome more[30] = {{0}};
    for (int i = 0; i < 30; i++) submit(c, REQ_BODY, &more[i]);
    run_all(c);
    hx_lm_get_stats(c, &st);
    hx_lm_client_free(c);
    srv_stop(s);
    /* 2+3+4+5+6+7 = 27 successes take the window from 2 to 8 */
    ck_assert_int_eq(st.concurrency, 8);
    ck_assert_int_eq(st.min_concurrency, 1);
    for (int i = 0; i < 30; i++) ck_assert_int_eq(more[i].calls, 1);
    free(s);
}
END_TEST

/* After a halving, no more than the new window is in flight; and while the
 * server's quota headers say less than 10 % is left, the window does not
 * grow back. */
START_TEST(test_window_after_halving)
{
    static const char low[] = "x-ratelimit-limit-requests: 100\r\n"
                              "x-ratelimit-remaining-requests: 5\r\n";
    plan_set(0, RESP(A_RESPOND, 429, "Retry-After: 0\r\n", "{}", 0, 0, 0));
    plan_set(1, RESP(A_RESPOND, 200, low, OK_BODY, 0, 0, 0));
    for (int i = 2; i < 10; i++)
        plan_set(i, RESP(A_RESPOND, 200, low, OK_BODY, i < 4 ? 0 : 30, 0, i < 4 ? 4 : 0));
    srv *s = srv_start();
    hx_lm_opts o = opts_for(s->port);
    o.concurrency = 4;
    hx_lm_client *c = client(&o);
    outcome first = {0}, more[8] = {{0}};
    submit(c, REQ_BODY, &first);
    run_all(c);
    for (int i = 0; i < 8; i++) submit(c, REQ_BODY, &more[i]);
    run_all(c);
    hx_lm_stats st;
    hx_lm_get_stats(c, &st);
    hx_lm_client_free(c);
    srv_stop(s);
    ck_assert_int_eq(s->nreq, 10);
    ck_assert_int_eq(s->max_inflight, 2);
    ck_assert_int_eq(st.max_in_flight, 2);
    ck_assert_int_eq(st.concurrency, 2);
    free(s);
}
END_TEST

/* ---- rate limits ---------------------------------------------------------- */

START_TEST(test_rpm_delays_starts)
{
    srv *s = srv_start();
    hx_lm_opts o = opts_for(s->port);
    o.concurrency = 16;
    o.rpm = 600;   /* 10 a second, a burst of 10 */
    hx_lm_client *c = client(&o);
    outcome r[12] = {{0}};
    for (int i = 0; i < 12; i++) submit(c, REQ_BODY, &r[i]);
    run_all(c);
    hx_lm_client_free(c);
    srv_stop(s);
    ck_assert_int_eq(s->nreq, 12);
    /* the 11th and 12th wait for tokens: 100 ms each */
    double spread = s->recv_at[11] - s->recv_at[0];
    ck_assert_msg(spread >= 150, "12 requests within %.1f ms", spread);
    /* but the first ten go as a burst (with no burst, 12 would take 1.1 s) */
    ck_assert_msg(spread < 900, "12 requests took %.1f ms", spread);
    free(s);
}
END_TEST

START_TEST(test_tpm_charges_real_usage)
{
    /* tpm 60000 = 1 token/ms, a bucket of 1000. The body is ~16 tokens by
     * estimate, but the reply says 1200 were used: the next start waits
     * until the bucket is back above the estimate, ~200 ms. */
    static const char big_usage[] =
        "{\"choices\":[{\"message\":{\"content\":\"x\"}}],"
        "\"usage\":{\"prompt_tokens\":1000,\"completion_tokens\":200}}";
    plan_set(0, RESP(A_RESPOND, 200, NULL, big_usage, 0, 0, 0));
    srv *s = srv_start();
    hx_lm_opts o = opts_for(s->port);
    o.concurrency = 1;
    o.tpm = 60000;
    hx_lm_client *c = client(&o);
    outcome r[2] = {{0}};
    submit(c, REQ_BODY, &r[0]);
    submit(c, REQ_BODY, &r[1]);
    run_all(c);
    hx_lm_stats st;
    hx_lm_get_stats(c, &st);
    hx_lm_client_free(c);
    srv_stop(s);
    ck_assert(r[0].ok && r[1].ok);
    double gap = s->recv_at[1] - s->sent_at[0];
    ck_assert_msg(gap >= 150, "second request after %.1f ms", gap);
    ck_assert_int_eq(st.prompt_tokens, 1010);
    ck_assert_int_eq(st.completion_tokens, 205);
    free(s);
}
END_TEST

/* ---- cache ------------------------------------------------------------------ */

static char tmpdir[64], cachepath[128];

static hx_lm_cache *open_cache(void)
{
    snprintf(tmpdir, sizeof tmpdir, "/tmp/hx_lmc_XXXXXX");
    ck_assert_ptr_nonnull(mkdtemp(tmpdir));
    snprintf(cachepath, sizeof cachepath, "%s/cache.db", tmpdir);
    hx_lm_cache *k = NULL;
    hx_error err = {{0}};
    ck_assert_msg(hx_lm_cache_open(cachepath, &k, &err) == 0, "%s", err.msg);
    return k;
}

static void remove_cache(hx_lm_cache *k)
{
    char p[200];
    hx_lm_cache_close(k);
    static const char *const sfx[] = {"", "-wal", "-shm"};
    for (int i = 0; i < 3; i++) {
        snprintf(p, sizeof p, "%s%s", cachepath, sfx[i]);
        unlink(p);
    }
    rmdir(tmpdir);
}

START_TEST(test_cache_hit_avoids_request)
{
    static const char cached[] = "{\"choices\":[{\"message\":{\"content\":\"from disk\"}}]}";
    hx_lm_cache *k = open_cache();
    hx_error err = {{0}};
    ck_assert_msg(hx_lm_cache_put(k, REQ_BODY, cached, 7, 3, &err) == 0, "%s", err.msg);
    srv *s = srv_start();
    hx_lm_opts o = opts_for(s->port);
    o.cache = k;
    o.cache_mode = HX_CACHE_READ;
    hx_lm_client *c = client(&o);
    outcome hit = {0}, miss = {0};
    submit(c, REQ_BODY, &hit);
    submit(c, "{\"other\":1}", &miss);
    run_all(c);
    hx_lm_stats st;
    hx_lm_get_stats(c, &st);
    hx_lm_client_free(c);
    srv_stop(s);
    ck_assert_int_eq(s->nreq, 1);                 /* only the miss was sent */
    ck_assert_str_eq(s->bodies[0], "{\"other\":1}");
    ck_assert_int_eq(hit.calls, 1);
    ck_assert(hit.ok && hit.from_cache);
    ck_assert_str_eq(hit.content, "from disk");
    ck_assert_int_eq(hit.attempts, 0);
    ck_assert_int_eq(hit.status, 200);
    ck_assert_int_eq(hit.pt, 7);
    ck_assert_int_eq(hit.ct, 3);
    ck_assert(miss.ok && !miss.from_cache);
    ck_assert_int_eq(st.cache_hits, 1);
    ck_assert_int_eq(st.requests, 2);
    /* the client never writes: the miss is not cached */
    int64_t n = 0;
    ck_assert_int_eq(hx_lm_cache_count(k, &n, &err), 0);
    ck_assert_int_eq(n, 1);
    remove_cache(k);
    free(s);
}
END_TEST

START_TEST(test_cache_off_sends)
{
    hx_lm_cache *k = open_cache();
    hx_error err = {{0}};
    ck_assert_int_eq(hx_lm_cache_put(k, REQ_BODY, OK_BODY, 1, 1, &err), 0);
    srv *s = srv_start();
    hx_lm_opts o = opts_for(s->port);
    o.cache = k;
    o.cache_mode = HX_CACHE_OFF;
    hx_lm_client *c = client(&o);
    outcome r = {0};
    submit(c, REQ_BODY, &r);
    run_all(c);
    hx_lm_client_free(c);
    srv_stop(s);
    ck_assert_int_eq(s->nreq, 1);
    ck_assert(r.ok && !r.from_cache);
    remove_cache(k);
    free(s);
}
END_TEST

/* A cached body that is not a chat completion (written behind the cache's
 * back) is no answer: the request goes to the server. */
START_TEST(test_cache_bad_entry_goes_to_network)
{
    hx_lm_cache *k = open_cache();
    char key[65], sql[400];
    sqlite3 *db;
    hx_lm_cache_key(REQ_BODY, key);
    ck_assert_int_eq(sqlite3_open(cachepath, &db), SQLITE_OK);
    snprintf(sql, sizeof sql, "INSERT INTO lm_cache VALUES ('%s', 'garbage', 0, 0, 'now')", key);
    ck_assert_int_eq(sqlite3_exec(db, sql, NULL, NULL, NULL), SQLITE_OK);
    sqlite3_close(db);
    srv *s = srv_start();
    hx_lm_opts o = opts_for(s->port);
    o.cache = k;
    o.cache_mode = HX_CACHE_READ_WRITE;
    hx_lm_client *c = client(&o);
    outcome r = {0};
    submit(c, REQ_BODY, &r);
    run_all(c);
    hx_lm_stats st;
    hx_lm_get_stats(c, &st);
    hx_lm_client_free(c);
    srv_stop(s);
    ck_assert_int_eq(s->nreq, 1);
    ck_assert(r.ok && !r.from_cache);
    ck_assert_str_eq(r.content, "hello");
    ck_assert_int_eq(st.cache_hits, 0);
    ck_assert_int_eq(st.cache_errors, 1);
    remove_cache(k);
    free(s);
}
END_TEST

/* ---- lifecycle ---------------------------------------------------------- */

static int resubmits;

static void on_done_resubmit(void *user, const hx_lm_result *r)
{
    hx_lm_client *c = user;
    ck_assert(r->ok);
    if (resubmits++ == 0) {
        hx_error err = {{0}};
        ck_assert_int_eq(hx_lm_submit(c, REQ_BODY, c, on_done_resubmit, &err), 0);
        ck_assert_int_eq(hx_lm_poll(c, 1000), 1);   /* re-entrant poll: a no-op */
    }
}

START_TEST(test_submit_from_callback)
{
    resubmits = 0;
    srv *s = srv_start();
    hx_lm_opts o = opts_for(s->port);
    hx_lm_client *c = client(&o);
    hx_error err = {{0}};
    ck_assert_int_eq(hx_lm_submit(c, REQ_BODY, c, on_done_resubmit, &err), 0);
    run_all(c);
    hx_lm_client_free(c);
    srv_stop(s);
    ck_assert_int_eq(resubmits, 2);
    ck_assert_int_eq(s->nreq, 2);
    ck_assert_int_eq(s->connections, 1);          /* the follow-up reused the connection */
    free(s);
}
END_TEST

/* A follow-up submitted with hx_lm_submit_first starts before the
 * requests already queued (a JSON-mode retry must not wait behind new
 * cases); plain submits keep their order. */
START_TEST(test_submit_first_jumps_the_queue)
{
    srv *s = srv_start();
    hx_lm_opts o = opts_for(s->port);
    o.concurrency = 1;
    hx_lm_client *c = client(&o);
    hx_error err = {{0}};
    outcome r[3] = {{0}};
    submit(c, "{\"n\":\"A\"}", &r[0]);
    submit(c, "{\"n\":\"B\"}", &r[1]);
    ck_assert_int_eq(hx_lm_submit_first(c, "{\"n\":\"C\"}", &r[2], on_done, &err), 0);
    run_all(c);
    hx_lm_client_free(c);
    srv_stop(s);
    ck_assert_int_eq(s->nreq, 3);
    ck_assert_str_eq(s->bodies[0], "{\"n\":\"C\"}");
    ck_assert_str_eq(s->bodies[1], "{\"n\":\"A\"}");
    ck_assert_str_eq(s->bodies[2], "{\"n\":\"B\"}");
    for (int i = 0; i < 3; i++) ck_assert_int_eq(r[i].calls, 1);
    free(s);
}
END_TEST

/* When an answer frees a slot, the next queued request is started before
 * the answer's callback runs, so a slow callback (parsing, checking and
 * storing a case) does not keep the slot idle. */
typedef struct slot_probe {
    hx_lm_client *c;
    int calls;
    int64_t attempts_seen[4];
} slot_probe;

static void on_done_probe(void *user, const hx_lm_result *r)
{
    slot_probe *p = user;
    hx_lm_stats st;
    ck_assert(r->ok);
    hx_lm_get_stats(p->c, &st);
    if (p->calls < 4) p->attempts_seen[p->calls] = st.attempts;
    p->calls++;
}

START_TEST(test_next_request_starts_before_callback)
{
    srv *s = srv_start();
    hx_lm_opts o = opts_for(s->port);
    o.concurrency = 1;
    hx_lm_client *c = client(&o);
    hx_error err = {{0}};
    slot_probe p = {.c = c};
    for (int i = 0; i < 3; i++)
        ck_assert_int_eq(hx_lm_submit(c, REQ_BODY, &p, on_done_probe, &err), 0);
    run_all(c);
    hx_lm_client_free(c);
    srv_stop(s);
    ck_assert_int_eq(p.calls, 3);
    ck_assert_int_eq(p.attempts_seen[0], 2);   /* the second was already started */
    ck_assert_int_eq(p.attempts_seen[1], 3);
    ck_assert_int_eq(p.attempts_seen[2], 3);   /* nothing left to start */
    free(s);
}
END_TEST

/* Freeing the client with work outstanding finishes every request once,
 * "cancelled": queued, in flight (hanging) and waiting to retry. */
START_TEST(test_free_cancels_outstanding)
{
    plan_set(0, RESP(A_HANG, 200, NULL, NULL, 0, 0, 0));
    plan_set(1, RESP(A_RESPOND, 429, "Retry-After: 60\r\n", "{}", 0, 0, 0));
    srv *s = srv_start();
    hx_lm_opts o = opts_for(s->port);
    o.concurrency = 2;
    hx_lm_client *c = client(&o);
    outcome r[4] = {{0}};
    for (int i = 0; i < 4; i++) submit(c, REQ_BODY, &r[i]);
    /* until the 429 has been handled: one hanging, one waiting, two queued
     * (the halved window of 1 is full) */
    double give_up = mono_ms() + 5000;
    hx_lm_stats st = {0};
    while (st.retries_429 == 0 && mono_ms() < give_up) {
        hx_lm_poll(c, 50);
        hx_lm_get_stats(c, &st);
    }
    ck_assert_int_eq(st.retries_429, 1);
    ck_assert_int_eq(hx_lm_poll(c, 0), 4);
    hx_lm_client_free(c);
    srv_stop(s);
    for (int i = 0; i < 4; i++) {
        ck_assert_int_eq(r[i].calls, 1);
        ck_assert(!r[i].ok);
        ck_assert_str_eq(r[i].error, "cancelled");
    }
    free(s);
}
END_TEST

/* Many requests with every kind of trouble: each callback runs once. */
START_TEST(test_exactly_once_mixed)
{
    for (int i = 0; i < 80; i++) {
        srv_resp p = ok_resp();
        if (i % 5 == 1) p = RESP(A_RESPOND, 500, NULL, "{}", 0, 0, 0);
        if (i % 7 == 2) p = RESP(A_RESPOND, 429, "Retry-After: 0\r\n", "{}", 0, 0, 0);
        if (i % 11 == 3) p = RESP(A_RESET, 0, NULL, NULL, 0, 0, 0);
        if (i % 13 == 4) p = RESP(A_RESPOND, 200, NULL, "nope", 0, 0, 0);
        if (i % 17 == 5) p = RESP(A_RESPOND, 400, NULL, "{}", 0, 0, 0);
        if (i % 3 == 0) p.hold_ms = 5;
        plan_set(i, p);
    }
    srv *s = srv_start();
    hx_lm_opts o = opts_for(s->port);
    o.concurrency = 6;
    o.max_retries = 4;
    hx_lm_client *c = client(&o);
    outcome r[50] = {{0}};
    for (int i = 0; i < 50; i++) submit(c, REQ_BODY, &r[i]);
    run_all(c);
    hx_lm_stats st;
    hx_lm_get_stats(c, &st);
    hx_lm_client_free(c);
    srv_stop(s);
    int ok = 0;
    for (int i = 0; i < 50; i++) {
        ck_assert_int_eq(r[i].calls, 1);
        ok += r[i].ok;
    }
    ck_assert_int_eq(st.succeeded + st.failed, 50);
    ck_assert_int_eq(st.succeeded, ok);
    ck_assert_int_eq(st.attempts, st.requests + st.retries);
    ck_assert_int_eq(st.retries, st.retries_429 + st.retries_5xx + st.retries_timeout +
                                     st.retries_connect + st.retries_bad_reply);
    ck_assert_int_le(s->max_inflight, 6);
    ck_assert_int_le(st.max_in_flight, 6);
    free(s);
}
END_TEST

START_TEST(test_new_rejects_bad_opts)
{
    hx_lm_client *c = (hx_lm_client *)&c;
    hx_error err = {{0}};
    hx_lm_opts o = {0};
    ck_assert_int_eq(hx_lm_client_new(&o, &c, &err), -1);
    ck_assert_ptr_null(c);
    ck_assert_str_eq(err.msg, "LM client: no base_url given");
    ck_assert_int_eq(hx_lm_client_new(NULL, &c, NULL), -1);
    hx_lm_client_free(NULL);
}
END_TEST

/* ---- request bodies --------------------------------------------------------- */

START_TEST(test_chat_body)
{
    cJSON *msgs = cJSON_Parse("[{\"role\":\"system\",\"content\":\"be brief\"},"
                              "{\"role\":\"user\",\"content\":\"hi\"}]");
    cJSON *rf = cJSON_Parse("{\"type\":\"json_object\"}");
    char *b = hx_lm_chat_body("openai/gpt-4o-mini", msgs, 0, 1000, rf);
    ck_assert_str_eq(b, "{\"model\":\"gpt-4o-mini\",\"messages\":[{\"role\":\"system\","
                        "\"content\":\"be brief\"},{\"role\":\"user\",\"content\":\"hi\"}],"
                        "\"temperature\":0,\"max_tokens\":1000,"
                        "\"response_format\":{\"type\":\"json_object\"}}");
    free(b);
    b = hx_lm_chat_body("gpt-4o", msgs, 0.7, 0, NULL);
    ck_assert_str_eq(b, "{\"model\":\"gpt-4o\",\"messages\":[{\"role\":\"system\","
                        "\"content\":\"be brief\"},{\"role\":\"user\",\"content\":\"hi\"}],"
                        "\"temperature\":0.7}");
    /* the same inputs give the same bytes (the cache key) */
    char *b2 = hx_lm_chat_body("openai/gpt-4o", msgs, 0.7, 0, NULL);
    ck_assert_str_eq(b, b2);
    free(b);
    free(b2);
    ck_assert_ptr_null(hx_lm_chat_body(NULL, msgs, 0, 0, NULL));
    ck_assert_ptr_null(hx_lm_chat_body("m", rf, 0, 0, NULL));   /* messages not an array */
    cJSON_Delete(msgs);
    cJSON_Delete(rf);
}
END_TEST

START_TEST(test_model_name)
{
    ck_assert_str_eq(hx_lm_model_name("openai/gpt-4o-mini"), "gpt-4o-mini");
    ck_assert_str_eq(hx_lm_model_name("gpt-4o-mini"), "gpt-4o-mini");
    ck_assert_str_eq(hx_lm_model_name("meta-llama/Llama-3.1-8B"), "meta-llama/Llama-3.1-8B");
    ck_assert_str_eq(hx_lm_model_name("hosted_vllm/meta-llama/Llama-3.1-8B"),
                     "meta-llama/Llama-3.1-8B");
    ck_assert_str_eq(hx_lm_model_name("ollama_chat/llama3"), "llama3");
    ck_assert_str_eq(hx_lm_model_name("openaix/m"), "openaix/m");
}
END_TEST

Suite *make_suite(void)
{
    /* Test traffic is 127.0.0.1 only: never through a proxy from the env. */
    setenv("no_proxy", "127.0.0.1", 1);
    setenv("NO_PROXY", "127.0.0.1", 1);

    Suite *s = suite_create("lm_client");
    TCase *t = tcase_create("wire");
    tcase_add_checked_fixture(t, setup, NULL);
    tcase_set_timeout(t, 20);
    tcase_add_test(t, test_ok_basic);
    tcase_add_test(t, test_no_key_no_authorization);
    tcase_add_test(t, test_body_is_copied);
    tcase_add_test(t, test_new_rejects_bad_opts);
    tcase_add_test(t, test_chat_body);
    tcase_add_test(t, test_model_name);
    suite_add_tcase(s, t);

    t = tcase_create("retries");
    tcase_add_checked_fixture(t, setup, NULL);
    tcase_set_timeout(t, 20);
    tcase_add_test(t, test_5xx_then_ok);
    tcase_add_test(t, test_5xx_exhausts_retries);
    tcase_add_test(t, test_4xx_not_retried_key_masked);
    tcase_add_test(t, test_bad_reply_retried);
    tcase_add_test(t, test_bad_reply_exhausts);
    tcase_add_test(t, test_timeout);
    tcase_add_test(t, test_connection_reset);
    tcase_add_test(t, test_connect_refused);
    tcase_add_test(t, test_retry_after_seconds);
    tcase_add_test(t, test_retry_after_http_date);
    tcase_add_test(t, test_retry_after_ms);
    tcase_add_test(t, test_retry_after_parse);
    suite_add_tcase(s, t);

    t = tcase_create("concurrency");
    tcase_add_checked_fixture(t, setup, NULL);
    tcase_set_timeout(t, 20);
    tcase_add_test(t, test_concurrency_window);
    tcase_add_test(t, test_429_burst_halves_once);
    tcase_add_test(t, test_429_sequence_and_recovery);
    tcase_add_test(t, test_window_after_halving);
    tcase_add_test(t, test_rpm_delays_starts);
    tcase_add_test(t, test_tpm_charges_real_usage);
    suite_add_tcase(s, t);

    t = tcase_create("cache_and_lifecycle");
    tcase_add_checked_fixture(t, setup, NULL);
    tcase_set_timeout(t, 20);
    tcase_add_test(t, test_cache_hit_avoids_request);
    tcase_add_test(t, test_cache_off_sends);
    tcase_add_test(t, test_cache_bad_entry_goes_to_network);
    tcase_add_test(t, test_submit_from_callback);
    tcase_add_test(t, test_submit_first_jumps_the_queue);
    tcase_add_test(t, test_next_request_starts_before_callback);
    tcase_add_test(t, test_free_cancels_outstanding);
    tcase_add_test(t, test_exactly_once_mixed);
    suite_add_tcase(s, t);
    return s;
}

HX_TEST_MAIN()
