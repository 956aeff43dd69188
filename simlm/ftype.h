/*
 * ftype.h — the type of an output field, as a DSPy prompt shows it.
 *
 * simlm only needs a type to write a value the adapter will accept: an int
 * as digits, a bool as True/False, a list as JSON, a Literal as one of its
 * values. Types come from the system message's "(int)",
 * "(Literal['a', 'b'])", "(Union[str, NoneType])"... or from a
 * response_format JSON schema. Parsing never fails: a type it does not know
 * (a pydantic model, an Enum class) is SL_OTHER and answered as text, since
 * a test double that refuses a prompt teaches nobody anything.
 */
#ifndef SL_FTYPE_H
#define SL_FTYPE_H

#include <cjson/cJSON.h>
#include <stddef.h>

typedef enum sl_kind {
    SL_STR, SL_INT, SL_FLOAT, SL_BOOL, SL_LITERAL, SL_LIST, SL_DICT, SL_OPTIONAL, SL_OTHER
} sl_kind;

typedef struct sl_type {
    sl_kind kind;
    struct sl_type *inner;  /* owned: element of a list, value of an Optional */
    char **lits;            /* owned: a Literal's values as text */
    size_t nlits;
} sl_type;

/* Parse s[0..n). Returns an owned type; NULL only when out of memory. */
sl_type *sl_type_parse(const char *s, size_t n);
/* The type a JSON schema describes (integer, boolean, enum, anyOf with
 * null...). Returns an owned type; NULL only when out of memory. */
sl_type *sl_type_from_schema(const cJSON *schema);
void sl_type_free(sl_type *t);

/* The value an untrained model writes when it knows nothing: "unknown",
 * 0, 0.0, False, the first Literal value, [], {}, None. Owned cJSON. */
cJSON *sl_type_placeholder(const sl_type *t);

#endif
