/*
 * report_json.c — the whole report data as one JSON object.
 *
 * For scripts and dashboards that want the numbers a report shows without
 * writing the SQL behind them: the run's facts, each agent with its trend,
 * each module with its Δ, the field accuracies, the worst cases with their
 * failing checks, and the recompile history. Keys mirror report.h and the
 * DESIGN §5 view columns; an unknown number or string is null, never a
 * made-up 0. "format" names the layout so consumers can check it.
 */
#include "report.h"

#include <math.h>
#include <stdlib.h>

#include <cjson/cJSON.h>

#define REPORT_JSON_FORMAT "harness-report/1"

/* ---- values that may be unknown ----------------------------------------- */

static void add_str(cJSON *o, const char *k, const char *v)
{
    if (v) cJSON_AddStringToObject(o, k, v);
    else cJSON_AddNullToObject(o, k);
}

static void add_num(cJSON *o, const char *k, double v)
{
    if (isnan(v)) cJSON_AddNullToObject(o, k);
    else cJSON_AddNumberToObject(o, k, v);
}

static void add_int(cJSON *o, const char *k, int64_t v)
{
    cJSON_AddNumberToObject(o, k, (double)v);
}

static void add_counts(cJSON *o, int64_t cases, int64_t passed, int64_t failed, int64_t errors)
{
    add_int(o, "cases", cases);
    add_int(o, "passed", passed);
    add_int(o, "failed", failed);
    add_int(o, "errors", errors);
}

/* ---- sections --------------------------------------------------------------- */

static cJSON *run_json(const hx_report *r)
{
    const hx_report_run *u = &r->run;
    cJSON *o = cJSON_CreateObject();
    add_int(o, "run_id", u->run_id);
    add_str(o, "kind", u->kind);
    add_str(o, "status", u->status);
    add_str(o, "suite", u->suite_path);
    add_str(o, "lm_model", u->lm_model);
    add_str(o, "started_at", u->started_at);
    add_str(o, "finished_at", u->finished_at);
    add_num(o, "duration_s", u->duration_s);
    add_counts(o, u->cases, u->passed, u->failed, u->errors);
    add_num(o, "pass_rate", u->pass_rate);
    add_int(o, "prompt_tokens", u->prompt_tokens);
    add_int(o, "completion_tokens", u->completion_tokens);
    add_num(o, "cost_usd", u->cost_usd);
    add_num(o, "latency_ms_mean", u->latency_ms_mean);
    add_num(o, "latency_ms_p95", u->latency_ms_p95);
    if (u->previous_run_id) add_int(o, "previous_run_id", u->previous_run_id);
    else cJSON_AddNullToObject(o, "previous_run_id");
    add_int(o, "modules_below_bar", (int64_t)u->modules_below);
    return o;
}

static cJSON *agent_json(const hx_report_agent *a)
{
    cJSON *o = cJSON_CreateObject(), *t;
    add_str(o, "agent", a->agent);
    add_counts(o, a->cases, a->passed, a->failed, a->errors);
    add_num(o, "pass_rate", a->pass_rate);
    add_num(o, "bar", a->bar);
    t = cJSON_AddArrayToObject(o, "trend");
    for (size_t i = 0; i < a->ntrend; i++) {
        cJSON *p = cJSON_CreateObject();
        add_int(p, "run_id", a->trend[i].run_id);
        add_str(p, "started_at", a->trend[i].started_at);
        add_num(p, "pass_rate", a->trend[i].pass_rate);
        cJSON_AddItemToArray(t, p);
    }
    return o;
}

static cJSON *module_json(const hx_report_module *m)
{
    cJSON *o = cJSON_CreateObject();
    add_str(o, "agent", m->agent);
    add_str(o, "module", m->module);
    add_str(o, "program_sha256", m->program_sha256);
    add_counts(o, m->cases, m->passed, m->failed, m->errors);
    add_num(o, "pass_rate", m->pass_rate);
    add_num(o, "bar", m->bar);
    cJSON_AddBoolToObject(o, "below_bar", m->below_bar);
    add_str(o, "status", m->status);
    if (m->prev_run_id) add_int(o, "previous_run_id", m->prev_run_id);
    else cJSON_AddNullToObject(o, "previous_run_id");
    add_num(o, "previous_pass_rate", m->prev_pass_rate);
    add_num(o, "delta", m->delta);
    cJSON_AddBoolToObject(o, "program_changed", m->program_changed);
    add_num(o, "latency_ms_total", m->latency_ms_total);
    return o;
}

static cJSON *field_json(const hx_report_field *f)
{
    cJSON *o = cJSON_CreateObject();
    add_str(o, "agent", f->agent);
    add_str(o, "module", f->module);
    add_str(o, "field", f->field);
    add_int(o, "checks", f->checks);
    add_int(o, "passed", f->passed);
    add_num(o, "accuracy", f->accuracy);
    add_num(o, "previous_accuracy", f->prev_accuracy);
    return o;
}

static cJSON *case_json(const hx_report_case *c)
{
    cJSON *o = cJSON_CreateObject(), *ks;
    add_str(o, "agent", c->agent);
    add_str(o, "module", c->module);
    add_str(o, "transcript_id", c->transcript_id);
    add_str(o, "status", c->status);
    add_str(o, "reason", c->reason);
    add_num(o, "latency_ms", c->latency_ms);
    add_int(o, "prompt_tokens", c->prompt_tokens);
    add_int(o, "completion_tokens", c->completion_tokens);
    add_num(o, "cost_usd", c->cost_usd);
    add_str(o, "previous_status", c->prev_status);
    ks = cJSON_AddArrayToObject(o, "checks");
    for (size_t i = 0; i < c->nchecks; i++) {
        const hx_report_check *k = &c->checks[i];
        cJSON *ko = cJSON_CreateObject();
        add_str(ko, "field", k->field);
        add_str(ko, "expected", k->expected);
        add_str(ko, "actual_raw", k->actual_raw);
        add_str(ko, "actual", k->actual);
        add_str(ko, "reason", k->reason);
        cJSON_AddItemToArray(ks, ko);
    }
    return o;
}

static cJSON *trigger_json(const hx_report_trigger *t)
{
    cJSON *o = cJSON_CreateObject();
    add_int(o, "id", t->id);
    add_int(o, "run_id", t->run_id);
    add_str(o, "agent", t->agent);
    add_str(o, "module", t->module);
    add_num(o, "pass_rate", t->pass_rate);
    add_num(o, "bar", t->bar);
    add_str(o, "reason", t->reason);
    add_str(o, "status", t->status);
    add_str(o, "created_at", t->created_at);
    add_str(o, "finished_at", t->finished_at);
    add_str(o, "old_program_sha256", t->old_program_sha256);
    add_str(o, "new_program_sha256", t->new_program_sha256);
    add_num(o, "old_score", t->old_score);
    add_num(o, "new_score", t->new_score);
    if (t->promoted < 0) cJSON_AddNullToObject(o, "promoted");
    else cJSON_AddBoolToObject(o, "promoted", t->promoted);
    return o;
}

static cJSON *report_json(const hx_report *r)
{
    cJSON *o = cJSON_CreateObject(), *a;
    cJSON_AddStringToObject(o, "format", REPORT_JSON_FORMAT);
    add_str(o, "generated_at", r->generated_at);
    add_str(o, "db", r->db_path);
    cJSON_AddNumberToObject(o, "last", r->last);
    cJSON_AddBoolToObject(o, "field_details", r->has_field_details);
    cJSON_AddItemToObject(o, "run", run_json(r));
    a = cJSON_AddArrayToObject(o, "agents");
    for (size_t i = 0; i < r->nagents; i++) cJSON_AddItemToArray(a, agent_json(&r->agents[i]));
    a = cJSON_AddArrayToObject(o, "modules");
    for (size_t i = 0; i < r->nmodules; i++) cJSON_AddItemToArray(a, module_json(&r->modules[i]));
    a = cJSON_AddArrayToObject(o, "fields");
    for (size_t i = 0; i < r->nfields; i++) cJSON_AddItemToArray(a, field_json(&r->fields[i]));
    a = cJSON_AddArrayToObject(o, "worst_cases");
    for (size_t i = 0; i < r->nworst; i++) cJSON_AddItemToArray(a, case_json(&r->worst_cases[i]));
    a = cJSON_AddArrayToObject(o, "recompiles");
    for (size_t i = 0; i < r->ntriggers; i++) cJSON_AddItemToArray(a, trigger_json(&r->triggers[i]));
    return o;
}

int hx_report_json(hx_report *r, FILE *out, hx_error *err)
{
    cJSON *o = report_json(r);
    char *text = o ? cJSON_Print(o) : NULL;
    cJSON_Delete(o);
    /* cJSON drops what it cannot allocate; Print failing is the one
     * symptom left, and then nothing half-built is written. */
    if (!text) return hx_fail(err, "out of memory building the JSON report");
    fputs(text, out);
    fputc('\n', out);
    free(text);
    return hx_report_out_status(out, err);
}
