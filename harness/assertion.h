/*
 * assertion.h — the assertion engine: is this extracted value right?
 *
 * For one field, the rule's normaliser runs on the expected and the actual
 * value (both sides, so "tomorrow" in a fixture and "2026-11-21" from the
 * model meet at one canonical form), then the rule's comparison decides,
 * and the verdict carries the canonical expected value, the raw and
 * canonical actual value, and one line a person can act on ("expected
 * 19:30, got 07:30: am/pm differs").
 *
 * Expected-value forms (DESIGN §3.2): a value; null = the caller never gave
 * it, so the module must leave it empty (an invented value fails);
 * {"any_of": [...]} = any of these. An actual value counts as absent when
 * it is missing, JSON null, empty, or one of the words models write for
 * nothing ("none", "null", "n/a", "unknown", "not provided", ...).
 *
 * A case combines its field verdicts by the rule file's case_passes.
 */
#ifndef HX_ASSERTION_H
#define HX_ASSERTION_H

#include <cjson/cJSON.h>
#include <stdbool.h>

#include "canon.h"
#include "result.h"
#include "rules.h"

typedef struct hx_field_verdict {
    char *field;        /* owned */
    bool pass;
    char *expected;     /* owned: canonical expected, "null", or "any of: a | b" */
    char *actual_raw;   /* owned: the actual value as JSON text; NULL if absent */
    char *actual;       /* owned: canonical actual; NULL if absent or unreadable */
    char reason[512];   /* "" on pass */
} hx_field_verdict;

typedef struct hx_case_verdict {
    hx_status status;           /* HX_PASS or HX_FAIL */
    hx_field_verdict *fields;   /* owned */
    size_t nfields;
    char reason[512];           /* first failing field's "field: reason"; "" on pass */
} hx_case_verdict;

/* True if v counts as "no value". */
bool hx_value_absent(const cJSON *v);

/* Normalise a scalar JSON value (string, number, bool) with a rule that is
 * not a list. 0 with out->value, or -1 with out->why. */
int hx_rule_normalize(const hx_rule *r, const cJSON *v, const hx_norm_ctx *ctx, hx_canon *out);

/* Check one field. expected: the transcript's expected value (must not be
 * NULL); actual: the module's output (NULL = absent). */
void hx_check_field(const hx_rule *r, const char *field, const cJSON *expected,
                    const cJSON *actual, const hx_norm_ctx *ctx, hx_field_verdict *out);
void hx_field_verdict_free(hx_field_verdict *v);

/* Check every field of `expected` that has a rule in rs against `outputs`
 * (the module's parsed output object; NULL = nothing). Fields without a
 * rule belong to other modules and are skipped. Returns 0, -1 on out of
 * memory. */
int hx_check_case(const hx_rules *rs, const cJSON *expected, const cJSON *outputs,
                  const hx_norm_ctx *ctx, hx_case_verdict *out);
void hx_case_verdict_free(hx_case_verdict *v);

/* Is an expected value usable with rule r (each value normalises, any_of is
 * a non-empty list, a list rule gets a list)? 0, or -1 with why. */
int hx_expected_valid(const hx_rule *r, const cJSON *expected, const hx_norm_ctx *ctx,
                      char why[512]);

/* Fill the borrowed view of a verdict that the store takes. fields must
 * have room for v->nfields. */
void hx_case_verdict_to_result(const hx_case_verdict *v, hx_field_result *fields);

#endif
