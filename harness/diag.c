/*
 * diag.c — the problem list behind `harness validate` (see diag.h).
 */
#include "diag.h"

#include <cjson/cJSON.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

static char *dup_or_empty(const char *s)
{
    return strdup(s ? s : "");
}

void hx_diags_add(hx_diags *d, const char *file, int line, int col,
                  const char *path, const char *fmt, ...)
{
    size_t max = d->max ? d->max : 1000;
    char msg[1024];
    va_list ap;
    if (d->n >= max) {
        d->dropped++;
        return;
    }
    if (d->n == d->cap) {
        size_t cap = d->cap ? d->cap * 2 : 16;
        hx_diag *v = realloc(d->v, cap * sizeof *v);
        if (!v) { d->dropped++; return; }
        d->v = v;
        d->cap = cap;
    }
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    hx_diag *g = &d->v[d->n++];
    g->file = dup_or_empty(file);
    g->line = line;
    g->col = col;
    g->path = dup_or_empty(path);
    g->msg = strdup(msg);
}

void hx_diags_print(const hx_diags *d, FILE *f)
{
    for (size_t i = 0; i < d->n; i++) {
        const hx_diag *g = &d->v[i];
        if (g->file[0]) {
            fputs(g->file, f);
            if (g->line > 0) fprintf(f, ":%d:%d", g->line, g->col);
            fputs(": ", f);
        }
        if (g->path[0]) fprintf(f, "%s: ", g->path);
        fprintf(f, "%s\n", g->msg ? g->msg : "(out of memory)");
    }
    if (d->dropped)
        fprintf(f, "... and %zu more problems not shown\n", d->dropped);
}

void hx_diags_print_json(const hx_diags *d, FILE *f)
{
    cJSON *arr = cJSON_CreateArray();
    for (size_t i = 0; i < d->n; i++) {
        const hx_diag *g = &d->v[i];
        cJSON *o = cJSON_CreateObject();
        cJSON_AddStringToObject(o, "file", g->file);
        cJSON_AddNumberToObject(o, "line", g->line);
        cJSON_AddNumberToObject(o, "col", g->col);
        cJSON_AddStringToObject(o, "path", g->path);
        cJSON_AddStringToObject(o, "message", g->msg ? g->msg : "");
        cJSON_AddItemToArray(arr, o);
    }
    char *s = cJSON_PrintUnformatted(arr);
    if (s) { fprintf(f, "%s\n", s); free(s); }
    cJSON_Delete(arr);
}

void hx_diags_free(hx_diags *d)
{
    for (size_t i = 0; i < d->n; i++) {
        free(d->v[i].file);
        free(d->v[i].path);
        free(d->v[i].msg);
    }
    free(d->v);
    memset(d, 0, sizeof *d);
}
