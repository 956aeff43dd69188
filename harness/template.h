/*
 * template.h — filling a module's input templates from a transcript.
 *
 * The suite maps each signature input to a template such as
 * "{transcript}" or "Caller's restaurant: {restaurant}". Placeholders are
 * {transcript} (the turns, one a line, "Agent: ..." / "Caller: ..."),
 * {call_date}, {call_started_at}, {id}, and any key of the transcript's
 * context object (strings as they are, other JSON values as compact JSON).
 * "{{" and "}}" are literal braces. A placeholder that names nothing is an
 * error naming it, never an empty string, so a typo cannot quietly send the
 * LM a prompt with a hole in it.
 */
#ifndef HX_TEMPLATE_H
#define HX_TEMPLATE_H

#include "suite.h"
#include "transcript.h"

/* Render tpl for t. Returns an owned string, or NULL with why set. */
char *hx_template_render(const char *tpl, const hx_transcript *t, char why[256]);

/* Every input of module m rendered for t: {"<input name>": "<text>"}, the
 * inputs object the adapters format (owned), or NULL with why set. */
cJSON *hx_template_inputs(const hx_module_config *m, const hx_transcript *t, char why[256]);

#endif
