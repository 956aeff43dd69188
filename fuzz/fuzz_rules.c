/*
 * fuzz_rules.c — assertion rule files: hx_json_doc_parse + hx_rules_from_doc.
 *
 * When a file loads, each of its rules is exercised the way a run uses it:
 * hx_expected_valid and hx_check_field on a fixed set of sample values
 * (one or two per rule type, plus a list and an any_of), then hx_check_case
 * on an expected object holding a sample for every field, so options the
 * fuzzer writes (tolerances, regions, enum aliases, regex patterns, list
 * item rules, case_passes) meet the engine.
 */
#include "assertion.h"
#include "fuzz_util.h"
#include "rules.h"

static const char *const SAMPLES[] = {
    "\"2026-03-14\"", "\"next Tuesday\"", "\"7:30 pm\"", "\"19:30\"", "12", "\"twelve\"",
    "\"$1,250.50\"", "3.5", "\"(415) 555-0123\"", "\"+44 20 7946 0958\"", "true", "\"no\"",
    "\"1580 Clayton Rd #1, Concord CA 94520\"", "\"covered\"", "\"UHC\"", "\"Gloria Estrada\"",
    "null", "\"n/a\"", "[\"a\", \"b\"]", "[\"2026-03-14\", \"2026-03-15\"]",
    "{\"any_of\": [\"7 pm\", \"19:00\"]}", "{\"any_of\": []}", "{}", "\"\"", NULL};

static cJSON *samples[32];
static size_t nsamples;

static void free_samples(void)
{
    for (size_t i = 0; i < nsamples; i++) cJSON_Delete(samples[i]);
    nsamples = 0;
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    fz_setup();
    for (size_t i = 0; SAMPLES[i]; i++) {
        samples[nsamples] = cJSON_Parse(SAMPLES[i]);
        if (!samples[nsamples]) abort();
        nsamples++;
    }
    atexit(free_samples);
    return 0;
}

static const hx_norm_ctx CTX = {2026, 3, 2, 0, "US"};

static void exercise(const hx_rules *rs)
{
    cJSON *expected = cJSON_CreateObject();
    if (!expected) abort();
    for (size_t i = 0; i < rs->n; i++) {
        const hx_rule *r = &rs->v[i];
        for (size_t e = 0; e < nsamples; e++) {
            char why[512];
            hx_expected_valid(r, samples[e], &CTX, why);
        }
        /* A few (expected, actual) pairs: same value, neighbours, absent. */
        for (size_t e = 0; e < nsamples; e++) {
            hx_field_verdict v;
            const cJSON *act = samples[(e * 7 + i) % nsamples];
            hx_check_field(r, r->field, samples[e], act, &CTX, &v);
            hx_field_verdict_free(&v);
            hx_check_field(r, r->field, samples[e], samples[e], &CTX, &v);
            hx_field_verdict_free(&v);
        }
        hx_field_verdict v;
        hx_check_field(r, r->field, samples[0], NULL, &CTX, &v);
        hx_field_verdict_free(&v);
        cJSON_AddItemReferenceToObject(expected, r->field, samples[i % nsamples]);
    }
    cJSON *outputs = cJSON_Duplicate(expected, 1);
    hx_case_verdict cv;
    memset(&cv, 0, sizeof cv);
    if (hx_check_case(rs, expected, outputs, &CTX, &cv) == 0) hx_case_verdict_free(&cv);
    memset(&cv, 0, sizeof cv);
    if (hx_check_case(rs, expected, NULL, &CTX, &cv) == 0) hx_case_verdict_free(&cv);
    cJSON_Delete(outputs);
    cJSON_Delete(expected);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    hx_json_doc doc;
    hx_error err;
    hx_diags d = {0};
    hx_rules rs;

    if (hx_json_doc_parse("rules.json", 1, (const char *)data, size, &doc, &err) != 0) return 0;
    if (hx_rules_from_doc(&doc, &rs, &d) == 0) {
        exercise(&rs);
        hx_rules_find(&rs, "date");
    }
    hx_diags_print(&d, fz_null);
    hx_diags_print_json(&d, fz_null);
    hx_diags_free(&d);
    hx_rules_free(&rs);
    hx_json_doc_free(&doc);
    return 0;
}
