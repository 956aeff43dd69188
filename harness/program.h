/*
 * program.h — a DSPy-compiled module as `module.save("x.json")` writes it.
 *
 * The saved state holds, per named predictor, the instructions, a
 * (prefix, description) pair for each field by position, the few-shot
 * demos, and an LM state; plus "metadata" (see
 * shared/reference/dspy-interop.md §1). It has no field names or types:
 * those come from the suite's signature, and this loader checks that the
 * saved state fits it (field counts, ChainOfThought's extra `reasoning`
 * field, keys DSPy's own load() requires) with the same errors DSPy would
 * raise, but before any LM is called.
 *
 * Three layouts are accepted: a flat Predict (predictor keys at the top),
 * {"predict": {...}} (a bare ChainOfThought), and named predictors
 * ("generate_answer.predict"); with several predictors the module names the
 * one it uses (`program_key`).
 */
#ifndef HX_PROGRAM_H
#define HX_PROGRAM_H

#include <cjson/cJSON.h>
#include <stdbool.h>

#include "diag.h"
#include "json_doc.h"
#include "signature.h"

typedef struct hx_program_field {
    char *prefix;        /* owned */
    char *description;   /* owned */
} hx_program_field;

typedef struct hx_program {
    char *file;          /* owned */
    char sha256[65];     /* of the file's bytes, lowercase hex */
    char *key;           /* owned: predictor name in the file, "" when flat */
    char *instructions;  /* owned */
    hx_program_field *fields; /* owned: inputs then outputs, as saved */
    size_t nfields;
    cJSON *demos;        /* owned: array of demo objects */
} hx_program;

#define HX_PROGRAM_MAX_BYTES (32u << 20)

/* Load the program at path and check it against sig (cot: the predictor is
 * a ChainOfThought, whose saved fields include `reasoning` after the
 * inputs). key: the predictor name to use, or NULL for "the only one".
 * Returns 0, or -1 with problems in d. */
int hx_program_load(const char *path, const char *key, const hx_signature *sig, bool cot,
                    hx_program *out, hx_diags *d);
void hx_program_free(hx_program *p);

/* SHA-256 of a byte string as lowercase hex (65 bytes with NUL). */
void hx_sha256_hex(const void *data, size_t len, char out[65]);

#endif
