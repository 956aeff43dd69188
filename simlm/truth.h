/*
 * truth.h — the transcripts simlm "knows": its index of --truth folders.
 *
 * simlm plays an imperfect extraction model. To know what a perfect model
 * would answer it looks the prompt's input values up among the transcripts
 * of the --truth folders: a transcript matches when an input value equals
 * the transcript rendered exactly as the harness renders {transcript}
 * (hx_transcript_render; outer whitespace aside). The index keeps, per
 * transcript, only what answering needs: id, tags, the `expected` object
 * and the `context.simlm` hints (what an untaught model says per tag).
 */
#ifndef SL_TRUTH_H
#define SL_TRUTH_H

#include <cjson/cJSON.h>
#include <stdbool.h>
#include <stddef.h>

#include "prompt.h"

typedef struct sl_case {
    char key[65];     /* SHA-256 of the rendered turns (trimmed) */
    char *id;         /* owned */
    char **tags;      /* owned */
    size_t ntags;
    cJSON *expected;  /* owned: an object */
    cJSON *hints;     /* owned: context.simlm, or NULL */
} sl_case;

typedef struct sl_truth {
    sl_case *v;       /* sorted by key once loading is finished */
    size_t n, cap;
    bool sorted;
} sl_truth;

/* Add every transcript under path (a folder or a file). Malformed
 * transcripts are reported on stderr (always) and skipped; quiet only
 * silences the count. Returns 0,
 * or -1 with why when the path cannot be read at all. */
int sl_truth_load(sl_truth *t, const char *path, bool quiet, char why[512]);
/* Sort for lookups; call once after the last load. */
void sl_truth_finish(sl_truth *t);
/* The transcript whose rendering equals one of p's input values; when
 * several do (the same call in two agents), the one whose expected fields
 * best overlap p's outputs. NULL when none. */
const sl_case *sl_truth_match(const sl_truth *t, const sl_prompt *p);
void sl_truth_free(sl_truth *t);

#endif
