/*
 * rng.h — deterministic "random" draws for simlm.
 *
 * simlm must give the same answer to the same request, yet look random
 * across requests (which faults fire, which skills a model "knows anyway",
 * how a proposed instruction is worded). Every draw is therefore a hash of
 * the run's --seed and a few strings naming what is being decided (the
 * request body's SHA-256, the transcript id, the skill...), never a
 * stateful generator whose results would depend on request order.
 */
#ifndef SL_RNG_H
#define SL_RNG_H

#include <stdint.h>

/* 64 bits determined by seed and the three strings (NULL counts as ""). */
uint64_t sl_draw_u64(uint64_t seed, const char *a, const char *b, const char *c);
/* A number in [0, 1) determined the same way. */
double sl_draw(uint64_t seed, const char *a, const char *b, const char *c);
/* An index in [0, n) determined the same way (n > 0). */
unsigned sl_draw_index(uint64_t seed, const char *a, const char *b, const char *c, unsigned n);

#endif
