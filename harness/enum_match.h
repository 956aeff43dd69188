/*
 * enum_match.h — closed sets of values: the `enum` and `label` rules.
 *
 * An enum rule lists canonical keys with aliases ("Blue Cross Blue Shield":
 * ["BCBS", "Blue Cross"]); a label rule is the same thing without aliases
 * ("covered", "needs_pa", "denied"). Both sides of a check are mapped to a
 * key here and the keys compared, so "BCBS" and "blue cross" agree.
 *
 * Everything is compared after hx_norm_text folding (norm_text.c): case,
 * accents, apostrophes and spacing do not matter, and punctuation including
 * '_' and '-' separates words, so the label key needs_pa is matched by
 * "needs_pa", "needs-pa", "Needs PA" and "needs pa" (but not "needspa").
 *
 * Matching, in order:
 *   1. The folded input equals a folded key or alias: that key.
 *   2. Otherwise a whole-word search: a key is found when one of its folded
 *      names occurs in the folded input at word boundaries ("Blue Cross
 *      PPO" finds Blue Cross Blue Shield; "Blue Crossing" finds nothing).
 *      Two refinements keep this from answering wrongly:
 *        - an occurrence inside a longer occurrence of another key's name
 *          does not count ("not covered" is the label not_covered, not
 *          covered as well);
 *        - an occurrence with a negation among the two words before it
 *          (not, never, isn't, wasn't, don't, doesn't, didn't, can't,
 *          cannot, won't, without, neither, nor, non) or "no" right before
 *          it does not count, so "the claim was not denied" is no label
 *          rather than `denied`. ("No, it's covered" therefore finds
 *          covered; "it's not denied, it's covered" finds covered.)
 *      One key found: that key. Several: ambiguous. None: no match.
 * Exact matching cannot be ambiguous because hx_enum_add refuses a key or
 * alias that folds to a name another key already has.
 */
#ifndef HX_ENUM_MATCH_H
#define HX_ENUM_MATCH_H

#include <stddef.h>

#include "canon.h"
#include "error.h"

typedef struct hx_enum_value {
    char *key;        /* canonical spelling, as given */
    char **aliases;   /* as given */
    size_t naliases;
} hx_enum_value;

/* Start from `hx_enum e = {0};`. Owns its strings; free with hx_enum_free. */
typedef struct hx_enum {
    hx_enum_value *values;
    size_t n;
} hx_enum;

typedef enum { HX_ENUM_MATCHED, HX_ENUM_NO_MATCH, HX_ENUM_AMBIGUOUS } hx_enum_outcome;

/*
 * Add a key with n aliases (aliases may be NULL when n is 0); the strings
 * are copied. Refuses, leaving e unchanged, a key or alias that folds to
 * nothing ("--"), a key that folds like an existing key, and a key or alias
 * that folds like a name of ANOTHER key (the message names both keys). An
 * alias that folds like its own key is harmless and accepted.
 */
int hx_enum_add(hx_enum *e, const char *key, const char *const *aliases, size_t n,
                hx_error *err);

/*
 * Match `in` as described above. On HX_ENUM_MATCHED *key_out is the key
 * (borrowed from e) and why is "" for an exact match or names what was
 * found ("\"Blue Cross PPO\" contains Blue Cross Blue Shield"). Otherwise
 * *key_out is NULL and why says why, e.g.
 *   "\"Blue Cross United\" matches both Blue Cross Blue Shield and UnitedHealthcare"
 *   "\"Cigna\" is none of: Blue Cross Blue Shield, UnitedHealthcare"
 * key_out may be NULL. A NULL `in`, or one the fold refuses, is no match.
 */
hx_enum_outcome hx_enum_match(const hx_enum *e, const char *in, const char **key_out,
                              char why[HX_WHY_MAX]);

/* Free every string and reset e to empty (reusable). NULL is fine. */
void hx_enum_free(hx_enum *e);

#endif
