/*
 * strset.h — a set of strings (open addressing), for duplicate detection
 * such as transcript ids within an agent. Keys are copied; the set owns them.
 */
#ifndef HX_STRSET_H
#define HX_STRSET_H

#include <stdbool.h>
#include <stddef.h>

typedef struct hx_strset {
    char **slot;
    size_t cap, n;
} hx_strset;

/* Add s; returns 1 if added, 0 if already present, -1 on out of memory. */
int hx_strset_add(hx_strset *set, const char *s);
bool hx_strset_has(const hx_strset *set, const char *s);
void hx_strset_free(hx_strset *set);

#endif
