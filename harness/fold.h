/*
 * fold.h — what the `text` rule needs besides the normaliser itself.
 *
 * hx_norm_text (declared in canon.h, written in norm_text.c) folds case,
 * accents, punctuation and spacing so that "José O’Brien" and "jose obrien"
 * compare equal. A text rule with min_similarity then scores the two folded
 * strings with hx_text_similarity, so a one-letter slip in a long name
 * ("Katherine" / "Catherine") can still pass while a different name fails.
 */
#ifndef HX_FOLD_H
#define HX_FOLD_H

/* Longest input, in code points, that hx_text_similarity scores by edit
 * distance. Folded values are at most HX_CANON_MAX-1 bytes, so real inputs
 * are far below this; the bound only stops a caller from handing over a
 * megabyte and paying O(n*m) time for it. */
#define HX_SIM_MAX_CP 4096

/*
 * Similarity of two already-folded UTF-8 strings: 1 - d / max(len), where d
 * is the Levenshtein distance and len counts Unicode code points (so "jose"
 * vs "josé" is one edit, not two bytes). Two empty strings score 1.0; an
 * empty and a non-empty string score 0.0. NULL reads as "".
 *
 * Time O(n*m), memory O(min(n, m)). If either side is longer than
 * HX_SIM_MAX_CP code points, no distance is computed: identical strings
 * score 1.0 and anything else 0.0. If memory cannot be had (at most about
 * 32 KiB), the result is 0.0: a failed check is the safe mistake, a false
 * pass is not.
 */
double hx_text_similarity(const char *a_folded, const char *b_folded);

#endif
