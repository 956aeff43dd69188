/*
 * stats.c — the counters of stats.h under one mutex (requests are
 * milliseconds apart at most; contention is not a concern).
 */
#include "stats.h"

#include <cjson/cJSON.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>

#define MAX_STATUS 600

struct sl_stats {
    pthread_mutex_t mu;
    unsigned long requests, in_flight;
    unsigned long status[MAX_STATUS];
    unsigned long outcome[SL_OUT_COUNT];
    unsigned long fault[SL_FAULT_COUNT];
    unsigned long json_mode, chat_adapter, matched, unmatched, untaught_tags;
    unsigned long rf[4];       /* none, json_object, json_schema, other */
};

sl_stats *sl_stats_new(void)
{
    sl_stats *s = calloc(1, sizeof *s);
    if (s) pthread_mutex_init(&s->mu, NULL);
    return s;
}

void sl_stats_free(sl_stats *s)
{
    if (!s) return;
    pthread_mutex_destroy(&s->mu);
    free(s);
}

void sl_stats_begin(sl_stats *s)
{
    pthread_mutex_lock(&s->mu);
    s->requests++;
    s->in_flight++;
    pthread_mutex_unlock(&s->mu);
}

void sl_stats_end(sl_stats *s, int status, sl_outcome o, sl_fault f)
{
    pthread_mutex_lock(&s->mu);
    if (s->in_flight) s->in_flight--;
    if (status >= 0 && status < MAX_STATUS) s->status[status]++;
    if ((unsigned)o < SL_OUT_COUNT) s->outcome[o]++;
    if ((unsigned)f < SL_FAULT_COUNT) s->fault[f]++;
    pthread_mutex_unlock(&s->mu);
}

void sl_stats_answer(sl_stats *s, bool json_mode, bool matched, unsigned untaught)
{
    pthread_mutex_lock(&s->mu);
    if (json_mode) s->json_mode++;
    else s->chat_adapter++;
    if (matched) s->matched++;
    else s->unmatched++;
    s->untaught_tags += untaught;
    pthread_mutex_unlock(&s->mu);
}

void sl_stats_response_format(sl_stats *s, int rf)
{
    if (rf < 0 || rf > 3) rf = 3;
    pthread_mutex_lock(&s->mu);
    s->rf[rf]++;
    pthread_mutex_unlock(&s->mu);
}

static const char *const OUTCOMES[SL_OUT_COUNT] = {"answered", "bad_request", "other", "error"};

static cJSON *snapshot(const sl_stats *s)
{
    cJSON *o = cJSON_CreateObject(), *st, *oc, *fa, *an;
    char key[8];
    if (!o) return NULL;
    cJSON_AddNumberToObject(o, "requests", (double)s->requests);
    cJSON_AddNumberToObject(o, "in_flight", (double)s->in_flight);
    if ((st = cJSON_AddObjectToObject(o, "by_status")))
        for (int i = 0; i < MAX_STATUS; i++)
            if (s->status[i]) {
                snprintf(key, sizeof key, "%d", i);
                cJSON_AddNumberToObject(st, key, (double)s->status[i]);
            }
    if ((oc = cJSON_AddObjectToObject(o, "by_outcome")))
        for (int i = 0; i < SL_OUT_COUNT; i++)
            cJSON_AddNumberToObject(oc, OUTCOMES[i], (double)s->outcome[i]);
    if ((fa = cJSON_AddObjectToObject(o, "by_fault")))
        for (int i = 0; i < SL_FAULT_COUNT; i++)
            cJSON_AddNumberToObject(fa, sl_fault_name((sl_fault)i), (double)s->fault[i]);
    if ((an = cJSON_AddObjectToObject(o, "answers"))) {
        cJSON_AddNumberToObject(an, "chat_adapter", (double)s->chat_adapter);
        cJSON_AddNumberToObject(an, "json_mode", (double)s->json_mode);
        cJSON_AddNumberToObject(an, "matched", (double)s->matched);
        cJSON_AddNumberToObject(an, "unmatched", (double)s->unmatched);
        cJSON_AddNumberToObject(an, "untaught_tags", (double)s->untaught_tags);
    }
    if ((an = cJSON_AddObjectToObject(o, "response_format"))) {
        static const char *const RF[4] = {"none", "json_object", "json_schema", "other"};
        for (int i = 0; i < 4; i++) cJSON_AddNumberToObject(an, RF[i], (double)s->rf[i]);
    }
    return o;
}

char *sl_stats_json(sl_stats *s)
{
    cJSON *o;
    char *text;
    pthread_mutex_lock(&s->mu);
    o = snapshot(s);
    pthread_mutex_unlock(&s->mu);
    text = o ? cJSON_PrintUnformatted(o) : NULL;
    cJSON_Delete(o);
    return text;
}
