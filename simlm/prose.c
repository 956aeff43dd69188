/*
 * prose.c — optimizer answers (see prose.h).
 *
 * Each text is chosen by draws keyed on the request body's hash, so the
 * same proposer call gets the same text and different calls (another tip,
 * other demos, another temperature) usually get different ones.
 */
#include "prose.h"

#include <stdlib.h>
#include <string.h>

#include "rng.h"
#include "strbuf.h"

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

static const char *const OBSERVATIONS[] = {
    "The examples are phone calls between an agent and a caller, each paired with the details "
    "the caller gave. Dates, times, counts and names recur in almost every sample; callers often "
    "speak them informally (\"tomorrow\", \"half seven\", \"four of us\"). The task appears to be "
    "structured information extraction from conversational transcripts.",
    "Most samples are short service calls. The caller states a request and a handful of facts "
    "that end up as typed fields; some facts are corrected mid-call and some are never given. "
    "Values in the outputs are normalised (ISO dates, 24 h times, digits) even when the speech "
    "is not.",
    "Every data point is a dialogue transcript with labelled outputs. The outputs are terse and "
    "canonical while the dialogue is colloquial, which suggests the model must interpret spoken "
    "forms rather than copy them.",
};

static const char *const SUMMARIES[] = {
    "The dataset is made of call transcripts whose caller-provided details must be extracted into "
    "typed fields. Spoken forms such as relative dates, bare hours and number words have to be "
    "normalised.",
    "Each example pairs a customer call with the structured details it contains. The main "
    "difficulty is turning informal speech into canonical values without inventing anything.",
};

static const char *const PROGRAM_DESCRIPTIONS[] = {
    "The program solves an information-extraction task: given a call transcript and its date, a "
    "single language-model step reads the conversation and fills typed output fields such as "
    "dates, times, counts and names, reasoning briefly before answering.",
    "This pipeline turns a customer phone call into a structured record. One predictor receives "
    "the rendered transcript plus context and returns each requested field.",
};

static const char *const MODULE_DESCRIPTIONS[] = {
    "This module is the extractor: it reads the whole transcript and outputs every requested "
    "field in its canonical form, leaving fields the caller never gave empty.",
    "The module maps the conversation to the output fields of the signature; it is the only "
    "step, so its instruction decides how spoken details are normalised.",
};

static const char *const OPENERS[] = {
    "",
    "You are a meticulous call-center analyst. ",
    "Read the entire call before answering. ",
    "You are reviewing recorded customer calls for a busy front desk. ",
    "Work carefully: these records are used to book real customers. ",
};

static const char *const CLOSERS[] = {
    "",
    " Answer every field.",
    " Be precise and do not add commentary.",
    " Double-check each value against the transcript.",
};

static const char DEFAULT_BASIC[] = "Extract the requested details from the call transcript.";

bool sl_prose_field(const char *name)
{
    return strcmp(name, "observations") == 0 || strcmp(name, "summary") == 0 ||
           strcmp(name, "program_description") == 0 || strcmp(name, "module_description") == 0 ||
           strcmp(name, "proposed_instruction") == 0;
}

static const char *pick(const sl_prose_cfg *cfg, const sl_prompt *p, const char *what,
                        const char *const *v, unsigned n)
{
    return v[sl_draw_index(cfg->seed, p->body_sha, what, NULL, n)];
}

/* The sentence for teaching phrase number k of the pool: every skill's
 * usual phrases, then (under drift) the drifted skill's drift phrase,
 * listed twice so drift fixes are not rarer than one usual phrase. */
static unsigned pool_size(const sl_prose_cfg *cfg)
{
    return (unsigned)(sl_skill_count() * SL_SKILL_PHRASES) + (cfg->drifted ? 2u : 0u);
}

static const char *pool_sentence(const sl_prose_cfg *cfg, unsigned k)
{
    size_t usual = sl_skill_count() * SL_SKILL_PHRASES;
    if (k < usual) return sl_skill_at(k / SL_SKILL_PHRASES)->sentences[k % SL_SKILL_PHRASES];
    return cfg->drifted->drift_sentence;
}

static void add_teaching(const sl_prose_cfg *cfg, const sl_prompt *p, sl_buf *b)
{
    unsigned n = pool_size(cfg);
    unsigned first = sl_draw_index(cfg->seed, p->body_sha, "phrase-1", NULL, n);
    sl_buf_printf(b, " %s", pool_sentence(cfg, first));
    if (sl_draw(cfg->seed, p->body_sha, "two-phrases", NULL) < 0.4) {
        unsigned second = sl_draw_index(cfg->seed, p->body_sha, "phrase-2", NULL, n);
        const char *s2 = pool_sentence(cfg, second);
        if (s2 != pool_sentence(cfg, first)) sl_buf_printf(b, " %s", s2);
    }
}

static char *proposed_instruction(const sl_prose_cfg *cfg, const sl_prompt *p)
{
    const char *basic = sl_prompt_value(p, "basic_instruction");
    sl_buf b = {0};
    if (!basic || !*basic) basic = DEFAULT_BASIC;
    sl_buf_puts(&b, pick(cfg, p, "opener", OPENERS, COUNT(OPENERS)));
    sl_buf_puts(&b, basic);
    if (b.len && b.s[b.len - 1] != '.' && b.s[b.len - 1] != '!' && b.s[b.len - 1] != '?')
        sl_buf_puts(&b, ".");
    if (sl_draw(cfg->seed, p->body_sha, "teach", NULL) < cfg->teach_rate) add_teaching(cfg, p, &b);
    sl_buf_puts(&b, pick(cfg, p, "closer", CLOSERS, COUNT(CLOSERS)));
    return sl_buf_take(&b);
}

char *sl_prose(const sl_prose_cfg *cfg, const sl_prompt *p, const char *name)
{
    if (strcmp(name, "proposed_instruction") == 0) return proposed_instruction(cfg, p);
    if (strcmp(name, "observations") == 0) {
        /* With prior observations, DSPy stops after five replies starting
         * with COMPLETE; say so half the time to keep summaries short. */
        if (sl_prompt_value(p, "prior_observations") &&
            sl_draw(cfg->seed, p->body_sha, "complete", NULL) < 0.5)
            return strdup("COMPLETE");
        return strdup(pick(cfg, p, name, OBSERVATIONS, COUNT(OBSERVATIONS)));
    }
    if (strcmp(name, "summary") == 0) return strdup(pick(cfg, p, name, SUMMARIES, COUNT(SUMMARIES)));
    if (strcmp(name, "program_description") == 0)
        return strdup(pick(cfg, p, name, PROGRAM_DESCRIPTIONS, COUNT(PROGRAM_DESCRIPTIONS)));
    return strdup(pick(cfg, p, name, MODULE_DESCRIPTIONS, COUNT(MODULE_DESCRIPTIONS)));
}
