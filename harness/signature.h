/*
 * signature.h — a DSPy signature as the suite declares it.
 *
 * A module's signature names its input and output fields and their Python
 * types (`str`, `int`, `float`, `bool`, `Literal['a', 'b']`, `list[str]`,
 * `Optional[str]`), plus the instructions. The saved DSPy program only holds
 * instructions, prefixes and descriptions by position (DSPy stores no names
 * or types), so the suite is where names and types come from; the program
 * loader (program.c) lays the saved state onto this.
 */
#ifndef HX_SIGNATURE_H
#define HX_SIGNATURE_H

#include <stdbool.h>
#include <stddef.h>

typedef enum hx_type_kind {
    HX_TY_STR, HX_TY_INT, HX_TY_FLOAT, HX_TY_BOOL,
    HX_TY_LITERAL, HX_TY_LIST, HX_TY_OPTIONAL
} hx_type_kind;

typedef struct hx_type {
    hx_type_kind kind;
    struct hx_type *inner;  /* owned; element of list[...] or Optional[...] */
    char **literals;        /* owned; the string values of Literal[...] */
    size_t nliterals;
} hx_type;

/* Parse a type annotation. Returns 0 and an owned *out, or -1 with why. */
int hx_type_parse(const char *s, hx_type **out, char why[256]);
void hx_type_free(hx_type *t);
/* Render as Python writes it: "Literal['covered', 'denied']", "list[str]". */
void hx_type_render(const hx_type *t, char *buf, size_t cap);

typedef struct hx_field {
    char *name;     /* owned */
    hx_type *type;  /* owned */
    char *desc;     /* owned; NULL when the suite gives none */
} hx_field;

typedef struct hx_signature {
    char *instructions;  /* owned; NULL = DSPy's default */
    hx_field *inputs;    /* owned */
    size_t ninputs;
    hx_field *outputs;   /* owned */
    size_t noutputs;
} hx_signature;

void hx_signature_free(hx_signature *sig);
const hx_field *hx_signature_output(const hx_signature *sig, const char *name);
const hx_field *hx_signature_input(const hx_signature *sig, const char *name);

#endif
