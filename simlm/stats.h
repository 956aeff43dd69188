/*
 * stats.h — counters behind GET /stats.
 *
 * Tests and demos check what simlm did (how many requests, which faults
 * fired, how many prompts matched a known transcript) without parsing its
 * log. All counters are totals since start; updates are thread-safe.
 */
#ifndef SL_STATS_H
#define SL_STATS_H

#include <stdbool.h>

#include "faults.h"

typedef enum sl_outcome {
    SL_OUT_ANSWERED,    /* a chat completion was answered (faulty or not) */
    SL_OUT_BAD_REQUEST, /* 400 / 413 */
    SL_OUT_OTHER,       /* models, stats, 404, 405 */
    SL_OUT_ERROR,       /* simlm itself failed (out of memory) */
    SL_OUT_COUNT
} sl_outcome;

typedef struct sl_stats sl_stats;

sl_stats *sl_stats_new(void);
void sl_stats_free(sl_stats *s);

void sl_stats_begin(sl_stats *s);   /* a request arrived (in flight +1) */
/* A request finished with this HTTP status, outcome and fault. */
void sl_stats_end(sl_stats *s, int status, sl_outcome o, sl_fault f);
/* A completion's content: JSON mode or ChatAdapter, matched a transcript
 * or not, with this many untaught tags. */
void sl_stats_answer(sl_stats *s, bool json_mode, bool matched, unsigned untaught);
/* A completion request asked for this response_format (prompt.h). */
void sl_stats_response_format(sl_stats *s, int rf);

/* The counters as a JSON object (owned string; NULL on out of memory). */
char *sl_stats_json(sl_stats *s);

#endif
