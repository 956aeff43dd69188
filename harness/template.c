/*
 * template.c — input templates (see template.h).
 */
#include "template.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct sbuf {
    char *s;
    size_t n, cap;
} sbuf;

static int put(sbuf *b, const char *s, size_t n)
{
    if (b->n + n + 1 > b->cap) {
        size_t cap = (b->n + n + 1) * 2;
        char *p = realloc(b->s, cap);
        if (!p) return -1;
        b->s = p;
        b->cap = cap;
    }
    memcpy(b->s + b->n, s, n);
    b->n += n;
    b->s[b->n] = '\0';
    return 0;
}

/* Value of one placeholder, appended to b. */
static int put_value(sbuf *b, const char *name, size_t len, const hx_transcript *t, char why[256])
{
    char key[128];
    const cJSON *v;
    if (len >= sizeof key) {
        snprintf(why, 256, "placeholder name too long");
        return -1;
    }
    memcpy(key, name, len);
    key[len] = '\0';
    if (strcmp(key, "transcript") == 0) {
        char *r = hx_transcript_render(t);
        int rc = r ? put(b, r, strlen(r)) : -1;
        free(r);
        return rc;
    }
    if (strcmp(key, "call_date") == 0) return put(b, t->call_date, strlen(t->call_date));
    if (strcmp(key, "id") == 0) return put(b, t->id, strlen(t->id));
    if (strcmp(key, "call_started_at") == 0) {
        if (!t->call_started_at) {
            snprintf(why, 256, "{call_started_at}: transcript %s gives only call_date", t->id);
            return -1;
        }
        return put(b, t->call_started_at, strlen(t->call_started_at));
    }
    v = t->context ? cJSON_GetObjectItemCaseSensitive(t->context, key) : NULL;
    if (!v) {
        snprintf(why, 256, "{%s}: not a built-in placeholder (transcript, call_date, call_started_at, id) "
                 "and not a key of transcript %s's context", key, t->id);
        return -1;
    }
    if (cJSON_IsString(v)) return put(b, v->valuestring, strlen(v->valuestring));
    char *j = cJSON_PrintUnformatted(v);
    int rc = j ? put(b, j, strlen(j)) : -1;
    free(j);
    return rc;
}

char *hx_template_render(const char *tpl, const hx_transcript *t, char why[256])
{
    sbuf b = {0};
    const char *s = tpl;
    if (put(&b, "", 0) != 0) goto oom;
    while (*s) {
        if (s[0] == '{' && s[1] == '{') { if (put(&b, "{", 1)) goto oom; s += 2; continue; }
        if (s[0] == '}' && s[1] == '}') { if (put(&b, "}", 1)) goto oom; s += 2; continue; }
        if (*s == '{') {
            const char *e = strchr(s, '}');
            if (!e) {
                snprintf(why, 256, "unclosed '{' in template \"%.60s\"", tpl);
                free(b.s);
                return NULL;
            }
            if (put_value(&b, s + 1, (size_t)(e - s - 1), t, why) != 0) {
                free(b.s);
                return NULL;
            }
            s = e + 1;
            continue;
        }
        const char *n = s + 1;
        while (*n && *n != '{' && *n != '}') n++;
        if (put(&b, s, (size_t)(n - s))) goto oom;
        s = n;
    }
    return b.s;
oom:
    free(b.s);
    snprintf(why, 256, "out of memory");
    return NULL;
}

cJSON *hx_template_inputs(const hx_module_config *m, const hx_transcript *t, char why[256])
{
    cJSON *in = cJSON_CreateObject();
    if (!in) { snprintf(why, 256, "out of memory"); return NULL; }
    for (size_t i = 0; i < m->ninputs; i++) {
        char *v = hx_template_render(m->inputs[i].template_, t, why);
        if (!v) { cJSON_Delete(in); return NULL; }
        if (!cJSON_AddStringToObject(in, m->inputs[i].name, v)) {
            free(v);
            cJSON_Delete(in);
            snprintf(why, 256, "out of memory");
            return NULL;
        }
        free(v);
    }
    return in;
}
