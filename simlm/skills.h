/*
 * skills.h — what a prompt can teach simlm, and how it forgets.
 *
 * Each transcript tag names a difficulty (a relative date, an ambiguous
 * time...). Each difficulty has a skill; a skill is taught when one of its
 * teaching phrases appears (case-insensitive) in the system message or in
 * any demo message. A transcript whose tag's skill is not taught gets the
 * untaught answer precomputed in its context.simlm[tag] hint.
 *
 * Two things keep accuracy from moving in hard steps:
 *  - "known anyway": each (transcript, skill, prompt) has a small chance
 *    (--known-anyway, default 0.25) that the model gets it right untaught;
 *  - --drift: a provider update breaks one skill (--drift-skill, default
 *    times). Its usual phrases stop teaching it and it is never known
 *    anyway; only its drift phrase teaches it. A drift phrase always
 *    teaches its skill, drifted or not, so prompts that found it keep
 *    working.
 */
#ifndef SL_SKILLS_H
#define SL_SKILLS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define SL_SKILL_PHRASES 2

typedef struct sl_skill {
    const char *name;                        /* "dates" */
    const char *tag;                         /* "relative-date" */
    const char *phrases[SL_SKILL_PHRASES];   /* lowercase teaching phrases */
    const char *sentences[SL_SKILL_PHRASES]; /* an instruction sentence holding each */
    const char *drift_phrase;                /* lowercase */
    const char *drift_sentence;
    const char *did;                         /* reasoning text: what the model did, taught */
} sl_skill;

size_t sl_skill_count(void);
const sl_skill *sl_skill_at(size_t i);
const sl_skill *sl_skill_named(const char *name);
const sl_skill *sl_skill_for_tag(const char *tag);

typedef struct sl_teaching {
    double known_anyway;     /* chance an untaught skill is right anyway */
    uint64_t seed;
    const sl_skill *drifted; /* NULL: no drift */
} sl_teaching;

/* Is skill s taught by a prompt whose program text (lowercased) is
 * teach_lower, for the transcript case_id, in the program prompt_sha? */
bool sl_skill_taught(const sl_teaching *cfg, const sl_skill *s, const char *teach_lower,
                     const char *case_id, const char *prompt_sha);

#endif
