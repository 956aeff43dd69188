/*
 * prompt.h — what simlm reads from a chat-completion request.
 *
 * A DSPy request (shared/reference/dspy-interop.md §2, §3) is a system
 * message listing the input and output fields with their types and the
 * instructions, demos as earlier user/assistant pairs, and a last user
 * message holding the input values in "[[ ## name ## ]]" sections. simlm
 * needs: the output fields (to know what to answer and how to type it),
 * the input values (to find the transcript), everything said before the
 * last user message (the "program": what the prompt teaches), and whether
 * the reply must be a JSON object.
 *
 * Output fields come from the system message's "Your output fields are:"
 * list; failing that, from a response_format JSON schema; failing that,
 * from the last user message's "Respond with ..." sentence.
 */
#ifndef SL_PROMPT_H
#define SL_PROMPT_H

#include <stdbool.h>
#include <stddef.h>

#include "ftype.h"

/* The response_format a request asked for (counted in /stats, so tests
 * see which JSON-mode requests a client sends). */
typedef enum sl_rf { SL_RF_NONE, SL_RF_JSON_OBJECT, SL_RF_JSON_SCHEMA, SL_RF_OTHER, SL_RF_COUNT } sl_rf;

typedef struct sl_field {
    char *name;     /* owned */
    sl_type *type;  /* owned */
} sl_field;

typedef struct sl_value {
    char *name;     /* owned: an input field */
    char *text;     /* owned: its value, trimmed */
} sl_value;

typedef struct sl_prompt {
    char *model;              /* owned: the request's model, or "simlm" */
    bool json_mode;           /* answer with a JSON object */
    sl_rf rf;                 /* the request's response_format type */
    sl_field *outputs;        /* owned, in signature order */
    size_t noutputs;
    sl_field *inputs;         /* owned: the system message's input list (may be empty) */
    size_t ninputs;
    sl_value *values;         /* owned: the last user message's input sections */
    size_t nvalues;
    char *teach;              /* owned: every message before the last user
                                 message, lowercased (ASCII) for phrase search */
    char prompt_sha[65];      /* SHA-256 of those messages: identifies the program */
    char body_sha[65];        /* SHA-256 of the request body: identifies the request */
    size_t prompt_bytes;      /* all message contents, for the usage estimate */
    long max_tokens;          /* max_tokens / max_completion_tokens; 0 = none */
} sl_prompt;

typedef enum sl_prompt_rc {
    SL_PROMPT_OK = 0,
    SL_PROMPT_BAD = -1,   /* not a chat-completion request: HTTP 400 */
    SL_PROMPT_OOM = -2    /* out of memory: HTTP 500 */
} sl_prompt_rc;

/* Read a request body. On SL_PROMPT_BAD, why says what is wrong in words
 * fit for an OpenAI-style error message. */
sl_prompt_rc sl_prompt_parse(const char *body, size_t len, sl_prompt *out, char why[256]);
void sl_prompt_free(sl_prompt *p);

const sl_field *sl_prompt_output(const sl_prompt *p, const char *name);
/* The value of input field name in the last user message, or NULL. */
const char *sl_prompt_value(const sl_prompt *p, const char *name);

#endif
