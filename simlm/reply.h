/*
 * reply.h — writing simlm's answers the way a real LM API would.
 *
 * Two layers: the assistant message content (ChatAdapter sections ending
 * with "[[ ## completed ## ]]", or a JSON object in JSON mode, typed as the
 * output fields say), and the OpenAI chat.completion envelope around it,
 * with a deterministic id and created time and a token estimate (bytes/4,
 * rounded up) so the same request gets a byte-identical response.
 */
#ifndef SL_REPLY_H
#define SL_REPLY_H

#include <cjson/cJSON.h>
#include <stdbool.h>

#include "prompt.h"

/* `created` of every completion: fixed so responses are byte-identical. */
#define SL_CREATED 1767225600L /* 2026-01-01T00:00:00Z */

/* The content for values (an object from answer.c). truncate: cut before
 * the last field as a reply stopped early would be (ChatAdapter), or in
 * the middle of the JSON text (JSON mode). Owned; NULL on out of memory. */
char *sl_reply_content(const sl_prompt *p, const cJSON *values, bool truncate);

/* The chat.completion JSON for content. finish_reason is "length" when
 * cut is set (a truncated reply) or when p->max_tokens is smaller than the
 * content's token estimate (the content is then cut to fit), else "stop".
 * Owned; NULL on out of memory. */
char *sl_reply_envelope(const sl_prompt *p, const char *content, bool cut);

/* An OpenAI-style error body {"error": {...}}. Owned; NULL on out of memory. */
char *sl_reply_error(const char *message, const char *type, const char *code);

/* Token estimate used in usage: ceil(bytes / 4). */
long sl_tokens(size_t bytes);

#endif
