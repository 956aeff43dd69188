/*
 * fuzz_transcript.c — transcripts, both ways they are read:
 *
 *  1. In memory: hx_json_doc_parse, then hx_transcript_from_json on the
 *     root object or on each element of a root array (as a .json file
 *     holds them), hx_json_locate of each, hx_transcript_render, and the
 *     expected entities checked against the demo suite's rule files
 *     (hx_check_case with the expected values as the outputs too, and the
 *     call date as the reference date).
 *  2. As a file: the bytes written to <scratch>/t.jsonl and walked with
 *     hx_tscan (line by line, blank lines, duplicate ids, limits).
 *
 * Diagnostics are printed to /dev/null.
 */
#include "assertion.h"
#include "fuzz_util.h"
#include "transcript.h"

static hx_rules rulesets[5];
static size_t nrulesets;

static void load_rules(const char *rel)
{
    char path[1024];
    hx_diags d = {0};
    snprintf(path, sizeof path, "%s/%s", HX_FUZZ_ROOT, rel);
    if (hx_rules_load(path, &rulesets[nrulesets], &d) == 0) nrulesets++;
    else hx_rules_free(&rulesets[nrulesets]);
    hx_diags_free(&d);
}

static void free_rules(void)
{
    for (size_t i = 0; i < nrulesets; i++) hx_rules_free(&rulesets[i]);
    nrulesets = 0;
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    fz_setup();
    load_rules("tests/fixtures/basic/assertions/booking.json");
    load_rules("assertions/clinic-scheduling.json");
    load_rules("assertions/insurance-eligibility.json");
    load_rules("assertions/real-estate-showing.json");
    load_rules("assertions/restaurant-booking.json");
    atexit(free_rules);
    return 0;
}

static void use(const hx_json_doc *doc, hx_transcript *t)
{
    int line, col;
    hx_json_locate(doc, &t->path, &line, &col);
    char *r = hx_transcript_render(t);
    free(r);
    hx_norm_ctx ctx = {t->year, t->month, t->day, 0, "US"};
    for (size_t i = 0; i < nrulesets; i++) {
        hx_case_verdict v;
        memset(&v, 0, sizeof v);
        if (hx_check_case(&rulesets[i], t->expected, t->expected, &ctx, &v) == 0)
            hx_case_verdict_free(&v);
    }
}

static void in_memory(const uint8_t *data, size_t size, hx_diags *d)
{
    hx_json_doc doc;
    hx_error err;
    hx_jpath top = {0};
    hx_transcript t;
    if (hx_json_doc_parse("t.json", 1, (const char *)data, size, &doc, &err) != 0) return;
    if (cJSON_IsArray(doc.root)) {
        int n = cJSON_GetArraySize(doc.root);
        for (int i = 0; i < n; i++) {
            hx_jpath q = hx_jpath_index(&top, i);
            if (hx_transcript_from_json(&doc, cJSON_GetArrayItem(doc.root, i), &q, &t, d) == 0) {
                use(&doc, &t);
                hx_transcript_free(&t);
            }
        }
    } else if (hx_transcript_from_json(&doc, doc.root, &top, &t, d) == 0) {
        use(&doc, &t);
        hx_transcript_free(&t);
    }
    hx_json_doc_free(&doc);
}

static void as_jsonl(const uint8_t *data, size_t size, hx_diags *d)
{
    char path[512];
    hx_tscan *sc;
    hx_error err;
    hx_transcript t;
    fz_write("t.jsonl", data, size, path, sizeof path);
    if (hx_tscan_open(path, &sc, &err) != 0) return;
    for (int guard = 0; guard < 100000; guard++) {
        int rc = hx_tscan_next(sc, &t, d);
        if (rc == 0) break;
        if (rc == 1) {
            char *r = hx_transcript_render(&t);
            free(r);
            hx_transcript_free(&t);
        }
    }
    hx_tscan_count(sc);
    hx_tscan_close(sc);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    hx_diags d = {0};
    in_memory(data, size, &d);
    as_jsonl(data, size, &d);
    hx_diags_print(&d, fz_null);
    hx_diags_print_json(&d, fz_null);
    hx_diags_free(&d);
    return 0;
}
