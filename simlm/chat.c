/*
 * chat.c — the chat-completion service (see chat.h).
 */
#include "chat.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "clock.h"
#include "program.h"
#include "reply.h"
#include "rng.h"

static void set(sl_http *out, int status, char *body, sl_outcome o)
{
    out->status = status;
    out->body = body;
    out->outcome = o;
}

static void error_reply(sl_http *out, int status, const char *msg, const char *type,
                        const char *code, sl_outcome o)
{
    set(out, status, sl_reply_error(msg, type, code), o);
}

static void oom(sl_http *out)
{
    error_reply(out, 500, "simlm ran out of memory answering this request.", "server_error", NULL,
                SL_OUT_ERROR);
}

/* When the reply is due: latency plus a jitter drawn from the body (so it
 * too is reproducible) after the request arrived. The answer is computed
 * inside that time, as a real server's is: --latency-ms 200 is a server
 * that answers in 200 ms, not in 200 ms plus simlm's own work, which on a
 * loaded machine would add a millisecond or more to every request of a
 * benchmark whose ideal assumes exactly the latency asked for. */
static struct timespec reply_due(const sl_service *svc, const char *sha, const struct timespec *arrived)
{
    long ms = svc->latency_ms;
    if (svc->jitter_ms > 0)
        ms += (long)(sl_draw(svc->seed, sha, "jitter", NULL) * (double)(svc->jitter_ms + 1));
    return sl_clock_add_ms(*arrived, ms);
}

/* The completion for p, with a 200-status fault (empty, truncate,
 * malformed) applied. */
static void answer(const sl_service *svc, const sl_prompt *p, sl_fault f, sl_http *out)
{
    sl_answer a;
    char *content, *env;
    if (sl_answer_make(&svc->model, p, &a) != 0) { oom(out); return; }
    sl_stats_answer(svc->stats, p->json_mode, a.matched != NULL, a.untaught);
    sl_stats_response_format(svc->stats, (int)p->rf);
    content = f == SL_FAULT_EMPTY ? strdup("") : sl_reply_content(p, a.values, f == SL_FAULT_TRUNCATE);
    sl_answer_free(&a);
    if (!content) { oom(out); return; }
    env = sl_reply_envelope(p, content, f == SL_FAULT_TRUNCATE);
    free(content);
    if (!env) { oom(out); return; }
    /* Malformed: the body stops half way, as a dropped proxy stream would. */
    if (f == SL_FAULT_MALFORMED) env[strlen(env) / 2] = '\0';
    set(out, 200, env, SL_OUT_ANSWERED);
}

static void faulty(const sl_service *svc, sl_fault f, const struct timespec *due, sl_http *out)
{
    char msg[160];
    switch (f) {
    case SL_FAULT_HANG:
        /* A hang is on top of the latency. */
        sl_sleep_until(due);
        sl_sleep_ms(svc->hang_ms);
        snprintf(msg, sizeof msg, "simlm held this request for %ld ms (--hang).", svc->hang_ms);
        error_reply(out, 504, msg, "timeout", "simulated_hang", SL_OUT_ANSWERED);
        return;
    case SL_FAULT_429:
        error_reply(out, 429, "Rate limit reached for requests (simulated by simlm --fail-429).",
                    "requests", "rate_limit_exceeded", SL_OUT_ANSWERED);
        out->retry_after = svc->retry_after;
        return;
    case SL_FAULT_500:
        error_reply(out, 500, "The server had an error while processing your request "
                              "(simulated by simlm --fail-500).", "server_error", NULL, SL_OUT_ANSWERED);
        return;
    default:
        return;
    }
}

void sl_chat(const sl_service *svc, const char *body, size_t len, const struct timespec *arrived,
             sl_http *out)
{
    struct timespec due;
    char sha[65], why[256];
    sl_prompt p;
    sl_prompt_rc rc;
    unsigned attempt;
    memset(out, 0, sizeof *out);
    out->retry_after = -1;
    hx_sha256_hex(body, len, sha);
    due = reply_due(svc, sha, arrived);
    if (svc->fail_all) {
        out->fault = SL_FAULT_OUTAGE;
        error_reply(out, 503, "The provider is unavailable (simulated outage: simlm --fail-all).",
                    "service_unavailable", "provider_outage", SL_OUT_ANSWERED);
    } else if ((rc = sl_prompt_parse(body, len, &p, why)) == SL_PROMPT_OOM) {
        oom(out);
    } else if (rc == SL_PROMPT_BAD) {
        error_reply(out, 400, why, "invalid_request_error", "invalid_request", SL_OUT_BAD_REQUEST);
    } else {
        out->fault = sl_faults_decide(svc->faults, p.body_sha, &attempt);
        if (out->fault == SL_FAULT_HANG || out->fault == SL_FAULT_429 || out->fault == SL_FAULT_500)
            faulty(svc, out->fault, &due, out);
        else
            answer(svc, &p, out->fault, out);
        sl_prompt_free(&p);
    }
    sl_sleep_until(&due);
}

void sl_http_free(sl_http *h)
{
    free(h->body);
    h->body = NULL;
}
