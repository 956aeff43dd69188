/*
 * lm_client.c — chat-completion requests on one libcurl multi handle (see
 * lm_client.h for the contract).
 *
 * Every request is on exactly one of five lists, which is what makes
 * "done is called exactly once" easy to see:
 *
 *   queued   submitted, never started (FIFO; hx_lm_submit_first jumps it)
 *   cached   answered by the cache, callback not yet run
 *   answered answered by the server, callback not yet run
 *   waiting  failed an attempt, will restart at ready_at (retry backoff)
 *   flight   an attempt is running on the multi handle
 *
 * and leaves them only through finish(), which runs the callback and frees
 * it. hx_lm_poll is a loop of: deliver cache hits, start what the window and
 * the rate buckets allow (retries first: they are older), let libcurl work,
 * and handle finished attempts (to `answered`, to `waiting`, or finish a
 * failure); then start requests in the slots the answers freed, hand them
 * to libcurl, and only then run the answers' callbacks; then sleep in
 * curl_multi_poll until a socket is ready or the next start is due.
 *
 * Why answers wait on their own list: replies sent together arrive
 * together, and a caller's callback does real work (parsing, checking,
 * storing in `harness run`). Run at once, the callbacks of a burst of
 * replies would keep the burst's freed slots idle until the last of them
 * returned, every wave of the run; started first, the next requests are on
 * the wire while the callbacks run.
 *
 * Attempt outcomes are sorted into causes (429, 5xx, timeout, connect, bad
 * reply, fatal), which decide retrying, the adaptive window and the stats.
 */
#include "lm_client.h"

#include <curl/curl.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "json_doc.h"

#define LM_BACKOFF_CAP_MS      30000.0   /* the exponential backoff's ceiling */
#define LM_RETRY_AFTER_CAP_MS 120000.0   /* a server may ask for more, not for hours */
#define LM_MAX_RESPONSE       (64u << 20) /* a chat reply is kilobytes; this is a runaway */
#define LM_DETAIL_MAX          300        /* characters of a server's message kept */
#define LM_LOW_QUOTA            0.10      /* below this share of quota left, stop growing */
#define LM_MASK_MIN_KEY         8         /* shorter "keys" (Ollama's "ollama") are no secret */

enum cause { C_OK, C_429, C_5XX, C_TIMEOUT, C_CONNECT, C_BAD_REPLY, C_HTTP, C_FATAL };

typedef struct lm_req lm_req;

typedef struct lm_list {
    lm_req *head, *tail;
    int n;
} lm_list;

/* What the response headers of the current attempt said. */
typedef struct lm_hdrs {
    char retry_after[64], retry_after_ms[32], date[64], reason[64];
    long rl_limit, rl_remaining;   /* x-ratelimit-*-requests; -1 = absent */
} lm_hdrs;

struct lm_req {
    lm_req *prev, *next;
    lm_list *on;
    char *body;                 /* the request, owned */
    size_t body_len;
    int64_t est_tokens;         /* tpm charge made at each start */
    void *user;
    hx_lm_done_fn done;
    int attempts;
    double ready_at;            /* monotonic ms; for `waiting` */
    double started_at;          /* of the current attempt */
    unsigned epoch;             /* client's window epoch when the attempt started */
    CURL *easy;                 /* while in flight */
    char errbuf[CURL_ERROR_SIZE];
    /* the current (then last) attempt's reply */
    char *resp;
    size_t resp_len, resp_cap;
    bool too_big;
    lm_hdrs h;
    int status;
    double latency_ms;
    char detail[LM_DETAIL_MAX + 1];
    cJSON *reply;               /* parsed body when the attempt succeeded */
    int64_t prompt_tokens, completion_tokens;
    bool from_cache;
};

typedef struct bucket {
    bool on;
    double tokens, cap, per_ms, last;
} bucket;

struct hx_lm_client {
    CURLM *multi;
    char *url;
    char *key;                  /* copy of the API key, only to mask echoes; wiped on free */
    struct curl_slist *headers; /* shared by every transfer; holds the Authorization line */
    double timeout_s;
    int ceiling, window, streak, max_retries;
    unsigned epoch;             /* bumped on every decrease of the window */
    double backoff_base_ms;
    uint64_t rng;
    bucket rpm, tpm;
    hx_lm_cache *cache;
    int cache_mode;
    lm_list queued, cached, answered, waiting, flight;
    int delivered;              /* callbacks run during this poll */
    bool unsent;                /* attempts started that libcurl has not been run for */
    bool polling, cancelling;
    hx_lm_stats st;
};

/* ---- small tools ------------------------------------------------------- */

static double now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

static void list_push(lm_list *l, lm_req *r)
{
    r->on = l;
    r->next = NULL;
    r->prev = l->tail;
    if (l->tail) l->tail->next = r;
    else l->head = r;
    l->tail = r;
    l->n++;
}

static void list_push_front(lm_list *l, lm_req *r)
{
    r->on = l;
    r->prev = NULL;
    r->next = l->head;
    if (l->head) l->head->prev = r;
    else l->tail = r;
    l->head = r;
    l->n++;
}

static void list_remove(lm_req *r)
{
    lm_list *l = r->on;
    if (!l) return;
    if (r->prev) r->prev->next = r->next;
    else l->head = r->next;
    if (r->next) r->next->prev = r->prev;
    else l->tail = r->prev;
    l->n--;
    r->on = NULL;
    r->prev = r->next = NULL;
}

static int outstanding(const hx_lm_client *c)
{
    return c->queued.n + c->cached.n + c->answered.n + c->waiting.n + c->flight.n;
}

/* splitmix64: tiny, seedable, and good enough for jitter. */
static double rand01(hx_lm_client *c)
{
    uint64_t z = (c->rng += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    z ^= z >> 31;
    return (double)(z >> 11) * 0x1.0p-53;
}

/* Find needle in a byte range (memmem is a GNU extension). */
static char *find_bytes(char *hay, size_t n, const char *needle, size_t m)
{
    if (m == 0 || m > n) return NULL;
    for (size_t i = 0; i + m <= n; i++)
        if (hay[i] == needle[0] && memcmp(hay + i, needle, m) == 0) return hay + i;
    return NULL;
}

/* Overwrite every occurrence of the API key with '*'. */
static void mask_key(const hx_lm_client *c, char *s, size_t n, size_t min_key)
{
    size_t m = c->key ? strlen(c->key) : 0;
    if (m == 0 || m < min_key || !s) return;
    char *p = s;
    while ((p = find_bytes(p, n - (size_t)(p - s), c->key, m))) {
        memset(p, '*', m);
        p += m;
    }
}

/* Copy at most cap-1 bytes of src into dst as one printable line. */
static void one_line(char *dst, size_t cap, const char *src, size_t n)
{
    size_t j = 0;
    for (size_t i = 0; i < n && j + 1 < cap && src[i]; i++) {
        unsigned char ch = (unsigned char)src[i];
        dst[j++] = ch < 0x20 || ch == 0x7f ? ' ' : (char)ch;
    }
    dst[j] = '\0';
}

/* ---- token buckets (rpm, tpm) ------------------------------------------ */

/* One second of burst: a minute's quota sent in the first second would
 * meet providers that also enforce per-second limits. */
static void bucket_init(bucket *b, int per_minute, double now)
{
    b->on = per_minute > 0;
    b->per_ms = per_minute / 60000.0;
    b->cap = fmax(1.0, per_minute / 60.0);
    b->tokens = b->cap;
    b->last = now;
}

static void bucket_refill(bucket *b, double now)
{
    b->tokens = fmin(b->cap, b->tokens + (now - b->last) * b->per_ms);
    b->last = now;
}

/* ms until `cost` may be taken (0 = now). A cost larger than the bucket
 * waits for a full bucket and then drives it negative, so one big request
 * is delayed, not refused forever. */
static double bucket_wait(bucket *b, double cost, double now)
{
    if (!b->on) return 0;
    bucket_refill(b, now);
    double need = fmin(cost, b->cap);
    return b->tokens >= need ? 0 : (need - b->tokens) / b->per_ms;
}

static void bucket_take(bucket *b, double cost)
{
    if (b->on) b->tokens -= cost;
}

/* ---- response headers and body ----------------------------------------- */

static void copy_value(char *dst, size_t cap, const char *v, size_t n)
{
    while (n && (*v == ' ' || *v == '\t')) v++, n--;
    while (n && (v[n - 1] == '\r' || v[n - 1] == '\n' || v[n - 1] == ' ')) n--;
    one_line(dst, cap, v, n);
}

static bool header_is(const char *line, size_t name_len, const char *name)
{
    return strlen(name) == name_len && strncasecmp(line, name, name_len) == 0;
}

/* A status line starts a new header block (after a 100 Continue, say):
 * forget what the previous block said. */
static void on_status_line(lm_req *r, const char *line, size_t n)
{
    memset(&r->h, 0, sizeof r->h);
    r->h.rl_limit = r->h.rl_remaining = -1;
    const char *sp = memchr(line, ' ', n);                     /* after "HTTP/1.1" */
    const char *sp2 = sp ? memchr(sp + 1, ' ', n - (size_t)(sp + 1 - line)) : NULL;
    if (sp2) copy_value(r->h.reason, sizeof r->h.reason, sp2 + 1, n - (size_t)(sp2 + 1 - line));
}

static size_t on_header(char *line, size_t size, size_t nitems, void *ud)
{
    lm_req *r = ud;
    size_t n = size * nitems;
    if (n >= 5 && strncmp(line, "HTTP/", 5) == 0) {
        on_status_line(r, line, n);
        return n;
    }
    const char *colon = memchr(line, ':', n);
    if (!colon) return n;
    size_t nl = (size_t)(colon - line), vn = n - nl - 1;
    const char *v = colon + 1;
    char num[32];
    if (header_is(line, nl, "retry-after"))
        copy_value(r->h.retry_after, sizeof r->h.retry_after, v, vn);
    else if (header_is(line, nl, "retry-after-ms"))
        copy_value(r->h.retry_after_ms, sizeof r->h.retry_after_ms, v, vn);
    else if (header_is(line, nl, "date"))
        copy_value(r->h.date, sizeof r->h.date, v, vn);
    else if (header_is(line, nl, "x-ratelimit-limit-requests")) {
        copy_value(num, sizeof num, v, vn);
        r->h.rl_limit = strtol(num, NULL, 10);
    } else if (header_is(line, nl, "x-ratelimit-remaining-requests")) {
        copy_value(num, sizeof num, v, vn);
        r->h.rl_remaining = strtol(num, NULL, 10);
    }
    return n;
}

static size_t on_body(char *p, size_t size, size_t nitems, void *ud)
{
    lm_req *r = ud;
    size_t n = size * nitems;
    if (r->resp_len + n > LM_MAX_RESPONSE) {
        r->too_big = true;
        return 0;   /* aborts the transfer with CURLE_WRITE_ERROR */
    }
    if (r->resp_len + n + 1 > r->resp_cap) {
        size_t cap = r->resp_cap ? r->resp_cap : 4096;
        while (cap < r->resp_len + n + 1) cap *= 2;
        char *q = realloc(r->resp, cap);
        if (!q) return 0;
        r->resp = q;
        r->resp_cap = cap;
    }
    memcpy(r->resp + r->resp_len, p, n);
    r->resp_len += n;
    r->resp[r->resp_len] = '\0';
    return n;
}

static void reset_reply(lm_req *r)
{
    free(r->resp);
    r->resp = NULL;
    r->resp_len = r->resp_cap = 0;
    r->too_big = false;
    cJSON_Delete(r->reply);
    r->reply = NULL;
    memset(&r->h, 0, sizeof r->h);
    r->h.rl_limit = r->h.rl_remaining = -1;
    r->status = 0;
    r->detail[0] = r->errbuf[0] = '\0';
    r->prompt_tokens = r->completion_tokens = 0;
}

/* ---- parsing replies ----------------------------------------------------- */

static const char *reply_content(const cJSON *root)
{
    const cJSON *choices = cJSON_GetObjectItemCaseSensitive(root, "choices");
    const cJSON *msg = cJSON_GetObjectItemCaseSensitive(cJSON_GetArrayItem(choices, 0), "message");
    const cJSON *content = cJSON_GetObjectItemCaseSensitive(msg, "content");
    return cJSON_IsString(content) ? content->valuestring : NULL;
}

static int64_t usage_field(const cJSON *root, const char *name)
{
    const cJSON *u = cJSON_GetObjectItemCaseSensitive(root, "usage");
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(u, name);
    return cJSON_IsNumber(v) && v->valuedouble >= 0 ? (int64_t)v->valuedouble : 0;
}

/* Parse a 2xx body; C_OK keeps the tree on r->reply. */
static enum cause parse_success(lm_req *r)
{
    cJSON *root = r->resp ? hx_json_parse_len(r->resp, r->resp_len) : NULL;
    if (!root) {
        snprintf(r->detail, sizeof r->detail, "reply is not JSON");
        return C_BAD_REPLY;
    }
    if (!reply_content(root)) {
        cJSON_Delete(root);
        snprintf(r->detail, sizeof r->detail, "reply has no choices[0].message.content");
        return C_BAD_REPLY;
    }
    r->reply = root;
    r->prompt_tokens = usage_field(root, "prompt_tokens");
    r->completion_tokens = usage_field(root, "completion_tokens");
    return C_OK;
}

/* The server's own words for an HTTP error: OpenAI's {"error": {"message"}},
 * {"error": "..."}, vLLM/FastAPI's {"message"} or {"detail"}, else the body
 * itself, else the reason phrase. */
static void error_detail(lm_req *r)
{
    static const char *const keys[] = {"message", "detail"};
    cJSON *root = r->resp ? hx_json_parse_len(r->resp, r->resp_len) : NULL;
    const cJSON *e = cJSON_GetObjectItemCaseSensitive(root, "error");
    const cJSON *s = cJSON_IsString(e) ? e : cJSON_GetObjectItemCaseSensitive(e, "message");
    for (size_t i = 0; i < 2 && !cJSON_IsString(s); i++)
        s = cJSON_GetObjectItemCaseSensitive(root, keys[i]);
    if (cJSON_IsString(s))
        one_line(r->detail, sizeof r->detail, s->valuestring, strlen(s->valuestring));
    else if (r->resp_len)
        one_line(r->detail, sizeof r->detail, r->resp, r->resp_len);
    else
        snprintf(r->detail, sizeof r->detail, "%s", r->h.reason[0] ? r->h.reason : "(empty body)");
    cJSON_Delete(root);
}

/* ---- classifying an attempt -------------------------------------------- */

static enum cause classify_curl(lm_req *r, CURLcode rc)
{
    const char *why = r->errbuf[0] ? r->errbuf : curl_easy_strerror(rc);
    one_line(r->detail, sizeof r->detail, why, strlen(why));
    switch (rc) {
    case CURLE_OPERATION_TIMEDOUT:
        return C_TIMEOUT;
    case CURLE_COULDNT_RESOLVE_HOST: case CURLE_COULDNT_RESOLVE_PROXY:
    case CURLE_COULDNT_CONNECT: case CURLE_SEND_ERROR: case CURLE_RECV_ERROR:
    case CURLE_GOT_NOTHING: case CURLE_PARTIAL_FILE: case CURLE_SSL_CONNECT_ERROR:
    case CURLE_HTTP2: case CURLE_HTTP2_STREAM: case CURLE_HTTP3:
        return C_CONNECT;   /* the network or the server dropped us: try again */
    case CURLE_WRITE_ERROR:
        if (r->too_big)
            snprintf(r->detail, sizeof r->detail, "response larger than %u MiB",
                     LM_MAX_RESPONSE >> 20);
        return C_FATAL;
    default:
        return C_FATAL;     /* bad URL, TLS certificate, out of memory: retrying won't help */
    }
}

static enum cause classify(lm_req *r, CURLcode rc, long status)
{
    if (rc != CURLE_OK) {
        r->status = 0;
        return classify_curl(r, rc);
    }
    r->status = (int)status;
    if (status >= 200 && status < 300) return parse_success(r);
    error_detail(r);
    if (status == 429) return C_429;
    if (status >= 500) return C_5XX;
    if (status == 408) return C_TIMEOUT;   /* the server's own request timeout */
    return C_HTTP;
}

static bool retryable(enum cause k)
{
    return k == C_429 || k == C_5XX || k == C_TIMEOUT || k == C_CONNECT || k == C_BAD_REPLY;
}

/* ---- finishing ------------------------------------------------------------ */

static void free_req(lm_req *r)
{
    if (!r) return;
    reset_reply(r);
    free(r->body);
    free(r);
}

static void count_done(hx_lm_client *c, const hx_lm_result *res)
{
    if (res->ok) {
        c->st.succeeded++;
        c->st.prompt_tokens += res->prompt_tokens;
        c->st.completion_tokens += res->completion_tokens;
    } else {
        c->st.failed++;
    }
}

/* The one exit of a request: run its callback, then free it. */
static void finish(hx_lm_client *c, lm_req *r, const char *error)
{
    char line[sizeof r->detail + 128];
    hx_lm_result res = {0};

    list_remove(r);
    res.ok = error == NULL && r->reply != NULL;
    res.http_status = r->status;
    res.content = res.ok ? reply_content(r->reply) : NULL;
    res.body = r->resp ? r->resp : "";
    if (!res.ok) {
        snprintf(line, sizeof line, "%s", error ? error : "no reply");
        mask_key(c, line, strlen(line), 1);
        res.error = line;
    }
    res.prompt_tokens = r->prompt_tokens;
    res.completion_tokens = r->completion_tokens;
    res.latency_ms = r->latency_ms;
    res.attempts = r->attempts;
    res.from_cache = r->from_cache;
    count_done(c, &res);
    c->delivered++;
    r->done(r->user, &res);
    free_req(r);
}

static void attempts_suffix(char *buf, size_t cap, int attempts)
{
    if (attempts > 1) snprintf(buf, cap, " after %d attempts", attempts);
    else buf[0] = '\0';
}

static void finish_failed(hx_lm_client *c, lm_req *r, enum cause k)
{
    char msg[sizeof r->detail + 128], after[32];
    attempts_suffix(after, sizeof after, r->attempts);
    switch (k) {
    case C_TIMEOUT:
        if (r->status == 408)
            snprintf(msg, sizeof msg, "HTTP 408%s: %s", after, r->detail);
        else if (r->attempts > 1)
            snprintf(msg, sizeof msg, "timeout after %g s (%d attempts)", c->timeout_s,
                     r->attempts);
        else
            snprintf(msg, sizeof msg, "timeout after %g s", c->timeout_s);
        break;
    case C_CONNECT:
        snprintf(msg, sizeof msg, "connection failed%s: %s", after, r->detail);
        break;
    case C_BAD_REPLY:
        snprintf(msg, sizeof msg, "bad reply%s: HTTP %d but %s", after, r->status, r->detail);
        break;
    case C_FATAL:
        snprintf(msg, sizeof msg, "request failed: %s", r->detail);
        break;
    default:
        snprintf(msg, sizeof msg, "HTTP %d%s: %s", r->status, after, r->detail);
        break;
    }
    finish(c, r, msg);
}

/* ---- adaptive concurrency (AIMD) -------------------------------------- */

/* Halve once per window epoch: the 429s of requests sent under the old
 * window are one congestion signal, not many. */
static void window_on_429(hx_lm_client *c, const lm_req *r)
{
    c->streak = 0;
    if (r->epoch != c->epoch) return;
    c->window = c->window > 1 ? c->window / 2 : 1;
    c->epoch++;
    if (c->window < c->st.min_concurrency) c->st.min_concurrency = c->window;
}

/* +1 after `window` successes in a row, unless the server says its quota
 * is nearly spent (promptfoo's early back-off): then hold. */
static void window_on_success(hx_lm_client *c, const lm_req *r)
{
    if (r->h.rl_limit > 0 && r->h.rl_remaining >= 0 &&
        r->h.rl_remaining < LM_LOW_QUOTA * (double)r->h.rl_limit) {
        c->streak = 0;
        return;
    }
    if (c->window >= c->ceiling) return;
    if (++c->streak >= c->window) {
        c->window++;
        c->streak = 0;
    }
}

/* ---- retrying ----------------------------------------------------------- */

int64_t hx_lm_retry_after_ms(const char *retry_after, const char *retry_after_ms,
                             const char *date, time_t now)
{
    int64_t best = -1;
    char *end;
    if (retry_after_ms && *retry_after_ms) {
        double ms = strtod(retry_after_ms, &end);
        if (end != retry_after_ms && *end == '\0' && isfinite(ms) && ms >= 0)
            best = (int64_t)ceil(fmin(ms, 1e12));
    }
    if (retry_after && *retry_after) {
        double s = strtod(retry_after, &end);
        int64_t v = -1;
        if (end != retry_after && *end == '\0' && isfinite(s) && s >= 0) {
            v = (int64_t)ceil(fmin(s, 1e9) * 1000.0);
        } else {
            time_t at = curl_getdate(retry_after, NULL);
            time_t base = date && *date ? curl_getdate(date, NULL) : -1;
            if (base == -1) base = now;
            if (at != -1) v = at > base ? (int64_t)(at - base) * 1000 : 0;
        }
        if (v > best) best = v;
    }
    return best;
}

/* Full jitter (AWS's "exponential backoff and jitter"): uniform in
 * [0, min(cap, base * 2^(n-1))] for the n-th retry, so clients that failed
 * together do not retry together. */
static double backoff_ms(hx_lm_client *c, int retry)
{
    int e = retry - 1 < 30 ? retry - 1 : 30;
    double ceiling = fmin(LM_BACKOFF_CAP_MS, ldexp(c->backoff_base_ms, e));
    return rand01(c) * ceiling;
}

static void count_retry(hx_lm_client *c, enum cause k)
{
    c->st.retries++;
    switch (k) {
    case C_429: c->st.retries_429++; break;
    case C_5XX: c->st.retries_5xx++; break;
    case C_TIMEOUT: c->st.retries_timeout++; break;
    case C_CONNECT: c->st.retries_connect++; break;
    default: c->st.retries_bad_reply++; break;
    }
}

static void schedule_retry(hx_lm_client *c, lm_req *r, enum cause k, double now)
{
    double delay = backoff_ms(c, r->attempts);
    if (r->status) {
        int64_t asked = hx_lm_retry_after_ms(r->h.retry_after, r->h.retry_after_ms, r->h.date,
                                             time(NULL));
        if (asked > delay) delay = (double)asked;
    }
    r->ready_at = now + fmin(delay, LM_RETRY_AFTER_CAP_MS);
    count_retry(c, k);
    reset_reply(r);   /* nothing of a failed attempt is needed while waiting */
    list_remove(r);
    list_push(&c->waiting, r);
}

/* ---- attempts ----------------------------------------------------------- */

static void attempt_done(hx_lm_client *c, lm_req *r, CURLcode rc, long status)
{
    double now = now_ms();
    r->latency_ms = now - r->started_at;
    if (r->resp) mask_key(c, r->resp, r->resp_len, LM_MASK_MIN_KEY);
    enum cause k = classify(r, rc, status);
    if (k == C_OK) {
        window_on_success(c, r);
        int64_t used = r->prompt_tokens + r->completion_tokens;
        if (used > 0) bucket_take(&c->tpm, (double)(used - r->est_tokens));
        list_remove(r);
        list_push(&c->answered, r);   /* its callback runs after the next starts */
        return;
    }
    if (k == C_429) window_on_429(c, r);
    if (retryable(k) && r->attempts <= c->max_retries) schedule_retry(c, r, k, now);
    else finish_failed(c, r, k);
}

static CURL *make_easy(hx_lm_client *c, lm_req *r)
{
    CURL *e = curl_easy_init();
    if (!e) return NULL;
    curl_easy_setopt(e, CURLOPT_URL, c->url);
#if LIBCURL_VERSION_NUM >= 0x075500
    curl_easy_setopt(e, CURLOPT_PROTOCOLS_STR, "http,https");
#endif
    curl_easy_setopt(e, CURLOPT_HTTPHEADER, c->headers);
    curl_easy_setopt(e, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)r->body_len);
    curl_easy_setopt(e, CURLOPT_POSTFIELDS, r->body);
    curl_easy_setopt(e, CURLOPT_TIMEOUT_MS, (long)ceil(c->timeout_s * 1000.0));
    curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(e, CURLOPT_TCP_KEEPALIVE, 1L);
    curl_easy_setopt(e, CURLOPT_ACCEPT_ENCODING, "");
    curl_easy_setopt(e, CURLOPT_USERAGENT, "harness");
    curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, on_body);
    curl_easy_setopt(e, CURLOPT_WRITEDATA, r);
    curl_easy_setopt(e, CURLOPT_HEADERFUNCTION, on_header);
    curl_easy_setopt(e, CURLOPT_HEADERDATA, r);
    curl_easy_setopt(e, CURLOPT_ERRORBUFFER, r->errbuf);
    curl_easy_setopt(e, CURLOPT_PRIVATE, r);
    return e;
}

static void start_attempt(hx_lm_client *c, lm_req *r, double now)
{
    reset_reply(r);
    r->easy = make_easy(c, r);
    if (!r->easy || curl_multi_add_handle(c->multi, r->easy) != CURLM_OK) {
        curl_easy_cleanup(r->easy);
        r->easy = NULL;
        snprintf(r->detail, sizeof r->detail, "cannot start a transfer (out of memory)");
        finish_failed(c, r, C_FATAL);
        return;
    }
    bucket_take(&c->rpm, 1);
    bucket_take(&c->tpm, (double)r->est_tokens);
    r->attempts++;
    r->started_at = now;
    r->epoch = c->epoch;
    c->st.attempts++;
    c->unsent = true;
    list_remove(r);
    list_push(&c->flight, r);
    if (c->flight.n > c->st.max_in_flight) c->st.max_in_flight = c->flight.n;
}

/* The next request to start: a retry that is due (oldest due first), else
 * the oldest new one. *hint gets the ms until the next retry is due. */
static lm_req *next_ready(hx_lm_client *c, double now, double *hint)
{
    lm_req *best = NULL;
    for (lm_req *r = c->waiting.head; r; r = r->next)
        if (!best || r->ready_at < best->ready_at) best = r;
    if (best && best->ready_at <= now) return best;
    if (best && (*hint < 0 || best->ready_at - now < *hint)) *hint = best->ready_at - now;
    return c->queued.head;
}

/* Start what the window and the buckets allow. Returns the ms until a
 * start may become possible without a transfer finishing (-1: only a
 * finishing transfer can help, or nothing is waiting). */
static double start_ready(hx_lm_client *c)
{
    double hint = -1;
    while (c->flight.n < c->window) {
        double now = now_ms();
        lm_req *r = next_ready(c, now, &hint);
        if (!r) break;
        double w = fmax(bucket_wait(&c->rpm, 1, now),
                        bucket_wait(&c->tpm, (double)r->est_tokens, now));
        if (w > 0) {
            if (hint < 0 || w < hint) hint = w;
            break;
        }
        start_attempt(c, r, now);
    }
    return hint;
}

/* Handle finished transfers; returns how many. */
static int drain(hx_lm_client *c)
{
    CURLMsg *m;
    int left, n = 0;
    while ((m = curl_multi_info_read(c->multi, &left))) {
        if (m->msg != CURLMSG_DONE) continue;
        CURL *e = m->easy_handle;
        CURLcode rc = m->data.result;   /* m is invalid after remove_handle */
        char *priv = NULL;
        long status = 0;
        curl_easy_getinfo(e, CURLINFO_PRIVATE, &priv);
        lm_req *r = (lm_req *)(void *)priv;
        curl_easy_getinfo(e, CURLINFO_RESPONSE_CODE, &status);
        curl_multi_remove_handle(c->multi, e);
        curl_easy_cleanup(e);
        r->easy = NULL;
        attempt_done(c, r, rc, status);
        n++;
    }
    return n;
}

/* Has libcurl work to do now: a socket ready, or one of its timers due
 * (a new transfer's, a timeout's)? One poll(2) over the transfers'
 * sockets, where curl_multi_perform would try each transfer in turn with a
 * system call of its own: this is what lets hx_lm_poll(c, 0) and the
 * checks between callbacks below cost next to nothing when nothing
 * happened. */
static bool curl_has_work(hx_lm_client *c)
{
    long ms = -1;
    int ready = 0;
    if (c->unsent) return true;
    if (curl_multi_timeout(c->multi, &ms) == CURLM_OK && ms == 0) return true;
    return curl_multi_poll(c->multi, NULL, 0, 0, &ready) == CURLM_OK && ready > 0;
}

/* Let libcurl send and receive, and take in the attempts that finished
 * (answers to `answered`, failures finished, retries to `waiting`).
 * Returns how many finished. */
static int pump(hx_lm_client *c)
{
    int running = 0;
    c->unsent = false;
    curl_multi_perform(c->multi, &running);
    return drain(c);
}

/* Start what the freed slots allow and put it on the wire. */
static double refill(hx_lm_client *c)
{
    double hint = start_ready(c);
    if (c->unsent) {
        int running = 0;
        c->unsent = false;
        curl_multi_perform(c->multi, &running);
    }
    return hint;
}

/* Run the callbacks of the answers drain() set aside. Between two, the
 * replies that arrived meanwhile are taken in and their slots refilled:
 * replies sent together arrive together, and the last of a burst would
 * otherwise wait for every callback before it. */
static void deliver_answered(hx_lm_client *c)
{
    while (c->answered.head) {
        finish(c, c->answered.head, NULL);
        if (c->answered.head && !c->cancelling && curl_has_work(c)) {
            pump(c);
            refill(c);
        }
    }
}

/* ---- the cache ------------------------------------------------------------ */

static void lookup_cache(hx_lm_client *c, lm_req *r)
{
    hx_lm_cached v;
    bool found = false;
    if (hx_lm_cache_get(c->cache, r->body, &v, &found, NULL) != 0) {
        c->st.cache_errors++;
        return;
    }
    if (!found) return;
    r->resp = v.response;
    r->resp_len = strlen(v.response);
    r->resp_cap = r->resp_len + 1;
    r->prompt_tokens = v.prompt_tokens;
    r->completion_tokens = v.completion_tokens;
    r->from_cache = true;
}

/* Deliver cache hits. A cached body that no longer parses (an edited
 * cache file) is not an answer: the request goes to the network. */
static void deliver_cached(hx_lm_client *c)
{
    while (c->cached.head) {
        lm_req *r = c->cached.head;
        int64_t pt = r->prompt_tokens, ct = r->completion_tokens;
        if (parse_success(r) == C_OK) {
            r->status = 200;
            /* The usage stored with the reply wins over the body's. */
            if (pt || ct) r->prompt_tokens = pt, r->completion_tokens = ct;
            c->st.cache_hits++;
            finish(c, r, NULL);
            continue;
        }
        c->st.cache_errors++;
        reset_reply(r);
        r->from_cache = false;
        list_remove(r);
        list_push(&c->queued, r);
    }
}

/* ---- public API ----------------------------------------------------------- */

static int build_headers(hx_lm_client *c, const char *api_key)
{
    static const char *const fixed[] = {
        "Content-Type: application/json", "Accept: application/json",
        "Expect:",   /* no 100-continue round trip for larger prompts */
    };
    for (size_t i = 0; i < sizeof fixed / sizeof *fixed; i++) {
        struct curl_slist *l = curl_slist_append(c->headers, fixed[i]);
        if (!l) return -1;
        c->headers = l;
    }
    if (!api_key || !*api_key) return 0;
    size_t n = strlen(api_key) + 32;
    char *line = malloc(n);
    if (!line || !(c->key = strdup(api_key))) {
        free(line);
        return -1;
    }
    snprintf(line, n, "Authorization: Bearer %s", api_key);
    struct curl_slist *l = curl_slist_append(c->headers, line);
    explicit_bzero(line, n);
    free(line);
    if (!l) return -1;
    c->headers = l;
    return 0;
}

static int build_url(hx_lm_client *c, const char *base)
{
    size_t n = strlen(base);
    while (n && base[n - 1] == '/') n--;
    c->url = malloc(n + sizeof "/chat/completions");
    if (!c->url) return -1;
    memcpy(c->url, base, n);
    memcpy(c->url + n, "/chat/completions", sizeof "/chat/completions");
    return 0;
}

static void apply_opts(hx_lm_client *c, const hx_lm_opts *o)
{
    double now = now_ms();
    c->timeout_s = o->timeout_s > 0 ? o->timeout_s : 60;
    c->ceiling = c->window = o->concurrency > 0 ? o->concurrency : 1;
    c->max_retries = o->max_retries > 0 ? o->max_retries : 0;
    c->backoff_base_ms = o->backoff_base_ms > 0 ? o->backoff_base_ms : 500;
    c->rng = o->seed;
    bucket_init(&c->rpm, o->rpm, now);
    bucket_init(&c->tpm, o->tpm, now);
    c->cache = o->cache;
    c->cache_mode = o->cache ? o->cache_mode : HX_CACHE_OFF;
    c->st.concurrency = c->st.min_concurrency = c->window;
}

int hx_lm_client_new(const hx_lm_opts *o, hx_lm_client **out, hx_error *err)
{
    if (!out) return hx_fail(err, "hx_lm_client_new: no place for the client");
    *out = NULL;
    if (!o || !o->base_url || !*o->base_url) return hx_fail(err, "LM client: no base_url given");
    if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK)
        return hx_fail(err, "LM client: cannot initialise libcurl");
    hx_lm_client *c = calloc(1, sizeof *c);
    if (!c) {
        curl_global_cleanup();
        return hx_fail(err, "LM client: out of memory");
    }
    apply_opts(c, o);
    if (build_url(c, o->base_url) != 0 || build_headers(c, o->api_key) != 0 ||
        !(c->multi = curl_multi_init())) {
        hx_lm_client_free(c);
        return hx_fail(err, "LM client: out of memory");
    }
    /* One connection per request in flight at most, all kept for reuse. */
    curl_multi_setopt(c->multi, CURLMOPT_MAX_HOST_CONNECTIONS, (long)c->ceiling);
    curl_multi_setopt(c->multi, CURLMOPT_MAXCONNECTS, (long)c->ceiling);
    *out = c;
    return 0;
}

static void wipe_headers(struct curl_slist *l)
{
    for (; l; l = l->next)
        if (l->data) explicit_bzero(l->data, strlen(l->data));
}

void hx_lm_client_free(hx_lm_client *c)
{
    if (!c) return;
    hx_lm_cancel(c);
    if (c->multi) curl_multi_cleanup(c->multi);
    wipe_headers(c->headers);
    curl_slist_free_all(c->headers);
    if (c->key) explicit_bzero(c->key, strlen(c->key));
    free(c->key);
    free(c->url);
    free(c);
    curl_global_cleanup();
}

/* Both submits: front = ahead of every request not yet started. */
static int submit(hx_lm_client *c, const char *body, void *user, hx_lm_done_fn done, bool front,
                  hx_error *err)
{
    if (!c || !body || !done) return hx_fail(err, "hx_lm_submit: missing client, body or callback");
    if (c->cancelling) return hx_fail(err, "LM client: shutting down, request not sent");
    lm_req *r = calloc(1, sizeof *r);
    if (!r || !(r->body = strdup(body))) {
        free(r);
        return hx_fail(err, "LM client: out of memory");
    }
    r->body_len = strlen(body);
    r->est_tokens = (int64_t)(r->body_len / 4) + 1;
    r->user = user;
    r->done = done;
    c->st.requests++;
    if (c->cache && c->cache_mode != HX_CACHE_OFF) lookup_cache(c, r);
    if (r->from_cache) list_push(&c->cached, r);
    else if (front) list_push_front(&c->queued, r);
    else list_push(&c->queued, r);
    return 0;
}

int hx_lm_submit(hx_lm_client *c, const char *body, void *user, hx_lm_done_fn done,
                 hx_error *err)
{
    return submit(c, body, user, done, false, err);
}

int hx_lm_submit_first(hx_lm_client *c, const char *body, void *user, hx_lm_done_fn done,
                       hx_error *err)
{
    return submit(c, body, user, done, true, err);
}

int hx_lm_poll(hx_lm_client *c, int max_wait_ms)
{
    if (c->polling) return outstanding(c);   /* called from a callback: a no-op */
    c->polling = true;
    c->delivered = 0;
    double deadline = now_ms() + (max_wait_ms > 0 ? max_wait_ms : 0);
    bool waited = false;
    for (;;) {
        int finished = 0;
        deliver_cached(c);
        double hint = start_ready(c);
        /* After a wait, libcurl runs whatever woke us, as in the usual
         * perform-poll loop; otherwise only when it has something to do. */
        if (waited || curl_has_work(c)) finished = pump(c);
        waited = false;
        if (c->answered.n) {
            /* Refill the slots the answers freed and send, then run their
             * callbacks (see the top of the file). */
            hint = refill(c);
            deliver_answered(c);
        }
        if (c->delivered || outstanding(c) == 0) break;
        double now = now_ms();
        if (now >= deadline) break;
        if (finished) continue;   /* a slot or a due retry may start at once */
        double wait = deadline - now;
        if (hint >= 0 && hint < wait) wait = hint;
        curl_multi_poll(c->multi, NULL, 0, (int)ceil(wait), NULL);
        waited = true;
    }
    c->polling = false;
    return outstanding(c);
}

static void cancel_list(hx_lm_client *c, lm_list *l)
{
    while (l->head) {
        lm_req *r = l->head;
        if (r->easy) {
            curl_multi_remove_handle(c->multi, r->easy);
            curl_easy_cleanup(r->easy);
            r->easy = NULL;
            reset_reply(r);
        }
        r->status = 0;
        finish(c, r, "cancelled");
    }
}

void hx_lm_cancel(hx_lm_client *c)
{
    if (!c) return;
    bool was = c->cancelling;
    c->cancelling = true;       /* callbacks cannot submit more while we drain */
    deliver_cached(c);          /* hits are answers already: deliver them */
    deliver_answered(c);        /* and so are these */
    cancel_list(c, &c->queued); /* (including hits that no longer parse) */
    cancel_list(c, &c->waiting);
    cancel_list(c, &c->flight);
    c->cancelling = was;
}

void hx_lm_get_stats(const hx_lm_client *c, hx_lm_stats *out)
{
    *out = c->st;
    out->concurrency = c->window;
}

/* ---- request bodies ------------------------------------------------------- */

/* LiteLLM's provider prefixes for OpenAI-compatible endpoints: LiteLLM
 * strips them before calling the server, and so do we. */
static const char *const PROVIDERS[] = {
    "openai", "hosted_vllm", "vllm", "ollama", "ollama_chat", "litellm_proxy",
    "lm_studio", "openrouter", "together_ai", "groq", "deepseek", "fireworks_ai",
    "mistral", "deepinfra", "xai", "custom_openai", "text-completion-openai",
};

const char *hx_lm_model_name(const char *model)
{
    const char *slash = model ? strchr(model, '/') : NULL;
    if (!slash) return model;
    size_t n = (size_t)(slash - model);
    for (size_t i = 0; i < sizeof PROVIDERS / sizeof *PROVIDERS; i++)
        if (strlen(PROVIDERS[i]) == n && strncmp(model, PROVIDERS[i], n) == 0) return slash + 1;
    return model;
}

static bool add_copy(cJSON *obj, const char *key, const cJSON *v)
{
    cJSON *d = cJSON_Duplicate(v, 1);
    return d && cJSON_AddItemToObject(obj, key, d);
}

char *hx_lm_chat_body(const char *model, const cJSON *messages, double temperature,
                      int max_tokens, const cJSON *response_format)
{
    if (!model || !*model || !cJSON_IsArray(messages)) return NULL;
    cJSON *o = cJSON_CreateObject();
    bool ok = o && cJSON_AddStringToObject(o, "model", hx_lm_model_name(model)) &&
              add_copy(o, "messages", messages);
    if (ok && isfinite(temperature))
        ok = cJSON_AddNumberToObject(o, "temperature", temperature) != NULL;
    if (ok && max_tokens > 0) ok = cJSON_AddNumberToObject(o, "max_tokens", max_tokens) != NULL;
    if (ok && response_format) ok = add_copy(o, "response_format", response_format);
    char *s = ok ? cJSON_PrintUnformatted(o) : NULL;
    cJSON_Delete(o);
    return s;
}
