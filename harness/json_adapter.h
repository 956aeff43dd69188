/*
 * json_adapter.h — DSPy's JSONAdapter: the prompt, response_format and
 * reply parsing of JSON mode.
 *
 * DSPy falls back to JSON mode when a ChatAdapter reply does not parse
 * (the policy is spelled out in chat_adapter.h). The prompt is ChatAdapter's
 * with three differences: the output skeleton is a JSON object, demo
 * answers are JSON objects, and the final sentence asks for a JSON object
 * (shared/reference/dspy-interop.md §3; DSPy 3.3.1). Replies are read the
 * way DSPy reads them: leniently (json_repair: code fences, prose around
 * the object, trailing commas, single quotes, Python literals), then each
 * value converted with pydantic's lax rules.
 *
 * The value conversion (DSPy's parse_value) is shared with
 * ChatAdapter.parse and lives here: hx_ad_parse_text.
 */
#ifndef HX_JSON_ADAPTER_H
#define HX_JSON_ADAPTER_H

#include <cjson/cJSON.h>
#include <stdbool.h>

#include "error.h"
#include "program.h"
#include "signature.h"

/* Messages DSPy's JSONAdapter sends for one call (same conventions as
 * hx_chat_format). */
cJSON *hx_json_adapter_format(const hx_signature *sig, bool cot, const hx_program *prog,
                              const cJSON *inputs, hx_error *err);

/* The response_format to send with them. structured: the strict
 * json_schema LiteLLM makes of DSPy's DSPyProgramOutputs model,
 *   {"type": "json_schema", "json_schema": {"schema": {...},
 *    "name": "DSPyProgramOutputs", "strict": true}};
 * otherwise {"type": "json_object"}. Owned by the caller; NULL only when
 * out of memory. */
cJSON *hx_json_response_format(const hx_signature *sig, bool cot, bool structured);

/* Would DSPy 3.3.1 ask this model for structured outputs? It asks only
 * when LiteLLM's model table says the model supports response schemas
 * (lm.supports_response_schema); for any model id LiteLLM does not know
 * -- a local server's "openai/smollm2", a proxy's alias -- it sends
 * {"type": "json_object"} directly. This is that table's rule for
 * OpenAI's chat models (LiteLLM as pinned with DSPy 3.3.1): "openai/" or
 * "azure/" ids (an "ft:" fine-tune included) of gpt-4o (not the
 * 2024-05-13 snapshot or the audio models), gpt-4.1, gpt-5 and later,
 * o1 (not o1-mini/o1-preview), o3 and o4. Anything else: false. The
 * suite's lm.structured_outputs overrides this guess. */
bool hx_json_model_supports_schema(const char *model);

/* Parse a reply as JSONAdapter.parse does: the first JSON object in it
 * (leniently read), only output keys kept, values converted to the field
 * types, missing Optional outputs null, any other missing output a
 * failure. Returns 0 with *outputs owned by the caller (signature order,
 * reasoning first when cot), or -1 with why. */
int hx_json_adapter_parse(const hx_signature *sig, bool cot, const char *completion,
                          cJSON **outputs, char why[256]);

/* --- shared with chat_adapter.c --- */

/* DSPy's parse_value for text (a ChatAdapter section, or a JSON string
 * value): str -> the text; Literal -> the text, forgiving surrounding
 * quotes or `Literal[...]`; Optional[str] -> the text (never null);
 * anything else -> json_repair, else ast.literal_eval, else the raw text,
 * then validated with pydantic's lax rules. Returns 0 with an owned *out,
 * or -1 with why. */
int hx_ad_parse_text(const char *text, const hx_type *t, cJSON **out, char why[200]);

/* json_repair.loads(text): the value, or NULL where json_repair returns
 * "" (nothing it could read). Numbers keep their literal text in
 * valuestring so ints and floats stay apart (see hx_py_number_is_int). */
cJSON *hx_ad_loads_lenient(const char *text);

#endif
