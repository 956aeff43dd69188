/*
 * prose.h — the text simlm writes for DSPy's optimizer prompts.
 *
 * MIPROv2's GroundedProposer asks the LM to describe the data set
 * (`observations`, `summary`), the program (`program_description`,
 * `module_description`) and to propose new instructions
 * (`proposed_instruction`); see dspy-interop.md §4.4. simlm answers these
 * with plausible text. A proposed instruction is the prompt's
 * basic_instruction reworded, and sometimes (--teach-rate, default 1 in 3)
 * carries one or two teaching phrases, drawn from every skill's phrases
 * and, under --drift, the drifted skill's drift phrase: that is what lets
 * an optimizer discover instructions that raise accuracy.
 */
#ifndef SL_PROSE_H
#define SL_PROSE_H

#include <stdbool.h>
#include <stdint.h>

#include "prompt.h"
#include "skills.h"

typedef struct sl_prose_cfg {
    uint64_t seed;
    double teach_rate;       /* chance a proposed instruction teaches */
    const sl_skill *drifted; /* NULL: no drift */
} sl_prose_cfg;

/* Is name one of the optimizer output fields above? */
bool sl_prose_field(const char *name);
/* The text for optimizer field `name` (an owned string), NULL when out of
 * memory. Deterministic in the request. */
char *sl_prose(const sl_prose_cfg *cfg, const sl_prompt *p, const char *name);

#endif
