/*
 * reply.c — formatting contents and envelopes (see reply.h).
 *
 * ChatAdapter values are written as DSPy writes them (dspy-interop.md
 * §2.4): strings raw, True/False, None, ints in decimal, floats in Python
 * repr, lists and dicts as Python's json.dumps (", " and ": "
 * separators, UTF-8 kept). JSON mode coerces each value to its field's
 * type where that is lossless ("4" -> 4 for an int) and otherwise keeps
 * what the model "said" (an untaught model's "four" stays a string), so
 * mistakes look like a real model's mistakes.
 */
#include "reply.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "strbuf.h"

static const sl_type *base_type(const sl_type *t)
{
    while (t && t->kind == SL_OPTIONAL && t->inner) t = t->inner;
    return t;
}

/* ---- numbers and Python-style JSON ------------------------------------- */

static bool integral(double d)
{
    return isfinite(d) && d == floor(d) && fabs(d) < 1e16;
}

/* Python repr of a float: the shortest text that reads back the same,
 * always with a '.' or an exponent. */
static void float_repr(double d, char *out, size_t cap)
{
    if (isnan(d)) { snprintf(out, cap, "nan"); return; }
    if (isinf(d)) { snprintf(out, cap, d > 0 ? "inf" : "-inf"); return; }
    if (integral(d)) { snprintf(out, cap, "%.1f", d); return; }
    for (int prec = 1; prec <= 17; prec++) {
        snprintf(out, cap, "%.*g", prec, d);
        if (strtod(out, NULL) == d) break;
    }
    if (!strpbrk(out, ".eEn")) strncat(out, ".0", cap - strlen(out) - 1);
}

static void number_text(double d, bool as_float, char *out, size_t cap)
{
    if (!as_float && integral(d)) snprintf(out, cap, "%.0f", d);
    else float_repr(d, out, cap);
}

static void py_string(sl_buf *b, const char *s)
{
    sl_buf_puts(b, "\"");
    for (; *s; s++) {
        unsigned char c = (unsigned char)*s;
        switch (c) {
        case '"': sl_buf_puts(b, "\\\""); break;
        case '\\': sl_buf_puts(b, "\\\\"); break;
        case '\n': sl_buf_puts(b, "\\n"); break;
        case '\r': sl_buf_puts(b, "\\r"); break;
        case '\t': sl_buf_puts(b, "\\t"); break;
        case '\b': sl_buf_puts(b, "\\b"); break;
        case '\f': sl_buf_puts(b, "\\f"); break;
        default:
            if (c < 0x20) sl_buf_printf(b, "\\u%04x", c);
            else sl_buf_put(b, s, 1);
        }
    }
    sl_buf_puts(b, "\"");
}

/* Python json.dumps(v, ensure_ascii=False) with default separators. */
static void py_json(sl_buf *b, const cJSON *v, int depth)
{
    char num[64];
    const cJSON *e;
    bool first = true;
    if (depth > 64) { sl_buf_puts(b, "null"); return; }
    if (cJSON_IsNull(v) || !v) sl_buf_puts(b, "null");
    else if (cJSON_IsTrue(v)) sl_buf_puts(b, "true");
    else if (cJSON_IsFalse(v)) sl_buf_puts(b, "false");
    else if (cJSON_IsNumber(v)) { number_text(v->valuedouble, false, num, sizeof num); sl_buf_puts(b, num); }
    else if (cJSON_IsString(v)) py_string(b, v->valuestring);
    else if (cJSON_IsArray(v)) {
        sl_buf_puts(b, "[");
        cJSON_ArrayForEach(e, v) {
            if (!first) sl_buf_puts(b, ", ");
            py_json(b, e, depth + 1);
            first = false;
        }
        sl_buf_puts(b, "]");
    } else if (cJSON_IsObject(v)) {
        sl_buf_puts(b, "{");
        cJSON_ArrayForEach(e, v) {
            if (!first) sl_buf_puts(b, ", ");
            py_string(b, e->string ? e->string : "");
            sl_buf_puts(b, ": ");
            py_json(b, e, depth + 1);
            first = false;
        }
        sl_buf_puts(b, "}");
    } else sl_buf_puts(b, "null");
}

/* ---- ChatAdapter -------------------------------------------------------- */

static void chat_value(sl_buf *b, const cJSON *v, const sl_type *t)
{
    char num[64];
    const sl_type *bt = base_type(t);
    if (!v || cJSON_IsNull(v)) sl_buf_puts(b, "None");
    else if (cJSON_IsBool(v)) sl_buf_puts(b, cJSON_IsTrue(v) ? "True" : "False");
    else if (cJSON_IsNumber(v)) {
        number_text(v->valuedouble, bt && bt->kind == SL_FLOAT, num, sizeof num);
        sl_buf_puts(b, num);
    } else if (cJSON_IsString(v)) sl_buf_puts(b, v->valuestring);
    else py_json(b, v, 0);
}

/* Shorten b to at most len bytes without splitting a UTF-8 character. */
static void cut_utf8(sl_buf *b, size_t len)
{
    if (!b->s || len >= b->len) return;
    while (len && ((unsigned char)b->s[len] & 0xC0) == 0x80) len--;
    b->len = len;
    b->s[len] = '\0';
}

static char *chat_content(const sl_prompt *p, const cJSON *values, bool truncate)
{
    sl_buf b = {0};
    size_t n = p->noutputs;
    if (n == 0) {
        sl_buf_puts(&b, "simlm is a simulated LM for DSPy prompts; this request lists no output fields.");
        return sl_buf_take(&b);
    }
    for (size_t i = 0; i < n; i++) {
        const sl_field *f = &p->outputs[i];
        if (truncate && i == n - 1 && n > 1) break; /* cut before the last field */
        sl_buf_printf(&b, "[[ ## %s ## ]]\n", f->name);
        size_t head = b.len;
        chat_value(&b, cJSON_GetObjectItemCaseSensitive(values, f->name), f->type);
        if (truncate && n == 1) {
            /* A single field: the reply stopped half way through its value. */
            cut_utf8(&b, head + (b.len - head) / 2);
            return sl_buf_take(&b);
        }
        sl_buf_puts(&b, "\n\n");
    }
    if (!truncate) sl_buf_puts(&b, "[[ ## completed ## ]]");
    else if (b.s) {
        size_t len = b.len;
        while (len && b.s[len - 1] == '\n') len--;
        cut_utf8(&b, len);
    }
    return sl_buf_take(&b);
}

/* ---- JSON mode ---------------------------------------------------------- */

static cJSON *number_from_text(const char *s)
{
    char *end;
    double d;
    if (!*s) return NULL;
    d = strtod(s, &end);
    while (*end == ' ') end++;
    return *end || !isfinite(d) ? NULL : cJSON_CreateNumber(d);
}

static cJSON *bool_from_text(const char *s)
{
    if (!strcmp(s, "true") || !strcmp(s, "True") || !strcmp(s, "yes")) return cJSON_CreateTrue();
    if (!strcmp(s, "false") || !strcmp(s, "False") || !strcmp(s, "no")) return cJSON_CreateFalse();
    return NULL;
}

/* v as text for a str-like field. */
static cJSON *as_text(const cJSON *v)
{
    sl_buf b = {0};
    char *s;
    cJSON *r;
    chat_value(&b, v, NULL);
    s = sl_buf_take(&b);
    r = s ? cJSON_CreateString(s) : NULL;
    free(s);
    return r;
}

static cJSON *json_value(const cJSON *v, const sl_type *t)
{
    const sl_type *bt = base_type(t);
    cJSON *r = NULL;
    if (!v || cJSON_IsNull(v)) return cJSON_CreateNull();
    switch (bt ? bt->kind : SL_STR) {
    case SL_INT:
    case SL_FLOAT:
        if (cJSON_IsString(v)) r = number_from_text(v->valuestring);
        break;
    case SL_BOOL:
        if (cJSON_IsString(v)) r = bool_from_text(v->valuestring);
        break;
    case SL_LIST:
    case SL_DICT:
        break;
    case SL_STR:
    case SL_LITERAL:
    case SL_OTHER:
    case SL_OPTIONAL:
        if (!cJSON_IsString(v)) return as_text(v);
        break;
    }
    return r ? r : cJSON_Duplicate(v, 1);
}

static char *json_content(const sl_prompt *p, const cJSON *values, bool truncate)
{
    cJSON *o = cJSON_CreateObject();
    char *s;
    if (!o) return NULL;
    for (size_t i = 0; i < p->noutputs; i++) {
        const sl_field *f = &p->outputs[i];
        cJSON *v = json_value(cJSON_GetObjectItemCaseSensitive(values, f->name), f->type);
        if (!v || !cJSON_AddItemToObject(o, f->name, v)) { cJSON_Delete(v); cJSON_Delete(o); return NULL; }
    }
    s = cJSON_Print(o);
    cJSON_Delete(o);
    if (s && truncate) {
        size_t cut = strlen(s) / 2;
        while (cut && ((unsigned char)s[cut] & 0xC0) == 0x80) cut--; /* keep UTF-8 whole */
        s[cut] = '\0';
    }
    return s;
}

char *sl_reply_content(const sl_prompt *p, const cJSON *values, bool truncate)
{
    return p->json_mode ? json_content(p, values, truncate) : chat_content(p, values, truncate);
}

/* ---- envelope ----------------------------------------------------------- */

long sl_tokens(size_t bytes)
{
    return (long)((bytes + 3) / 4);
}

/* Cut content to max_tokens (bytes = 4 per token) on a UTF-8 boundary. */
static bool fit_tokens(const sl_prompt *p, char *content)
{
    size_t len = strlen(content), cap;
    if (p->max_tokens <= 0 || sl_tokens(len) <= p->max_tokens) return false;
    cap = (size_t)p->max_tokens * 4;
    while (cap && ((unsigned char)content[cap] & 0xC0) == 0x80) cap--;
    content[cap] = '\0';
    return true;
}

static cJSON *usage(const sl_prompt *p, const char *content)
{
    cJSON *u = cJSON_CreateObject();
    long pt = sl_tokens(p->prompt_bytes), ct = sl_tokens(strlen(content));
    if (!u) return NULL;
    if (!cJSON_AddNumberToObject(u, "prompt_tokens", (double)pt) ||
        !cJSON_AddNumberToObject(u, "completion_tokens", (double)ct) ||
        !cJSON_AddNumberToObject(u, "total_tokens", (double)(pt + ct))) {
        cJSON_Delete(u);
        return NULL;
    }
    return u;
}

static cJSON *choice(const char *content, const char *finish)
{
    cJSON *c = cJSON_CreateObject(), *m = cJSON_CreateObject();
    if (!c || !m || !cJSON_AddItemToObject(c, "message", m)) {
        cJSON_Delete(c);
        cJSON_Delete(m);
        return NULL;
    }
    if (!cJSON_AddStringToObject(m, "role", "assistant") ||
        !cJSON_AddStringToObject(m, "content", content) ||
        !cJSON_AddNumberToObject(c, "index", 0) || !cJSON_AddNullToObject(c, "logprobs") ||
        !cJSON_AddStringToObject(c, "finish_reason", finish)) {
        cJSON_Delete(c);
        return NULL;
    }
    return c;
}

static char *envelope(const sl_prompt *p, const char *content, const char *finish)
{
    char id[64];
    char *s = NULL;
    cJSON *o = cJSON_CreateObject(), *choices, *ch, *u;
    if (!o) return NULL;
    snprintf(id, sizeof id, "chatcmpl-simlm-%.24s", p->body_sha);
    if (!cJSON_AddStringToObject(o, "id", id) ||
        !cJSON_AddStringToObject(o, "object", "chat.completion") ||
        !cJSON_AddNumberToObject(o, "created", (double)SL_CREATED) ||
        !cJSON_AddStringToObject(o, "model", p->model) ||
        !cJSON_AddStringToObject(o, "system_fingerprint", "simlm") ||
        !(choices = cJSON_AddArrayToObject(o, "choices")))
        goto done;
    if (!(ch = choice(content, finish))) goto done;
    if (!cJSON_AddItemToArray(choices, ch)) { cJSON_Delete(ch); goto done; }
    if (!(u = usage(p, content))) goto done;
    if (!cJSON_AddItemToObject(o, "usage", u)) { cJSON_Delete(u); goto done; }
    s = cJSON_PrintUnformatted(o);
done:
    cJSON_Delete(o);
    return s;
}

char *sl_reply_envelope(const sl_prompt *p, const char *content, bool cut)
{
    char *c = strdup(content), *s;
    if (!c) return NULL;
    if (fit_tokens(p, c)) cut = true;
    s = envelope(p, c, cut ? "length" : "stop");
    free(c);
    return s;
}

char *sl_reply_error(const char *message, const char *type, const char *code)
{
    cJSON *o = cJSON_CreateObject(), *e;
    char *s = NULL;
    if (!o) return NULL;
    if ((e = cJSON_AddObjectToObject(o, "error")) && cJSON_AddStringToObject(e, "message", message) &&
        cJSON_AddStringToObject(e, "type", type) && cJSON_AddNullToObject(e, "param") &&
        (code ? cJSON_AddStringToObject(e, "code", code) : cJSON_AddNullToObject(e, "code")))
        s = cJSON_PrintUnformatted(o);
    cJSON_Delete(o);
    return s;
}
