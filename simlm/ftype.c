/*
 * ftype.c — parsing field types leniently (see ftype.h).
 *
 * A small recursive-descent reader over Python's rendering of annotations:
 * names, subscripts "X[...]", quoted Literal values and PEP 604 "X | None".
 * Anything it does not recognise becomes SL_OTHER rather than an error.
 */
#include "ftype.h"

#include <ctype.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "strbuf.h"

typedef struct reader {
    const char *p, *end;
} reader;

static void skip_sp(reader *r)
{
    while (r->p < r->end && isspace((unsigned char)*r->p)) r->p++;
}

static bool peek(reader *r, char c)
{
    skip_sp(r);
    return r->p < r->end && *r->p == c;
}

static sl_type *new_type(sl_kind k)
{
    sl_type *t = calloc(1, sizeof *t);
    if (t) t->kind = k;
    return t;
}

/* Skip a balanced [...] starting at '[' (quotes respected). */
static void skip_brackets(reader *r)
{
    int depth = 0;
    char q = 0;
    for (; r->p < r->end; r->p++) {
        char c = *r->p;
        if (q) {
            if (c == '\\' && r->p + 1 < r->end) r->p++;
            else if (c == q) q = 0;
        } else if (c == '\'' || c == '"') q = c;
        else if (c == '[') depth++;
        else if (c == ']' && --depth == 0) { r->p++; return; }
    }
}

static size_t read_ident(reader *r, const char **start)
{
    skip_sp(r);
    *start = r->p;
    while (r->p < r->end && (isalnum((unsigned char)*r->p) || *r->p == '_' || *r->p == '.'))
        r->p++;
    return (size_t)(r->p - *start);
}

static bool ident_is(const char *s, size_t n, const char *w)
{
    return strlen(w) == n && memcmp(s, w, n) == 0;
}

static int add_lit(sl_type *t, const char *s, size_t n)
{
    char **v = realloc(t->lits, (t->nlits + 1) * sizeof *v);
    if (!v) return -1;
    t->lits = v;
    t->lits[t->nlits] = sl_strndup(s, n);
    if (!t->lits[t->nlits]) return -1;
    t->nlits++;
    return 0;
}

/* One Literal value: a quoted string (with \-escapes) or a bare token
 * such as 3 or True, written back as text. */
static int read_literal_value(reader *r, sl_type *t)
{
    sl_buf b = {0};
    char *s;
    int rc;
    skip_sp(r);
    if (r->p < r->end && (*r->p == '\'' || *r->p == '"')) {
        char q = *r->p++;
        while (r->p < r->end && *r->p != q) {
            if (*r->p == '\\' && r->p + 1 < r->end) r->p++;
            sl_buf_put(&b, r->p++, 1);
        }
        if (r->p < r->end) r->p++;
    } else {
        const char *st = r->p;
        while (r->p < r->end && *r->p != ',' && *r->p != ']') r->p++;
        const char *v = st;
        size_t n = (size_t)(r->p - st);
        sl_trim(&v, &n);
        sl_buf_put(&b, v, n);
    }
    s = sl_buf_take(&b);
    if (!s) return -1;
    rc = add_lit(t, s, strlen(s));
    free(s);
    return rc;
}

static int read_literals(reader *r, sl_type *t)
{
    r->p++; /* '[' */
    while (r->p < r->end) {
        if (peek(r, ']')) { r->p++; return 0; }
        if (read_literal_value(r, t) != 0) return -1;
        if (peek(r, ',')) r->p++;
        else if (peek(r, ']')) { r->p++; return 0; }
        else return 0; /* malformed: keep what was read */
    }
    return 0;
}

static sl_type *read_type(reader *r, int depth);

/* The members of Union[...]: an Optional of the first non-None member
 * when None is among them, else the first member. */
static sl_type *read_union(reader *r, int depth)
{
    sl_type *first = NULL;
    bool has_none = false;
    r->p++; /* '[' */
    while (r->p < r->end && !peek(r, ']')) {
        const char *save = r->p, *id;
        size_t n = read_ident(r, &id);
        if (ident_is(id, n, "NoneType") || ident_is(id, n, "None")) has_none = true;
        else {
            r->p = save;
            sl_type *m = read_type(r, depth + 1);
            if (!m) { sl_type_free(first); return NULL; }
            if (!first) first = m;
            else sl_type_free(m);
        }
        if (peek(r, ',')) r->p++;
        else if (!peek(r, ']')) break;
    }
    if (peek(r, ']')) r->p++;
    if (!first && !(first = new_type(SL_OTHER))) return NULL;
    if (!has_none) return first;
    sl_type *o = new_type(SL_OPTIONAL);
    if (!o) { sl_type_free(first); return NULL; }
    o->inner = first;
    return o;
}

static sl_type *read_generic(reader *r, sl_kind k, int depth)
{
    sl_type *t = new_type(k);
    if (!t) return NULL;
    r->p++; /* '[' */
    t->inner = read_type(r, depth + 1);
    if (!t->inner) { sl_type_free(t); return NULL; }
    /* tuple[str, int] and the like: keep the first argument. */
    while (r->p < r->end && !peek(r, ']')) {
        if (*r->p == '[') skip_brackets(r);
        else r->p++;
    }
    if (peek(r, ']')) r->p++;
    return t;
}

static sl_type *read_named(reader *r, const char *id, size_t n, int depth)
{
    bool sub = peek(r, '[');
    if (ident_is(id, n, "str")) return new_type(SL_STR);
    if (ident_is(id, n, "int")) return new_type(SL_INT);
    if (ident_is(id, n, "float")) return new_type(SL_FLOAT);
    if (ident_is(id, n, "bool")) return new_type(SL_BOOL);
    if (sub && (ident_is(id, n, "Literal") || ident_is(id, n, "typing.Literal"))) {
        sl_type *t = new_type(SL_LITERAL);
        if (t && read_literals(r, t) != 0) { sl_type_free(t); return NULL; }
        return t;
    }
    if (sub && (ident_is(id, n, "Union") || ident_is(id, n, "UnionType")))
        return read_union(r, depth);
    if (sub && ident_is(id, n, "Optional")) return read_generic(r, SL_OPTIONAL, depth);
    if (sub && (ident_is(id, n, "list") || ident_is(id, n, "List") || ident_is(id, n, "set") ||
                ident_is(id, n, "tuple") || ident_is(id, n, "Sequence")))
        return read_generic(r, SL_LIST, depth);
    if (ident_is(id, n, "list") || ident_is(id, n, "List")) {
        sl_type *t = new_type(SL_LIST);
        if (t && !(t->inner = new_type(SL_STR))) { sl_type_free(t); return NULL; }
        return t;
    }
    if (ident_is(id, n, "dict") || ident_is(id, n, "Dict")) {
        if (sub) skip_brackets(r);
        return new_type(SL_DICT);
    }
    if (sub) skip_brackets(r);
    return new_type(SL_OTHER);
}

static sl_type *read_type(reader *r, int depth)
{
    const char *id;
    size_t n;
    sl_type *t;
    if (depth > 16) return new_type(SL_OTHER);
    n = read_ident(r, &id);
    t = n ? read_named(r, id, n, depth) : new_type(SL_OTHER);
    if (!n && r->p < r->end && *r->p == '[') skip_brackets(r);
    /* PEP 604: "str | None" is an Optional; "int | str" keeps the first. */
    while (t && peek(r, '|')) {
        r->p++;
        const char *save = r->p, *id2;
        size_t n2 = read_ident(r, &id2);
        if (ident_is(id2, n2, "None") || ident_is(id2, n2, "NoneType")) {
            if (t->kind != SL_OPTIONAL) {
                sl_type *o = new_type(SL_OPTIONAL);
                if (!o) { sl_type_free(t); return NULL; }
                o->inner = t;
                t = o;
            }
        } else {
            r->p = save;
            sl_type *other = read_type(r, depth + 1);
            if (!other) { sl_type_free(t); return NULL; }
            sl_type_free(other);
        }
    }
    return t;
}

sl_type *sl_type_parse(const char *s, size_t n)
{
    reader r = {s, s + n};
    return read_type(&r, 0);
}

static bool schema_is(const cJSON *schema, const char *type)
{
    const cJSON *ty = cJSON_GetObjectItemCaseSensitive(schema, "type");
    return cJSON_IsString(ty) && strcmp(ty->valuestring, type) == 0;
}

static sl_type *schema_enum(const cJSON *en)
{
    sl_type *t = new_type(SL_LITERAL);
    const cJSON *v;
    if (!t) return NULL;
    cJSON_ArrayForEach(v, en) {
        char num[64];
        const char *s = cJSON_IsString(v) ? v->valuestring : NULL;
        if (!s && cJSON_IsNumber(v)) { snprintf(num, sizeof num, "%g", v->valuedouble); s = num; }
        if (!s && cJSON_IsBool(v)) s = cJSON_IsTrue(v) ? "True" : "False";
        if (s && add_lit(t, s, strlen(s)) != 0) { sl_type_free(t); return NULL; }
    }
    return t;
}

static sl_type *schema_any_of(const cJSON *any, int depth);

static sl_type *schema_type(const cJSON *schema, int depth)
{
    const cJSON *en = cJSON_GetObjectItemCaseSensitive(schema, "enum");
    const cJSON *any = cJSON_GetObjectItemCaseSensitive(schema, "anyOf");
    sl_type *t;
    if (depth > 16 || !cJSON_IsObject(schema)) return new_type(SL_OTHER);
    if (cJSON_IsArray(en)) return schema_enum(en);
    if (cJSON_IsArray(any)) return schema_any_of(any, depth);
    if (schema_is(schema, "string")) return new_type(SL_STR);
    if (schema_is(schema, "integer")) return new_type(SL_INT);
    if (schema_is(schema, "number")) return new_type(SL_FLOAT);
    if (schema_is(schema, "boolean")) return new_type(SL_BOOL);
    if (schema_is(schema, "object")) return new_type(SL_DICT);
    if (schema_is(schema, "array")) {
        if (!(t = new_type(SL_LIST))) return NULL;
        t->inner = schema_type(cJSON_GetObjectItemCaseSensitive(schema, "items"), depth + 1);
        if (!t->inner) { sl_type_free(t); return NULL; }
        return t;
    }
    return new_type(SL_OTHER);
}

static sl_type *schema_any_of(const cJSON *any, int depth)
{
    const cJSON *m, *first = NULL;
    bool has_null = false;
    sl_type *t, *o;
    cJSON_ArrayForEach(m, any) {
        if (schema_is(m, "null")) has_null = true;
        else if (!first) first = m;
    }
    t = first ? schema_type(first, depth + 1) : new_type(SL_OTHER);
    if (!t || !has_null) return t;
    if (!(o = new_type(SL_OPTIONAL))) { sl_type_free(t); return NULL; }
    o->inner = t;
    return o;
}

sl_type *sl_type_from_schema(const cJSON *schema)
{
    return schema_type(schema, 0);
}

void sl_type_free(sl_type *t)
{
    if (!t) return;
    sl_type_free(t->inner);
    for (size_t i = 0; i < t->nlits; i++) free(t->lits[i]);
    free(t->lits);
    free(t);
}

cJSON *sl_type_placeholder(const sl_type *t)
{
    switch (t->kind) {
    case SL_INT: return cJSON_CreateNumber(0);
    case SL_FLOAT: return cJSON_CreateNumber(0.0);
    case SL_BOOL: return cJSON_CreateFalse();
    case SL_LITERAL: return cJSON_CreateString(t->nlits ? t->lits[0] : "unknown");
    case SL_LIST: return cJSON_CreateArray();
    case SL_DICT: return cJSON_CreateObject();
    case SL_OPTIONAL: return cJSON_CreateNull();
    case SL_STR:
    case SL_OTHER: break;
    }
    return cJSON_CreateString("unknown");
}
