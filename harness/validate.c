/*
 * validate.c — whole-suite validation (see validate.h).
 */
#include "validate.h"

#include <stdlib.h>
#include <string.h>

#include "assertion.h"
#include "template.h"

void hx_transcript_ctx(const hx_transcript *t, hx_norm_ctx *ctx)
{
    memset(ctx, 0, sizeof *ctx);
    ctx->ref_year = t->year;
    ctx->ref_month = t->month;
    ctx->ref_day = t->day;
    ctx->region = "US";
}

/* The module of agent a that outputs field, or NULL. */
static const hx_module_config *owner(const hx_agent_config *a, const char *field)
{
    for (size_t k = 0; k < a->nmodules; k++)
        if (hx_signature_output(&a->modules[k].sig, field)) return &a->modules[k];
    return NULL;
}

int hx_validate_transcript(const hx_agent_config *a, const hx_transcript *t, hx_diags *d)
{
    hx_norm_ctx ctx;
    const cJSON *it;
    hx_jpath ep = hx_jpath_key(&t->path, "expected");
    int bad = 0;

    hx_transcript_ctx(t, &ctx);
    cJSON_ArrayForEach(it, t->expected) {
        hx_jpath q = hx_jpath_key(&ep, it->string);
        const hx_module_config *m = owner(a, it->string);
        const hx_rule *r;
        char why[512];
        if (!m) {
            hx_doc_diag(d, t->src, &q, "\"%s\" is not an output of any module of agent \"%s\"",
                        it->string, a->name);
            bad = 1;
            continue;
        }
        if (!m->parts_ok) continue; /* its rules did not load; already reported */
        r = hx_rules_find(&m->rules, it->string);
        if (!r) {
            hx_doc_diag(d, t->src, &q, "no rule for \"%s\" in %s", it->string, m->assertions);
            bad = 1;
            continue;
        }
        if (hx_expected_valid(r, it, &ctx, why) != 0) {
            hx_doc_diag(d, t->src, &q, "%s", why);
            bad = 1;
        }
    }
    for (size_t k = 0; k < a->nmodules; k++) {
        const hx_module_config *m = &a->modules[k];
        for (size_t i = 0; i < m->ninputs; i++) {
            char why[256];
            char *v = hx_template_render(m->inputs[i].template_, t, why);
            if (!v) {
                hx_doc_diag(d, t->src, &t->path, "module \"%s\" input \"%s\": %s", m->name,
                            m->inputs[i].name, why);
                bad = 1;
            }
            free(v);
        }
    }
    return bad ? -1 : 0;
}

int hx_validate_suite(hx_suite *s, hx_diags *d, size_t *counts)
{
    int bad = hx_suite_load_parts(s, d) != 0;
    for (size_t a = 0; a < s->nagents; a++) {
        hx_agent_config *ag = &s->agents[a];
        hx_tscan *sc;
        hx_error err;
        hx_transcript t;
        int rc;
        if (counts) counts[a] = 0;
        if (!ag->transcripts) continue;
        if (hx_tscan_open(ag->transcripts, &sc, &err) != 0) {
            hx_diags_add(d, "", 0, 0, "", "agent \"%s\": %s", ag->name, err.msg);
            bad = 1;
            continue;
        }
        while ((rc = hx_tscan_next(sc, &t, d)) != 0) {
            if (rc < 0) { bad = 1; continue; }
            if (hx_validate_transcript(ag, &t, d) != 0) bad = 1;
            hx_transcript_free(&t);
        }
        if (hx_tscan_count(sc) == 0 && !bad) {
            hx_diags_add(d, ag->transcripts, 0, 0, "", "agent \"%s\" has no transcripts", ag->name);
            bad = 1;
        }
        if (counts) counts[a] = hx_tscan_count(sc);
        hx_tscan_close(sc);
    }
    return bad ? -1 : 0;
}
