/*
 * truth.c — loading and searching the transcript index (see truth.h).
 *
 * Transcripts are read with the harness's own scanner (hx_tscan) and
 * rendered with its own hx_transcript_render, so "matches" here means
 * "is what the harness sends". Entries are kept in one array sorted by
 * key; a lookup is a binary search per input value.
 */
#include "truth.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "program.h"
#include "strbuf.h"
#include "transcript.h"

static void key_of(const char *s, size_t n, char out[65])
{
    sl_trim(&s, &n);
    hx_sha256_hex(s, n, out);
}

static void case_free(sl_case *c)
{
    free(c->id);
    for (size_t i = 0; i < c->ntags; i++) free(c->tags[i]);
    free(c->tags);
    cJSON_Delete(c->expected);
    cJSON_Delete(c->hints);
    memset(c, 0, sizeof *c);
}

static int case_from(const hx_transcript *tr, sl_case *c)
{
    char *text = hx_transcript_render(tr);
    const cJSON *hints = cJSON_GetObjectItemCaseSensitive(tr->context, "simlm");
    memset(c, 0, sizeof *c);
    if (!text) return -1;
    key_of(text, strlen(text), c->key);
    free(text);
    c->id = strdup(tr->id);
    c->tags = tr->ntags ? calloc(tr->ntags, sizeof *c->tags) : NULL;
    c->expected = cJSON_Duplicate(tr->expected, 1);
    c->hints = cJSON_IsObject(hints) ? cJSON_Duplicate(hints, 1) : NULL;
    if (!c->id || (tr->ntags && !c->tags) || !c->expected || (cJSON_IsObject(hints) && !c->hints)) {
        case_free(c);
        return -1;
    }
    for (size_t i = 0; i < tr->ntags; i++) {
        if (!(c->tags[i] = strdup(tr->tags[i]))) { case_free(c); return -1; }
        c->ntags++;
    }
    return 0;
}

static int push(sl_truth *t, const hx_transcript *tr)
{
    if (t->n == t->cap) {
        size_t cap = t->cap ? t->cap * 2 : 64;
        sl_case *v = realloc(t->v, cap * sizeof *v);
        if (!v) return -1;
        t->v = v;
        t->cap = cap;
    }
    if (case_from(tr, &t->v[t->n]) != 0) return -1;
    t->n++;
    t->sorted = false;
    return 0;
}

int sl_truth_load(sl_truth *t, const char *path, bool quiet, char why[512])
{
    hx_tscan *sc = NULL;
    hx_error err = {{0}};
    hx_diags d = {0};
    hx_transcript tr;
    size_t before = t->n;
    int rc;
    if (hx_tscan_open(path, &sc, &err) != 0) {
        snprintf(why, 512, "%s", err.msg);
        return -1;
    }
    while ((rc = hx_tscan_next(sc, &tr, &d)) != 0) {
        if (rc < 0) continue; /* reported below, with every other problem */
        rc = push(t, &tr);
        hx_transcript_free(&tr);
        if (rc != 0) {
            snprintf(why, 512, "%s: out of memory", path);
            hx_tscan_close(sc);
            hx_diags_free(&d);
            return -1;
        }
    }
    hx_tscan_close(sc);
    /* Problems are shown even when quiet: a transcript silently missing
     * from the index would look like a model mistake. */
    hx_diags_print(&d, stderr);
    if (d.n) fprintf(stderr, "simlm: %s: %zu problem(s); those transcripts are skipped\n", path, d.n);
    if (!quiet) fprintf(stderr, "simlm: %s: %zu transcript(s)\n", path, t->n - before);
    hx_diags_free(&d);
    return 0;
}

static int by_key(const void *a, const void *b)
{
    const sl_case *x = a, *y = b;
    int c = strcmp(x->key, y->key);
    if (c) return c;
    return strcmp(x->id, y->id); /* stable order for equal renderings */
}

void sl_truth_finish(sl_truth *t)
{
    if (t->n > 1) qsort(t->v, t->n, sizeof *t->v, by_key);
    t->sorted = true;
}

/* First index whose key is >= key. */
static size_t lower_bound(const sl_truth *t, const char *key)
{
    size_t lo = 0, hi = t->n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (strcmp(t->v[mid].key, key) < 0) lo = mid + 1;
        else hi = mid;
    }
    return lo;
}

static int overlap(const sl_case *c, const sl_prompt *p)
{
    int n = 0;
    for (size_t i = 0; i < p->noutputs; i++)
        if (cJSON_GetObjectItemCaseSensitive(c->expected, p->outputs[i].name)) n++;
    return n;
}

const sl_case *sl_truth_match(const sl_truth *t, const sl_prompt *p)
{
    const sl_case *best = NULL;
    int best_score = -1;
    if (!t || !t->sorted || t->n == 0) return NULL;
    for (size_t i = 0; i < p->nvalues; i++) {
        char key[65];
        key_of(p->values[i].text, strlen(p->values[i].text), key);
        for (size_t j = lower_bound(t, key); j < t->n && strcmp(t->v[j].key, key) == 0; j++) {
            int s = overlap(&t->v[j], p);
            if (s > best_score) { best = &t->v[j]; best_score = s; }
        }
    }
    return best;
}

void sl_truth_free(sl_truth *t)
{
    for (size_t i = 0; i < t->n; i++) case_free(&t->v[i]);
    free(t->v);
    memset(t, 0, sizeof *t);
}
