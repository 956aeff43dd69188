/*
 * check_json_adapter.c — JSONAdapter prompts, response_format, and the
 * lenient reply parsing both adapters share.
 *
 * Prompt and schema expectations are the verified DSPy 3.3.1 output in
 * shared/reference/dspy-interop.md §3; parse expectations follow
 * JSONAdapter.parse (json_repair, then pydantic's lax rules).
 */
#include "test_util.h"

#include <string.h>

#include "chat_adapter.h"
#include "json_adapter.h"

/* --- helpers ------------------------------------------------------- */

static void add_fields(hx_field **out, size_t *n, const char *const *specs)
{
    size_t k = 0;
    while (specs[k]) k++;
    *out = calloc(k + 1, sizeof **out);
    *n = k;
    for (size_t i = 0; i < k; i++) {
        char buf[256], why[256];
        char *colon;
        snprintf(buf, sizeof buf, "%s", specs[i]);
        colon = strchr(buf, ':');
        *colon = '\0';
        (*out)[i].name = strdup(buf);
        ck_assert_msg(hx_type_parse(colon + 1, &(*out)[i].type, why) == 0, "%s", why);
    }
}

static void make_sig(hx_signature *sig, const char *const *in, const char *const *out)
{
    memset(sig, 0, sizeof *sig);
    sig->instructions = strdup("Classify the review.");
    add_fields(&sig->inputs, &sig->ninputs, in);
    add_fields(&sig->outputs, &sig->noutputs, out);
}

static const char *content(const cJSON *msgs, int i)
{
    return cJSON_GetObjectItemCaseSensitive(cJSON_GetArrayItem(msgs, i), "content")->valuestring;
}

static char *dumps(const cJSON *v)
{
    hx_buf b = {0};
    hx_py_json_dumps(&b, v, -1);
    return hx_buf_take(&b);
}

static const char *const REVIEW_IN[] = {"review:str", NULL};
static const char *const REVIEW_OUT[] = {"sentiment:Literal['pos', 'neg']", "stars:int", NULL};

/* --- prompt -------------------------------------------------------- */

START_TEST(verified_field_structure_and_request)
{
    hx_signature sig;
    hx_error err;
    cJSON *inputs = cJSON_Parse("{\"review\": \"Great!\"}"), *msgs;
    make_sig(&sig, REVIEW_IN, REVIEW_OUT);
    msgs = hx_json_adapter_format(&sig, false, NULL, inputs, &err);
    ck_assert_msg(msgs != NULL, "%s", err.msg);
    ck_assert_int_eq(cJSON_GetArraySize(msgs), 2);
    ck_assert_str_eq(content(msgs, 0),
                     "Your input fields are:\n1. `review` (str):\nYour output fields are:\n"
                     "1. `sentiment` (Literal['pos', 'neg']): \n2. `stars` (int):\n"
                     "All interactions will be structured in the following way, with the appropriate values filled in.\n\n"
                     "Inputs will have the following structure:\n\n[[ ## review ## ]]\n{review}\n\n"
                     "Outputs will be a JSON object with the following fields.\n\n{\n"
                     "  \"sentiment\": \"{sentiment}        # note: the value you produce must exactly match (no extra "
                     "characters) one of: pos; neg\",\n"
                     "  \"stars\": \"{stars}        # note: the value you produce must be a single int value\"\n}\n"
                     "In adhering to this structure, your objective is: \n        Classify the review.");
    ck_assert_str_eq(content(msgs, 1),
                     "[[ ## review ## ]]\nGreat!\n\nRespond with a JSON object in the following order of fields: "
                     "`sentiment` (must be formatted as a valid Python Literal['pos', 'neg']), then `stars` (must be "
                     "formatted as a valid Python int).");
    cJSON_Delete(msgs);
    cJSON_Delete(inputs);
    hx_signature_free(&sig);
}
END_TEST

START_TEST(schema_notes_are_json_escaped_in_skeleton)
{
    const char *const out[] = {"tags:list[str]", NULL};
    hx_signature sig;
    hx_error err;
    cJSON *msgs;
    make_sig(&sig, REVIEW_IN, out);
    msgs = hx_json_adapter_format(&sig, true, NULL, NULL, &err);
    ck_assert_msg(msgs != NULL, "%s", err.msg);
    ck_assert_ptr_nonnull(strstr(content(msgs, 0),
                                 "{\n  \"reasoning\": \"{reasoning}\",\n  \"tags\": \"{tags}        # note: the value you "
                                 "produce must adhere to the JSON schema: {\\\"type\\\": \\\"array\\\", \\\"items\\\": "
                                 "{\\\"type\\\": \\\"string\\\"}}\"\n}\n"));
    ck_assert_str_eq(content(msgs, 1), "Respond with a JSON object in the following order of fields: `reasoning`, "
                                       "then `tags` (must be formatted as a valid Python list[str]).");
    cJSON_Delete(msgs);
    hx_signature_free(&sig);
}
END_TEST

START_TEST(demo_answers_are_indented_json)
{
    hx_signature sig;
    hx_program prog;
    hx_error err;
    cJSON *msgs;
    make_sig(&sig, REVIEW_IN, REVIEW_OUT);
    memset(&prog, 0, sizeof prog);
    prog.instructions = strdup("Rate it.");
    prog.demos = cJSON_Parse("[{\"review\": \"meh\", \"stars\": 2},"
                             " {\"review\": \"wow\", \"sentiment\": \"pos\", \"stars\": 5}]");
    msgs = hx_json_adapter_format(&sig, false, &prog, NULL, &err);
    ck_assert_msg(msgs != NULL, "%s", err.msg);
    ck_assert_int_eq(cJSON_GetArraySize(msgs), 6);
    ck_assert_str_eq(content(msgs, 1), "This is an example of the task, though some input or output fields are not "
                                       "supplied.\n\n[[ ## review ## ]]\nmeh");
    /* numbers stay numbers; a missing output is the sentence; no newline */
    ck_assert_str_eq(content(msgs, 2), "{\n  \"sentiment\": \"Not supplied for this particular example. \",\n"
                                       "  \"stars\": 2\n}");
    ck_assert_str_eq(content(msgs, 4), "{\n  \"sentiment\": \"pos\",\n  \"stars\": 5\n}");
    ck_assert_str_eq(content(msgs, 5), "Respond with a JSON object in the following order of fields: `sentiment` "
                                       "(must be formatted as a valid Python Literal['pos', 'neg']), then `stars` "
                                       "(must be formatted as a valid Python int).");
    cJSON_Delete(msgs);
    free(prog.instructions);
    cJSON_Delete(prog.demos);
    hx_signature_free(&sig);
}
END_TEST

/* --- response_format ------------------------------------------------ */

START_TEST(verified_structured_schema)
{
    hx_signature sig;
    cJSON *rf;
    char *s;
    make_sig(&sig, REVIEW_IN, REVIEW_OUT);
    rf = hx_json_response_format(&sig, false, true);
    s = dumps(rf);
    ck_assert_str_eq(s, "{\"type\": \"json_schema\", \"json_schema\": {\"schema\": {\"additionalProperties\": false, "
                        "\"properties\": {\"sentiment\": {\"enum\": [\"pos\", \"neg\"], \"title\": \"Sentiment\", "
                        "\"type\": \"string\"}, \"stars\": {\"title\": \"Stars\", \"type\": \"integer\"}}, "
                        "\"required\": [\"sentiment\", \"stars\"], \"title\": \"DSPyProgramOutputs\", \"type\": "
                        "\"object\"}, \"name\": \"DSPyProgramOutputs\", \"strict\": true}}");
    free(s);
    cJSON_Delete(rf);
    rf = hx_json_response_format(&sig, true, false);
    s = dumps(rf);
    ck_assert_str_eq(s, "{\"type\": \"json_object\"}");
    free(s);
    cJSON_Delete(rf);
    hx_signature_free(&sig);
}
END_TEST

START_TEST(structured_schema_types_and_titles)
{
    const char *const out[] = {"party_size:int", "tags:list[str]", "note:Optional[str]", "one:Literal['x']",
                               "x:float", "ok:bool", NULL};
    hx_signature sig;
    cJSON *rf, *props;
    char *s;
    make_sig(&sig, REVIEW_IN, out);
    rf = hx_json_response_format(&sig, true, true);
    props = cJSON_GetObjectItem(cJSON_GetObjectItem(cJSON_GetObjectItem(rf, "json_schema"), "schema"), "properties");
    s = dumps(props);
    ck_assert_str_eq(s, "{\"reasoning\": {\"title\": \"Reasoning\", \"type\": \"string\"}, "
                        "\"party_size\": {\"title\": \"Party Size\", \"type\": \"integer\"}, "
                        "\"tags\": {\"items\": {\"type\": \"string\"}, \"title\": \"Tags\", \"type\": \"array\"}, "
                        "\"note\": {\"anyOf\": [{\"type\": \"string\"}, {\"type\": \"null\"}], \"title\": \"Note\"}, "
                        "\"one\": {\"const\": \"x\", \"title\": \"One\", \"type\": \"string\"}, "
                        "\"x\": {\"title\": \"X\", \"type\": \"number\"}, "
                        "\"ok\": {\"title\": \"Ok\", \"type\": \"boolean\"}}");
    free(s);
    cJSON_Delete(rf);
    hx_signature_free(&sig);
}
END_TEST

/* --- parsing ------------------------------------------------------- */

static hx_signature psig;

static void psetup(void)
{
    const char *const in[] = {"q:str", NULL};
    const char *const out[] = {"answer:str", "n:int", "maybe:Optional[str]", NULL};
    make_sig(&psig, in, out);
}

static void pteardown(void)
{
    hx_signature_free(&psig);
}

/* Parse and return the outputs dumped as Python would print them. */
static char *jparse(const char *text)
{
    cJSON *out = NULL;
    char why[256], *s;
    if (hx_json_adapter_parse(&psig, false, text, &out, why) != 0) {
        ck_assert_ptr_null(out);
        return strdup("ERR");
    }
    s = dumps(out);
    cJSON_Delete(out);
    return s;
}

static void expect(const char *text, const char *want)
{
    char *got = jparse(text);
    ck_assert_msg(strcmp(got, want) == 0, "%s -> %s, want %s", text, got, want);
    free(got);
}

START_TEST(parse_plain_fenced_and_wrapped)
{
    expect("{\"answer\": \"a\", \"n\": 1}", "{\"answer\": \"a\", \"n\": 1, \"maybe\": null}");
    expect("```json\n{\n  \"n\": 2,\n  \"answer\": \"b\",\n  \"maybe\": \"m\"\n}\n```",
           "{\"answer\": \"b\", \"n\": 2, \"maybe\": \"m\"}");
    expect("Sure! Here it is: {\"answer\": \"c\", \"n\": 3} Hope that helps.", "{\"answer\": \"c\", \"n\": 3, \"maybe\": null}");
}
END_TEST

START_TEST(parse_repairs_common_mistakes)
{
    expect("{\"answer\": \"a\", \"n\": 1,}", "{\"answer\": \"a\", \"n\": 1, \"maybe\": null}");
    expect("{'answer': 'single', 'n': 2, 'maybe': None}", "{\"answer\": \"single\", \"n\": 2, \"maybe\": null}");
    expect("{answer: bare words, n: 3}", "{\"answer\": \"bare words\", \"n\": 3, \"maybe\": null}");
    expect("{\"answer\": \"he said \"hi\" twice\", \"n\": 4}",
           "{\"answer\": \"he said \\\"hi\\\" twice\", \"n\": 4, \"maybe\": null}");
    expect("{\"answer\": \"unclosed\", \"n\": 5", "{\"answer\": \"unclosed\", \"n\": 5, \"maybe\": null}");
    /* the same object twice: the later one wins */
    expect("{\"answer\": \"old\", \"n\": 1}\n{\"answer\": \"new\", \"n\": 2}", "{\"answer\": \"new\", \"n\": 2, \"maybe\": null}");
}
END_TEST

START_TEST(parse_converts_like_pydantic)
{
    /* str fields take str(value): Python's spelling of numbers and lists */
    expect("{\"answer\": 5, \"n\": \"7\"}", "{\"answer\": \"5\", \"n\": 7, \"maybe\": null}");
    expect("{\"answer\": 5.0, \"n\": 7.0}", "{\"answer\": \"5.0\", \"n\": 7, \"maybe\": null}");
    expect("{\"answer\": [\"x\", true, null], \"n\": true}",
           "{\"answer\": \"['x', True, None]\", \"n\": 1, \"maybe\": null}");
    /* Optional[str] keeps the text "None" */
    expect("{\"answer\": \"a\", \"n\": 1, \"maybe\": \"None\"}", "{\"answer\": \"a\", \"n\": 1, \"maybe\": \"None\"}");
    expect("{\"answer\": \"a\", \"n\": 1.5}", "ERR");
    expect("{\"answer\": \"a\", \"n\": \"many\"}", "ERR");
    expect("{\"answer\": \"a\", \"n\": 1, \"maybe\": 3}", "ERR");
}
END_TEST

START_TEST(parse_refusals)
{
    expect("{\"answer\": \"a\"}", "ERR");                          /* n missing */
    expect("{\"json\": {\"answer\": \"a\", \"n\": 1}}", "ERR");    /* nested wrapper (#8539) */
    expect("I cannot help with that.", "ERR");
    expect("", "ERR");
    expect("[1, 2, 3]", "ERR");
}
END_TEST

START_TEST(lenient_loads_keeps_python_numbers)
{
    cJSON *v = hx_ad_loads_lenient("[1, 1.0, 1e3, -0]");
    char *s = dumps(v);
    ck_assert_str_eq(s, "[1, 1.0, 1000.0, 0]");
    free(s);
    cJSON_Delete(v);
    /* scalars outside a container are not read (json_repair returns "") */
    ck_assert_ptr_null(hx_ad_loads_lenient("42 people"));
    ck_assert_ptr_null(hx_ad_loads_lenient("True"));
    v = hx_ad_loads_lenient("42");
    ck_assert(cJSON_IsNumber(v));
    cJSON_Delete(v);
}
END_TEST

static char *ptext(const char *text, const char *type)
{
    hx_type *t;
    cJSON *out = NULL;
    char why[256], vwhy[200], *s;
    ck_assert_int_eq(hx_type_parse(type, &t, why), 0);
    if (hx_ad_parse_text(text, t, &out, vwhy) != 0) s = strdup("ERR");
    else s = dumps(out);
    cJSON_Delete(out);
    hx_type_free(t);
    return s;
}

static void expect_text(const char *text, const char *type, const char *want)
{
    char *got = ptext(text, type);
    ck_assert_msg(strcmp(got, want) == 0, "%s as %s -> %s, want %s", text, type, got, want);
    free(got);
}

START_TEST(parse_value_fallbacks)
{
    expect_text("True", "bool", "true");            /* ast.literal_eval */
    expect_text("yes", "bool", "true");             /* raw text, pydantic */
    expect_text("'7'", "int", "7");                 /* literal_eval gives '7' */
    expect_text("0x1F", "int", "31");
    expect_text("1_000", "int", "1000");
    expect_text("12 people", "int", "ERR");
    expect_text("3", "float", "3.0");
    expect_text("inf", "float", "Infinity");
    expect_text("['a', 'b']", "list[str]", "[\"a\", \"b\"]");
    expect_text("[a, b]", "list[str]", "[\"a\", \"b\"]");
    expect_text("```json\n[\"x\"]\n```", "list[str]", "[\"x\"]");
    expect_text("a, b", "list[str]", "ERR");
    expect_text("[1, 2]", "list[str]", "ERR");
    expect_text("None", "Optional[int]", "null");
    expect_text("None", "Optional[str]", "\"None\"");
    expect_text("Literal['neg']", "Literal['pos', 'neg']", "\"neg\"");
    expect_text(" \"pos\" ", "Literal['pos', 'neg']", "\"pos\"");
    expect_text("positive", "Literal['pos', 'neg']", "ERR");
}
END_TEST

/* DSPy sends a json_schema only when litellm.supports_response_schema()
 * says so. Expected values: LiteLLM's model table as pinned with DSPy 3.3.1
 * (supports_response_schema of each id, printed from the bridge's venv). */
START_TEST(which_models_get_a_schema)
{
    static const char *const yes[] = {
        "openai/gpt-4o-mini", "openai/gpt-4o", "openai/gpt-4o-2024-08-06", "openai/gpt-4.1-nano",
        "openai/gpt-5-mini", "openai/gpt-5.1", "openai/o1", "openai/o1-2024-12-17", "openai/o3-mini",
        "openai/o4-mini", "openai/ft:gpt-4o-mini-2024-07-18", "gpt-4o-mini", "azure/gpt-4o"};
    static const char *const no[] = {
        "openai/simlm-1", "openai/smollm2-135m-instruct", "openai/gpt-3.5-turbo", "openai/gpt-4",
        "openai/gpt-4-turbo", "openai/gpt-4o-2024-05-13", "openai/gpt-4o-audio-preview-2024-12-17",
        "openai/o1-mini", "openai/llama-3.1-8b", "anthropic/claude-3-5-sonnet-20240620",
        "ollama/llama3", "", NULL};
    for (size_t i = 0; i < sizeof yes / sizeof *yes; i++)
        ck_assert_msg(hx_json_model_supports_schema(yes[i]), "%s should get a json_schema", yes[i]);
    for (size_t i = 0; i < sizeof no / sizeof *no; i++)
        ck_assert_msg(!hx_json_model_supports_schema(no[i]), "%s should get json_object", no[i] ? no[i] : "NULL");
}
END_TEST

Suite *make_suite(void);

Suite *make_suite(void)
{
    Suite *s = suite_create("json_adapter");
    TCase *fmt = tcase_create("format"), *rf = tcase_create("response_format"), *parse = tcase_create("parse");
    tcase_add_test(fmt, verified_field_structure_and_request);
    tcase_add_test(fmt, schema_notes_are_json_escaped_in_skeleton);
    tcase_add_test(fmt, demo_answers_are_indented_json);
    tcase_add_test(rf, verified_structured_schema);
    tcase_add_test(rf, structured_schema_types_and_titles);
    tcase_add_test(rf, which_models_get_a_schema);
    tcase_add_checked_fixture(parse, psetup, pteardown);
    tcase_add_test(parse, parse_plain_fenced_and_wrapped);
    tcase_add_test(parse, parse_repairs_common_mistakes);
    tcase_add_test(parse, parse_converts_like_pydantic);
    tcase_add_test(parse, parse_refusals);
    tcase_add_test(parse, lenient_loads_keeps_python_numbers);
    tcase_add_test(parse, parse_value_fallbacks);
    suite_add_tcase(s, fmt);
    suite_add_tcase(s, rf);
    suite_add_tcase(s, parse);
    return s;
}

HX_TEST_MAIN()
