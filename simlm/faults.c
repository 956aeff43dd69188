/*
 * faults.c — fault decisions and the per-body attempt counter (faults.h).
 *
 * The counter is an open-addressing hash table keyed by the body's SHA-256
 * (the first 16 hex digits are a well-spread hash already). It grows
 * without bound by design: one entry per distinct request body, which for
 * a 100,000-case run is a few megabytes.
 */
#include "faults.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rng.h"

typedef struct slot {
    char sha[65];    /* "" = empty */
    unsigned count;
} slot;

struct sl_faults {
    sl_fault_cfg cfg;
    pthread_mutex_t mu;
    slot *tab;
    size_t cap, used;   /* cap is a power of two */
};

/* Which faults are drawn, in priority order: the first that fires wins. */
static const sl_fault ORDER[] = {
    SL_FAULT_HANG, SL_FAULT_429, SL_FAULT_500, SL_FAULT_MALFORMED, SL_FAULT_EMPTY, SL_FAULT_TRUNCATE,
};

const char *sl_fault_name(sl_fault f)
{
    static const char *const NAMES[SL_FAULT_COUNT] = {
        "none", "outage", "hang", "429", "500", "malformed", "empty", "truncate",
    };
    return (unsigned)f < SL_FAULT_COUNT ? NAMES[f] : "?";
}

sl_faults *sl_faults_new(const sl_fault_cfg *cfg)
{
    sl_faults *f = calloc(1, sizeof *f);
    if (!f) return NULL;
    f->cfg = *cfg;
    f->cap = 1024;
    f->tab = calloc(f->cap, sizeof *f->tab);
    if (!f->tab) { free(f); return NULL; }
    pthread_mutex_init(&f->mu, NULL);
    return f;
}

void sl_faults_free(sl_faults *f)
{
    if (!f) return;
    pthread_mutex_destroy(&f->mu);
    free(f->tab);
    free(f);
}

static size_t hash_of(const char *sha)
{
    size_t h = 0;
    for (int i = 0; i < 16 && sha[i]; i++)
        h = (h << 4) | (size_t)(sha[i] <= '9' ? sha[i] - '0' : (sha[i] | 0x20) - 'a' + 10);
    return h;
}

static slot *find(slot *tab, size_t cap, const char *sha)
{
    size_t i = hash_of(sha) & (cap - 1);
    while (tab[i].sha[0] && strcmp(tab[i].sha, sha) != 0) i = (i + 1) & (cap - 1);
    return &tab[i];
}

/* Double the table when it is 70 % full. Returns -1 if out of memory (the
 * old table stays valid). */
static int grow(sl_faults *f)
{
    size_t cap = f->cap * 2;
    slot *tab;
    if (f->used * 10 < f->cap * 7) return 0;
    if (!(tab = calloc(cap, sizeof *tab))) return -1;
    for (size_t i = 0; i < f->cap; i++)
        if (f->tab[i].sha[0]) *find(tab, cap, f->tab[i].sha) = f->tab[i];
    free(f->tab);
    f->tab = tab;
    f->cap = cap;
    return 0;
}

/* This body's attempt number, counting this one. Out of memory makes
 * every attempt of a new body look like a first one: still a valid
 * answer, just not a retry-aware one. */
static unsigned count_attempt(sl_faults *f, const char *sha)
{
    slot *s;
    unsigned n = 1;
    pthread_mutex_lock(&f->mu);
    if (grow(f) == 0 || f->used + 1 < f->cap) {
        s = find(f->tab, f->cap, sha);
        if (!s->sha[0]) {
            memcpy(s->sha, sha, 65);
            f->used++;
        }
        n = ++s->count;
    }
    pthread_mutex_unlock(&f->mu);
    return n;
}

sl_fault sl_faults_decide(sl_faults *f, const char body_sha[65], unsigned *attempt)
{
    char att[16];
    *attempt = count_attempt(f, body_sha);
    if (f->cfg.once && *attempt > 1) return SL_FAULT_NONE;
    snprintf(att, sizeof att, "%u", *attempt);
    for (size_t i = 0; i < sizeof ORDER / sizeof ORDER[0]; i++) {
        double p = f->cfg.rate[ORDER[i]];
        if (p > 0 && sl_draw(f->cfg.seed, body_sha, att, sl_fault_name(ORDER[i])) < p) return ORDER[i];
    }
    return SL_FAULT_NONE;
}
