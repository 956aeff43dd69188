/*
 * signature.c — parsing and rendering field types (see signature.h).
 *
 * The grammar is deliberately small: the types DSPy users put on extraction
 * signatures. Anything else is refused with the list of what is accepted,
 * rather than half-understood.
 */
#include "signature.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char ACCEPTED[] =
    "str, int, float, bool, Literal['a', 'b', ...], list[T] or Optional[T]";

static void skip_sp(const char **p)
{
    while (isspace((unsigned char)**p)) (*p)++;
}

static int parse_type(const char **p, hx_type **out, char why[256], int depth);

static int parse_literals(const char **p, hx_type *t, char why[256])
{
    for (;;) {
        char q, buf[256];
        size_t k = 0;
        skip_sp(p);
        q = **p;
        if (q != '\'' && q != '"') {
            snprintf(why, 256, "Literal values must be quoted strings, e.g. Literal['yes', 'no']");
            return -1;
        }
        (*p)++;
        while (**p && **p != q) {
            if (**p == '\\' && (*p)[1]) (*p)++;
            if (k + 1 < sizeof buf) buf[k++] = **p;
            (*p)++;
        }
        if (**p != q) {
            snprintf(why, 256, "unterminated string in Literal[...]");
            return -1;
        }
        (*p)++;
        buf[k] = '\0';
        char **nl = realloc(t->literals, (t->nliterals + 1) * sizeof *nl);
        if (!nl) { snprintf(why, 256, "out of memory"); return -1; }
        t->literals = nl;
        t->literals[t->nliterals] = strdup(buf);
        if (!t->literals[t->nliterals]) { snprintf(why, 256, "out of memory"); return -1; }
        t->nliterals++;
        skip_sp(p);
        if (**p == ',') { (*p)++; skip_sp(p); if (**p == ']') return 0; continue; }
        if (**p == ']') return 0;
        snprintf(why, 256, "expected ',' or ']' in Literal[...]");
        return -1;
    }
}

static int word_is(const char **p, const char *w)
{
    size_t n = strlen(w);
    if (strncmp(*p, w, n) == 0 && !isalnum((unsigned char)(*p)[n]) && (*p)[n] != '_') {
        *p += n;
        return 1;
    }
    return 0;
}

static int parse_type(const char **p, hx_type **out, char why[256], int depth)
{
    hx_type *t = calloc(1, sizeof *t);
    int generic = 0;
    if (!t) { snprintf(why, 256, "out of memory"); return -1; }
    *out = t;
    if (depth > 8) { snprintf(why, 256, "type nested too deeply"); return -1; }
    skip_sp(p);
    if (word_is(p, "str")) t->kind = HX_TY_STR;
    else if (word_is(p, "int")) t->kind = HX_TY_INT;
    else if (word_is(p, "float")) t->kind = HX_TY_FLOAT;
    else if (word_is(p, "bool")) t->kind = HX_TY_BOOL;
    else if (word_is(p, "Literal")) { t->kind = HX_TY_LITERAL; generic = 1; }
    else if (word_is(p, "list") || word_is(p, "List")) { t->kind = HX_TY_LIST; generic = 1; }
    else if (word_is(p, "Optional")) { t->kind = HX_TY_OPTIONAL; generic = 1; }
    else {
        snprintf(why, 256, "unknown type \"%.40s\"; accepted: %s", *p, ACCEPTED);
        return -1;
    }
    if (!generic) return 0;
    skip_sp(p);
    if (**p != '[') { snprintf(why, 256, "expected '[' after %s", t->kind == HX_TY_LITERAL ? "Literal" : t->kind == HX_TY_LIST ? "list" : "Optional"); return -1; }
    (*p)++;
    if (t->kind == HX_TY_LITERAL) {
        if (parse_literals(p, t, why) != 0) return -1;
    } else {
        if (parse_type(p, &t->inner, why, depth + 1) != 0) return -1;
        skip_sp(p);
    }
    if (**p != ']') { snprintf(why, 256, "expected ']'"); return -1; }
    (*p)++;
    return 0;
}

int hx_type_parse(const char *s, hx_type **out, char why[256])
{
    const char *p = s;
    hx_type *t = NULL;
    why[0] = '\0';
    if (parse_type(&p, &t, why, 0) != 0) {
        hx_type_free(t);
        *out = NULL;
        return -1;
    }
    skip_sp(&p);
    if (*p) {
        snprintf(why, 256, "unexpected \"%.40s\" after the type; accepted: %s", p, ACCEPTED);
        hx_type_free(t);
        *out = NULL;
        return -1;
    }
    *out = t;
    return 0;
}

void hx_type_free(hx_type *t)
{
    if (!t) return;
    hx_type_free(t->inner);
    for (size_t i = 0; i < t->nliterals; i++) free(t->literals[i]);
    free(t->literals);
    free(t);
}

/* A string as Python's repr() writes it: single quotes unless the text
 * has a single quote and no double quote; backslashes and the chosen quote
 * escaped. */
static void py_repr(const char *s, char *buf, size_t cap)
{
    char q = strchr(s, '\'') && !strchr(s, '"') ? '"' : '\'';
    size_t k = 0;
    if (cap < 3) { if (cap) buf[0] = '\0'; return; }
    buf[k++] = q;
    for (; *s && k + 3 < cap; s++) {
        if (*s == q || *s == '\\') buf[k++] = '\\';
        buf[k++] = *s;
    }
    buf[k++] = q;
    buf[k] = '\0';
}

void hx_type_render(const hx_type *t, char *buf, size_t cap)
{
    char inner[512];
    size_t used;
    switch (t->kind) {
    case HX_TY_STR: snprintf(buf, cap, "str"); return;
    case HX_TY_INT: snprintf(buf, cap, "int"); return;
    case HX_TY_FLOAT: snprintf(buf, cap, "float"); return;
    case HX_TY_BOOL: snprintf(buf, cap, "bool"); return;
    case HX_TY_LIST:
        hx_type_render(t->inner, inner, sizeof inner);
        snprintf(buf, cap, "list[%s]", inner);
        return;
    case HX_TY_OPTIONAL:
        hx_type_render(t->inner, inner, sizeof inner);
        snprintf(buf, cap, "Optional[%s]", inner);
        return;
    case HX_TY_LITERAL:
        snprintf(buf, cap, "Literal[");
        for (size_t i = 0; i < t->nliterals; i++) {
            char q[256];
            py_repr(t->literals[i], q, sizeof q);
            used = strlen(buf);
            snprintf(buf + used, cap - used, "%s%s", i ? ", " : "", q);
        }
        used = strlen(buf);
        snprintf(buf + used, cap - used, "]");
        return;
    }
}

static void fields_free(hx_field *f, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        free(f[i].name);
        free(f[i].desc);
        hx_type_free(f[i].type);
    }
    free(f);
}

void hx_signature_free(hx_signature *sig)
{
    if (!sig) return;
    free(sig->instructions);
    fields_free(sig->inputs, sig->ninputs);
    fields_free(sig->outputs, sig->noutputs);
    memset(sig, 0, sizeof *sig);
}

static const hx_field *find(const hx_field *f, size_t n, const char *name)
{
    for (size_t i = 0; i < n; i++)
        if (strcmp(f[i].name, name) == 0) return &f[i];
    return NULL;
}

const hx_field *hx_signature_output(const hx_signature *sig, const char *name)
{
    return find(sig->outputs, sig->noutputs, name);
}

const hx_field *hx_signature_input(const hx_signature *sig, const char *name)
{
    return find(sig->inputs, sig->ninputs, name);
}
