/*
 * skills.c — the skill table and the teaching test (see skills.h).
 *
 * The phrases are the user-facing contract of the double (simlm/README.md
 * lists them); change them only together with the README.
 */
#include "skills.h"

#include <string.h>

#include "rng.h"

static const sl_skill SKILLS[] = {
    {"dates", "relative-date",
     {"resolve relative dates", "relative to the call date"},
     {"Always resolve relative dates such as \"tomorrow\" to a calendar date.",
      "Interpret day names and \"next week\" relative to the call date."},
     "count days forward from the call date",
     "For a spoken day, count days forward from the call date to get the calendar date.",
     "worked the calendar date out from the call's own date"},
    {"times", "ambiguous-time",
     {"24-hour", "am or pm from context"},
     {"Report every time on the 24-hour clock (HH:MM).",
      "When the caller leaves it out, decide am or pm from context."},
     "infer am or pm from the time of day",
     "If the caller says a bare hour, infer am or pm from the time of day (dinner is in the evening).",
     "settled the hour on a full day clock"},
    {"numbers", "spelled-number",
     {"as digits", "write numbers as digits"},
     {"Give every count as digits.",
      "Write numbers as digits, never as words."},
     "convert spelled-out numbers to numerals",
     "Convert spelled-out numbers to numerals before answering.",
     "turned spoken counts into numerals"},
    {"corrections", "correction",
     {"latest value", "caller corrects"},
     {"If a detail changes during the call, keep the latest value.",
      "When the caller corrects a detail, use the corrected one."},
     "use the caller's final answer",
     "Where a detail is said twice, use the caller's final answer.",
     "kept what the caller settled on last"},
    {"insurers", "insurer-alias",
     {"canonical payer", "official insurer name"},
     {"Map any insurer nickname to its canonical payer.",
      "Give the official insurer name rather than an abbreviation."},
     "expand insurer abbreviations",
     "Expand insurer abbreviations such as BCBS to the full company name.",
     "spelled the insurer out in full"},
    {"absent", "never-given",
     {"leave it empty", "none if not mentioned"},
     {"If the caller never gave a detail, leave it empty.",
      "Answer None if not mentioned; never guess."},
     "never invent missing details",
     "Never invent missing details: a detail the caller did not say is None.",
     "left out what the caller never said"},
};

size_t sl_skill_count(void)
{
    return sizeof SKILLS / sizeof SKILLS[0];
}

const sl_skill *sl_skill_at(size_t i)
{
    return i < sl_skill_count() ? &SKILLS[i] : NULL;
}

const sl_skill *sl_skill_named(const char *name)
{
    for (size_t i = 0; i < sl_skill_count(); i++)
        if (strcmp(SKILLS[i].name, name) == 0) return &SKILLS[i];
    return NULL;
}

const sl_skill *sl_skill_for_tag(const char *tag)
{
    for (size_t i = 0; i < sl_skill_count(); i++)
        if (strcmp(SKILLS[i].tag, tag) == 0) return &SKILLS[i];
    return NULL;
}

static bool usual_phrase_in(const sl_skill *s, const char *teach_lower)
{
    for (int i = 0; i < SL_SKILL_PHRASES; i++)
        if (strstr(teach_lower, s->phrases[i])) return true;
    return false;
}

bool sl_skill_taught(const sl_teaching *cfg, const sl_skill *s, const char *teach_lower,
                     const char *case_id, const char *prompt_sha)
{
    if (strstr(teach_lower, s->drift_phrase)) return true;
    if (cfg->drifted == s) return false; /* broken by the update: only its drift phrase helps */
    if (usual_phrase_in(s, teach_lower)) return true;
    return cfg->known_anyway > 0 &&
           sl_draw(cfg->seed, case_id, s->name, prompt_sha) < cfg->known_anyway;
}
