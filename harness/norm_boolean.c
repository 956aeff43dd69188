/*
 * norm_boolean.c — yes/no answers to "true" | "false" (see canon.h).
 *
 * Boolean slots arrive as a caller's answer ("yeah", "Nope.") or a model's
 * or dataset's rendering ("True", "false", "1"). hx_norm_boolean accepts
 * one answer word from a fixed list, case-insensitive, with surrounding
 * spaces, quotes and trailing '.', '!' or ',' ignored.
 *
 * Anything else is refused rather than read: a hedge ("maybe", "not sure"),
 * a mixed answer ("yes and no"), a question ("yes?" asks rather than
 * answers, so '?' is not trailing punctuation here), or a sentence around
 * the word ("yes, but only on Friday" may mean either). The list is kept
 * tight on purpose: every word on it answers a yes/no question one way.
 */
#include "canon.h"

#include <ctype.h>
#include <string.h>

/* Longest answer word accepted; longer input cannot be one of them. */
#define BOOL_WORD_MAX 16

static const char *const YES[] = {
    "yes", "true", "y", "yeah", "yep", "yup", "sure", "correct", "right",
    "affirmative", "1", NULL};
static const char *const NO[] = {
    "no", "false", "n", "nope", "nah", "negative", "0", NULL};

static bool listed(const char *w, const char *const *list)
{
    for (; *list; list++)
        if (strcmp(w, *list) == 0) return true;
    return false;
}

/* Trim spaces, quotes and trailing '.', '!' or ','; lowercase into word.
 * Returns -1 if what is left does not fit in the buffer. */
static int answer_word(const char *in, char *word, size_t cap)
{
    const char *b = in, *e = in + strlen(in);
    while (b < e && (isspace((unsigned char)*b) || *b == '"' || *b == '\''))
        b++;
    while (e > b && (isspace((unsigned char)e[-1]) || strchr("\"'.!,", e[-1])))
        e--;
    if ((size_t)(e - b) >= cap) return -1;
    for (size_t i = 0; b + i < e; i++) word[i] = (char)tolower((unsigned char)b[i]);
    word[e - b] = '\0';
    return 0;
}

int hx_norm_boolean(const char *in, const hx_norm_ctx *ctx, hx_canon *out)
{
    char word[BOOL_WORD_MAX + 1];
    (void)ctx;
    if (!in) return hx_canon_refuse(out, "no text");
    if (answer_word(in, word, sizeof word) < 0)
        return hx_canon_refuse(out, "not a yes/no answer: \"%.40s...\"", in);
    if (!word[0]) return hx_canon_refuse(out, "no answer given");
    if (listed(word, YES)) return hx_canon_set(out, "true");
    if (listed(word, NO)) return hx_canon_set(out, "false");
    return hx_canon_refuse(out, "not a yes/no answer: \"%s\"", word);
}
