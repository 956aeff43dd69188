/*
 * metric.c — the assertion engine behind a C API for the Python bridge
 * (see metric.h).
 *
 * Each call parses the two JSON strings, finds (or loads) the rule file,
 * and runs hx_check_case — the very function `harness run` uses — under the
 * transcript's call date. One mutex guards the rule cache and the check:
 * checks take microseconds, so serialising them costs nothing next to the
 * LM calls the optimizer waits on, and no rule object (compiled regexes
 * included) is ever used by two threads at once.
 */
#include "metric.h"

#include <cjson/cJSON.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "assertion.h"
#include "json_doc.h"
#include "rules.h"
#include "transcript.h"

typedef struct cached_rules {
    char *path;
    hx_rules rules;
    struct cached_rules *next;
} cached_rules;

static pthread_mutex_t g_lock = PTHREAD_MUTEX_INITIALIZER;
static cached_rules *g_cache;
static _Thread_local char tl_err[1024];

static void set_err(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void set_err(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(tl_err, sizeof tl_err, fmt, ap);
    va_end(ap);
}

int hx_metric_abi(void) { return HX_METRIC_ABI; }

const char *hx_metric_error(void) { return tl_err; }

void hx_metric_free(char *s) { free(s); }

/* The rules of path, loading them on first use. Called with g_lock held. */
static const hx_rules *rules_for(const char *path)
{
    for (cached_rules *c = g_cache; c; c = c->next)
        if (strcmp(c->path, path) == 0) return &c->rules;
    cached_rules *c = calloc(1, sizeof *c);
    hx_diags d = {0};
    if (!c || !(c->path = strdup(path))) {
        free(c);
        set_err("out of memory");
        return NULL;
    }
    if (hx_rules_load(path, &c->rules, &d) != 0) {
        if (d.n)
            set_err("%s%s%s: %s", d.v[0].file[0] ? d.v[0].file : path, d.v[0].path[0] ? ": " : "",
                    d.v[0].path, d.v[0].msg);
        else
            set_err("%s: cannot load the rules", path);
        hx_diags_free(&d);
        hx_rules_free(&c->rules);
        free(c->path);
        free(c);
        return NULL;
    }
    hx_diags_free(&d);
    c->next = g_cache;
    g_cache = c;
    return &c->rules;
}

void hx_metric_reset(void)
{
    pthread_mutex_lock(&g_lock);
    while (g_cache) {
        cached_rules *c = g_cache;
        g_cache = c->next;
        hx_rules_free(&c->rules);
        free(c->path);
        free(c);
    }
    pthread_mutex_unlock(&g_lock);
}

/* The reference context, as hx_transcript_ctx builds it from a transcript. */
static int ctx_from_date(const char *call_date, hx_norm_ctx *ctx)
{
    memset(ctx, 0, sizeof *ctx);
    ctx->region = "US";
    if (!call_date || !*call_date) return 0;
    if (hx_parse_ymd(call_date, &ctx->ref_year, &ctx->ref_month, &ctx->ref_day) != 0) {
        set_err("call_date \"%.40s\" is not a date (YYYY-MM-DD)", call_date);
        return -1;
    }
    return 0;
}

/* Parse both JSON texts. outputs may be absent (NULL, "" or null). */
static int parse_inputs(const char *expected_json, const char *outputs_json, cJSON **expected,
                        cJSON **outputs)
{
    *expected = *outputs = NULL;
    if (!expected_json || !(*expected = hx_json_parse(expected_json)) || !cJSON_IsObject(*expected)) {
        cJSON_Delete(*expected);
        *expected = NULL;
        set_err("expected: not a JSON object");
        return -1;
    }
    if (!outputs_json || !*outputs_json) return 0;
    *outputs = hx_json_parse(outputs_json);
    if (!*outputs || !(cJSON_IsObject(*outputs) || cJSON_IsNull(*outputs))) {
        cJSON_Delete(*expected);
        cJSON_Delete(*outputs);
        *expected = *outputs = NULL;
        set_err("outputs: not a JSON object");
        return -1;
    }
    return 0;
}

/* Check one case into *v. 0, or -1 with the thread's error set. */
static int evaluate(const char *rules_path, const char *expected_json, const char *outputs_json,
                    const char *call_date, hx_case_verdict *v)
{
    cJSON *expected, *outputs;
    hx_norm_ctx ctx;
    int rc = -1;

    tl_err[0] = '\0';
    memset(v, 0, sizeof *v);
    if (!rules_path || !*rules_path) {
        set_err("no rule file given");
        return -1;
    }
    if (ctx_from_date(call_date, &ctx) != 0) return -1;
    if (parse_inputs(expected_json, outputs_json, &expected, &outputs) != 0) return -1;
    pthread_mutex_lock(&g_lock);
    const hx_rules *rs = rules_for(rules_path);
    if (rs) {
        if (hx_check_case(rs, expected, outputs, &ctx, v) != 0) set_err("out of memory");
        else if (v->nfields == 0) {
            set_err("nothing to check: no field of expected has a rule in %s", rules_path);
            hx_case_verdict_free(v);
        } else rc = 0;
    }
    pthread_mutex_unlock(&g_lock);
    cJSON_Delete(expected);
    cJSON_Delete(outputs);
    return rc;
}

static double fraction(const hx_case_verdict *v)
{
    size_t passed = 0;
    for (size_t i = 0; i < v->nfields; i++) passed += v->fields[i].pass;
    return (double)passed / (double)v->nfields;
}

double hx_metric(const char *rules_path, const char *expected_json, const char *outputs_json,
                 const char *call_date)
{
    hx_case_verdict v;
    if (evaluate(rules_path, expected_json, outputs_json, call_date, &v) != 0) return -1;
    double f = fraction(&v);
    hx_case_verdict_free(&v);
    return f;
}

int hx_metric_case(const char *rules_path, const char *expected_json, const char *outputs_json,
                   const char *call_date)
{
    hx_case_verdict v;
    if (evaluate(rules_path, expected_json, outputs_json, call_date, &v) != 0) return -1;
    int pass = v.status == HX_PASS;
    hx_case_verdict_free(&v);
    return pass;
}

static void add_str_or_null(cJSON *o, const char *k, const char *v)
{
    if (v) cJSON_AddStringToObject(o, k, v);
    else cJSON_AddNullToObject(o, k);
}

char *hx_metric_explain(const char *rules_path, const char *expected_json, const char *outputs_json,
                        const char *call_date)
{
    hx_case_verdict v;
    if (evaluate(rules_path, expected_json, outputs_json, call_date, &v) != 0) return NULL;
    cJSON *o = cJSON_CreateObject(), *fs = cJSON_CreateArray();
    cJSON_AddStringToObject(o, "status", v.status == HX_PASS ? "pass" : "fail");
    cJSON_AddNumberToObject(o, "score", fraction(&v));
    cJSON_AddStringToObject(o, "reason", v.reason);
    for (size_t i = 0; i < v.nfields; i++) {
        const hx_field_verdict *f = &v.fields[i];
        cJSON *j = cJSON_CreateObject();
        cJSON_AddStringToObject(j, "field", f->field);
        cJSON_AddBoolToObject(j, "pass", f->pass);
        add_str_or_null(j, "expected", f->expected);
        add_str_or_null(j, "actual_raw", f->actual_raw);
        add_str_or_null(j, "actual", f->actual);
        cJSON_AddStringToObject(j, "reason", f->reason);
        cJSON_AddItemToArray(fs, j);
    }
    cJSON_AddItemToObject(o, "fields", fs);
    char *s = cJSON_PrintUnformatted(o);
    cJSON_Delete(o);
    hx_case_verdict_free(&v);
    if (!s) set_err("out of memory");
    return s;
}
