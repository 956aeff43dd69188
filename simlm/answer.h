/*
 * answer.h — what simlm "thinks" the output fields are.
 *
 * The answer is a JSON object with one member per output field, in the
 * prompt's order, holding the value simlm means (a string, number, bool,
 * array or null); reply.c then writes it in the adapter's format. For a
 * prompt whose input is a known transcript the values start from the
 * transcript's `expected`, and each tag whose skill the prompt does not
 * teach overrides its fields with the transcript's context.simlm[tag]
 * hint. Unknown prompts get placeholders; optimizer fields get prose.
 */
#ifndef SL_ANSWER_H
#define SL_ANSWER_H

#include <cjson/cJSON.h>

#include "prompt.h"
#include "prose.h"
#include "skills.h"
#include "truth.h"

typedef struct sl_model {
    const sl_truth *truth;
    sl_teaching teaching;
    sl_prose_cfg prose;
} sl_model;

typedef struct sl_answer {
    cJSON *values;          /* owned object: field name -> value */
    const sl_case *matched; /* borrowed from the truth index; NULL if unknown */
    unsigned untaught;      /* tags whose hints were applied */
} sl_answer;

/* Returns 0, or -1 when out of memory. */
int sl_answer_make(const sl_model *m, const sl_prompt *p, sl_answer *out);
void sl_answer_free(sl_answer *a);

#endif
