/*
 * fuzz_reply.c — LM replies, read as DSPy reads them: hx_chat_parse
 * (ChatAdapter, `[[ ## name ## ]]` sections) and hx_json_adapter_parse
 * (JSONAdapter, json_repair-style lenient JSON), each for Predict and
 * ChainOfThought.
 *
 * The input is the whole completion (cut at its first NUL, as the C string
 * the runner passes is). It is parsed with
 *   - one signature holding an output of every type (str, int, float,
 *     bool, Literal, list[str], list[int], list[Literal], Optional[str],
 *     Optional[int], Optional[Literal], Optional[list[float]],
 *     list[list[int]]), Predict and ChainOfThought, both adapters;
 *   - one single-output signature `answer: T` per type, so a reply of one
 *     section or one key reaches the success path of each conversion.
 * The parsed outputs are printed (cJSON_PrintUnformatted) and freed.
 */
#include <stdbool.h>

#include "chat_adapter.h"
#include "fuzz_util.h"
#include "json_adapter.h"

static const char *const TYPES[] = {
    "str", "int", "float", "bool", "Literal['covered', 'needs_pa', 'denied', \"it's\", 'a b']",
    "list[str]", "list[int]", "list[Literal['x', 'y']]", "Optional[str]", "Optional[int]",
    "Optional[Literal['yes', 'no']]", "Optional[list[float]]", "list[list[int]]",
    "Optional[bool]", "list[float]", NULL};

#define MAX_SINGLE 16
static hx_signature all_sig;
static hx_signature single[MAX_SINGLE];
static size_t nsingle;

static void free_all(void)
{
    hx_signature_free(&all_sig);
    for (size_t i = 0; i < nsingle; i++) hx_signature_free(&single[i]);
    nsingle = 0;
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    fz_setup();
    static const char *const IN[] = {"transcript:str", "call_date:str", NULL};
    static const char *const ALL[] = {
        "answer:str", "n:int", "x:float", "b:bool",
        "decision:Literal['covered', 'needs_pa', 'denied', \"it's\", 'a b']",
        "tags:list[str]", "nums:list[int]", "kinds:list[Literal['x', 'y']]", "o:Optional[str]",
        "maybe:Optional[int]", "choice:Optional[Literal['yes', 'no']]",
        "scores:Optional[list[float]]", "grid:list[list[int]]", NULL};
    fz_sig(&all_sig, "Extract everything.", IN, ALL);
    for (size_t i = 0; TYPES[i] && nsingle < MAX_SINGLE; i++) {
        char spec[128];
        snprintf(spec, sizeof spec, "answer:%s", TYPES[i]);
        const char *out[] = {spec, NULL};
        fz_sig(&single[nsingle++], NULL, IN, out);
    }
    atexit(free_all);
    return 0;
}

static void parse(const hx_signature *sig, bool cot, bool json, const char *text)
{
    cJSON *out = NULL;
    char why[256];
    int rc = json ? hx_json_adapter_parse(sig, cot, text, &out, why)
                  : hx_chat_parse(sig, cot, text, &out, why);
    if (rc == 0) {
        if (!out) abort(); /* the contract: 0 means outputs */
        char *s = cJSON_PrintUnformatted(out);
        free(s);
    } else if (out) {
        abort(); /* the contract: -1 leaves *outputs NULL */
    }
    cJSON_Delete(out);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *text = fz_cstr(data, size);
    for (int cot = 0; cot < 2; cot++) {
        parse(&all_sig, cot, false, text);
        parse(&all_sig, cot, true, text);
    }
    for (size_t i = 0; i < nsingle; i++) {
        parse(&single[i], false, false, text);
        parse(&single[i], false, true, text);
    }
    free(text);
    return 0;
}
