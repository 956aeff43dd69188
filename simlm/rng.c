/*
 * rng.c — draws as SHA-256 of the seed and the parts (see rng.h).
 *
 * SHA-256 is far slower than a PRNG but a request needs only a handful of
 * draws, and a cryptographic hash keeps draws for related inputs ("once",
 * "twice") independent, so rates behave as documented.
 */
#include "rng.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "program.h"

uint64_t sl_draw_u64(uint64_t seed, const char *a, const char *b, const char *c)
{
    char head[32], hex[65];
    size_t la = a ? strlen(a) : 0, lb = b ? strlen(b) : 0, lc = c ? strlen(c) : 0;
    size_t lh = (size_t)snprintf(head, sizeof head, "%llu", (unsigned long long)seed);
    /* Parts are joined with a unit separator so ("ab","c") != ("a","bc"). */
    size_t n = lh + la + lb + lc + 3;
    char *msg = malloc(n);
    uint64_t v = 0;
    if (!msg) return seed * 0x9e3779b97f4a7c15ull; /* still deterministic */
    memcpy(msg, head, lh);
    msg[lh] = '\x1f';
    if (la) memcpy(msg + lh + 1, a, la);
    msg[lh + 1 + la] = '\x1f';
    if (lb) memcpy(msg + lh + 2 + la, b, lb);
    msg[lh + 2 + la + lb] = '\x1f';
    if (lc) memcpy(msg + lh + 3 + la + lb, c, lc);
    hx_sha256_hex(msg, n, hex);
    free(msg);
    for (int i = 0; i < 16; i++) {
        char ch = hex[i];
        v = (v << 4) | (uint64_t)(ch <= '9' ? ch - '0' : ch - 'a' + 10);
    }
    return v;
}

double sl_draw(uint64_t seed, const char *a, const char *b, const char *c)
{
    /* The top 53 bits make an exactly representable double in [0, 1). */
    return (double)(sl_draw_u64(seed, a, b, c) >> 11) / 9007199254740992.0;
}

unsigned sl_draw_index(uint64_t seed, const char *a, const char *b, const char *c, unsigned n)
{
    return (unsigned)(sl_draw_u64(seed, a, b, c) % n);
}
