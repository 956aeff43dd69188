/*
 * result.h — what one checked case produced, as plain data.
 *
 * The assertion engine (assertion.c) fills these; the store (store.c) writes
 * them to SQLite; reports read them back. Strings are borrowed: whoever
 * builds an hx_case_result owns its strings and keeps them alive until the
 * consumer returns (the store copies what it keeps).
 */
#ifndef HX_RESULT_H
#define HX_RESULT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef enum hx_status { HX_PASS = 0, HX_FAIL = 1, HX_ERROR = 2 } hx_status;

/* "pass", "fail" or "error". */
const char *hx_status_name(hx_status s);

/* One field of one case, checked by one rule. */
typedef struct hx_field_result {
    const char *field;
    bool pass;
    const char *expected;     /* canonical expected value ("null" = must be absent) */
    const char *actual_raw;   /* what the module returned, as JSON text; NULL if absent */
    const char *actual;       /* canonical actual; NULL if absent or not normalisable */
    const char *reason;       /* one line; "" on pass */
} hx_field_result;

/* One transcript through one module. */
typedef struct hx_case_result {
    const char *agent;
    const char *module;
    const char *transcript_id;
    hx_status status;
    const char *reason;       /* first failing field's reason, or the error; "" on pass */
    double latency_ms;        /* 0 when no LM was called */
    int64_t prompt_tokens;
    int64_t completion_tokens;
    double cost_usd;
    const char *outputs_json; /* the module's parsed outputs as a JSON object; may be NULL */
    size_t nfields;
    const hx_field_result *fields;
} hx_case_result;

#endif
