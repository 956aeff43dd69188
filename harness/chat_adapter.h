/*
 * chat_adapter.h — the prompt DSPy's ChatAdapter sends, and how it reads
 * the reply.
 *
 * A compiled DSPy module answers one call by sending a system message
 * (field list, `[[ ## name ## ]]` skeleton, instructions), one user and
 * one assistant message per few-shot demo, and the final user message with
 * the inputs. The harness must send exactly those bytes, or the scores it
 * reports are not the scores of the program DSPy would run. This module
 * builds them from the suite's signature (names and types) and the saved
 * program (instructions, descriptions, demos), and parses replies the way
 * ChatAdapter.parse does (shared/reference/dspy-interop.md §2; DSPy 3.3.1).
 * json_adapter.h is the JSON-mode sibling used for the fallback.
 *
 * Fallback policy (what DSPy 3.3.1's ChatAdapter.__call__ does, for the
 * runner):
 *   1. Send hx_chat_format()'s messages; parse with hx_chat_parse().
 *   2. If the LM call itself failed, stop: that error is the result, with
 *      no fallback. In 3.3 every provider/transport failure is an LMError
 *      (timeouts, connection errors, any HTTP 4xx/5xx including a 400
 *      that rejects a parameter, auth, rate limit, context window).
 *   3. On any other failure (the reply does not parse, or is empty) retry
 *      the same call in JSON mode: hx_json_adapter_format()'s messages
 *      with response_format = hx_json_response_format(sig, cot, true) (a
 *      strict json_schema named "DSPyProgramOutputs"), parsed with
 *      hx_json_adapter_parse().
 *   4. If that reply does not parse either (again: an LM error stops
 *      everything), retry once more with the same messages and
 *      response_format = {"type": "json_object"}
 *      (hx_json_response_format(sig, cot, false)).
 *   5. If that fails too, the call fails with the JSON adapter's error.
 *   So one unparseable chat reply costs up to three LM calls, all with the
 *   same other request parameters. Providers whose LiteLLM entry lacks
 *   `response_format` get step 3 without any response_format and no step 4;
 *   providers without response-schema support skip straight to step 4.
 *   Each attempt is its own request (and its own cache entry).
 *
 * Parse results: an owned cJSON object with the output fields in signature
 * order (`reasoning` first for ChainOfThought): str/Literal -> string,
 * int/float -> number, bool -> true/false, list -> array, Optional -> the
 * inner value or null. A missing Optional[...] output becomes null, as in
 * DSPy; any other missing output is a parse failure. A number node also
 * carries its Python literal in valuestring ("7", "7.0", "1e-05") so an
 * int and an integral float stay apart; cJSON_Print ignores it.
 *
 * Numbers in *inputs* and demos have no such literal (cJSON forgets it):
 * an integral value below 2^53 is formatted as a Python int, so a JSON
 * 5.0 is shown as `5` where DSPy shows `5.0`, and integers beyond 2^53
 * lose digits. Strings, the normal case, are exact.
 *
 * Thread safety: no shared state; every function may run concurrently.
 */
#ifndef HX_CHAT_ADAPTER_H
#define HX_CHAT_ADAPTER_H

#include <cjson/cJSON.h>
#include <stdbool.h>
#include <stddef.h>

#include "error.h"
#include "program.h"
#include "signature.h"

/* Messages DSPy's ChatAdapter sends for one call: a cJSON array of
 * {"role", "content"}. sig: names + types; cot: ChainOfThought (adds the
 * `reasoning` output first, as DSPy does); prog: the loaded saved state
 * (instructions, field descriptions by position — inputs, then [reasoning
 * if cot], then outputs — and demos), or NULL for the signature's own
 * instructions/descriptions with DSPy's defaults. inputs: object of
 * name -> value; strings are inserted raw, other JSON values formatted as
 * DSPy formats them (see hx_ad_format_value). Returns NULL with err set
 * on failure (out of memory, or a value DSPy itself could not format). */
cJSON *hx_chat_format(const hx_signature *sig, bool cot, const hx_program *prog,
                      const cJSON *inputs, hx_error *err);

/* Parse a completion as ChatAdapter.parse does: sections by
 * [[ ## name ## ]] headers, first header wins, values converted to the
 * field types as DSPy/pydantic accept them. Returns 0 with *outputs owned
 * by the caller, or -1 with why (and *outputs NULL). */
int hx_chat_parse(const hx_signature *sig, bool cot, const char *completion,
                  cJSON **outputs, char why[256]);

/* ---------------------------------------------------------------------
 * Shared with json_adapter.c (the JSON adapter is a ChatAdapter subclass
 * in DSPy, so most of the prompt is common). Not for other callers.
 * ------------------------------------------------------------------- */

/* A growable NUL-terminated string; `oom` latches the first failed
 * allocation so builders can check once at the end. */
typedef struct hx_buf {
    char *s;
    size_t len, cap;
    bool oom;
} hx_buf;

void hx_buf_putn(hx_buf *b, const char *s, size_t n);
void hx_buf_put(hx_buf *b, const char *s);
void hx_buf_putc(hx_buf *b, char c);
void hx_buf_printf(hx_buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* The string (owned by the caller; never NULL unless out of memory). */
char *hx_buf_take(hx_buf *b);
void hx_buf_free(hx_buf *b);

/* One field as the adapter sees it, after the saved state is laid on. */
typedef struct hx_ad_field {
    const char *name;     /* borrowed */
    const hx_type *type;  /* borrowed (reasoning: a static `str`) */
    const char *desc;     /* borrowed; "" when DSPy shows no description */
} hx_ad_field;

/* The signature DSPy formats: inputs, outputs (reasoning first for CoT),
 * and the instructions exactly as Signature.instructions returns them. */
typedef struct hx_ad_sig {
    hx_ad_field *in, *out;  /* owned arrays */
    size_t nin, nout;
    char *instructions;     /* owned */
    const cJSON *demos;     /* borrowed; NULL when there are none */
} hx_ad_sig;

int hx_ad_sig_build(const hx_signature *sig, bool cot, const hx_program *prog,
                    hx_ad_sig *out, hx_error *err);
void hx_ad_sig_free(hx_ad_sig *s);

/* How one adapter differs from ChatAdapter (DSPy's overridden methods). */
typedef struct hx_ad_style {
    void (*field_structure)(hx_buf *b, const hx_ad_sig *s);
    int (*assistant_content)(hx_buf *b, const hx_ad_sig *s, const cJSON *values,
                             const char *missing, hx_error *err);
    void (*output_requirements)(hx_buf *b, const hx_ad_sig *s);
} hx_ad_style;

/* Adapter.format with a style: system, demos, final user message. */
cJSON *hx_ad_format(const hx_ad_style *style, const hx_signature *sig, bool cot,
                    const hx_program *prog, const cJSON *inputs, hx_error *err);

/* `[[ ## name ## ]]\n{value}` entries joined by blank lines, stripped
 * (ChatAdapter.format_field_with_value). values NULL: the placeholders. */
int hx_ad_field_sections(hx_buf *b, const hx_ad_field *f, size_t n, const cJSON *values,
                         const char *missing, bool is_output, hx_error *err);

/* translate_field_type: "{name}" plus the 8-space "# note: ..." for typed
 * outputs. */
void hx_ad_placeholder(hx_buf *b, const hx_ad_field *f, bool is_output);

/* get_annotation_name: "int", "Literal['a', 'b']", "Union[str, NoneType]". */
void hx_ad_type_name(hx_buf *b, const hx_type *t);
bool hx_ad_type_is_str(const hx_type *t);

/* pydantic's JSON schema of a type. type_first: DSPy's re-ordering for the
 * prompt note ("type" first, then alphabetical); otherwise pydantic's own
 * alphabetical order (used inside response_format). */
cJSON *hx_ad_type_schema(const hx_type *t, bool type_first);

/* format_field_value: how DSPy renders one value into a message. */
int hx_ad_format_value(hx_buf *b, const hx_type *t, const cJSON *v, hx_error *err);

/* pydantic's schema of one DSPyProgramOutputs property: alphabetical keys
 * with "title" (for response_format). */
cJSON *hx_ad_property_schema(const hx_type *t, const char *title);

/* The value of key in an object as Python's json.loads sees it (with a
 * repeated key, the last value). */
const cJSON *hx_ad_obj_get(const cJSON *o, const char *key);

/* apply_output_field_defaults and the key check both parsers end with:
 * missing Optional outputs become null, any other missing output fails.
 * Replaces *fields with the outputs in signature order (reasoning first). */
int hx_ad_finish_outputs(const hx_ad_sig *s, cJSON **fields, const char *adapter, char why[256]);

/* Python's json.dumps(v, ensure_ascii=False): indent < 0 is the one-line
 * form with ", " and ": " separators, indent >= 0 the multi-line form.
 * Numbers print as Python would print the int or float json.loads made of
 * them (integral values below 2^53 as ints). */
void hx_py_json_dumps(hx_buf *b, const cJSON *v, int indent);
/* Python's str(v) of the value json.loads would give: strings raw,
 * True/False/None, containers as repr. */
void hx_py_str(hx_buf *b, const cJSON *v);
/* repr(float) — the shortest round-trip form: 0.1, 1e-05, 1e+16, 5.0. */
void hx_py_float_repr(double x, char out[32]);
/* Whether a cJSON number is printed as a Python int (see hx_py_json_dumps). */
bool hx_py_number_is_int(const cJSON *v);

/* Python str.strip() (Unicode whitespace) of s[0..len): the kept span. */
void hx_py_strip_span(const char *s, size_t len, size_t *start, size_t *end);

#endif
