/*
 * answer.c — choosing each output value (see answer.h).
 *
 * Order of decisions per field: ChainOfThought's `reasoning` is written
 * last (it describes what happened); optimizer fields get prose unless the
 * matched transcript itself expects that field; a matched transcript's
 * expected value; otherwise the type's placeholder. Then untaught tags'
 * hints override.
 */
#include "answer.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "strbuf.h"

/* A transcript's expected value as a model would say it: the first of
 * {"any_of": [...]}, anything else as it is. */
static cJSON *expected_value(const cJSON *v)
{
    const cJSON *any = cJSON_IsObject(v) ? cJSON_GetObjectItemCaseSensitive(v, "any_of") : NULL;
    if (cJSON_IsArray(any)) {
        const cJSON *first = cJSON_GetArrayItem(any, 0);
        return first ? cJSON_Duplicate(first, 1) : cJSON_CreateNull();
    }
    return cJSON_Duplicate(v, 1);
}

static cJSON *initial_value(const sl_model *m, const sl_prompt *p, const sl_case *c,
                            const sl_field *f)
{
    const cJSON *exp = c ? cJSON_GetObjectItemCaseSensitive(c->expected, f->name) : NULL;
    if (exp) return expected_value(exp);
    if (sl_prose_field(f->name)) {
        char *s = sl_prose(&m->prose, p, f->name);
        cJSON *v = s ? cJSON_CreateString(s) : NULL;
        free(s);
        return v;
    }
    return sl_type_placeholder(f->type);
}

static bool is_reasoning(const sl_field *f)
{
    return strcmp(f->name, "reasoning") == 0;
}

/* Replace the fields named in hint (an object) that are outputs. */
static int apply_hint(cJSON *values, const sl_prompt *p, const cJSON *hint)
{
    const cJSON *h;
    cJSON_ArrayForEach(h, hint) {
        const sl_field *f = h->string ? sl_prompt_output(p, h->string) : NULL;
        cJSON *v;
        if (!f || is_reasoning(f)) continue;
        if (!(v = cJSON_Duplicate(h, 1))) return -1;
        if (!cJSON_ReplaceItemInObjectCaseSensitive(values, f->name, v)) { cJSON_Delete(v); return -1; }
    }
    return 0;
}

/* Apply every untaught tag's hint; note which skills were taught / not,
 * for the reasoning sentence. */
static int apply_skills(const sl_model *m, const sl_prompt *p, sl_answer *a, sl_buf *did,
                        sl_buf *missed)
{
    const sl_case *c = a->matched;
    for (size_t i = 0; i < c->ntags; i++) {
        const sl_skill *s = sl_skill_for_tag(c->tags[i]);
        const cJSON *hint;
        if (!s) continue; /* a tag simlm has no skill for changes nothing */
        if (sl_skill_taught(&m->teaching, s, p->teach, c->id, p->prompt_sha)) {
            sl_buf_printf(did, "%s%s", did->len ? ", " : "", s->did);
            continue;
        }
        sl_buf_printf(missed, "%s%s", missed->len ? ", " : "", c->tags[i]);
        hint = c->hints ? cJSON_GetObjectItemCaseSensitive(c->hints, c->tags[i]) : NULL;
        if (cJSON_IsObject(hint) && apply_hint(a->values, p, hint) != 0) return -1;
        a->untaught++;
    }
    return 0;
}

static char *reasoning_text(const sl_answer *a, const char *did, const char *missed)
{
    sl_buf b = {0};
    if (!a->matched) {
        sl_buf_puts(&b, "The input gives too little to go on, so I filled every field with a neutral "
                        "default.");
        return sl_buf_take(&b);
    }
    sl_buf_puts(&b, "I read the call and took each requested detail from what the caller said");
    if (*did) sl_buf_printf(&b, "; I %s", did);
    if (*missed) sl_buf_printf(&b, "; I took the caller's words at face value where the call was "
                                   "tricky (%s)", missed);
    sl_buf_puts(&b, ".");
    return sl_buf_take(&b);
}

static int set_reasoning(const sl_prompt *p, sl_answer *a, const char *did, const char *missed)
{
    char *text;
    cJSON *v;
    bool any = false;
    for (size_t i = 0; i < p->noutputs; i++) any = any || is_reasoning(&p->outputs[i]);
    if (!any) return 0;
    text = reasoning_text(a, did, missed);
    v = text ? cJSON_CreateString(text) : NULL;
    free(text);
    if (!v) return -1;
    if (!cJSON_ReplaceItemInObjectCaseSensitive(a->values, "reasoning", v)) { cJSON_Delete(v); return -1; }
    return 0;
}

static int fill_initial(const sl_model *m, const sl_prompt *p, sl_answer *a)
{
    for (size_t i = 0; i < p->noutputs; i++) {
        const sl_field *f = &p->outputs[i];
        cJSON *v = is_reasoning(f) ? cJSON_CreateString("") : initial_value(m, p, a->matched, f);
        if (!v) return -1;
        if (!cJSON_AddItemToObject(a->values, f->name, v)) { cJSON_Delete(v); return -1; }
    }
    return 0;
}

int sl_answer_make(const sl_model *m, const sl_prompt *p, sl_answer *out)
{
    sl_buf did = {0}, missed = {0};
    char *d = NULL, *ms = NULL;
    int rc = -1;
    memset(out, 0, sizeof *out);
    out->values = cJSON_CreateObject();
    if (!out->values) return -1;
    out->matched = sl_truth_match(m->truth, p);
    if (fill_initial(m, p, out) != 0) goto done;
    if (out->matched && apply_skills(m, p, out, &did, &missed) != 0) goto done;
    d = sl_buf_take(&did);
    ms = sl_buf_take(&missed);
    if (!d || !ms) goto done;
    rc = set_reasoning(p, out, d, ms);
done:
    sl_buf_free(&did);
    sl_buf_free(&missed);
    free(d);
    free(ms);
    if (rc != 0) sl_answer_free(out);
    return rc;
}

void sl_answer_free(sl_answer *a)
{
    cJSON_Delete(a->values);
    memset(a, 0, sizeof *a);
}
