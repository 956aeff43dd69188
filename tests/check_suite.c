/*
 * check_suite.c — the suite file (suite.h, DESIGN §3.1), field types
 * (signature.h), DSPy-saved programs (program.h, reference/dspy-interop.md
 * §1) and the string set (strset.h).
 *
 * Suites and programs are written to a mkdtemp folder; paths, defaults
 * and messages are checked against DESIGN §3.1 and the interop notes.
 */
#include "test_util.h"

#include <dirent.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "diag.h"
#include "program.h"
#include "signature.h"
#include "strset.h"
#include "suite.h"

Suite *make_suite(void);

/* --- helpers -------------------------------------------------------------- */

static char tmpdir[PATH_MAX];

static void make_tmpdir(void)
{
    snprintf(tmpdir, sizeof tmpdir, "/tmp/hx_suite_XXXXXX");
    ck_assert_ptr_nonnull(mkdtemp(tmpdir));
}

static void rm_rf(const char *path)
{
    struct stat st;
    if (lstat(path, &st) != 0) return;
    if (S_ISDIR(st.st_mode)) {
        DIR *d = opendir(path);
        struct dirent *de;
        if (d) {
            while ((de = readdir(d))) {
                char sub[PATH_MAX];
                if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, "..")) continue;
                snprintf(sub, sizeof sub, "%s/%s", path, de->d_name);
                rm_rf(sub);
            }
            closedir(d);
        }
        rmdir(path);
    } else {
        unlink(path);
    }
}

/* Write text to tmpdir/name (creating one level of folder if the name has
 * a '/'); the full path goes to out (if non-NULL). */
static void write_file(const char *name, const char *text, char *out, size_t cap)
{
    char path[PATH_MAX];
    const char *slash = strchr(name, '/');
    FILE *f;
    if (slash) {
        char dir[PATH_MAX];
        snprintf(dir, sizeof dir, "%s/%.*s", tmpdir, (int)(slash - name), name);
        mkdir(dir, 0700);
    }
    snprintf(path, sizeof path, "%s/%s", tmpdir, name);
    f = fopen(path, "wb");
    ck_assert_ptr_nonnull(f);
    fputs(text, f);
    ck_assert_int_eq(fclose(f), 0);
    if (out) snprintf(out, cap, "%s", path);
}

static int find_diag(const hx_diags *d, const char *path, const char *sub)
{
    for (size_t i = 0; i < d->n; i++)
        if (strcmp(d->v[i].path, path) == 0 && strstr(d->v[i].msg, sub)) return (int)i;
    return -1;
}

/* Every problem, one a line, into a fixed buffer (so it can be shown after
 * everything is freed). */
static void diags_show(const hx_diags *d, char *buf, size_t cap)
{
    char *out = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&out, &len);
    ck_assert_ptr_nonnull(f);
    hx_diags_print(d, f);
    fclose(f);
    snprintf(buf, cap, "%s", out);
    free(out);
}

static char *joinpath(const char *a, const char *b)
{
    char buf[PATH_MAX];
    snprintf(buf, sizeof buf, "%s/%s", a, b);
    return strdup(buf);
}

/* --- files of a valid suite ------------------------------------------------ */

static const char BOOKING_PROGRAM[] =
    "{\n"
    "  \"predict\": {\n"
    "    \"traces\": [],\n"
    "    \"train\": [],\n"
    "    \"demos\": [],\n"
    "    \"signature\": {\n"
    "      \"instructions\": \"Extract the booking details from the call.\",\n"
    "      \"fields\": [\n"
    "        { \"prefix\": \"Transcript:\", \"description\": \"${transcript}\" },\n"
    "        { \"prefix\": \"Call Date:\", \"description\": \"${call_date}\" },\n"
    "        { \"prefix\": \"Reasoning:\", \"description\": \"${reasoning}\" },\n"
    "        { \"prefix\": \"Date:\", \"description\": \"${date}\" },\n"
    "        { \"prefix\": \"Time:\", \"description\": \"${time}\" },\n"
    "        { \"prefix\": \"Party Size:\", \"description\": \"${party_size}\" },\n"
    "        { \"prefix\": \"Name:\", \"description\": \"${name}\" },\n"
    "        { \"prefix\": \"Phone:\", \"description\": \"${phone}\" }\n"
    "      ]\n"
    "    },\n"
    "    \"lm\": null\n"
    "  },\n"
    "  \"metadata\": {\n"
    "    \"dependency_versions\": { \"python\": \"3.11\", \"dspy\": \"3.3.1\", \"cloudpickle\": \"3.1\" }\n"
    "  }\n"
    "}\n";

static const char NOTES_PROGRAM[] =
    "{\n"
    "  \"rewrite\": { \"traces\": [], \"train\": [], \"demos\": [],\n"
    "    \"signature\": { \"instructions\": \"Rewrite.\", \"fields\": [\n"
    "      {\"prefix\": \"Question:\", \"description\": \"${question}\"},\n"
    "      {\"prefix\": \"Search Query:\", \"description\": \"${search_query}\"} ] },\n"
    "    \"lm\": null },\n"
    "  \"extract.predict\": { \"traces\": [], \"train\": [],\n"
    "    \"demos\": [ {\"augmented\": true, \"transcript\": \"Caller: hi\", \"call_date\": \"2026-11-25\",\n"
    "                \"decision\": \"covered\", \"allergies\": []} ],\n"
    "    \"signature\": { \"instructions\": \"Extract the payer's decision.\", \"fields\": [\n"
    "      {\"prefix\": \"Transcript:\", \"description\": \"${transcript}\"},\n"
    "      {\"prefix\": \"Call Date:\", \"description\": \"${call_date}\"},\n"
    "      {\"prefix\": \"Decision:\", \"description\": \"the payer's decision\"},\n"
    "      {\"prefix\": \"Allergies:\", \"description\": \"${allergies}\"} ] },\n"
    "    \"lm\": null },\n"
    "  \"metadata\": { \"dependency_versions\": { \"python\": \"3.11\", \"dspy\": \"3.3.1\", \"cloudpickle\": \"3.1\" } }\n"
    "}\n";

static const char BOOKING_RULES[] =
    "{ \"fields\": {\n"
    "    \"date\":       { \"type\": \"date\" },\n"
    "    \"time\":       { \"type\": \"time\", \"tolerance_minutes\": 0 },\n"
    "    \"party_size\": { \"type\": \"integer\" },\n"
    "    \"name\":       { \"type\": \"text\", \"min_similarity\": 0.85 },\n"
    "    \"phone\":      { \"type\": \"phone\", \"region\": \"US\" } },\n"
    "  \"case_passes\": \"all\" }\n";

static const char NOTES_RULES[] =
    "{ \"fields\": { \"decision\": { \"type\": \"label\", \"values\": [\"covered\", \"needs_pa\", \"denied\"] },\n"
    "               \"allergies\": { \"type\": \"list\", \"items\": { \"type\": \"text\" } } } }\n";

/* %s: the tmpdir (for an absolute program path) */
static const char FULL_SUITE_FMT[] =
    "{\n"
    "  \"db\": \"reports/harness.db\",\n"
    "  \"lm\": { \"model\": \"openai/gpt-4o-mini\", \"base_url\": \"http://127.0.0.1:9/v1\",\n"
    "          \"api_key_env\": \"HX_TEST_KEY\", \"temperature\": 0.2, \"max_tokens\": 500,\n"
    "          \"timeout_s\": 30, \"concurrency\": 4, \"max_retries\": 2, \"rpm\": 60, \"tpm\": 100000,\n"
    "          \"price_per_mtok\": { \"input\": 0.15, \"output\": 0.6 } },\n"
    "  \"agents\": [\n"
    "    { \"name\": \"restaurant-booking\",\n"
    "      \"transcripts\": \"transcripts/booking\",\n"
    "      \"modules\": [\n"
    "        { \"name\": \"booking_extractor\",\n"
    "          \"program\": \"modules/booking_extractor.json\",\n"
    "          \"predictor\": \"ChainOfThought\",\n"
    "          \"signature\": { \"instructions\": \"Extract the booking details from the call.\",\n"
    "                         \"inputs\":  { \"transcript\": \"str\", \"call_date\": \"str\" },\n"
    "                         \"outputs\": { \"date\": \"str\", \"time\": \"str\", \"party_size\": \"int\",\n"
    "                                      \"name\": \"str\", \"phone\": \"Optional[str]\" } },\n"
    "          \"inputs\": { \"transcript\": \"{transcript}\", \"call_date\": \"{call_date}\" },\n"
    "          \"assertions\": \"assertions/booking.json\",\n"
    "          \"bar\": 0.75 },\n"
    "        { \"name\": \"notes\",\n"
    "          \"program\": \"%s/modules/notes.json\",\n"
    "          \"program_key\": \"extract.predict\",\n"
    "          \"signature\": { \"inputs\": { \"transcript\": \"str\", \"call_date\": \"str\" },\n"
    "                         \"outputs\": { \"decision\": { \"type\": \"Literal['covered', 'needs_pa', 'denied']\",\n"
    "                                                    \"desc\": \"the payer's decision\" },\n"
    "                                      \"allergies\": \"list[str]\" } },\n"
    "          \"inputs\": { \"transcript\": \"Restaurant {restaurant}: {transcript}\" },\n"
    "          \"assertions\": \"assertions/notes.json\",\n"
    "          \"bar\": 0.5,\n"
    "          \"recompile\": { \"optimizer\": \"native\", \"auto\": \"medium\", \"min_cases\": 5,\n"
    "                         \"cooldown_hours\": 1.5, \"promote_margin\": 0.05, \"max_drop\": 3 },\n"
    "          \"lm\": { \"model\": \"openai/gpt-4o\", \"temperature\": 0.7, \"structured_outputs\": \"json_object\",\n"
    "                  \"price_per_mtok\": { \"output\": 2.5 } } } ] },\n"
    "    { \"name\": \"insurance-verification\",\n"
    "      \"transcripts\": \"/data/transcripts/insurance\",\n"
    "      \"modules\": [\n"
    "        { \"name\": \"booking_extractor\",\n"
    "          \"program\": \"modules/booking_extractor.json\",\n"
    "          \"predictor\": \"ChainOfThought\",\n"
    "          \"signature\": { \"inputs\":  { \"transcript\": \"str\", \"call_date\": \"str\" },\n"
    "                         \"outputs\": { \"date\": \"str\", \"time\": \"str\", \"party_size\": \"int\",\n"
    "                                      \"name\": \"str\", \"phone\": \"Optional[str]\" } },\n"
    "          \"assertions\": \"assertions/booking.json\",\n"
    "          \"bar\": 1 } ] } ]\n"
    "}\n";

/* Write the full valid suite and its parts; the suite's path goes to out. */
static void write_full_suite(char *out, size_t cap)
{
    char text[8192];
    write_file("modules/booking_extractor.json", BOOKING_PROGRAM, NULL, 0);
    write_file("modules/notes.json", NOTES_PROGRAM, NULL, 0);
    write_file("assertions/booking.json", BOOKING_RULES, NULL, 0);
    write_file("assertions/notes.json", NOTES_RULES, NULL, 0);
    snprintf(text, sizeof text, FULL_SUITE_FMT, tmpdir);
    write_file("suite.json", text, out, cap);
}

static void load_full_suite(hx_suite *s)
{
    char path[PATH_MAX], shown[4096];
    hx_diags d = {0};
    write_full_suite(path, sizeof path);
    int rc = hx_suite_load(path, s, &d);
    diags_show(&d, shown, sizeof shown);
    size_t n = d.n;
    hx_diags_free(&d);
    ck_assert_msg(rc == 0 && n == 0, "valid suite refused:\n%s", shown);
}

/* --- suite loading --------------------------------------------------------------- */

START_TEST(suite_full_valid)
{
    hx_suite s;
    char *want;
    make_tmpdir();
    load_full_suite(&s);

    ck_assert_str_eq(s.dir, tmpdir);
    want = joinpath(tmpdir, "reports/harness.db");
    ck_assert_str_eq(s.db, want);
    free(want);

    /* the suite's LM */
    ck_assert_str_eq(s.lm.model, "openai/gpt-4o-mini");
    ck_assert_str_eq(s.lm.base_url, "http://127.0.0.1:9/v1");
    ck_assert_str_eq(s.lm.api_key_env, "HX_TEST_KEY");
    ck_assert_double_eq(s.lm.temperature, 0.2);
    ck_assert_int_eq(s.lm.max_tokens, 500);
    ck_assert_double_eq(s.lm.timeout_s, 30);
    ck_assert_int_eq(s.lm.concurrency, 4);
    ck_assert_int_eq(s.lm.max_retries, 2);
    ck_assert_int_eq(s.lm.rpm, 60);
    ck_assert_int_eq(s.lm.tpm, 100000);
    ck_assert_double_eq(s.lm.price_in, 0.15);
    ck_assert_double_eq(s.lm.price_out, 0.6);

    ck_assert_uint_eq(s.nagents, 2);
    hx_agent_config *a0 = &s.agents[0], *a1 = &s.agents[1];
    ck_assert_str_eq(a0->name, "restaurant-booking");
    want = joinpath(tmpdir, "transcripts/booking");
    ck_assert_str_eq(a0->transcripts, want);
    free(want);
    /* an absolute path stays as it is */
    ck_assert_str_eq(a1->transcripts, "/data/transcripts/insurance");
    ck_assert_uint_eq(a0->nmodules, 2);
    ck_assert_uint_eq(a1->nmodules, 1);

    /* module 0: ChainOfThought, suite LM, recompile defaults (DESIGN §3.1) */
    hx_module_config *m = &a0->modules[0];
    char buf[256];
    ck_assert_str_eq(m->name, "booking_extractor");
    want = joinpath(tmpdir, "modules/booking_extractor.json");
    ck_assert_str_eq(m->program, want);
    free(want);
    want = joinpath(tmpdir, "assertions/booking.json");
    ck_assert_str_eq(m->assertions, want);
    free(want);
    ck_assert_ptr_null(m->program_key);
    ck_assert(m->chain_of_thought);
    ck_assert_str_eq(m->sig.instructions, "Extract the booking details from the call.");
    ck_assert_uint_eq(m->sig.ninputs, 2);
    ck_assert_str_eq(m->sig.inputs[0].name, "transcript");
    ck_assert_str_eq(m->sig.inputs[1].name, "call_date");
    ck_assert_uint_eq(m->sig.noutputs, 5);
    ck_assert_str_eq(m->sig.outputs[2].name, "party_size");
    ck_assert_int_eq(m->sig.outputs[2].type->kind, HX_TY_INT);
    ck_assert_str_eq(m->sig.outputs[4].name, "phone");
    hx_type_render(m->sig.outputs[4].type, buf, sizeof buf);
    ck_assert_str_eq(buf, "Optional[str]");
    ck_assert_ptr_null(m->sig.outputs[4].desc);
    ck_assert_ptr_nonnull(hx_signature_output(&m->sig, "time"));
    ck_assert_ptr_null(hx_signature_output(&m->sig, "transcript"));
    ck_assert_ptr_nonnull(hx_signature_input(&m->sig, "call_date"));
    ck_assert_uint_eq(m->ninputs, 2);
    ck_assert_str_eq(m->inputs[0].name, "transcript");
    ck_assert_str_eq(m->inputs[0].template_, "{transcript}");
    ck_assert_str_eq(m->inputs[1].template_, "{call_date}");
    ck_assert_double_eq(m->bar, 0.75);
    ck_assert_str_eq(m->recompile.optimizer, "dspy");
    ck_assert_str_eq(m->recompile.auto_level, "light");
    ck_assert_int_eq(m->recompile.min_cases, 20);
    ck_assert_double_eq(m->recompile.cooldown_hours, 20);
    ck_assert_double_eq(m->recompile.promote_margin, 0.02);
    ck_assert_str_eq(m->lm.model, "openai/gpt-4o-mini");
    ck_assert_str_eq(m->lm.base_url, "http://127.0.0.1:9/v1");
    ck_assert_ptr_ne(m->lm.model, s.lm.model); /* a copy, freed on its own */
    ck_assert_double_eq(m->lm.temperature, 0.2);
    ck_assert_int_eq(m->lm.concurrency, 4);
    ck_assert_double_eq(m->lm.price_out, 0.6);
    ck_assert_int_eq(m->lm.structured_outputs, HX_SO_AUTO); /* the default */
    ck_assert_int_eq(m->agent_index, 0);
    ck_assert_int_eq(m->module_index, 0);

    /* module 1: absolute program path, program_key, Predict, overrides */
    m = &a0->modules[1];
    ck_assert_str_eq(m->name, "notes");
    want = joinpath(tmpdir, "modules/notes.json");
    ck_assert_str_eq(m->program, want);
    free(want);
    ck_assert_str_eq(m->program_key, "extract.predict");
    ck_assert(!m->chain_of_thought);
    ck_assert_ptr_null(m->sig.instructions);
    ck_assert_uint_eq(m->sig.noutputs, 2);
    ck_assert_str_eq(m->sig.outputs[0].name, "decision");
    ck_assert_int_eq(m->sig.outputs[0].type->kind, HX_TY_LITERAL);
    ck_assert_uint_eq(m->sig.outputs[0].type->nliterals, 3);
    ck_assert_str_eq(m->sig.outputs[0].type->literals[1], "needs_pa");
    ck_assert_str_eq(m->sig.outputs[0].desc, "the payer's decision");
    hx_type_render(m->sig.outputs[1].type, buf, sizeof buf);
    ck_assert_str_eq(buf, "list[str]");
    ck_assert_uint_eq(m->ninputs, 2);
    ck_assert_str_eq(m->inputs[0].template_, "Restaurant {restaurant}: {transcript}");
    /* an unmapped input reads the transcript value of the same name */
    ck_assert_str_eq(m->inputs[1].name, "call_date");
    ck_assert_str_eq(m->inputs[1].template_, "{call_date}");
    ck_assert_double_eq(m->bar, 0.5);
    ck_assert_str_eq(m->recompile.optimizer, "native");
    ck_assert_str_eq(m->recompile.auto_level, "medium");
    ck_assert_int_eq(m->recompile.min_cases, 5);
    ck_assert_double_eq(m->recompile.cooldown_hours, 1.5);
    ck_assert_double_eq(m->recompile.promote_margin, 0.05);
    ck_assert_double_eq(m->recompile.max_drop, 3);
    /* LM: the module's keys over the suite's */
    ck_assert_str_eq(m->lm.model, "openai/gpt-4o");
    ck_assert_double_eq(m->lm.temperature, 0.7);
    ck_assert_int_eq(m->lm.structured_outputs, HX_SO_JSON_OBJECT);
    ck_assert_str_eq(m->lm.base_url, "http://127.0.0.1:9/v1");
    ck_assert_str_eq(m->lm.api_key_env, "HX_TEST_KEY");
    ck_assert_int_eq(m->lm.max_tokens, 500);
    ck_assert_int_eq(m->lm.concurrency, 4);
    ck_assert_double_eq(m->lm.price_in, 0.15);
    ck_assert_double_eq(m->lm.price_out, 2.5);
    ck_assert_int_eq(m->agent_index, 0);
    ck_assert_int_eq(m->module_index, 1);
    /* the suite's own LM is untouched by the override */
    ck_assert_str_eq(s.lm.model, "openai/gpt-4o-mini");
    ck_assert_double_eq(s.lm.price_out, 0.6);

    m = &a1->modules[0];
    ck_assert_int_eq(m->agent_index, 1);
    ck_assert_int_eq(m->module_index, 0);
    ck_assert_double_eq(m->bar, 1.0);
    ck_assert_str_eq(m->lm.model, "openai/gpt-4o-mini");

    hx_suite_free(&s);
    ck_assert_ptr_null(s.agents);
    rm_rf(tmpdir);
}
END_TEST

START_TEST(suite_load_parts)
{
    hx_suite s;
    hx_diags d = {0};
    char shown[4096];
    make_tmpdir();
    load_full_suite(&s);
    int rc = hx_suite_load_parts(&s, &d);
    diags_show(&d, shown, sizeof shown);
    ck_assert_msg(rc == 0 && d.n == 0, "parts refused:\n%s", shown);
    hx_module_config *m0 = &s.agents[0].modules[0], *m1 = &s.agents[0].modules[1];
    ck_assert(m0->parts_ok);
    ck_assert(m1->parts_ok);
    ck_assert(s.agents[1].modules[0].parts_ok);
    ck_assert_uint_eq(m0->rules.n, 5);
    ck_assert_str_eq(m0->prog.key, "predict");
    ck_assert_uint_eq(m0->prog.nfields, 8);
    ck_assert_str_eq(m0->prog.fields[2].prefix, "Reasoning:");
    ck_assert_uint_eq(m1->rules.n, 2);
    ck_assert_str_eq(m1->prog.key, "extract.predict");
    ck_assert_uint_eq(m1->prog.nfields, 4);
    ck_assert_str_eq(m1->prog.instructions, "Extract the payer's decision.");
    ck_assert_int_eq(cJSON_GetArraySize(m1->prog.demos), 1);
    hx_diags_free(&d);
    hx_suite_free(&s);

    /* a rule for a field the module does not output is a problem */
    load_full_suite(&s);
    write_file("assertions/notes.json",
               "{\"fields\": {\"decision\": {\"type\": \"label\", \"values\": [\"covered\"]},"
               " \"email\": {\"type\": \"text\"}}}",
               NULL, 0);
    rc = hx_suite_load_parts(&s, &d);
    diags_show(&d, shown, sizeof shown);
    ck_assert_int_eq(rc, -1);
    ck_assert_msg(d.n == 1 && strstr(d.v[0].msg, "\"email\"") && strstr(d.v[0].msg, "notes"), "%s", shown);
    ck_assert(s.agents[0].modules[0].parts_ok);
    ck_assert(!s.agents[0].modules[1].parts_ok);
    hx_diags_free(&d);
    hx_suite_free(&s);
    rm_rf(tmpdir);
}
END_TEST

START_TEST(suite_lm_defaults)
{
    /* no "db", no "lm": DESIGN §3.1's values */
    hx_suite s;
    hx_diags d = {0};
    char path[PATH_MAX];
    make_tmpdir();
    write_file("suite.json",
               "{\"agents\": [{\"name\": \"a\", \"transcripts\": \"t\", \"modules\": [{\"name\": \"m\","
               " \"program\": \"p.json\", \"signature\": {\"inputs\": {\"transcript\": \"str\"},"
               " \"outputs\": {\"x\": \"bool\"}}, \"assertions\": \"r.json\", \"bar\": 0}]}]}",
               path, sizeof path);
    ck_assert_int_eq(hx_suite_load(path, &s, &d), 0);
    ck_assert_uint_eq(d.n, 0);
    char *want = joinpath(tmpdir, "reports/harness.db");
    ck_assert_str_eq(s.db, want);
    free(want);
    ck_assert_str_eq(s.lm.model, "openai/gpt-4o-mini");
    ck_assert_str_eq(s.lm.base_url, "https://api.openai.com/v1");
    ck_assert_str_eq(s.lm.api_key_env, "OPENAI_API_KEY");
    ck_assert_double_eq(s.lm.temperature, 0);
    ck_assert_int_eq(s.lm.max_tokens, 1000);
    ck_assert_double_eq(s.lm.timeout_s, 60);
    ck_assert_int_eq(s.lm.concurrency, 16);
    ck_assert_int_eq(s.lm.max_retries, 6);
    ck_assert_int_eq(s.lm.rpm, 0);
    ck_assert_int_eq(s.lm.tpm, 0);
    hx_module_config *m = &s.agents[0].modules[0];
    ck_assert(!m->chain_of_thought); /* "predictor" defaults to Predict */
    ck_assert_double_eq(m->bar, 0);
    ck_assert_str_eq(m->recompile.optimizer, "dspy");
    ck_assert_str_eq(m->recompile.auto_level, "light");
    ck_assert_int_eq(m->recompile.min_cases, 20);
    ck_assert_double_eq(m->recompile.cooldown_hours, 20);
    ck_assert_double_eq(m->recompile.promote_margin, 0.02);
    ck_assert_str_eq(m->lm.model, "openai/gpt-4o-mini");
    ck_assert_str_eq(m->inputs[0].template_, "{transcript}");
    hx_suite_free(&s);
    hx_diags_free(&d);
    rm_rf(tmpdir);
}
END_TEST

/* --- suite problems -------------------------------------------------------------- */

#define MOD_NOBAR \
    "\"program\": \"p.json\", \"signature\": {\"inputs\": {\"transcript\": \"str\"}, " \
    "\"outputs\": {\"x\": \"str\"}}, \"assertions\": \"r.json\""
#define MOD(extra) "{\"name\": \"m\", " MOD_NOBAR ", \"bar\": 0.9" extra "}"
#define SUITE1(mod) "{\"agents\": [{\"name\": \"a\", \"transcripts\": \"t\", \"modules\": [" mod "]}]}"

/* The suite text must be refused with a problem at want_path whose message
 * holds want_sub. Returns that problem's line (0 if unknown). */
static int suite_problem(const char *text, const char *want_path, const char *want_sub)
{
    hx_suite s;
    hx_diags d = {0};
    char path[PATH_MAX], shown[4096];
    make_tmpdir();
    write_file("suite.json", text, path, sizeof path);
    int rc = hx_suite_load(path, &s, &d);
    int at = find_diag(&d, want_path, want_sub);
    int line = at >= 0 ? d.v[at].line : 0;
    diags_show(&d, shown, sizeof shown);
    hx_suite_free(&s);
    hx_diags_free(&d);
    rm_rf(tmpdir);
    ck_assert_msg(rc == -1, "accepted: %s", text);
    ck_assert_msg(at >= 0, "no problem at %s containing \"%s\"; got:\n%s", want_path, want_sub, shown);
    return line;
}

START_TEST(suite_unknown_keys)
{
    /* line 3 is `          "concurency": 8 },`: the value '8' is col 25 */
    const char *text = "{\n"
                       "  \"lm\": { \"model\": \"m\",\n"
                       "          \"concurency\": 8 },\n"
                       "  \"agents\": [{\"name\": \"a\", \"transcripts\": \"t\", \"modules\": [" MOD("") "]}]\n"
                       "}\n";
    hx_suite s;
    hx_diags d = {0};
    char path[PATH_MAX];
    make_tmpdir();
    write_file("suite.json", text, path, sizeof path);
    ck_assert_int_eq(hx_suite_load(path, &s, &d), -1);
    ck_assert_uint_eq(d.n, 1);
    ck_assert_str_eq(d.v[0].file, path);
    ck_assert_str_eq(d.v[0].path, "$.lm.concurency");
    ck_assert_int_eq(d.v[0].line, 3);
    ck_assert_int_eq(d.v[0].col, 25);
    ck_assert_ptr_nonnull(strstr(d.v[0].msg, "unknown key \"concurency\""));
    /* it says what is known */
    ck_assert_ptr_nonnull(strstr(d.v[0].msg, "concurrency"));
    hx_suite_free(&s);
    hx_diags_free(&d);
    rm_rf(tmpdir);

    suite_problem(SUITE1(MOD(", \"bars\": 0.9")), "$.agents[0].modules[0].bars", "unknown key");
    suite_problem("{\"agent\": [], \"agents\": [{\"name\": \"a\", \"transcripts\": \"t\", \"modules\": [" MOD("") "]}]}",
                  "$.agent", "unknown key");
    suite_problem("{\"agents\": [{\"name\": \"a\", \"transcript\": \"t\", \"transcripts\": \"t\", \"modules\": [" MOD("") "]}]}",
                  "$.agents[0].transcript", "unknown key");
    suite_problem(SUITE1(MOD(", \"recompile\": {\"optimiser\": \"native\"}")), "$.agents[0].modules[0].recompile.optimiser",
                  "unknown key");
    suite_problem(SUITE1("{\"name\": \"m\", \"program\": \"p.json\", \"signature\": {\"inputs\": {\"transcript\": \"str\"},"
                         " \"outputs\": {\"x\": {\"type\": \"str\", \"descr\": \"d\"}}}, \"assertions\": \"r.json\", \"bar\": 0.9}"),
                  "$.agents[0].modules[0].signature.outputs.x.descr", "unknown key");
    suite_problem(SUITE1("{\"name\": \"m\", \"program\": \"p.json\", \"signature\": {\"instruction\": \"x\", \"inputs\": {\"transcript\": \"str\"},"
                         " \"outputs\": {\"x\": \"str\"}}, \"assertions\": \"r.json\", \"bar\": 0.9}"),
                  "$.agents[0].modules[0].signature.instruction", "unknown key");
    suite_problem(SUITE1(MOD(", \"lm\": {\"price_per_mtok\": {\"in\": 1}}")), "$.agents[0].modules[0].lm.price_per_mtok.in",
                  "unknown key");
}
END_TEST

START_TEST(suite_bad_base_url)
{
    /* line 2: `  "lm": { "base_url": "localhost:8000/v1" },` */
    int line = suite_problem("{\n  \"lm\": { \"base_url\": \"localhost:8000/v1\" },\n"
                             "  \"agents\": [{\"name\": \"a\", \"transcripts\": \"t\", \"modules\": [" MOD("") "]}]}",
                             "$.lm.base_url", "http");
    ck_assert_int_eq(line, 2);
    suite_problem("{\"lm\": {\"base_url\": \"ftp://example.com/v1\"}, \"agents\": [{\"name\": \"a\", \"transcripts\": \"t\", "
                  "\"modules\": [" MOD("") "]}]}",
                  "$.lm.base_url", "ftp://example.com/v1");
    suite_problem(SUITE1(MOD(", \"lm\": {\"base_url\": \"127.0.0.1:11434\"}")), "$.agents[0].modules[0].lm.base_url", "http");
    suite_problem(SUITE1(MOD(", \"lm\": {\"base_url\": \"\"}")), "$.agents[0].modules[0].lm.base_url", "non-empty");
}
END_TEST

START_TEST(suite_bar_problems)
{
    suite_problem(SUITE1("{\"name\": \"m\", \"program\": \"p.json\", \"signature\": {\"inputs\": {\"transcript\": \"str\"},"
                         " \"outputs\": {\"x\": \"str\"}}, \"assertions\": \"r.json\"}"),
                  "$.agents[0].modules[0]", "missing \"bar\"");
    suite_problem(SUITE1("{\"name\": \"m\", \"program\": \"p.json\", \"signature\": {\"inputs\": {\"transcript\": \"str\"},"
                         " \"outputs\": {\"x\": \"str\"}}, \"assertions\": \"r.json\", \"bar\": 1.5}"),
                  "$.agents[0].modules[0].bar", "0 to 1");
    suite_problem(SUITE1("{\"name\": \"m\", \"program\": \"p.json\", \"signature\": {\"inputs\": {\"transcript\": \"str\"},"
                         " \"outputs\": {\"x\": \"str\"}}, \"assertions\": \"r.json\", \"bar\": \"high\"}"),
                  "$.agents[0].modules[0].bar", "\"high\"");
    suite_problem(SUITE1("{\"name\": \"m\", \"program\": \"p.json\", \"signature\": {\"inputs\": {\"transcript\": \"str\"},"
                         " \"outputs\": {\"x\": \"str\"}}, \"assertions\": \"r.json\", \"bar\": -0.1}"),
                  "$.agents[0].modules[0].bar", "0 to 1");
}
END_TEST

START_TEST(suite_duplicate_names)
{
    suite_problem(SUITE1(MOD("") ", {\"name\": \"m\", \"program\": \"q.json\", \"signature\": {\"inputs\": {\"transcript\": \"str\"},"
                                 " \"outputs\": {\"y\": \"str\"}}, \"assertions\": \"r.json\", \"bar\": 0.9}"),
                  "$.agents[0].modules[1].name", "used twice");
    suite_problem("{\"agents\": [{\"name\": \"a\", \"transcripts\": \"t\", \"modules\": [" MOD("") "]},"
                  " {\"name\": \"a\", \"transcripts\": \"u\", \"modules\": [" MOD("") "]}]}",
                  "$.agents[1].name", "used twice");
    /* the same module name in two agents is fine */
    hx_suite s;
    hx_diags d = {0};
    char path[PATH_MAX];
    make_tmpdir();
    write_file("suite.json",
               "{\"agents\": [{\"name\": \"a\", \"transcripts\": \"t\", \"modules\": [" MOD("") "]},"
               " {\"name\": \"b\", \"transcripts\": \"u\", \"modules\": [" MOD("") "]}]}",
               path, sizeof path);
    ck_assert_int_eq(hx_suite_load(path, &s, &d), 0);
    hx_suite_free(&s);
    hx_diags_free(&d);
    rm_rf(tmpdir);
}
END_TEST

START_TEST(suite_duplicate_key)
{
    /* Regression: suite.c read every object with cJSON_GetObjectItemCaseSensitive,
     * which returns the FIRST of two equal keys, and nothing reports the
     * repeat: a module with "bar": 0.9 ... "bar": 2 loads with rc 0, no
     * problem, and bar 0.9 — while Python's json (and so DSPy tooling, and
     * most editors' JSON preview) takes the LAST value. The loader reports
     * unknown keys so that nothing in a suite is silently ignored; a
     * repeated key is the same kind of mistake. (rules.c already reports a
     * field given twice.) Expected: -1 with a problem at
     * $.agents[0].modules[0].bar. */
    suite_problem(SUITE1(MOD(", \"bar\": 2")), "$.agents[0].modules[0].bar", "");
}
END_TEST

START_TEST(suite_same_output_twice)
{
    const char *text = SUITE1(MOD("") ", {\"name\": \"n\", \"program\": \"q.json\", \"signature\": {\"inputs\": {\"transcript\": \"str\"},"
                                      " \"outputs\": {\"z\": \"int\", \"x\": \"str\"}}, \"assertions\": \"r.json\", \"bar\": 0.9}");
    hx_suite s;
    hx_diags d = {0};
    char path[PATH_MAX];
    make_tmpdir();
    write_file("suite.json", text, path, sizeof path);
    ck_assert_int_eq(hx_suite_load(path, &s, &d), -1);
    ck_assert_uint_eq(d.n, 1);
    ck_assert_str_eq(d.v[0].path, "$.agents[0].modules[1]");
    ck_assert_ptr_nonnull(strstr(d.v[0].msg, "\"x\""));
    ck_assert_ptr_nonnull(strstr(d.v[0].msg, "\"m\""));
    ck_assert_ptr_nonnull(strstr(d.v[0].msg, "\"n\""));
    hx_suite_free(&s);
    hx_diags_free(&d);
    rm_rf(tmpdir);
}
END_TEST

START_TEST(suite_module_problems)
{
    suite_problem(SUITE1(MOD(", \"predictor\": \"ReAct\"")), "$.agents[0].modules[0].predictor", "ReAct");
    suite_problem(SUITE1("{\"name\": \"m\", \"signature\": {\"inputs\": {\"transcript\": \"str\"}, \"outputs\": {\"x\": \"str\"}},"
                         " \"assertions\": \"r.json\", \"bar\": 0.9}"),
                  "$.agents[0].modules[0]", "\"program\"");
    suite_problem(SUITE1("{\"name\": \"m\", \"program\": \"p.json\", \"signature\": {\"inputs\": {\"transcript\": \"str\"},"
                         " \"outputs\": {\"x\": \"str\"}}, \"bar\": 0.9}"),
                  "$.agents[0].modules[0]", "\"assertions\"");
    suite_problem(SUITE1("{\"program\": \"p.json\", \"signature\": {\"inputs\": {\"transcript\": \"str\"},"
                         " \"outputs\": {\"x\": \"str\"}}, \"assertions\": \"r.json\", \"bar\": 0.9}"),
                  "$.agents[0].modules[0]", "\"name\"");
    suite_problem(SUITE1("{\"name\": \"m\", \"program\": \"p.json\", \"assertions\": \"r.json\", \"bar\": 0.9}"),
                  "$.agents[0].modules[0].signature", "signature");
    suite_problem(SUITE1("{\"name\": \"m\", \"program\": \"p.json\", \"signature\": {\"inputs\": {\"transcript\": \"str\"},"
                         " \"outputs\": {\"x\": \"dict\"}}, \"assertions\": \"r.json\", \"bar\": 0.9}"),
                  "$.agents[0].modules[0].signature.outputs.x", "dict");
    suite_problem(SUITE1("{\"name\": \"m\", \"program\": \"p.json\", \"signature\": {\"inputs\": {\"transcript\": \"str\"},"
                         " \"outputs\": {}}, \"assertions\": \"r.json\", \"bar\": 0.9}"),
                  "$.agents[0].modules[0].signature.outputs", "non-empty");
    suite_problem(SUITE1("{\"name\": \"m\", \"program\": \"p.json\", \"signature\": {\"inputs\": {\"transcript\": \"str\"},"
                         " \"outputs\": {\"transcript\": \"str\"}}, \"assertions\": \"r.json\", \"bar\": 0.9}"),
                  "$.agents[0].modules[0].signature.outputs.transcript", "also an input");
    suite_problem(SUITE1("{\"name\": \"m\", \"program\": \"p.json\", \"predictor\": \"ChainOfThought\", \"signature\": "
                         "{\"inputs\": {\"transcript\": \"str\"}, \"outputs\": {\"reasoning\": \"str\"}}, \"assertions\": \"r.json\", \"bar\": 0.9}"),
                  "$.agents[0].modules[0].signature.outputs.reasoning", "reserved");
    suite_problem(SUITE1("{\"name\": \"m\", \"program\": \"p.json\", \"signature\": {\"inputs\": {\"call date\": \"str\"},"
                         " \"outputs\": {\"x\": \"str\"}}, \"assertions\": \"r.json\", \"bar\": 0.9}"),
                  "$.agents[0].modules[0].signature.inputs[\"call date\"]", "identifier");
    suite_problem(SUITE1(MOD(", \"inputs\": {\"transcrpt\": \"{transcript}\"}")), "$.agents[0].modules[0].inputs.transcrpt",
                  "not an input");
    suite_problem(SUITE1(MOD(", \"inputs\": {\"transcript\": \"{transcript\"}")), "$.agents[0].modules[0].inputs.transcript",
                  "unclosed");
    suite_problem(SUITE1(MOD(", \"inputs\": {\"transcript\": \"a {} b\"}")), "$.agents[0].modules[0].inputs.transcript",
                  "empty placeholder");
    suite_problem(SUITE1(MOD(", \"inputs\": {\"transcript\": 5}")), "$.agents[0].modules[0].inputs.transcript", "template");
    suite_problem(SUITE1(MOD(", \"recompile\": {\"optimizer\": \"mipro\"}")), "$.agents[0].modules[0].recompile.optimizer",
                  "\"dspy\" or \"native\"");
    suite_problem(SUITE1(MOD(", \"recompile\": {\"auto\": \"extreme\"}")), "$.agents[0].modules[0].recompile.auto", "light");
    suite_problem(SUITE1(MOD(", \"recompile\": {\"promote_margin\": 2}")), "$.agents[0].modules[0].recompile.promote_margin",
                  "0 to 1");
    suite_problem(SUITE1(MOD(", \"recompile\": {\"min_cases\": 2.5}")), "$.agents[0].modules[0].recompile.min_cases", "whole");
    suite_problem(SUITE1(MOD(", \"lm\": {\"temperature\": 3}")), "$.agents[0].modules[0].lm.temperature", "0 to 2");
    suite_problem(SUITE1(MOD(", \"lm\": \"gpt-4o\"")), "$.agents[0].modules[0].lm", "object");
    suite_problem("{\"lm\": {\"concurrency\": 0}, \"agents\": [{\"name\": \"a\", \"transcripts\": \"t\", \"modules\": [" MOD("") "]}]}",
                  "$.lm.concurrency", "1 to 4096");
    suite_problem("{\"lm\": {\"max_tokens\": 1.5}, \"agents\": [{\"name\": \"a\", \"transcripts\": \"t\", \"modules\": [" MOD("") "]}]}",
                  "$.lm.max_tokens", "whole");
}
END_TEST

START_TEST(suite_file_problems)
{
    suite_problem("{\"agents\": []}", "$.agents", "non-empty");
    suite_problem("{\"db\": \"x.db\"}", "", "\"agents\"");
    suite_problem("[1, 2]", "", "suite object");
    suite_problem("{\"agents\": [{\"name\": \"a\", \"transcripts\": \"t\", \"modules\": []}]}", "$.agents[0].modules",
                  "non-empty");
    suite_problem("{\"agents\": [{\"name\": \"a\", \"transcripts\": \"t\"}]}", "$.agents[0]", "\"modules\"");
    suite_problem("{\"agents\": [\"a\"]}", "$.agents[0]", "agent object");

    /* a missing file: one problem naming it, and the suite is safe to free */
    hx_suite s;
    hx_diags d = {0};
    char path[PATH_MAX];
    make_tmpdir();
    snprintf(path, sizeof path, "%s/nope.json", tmpdir);
    ck_assert_int_eq(hx_suite_load(path, &s, &d), -1);
    ck_assert_uint_eq(d.n, 1);
    ck_assert_ptr_nonnull(strstr(d.v[0].msg, path));
    hx_suite_free(&s);
    hx_diags_free(&d);
    rm_rf(tmpdir);
}
END_TEST

START_TEST(suite_all_problems_reported)
{
    /* problems in the LM, in two agents and in two modules: all reported */
    const char *text =
        "{\"lm\": {\"base_url\": \"nowhere\", \"timeout\": 5},\n"
        " \"agents\": [{\"name\": \"a\", \"transcripts\": \"t\", \"modules\": [{\"name\": \"m\", " MOD_NOBAR ", \"bar\": 2}]},\n"
        "            {\"name\": \"b\", \"transcripts\": \"u\", \"modules\": [" MOD(", \"predictor\": \"cot\"") "]}]}\n";
    hx_suite s;
    hx_diags d = {0};
    char path[PATH_MAX], shown[4096];
    make_tmpdir();
    write_file("suite.json", text, path, sizeof path);
    int rc = hx_suite_load(path, &s, &d);
    diags_show(&d, shown, sizeof shown);
    int a = find_diag(&d, "$.lm.base_url", "http");
    int b = find_diag(&d, "$.lm.timeout", "unknown key");
    int c = find_diag(&d, "$.agents[0].modules[0].bar", "0 to 1");
    int e = find_diag(&d, "$.agents[1].modules[0].predictor", "cot");
    size_t n = d.n;
    int line_e = e >= 0 ? d.v[e].line : 0;
    hx_suite_free(&s);
    hx_diags_free(&d);
    rm_rf(tmpdir);
    ck_assert_int_eq(rc, -1);
    ck_assert_msg(a >= 0 && b >= 0 && c >= 0 && e >= 0, "missing problems:\n%s", shown);
    ck_assert_msg(n == 4, "expected 4 problems:\n%s", shown);
    ck_assert_int_eq(line_e, 3);
}
END_TEST

/* --- finding modules --------------------------------------------------------------- */

START_TEST(suite_find_module)
{
    hx_suite s;
    char why[256];
    hx_module_config *m;
    make_tmpdir();
    load_full_suite(&s);

    m = hx_suite_find_module(&s, "notes", why);
    ck_assert_ptr_eq(m, &s.agents[0].modules[1]);
    m = hx_suite_find_module(&s, "restaurant-booking/notes", why);
    ck_assert_ptr_eq(m, &s.agents[0].modules[1]);
    m = hx_suite_find_module(&s, "restaurant-booking/booking_extractor", why);
    ck_assert_ptr_eq(m, &s.agents[0].modules[0]);
    m = hx_suite_find_module(&s, "insurance-verification/booking_extractor", why);
    ck_assert_ptr_eq(m, &s.agents[1].modules[0]);

    /* in two agents: ambiguous, and the message says how to name it */
    why[0] = '\0';
    ck_assert_ptr_null(hx_suite_find_module(&s, "booking_extractor", why));
    ck_assert_ptr_nonnull(strstr(why, "booking_extractor"));
    ck_assert_ptr_nonnull(strstr(why, "2 agents"));
    ck_assert_ptr_nonnull(strstr(why, "AGENT/MODULE"));

    why[0] = '\0';
    ck_assert_ptr_null(hx_suite_find_module(&s, "nope", why));
    ck_assert_ptr_nonnull(strstr(why, "\"nope\""));
    ck_assert_ptr_null(hx_suite_find_module(&s, "insurance-verification/notes", why));
    ck_assert_ptr_nonnull(strstr(why, "insurance-verification/notes"));
    /* an agent name must match whole, not as a prefix */
    ck_assert_ptr_null(hx_suite_find_module(&s, "restaurant/notes", why));
    ck_assert_ptr_null(hx_suite_find_module(&s, "/notes", why));
    ck_assert_ptr_null(hx_suite_find_module(&s, "Notes", why));
    ck_assert_ptr_null(hx_suite_find_module(&s, "", why));
    hx_suite_free(&s);
    rm_rf(tmpdir);
}
END_TEST

/* --- types ------------------------------------------------------------------------ */

static void round_trip(const char *in, hx_type_kind kind, const char *want)
{
    hx_type *t = NULL;
    char why[256] = "", buf[512];
    int rc = hx_type_parse(in, &t, why);
    ck_assert_msg(rc == 0, "%s refused: %s", in, why);
    hx_type_kind k = t->kind;
    hx_type_render(t, buf, sizeof buf);
    hx_type_free(t);
    ck_assert_int_eq(k, kind);
    ck_assert_str_eq(buf, want);
    /* and the rendering parses back to itself */
    ck_assert_int_eq(hx_type_parse(buf, &t, why), 0);
    hx_type_render(t, buf, sizeof buf);
    hx_type_free(t);
    ck_assert_str_eq(buf, want);
}

START_TEST(type_round_trips)
{
    round_trip("str", HX_TY_STR, "str");
    round_trip("int", HX_TY_INT, "int");
    round_trip("float", HX_TY_FLOAT, "float");
    round_trip("bool", HX_TY_BOOL, "bool");
    round_trip("list[str]", HX_TY_LIST, "list[str]");
    round_trip("Optional[str]", HX_TY_OPTIONAL, "Optional[str]");
    round_trip("Literal['covered', 'needs_pa', 'denied']", HX_TY_LITERAL, "Literal['covered', 'needs_pa', 'denied']");
    /* other spellings of the same types */
    round_trip("List[str]", HX_TY_LIST, "list[str]");
    round_trip("  Optional[ str ]  ", HX_TY_OPTIONAL, "Optional[str]");
    round_trip("Literal[\"covered\",\"denied\"]", HX_TY_LITERAL, "Literal['covered', 'denied']");
    round_trip("Literal['a',]", HX_TY_LITERAL, "Literal['a']");
    round_trip("Optional[list[int]]", HX_TY_OPTIONAL, "Optional[list[int]]");
    round_trip("list[Literal['x', 'y']]", HX_TY_LIST, "list[Literal['x', 'y']]");

    hx_type *t = NULL;
    char why[256];
    ck_assert_int_eq(hx_type_parse("Optional[list[float]]", &t, why), 0);
    ck_assert_int_eq(t->kind, HX_TY_OPTIONAL);
    ck_assert_int_eq(t->inner->kind, HX_TY_LIST);
    ck_assert_int_eq(t->inner->inner->kind, HX_TY_FLOAT);
    ck_assert_ptr_null(t->inner->inner->inner);
    hx_type_free(t);
    ck_assert_int_eq(hx_type_parse("Literal['covered', 'needs_pa', 'denied']", &t, why), 0);
    ck_assert_uint_eq(t->nliterals, 3);
    ck_assert_str_eq(t->literals[0], "covered");
    ck_assert_str_eq(t->literals[2], "denied");
    hx_type_free(t);
}
END_TEST

START_TEST(type_literal_with_quote)
{
    /* Regression: signature.c hx_type_render always quoted Literal values with
     * '...', so Literal["it's"] renders as Literal['it's'] — not Python,
     * does not parse back (hx_type_parse refuses it), and not what DSPy
     * shows the LM. Python's repr (and DSPy's get_annotation_name, see
     * reference/dspy-interop.md §2.2) writes "..." when the string holds
     * a ' and no ": expected Literal["it's"]. */
    hx_type *t = NULL;
    char why[256] = "", buf[256];
    ck_assert_int_eq(hx_type_parse("Literal[\"it's\", 'no']", &t, why), 0);
    ck_assert_str_eq(t->literals[0], "it's");
    hx_type_render(t, buf, sizeof buf);
    hx_type_free(t);
    ck_assert_str_eq(buf, "Literal[\"it's\", 'no']");
}
END_TEST

START_TEST(type_refusals)
{
    static const char *const bad[] = {
        "dict", "dict[str, str]", "Literal[1]", "Literal['a'", "Literal['a' 'b']", "Literal[]",
        "Literal['unterminated]", "list[str", "list", "Optional[]", "Optional", "strx", "str str",
        "", "   ", "List[str]]", "Union[str, None]", "str | None", "integer", "list(str)",
        "list[list[list[list[list[list[list[list[list[list[str]]]]]]]]]]",
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        hx_type *t = (hx_type *)1;
        char why[256] = "";
        int rc = hx_type_parse(bad[i], &t, why);
        if (rc == 0) hx_type_free(t);
        ck_assert_msg(rc == -1, "\"%s\" accepted", bad[i]);
        ck_assert_ptr_null(t);
        ck_assert_msg(why[0] != '\0', "\"%s\": no reason given", bad[i]);
    }
    /* an unknown type's message lists what is accepted */
    hx_type *t;
    char why[256];
    ck_assert_int_eq(hx_type_parse("dict", &t, why), -1);
    ck_assert_ptr_nonnull(strstr(why, "dict"));
    ck_assert_ptr_nonnull(strstr(why, "Literal"));
    ck_assert_int_eq(hx_type_parse("Literal[1]", &t, why), -1);
    ck_assert_ptr_nonnull(strstr(why, "quoted"));
}
END_TEST

/* --- programs ----------------------------------------------------------------------- */

/* A signature of str fields with the given names. */
static void make_sig(hx_signature *sig, const char *const *in, size_t nin, const char *const *out, size_t nout)
{
    char why[256];
    memset(sig, 0, sizeof *sig);
    sig->inputs = calloc(nin, sizeof *sig->inputs);
    sig->outputs = calloc(nout, sizeof *sig->outputs);
    ck_assert_ptr_nonnull(sig->inputs);
    ck_assert_ptr_nonnull(sig->outputs);
    for (size_t i = 0; i < nin; i++) {
        sig->inputs[i].name = strdup(in[i]);
        ck_assert_int_eq(hx_type_parse("str", &sig->inputs[i].type, why), 0);
        sig->ninputs++;
    }
    for (size_t i = 0; i < nout; i++) {
        sig->outputs[i].name = strdup(out[i]);
        ck_assert_int_eq(hx_type_parse("str", &sig->outputs[i].type, why), 0);
        sig->noutputs++;
    }
}

static const char *const Q[] = {"question"};
static const char *const A[] = {"answer"};
static const char *const SQ[] = {"search_query"};

/* Exact bytes; its SHA-256 was computed with sha256sum when this test was
 * written: 60f4872e4fa33917eaebe4ff4bbacd5acb4eca97e7779042d3a9dd80e897ae2b
 * (604 bytes). A bare dspy.Predict saved flat (interop §1.2). */
static const char FLAT_PROGRAM[] =
    "{\n"
    "  \"traces\": [],\n"
    "  \"train\": [],\n"
    "  \"demos\": [\n"
    "    {\n"
    "      \"augmented\": true,\n"
    "      \"question\": \"Who wrote Hamlet?\",\n"
    "      \"search_query\": \"Hamlet author\"\n"
    "    }\n"
    "  ],\n"
    "  \"signature\": {\n"
    "    \"instructions\": \"Rewrite the question as a short web search query.\",\n"
    "    \"fields\": [\n"
    "      {\n"
    "        \"prefix\": \"Question:\",\n"
    "        \"description\": \"${question}\"\n"
    "      },\n"
    "      {\n"
    "        \"prefix\": \"Search Query:\",\n"
    "        \"description\": \"${search_query}\"\n"
    "      }\n"
    "    ]\n"
    "  },\n"
    "  \"lm\": null,\n"
    "  \"metadata\": {\n"
    "    \"dependency_versions\": {\n"
    "      \"python\": \"3.11\",\n"
    "      \"dspy\": \"3.3.1\",\n"
    "      \"cloudpickle\": \"3.1\"\n"
    "    }\n"
    "  }\n"
    "}\n";

#define META "\"metadata\": {\"dependency_versions\": {\"python\": \"3.11\", \"dspy\": \"3.3.1\", \"cloudpickle\": \"3.1\"}}"
#define FLD(prefix, name) "{\"prefix\": \"" prefix "\", \"description\": \"${" name "}\"}"
#define F_QA FLD("Question:", "question") ", " FLD("Answer:", "answer")
#define F_QRA FLD("Question:", "question") ", " FLD("Reasoning:", "reasoning") ", " FLD("Answer:", "answer")
#define PRED_X(fields, extra) \
    "{\"traces\": [], \"train\": [], \"demos\": [], \"signature\": {\"instructions\": \"Answer it.\", " \
    "\"fields\": [" fields "]}, \"lm\": null" extra "}"
#define PRED(fields) PRED_X(fields, "")

/* Load program text with signature question -> answer (or the given one). */
static int load_program(const char *text, const char *key, const hx_signature *sig, bool cot, hx_program *p,
                        hx_diags *d)
{
    char path[PATH_MAX];
    write_file("prog.json", text, path, sizeof path);
    return hx_program_load(path, key, sig, cot, p, d);
}

/* The program text must be refused with a problem at want_path whose
 * message holds want_sub. */
static void program_problem(const char *text, const char *key, bool cot, const char *want_path, const char *want_sub)
{
    hx_signature sig;
    hx_program p;
    hx_diags d = {0};
    char shown[4096];
    make_sig(&sig, Q, 1, A, 1);
    make_tmpdir();
    int rc = load_program(text, key, &sig, cot, &p, &d);
    int at = find_diag(&d, want_path, want_sub);
    diags_show(&d, shown, sizeof shown);
    hx_program_free(&p);
    hx_diags_free(&d);
    hx_signature_free(&sig);
    rm_rf(tmpdir);
    ck_assert_msg(rc == -1, "accepted: %s", text);
    ck_assert_msg(at >= 0, "no problem at %s containing \"%s\"; got:\n%s", want_path, want_sub, shown);
}

static void program_ok(const char *text, const char *key, bool cot, const char *want_key)
{
    hx_signature sig;
    hx_program p;
    hx_diags d = {0};
    char shown[4096];
    make_sig(&sig, Q, 1, A, 1);
    make_tmpdir();
    int rc = load_program(text, key, &sig, cot, &p, &d);
    diags_show(&d, shown, sizeof shown);
    char got_key[256];
    snprintf(got_key, sizeof got_key, "%s", rc == 0 && p.key ? p.key : "(none)");
    hx_program_free(&p);
    hx_diags_free(&d);
    hx_signature_free(&sig);
    rm_rf(tmpdir);
    ck_assert_msg(rc == 0, "refused:\n%s", shown);
    ck_assert_str_eq(got_key, want_key);
}

START_TEST(sha256_vectors)
{
    char hex[65];
    /* FIPS 180-2 test vectors */
    hx_sha256_hex("abc", 3, hex);
    ck_assert_str_eq(hex, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    hx_sha256_hex("", 0, hex);
    ck_assert_str_eq(hex, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
    hx_sha256_hex("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq", 56, hex);
    ck_assert_str_eq(hex, "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
}
END_TEST

START_TEST(program_flat_predict)
{
    hx_signature sig;
    hx_program p;
    hx_diags d = {0};
    char path[PATH_MAX], shown[4096];
    make_sig(&sig, Q, 1, SQ, 1);
    make_tmpdir();
    ck_assert_uint_eq(strlen(FLAT_PROGRAM), 604);
    write_file("flat.json", FLAT_PROGRAM, path, sizeof path);
    int rc = hx_program_load(path, NULL, &sig, false, &p, &d);
    diags_show(&d, shown, sizeof shown);
    ck_assert_msg(rc == 0, "refused:\n%s", shown);
    ck_assert_str_eq(p.file, path);
    ck_assert_str_eq(p.key, "");
    ck_assert_str_eq(p.sha256, "60f4872e4fa33917eaebe4ff4bbacd5acb4eca97e7779042d3a9dd80e897ae2b");
    ck_assert_str_eq(p.instructions, "Rewrite the question as a short web search query.");
    ck_assert_uint_eq(p.nfields, 2);
    ck_assert_str_eq(p.fields[0].prefix, "Question:");
    ck_assert_str_eq(p.fields[1].prefix, "Search Query:");
    ck_assert_str_eq(p.fields[1].description, "${search_query}");
    ck_assert(cJSON_IsArray(p.demos));
    ck_assert_int_eq(cJSON_GetArraySize(p.demos), 1);
    const cJSON *demo = cJSON_GetArrayItem(p.demos, 0);
    ck_assert(cJSON_IsTrue(cJSON_GetObjectItem(demo, "augmented")));
    ck_assert_str_eq(cJSON_GetObjectItem(demo, "search_query")->valuestring, "Hamlet author");
    hx_program_free(&p);
    ck_assert_ptr_null(p.file);
    hx_diags_free(&d);
    hx_signature_free(&sig);
    rm_rf(tmpdir);
}
END_TEST

START_TEST(program_bare_chain_of_thought)
{
    program_ok("{\"predict\": " PRED(F_QRA) ", " META "}", NULL, true, "predict");
    /* DSPy 3.0/3.1's longer reasoning prefix (interop §1.10) */
    program_ok("{\"predict\": " PRED(FLD("Question:", "question") ", " FLD("Reasoning: Let's think step by step in order to", "reasoning")
               ", " FLD("Answer:", "answer")) ", " META "}",
               NULL, true, "predict");
    /* a real per-predictor LM state is fine */
    program_ok("{\"predict\": " PRED_X(F_QRA, "") ", " META "}", "predict", true, "predict");
    program_ok("{\"predict\": {\"demos\": [], \"signature\": {\"instructions\": \"x\", \"fields\": [" F_QRA "]},"
               " \"lm\": {\"_dspy_lm_class\": \"dspy.clients.lm.LM\", \"model\": \"openai/gpt-4o-mini\"}}, " META "}",
               NULL, true, "predict");
}
END_TEST

START_TEST(program_named_predictors)
{
    const char *two = "{\"rewrite\": " PRED(F_QA) ", \"generate_answer.predict\": " PRED(F_QRA) ", " META "}";
    program_ok(two, "generate_answer.predict", true, "generate_answer.predict");
    program_ok(two, "rewrite", false, "rewrite");
    /* several predictors and no key: refused, naming them and program_key */
    program_problem(two, NULL, true, "", "2 predictors");
    program_problem(two, NULL, true, "", "\"generate_answer.predict\"");
    program_problem(two, NULL, true, "", "program_key");
    program_problem(two, "nope", true, "", "\"nope\"");
    /* one named predictor: no key needed */
    program_ok("{\"extract.predict\": " PRED(F_QRA) ", " META "}", NULL, true, "extract.predict");
    /* DSPy dict-held predictor names */
    program_ok("{\"hop.tools['summarize']\": " PRED(F_QA) ", " META "}", "hop.tools['summarize']", false,
               "hop.tools['summarize']");
    /* no predictor state at all */
    program_problem("{\"foo\": {\"bar\": 1}, " META "}", NULL, false, "", "predictor");
}
END_TEST

START_TEST(program_metadata)
{
    program_problem("{\"predict\": " PRED(F_QRA) "}", NULL, true, "", "\"metadata\"");
    program_problem("{\"predict\": " PRED(F_QRA) ", \"metadata\": {}}", NULL, true, "$.metadata", "dependency_versions");
    program_problem("{\"predict\": " PRED(F_QRA) ", \"metadata\": {\"dependency_versions\": {\"python\": \"3.11\", \"numpy\": \"2.0\"}}}",
                    NULL, true, "$.metadata.dependency_versions.numpy", "numpy");
    /* an empty dependency_versions is accepted by DSPy (interop §1.8) */
    program_ok("{\"predict\": " PRED(F_QRA) ", \"metadata\": {\"dependency_versions\": {}}}", NULL, true, "predict");
}
END_TEST

START_TEST(program_lm_key)
{
    program_problem("{\"predict\": {\"demos\": [], \"signature\": {\"instructions\": \"x\", \"fields\": [" F_QRA "]}}, " META "}",
                    NULL, true, "$.predict", "\"lm\"");
    program_problem("{\"predict\": {\"demos\": [], \"signature\": {\"instructions\": \"x\", \"fields\": [" F_QRA "]},"
                    " \"lm\": \"gpt-4o\"}, " META "}",
                    NULL, true, "$.predict.lm", "null or an object");
    program_problem("{\"demos\": [], \"signature\": {\"instructions\": \"x\", \"fields\": [" F_QA "]}, " META "}", NULL,
                    false, "", "\"lm\"");
}
END_TEST

START_TEST(program_legacy_extended_signature)
{
    program_problem("{\"predict\": " PRED_X(F_QRA, ", \"extended_signature\": {\"instructions\": \"x\", \"fields\": []}")
                    ", " META "}",
                    NULL, true, "$.predict", "extended_signature");
}
END_TEST

START_TEST(program_field_counts)
{
    /* question -> answer: Predict has 2 fields, ChainOfThought 3 */
    program_ok("{\"predict\": " PRED(F_QA) ", " META "}", NULL, false, "predict");
    program_problem("{\"predict\": " PRED(F_QA) ", " META "}", NULL, true, "$.predict.signature.fields", "2 fields");
    program_problem("{\"predict\": " PRED(F_QRA) ", " META "}", NULL, false, "$.predict.signature.fields", "3 fields");
    program_problem("{\"predict\": " PRED(F_QA ", " FLD("Extra:", "extra")) ", " META "}", NULL, false,
                    "$.predict.signature.fields", "3 fields");
    /* reasoning must come right after the inputs */
    program_problem("{\"predict\": " PRED(FLD("Question:", "question") ", " FLD("Answer:", "answer") ", "
                                          FLD("Reasoning:", "reasoning")) ", " META "}",
                    NULL, true, "$.predict.signature.fields[1]", "Reasoning");
    /* the fixture program against the suite's booking signature */
    {
        static const char *const in[] = {"transcript", "call_date"};
        static const char *const out[] = {"date", "time", "party_size", "name", "phone"};
        hx_signature sig;
        hx_program p;
        hx_diags d = {0};
        make_sig(&sig, in, 2, out, 5);
        int rc = hx_program_load("tests/fixtures/basic/modules/booking_extractor.json", NULL, &sig, true, &p, &d);
        char shown[4096];
        diags_show(&d, shown, sizeof shown);
        size_t nf = p.nfields;
        hx_program_free(&p);
        hx_diags_free(&d);
        /* as a Predict it has one field too many */
        int rc2 = hx_program_load("tests/fixtures/basic/modules/booking_extractor.json", NULL, &sig, false, &p, &d);
        int at = find_diag(&d, "$.predict.signature.fields", "8 fields");
        hx_program_free(&p);
        hx_diags_free(&d);
        hx_signature_free(&sig);
        ck_assert_msg(rc == 0, "fixture refused:\n%s", shown);
        ck_assert_uint_eq(nf, 8);
        ck_assert_int_eq(rc2, -1);
        ck_assert_int_ge(at, 0);
    }
}
END_TEST

START_TEST(program_other_problems)
{
    program_problem("[1]", NULL, false, "", "object");
    program_problem("{\"predict\": {\"demos\": \"none\", \"signature\": {\"instructions\": \"x\", \"fields\": [" F_QRA "]}, \"lm\": null}, "
                    META "}",
                    NULL, true, "$.predict.demos", "list");
    program_problem("{\"predict\": {\"demos\": [1], \"signature\": {\"instructions\": \"x\", \"fields\": [" F_QRA "]}, \"lm\": null}, "
                    META "}",
                    NULL, true, "$.predict.demos[0]", "object");
    program_problem("{\"predict\": {\"demos\": [], \"signature\": {\"instructions\": \"x\", \"fields\": ["
                    FLD("Question:", "question") ", {\"prefix\": \"Reasoning:\"}, " FLD("Answer:", "answer") "]}, \"lm\": null}, " META "}",
                    NULL, true, "$.predict.signature.fields[1]", "description");
    program_problem("{\"predict\": {\"demos\": [], \"signature\": {\"fields\": [" F_QRA "]}, \"lm\": null}, " META "}", NULL,
                    true, "$.predict.signature", "instructions");
    program_problem("{\"predict\": {\"demos\": [], \"signature\": {\"instructions\": \"x\"}, \"lm\": null}, " META "}", NULL,
                    true, "$.predict.signature", "fields");

    /* a missing file: one problem naming it; *out is safe to free */
    hx_program p;
    hx_diags d = {0};
    make_tmpdir();
    char path[PATH_MAX];
    snprintf(path, sizeof path, "%s/missing.json", tmpdir);
    ck_assert_int_eq(hx_program_load(path, NULL, NULL, false, &p, &d), -1);
    ck_assert_uint_eq(d.n, 1);
    ck_assert_ptr_nonnull(strstr(d.v[0].msg, path));
    hx_program_free(&p);
    hx_diags_free(&d);
    /* "demos", "traces" and "train" may be absent (interop §1.8): no demos */
    ck_assert_int_eq(load_program("{\"predict\": {\"signature\": {\"instructions\": \"x\", \"fields\": [" F_QA "]},"
                                  " \"lm\": null}, " META "}",
                                  NULL, NULL, false, &p, &d),
                     0);
    ck_assert(cJSON_IsArray(p.demos));
    ck_assert_int_eq(cJSON_GetArraySize(p.demos), 0);
    hx_program_free(&p);
    hx_diags_free(&d);
    /* without a signature, the field count is not checked */
    ck_assert_int_eq(load_program("{\"predict\": " PRED(F_QRA) ", " META "}", NULL, NULL, false, &p, &d), 0);
    ck_assert_uint_eq(p.nfields, 3);
    hx_program_free(&p);
    hx_diags_free(&d);
    rm_rf(tmpdir);
}
END_TEST

/* --- strset ------------------------------------------------------------------------ */

START_TEST(strset_basics)
{
    hx_strset set = {0};
    char key[32];
    ck_assert(!hx_strset_has(&set, "a"));
    ck_assert_int_eq(hx_strset_add(&set, "rest-0001"), 1);
    ck_assert_int_eq(hx_strset_add(&set, "rest-0002"), 1);
    ck_assert_int_eq(hx_strset_add(&set, "rest-0001"), 0);
    ck_assert(hx_strset_has(&set, "rest-0001"));
    ck_assert(!hx_strset_has(&set, "rest-0003"));
    ck_assert(!hx_strset_has(&set, "REST-0001"));
    ck_assert(!hx_strset_has(&set, "rest-000"));
    ck_assert_int_eq(hx_strset_add(&set, ""), 1);
    ck_assert(hx_strset_has(&set, ""));
    ck_assert_uint_eq(set.n, 3);
    /* the set owns a copy of each key */
    snprintf(key, sizeof key, "temp");
    ck_assert_int_eq(hx_strset_add(&set, key), 1);
    key[0] = 'X';
    ck_assert(hx_strset_has(&set, "temp"));
    ck_assert(!hx_strset_has(&set, "Xemp"));
    hx_strset_free(&set);
    ck_assert_uint_eq(set.n, 0);
    ck_assert(!hx_strset_has(&set, "temp"));
    /* reusable after free */
    ck_assert_int_eq(hx_strset_add(&set, "again"), 1);
    hx_strset_free(&set);
}
END_TEST

START_TEST(strset_growth)
{
    hx_strset set = {0};
    char key[32];
    const int N = 12000;
    for (int i = 0; i < N; i++) {
        snprintf(key, sizeof key, "id-%05d", i);
        ck_assert_int_eq(hx_strset_add(&set, key), 1);
    }
    ck_assert_uint_eq(set.n, (size_t)N);
    ck_assert_uint_ge(set.cap, (size_t)N);
    for (int i = 0; i < N; i++) {
        snprintf(key, sizeof key, "id-%05d", i);
        ck_assert_msg(hx_strset_has(&set, key), "%s lost after growth", key);
        ck_assert_int_eq(hx_strset_add(&set, key), 0);
    }
    ck_assert(!hx_strset_has(&set, "id-12000"));
    ck_assert(!hx_strset_has(&set, "id-1"));
    ck_assert_uint_eq(set.n, (size_t)N);
    hx_strset_free(&set);
}
END_TEST

Suite *make_suite(void)
{
    Suite *s = suite_create("suite");
    TCase *tc = tcase_create("suite");
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, suite_full_valid);
    tcase_add_test(tc, suite_load_parts);
    tcase_add_test(tc, suite_lm_defaults);
    tcase_add_test(tc, suite_unknown_keys);
    tcase_add_test(tc, suite_bad_base_url);
    tcase_add_test(tc, suite_bar_problems);
    tcase_add_test(tc, suite_duplicate_names);
    tcase_add_test(tc, suite_same_output_twice);
    tcase_add_test(tc, suite_duplicate_key);
    tcase_add_test(tc, suite_module_problems);
    tcase_add_test(tc, suite_file_problems);
    tcase_add_test(tc, suite_all_problems_reported);
    tcase_add_test(tc, suite_find_module);
    suite_add_tcase(s, tc);

    tc = tcase_create("types");
    tcase_add_test(tc, type_round_trips);
    tcase_add_test(tc, type_literal_with_quote);
    tcase_add_test(tc, type_refusals);
    suite_add_tcase(s, tc);

    tc = tcase_create("program");
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, sha256_vectors);
    tcase_add_test(tc, program_flat_predict);
    tcase_add_test(tc, program_bare_chain_of_thought);
    tcase_add_test(tc, program_named_predictors);
    tcase_add_test(tc, program_metadata);
    tcase_add_test(tc, program_lm_key);
    tcase_add_test(tc, program_legacy_extended_signature);
    tcase_add_test(tc, program_field_counts);
    tcase_add_test(tc, program_other_problems);
    suite_add_tcase(s, tc);

    tc = tcase_create("strset");
    tcase_add_test(tc, strset_basics);
    tcase_add_test(tc, strset_growth);
    suite_add_tcase(s, tc);
    return s;
}

HX_TEST_MAIN()
