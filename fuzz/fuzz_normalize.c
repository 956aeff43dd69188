/*
 * fuzz_normalize.c — the value normalisers and the assertion engine.
 *
 * Byte 0 chooses what runs and with which context:
 *   low nibble   0..8: hx_norm_date, _time, _integer, _money, _number,
 *                _phone, _boolean, _address, _text on the rest of the
 *                input; 9..15: hx_check_field (below);
 *   bits 4-5     the reference date: 2026-03-02, 2024-02-29 (leap day),
 *                2026-12-31 (year end), or unknown (0/0/0);
 *   bit 6        default meridiem: none or 'p';
 *   bit 7        phone region: "US" or "GB".
 * hx_check_field: byte 1 picks a rule (one of every type, including a
 * list of dates and a list of enums, loaded at start from a fixed rule
 * file); the rest is "expected\nactual", each read as JSON if it parses
 * (so numbers, null, lists and {"any_of": [...]} are reached) and as a
 * string otherwise; an empty actual is an absent one.
 *
 * The text is cut at its first NUL (normalisers take C strings). It is not
 * checked for UTF-8: LM output reaches the normalisers through the runner
 * without such a check, so they must cope with any bytes.
 */
#include "assertion.h"
#include "canon.h"
#include "fuzz_util.h"
#include "rules.h"

static const char RULES[] =
    "{\"fields\": {"
    " \"date\": {\"type\": \"date\"},"
    " \"date1\": {\"type\": \"date\", \"tolerance_days\": 1},"
    " \"time\": {\"type\": \"time\", \"tolerance_minutes\": 15, \"default_meridiem\": \"pm\"},"
    " \"time0\": {\"type\": \"time\"},"
    " \"integer\": {\"type\": \"integer\", \"tolerance\": 1},"
    " \"number\": {\"type\": \"number\", \"tolerance\": 0.01},"
    " \"money\": {\"type\": \"money\"},"
    " \"phone\": {\"type\": \"phone\", \"region\": \"US\"},"
    " \"boolean\": {\"type\": \"boolean\"},"
    " \"address\": {\"type\": \"address\", \"max_name_edits\": 2},"
    " \"enum\": {\"type\": \"enum\", \"values\": {\"UnitedHealthcare\": [\"UHC\", \"United Healthcare\"],"
    "     \"Blue Cross Blue Shield\": [\"BCBS\", \"Blue Cross\"], \"Aetna\": []}},"
    " \"label\": {\"type\": \"label\", \"values\": [\"covered\", \"needs_pa\", \"denied\"]},"
    " \"text\": {\"type\": \"text\", \"min_similarity\": 0.85},"
    " \"text1\": {\"type\": \"text\"},"
    " \"regex\": {\"type\": \"regex\", \"pattern\": \"(?i)^[a-z]+\\\\s*\\\\d{2,}$\"},"
    " \"dates\": {\"type\": \"list\", \"items\": {\"type\": \"date\"}},"
    " \"enums\": {\"type\": \"list\", \"ordered\": true, \"items\": {\"type\": \"label\","
    "     \"values\": [\"a\", \"b\", \"c\"]}}"
    "}, \"case_passes\": \"all\"}";

static hx_rules rules;

static void free_rules(void)
{
    hx_rules_free(&rules);
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    hx_json_doc doc;
    hx_error err;
    hx_diags d = {0};
    fz_setup();
    if (hx_json_doc_parse("fuzz-rules.json", 1, RULES, sizeof RULES - 1, &doc, &err) != 0) {
        fprintf(stderr, "fuzz setup: %s\n", err.msg);
        abort();
    }
    if (hx_rules_from_doc(&doc, &rules, &d) != 0) {
        hx_diags_print(&d, stderr);
        abort();
    }
    hx_diags_free(&d);
    hx_json_doc_free(&doc);
    atexit(free_rules);
    return 0;
}

typedef int (*norm_fn)(const char *, const hx_norm_ctx *, hx_canon *);
static const norm_fn NORMS[9] = {hx_norm_date,   hx_norm_time,  hx_norm_integer,
                                 hx_norm_money,  hx_norm_number, hx_norm_phone,
                                 hx_norm_boolean, hx_norm_address, hx_norm_text};

/* A value as the engine gets it: JSON if the text is JSON, else a string. */
static cJSON *value_of(const char *s)
{
    cJSON *v = cJSON_Parse(s);
    return v ? v : cJSON_CreateString(s);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const int REFS[4][3] = {{2026, 3, 2}, {2024, 2, 29}, {2026, 12, 31}, {0, 0, 0}};
    if (size < 1) return 0;
    unsigned b = data[0];
    hx_norm_ctx ctx = {REFS[(b >> 4) & 3][0], REFS[(b >> 4) & 3][1], REFS[(b >> 4) & 3][2],
                       (b & 64) ? 'p' : 0, (b & 128) ? "GB" : "US"};
    unsigned which = b & 15;

    if (which < 9) {
        char *in = fz_cstr(data + 1, size - 1);
        hx_canon out;
        memset(&out, 0, sizeof out);
        int rc = NORMS[which](in, &ctx, &out);
        /* The contract: a NUL-terminated value or reason within the buffer. */
        if (rc == 0 && !memchr(out.value, '\0', sizeof out.value)) abort();
        if (rc != 0 && !memchr(out.why, '\0', sizeof out.why)) abort();
        free(in);
        return 0;
    }
    if (size < 2 || rules.n == 0) return 0;
    const hx_rule *r = &rules.v[data[1] % rules.n];
    char *text = fz_cstr(data + 2, size - 2);
    char *nl = strchr(text, '\n');
    const char *act_s = "";
    if (nl) {
        *nl = '\0';
        act_s = nl + 1;
    }
    cJSON *expected = value_of(text);
    cJSON *actual = act_s[0] ? value_of(act_s) : NULL;
    if (expected) {
        hx_field_verdict v;
        char why[512];
        hx_check_field(r, r->field, expected, actual, &ctx, &v);
        hx_field_verdict_free(&v);
        hx_expected_valid(r, expected, &ctx, why);
        if (actual && r->type != HX_R_LIST &&
            (cJSON_IsString(actual) || cJSON_IsNumber(actual) || cJSON_IsBool(actual))) {
            hx_canon c;
            hx_rule_normalize(r, actual, &ctx, &c);
        }
        hx_value_absent(actual);
    }
    cJSON_Delete(expected);
    cJSON_Delete(actual);
    free(text);
    return 0;
}
