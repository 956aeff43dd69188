/*
 * lm_client.h — many chat-completion requests in flight, politely.
 *
 * `harness run` turns every (transcript, module) pair into one
 * OpenAI-compatible `POST {base_url}/chat/completions` (DESIGN.md §6). This
 * client sends them on one libcurl multi handle from the caller's thread:
 * the caller submits request bodies (hx_lm_submit), drives the transfers
 * (hx_lm_poll) and gets each outcome exactly once through its callback.
 * No threads: callbacks run inside hx_lm_poll.
 *
 * What it does for the caller, so that a nightly run survives a flaky or
 * rate-limited endpoint without hammering it:
 *   - Retries, bounded by max_retries, on 429, 5xx, 408, timeouts,
 *     connection errors, and a 200 whose body is not a chat completion (a
 *     transient server fault as far as we can tell). Other 4xx (400, 401,
 *     404, ...) fail at once with the server's error message: repeating a
 *     bad request or a bad key cannot help.
 *   - Backoff: base × 2^(retry-1) with full jitter, capped at 30 s; a
 *     server's Retry-After (seconds or HTTP-date) or retry-after-ms wins
 *     when it asks for longer (capped at 120 s).
 *   - Adaptive concurrency (AIMD, as promptfoo's scheduler): the window of
 *     requests in flight halves on a 429 and grows by one after `window`
 *     successes without a 429, up to opts.concurrency; it does not grow
 *     while x-ratelimit-remaining-requests shows less than 10 % of the
 *     quota left. A burst of 429s from requests sent under one window
 *     halves it once, not once per reply.
 *   - rpm/tpm token buckets (one second of burst) that delay starts; tpm
 *     charges an estimate (body bytes / 4) at the start and corrects it
 *     with the reply's real usage.
 *   - An optional read-only look-up in the response cache (lm_cache.h).
 *     The client never writes the cache: the caller puts a reply only
 *     after parsing it, so an unparseable reply is never cached.
 *
 * The API key is only ever placed in the Authorization header. It is never
 * written to an error message, a log or a result: if a server echoes it
 * (some proxies do), every occurrence in the error is masked with '*', and
 * in the body too when the key has 8 or more characters (shorter ones,
 * such as Ollama's placeholder "ollama", are no secret and could be real
 * words of a reply).
 *
 * Memory: each request holds its body (copied at submit) until its
 * callback returns. The caller bounds memory by feeding the queue
 * gradually (e.g. keep about 2 × concurrency submitted), using the count
 * hx_lm_poll returns.
 */
#ifndef HX_LM_CLIENT_H
#define HX_LM_CLIENT_H

#include <cjson/cJSON.h>
#include <stdbool.h>
#include <stdint.h>
#include <time.h>

#include "error.h"
#include "lm_cache.h"

typedef struct hx_lm_opts {
    const char *base_url;       /* ".../v1"; requests go to base_url + "/chat/completions" */
    const char *api_key;        /* the key itself (the caller reads the env var);
                                   NULL or "" = no Authorization header */
    double timeout_s;           /* per attempt, whole request; <= 0 means 60 */
    int concurrency;            /* max in flight, the adaptive window's ceiling; <= 0 means 1 */
    int max_retries;            /* retries after the first attempt; < 0 means 0 */
    int rpm, tpm;               /* 0 = unlimited */
    int backoff_base_ms;        /* <= 0 means 500 */
    unsigned seed;              /* jitter PRNG seed (deterministic tests) */
    struct hx_lm_cache *cache;  /* may be NULL; borrowed, must outlive the client */
    int cache_mode;             /* HX_CACHE_OFF | HX_CACHE_READ | HX_CACHE_READ_WRITE */
} hx_lm_opts;

typedef struct hx_lm_result {
    bool ok;                    /* a 2xx with a chat-completion body: choices[0].message.content */
    int http_status;            /* last attempt's status; 0 = no HTTP response
                                   (timeout, connection) */
    const char *content;        /* choices[0].message.content when ok (borrowed
                                   during the callback) */
    const char *body;           /* raw response body of the last attempt, "" if none (borrowed) */
    const char *error;          /* one line when !ok, e.g. "HTTP 500 after 7 attempts: overloaded",
                                   "timeout after 60 s (7 attempts)"; NULL when ok */
    int64_t prompt_tokens, completion_tokens;  /* from "usage", 0 when absent */
    double latency_ms;          /* of the successful attempt (or the last) */
    int attempts;               /* HTTP attempts made; 0 for a cache hit */
    bool from_cache;            /* answered by the cache: nothing to hx_lm_cache_put again */
} hx_lm_result;

/* Called exactly once per submitted request, from inside hx_lm_poll (or
 * hx_lm_cancel / hx_lm_client_free). It may call hx_lm_submit; it must not
 * call hx_lm_poll, hx_lm_cancel or hx_lm_client_free. */
typedef void (*hx_lm_done_fn)(void *user, const hx_lm_result *r);

typedef struct hx_lm_stats {
    int64_t requests;           /* submitted */
    int64_t succeeded, failed;  /* completed either way (cache hits count as succeeded) */
    int64_t cache_hits, cache_errors;   /* cache_errors: look-ups that failed (then sent) */
    int64_t attempts;           /* HTTP attempts started */
    int64_t retries;            /* attempts after a request's first; the sum of the causes: */
    int64_t retries_429, retries_5xx, retries_timeout, retries_connect, retries_bad_reply;
    int64_t prompt_tokens, completion_tokens;   /* of successful replies (cache hits included) */
    int concurrency;            /* current adaptive window */
    int min_concurrency;        /* smallest window seen */
    int max_in_flight;          /* most requests in flight at once */
} hx_lm_stats;

typedef struct hx_lm_client hx_lm_client;

int hx_lm_client_new(const hx_lm_opts *o, hx_lm_client **out, hx_error *err);
/* Pending requests are cancelled first (their callbacks run, see
 * hx_lm_cancel). */
void hx_lm_client_free(hx_lm_client *c);

/* Queue a request (body = the full JSON request body; copied). done is
 * called exactly once, never from inside this call. */
int hx_lm_submit(hx_lm_client *c, const char *body, void *user, hx_lm_done_fn done,
                 hx_error *err);

/* The same, ahead of every request not yet started: for a follow-up whose
 * case has already waited for one reply (a JSON-mode retry), so that the
 * last follow-ups of a run do not queue behind new cases and stretch its
 * end. Retries after a failed attempt still go first (they are older). */
int hx_lm_submit_first(hx_lm_client *c, const char *body, void *user, hx_lm_done_fn done,
                       hx_error *err);

/* Drive transfers for at most max_wait_ms (0 = one pass without waiting).
 * Returns early once some callbacks have run, so the caller can submit
 * more, or when nothing is left. Returns the number of requests not yet
 * done (queued + in flight + waiting to retry). */
int hx_lm_poll(hx_lm_client *c, int max_wait_ms);

/* Finish every request not yet done with ok = false and error "cancelled"
 * (in-flight transfers are aborted; cache hits already found are delivered
 * as hits). For an interrupted run. hx_lm_submit refuses requests while
 * this runs, so callbacks cannot keep it busy. */
void hx_lm_cancel(hx_lm_client *c);

/* Counters for the run summary. (Named _get_: a function cannot share
 * the name of the hx_lm_stats typedef.) */
void hx_lm_get_stats(const hx_lm_client *c, hx_lm_stats *out);

/* Build an OpenAI chat-completions body, keys in a fixed order (the cache
 * key is the body's hash): model, messages, temperature (left out when not
 * finite), max_tokens (left out when <= 0), response_format (left out when
 * NULL). A LiteLLM-style
 * provider prefix ("openai/gpt-4o-mini", "hosted_vllm/...", "ollama_chat/...")
 * is dropped, as LiteLLM does before it calls the endpoint; a model name
 * that merely contains a slash ("meta-llama/Llama-3.1-8B") is kept.
 * Returns a string to free(), or NULL when out of memory or model/messages
 * are missing. */
char *hx_lm_chat_body(const char *model, const cJSON *messages, double temperature,
                      int max_tokens, const cJSON *response_format);

/* The model name as sent: model without its provider prefix (a pointer
 * into model). */
const char *hx_lm_model_name(const char *model);

/* How long a server asked us to wait, in ms, from the three headers (any
 * may be NULL): retry-after-ms (milliseconds), Retry-After (delay-seconds or
 * an HTTP-date, measured from the response's Date header when it has one,
 * else from now). The largest wins; -1 when none parses. */
int64_t hx_lm_retry_after_ms(const char *retry_after, const char *retry_after_ms,
                             const char *date, time_t now);

#endif
