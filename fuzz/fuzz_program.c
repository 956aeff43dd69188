/*
 * fuzz_program.c — saved DSPy programs: hx_program_load from a file, with
 * a fixed signature, then the prompts built from what loaded.
 *
 * Byte 0 chooses the setting, the rest is the file:
 *   bits 0-2  the signature (mod 5): the four demo modules' signatures and
 *             one with a field of every type;
 *   bit 3     ChainOfThought (the saved fields include `reasoning`);
 *   bit 4     program_key: NULL ("the only predictor") or "predict".
 * A program that loads is formatted by hx_chat_format and
 * hx_json_adapter_format (its instructions, descriptions and demos meet
 * the prompt builders), with fixed inputs.
 */
#include <stdbool.h>

#include "chat_adapter.h"
#include "fuzz_util.h"
#include "json_adapter.h"
#include "program.h"

#define NSIGS 5
static hx_signature sigs[NSIGS];
static cJSON *inputs;

static void free_all(void)
{
    for (int i = 0; i < NSIGS; i++) hx_signature_free(&sigs[i]);
    cJSON_Delete(inputs);
    inputs = NULL;
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    fz_setup();
    static const char *const TC_IN[] = {"transcript:str", "call_date:str", NULL};
    static const char *const T_IN[] = {"transcript:str", NULL};
    static const char *const BOOKING[] = {"date:str", "time:str", "party_size:int", "name:str",
                                          "phone:Optional[str]", NULL};
    static const char *const CLINIC[] = {"appointment_date:str", "appointment_time:str",
                                         "patient_name:str", "insurance:str",
                                         "reason:Optional[str]", NULL};
    static const char *const ELIG[] = {"decision:Literal['covered', 'needs_pa', 'denied']",
                                       "insurance:str", "procedure:str",
                                       "member_id:Optional[str]", NULL};
    static const char *const SHOWING[] = {"address:str", "showing_date:str", "showing_time:str",
                                          "buyer_name:str", "phone:Optional[str]",
                                          "pre_approved:bool", NULL};
    static const char *const ALL[] = {"s:str", "i:int", "f:float", "b:bool",
                                      "lit:Literal['a', 'b c', \"it's\"]", "ls:list[str]",
                                      "li:list[int]", "os:Optional[str]", "oi:Optional[int]",
                                      "ol:Optional[list[float]]", NULL};
    fz_sig(&sigs[0], "Extract the booking details from the call.", TC_IN, BOOKING);
    fz_sig(&sigs[1], NULL, TC_IN, CLINIC);
    fz_sig(&sigs[2], "Route the eligibility call.", T_IN, ELIG);
    fz_sig(&sigs[3], NULL, TC_IN, SHOWING);
    fz_sig(&sigs[4], "Every type.", TC_IN, ALL);
    inputs = cJSON_Parse("{\"transcript\": \"Agent: Hello.\\nCaller: A table for 2 at 7.\","
                         " \"call_date\": \"2026-03-02\"}");
    if (!inputs) abort();
    atexit(free_all);
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char path[512];
    hx_diags d = {0};
    hx_program p;
    hx_error err;

    if (size < 1) return 0;
    const hx_signature *sig = &sigs[(data[0] & 7) % NSIGS];
    bool cot = (data[0] & 8) != 0;
    const char *key = (data[0] & 16) ? "predict" : NULL;
    fz_write("program.json", data + 1, size - 1, path, sizeof path);
    if (hx_program_load(path, key, sig, cot, &p, &d) == 0) {
        cJSON *m = hx_chat_format(sig, cot, &p, inputs, &err);
        if (!m) fprintf(fz_null, "chat format: %s\n", err.msg);
        cJSON_Delete(m);
        m = hx_json_adapter_format(sig, cot, &p, inputs, &err);
        if (!m) fprintf(fz_null, "json format: %s\n", err.msg);
        cJSON_Delete(m);
    }
    hx_program_free(&p);
    hx_diags_print(&d, fz_null);
    hx_diags_print_json(&d, fz_null);
    hx_diags_free(&d);
    return 0;
}
