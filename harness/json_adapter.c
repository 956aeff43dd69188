/*
 * json_adapter.c — DSPy's JSONAdapter, and the value conversion both
 * adapters share (see json_adapter.h).
 *
 * The prompt side is small: JSONAdapter overrides three ChatAdapter
 * methods, which become the hx_ad_style below; everything else is
 * chat_adapter.c's.
 *
 * The parsing side reproduces three Python libraries closely enough for
 * the replies LMs write:
 *   - json_repair.loads: strict JSON first (Python's json, which also
 *     takes NaN and Infinity); otherwise the JSON containers found in the
 *     text, read leniently (single or curly quotes, unquoted words,
 *     True/None, trailing or missing commas, missing closing brackets,
 *     comments). Scalars outside a container are not read, as in
 *     json_repair, so "42 people" yields nothing.
 *   - ast.literal_eval, the fallback when json_repair yields nothing:
 *     Python literals (True, None, 'quoted', 0x1F, 1_000, tuples).
 *   - pydantic's lax validation of the result against the field type
 *     ("42" and 42.0 are ints, "yes" is True, a fractional float is not
 *     an int).
 * json_repair has many more heuristics for badly broken JSON; where they
 * would matter the reply is malformed anyway, and tests/parity checks the
 * shapes that occur.
 */
#include "json_adapter.h"

#include <ctype.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "chat_adapter.h"

/* ------------------------------------------------------------------ */
/* The prompt                                                         */
/* ------------------------------------------------------------------ */

static void json_field_structure(hx_buf *b, const hx_ad_sig *s)
{
    hx_buf tmp = {0};
    size_t st, en;
    cJSON *skel = cJSON_CreateObject();
    hx_buf_put(&tmp, "All interactions will be structured in the following way, with the appropriate values filled in."
                     "\n\nInputs will have the following structure:\n\n");
    hx_ad_field_sections(&tmp, s->in, s->nin, NULL, NULL, false, NULL);
    hx_buf_put(&tmp, "\n\nOutputs will be a JSON object with the following fields.\n\n");
    for (size_t i = 0; skel && i < s->nout; i++) {
        hx_buf ph = {0};
        char *text;
        hx_ad_placeholder(&ph, &s->out[i], true);
        text = hx_buf_take(&ph);
        if (!text || !cJSON_AddStringToObject(skel, s->out[i].name, text)) tmp.oom = true;
        free(text);
    }
    if (!skel) tmp.oom = true;
    else hx_py_json_dumps(&tmp, skel, 2);
    cJSON_Delete(skel);
    if (tmp.oom) b->oom = true;
    else {
        hx_py_strip_span(tmp.s, tmp.len, &st, &en);
        hx_buf_putn(b, tmp.s + st, en - st);
    }
    hx_buf_free(&tmp);
}

/* A demo's answer: json.dumps({output: value}, indent=2), a missing
 * output given as the `missing` sentence. No trailing newline. */
static int json_assistant_content(hx_buf *b, const hx_ad_sig *s, const cJSON *values,
                                  const char *missing, hx_error *err)
{
    cJSON *o = cJSON_CreateObject();
    for (size_t i = 0; o && i < s->nout; i++) {
        const cJSON *v = hx_ad_obj_get(values, s->out[i].name);
        cJSON *copy = v ? cJSON_Duplicate(v, 1) : cJSON_CreateString(missing);
        if (!copy) { cJSON_Delete(o); o = NULL; break; }
        cJSON_AddItemToObject(o, s->out[i].name, copy);
    }
    if (!o) return hx_fail(err, "out of memory formatting a demo");
    hx_py_json_dumps(b, o, 2);
    cJSON_Delete(o);
    return 0;
}

static void json_output_requirements(hx_buf *b, const hx_ad_sig *s)
{
    hx_buf_put(b, "Respond with a JSON object in the following order of fields: ");
    for (size_t i = 0; i < s->nout; i++) {
        if (i) hx_buf_put(b, ", then ");
        hx_buf_printf(b, "`%s`", s->out[i].name);
        if (!hx_ad_type_is_str(s->out[i].type)) {
            hx_buf_put(b, " (must be formatted as a valid Python ");
            hx_ad_type_name(b, s->out[i].type);
            hx_buf_putc(b, ')');
        }
    }
    hx_buf_putc(b, '.');
}

static const hx_ad_style JSON_STYLE = {
    json_field_structure, json_assistant_content, json_output_requirements,
};

cJSON *hx_json_adapter_format(const hx_signature *sig, bool cot, const hx_program *prog,
                              const cJSON *inputs, hx_error *err)
{
    return hx_ad_format(&JSON_STYLE, sig, cot, prog, inputs, err);
}

/* ------------------------------------------------------------------ */
/* response_format                                                    */
/* ------------------------------------------------------------------ */

static void put_utf8(hx_buf *b, unsigned long c)
{
    char u[4];
    if (c >= 0xD800 && c <= 0xDFFF) c = 0xFFFD; /* a lone surrogate */
    if (c < 0x80) { hx_buf_putc(b, (char)c); return; }
    if (c < 0x800) {
        u[0] = (char)(0xC0 | (c >> 6)); u[1] = (char)(0x80 | (c & 0x3F));
        hx_buf_putn(b, u, 2);
    } else if (c < 0x10000) {
        u[0] = (char)(0xE0 | (c >> 12)); u[1] = (char)(0x80 | ((c >> 6) & 0x3F));
        u[2] = (char)(0x80 | (c & 0x3F));
        hx_buf_putn(b, u, 3);
    } else {
        u[0] = (char)(0xF0 | (c >> 18)); u[1] = (char)(0x80 | ((c >> 12) & 0x3F));
        u[2] = (char)(0x80 | ((c >> 6) & 0x3F)); u[3] = (char)(0x80 | (c & 0x3F));
        hx_buf_putn(b, u, 4);
    }
}

/* Simple case mapping for the cased scripts identifiers use (Latin-1,
 * Latin Extended-A, Greek, Cyrillic). Returns cp unchanged elsewhere;
 * *cased says whether str.title() treats cp as a cased letter. */
static unsigned long case_map(unsigned long cp, bool upper, bool *cased)
{
    *cased = true;
    if (cp < 0x80) {
        *cased = isalpha((int)cp) != 0;
        return upper ? (unsigned long)toupper((int)cp) : (unsigned long)tolower((int)cp);
    }
    if (cp >= 0xC0 && cp <= 0xDE && cp != 0xD7) return upper ? cp : cp + 0x20;
    if (cp >= 0xE0 && cp <= 0xFE && cp != 0xF7) return upper ? cp - 0x20 : cp;
    if (cp == 0xDF || cp == 0xAA || cp == 0xBA || cp == 0xB5) return cp;
    if (cp == 0xFF) return upper ? 0x178 : cp;
    if (cp >= 0x100 && cp <= 0x17F) {
        if (cp == 0x130 || cp == 0x131 || cp == 0x138 || cp == 0x149 || cp == 0x17F) return cp;
        if ((cp >= 0x139 && cp <= 0x148) || (cp >= 0x179 && cp <= 0x17E)) /* odd = upper here */
            return upper ? (cp % 2 ? cp : cp - 1) : (cp % 2 ? cp + 1 : cp);
        if (cp == 0x178) return upper ? cp : 0xFF;
        return upper ? cp & ~1ul : cp | 1ul;
    }
    if (cp >= 0x391 && cp <= 0x3A9 && cp != 0x3A2) return upper ? cp : cp + 0x20;
    if (cp >= 0x3B1 && cp <= 0x3C9) return upper ? (cp == 0x3C2 ? 0x3A3 : cp - 0x20) : cp;
    if (cp >= 0x410 && cp <= 0x42F) return upper ? cp : cp + 0x20;
    if (cp >= 0x430 && cp <= 0x44F) return upper ? cp - 0x20 : cp;
    if (cp >= 0x400 && cp <= 0x40F) return upper ? cp : cp + 0x50;
    if (cp >= 0x450 && cp <= 0x45F) return upper ? cp - 0x50 : cp;
    *cased = false;
    return cp;
}

/* pydantic's default field title: name.title().replace('_', ' ').strip().
 * str.title() upper-cases a cased letter that follows an uncased
 * character and lower-cases the other cased letters. */
static void field_title(const char *name, char *out, size_t cap)
{
    hx_buf b = {0};
    bool prev_cased = false;
    const unsigned char *p = (const unsigned char *)name;
    char *t;
    while (*p) {
        unsigned long cp = *p;
        int n = 1;
        bool cased;
        if (cp >= 0xC0 && cp < 0xE0 && (p[1] & 0xC0) == 0x80) { cp = ((cp & 0x1F) << 6) | (p[1] & 0x3F); n = 2; }
        if (n == 1 && cp >= 0x80) { /* other scripts: uncased, copied */
            hx_buf_putc(&b, (char)*p++);
            prev_cased = false;
            continue;
        }
        cp = case_map(cp, !prev_cased, &cased);
        if (!cased) cp = n == 1 && cp == '_' ? ' ' : cp;
        prev_cased = cased;
        put_utf8(&b, cp);
        p += n;
    }
    t = hx_buf_take(&b);
    if (!t) { snprintf(out, cap, "?"); return; }
    {
        size_t st = 0, en = strlen(t);
        while (st < en && t[st] == ' ') st++;
        while (en > st && t[en - 1] == ' ') en--;
        snprintf(out, cap, "%.*s", (int)(en - st), t + st);
    }
    free(t);
}

static cJSON *program_outputs_schema(const hx_ad_sig *s)
{
    cJSON *schema = cJSON_CreateObject(), *props, *req;
    if (!schema) return NULL;
    cJSON_AddFalseToObject(schema, "additionalProperties");
    props = cJSON_AddObjectToObject(schema, "properties");
    req = cJSON_AddArrayToObject(schema, "required");
    for (size_t i = 0; props && req && i < s->nout; i++) {
        char title[256];
        field_title(s->out[i].name, title, sizeof title);
        cJSON_AddItemToObject(props, s->out[i].name, hx_ad_property_schema(s->out[i].type, title));
        cJSON_AddItemToArray(req, cJSON_CreateString(s->out[i].name));
    }
    cJSON_AddStringToObject(schema, "title", "DSPyProgramOutputs");
    cJSON_AddStringToObject(schema, "type", "object");
    return schema;
}

cJSON *hx_json_response_format(const hx_signature *sig, bool cot, bool structured)
{
    cJSON *rf = cJSON_CreateObject(), *js;
    hx_ad_sig s;
    if (!rf) return NULL;
    if (!structured) {
        cJSON_AddStringToObject(rf, "type", "json_object");
        return rf;
    }
    if (hx_ad_sig_build(sig, cot, NULL, &s, NULL) != 0) {
        cJSON_Delete(rf);
        return NULL;
    }
    cJSON_AddStringToObject(rf, "type", "json_schema");
    js = cJSON_AddObjectToObject(rf, "json_schema");
    if (js) {
        cJSON_AddItemToObject(js, "schema", program_outputs_schema(&s));
        cJSON_AddStringToObject(js, "name", "DSPyProgramOutputs");
        cJSON_AddTrueToObject(js, "strict");
    }
    hx_ad_sig_free(&s);
    return rf;
}

static bool starts(const char *s, const char *prefix)
{
    return strncmp(s, prefix, strlen(prefix)) == 0;
}

bool hx_json_model_supports_schema(const char *model)
{
    const char *m = model;
    if (!m) return false;
    if (starts(m, "openai/")) m += 7;
    else if (starts(m, "azure/")) m += 6;
    else if (strchr(m, '/')) return false; /* another provider, or a path-like local id */
    if (starts(m, "ft:")) m += 3;
    if (starts(m, "gpt-4o"))
        return !strstr(m, "audio") && !starts(m, "gpt-4o-2024-05-13");
    if (starts(m, "gpt-4.1")) return true;
    if (starts(m, "gpt-") && m[4] >= '5' && m[4] <= '9') return true;
    if (strcmp(m, "o1") == 0 || starts(m, "o1-2")) return true;
    return starts(m, "o3") || starts(m, "o4");
}

/* ------------------------------------------------------------------ */
/* Reading JSON: strict (Python's json) and lenient (json_repair)     */
/* ------------------------------------------------------------------ */

#define MAX_DEPTH 64

typedef struct jp {
    const char *s;
    size_t n, i;
    bool strict;
    int depth;
} jp;

static int jp_peek(const jp *p)
{
    return p->i < p->n ? (unsigned char)p->s[p->i] : -1;
}

/* A number node remembering its literal, so Python's int/float split
 * survives (hx_py_number_is_int reads valuestring). */
static cJSON *number_node(const char *lit, size_t len, double d)
{
    cJSON *v = cJSON_CreateNumber(d);
    if (!v) return NULL;
    v->valuestring = strndup(lit, len);
    if (!v->valuestring) { cJSON_Delete(v); return NULL; }
    return v;
}

static void skip_comment(jp *p)
{
    int c = jp_peek(p);
    if (c == '#' || (c == '/' && p->i + 1 < p->n && p->s[p->i + 1] == '/')) {
        while (p->i < p->n && p->s[p->i] != '\n' && p->s[p->i] != '\r') p->i++;
    } else if (c == '/' && p->i + 1 < p->n && p->s[p->i + 1] == '*') {
        const char *e = NULL;
        p->i += 2;
        for (size_t k = p->i; k + 1 < p->n; k++)
            if (p->s[k] == '*' && p->s[k + 1] == '/') { e = p->s + k; break; }
        p->i = e ? (size_t)(e - p->s) + 2 : p->n;
    } else if (c == '/') {
        p->i++;
    }
}

static void skip_ws(jp *p)
{
    for (;;) {
        int c = jp_peek(p);
        if (c == ' ' || c == '\t' || c == '\n' || c == '\r') { p->i++; continue; }
        if (p->strict) return;
        if (c == '\f' || c == '\v') { p->i++; continue; }
        if (c == '#' || c == '/') { skip_comment(p); continue; }
        return;
    }
}

static bool hex4(const char *s, size_t left, unsigned long *out)
{
    char tmp[5];
    char *end;
    if (left < 4) return false;
    memcpy(tmp, s, 4);
    tmp[4] = '\0';
    for (int k = 0; k < 4; k++)
        if (!isxdigit((unsigned char)tmp[k])) return false;
    *out = strtoul(tmp, &end, 16);
    return true;
}

/* One backslash escape at p->i (just after the backslash). */
static bool json_escape(jp *p, hx_buf *b)
{
    int c = jp_peek(p);
    unsigned long u, lo;
    p->i++;
    switch (c) {
    case '"': hx_buf_putc(b, '"'); return true;
    case '\\': hx_buf_putc(b, '\\'); return true;
    case '/': hx_buf_putc(b, '/'); return true;
    case 'b': hx_buf_putc(b, '\b'); return true;
    case 'f': hx_buf_putc(b, '\f'); return true;
    case 'n': hx_buf_putc(b, '\n'); return true;
    case 'r': hx_buf_putc(b, '\r'); return true;
    case 't': hx_buf_putc(b, '\t'); return true;
    case 'u':
        if (!hex4(p->s + p->i, p->n - p->i, &u)) break;
        p->i += 4;
        if (u >= 0xD800 && u <= 0xDBFF && p->i + 1 < p->n && p->s[p->i] == '\\' && p->s[p->i + 1] == 'u' &&
            hex4(p->s + p->i + 2, p->n - p->i - 2, &lo) && lo >= 0xDC00 && lo <= 0xDFFF) {
            p->i += 6;
            u = 0x10000 + ((u - 0xD800) << 10) + (lo - 0xDC00);
        }
        put_utf8(b, u);
        return true;
    case '\'':
        if (p->strict) return false;
        hx_buf_putc(b, '\'');
        return true;
    default: break;
    }
    if (p->strict) return false;
    /* lenient: keep an unknown escape as written */
    hx_buf_putc(b, '\\');
    if (c >= 0) hx_buf_putc(b, (char)c);
    return true;
}

/* Whether a quote ending at `after` closes the string. Strict JSON: always.
 * Lenient, like json_repair: only if what follows is the end, or a
 * delimiter (, : ] }) after optional whitespace, or by whitespace and
 * another string; otherwise the quote is text: "he said "hi" twice". */
static bool closes_string(const jp *p, size_t after)
{
    size_t at = after;
    if (p->strict) return true;
    while (at < p->n && isspace((unsigned char)p->s[at])) at++;
    if (at >= p->n || strchr(",:]}", p->s[at])) return true;
    /* ["a" "b"]: another string starts after a space */
    return at > after && (p->s[at] == '"' || p->s[at] == '\'');
}

/* A quoted string; p->i is on the opening quote. Lenient mode also takes
 * ' and curly quotes, control characters, and a missing closing quote. */
static cJSON *parse_string(jp *p)
{
    hx_buf b = {0};
    char *text;
    cJSON *v;
    const char *close = "\"";
    size_t qlen = 1;
    if (p->s[p->i] == '\'') close = "'";
    else if (!strncmp(p->s + p->i, "\xe2\x80\x9c", 3) || !strncmp(p->s + p->i, "\xe2\x80\x9d", 3)) {
        close = "\xe2\x80\x9d";
        qlen = 3;
    }
    p->i += qlen;
    for (;;) {
        int c = jp_peek(p);
        if (c < 0) {
            if (p->strict) { hx_buf_free(&b); return NULL; }
            break;
        }
        if ((!strncmp(p->s + p->i, close, strlen(close)) ||
             (qlen == 3 && !strncmp(p->s + p->i, "\xe2\x80\x9c", 3))) &&
            closes_string(p, p->i + strlen(close))) {
            p->i += strlen(close);
            break;
        }
        if (c == '\\') {
            p->i++;
            if (jp_peek(p) < 0 || !json_escape(p, &b)) {
                if (p->strict) { hx_buf_free(&b); return NULL; }
            }
            continue;
        }
        if (c < 0x20 && p->strict) { hx_buf_free(&b); return NULL; }
        hx_buf_putc(&b, (char)c);
        p->i++;
    }
    text = hx_buf_take(&b);
    if (!text) return NULL;
    v = cJSON_CreateString(text);
    free(text);
    return v;
}

/* A JSON number (strict grammar); lenient mode also takes a leading '.'
 * or '+' and a bare trailing '.'. Returns NULL if none is there. */
static cJSON *parse_number(jp *p)
{
    size_t st = p->i, k = p->i, digits = 0;
    const char *s = p->s;
    if (k < p->n && (s[k] == '-' || (!p->strict && s[k] == '+'))) k++;
    if (p->strict) {
        if (k < p->n && s[k] == '0') { k++; digits = 1; }
        else while (k < p->n && isdigit((unsigned char)s[k])) { k++; digits++; }
        if (!digits) return NULL;
        if (k < p->n && s[k] == '.') {
            size_t f = 0;
            k++;
            while (k < p->n && isdigit((unsigned char)s[k])) { k++; f++; }
            if (!f) return NULL;
        }
    } else {
        while (k < p->n && isdigit((unsigned char)s[k])) { k++; digits++; }
        if (k < p->n && s[k] == '.') {
            k++;
            while (k < p->n && isdigit((unsigned char)s[k])) { k++; digits++; }
        }
        if (!digits) return NULL;
    }
    if (k < p->n && (s[k] == 'e' || s[k] == 'E')) {
        size_t e = k + 1, ed = 0;
        if (e < p->n && (s[e] == '+' || s[e] == '-')) e++;
        while (e < p->n && isdigit((unsigned char)s[e])) { e++; ed++; }
        if (ed) k = e;
        else if (p->strict) return NULL;
    }
    p->i = k;
    {
        char *tmp = strndup(s + st, k - st);
        cJSON *v;
        if (!tmp) return NULL;
        v = number_node(tmp, k - st, strtod(tmp, NULL));
        free(tmp);
        return v;
    }
}

/* Python json's extra constants, and json_repair's case-insensitive
 * true/false/null/none. */
static cJSON *parse_word(jp *p)
{
    static const struct { const char *w; int kind; } strict_words[] = {
        {"true", 1}, {"false", 2}, {"null", 3}, {"NaN", 4}, {"Infinity", 5}, {"-Infinity", 6},
    };
    static const struct { const char *w; int kind; } loose_words[] = {
        {"true", 1}, {"false", 2}, {"null", 3}, {"none", 3},
    };
    if (p->strict) {
        for (size_t k = 0; k < sizeof strict_words / sizeof *strict_words; k++) {
            size_t n = strlen(strict_words[k].w);
            if (p->n - p->i >= n && !strncmp(p->s + p->i, strict_words[k].w, n)) {
                int kind = strict_words[k].kind;
                p->i += n;
                if (kind == 1) return cJSON_CreateTrue();
                if (kind == 2) return cJSON_CreateFalse();
                if (kind == 3) return cJSON_CreateNull();
                return number_node(strict_words[k].w, n, kind == 4 ? NAN : kind == 5 ? INFINITY : -INFINITY);
            }
        }
        return NULL;
    }
    for (size_t k = 0; k < sizeof loose_words / sizeof *loose_words; k++) {
        size_t n = strlen(loose_words[k].w);
        if (p->n - p->i >= n && !strncasecmp(p->s + p->i, loose_words[k].w, n)) {
            int next = p->i + n < p->n ? (unsigned char)p->s[p->i + n] : -1;
            if (next < 0 || isspace(next) || strchr(",)]}", next)) {
                p->i += n;
                return loose_words[k].kind == 1 ? cJSON_CreateTrue()
                       : loose_words[k].kind == 2 ? cJSON_CreateFalse() : cJSON_CreateNull();
            }
        }
    }
    return NULL;
}

/* An unquoted word in a container, up to a delimiter: `[a, b]`. */
static cJSON *parse_bare(jp *p, const char *stops)
{
    size_t st = p->i, en;
    char *text;
    cJSON *v;
    while (p->i < p->n && !strchr(stops, p->s[p->i]) && p->s[p->i] != '\n') p->i++;
    if (p->i == st) p->i++; /* always make progress */
    en = p->i;
    while (en > st && isspace((unsigned char)p->s[en - 1])) en--;
    text = strndup(p->s + st, en - st);
    if (!text) return NULL;
    v = cJSON_CreateString(text);
    free(text);
    return v;
}

static cJSON *parse_value(jp *p);

static bool is_quote(const jp *p)
{
    int c = jp_peek(p);
    if (c == '"') return true;
    if (p->strict) return false;
    return c == '\'' || !strncmp(p->s + p->i, "\xe2\x80\x9c", 3) || !strncmp(p->s + p->i, "\xe2\x80\x9d", 3);
}

static cJSON *parse_array_items(jp *p, cJSON *a, char close);

static cJSON *parse_object(jp *p)
{
    cJSON *o = cJSON_CreateObject();
    bool whole_text = p->i == 0;
    p->i++; /* { */
    if (!o) return NULL;
    for (;;) {
        cJSON *key, *val;
        int c;
        skip_ws(p);
        c = jp_peek(p);
        if (c < 0) {
            if (p->strict) goto fail;
            return o;
        }
        if (c == '}') { p->i++; return o; }
        if (o->child) {
            if (c == ',') {
                p->i++;
                skip_ws(p);
                c = jp_peek(p);
                if (p->strict && c == '}') goto fail;
                if (c == '}') { p->i++; return o; }
            } else if (p->strict) {
                goto fail;
            }
        } else if ((c == ',' || c == '{') && !p->strict) { /* "{," and "{{" */
            p->i++;
            continue;
        }
        if (p->strict && c != '"') goto fail;
        if (c == ']' && !p->strict) { p->i++; return o; }
        key = is_quote(p) ? parse_string(p) : parse_bare(p, ":,}");
        if (!key) goto fail;
        skip_ws(p);
        if (jp_peek(p) == ':') {
            p->i++;
        } else if (p->strict) {
            cJSON_Delete(key);
            goto fail;
        } else if (whole_text && !o->child && (jp_peek(p) == ',' || jp_peek(p) == '}')) {
            /* a reply that is just {"a", "b"} reads as a list of its
             * strings, as json_repair does (inside prose it does not) */
            cJSON *a = cJSON_CreateArray();
            cJSON_Delete(o);
            if (!a) { cJSON_Delete(key); return NULL; }
            cJSON_AddItemToArray(a, key);
            return parse_array_items(p, a, '}');
        } else if (jp_peek(p) == ',' || jp_peek(p) == '}') {
            cJSON_Delete(key); /* a key with no value after others: dropped */
            continue;
        } else {
            /* {"a" 1}: the key gets "", the stray token is skipped */
            cJSON_AddItemToObject(o, key->valuestring, cJSON_CreateString(""));
            cJSON_Delete(key);
            val = parse_value(p);
            cJSON_Delete(val);
            continue;
        }
        skip_ws(p);
        c = jp_peek(p);
        if (!p->strict && (c < 0 || c == ',' || c == '}')) val = cJSON_CreateString("");
        else val = parse_value(p);
        if (!val) { cJSON_Delete(key); goto fail; }
        cJSON_AddItemToObject(o, key->valuestring, val);
        cJSON_Delete(key);
    }
fail:
    cJSON_Delete(o);
    return NULL;
}

/* Array items up to `close` (']', or '}' for a set-like object). */
static cJSON *parse_array_items(jp *p, cJSON *a, char close)
{
    for (;;) {
        cJSON *val;
        int c;
        skip_ws(p);
        c = jp_peek(p);
        if (c < 0) {
            if (p->strict) goto fail;
            return a;
        }
        if (c == close) { p->i++; return a; }
        if (a->child) {
            if (c == ',') {
                p->i++;
                skip_ws(p);
                c = jp_peek(p);
                if (p->strict && c == close) goto fail;
                if (c == close) { p->i++; return a; }
            } else if (p->strict) {
                goto fail;
            }
        } else if (c == ',' && !p->strict) {
            p->i++;
            continue;
        }
        if ((c == '}' || c == ']') && !p->strict) { p->i++; return a; }
        val = parse_value(p);
        if (!val) goto fail;
        cJSON_AddItemToArray(a, val);
    }
fail:
    cJSON_Delete(a);
    return NULL;
}

static cJSON *parse_array(jp *p)
{
    cJSON *a = cJSON_CreateArray();
    p->i++; /* [ */
    if (!a) return NULL;
    return parse_array_items(p, a, ']');
}

static cJSON *parse_value(jp *p)
{
    cJSON *v = NULL;
    int c;
    skip_ws(p);
    c = jp_peek(p);
    if (c < 0 || p->depth >= MAX_DEPTH) return NULL;
    p->depth++;
    if (c == '{') v = parse_object(p);
    else if (c == '[') v = parse_array(p);
    else if (is_quote(p)) v = parse_string(p);
    else {
        size_t at = p->i;
        v = parse_word(p);
        if (!v && (c == '-' || c == '+' || c == '.' || isdigit(c))) v = parse_number(p);
        if (!v && !p->strict) {
            p->i = at;
            v = parse_bare(p, ",]}");
        }
    }
    p->depth--;
    return v;
}

/* Python's json.loads: one value, only whitespace around it. */
static cJSON *loads_strict(const char *s, size_t n)
{
    jp p = {s, n, 0, true, 0};
    cJSON *v = parse_value(&p);
    if (!v) return NULL;
    skip_ws(&p);
    if (p.i != p.n) {
        cJSON_Delete(v);
        return NULL;
    }
    return v;
}

static bool is_empty_container(const cJSON *v)
{
    return (cJSON_IsArray(v) || cJSON_IsObject(v)) && !v->child;
}

/* json_repair's ObjectComparer.is_same_object: same types and keys. */
static bool same_shape(const cJSON *a, const cJSON *b)
{
    const cJSON *x, *y;
    if ((a->type & 0xFF) != (b->type & 0xFF)) {
        bool ab = cJSON_IsBool(a), bb = cJSON_IsBool(b);
        if (!(ab && bb && ((a->type ^ b->type) & 0xFF) == (cJSON_True ^ cJSON_False))) return false;
    }
    if (cJSON_IsNumber(a) && hx_py_number_is_int(a) != hx_py_number_is_int(b)) return false;
    if (cJSON_IsObject(a)) {
        if (cJSON_GetArraySize(a) != cJSON_GetArraySize(b)) return false;
        cJSON_ArrayForEach(x, a) {
            y = cJSON_GetObjectItemCaseSensitive(b, x->string);
            if (!y || !same_shape(x, y)) return false;
        }
    } else if (cJSON_IsArray(a)) {
        if (cJSON_GetArraySize(a) != cJSON_GetArraySize(b)) return false;
        for (x = a->child, y = b->child; x && y; x = x->next, y = y->next)
            if (!same_shape(x, y)) return false;
    }
    return true;
}

cJSON *hx_ad_loads_lenient(const char *text)
{
    size_t n = strlen(text);
    jp p = {text, n, 0, false, 0};
    cJSON *found = cJSON_CreateArray(), *v;
    int count;
    if ((v = loads_strict(text, n)) || !found) {
        cJSON_Delete(found);
        return v;
    }
    while (p.i < n) {
        int c = (unsigned char)text[p.i];
        if (c == '#' || c == '/') { skip_comment(&p); continue; }
        if (c != '{' && c != '[') { p.i++; continue; }
        {
            /* a valid JSON container here is taken as is (raw_decode) */
            jp q = {text, n, p.i, true, 0};
            v = parse_value(&q);
            if (v) p.i = q.i;
            else v = parse_value(&p);
        }
        if (!v) { p.i++; continue; }
        count = cJSON_GetArraySize(found);
        if (count > 0 && is_empty_container(v)) { cJSON_Delete(v); continue; }
        if (count > 0) {
            cJSON *last = cJSON_GetArrayItem(found, count - 1);
            if (same_shape(last, v) || is_empty_container(last))
                cJSON_DeleteItemFromArray(found, count - 1);
        }
        cJSON_AddItemToArray(found, v);
    }
    count = cJSON_GetArraySize(found);
    if (count == 0) { cJSON_Delete(found); return NULL; }
    if (count == 1) {
        v = cJSON_DetachItemFromArray(found, 0);
        cJSON_Delete(found);
        return v;
    }
    return found;
}

/* ------------------------------------------------------------------ */
/* ast.literal_eval                                                    */
/* ------------------------------------------------------------------ */

typedef struct pl {
    const char *s;
    size_t n, i;
    int depth;
} pl;

static void pl_ws(pl *p, bool newlines)
{
    while (p->i < p->n) {
        char c = p->s[p->i];
        if (c == ' ' || c == '\t' || c == '\f' || (newlines && (c == '\n' || c == '\r'))) p->i++;
        else if (c == '\\' && p->i + 1 < p->n && p->s[p->i + 1] == '\n') p->i += 2;
        else if (c == '#') { while (p->i < p->n && p->s[p->i] != '\n') p->i++; }
        else break;
    }
}

/* digits with single underscores between them; returns the count. */
static size_t pl_digits(pl *p, hx_buf *b, int (*ok)(int))
{
    size_t n = 0;
    while (p->i < p->n) {
        char c = p->s[p->i];
        if (ok((unsigned char)c)) { hx_buf_putc(b, c); p->i++; n++; }
        else if (c == '_' && n && p->i + 1 < p->n && ok((unsigned char)p->s[p->i + 1])) p->i++;
        else break;
    }
    return n;
}

static int is_bin(int c) { return c == '0' || c == '1'; }
static int is_oct(int c) { return c >= '0' && c <= '7'; }
static int is_dec(int c) { return isdigit(c); }
static int is_hex(int c) { return isxdigit(c); }

/* A Python number literal, or NULL (complex numbers included: pydantic
 * takes none of them for our types, and the raw text fails the same). */
static cJSON *pl_number(pl *p, bool neg)
{
    hx_buf b = {0};
    cJSON *v = NULL;
    bool is_float = false;
    char *lit;
    if (neg) hx_buf_putc(&b, '-');
    if (p->s[p->i] == '0' && p->i + 1 < p->n && strchr("xXoObB", p->s[p->i + 1])) {
        char kind = (char)tolower((unsigned char)p->s[p->i + 1]);
        int (*ok)(int) = kind == 'x' ? is_hex : kind == 'o' ? is_oct : is_bin;
        hx_buf dg = {0};
        size_t n;
        p->i += 2;
        if (p->i < p->n && p->s[p->i] == '_') p->i++;
        n = pl_digits(p, &dg, ok);
        if (n && !dg.oom) {
            unsigned long long x = strtoull(dg.s, NULL, kind == 'x' ? 16 : kind == 'o' ? 8 : 2);
            hx_buf_printf(&b, "%llu", x);
        } else {
            b.oom = true;
        }
        hx_buf_free(&dg);
    } else {
        size_t start = b.len, n = pl_digits(p, &b, is_dec);
        if (p->i < p->n && p->s[p->i] == '.') {
            is_float = true;
            hx_buf_putc(&b, '.');
            p->i++;
            n += pl_digits(p, &b, is_dec);
        }
        if (!n) b.oom = true;
        if (n && p->i < p->n && (p->s[p->i] == 'e' || p->s[p->i] == 'E')) {
            size_t save = p->i, blen = b.len;
            hx_buf_putc(&b, 'e');
            p->i++;
            if (p->i < p->n && (p->s[p->i] == '+' || p->s[p->i] == '-')) hx_buf_putc(&b, p->s[p->i++]);
            if (pl_digits(p, &b, is_dec)) is_float = true;
            else { p->i = save; b.len = blen; b.s[blen] = '\0'; }
        }
        /* 007 is a SyntaxError; 000 is fine */
        if (!is_float && b.s && b.len - start > 1 && b.s[start] == '0' && strspn(b.s + start, "0") != b.len - start)
            b.oom = true;
    }
    if (p->i < p->n && (p->s[p->i] == 'j' || p->s[p->i] == 'J' || isalnum((unsigned char)p->s[p->i]) ||
                        p->s[p->i] == '_'))
        b.oom = true;
    lit = hx_buf_take(&b);
    if (!lit) return NULL;
    v = number_node(lit, strlen(lit), strtod(lit, NULL));
    free(lit);
    return v;
}

/* A Python string literal (no bytes, no f-strings); adjacent literals
 * concatenate. */
static cJSON *pl_string(pl *p)
{
    hx_buf b = {0};
    char *text;
    cJSON *v;
    do {
        bool raw = false, triple;
        char q;
        while (p->i < p->n && strchr("rRuU", p->s[p->i])) raw |= tolower((unsigned char)p->s[p->i++]) == 'r';
        if (p->i >= p->n || (p->s[p->i] != '\'' && p->s[p->i] != '"')) goto fail;
        q = p->s[p->i];
        triple = p->i + 2 < p->n && p->s[p->i + 1] == q && p->s[p->i + 2] == q;
        p->i += triple ? 3 : 1;
        for (;;) {
            char c;
            if (p->i >= p->n) goto fail;
            c = p->s[p->i];
            if (c == q && (!triple || (p->i + 2 < p->n && p->s[p->i + 1] == q && p->s[p->i + 2] == q))) {
                p->i += triple ? 3 : 1;
                break;
            }
            if (c == '\n' && !triple) goto fail;
            if (c == '\\' && p->i + 1 < p->n) {
                char e = p->s[p->i + 1];
                unsigned long u;
                p->i += 2;
                if (raw) { hx_buf_putc(&b, '\\'); hx_buf_putc(&b, e); continue; }
                switch (e) {
                case '\n': break;
                case '\\': case '\'': case '"': hx_buf_putc(&b, e); break;
                case 'n': hx_buf_putc(&b, '\n'); break;
                case 't': hx_buf_putc(&b, '\t'); break;
                case 'r': hx_buf_putc(&b, '\r'); break;
                case 'a': hx_buf_putc(&b, '\a'); break;
                case 'b': hx_buf_putc(&b, '\b'); break;
                case 'f': hx_buf_putc(&b, '\f'); break;
                case 'v': hx_buf_putc(&b, '\v'); break;
                case 'x': {
                    char h[3] = {0};
                    if (p->i + 2 > p->n || !isxdigit((unsigned char)p->s[p->i]) ||
                        !isxdigit((unsigned char)p->s[p->i + 1]))
                        goto fail;
                    memcpy(h, p->s + p->i, 2);
                    p->i += 2;
                    put_utf8(&b, strtoul(h, NULL, 16));
                    break;
                }
                case 'u':
                    if (!hex4(p->s + p->i, p->n - p->i, &u)) goto fail;
                    p->i += 4;
                    put_utf8(&b, u);
                    break;
                default:
                    if (e >= '0' && e <= '7') {
                        unsigned long o = (unsigned long)(e - '0');
                        for (int k = 0; k < 2 && p->i < p->n && is_oct((unsigned char)p->s[p->i]); k++)
                            o = o * 8 + (unsigned long)(p->s[p->i++] - '0');
                        put_utf8(&b, o);
                    } else if (e == 'N' || e == 'U') {
                        goto fail;
                    } else {
                        hx_buf_putc(&b, '\\');
                        hx_buf_putc(&b, e);
                    }
                }
                continue;
            }
            hx_buf_putc(&b, c);
            p->i++;
        }
        pl_ws(p, p->depth > 0);
    } while (p->i < p->n && (p->s[p->i] == '\'' || p->s[p->i] == '"' ||
                             (strchr("rRuU", p->s[p->i]) && p->i + 1 < p->n &&
                              strchr("'\"rRuU", p->s[p->i + 1]))));
    text = hx_buf_take(&b);
    if (!text) return NULL;
    v = cJSON_CreateString(text);
    free(text);
    return v;
fail:
    hx_buf_free(&b);
    return NULL;
}

static cJSON *pl_expr(pl *p);

/* [..], (..) and {..}; sets and tuples become arrays (pydantic's lax
 * list accepts both), dicts need string keys to be kept. */
static cJSON *pl_container(pl *p)
{
    char open = p->s[p->i], close = open == '[' ? ']' : open == '(' ? ')' : '}';
    cJSON *a = cJSON_CreateArray(), *o = NULL;
    bool comma = false;
    int kind = 0; /* 0 undecided, 1 sequence, 2 dict */
    size_t items = 0;
    if (!a) return NULL;
    p->i++;
    p->depth++;
    for (;;) {
        cJSON *x, *y;
        pl_ws(p, true);
        if (p->i >= p->n) goto fail;
        if (p->s[p->i] == close) { p->i++; break; }
        if (items && !comma) goto fail;
        x = pl_expr(p);
        if (!x) goto fail;
        pl_ws(p, true);
        if (open == '{' && p->i < p->n && p->s[p->i] == ':' && kind != 1) {
            kind = 2;
            p->i++;
            y = pl_expr(p);
            if (!y || !cJSON_IsString(x)) { cJSON_Delete(x); cJSON_Delete(y); goto fail; }
            if (!o && !(o = cJSON_CreateObject())) { cJSON_Delete(x); cJSON_Delete(y); goto fail; }
            cJSON_AddItemToObject(o, x->valuestring, y);
            cJSON_Delete(x);
        } else {
            if (kind == 2) { cJSON_Delete(x); goto fail; }
            kind = 1;
            cJSON_AddItemToArray(a, x);
        }
        items++;
        pl_ws(p, true);
        comma = p->i < p->n && p->s[p->i] == ',';
        if (comma) p->i++;
    }
    p->depth--;
    if (open == '(' && items == 1 && !comma) { /* (x) is just x */
        cJSON *x = cJSON_DetachItemFromArray(a, 0);
        cJSON_Delete(a);
        return x;
    }
    if (open == '{' && items == 0) { cJSON_Delete(a); return cJSON_CreateObject(); }
    if (kind == 2) { cJSON_Delete(a); return o; }
    return a;
fail:
    p->depth--;
    cJSON_Delete(a);
    cJSON_Delete(o);
    return NULL;
}

static cJSON *pl_expr(pl *p)
{
    char c;
    bool neg = false;
    pl_ws(p, p->depth > 0);
    if (p->i >= p->n || p->depth > MAX_DEPTH) return NULL;
    c = p->s[p->i];
    if (c == '[' || c == '(' || c == '{') return pl_container(p);
    if (c == '\'' || c == '"' || ((c == 'r' || c == 'R' || c == 'u' || c == 'U') && p->i + 1 < p->n &&
                                  strchr("'\"rRuU", p->s[p->i + 1])))
        return pl_string(p);
    if (c == '-' || c == '+') { /* one sign: literal_eval refuses --5 */
        neg = c == '-';
        p->i++;
        pl_ws(p, p->depth > 0);
    }
    if (p->i < p->n && (isdigit((unsigned char)p->s[p->i]) || p->s[p->i] == '.')) return pl_number(p, neg);
    if (c == '-' || c == '+') return NULL;
    {
        static const char *const words[] = {"True", "False", "None"};
        for (int k = 0; k < 3; k++) {
            size_t n = strlen(words[k]);
            if (p->n - p->i >= n && !strncmp(p->s + p->i, words[k], n) &&
                (p->i + n == p->n || !(isalnum((unsigned char)p->s[p->i + n]) || p->s[p->i + n] == '_'))) {
                p->i += n;
                return k == 0 ? cJSON_CreateTrue() : k == 1 ? cJSON_CreateFalse() : cJSON_CreateNull();
            }
        }
    }
    return NULL;
}

/* ast.literal_eval(text): the value, or NULL where Python raises. */
static cJSON *py_literal_eval(const char *text)
{
    pl p = {text, strlen(text), 0, 0};
    cJSON *v;
    while (p.i < p.n && (text[p.i] == ' ' || text[p.i] == '\t')) p.i++;
    v = pl_expr(&p);
    if (!v) return NULL;
    pl_ws(&p, true);
    if (p.i != p.n) {
        cJSON_Delete(v);
        return NULL;
    }
    return v;
}

/* ------------------------------------------------------------------ */
/* pydantic's lax validation                                          */
/* ------------------------------------------------------------------ */

static const hx_type *optional_inner(const hx_type *t)
{
    while (t->kind == HX_TY_OPTIONAL && t->inner) t = t->inner;
    return t;
}

static void describe(const cJSON *v, char *out, size_t cap)
{
    hx_buf b = {0};
    hx_py_str(&b, v);
    if (cJSON_IsString(v)) snprintf(out, cap, "\"%.60s%s\"", b.s ? b.s : "", b.len > 60 ? "..." : "");
    else snprintf(out, cap, "%.60s%s", b.s ? b.s : "?", b.len > 60 ? "..." : "");
    hx_buf_free(&b);
}

static int invalid(const cJSON *v, const char *what, char why[200])
{
    char d[80];
    describe(v, d, sizeof d);
    snprintf(why, 200, "%s is not a valid %s", d, what);
    return -1;
}

/* pydantic's str -> int: whitespace around, a sign, digits with single
 * underscores between them, optionally `.` and zeros. */
static bool str_to_int(const char *s, double *out)
{
    size_t st, en, k;
    char digits[400];
    size_t nd = 0;
    hx_py_strip_span(s, strlen(s), &st, &en);
    k = st;
    if (k < en && (s[k] == '+' || s[k] == '-')) digits[nd++] = s[k++];
    if (k >= en || !isdigit((unsigned char)s[k])) return false;
    while (k < en && nd + 1 < sizeof digits) {
        if (isdigit((unsigned char)s[k])) digits[nd++] = s[k++];
        else if (s[k] == '_' && k + 1 < en && isdigit((unsigned char)s[k + 1]) && isdigit((unsigned char)s[k - 1])) k++;
        else break;
    }
    if (k < en && s[k] == '.') {
        size_t z = ++k;
        while (k < en && s[k] == '0') k++;
        if (k == z) return false;
    }
    if (k != en) return false;
    digits[nd] = '\0';
    *out = strtod(digits, NULL);
    return true;
}

/* pydantic's str -> float: Python float() syntax (underscores between
 * digits), inf/infinity/nan in any case. */
static bool str_to_float(const char *s, double *out)
{
    size_t st, en, k;
    char buf[400], *end;
    size_t nb = 0;
    hx_py_strip_span(s, strlen(s), &st, &en);
    if (en == st || en - st >= sizeof buf) return false;
    for (k = st; k < en; k++) {
        char c = s[k];
        if (c == '_') {
            if (k == st || k + 1 >= en || !isdigit((unsigned char)s[k - 1]) || !isdigit((unsigned char)s[k + 1]))
                return false;
            continue;
        }
        if (c == 'x' || c == 'X' || c == '(' || isspace((unsigned char)c)) return false;
        buf[nb++] = c;
    }
    buf[nb] = '\0';
    {
        const char *w = buf + (buf[0] == '+' || buf[0] == '-');
        if (isalpha((unsigned char)*w) && strcasecmp(w, "inf") && strcasecmp(w, "infinity") && strcasecmp(w, "nan"))
            return false;
    }
    *out = strtod(buf, &end);
    return *end == '\0' && end != buf;
}

static cJSON *int_node(double d)
{
    char lit[64];
    snprintf(lit, sizeof lit, "%.0f", d == 0 ? 0.0 : d);
    return number_node(lit, strlen(lit), d);
}

static cJSON *float_node(double d)
{
    char lit[32];
    hx_py_float_repr(d, lit);
    return number_node(lit, strlen(lit), d);
}

static int validate(const cJSON *v, const hx_type *t, cJSON **out, char why[200]);

static int validate_list(const cJSON *v, const hx_type *t, cJSON **out, char why[200])
{
    const cJSON *it;
    cJSON *a;
    int i = 0;
    if (!cJSON_IsArray(v)) return invalid(v, "list", why);
    a = cJSON_CreateArray();
    if (!a) { snprintf(why, 200, "out of memory"); return -1; }
    cJSON_ArrayForEach(it, v) {
        cJSON *x;
        char inner[200];
        if (validate(it, t->inner, &x, inner) != 0) {
            snprintf(why, 200, "item %d: %s", i, inner);
            cJSON_Delete(a);
            return -1;
        }
        cJSON_AddItemToArray(a, x);
        i++;
    }
    *out = a;
    return 0;
}

static int validate(const cJSON *v, const hx_type *t, cJSON **out, char why[200])
{
    double d;
    *out = NULL;
    switch (t->kind) {
    case HX_TY_STR:
        if (!cJSON_IsString(v)) return invalid(v, "string", why);
        *out = cJSON_CreateString(v->valuestring);
        break;
    case HX_TY_LITERAL:
        for (size_t i = 0; cJSON_IsString(v) && i < t->nliterals; i++)
            if (strcmp(v->valuestring, t->literals[i]) == 0) { *out = cJSON_CreateString(v->valuestring); break; }
        if (!*out) return invalid(v, "choice of the Literal", why);
        break;
    case HX_TY_INT:
        if (cJSON_IsBool(v)) *out = int_node(cJSON_IsTrue(v) ? 1 : 0);
        else if (cJSON_IsNumber(v) && hx_py_number_is_int(v)) {
            *out = cJSON_Duplicate(v, 1);
        } else if (cJSON_IsNumber(v)) {
            d = v->valuedouble;
            if (!isfinite(d) || d != floor(d) || fabs(d) >= 9223372036854775808.0) return invalid(v, "int", why);
            *out = int_node(d);
        } else if (cJSON_IsString(v) && str_to_int(v->valuestring, &d)) {
            *out = int_node(d);
        } else {
            return invalid(v, "int", why);
        }
        break;
    case HX_TY_FLOAT:
        if (cJSON_IsBool(v)) d = cJSON_IsTrue(v) ? 1 : 0;
        else if (cJSON_IsNumber(v)) d = v->valuedouble;
        else if (!(cJSON_IsString(v) && str_to_float(v->valuestring, &d))) return invalid(v, "float", why);
        *out = float_node(d);
        break;
    case HX_TY_BOOL: {
        static const char *const yes[] = {"1", "on", "t", "true", "y", "yes"};
        static const char *const no[] = {"0", "off", "f", "false", "n", "no"};
        int b = -1;
        if (cJSON_IsBool(v)) b = cJSON_IsTrue(v);
        else if (cJSON_IsNumber(v) && (v->valuedouble == 0 || v->valuedouble == 1)) b = v->valuedouble == 1;
        else if (cJSON_IsString(v)) {
            for (int k = 0; k < 6; k++) {
                if (!strcasecmp(v->valuestring, yes[k])) b = 1;
                if (!strcasecmp(v->valuestring, no[k])) b = 0;
            }
        }
        if (b < 0) return invalid(v, "bool", why);
        *out = cJSON_CreateBool(b);
        break;
    }
    case HX_TY_LIST:
        return validate_list(v, t, out, why);
    case HX_TY_OPTIONAL:
        if (cJSON_IsNull(v)) *out = cJSON_CreateNull();
        else return validate(v, optional_inner(t), out, why);
        break;
    }
    if (!*out) { snprintf(why, 200, "out of memory"); return -1; }
    return 0;
}

/* ------------------------------------------------------------------ */
/* parse_value                                                        */
/* ------------------------------------------------------------------ */

/* Literal: the text itself, or after strip, `Literal[...]`/`str[...]`
 * and one pair of matching quotes are removed. */
static int parse_literal(const char *text, const hx_type *t, cJSON **out, char why[200])
{
    size_t st, en, len;
    const char *v;
    for (size_t i = 0; i < t->nliterals; i++)
        if (!strcmp(text, t->literals[i])) goto found;
    hx_py_strip_span(text, strlen(text), &st, &en);
    v = text + st;
    len = en - st;
    if (((len >= 8 && !strncmp(v, "Literal[", 8)) || (len >= 4 && !strncmp(v, "str[", 4))) && v[len - 1] == ']') {
        const char *br = memchr(v, '[', len);
        len = (size_t)(v + len - 1 - (br + 1));
        v = br + 1;
    }
    if (len > 1 && v[0] == v[len - 1] && (v[0] == '"' || v[0] == '\'')) {
        v++;
        len -= 2;
    }
    for (size_t i = 0; i < t->nliterals; i++) {
        if (strlen(t->literals[i]) == len && !strncmp(v, t->literals[i], len)) {
            text = t->literals[i];
            goto found;
        }
    }
    {
        cJSON *s = cJSON_CreateString(text);
        hx_buf names = {0};
        char d[80] = "?";
        if (s) describe(s, d, sizeof d);
        cJSON_Delete(s);
        hx_ad_type_name(&names, t);
        snprintf(why, 200, "%s is not one of %s", d, names.s ? names.s : "the Literal");
        hx_buf_free(&names);
        return -1;
    }
found:
    *out = cJSON_CreateString(text);
    if (!*out) { snprintf(why, 200, "out of memory"); return -1; }
    return 0;
}

int hx_ad_parse_text(const char *text, const hx_type *t, cJSON **out, char why[200])
{
    cJSON *cand;
    int rc;
    *out = NULL;
    if (t->kind == HX_TY_STR || (t->kind == HX_TY_OPTIONAL && optional_inner(t)->kind == HX_TY_STR)) {
        *out = cJSON_CreateString(text);
        if (!*out) { snprintf(why, 200, "out of memory"); return -1; }
        return 0;
    }
    if (t->kind == HX_TY_LITERAL) return parse_literal(text, t, out, why);
    cand = hx_ad_loads_lenient(text);
    if ((!cand || (cJSON_IsString(cand) && !*cand->valuestring)) && *text) {
        cJSON_Delete(cand);
        cand = py_literal_eval(text);
        if (!cand) cand = cJSON_CreateString(text);
    } else if (!cand) {
        cand = cJSON_CreateString("");
    }
    if (!cand) { snprintf(why, 200, "out of memory"); return -1; }
    rc = validate(cand, t, out, why);
    cJSON_Delete(cand);
    return rc;
}

/* parse_value for a value that came out of a JSON reply. */
static int parse_json_value(const cJSON *v, const hx_type *t, cJSON **out, char why[200])
{
    *out = NULL;
    if (t->kind == HX_TY_STR) {
        hx_buf b = {0};
        char *s;
        hx_py_str(&b, v);
        s = hx_buf_take(&b);
        if (s) *out = cJSON_CreateString(s);
        free(s);
        if (!*out) { snprintf(why, 200, "out of memory"); return -1; }
        return 0;
    }
    if (t->kind == HX_TY_LITERAL && !cJSON_IsString(v)) {
        hx_buf names = {0};
        char d[80];
        describe(v, d, sizeof d);
        hx_ad_type_name(&names, t);
        snprintf(why, 200, "%s is not one of %s", d, names.s ? names.s : "the Literal");
        hx_buf_free(&names);
        return -1;
    }
    if (!cJSON_IsString(v)) return validate(v, t, out, why);
    return hx_ad_parse_text(v->valuestring, t, out, why);
}

/* The first balanced {...} in text (braces counted, strings ignored), as
 * DSPy's recursive regex \{(?:[^{}]|(?R))*\} finds it: the leftmost '{'
 * that has a matching '}'. One pass with a stack of open positions, so a
 * reply full of unmatched braces costs linear time. Returns NULL if none. */
static char *first_braced(const char *text)
{
    size_t n = strlen(text), depth = 0, best = SIZE_MAX, best_end = 0;
    size_t *open = malloc((n + 1) * sizeof *open);
    if (!open) return NULL;
    for (size_t i = 0; i < n; i++) {
        if (text[i] == '{') open[depth++] = i;
        else if (text[i] == '}' && depth > 0) {
            size_t p = open[--depth];
            if (p < best) { best = p; best_end = i; }
        }
    }
    free(open);
    return best == SIZE_MAX ? NULL : strndup(text + best, best_end - best + 1);
}

int hx_json_adapter_parse(const hx_signature *sig, bool cot, const char *completion,
                          cJSON **outputs, char why[256])
{
    hx_ad_sig s;
    hx_error err;
    cJSON *parsed, *fields;
    const cJSON *it;
    int rc = 0;
    *outputs = NULL;
    why[0] = '\0';
    if (!completion || !*completion) {
        snprintf(why, 256, "The LM returned an empty or null response.");
        return -1;
    }
    parsed = hx_ad_loads_lenient(completion);
    if (!cJSON_IsObject(parsed)) {
        char *inner = first_braced(completion);
        cJSON_Delete(parsed);
        parsed = inner ? hx_ad_loads_lenient(inner) : NULL;
        free(inner);
    }
    if (!cJSON_IsObject(parsed)) {
        cJSON_Delete(parsed);
        snprintf(why, 256, "JSONAdapter: LM response cannot be serialized to a JSON object.");
        return -1;
    }
    if (hx_ad_sig_build(sig, cot, NULL, &s, &err) != 0) {
        cJSON_Delete(parsed);
        snprintf(why, 256, "%s", err.msg);
        return -1;
    }
    fields = cJSON_CreateObject();
    if (!fields) { snprintf(why, 256, "out of memory"); rc = -1; }
    /* in the reply's key order, as DSPy iterates the dict */
    cJSON_ArrayForEach(it, parsed) {
        const hx_ad_field *f = NULL;
        cJSON *v;
        char vwhy[200];
        if (rc != 0) break;
        for (size_t k = 0; k < s.nout; k++)
            if (!strcmp(s.out[k].name, it->string)) f = &s.out[k];
        if (!f || cJSON_GetObjectItemCaseSensitive(fields, f->name)) continue;
        if (parse_json_value(hx_ad_obj_get(parsed, f->name), f->type, &v, vwhy) != 0) {
            snprintf(why, 256, "JSONAdapter: field `%s`: %s", f->name, vwhy);
            rc = -1;
            break;
        }
        cJSON_AddItemToObject(fields, f->name, v);
    }
    cJSON_Delete(parsed);
    if (rc == 0) rc = hx_ad_finish_outputs(&s, &fields, "JSONAdapter", why);
    hx_ad_sig_free(&s);
    if (rc != 0) {
        cJSON_Delete(fields);
        return -1;
    }
    *outputs = fields;
    return 0;
}
