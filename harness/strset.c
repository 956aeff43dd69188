/*
 * strset.c — string set with linear probing (see strset.h). FNV-1a hashing;
 * the table doubles at 50 % load so probes stay short.
 */
#include "strset.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

static uint64_t fnv1a(const char *s)
{
    uint64_t h = 1469598103934665603ULL;
    for (; *s; s++) {
        h ^= (unsigned char)*s;
        h *= 1099511628211ULL;
    }
    return h;
}

static int grow(hx_strset *set)
{
    size_t cap = set->cap ? set->cap * 2 : 64;
    char **slot = calloc(cap, sizeof *slot);
    if (!slot) return -1;
    for (size_t i = 0; i < set->cap; i++) {
        if (!set->slot[i]) continue;
        size_t j = fnv1a(set->slot[i]) & (cap - 1);
        while (slot[j]) j = (j + 1) & (cap - 1);
        slot[j] = set->slot[i];
    }
    free(set->slot);
    set->slot = slot;
    set->cap = cap;
    return 0;
}

bool hx_strset_has(const hx_strset *set, const char *s)
{
    if (!set->cap) return false;
    for (size_t j = fnv1a(s) & (set->cap - 1); set->slot[j]; j = (j + 1) & (set->cap - 1))
        if (strcmp(set->slot[j], s) == 0) return true;
    return false;
}

int hx_strset_add(hx_strset *set, const char *s)
{
    if (hx_strset_has(set, s)) return 0;
    if ((set->n + 1) * 2 > set->cap && grow(set) != 0) return -1;
    size_t j = fnv1a(s) & (set->cap - 1);
    while (set->slot[j]) j = (j + 1) & (set->cap - 1);
    set->slot[j] = strdup(s);
    if (!set->slot[j]) return -1;
    set->n++;
    return 1;
}

void hx_strset_free(hx_strset *set)
{
    for (size_t i = 0; i < set->cap; i++) free(set->slot[i]);
    free(set->slot);
    memset(set, 0, sizeof *set);
}
