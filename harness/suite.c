/*
 * suite.c — loading and checking suite.json (see suite.h).
 *
 * Defaults follow DESIGN §3.1. Unknown keys are problems, not silently
 * ignored: a misspelt "concurency" would otherwise run with the default and
 * nobody would know.
 */
#include "suite.h"

#include <ctype.h>
#include <libgen.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* --- small readers ------------------------------------------------------- */

typedef struct rd {
    const hx_json_doc *doc;
    hx_diags *d;
    int bad;
} rd;

static void unknown_keys(rd *r, const cJSON *o, const hx_jpath *p, const char *const *known,
                         const char *what)
{
    const cJSON *it;
    cJSON_ArrayForEach(it, o) {
        int ok = 0;
        for (int i = 0; known[i]; i++)
            if (strcmp(known[i], it->string) == 0) ok = 1;
        if (!ok) {
            char list[512] = "";
            for (int i = 0; known[i]; i++) {
                size_t u = strlen(list);
                snprintf(list + u, sizeof list - u, "%s%s", i ? ", " : "", known[i]);
            }
            hx_jpath q = hx_jpath_key(p, it->string);
            hx_doc_diag(r->d, r->doc, &q, "unknown key \"%s\" in %s; known: %s", it->string, what, list);
            r->bad = 1;
        }
    }
}

static char *get_str(rd *r, const cJSON *o, const hx_jpath *p, const char *key, const char *def,
                     int required)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);
    hx_jpath q = hx_jpath_key(p, key);
    char got[128];
    if (!v) {
        if (required) {
            hx_doc_diag(r->d, r->doc, p, "missing \"%s\"", key);
            r->bad = 1;
        }
        return def ? strdup(def) : NULL;
    }
    if (!cJSON_IsString(v) || !v->valuestring[0]) {
        hx_json_describe(v, got, sizeof got);
        hx_doc_diag(r->d, r->doc, &q, "expected a non-empty string, got %s", got);
        r->bad = 1;
        return def ? strdup(def) : NULL;
    }
    return strdup(v->valuestring);
}

static double get_num(rd *r, const cJSON *o, const hx_jpath *p, const char *key, double def,
                      double lo, double hi, int whole)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);
    hx_jpath q = hx_jpath_key(p, key);
    char got[128];
    if (!v) return def;
    if (!cJSON_IsNumber(v) || isnan(v->valuedouble) || v->valuedouble < lo || v->valuedouble > hi ||
        (whole && v->valuedouble != floor(v->valuedouble))) {
        hx_json_describe(v, got, sizeof got);
        hx_doc_diag(r->d, r->doc, &q, "expected a %s from %g to %g, got %s",
                    whole ? "whole number" : "number", lo, hi, got);
        r->bad = 1;
        return def;
    }
    return v->valuedouble;
}

/* Resolve path p against the suite's folder (absolute paths stay). */
static char *resolve(const char *dir, const char *p)
{
    char buf[4096];
    if (!p) return NULL;
    if (p[0] == '/' || strcmp(dir, ".") == 0) return strdup(p);
    snprintf(buf, sizeof buf, "%s/%s", dir, p);
    return strdup(buf);
}

/* --- LM ----------------------------------------------------------------- */

static const char *const LM_KEYS[] = {
    "model", "base_url", "api_key_env", "temperature", "max_tokens", "timeout_s",
    "concurrency", "max_retries", "rpm", "tpm", "price_per_mtok", "structured_outputs", NULL};

static void lm_defaults(hx_lm_config *lm)
{
    memset(lm, 0, sizeof *lm);
    lm->model = strdup("openai/gpt-4o-mini");
    lm->base_url = strdup("https://api.openai.com/v1");
    lm->api_key_env = strdup("OPENAI_API_KEY");
    lm->temperature = 0;
    lm->max_tokens = 1000;
    lm->timeout_s = 60;
    lm->concurrency = 16;
    lm->max_retries = 6;
}

static void lm_free(hx_lm_config *lm)
{
    free(lm->model);
    free(lm->base_url);
    free(lm->api_key_env);
    memset(lm, 0, sizeof *lm);
}

static void lm_copy(hx_lm_config *dst, const hx_lm_config *src)
{
    *dst = *src;
    dst->model = strdup(src->model);
    dst->base_url = strdup(src->base_url);
    dst->api_key_env = strdup(src->api_key_env);
}

static void replace(char **slot, char *v)
{
    if (v) { free(*slot); *slot = v; }
}

static void read_structured_outputs(rd *r, const cJSON *o, const hx_jpath *p, hx_lm_config *lm)
{
    static const char *const NAMES[] = {"auto", "json_schema", "json_object", "none"};
    char *v = get_str(r, o, p, "structured_outputs", NULL, 0);
    if (!v) return;
    for (size_t i = 0; i < sizeof NAMES / sizeof *NAMES; i++)
        if (strcmp(v, NAMES[i]) == 0) {
            lm->structured_outputs = (hx_structured_outputs)i;
            free(v);
            return;
        }
    hx_jpath q = hx_jpath_key(p, "structured_outputs");
    hx_doc_diag(r->d, r->doc, &q, "expected \"auto\", \"json_schema\", \"json_object\" or \"none\", got \"%s\"", v);
    r->bad = 1;
    free(v);
}

/* Apply the keys present in o onto lm (which holds defaults or the suite's). */
static void read_lm(rd *r, const cJSON *o, const hx_jpath *p, hx_lm_config *lm)
{
    const cJSON *price;
    if (!cJSON_IsObject(o)) {
        hx_doc_diag(r->d, r->doc, p, "\"lm\" must be an object");
        r->bad = 1;
        return;
    }
    unknown_keys(r, o, p, LM_KEYS, "\"lm\"");
    replace(&lm->model, get_str(r, o, p, "model", NULL, 0));
    replace(&lm->base_url, get_str(r, o, p, "base_url", NULL, 0));
    replace(&lm->api_key_env, get_str(r, o, p, "api_key_env", NULL, 0));
    lm->temperature = get_num(r, o, p, "temperature", lm->temperature, 0, 2, 0);
    lm->max_tokens = (int)get_num(r, o, p, "max_tokens", lm->max_tokens, 1, 1000000, 1);
    lm->timeout_s = get_num(r, o, p, "timeout_s", lm->timeout_s, 0.1, 3600, 0);
    lm->concurrency = (int)get_num(r, o, p, "concurrency", lm->concurrency, 1, 4096, 1);
    lm->max_retries = (int)get_num(r, o, p, "max_retries", lm->max_retries, 0, 100, 1);
    lm->rpm = (int)get_num(r, o, p, "rpm", lm->rpm, 0, 1e9, 1);
    lm->tpm = (int)get_num(r, o, p, "tpm", lm->tpm, 0, 1e12, 1);
    if ((price = cJSON_GetObjectItemCaseSensitive(o, "price_per_mtok"))) {
        hx_jpath q = hx_jpath_key(p, "price_per_mtok");
        static const char *const PK[] = {"input", "output", NULL};
        if (!cJSON_IsObject(price)) {
            hx_doc_diag(r->d, r->doc, &q, "expected {\"input\": USD, \"output\": USD} per million tokens");
            r->bad = 1;
        } else {
            unknown_keys(r, price, &q, PK, "\"price_per_mtok\"");
            lm->price_in = get_num(r, price, &q, "input", lm->price_in, 0, 1e6, 0);
            lm->price_out = get_num(r, price, &q, "output", lm->price_out, 0, 1e6, 0);
        }
    }
    read_structured_outputs(r, o, p, lm);
    if (lm->base_url && strncmp(lm->base_url, "http://", 7) && strncmp(lm->base_url, "https://", 8)) {
        hx_jpath q = hx_jpath_key(p, "base_url");
        hx_doc_diag(r->d, r->doc, &q, "expected an http:// or https:// URL, got \"%s\"", lm->base_url);
        r->bad = 1;
    }
}

/* --- signature ---------------------------------------------------------- */

static int valid_ident(const char *s)
{
    if (!*s || !(isalpha((unsigned char)*s) || *s == '_')) return 0;
    for (; *s; s++)
        if (!isalnum((unsigned char)*s) && *s != '_') return 0;
    return 1;
}

static void read_fields(rd *r, const cJSON *o, const hx_jpath *p, hx_field **out, size_t *n)
{
    const cJSON *it;
    int cnt = cJSON_GetArraySize(o);
    *out = calloc(cnt ? (size_t)cnt : 1, sizeof **out);
    *n = 0;
    if (!*out) return;
    cJSON_ArrayForEach(it, o) {
        hx_jpath q = hx_jpath_key(p, it->string);
        const char *type = NULL, *desc = NULL;
        char why[256];
        hx_type *t;
        if (!valid_ident(it->string)) {
            hx_doc_diag(r->d, r->doc, &q, "field name \"%s\" is not a Python identifier", it->string);
            r->bad = 1;
            continue;
        }
        if (cJSON_IsString(it)) {
            type = it->valuestring;
        } else if (cJSON_IsObject(it)) {
            const cJSON *ty = cJSON_GetObjectItemCaseSensitive(it, "type");
            const cJSON *de = cJSON_GetObjectItemCaseSensitive(it, "desc");
            static const char *const FK[] = {"type", "desc", NULL};
            unknown_keys(r, it, &q, FK, "a field");
            type = cJSON_IsString(ty) ? ty->valuestring : NULL;
            desc = cJSON_IsString(de) ? de->valuestring : NULL;
            if (de && !desc) {
                hx_jpath qd = hx_jpath_key(&q, "desc");
                hx_doc_diag(r->d, r->doc, &qd, "\"desc\" must be a string");
                r->bad = 1;
            }
        }
        if (!type) {
            hx_doc_diag(r->d, r->doc, &q, "expected a type such as \"str\" or {\"type\": \"str\", \"desc\": \"...\"}");
            r->bad = 1;
            continue;
        }
        if (hx_type_parse(type, &t, why) != 0) {
            hx_doc_diag(r->d, r->doc, &q, "%s", why);
            r->bad = 1;
            continue;
        }
        (*out)[*n].name = strdup(it->string);
        (*out)[*n].type = t;
        (*out)[*n].desc = desc ? strdup(desc) : NULL;
        (*n)++;
    }
}

static void read_signature(rd *r, const cJSON *o, const hx_jpath *p, hx_signature *sig)
{
    static const char *const SK[] = {"instructions", "inputs", "outputs", NULL};
    const cJSON *in, *out;
    if (!cJSON_IsObject(o)) {
        hx_doc_diag(r->d, r->doc, p, "missing \"signature\": {\"instructions\", \"inputs\", \"outputs\"}");
        r->bad = 1;
        return;
    }
    unknown_keys(r, o, p, SK, "\"signature\"");
    sig->instructions = get_str(r, o, p, "instructions", NULL, 0);
    in = cJSON_GetObjectItemCaseSensitive(o, "inputs");
    out = cJSON_GetObjectItemCaseSensitive(o, "outputs");
    hx_jpath qi = hx_jpath_key(p, "inputs"), qo = hx_jpath_key(p, "outputs");
    if (!cJSON_IsObject(in) || cJSON_GetArraySize(in) == 0) {
        hx_doc_diag(r->d, r->doc, in ? &qi : p, "\"inputs\" must be a non-empty object of field -> type");
        r->bad = 1;
    } else {
        read_fields(r, in, &qi, &sig->inputs, &sig->ninputs);
    }
    if (!cJSON_IsObject(out) || cJSON_GetArraySize(out) == 0) {
        hx_doc_diag(r->d, r->doc, out ? &qo : p, "\"outputs\" must be a non-empty object of field -> type");
        r->bad = 1;
    } else {
        read_fields(r, out, &qo, &sig->outputs, &sig->noutputs);
    }
    for (size_t i = 0; i < sig->noutputs; i++) {
        if (hx_signature_input(sig, sig->outputs[i].name) || strcmp(sig->outputs[i].name, "reasoning") == 0) {
            hx_jpath q = hx_jpath_key(&qo, sig->outputs[i].name);
            hx_doc_diag(r->d, r->doc, &q, "output field \"%s\" %s", sig->outputs[i].name,
                        strcmp(sig->outputs[i].name, "reasoning") == 0
                            ? "is reserved for ChainOfThought"
                            : "is also an input");
            r->bad = 1;
        }
    }
}

/* --- module inputs ------------------------------------------------------ */

static int check_template(rd *r, const hx_jpath *q, const char *tpl)
{
    for (const char *s = tpl; *s; s++) {
        if (*s == '{') {
            if (s[1] == '{') { s++; continue; } /* "{{" is a literal brace */
            const char *e = strchr(s, '}');
            if (!e) {
                hx_doc_diag(r->d, r->doc, q, "unclosed '{' in \"%s\" (write {{ for a literal brace)", tpl);
                r->bad = 1;
                return -1;
            }
            if (e == s + 1) {
                hx_doc_diag(r->d, r->doc, q, "empty placeholder {} in \"%s\"", tpl);
                r->bad = 1;
                return -1;
            }
            s = e;
        }
    }
    return 0;
}

static void read_inputs(rd *r, const cJSON *o, const hx_jpath *p, hx_module_config *m)
{
    const cJSON *map = cJSON_GetObjectItemCaseSensitive(o, "inputs"), *it;
    hx_jpath qm = hx_jpath_key(p, "inputs");
    m->inputs = calloc(m->sig.ninputs ? m->sig.ninputs : 1, sizeof *m->inputs);
    if (!m->inputs) return;
    if (map && !cJSON_IsObject(map)) {
        hx_doc_diag(r->d, r->doc, &qm, "\"inputs\" must map each signature input to a template such as \"{transcript}\"");
        r->bad = 1;
        return;
    }
    cJSON_ArrayForEach(it, map) {
        if (!hx_signature_input(&m->sig, it->string)) {
            hx_jpath q = hx_jpath_key(&qm, it->string);
            hx_doc_diag(r->d, r->doc, &q, "\"%s\" is not an input of the signature", it->string);
            r->bad = 1;
        }
    }
    for (size_t i = 0; i < m->sig.ninputs; i++) {
        const char *name = m->sig.inputs[i].name;
        const cJSON *v = map ? cJSON_GetObjectItemCaseSensitive(map, name) : NULL;
        char def[160];
        m->inputs[m->ninputs].name = strdup(name);
        if (v) {
            hx_jpath q = hx_jpath_key(&qm, name);
            if (!cJSON_IsString(v)) {
                hx_doc_diag(r->d, r->doc, &q, "expected a template string such as \"{transcript}\"");
                r->bad = 1;
                m->inputs[m->ninputs].template_ = strdup("");
            } else {
                check_template(r, &q, v->valuestring);
                m->inputs[m->ninputs].template_ = strdup(v->valuestring);
            }
        } else {
            /* An unmapped input reads the transcript value of the same name. */
            snprintf(def, sizeof def, "{%s}", name);
            m->inputs[m->ninputs].template_ = strdup(def);
        }
        m->ninputs++;
    }
}

/* --- module, agent, suite ----------------------------------------------- */

static const char *const MODULE_KEYS[] = {
    "name", "program", "program_key", "predictor", "signature", "inputs", "assertions",
    "bar", "recompile", "lm", NULL};
static const char *const RECOMPILE_KEYS[] = {
    "optimizer", "auto", "min_cases", "cooldown_hours", "promote_margin", "max_drop", NULL};

static void read_recompile(rd *r, const cJSON *o, const hx_jpath *p, hx_recompile_config *rc)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, "recompile");
    hx_jpath q = hx_jpath_key(p, "recompile");
    rc->optimizer = strdup("dspy");
    rc->auto_level = strdup("light");
    rc->min_cases = 20;
    rc->cooldown_hours = 20;
    rc->promote_margin = 0.02;
    rc->max_drop = 0;
    if (!v) return;
    if (!cJSON_IsObject(v)) {
        hx_doc_diag(r->d, r->doc, &q, "\"recompile\" must be an object");
        r->bad = 1;
        return;
    }
    unknown_keys(r, v, &q, RECOMPILE_KEYS, "\"recompile\"");
    replace(&rc->optimizer, get_str(r, v, &q, "optimizer", NULL, 0));
    replace(&rc->auto_level, get_str(r, v, &q, "auto", NULL, 0));
    if (strcmp(rc->optimizer, "dspy") && strcmp(rc->optimizer, "native")) {
        hx_jpath k = hx_jpath_key(&q, "optimizer");
        hx_doc_diag(r->d, r->doc, &k, "expected \"dspy\" or \"native\", got \"%s\"", rc->optimizer);
        r->bad = 1;
    }
    if (strcmp(rc->auto_level, "light") && strcmp(rc->auto_level, "medium") && strcmp(rc->auto_level, "heavy")) {
        hx_jpath k = hx_jpath_key(&q, "auto");
        hx_doc_diag(r->d, r->doc, &k, "expected \"light\", \"medium\" or \"heavy\" (MIPROv2's auto), got \"%s\"", rc->auto_level);
        r->bad = 1;
    }
    rc->min_cases = (int)get_num(r, v, &q, "min_cases", rc->min_cases, 0, 1e9, 1);
    rc->cooldown_hours = get_num(r, v, &q, "cooldown_hours", rc->cooldown_hours, 0, 1e6, 0);
    rc->promote_margin = get_num(r, v, &q, "promote_margin", rc->promote_margin, 0, 1, 0);
    rc->max_drop = get_num(r, v, &q, "max_drop", rc->max_drop, 0, 100, 0);
}

static void read_module(rd *r, const hx_suite *s, const cJSON *o, const hx_jpath *p,
                        hx_module_config *m)
{
    const cJSON *v;
    char *pred;
    m->path = *p;
    if (!cJSON_IsObject(o)) {
        hx_doc_diag(r->d, r->doc, p, "expected a module object");
        r->bad = 1;
        return;
    }
    unknown_keys(r, o, p, MODULE_KEYS, "a module");
    m->name = get_str(r, o, p, "name", "?", 1);
    char *prog = get_str(r, o, p, "program", NULL, 1);
    m->program = resolve(s->dir, prog);
    free(prog);
    m->program_key = get_str(r, o, p, "program_key", NULL, 0);
    pred = get_str(r, o, p, "predictor", "Predict", 0);
    if (strcmp(pred, "Predict") == 0) m->chain_of_thought = false;
    else if (strcmp(pred, "ChainOfThought") == 0) m->chain_of_thought = true;
    else {
        hx_jpath q = hx_jpath_key(p, "predictor");
        hx_doc_diag(r->d, r->doc, &q, "expected \"Predict\" or \"ChainOfThought\", got \"%s\"", pred);
        r->bad = 1;
    }
    free(pred);
    hx_jpath qs = hx_jpath_key(p, "signature");
    read_signature(r, cJSON_GetObjectItemCaseSensitive(o, "signature"), &qs, &m->sig);
    read_inputs(r, o, p, m);
    char *asrt = get_str(r, o, p, "assertions", NULL, 1);
    m->assertions = resolve(s->dir, asrt);
    free(asrt);
    m->bar = get_num(r, o, p, "bar", 0.9, 0, 1, 0);
    if (!cJSON_HasObjectItem(o, "bar")) {
        hx_doc_diag(r->d, r->doc, p, "missing \"bar\": the pass rate (0 to 1) this module must reach");
        r->bad = 1;
    }
    read_recompile(r, o, p, &m->recompile);
    lm_copy(&m->lm, &s->lm);
    if ((v = cJSON_GetObjectItemCaseSensitive(o, "lm"))) {
        hx_jpath q = hx_jpath_key(p, "lm");
        read_lm(r, v, &q, &m->lm);
    }
}

static void read_agent(rd *r, hx_suite *s, const cJSON *o, const hx_jpath *p, hx_agent_config *a,
                       int ai)
{
    static const char *const AK[] = {"name", "transcripts", "modules", NULL};
    const cJSON *mods, *it;
    int i = 0;
    if (!cJSON_IsObject(o)) {
        hx_doc_diag(r->d, r->doc, p, "expected an agent object {\"name\", \"transcripts\", \"modules\"}");
        r->bad = 1;
        return;
    }
    unknown_keys(r, o, p, AK, "an agent");
    a->name = get_str(r, o, p, "name", "?", 1);
    char *tr = get_str(r, o, p, "transcripts", NULL, 1);
    a->transcripts = resolve(s->dir, tr);
    free(tr);
    mods = cJSON_GetObjectItemCaseSensitive(o, "modules");
    hx_jpath qm = hx_jpath_key(p, "modules");
    if (!cJSON_IsArray(mods) || cJSON_GetArraySize(mods) == 0) {
        hx_doc_diag(r->d, r->doc, mods ? &qm : p, "\"modules\" must be a non-empty list");
        r->bad = 1;
        return;
    }
    a->modules = calloc((size_t)cJSON_GetArraySize(mods), sizeof *a->modules);
    if (!a->modules) return;
    cJSON_ArrayForEach(it, mods) {
        hx_jpath q = hx_jpath_index(&qm, i);
        hx_module_config *m = &a->modules[a->nmodules++];
        m->agent_index = ai;
        m->module_index = i++;
        read_module(r, s, it, &q, m);
        for (size_t k = 0; k + 1 < a->nmodules; k++) {
            if (m->name && a->modules[k].name && strcmp(m->name, a->modules[k].name) == 0) {
                hx_jpath qn = hx_jpath_key(&q, "name");
                hx_doc_diag(r->d, r->doc, &qn, "module name \"%s\" is used twice in agent \"%s\"", m->name, a->name);
                r->bad = 1;
            }
        }
    }
    /* Two modules of one agent must not both produce a field: an expected
     * value would then be checked against whichever ran last. */
    for (size_t x = 0; x < a->nmodules; x++)
        for (size_t y = x + 1; y < a->nmodules; y++)
            for (size_t f = 0; f < a->modules[y].sig.noutputs; f++)
                if (hx_signature_output(&a->modules[x].sig, a->modules[y].sig.outputs[f].name)) {
                    hx_jpath q = hx_jpath_index(&qm, (int)y);
                    hx_doc_diag(r->d, r->doc, &q, "output \"%s\" is produced by modules \"%s\" and \"%s\"; rename one",
                                a->modules[y].sig.outputs[f].name, a->modules[x].name, a->modules[y].name);
                    r->bad = 1;
                }
}

int hx_suite_load(const char *path, hx_suite *s, hx_diags *d)
{
    static const char *const TK[] = {"db", "lm", "agents", NULL};
    hx_error err;
    hx_jpath top = {0};
    rd r = {&s->doc, d, 0};
    const cJSON *root, *agents, *it, *v;
    int i = 0;
    char tmp[4096];

    memset(s, 0, sizeof *s);
    lm_defaults(&s->lm);
    s->file = strdup(path);
    snprintf(tmp, sizeof tmp, "%s", path);
    s->dir = strdup(dirname(tmp));
    if (hx_json_doc_load(path, HX_SUITE_MAX_BYTES, &s->doc, &err) != 0) {
        hx_diags_add(d, "", 0, 0, "", "%s", err.msg);
        return -1;
    }
    root = s->doc.root;
    if (!cJSON_IsObject(root)) {
        hx_doc_diag(d, &s->doc, &top, "expected a suite object {\"db\", \"lm\", \"agents\"}");
        return -1;
    }
    if (hx_json_check_duplicates(&s->doc, root, &top, d)) r.bad = 1;
    unknown_keys(&r, root, &top, TK, "the suite");
    char *db = get_str(&r, root, &top, "db", "reports/harness.db", 0);
    s->db = resolve(s->dir, db);
    free(db);
    if ((v = cJSON_GetObjectItemCaseSensitive(root, "lm"))) {
        hx_jpath q = hx_jpath_key(&top, "lm");
        read_lm(&r, v, &q, &s->lm);
    }
    agents = cJSON_GetObjectItemCaseSensitive(root, "agents");
    hx_jpath qa = hx_jpath_key(&top, "agents");
    if (!cJSON_IsArray(agents) || cJSON_GetArraySize(agents) == 0) {
        hx_doc_diag(d, &s->doc, agents ? &qa : &top, "\"agents\" must be a non-empty list");
        return -1;
    }
    s->agents = calloc((size_t)cJSON_GetArraySize(agents), sizeof *s->agents);
    if (!s->agents) return -1;
    cJSON_ArrayForEach(it, agents) {
        hx_jpath q = hx_jpath_index(&qa, i);
        hx_agent_config *a = &s->agents[s->nagents++];
        read_agent(&r, s, it, &q, a, i++);
        for (size_t k = 0; k + 1 < s->nagents; k++)
            if (a->name && s->agents[k].name && strcmp(a->name, s->agents[k].name) == 0) {
                hx_jpath qn = hx_jpath_key(&q, "name");
                hx_doc_diag(d, &s->doc, &qn, "agent name \"%s\" is used twice", a->name);
                r.bad = 1;
            }
    }
    return r.bad ? -1 : 0;
}

int hx_suite_load_parts(hx_suite *s, hx_diags *d)
{
    int bad = 0;
    for (size_t a = 0; a < s->nagents; a++) {
        for (size_t k = 0; k < s->agents[a].nmodules; k++) {
            hx_module_config *m = &s->agents[a].modules[k];
            int ok = 1;
            if (!m->assertions || !m->program) { bad = 1; continue; }
            if (hx_rules_load(m->assertions, &m->rules, d) != 0) ok = 0;
            if (hx_program_load(m->program, m->program_key, &m->sig, m->chain_of_thought, &m->prog, d) != 0)
                ok = 0;
            /* A rule for a field the module never outputs is a typo waiting to
             * make a check silently absent. */
            for (size_t i = 0; ok && i < m->rules.n; i++) {
                if (!hx_signature_output(&m->sig, m->rules.v[i].field)) {
                    hx_diags_add(d, m->assertions, 0, 0, "", "rule for \"%s\", which is not an output of module \"%s\"",
                                 m->rules.v[i].field, m->name);
                    ok = 0;
                }
            }
            m->parts_ok = ok;
            if (!ok) bad = 1;
        }
    }
    return bad ? -1 : 0;
}

void hx_suite_free(hx_suite *s)
{
    if (!s) return;
    for (size_t a = 0; a < s->nagents; a++) {
        hx_agent_config *ag = &s->agents[a];
        for (size_t k = 0; k < ag->nmodules; k++) {
            hx_module_config *m = &ag->modules[k];
            free(m->name);
            free(m->program);
            free(m->program_key);
            hx_signature_free(&m->sig);
            for (size_t i = 0; i < m->ninputs; i++) {
                free(m->inputs[i].name);
                free(m->inputs[i].template_);
            }
            free(m->inputs);
            free(m->assertions);
            free(m->recompile.optimizer);
            free(m->recompile.auto_level);
            lm_free(&m->lm);
            hx_rules_free(&m->rules);
            hx_program_free(&m->prog);
        }
        free(ag->modules);
        free(ag->name);
        free(ag->transcripts);
    }
    free(s->agents);
    free(s->file);
    free(s->dir);
    free(s->db);
    lm_free(&s->lm);
    hx_json_doc_free(&s->doc);
    memset(s, 0, sizeof *s);
}

hx_module_config *hx_suite_find_module(hx_suite *s, const char *spec, char why[256])
{
    const char *slash = strchr(spec, '/');
    hx_module_config *found = NULL;
    int n = 0;
    for (size_t a = 0; a < s->nagents; a++) {
        hx_agent_config *ag = &s->agents[a];
        if (slash && (strlen(ag->name) != (size_t)(slash - spec) || strncmp(ag->name, spec, (size_t)(slash - spec))))
            continue;
        for (size_t k = 0; k < ag->nmodules; k++)
            if (strcmp(ag->modules[k].name, slash ? slash + 1 : spec) == 0) {
                found = &ag->modules[k];
                n++;
            }
    }
    if (n == 1) return found;
    if (n == 0) snprintf(why, 256, "no module \"%s\" in the suite", spec);
    else snprintf(why, 256, "module \"%s\" exists in %d agents; name it as AGENT/MODULE", spec, n);
    return NULL;
}
