/*
 * numwords.h — English number words to integers.
 *
 * Spoken values arrive as words: "seventy one bucks", "a party of six",
 * "one thousand three hundred and ten dollars", "the twenty-first". This
 * module reads the longest run of number words at a position of an
 * hx_tokens list (see text.h) and returns its value, so the date, time,
 * integer and money normalisers share one reading of numbers.
 *
 * Accepted: zero..nineteen, tens, "hundred", "thousand", "million",
 * "billion", "and" between parts ("one hundred and five"), "a"/"an" before a
 * scale word ("a hundred"), "a dozen" / "dozen" (12), "a couple" (2),
 * ordinals ("first".."nineteenth", "twentieth", "twenty first",
 * "hundredth"), and digit tokens mixed with scale words ("2 million",
 * "1.5 million" is refused: fractions are not integers).
 * Not accepted: malformed sequences such as "twenty twenty" or "five three"
 * (the run stops before the second word, so callers see leftover words and
 * refuse).
 */
#ifndef HX_NUMWORDS_H
#define HX_NUMWORDS_H

#include <stdbool.h>
#include <stdint.h>

#include "text.h"

typedef struct hx_numword {
    int64_t value;
    int consumed;     /* tokens used, >= 1 on success */
    bool ordinal;     /* the run ended in an ordinal word or suffix ("fifth", "5th") */
} hx_numword;

/* Read a number starting at token `at`. Digit tokens ("42", "5th") count
 * as numbers too, alone or before a scale word. Returns 0 and fills *out,
 * or -1 if no number starts at `at` or it overflows int64. */
int hx_numwords_read(const hx_tokens *tk, int at, hx_numword *out);

/* Value of a single word 0..19, tens, or its ordinal; -1 if not one. */
int hx_numword_small(const char *w, bool *ordinal);

#endif
