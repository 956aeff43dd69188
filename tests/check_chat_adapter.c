/*
 * check_chat_adapter.c — ChatAdapter prompts and reply parsing.
 *
 * Expected prompt text is the verified DSPy 3.3.1 output quoted in
 * shared/reference/dspy-interop.md §2 (system message, §2.7 message list,
 * typed notes, list formatting); parse expectations follow ChatAdapter.parse
 * and pydantic's lax conversions (§2.9). tests/parity/run.sh checks many
 * more cases against DSPy itself.
 */
#include "test_util.h"

#include <math.h>
#include <string.h>

#include "chat_adapter.h"
#include "json_adapter.h"

/* --- helpers ------------------------------------------------------- */

/* "name:type" specs; a "|desc" suffix sets the suite description. */
static void add_fields(hx_field **out, size_t *n, const char *const *specs)
{
    size_t k = 0;
    while (specs[k]) k++;
    *out = calloc(k + 1, sizeof **out);
    *n = k;
    for (size_t i = 0; i < k; i++) {
        char buf[256], why[256];
        char *colon, *bar;
        snprintf(buf, sizeof buf, "%s", specs[i]);
        colon = strchr(buf, ':');
        bar = strchr(buf, '|');
        if (bar) *bar = '\0';
        *colon = '\0';
        (*out)[i].name = strdup(buf);
        (*out)[i].desc = bar ? strdup(bar + 1) : NULL;
        ck_assert_msg(hx_type_parse(colon + 1, &(*out)[i].type, why) == 0, "%s", why);
    }
}

static void make_sig(hx_signature *sig, const char *instructions, const char *const *in,
                     const char *const *out)
{
    memset(sig, 0, sizeof *sig);
    sig->instructions = instructions ? strdup(instructions) : NULL;
    add_fields(&sig->inputs, &sig->ninputs, in);
    add_fields(&sig->outputs, &sig->noutputs, out);
}

/* A loaded program, as hx_program_load would leave it. */
static void make_prog(hx_program *p, const char *instructions, const char *const *descs,
                      const char *demos_json)
{
    size_t n = 0;
    memset(p, 0, sizeof *p);
    while (descs[n]) n++;
    p->instructions = strdup(instructions);
    p->fields = calloc(n, sizeof *p->fields);
    p->nfields = n;
    for (size_t i = 0; i < n; i++) {
        p->fields[i].prefix = strdup("X:");
        p->fields[i].description = strdup(descs[i]);
    }
    p->demos = cJSON_Parse(demos_json ? demos_json : "[]");
    ck_assert_ptr_nonnull(p->demos);
}

static const char *content(const cJSON *msgs, int i)
{
    const cJSON *m = cJSON_GetArrayItem(msgs, i);
    ck_assert_ptr_nonnull(m);
    return cJSON_GetObjectItemCaseSensitive(m, "content")->valuestring;
}

static const char *role(const cJSON *msgs, int i)
{
    return cJSON_GetObjectItemCaseSensitive(cJSON_GetArrayItem(msgs, i), "role")->valuestring;
}

/* The QA signature and program of dspy-interop.md §1.6 / §2.7. */
static const char *const QA_IN[] = {"context:str|passages that may contain the answer", "question:str", NULL};
static const char *const QA_OUT[] = {"answer:str|often between 1 and 5 words", NULL};
static const char *const QA_DESCS[] = {"passages that may contain the answer", "${question}", "${reasoning}",
                                       "often between 1 and 5 words", NULL};
static const char QA_DEMOS[] =
    "[{\"augmented\": true, \"context\": \"Mount Everest is 8,849 m tall.\","
    "  \"question\": \"How tall is Mount Everest?\","
    "  \"reasoning\": \"The context gives the height of Everest directly: 8,849 m.\", \"answer\": \"8,849 m\"},"
    " {\"context\": \"The Nile flows into the Mediterranean Sea.\", \"question\": \"Where does the Nile end?\","
    "  \"answer\": \"Mediterranean Sea\"}]";

static const char QA_SYSTEM[] =
    "Your input fields are:\n1. `context` (str): passages that may contain the answer\n2. `question` (str):\n"
    "Your output fields are:\n1. `reasoning` (str): \n2. `answer` (str): often between 1 and 5 words\n"
    "All interactions will be structured in the following way, with the appropriate values filled in.\n\n"
    "[[ ## context ## ]]\n{context}\n\n[[ ## question ## ]]\n{question}\n\n[[ ## reasoning ## ]]\n{reasoning}\n\n"
    "[[ ## answer ## ]]\n{answer}\n\n[[ ## completed ## ]]\n"
    "In adhering to this structure, your objective is: \n        Answer the question using only the context.";

/* Format a one-input Predict with the input value given as JSON and
 * return the final user message (owned). */
static char *final_user_for(const char *in_spec, const char *value_json)
{
    const char *const in[] = {in_spec, NULL};
    const char *const out[] = {"answer:str", NULL};
    hx_signature sig;
    hx_error err;
    cJSON *inputs = cJSON_CreateObject(), *msgs;
    char name[64], *res;
    snprintf(name, sizeof name, "%.*s", (int)strcspn(in_spec, ":"), in_spec);
    make_sig(&sig, "Do it.", in, out);
    cJSON_AddItemToObject(inputs, name, cJSON_Parse(value_json));
    msgs = hx_chat_format(&sig, false, NULL, inputs, &err);
    ck_assert_msg(msgs != NULL, "%s", err.msg);
    res = strdup(content(msgs, cJSON_GetArraySize(msgs) - 1));
    cJSON_Delete(msgs);
    cJSON_Delete(inputs);
    hx_signature_free(&sig);
    return res;
}

/* --- prompts ------------------------------------------------------- */

START_TEST(verified_cot_message_list)
{
    hx_signature sig;
    hx_program prog;
    hx_error err;
    cJSON *inputs, *msgs;
    make_sig(&sig, "Answer the question using only the context.", QA_IN, QA_OUT);
    make_prog(&prog, "Answer the question using only the context.", QA_DESCS, QA_DEMOS);
    inputs = cJSON_Parse("{\"context\": \"Paris is the capital and largest city of France.\","
                         " \"question\": \"What is the capital of France?\"}");
    msgs = hx_chat_format(&sig, true, &prog, inputs, &err);
    ck_assert_msg(msgs != NULL, "%s", err.msg);
    ck_assert_int_eq(cJSON_GetArraySize(msgs), 6);
    ck_assert_str_eq(role(msgs, 0), "system");
    ck_assert_str_eq(content(msgs, 0), QA_SYSTEM);
    /* the labeled demo has no reasoning: incomplete, so it comes first */
    ck_assert_str_eq(role(msgs, 1), "user");
    ck_assert_str_eq(content(msgs, 1),
                     "This is an example of the task, though some input or output fields are not supplied.\n\n"
                     "[[ ## context ## ]]\nThe Nile flows into the Mediterranean Sea.\n\n"
                     "[[ ## question ## ]]\nWhere does the Nile end?");
    ck_assert_str_eq(role(msgs, 2), "assistant");
    ck_assert_str_eq(content(msgs, 2),
                     "[[ ## reasoning ## ]]\nNot supplied for this particular example. \n\n"
                     "[[ ## answer ## ]]\nMediterranean Sea\n\n[[ ## completed ## ]]\n");
    ck_assert_str_eq(content(msgs, 3),
                     "[[ ## context ## ]]\nMount Everest is 8,849 m tall.\n\n"
                     "[[ ## question ## ]]\nHow tall is Mount Everest?");
    ck_assert_str_eq(content(msgs, 4),
                     "[[ ## reasoning ## ]]\nThe context gives the height of Everest directly: 8,849 m.\n\n"
                     "[[ ## answer ## ]]\n8,849 m\n\n[[ ## completed ## ]]\n");
    ck_assert_str_eq(role(msgs, 5), "user");
    ck_assert_str_eq(content(msgs, 5),
                     "[[ ## context ## ]]\nParis is the capital and largest city of France.\n\n"
                     "[[ ## question ## ]]\nWhat is the capital of France?\n\n"
                     "Respond with the corresponding output fields, starting with the field `[[ ## reasoning ## ]]`, "
                     "then `[[ ## answer ## ]]`, and then ending with the marker for `[[ ## completed ## ]]`.");
    cJSON_Delete(msgs);
    cJSON_Delete(inputs);
    hx_program_free(&prog);
    hx_signature_free(&sig);
}
END_TEST

START_TEST(no_program_uses_signature_and_default_instructions)
{
    const char *const in[] = {"question:str", NULL};
    const char *const out[] = {"answer:str", NULL};
    hx_signature sig;
    hx_error err;
    cJSON *inputs = cJSON_Parse("{\"question\": \"Who wrote Hamlet?\"}"), *msgs;
    make_sig(&sig, NULL, in, out);
    msgs = hx_chat_format(&sig, false, NULL, inputs, &err);
    ck_assert_msg(msgs != NULL, "%s", err.msg);
    ck_assert_int_eq(cJSON_GetArraySize(msgs), 2);
    ck_assert_str_eq(content(msgs, 0),
                     "Your input fields are:\n1. `question` (str):\nYour output fields are:\n1. `answer` (str):\n"
                     "All interactions will be structured in the following way, with the appropriate values filled in.\n\n"
                     "[[ ## question ## ]]\n{question}\n\n[[ ## answer ## ]]\n{answer}\n\n[[ ## completed ## ]]\n"
                     "In adhering to this structure, your objective is: \n"
                     "        Given the fields `question`, produce the fields `answer`.");
    ck_assert_str_eq(content(msgs, 1),
                     "[[ ## question ## ]]\nWho wrote Hamlet?\n\nRespond with the corresponding output fields, "
                     "starting with the field `[[ ## answer ## ]]`, and then ending with the marker for "
                     "`[[ ## completed ## ]]`.");
    cJSON_Delete(msgs);
    cJSON_Delete(inputs);
    hx_signature_free(&sig);
}
END_TEST

START_TEST(cot_default_instructions_leave_out_reasoning)
{
    const char *const in[] = {"a:str", "b:str", NULL};
    const char *const out[] = {"c:int", NULL};
    hx_signature sig;
    hx_error err;
    cJSON *msgs;
    make_sig(&sig, NULL, in, out);
    msgs = hx_chat_format(&sig, true, NULL, NULL, &err);
    ck_assert_msg(msgs != NULL, "%s", err.msg);
    ck_assert_ptr_nonnull(strstr(content(msgs, 0), "objective is: \n        Given the fields `a`, `b`, produce the fields `c`."));
    ck_assert_ptr_nonnull(strstr(content(msgs, 0), "1. `reasoning` (str): \n2. `c` (int):\nAll"));
    cJSON_Delete(msgs);
    hx_signature_free(&sig);
}
END_TEST

START_TEST(typed_output_notes_and_hints)
{
    const char *const in[] = {"review:str", NULL};
    const char *const out[] = {"label:Literal['pos', 'neg', \"it's\"]|the label", "count:int", "score:float",
                               "ok:bool", "tags:list[str]", "note:Optional[str]", NULL};
    hx_signature sig;
    hx_error err;
    cJSON *msgs;
    const char *sys, *user;
    make_sig(&sig, "Classify.", in, out);
    msgs = hx_chat_format(&sig, false, NULL, NULL, &err);
    ck_assert_msg(msgs != NULL, "%s", err.msg);
    sys = content(msgs, 0);
    ck_assert_ptr_nonnull(strstr(sys, "1. `label` (Literal['pos', 'neg', \"it's\"]): the label\n2. `count` (int): \n"));
    ck_assert_ptr_nonnull(strstr(sys, "6. `note` (Union[str, NoneType]):\nAll interactions"));
    ck_assert_ptr_nonnull(strstr(sys, "[[ ## label ## ]]\n{label}        # note: the value you produce must exactly "
                                      "match (no extra characters) one of: pos; neg; it's\n\n"));
    ck_assert_ptr_nonnull(strstr(sys, "{count}        # note: the value you produce must be a single int value\n"));
    ck_assert_ptr_nonnull(strstr(sys, "{score}        # note: the value you produce must be a single float value\n"));
    ck_assert_ptr_nonnull(strstr(sys, "{ok}        # note: the value you produce must be True or False\n"));
    ck_assert_ptr_nonnull(strstr(sys, "{tags}        # note: the value you produce must adhere to the JSON schema: "
                                      "{\"type\": \"array\", \"items\": {\"type\": \"string\"}}\n"));
    ck_assert_ptr_nonnull(strstr(sys, "{note}        # note: the value you produce must adhere to the JSON schema: "
                                      "{\"anyOf\": [{\"type\": \"string\"}, {\"type\": \"null\"}]}\n"));
    user = content(msgs, 1);
    ck_assert_str_eq(user,
                     "Respond with the corresponding output fields, starting with the field `[[ ## label ## ]]` "
                     "(must be formatted as a valid Python Literal['pos', 'neg', \"it's\"]), then `[[ ## count ## ]]` "
                     "(must be formatted as a valid Python int), then `[[ ## score ## ]]` (must be formatted as a valid "
                     "Python float), then `[[ ## ok ## ]]` (must be formatted as a valid Python bool), then "
                     "`[[ ## tags ## ]]` (must be formatted as a valid Python list[str]), then `[[ ## note ## ]]` "
                     "(must be formatted as a valid Python Union[str, NoneType]), and then ending with the marker "
                     "for `[[ ## completed ## ]]`.");
    cJSON_Delete(msgs);
    hx_signature_free(&sig);
}
END_TEST

START_TEST(literal_names_quote_like_python)
{
    hx_type *t;
    char why[256];
    hx_buf b = {0};
    ck_assert_int_eq(hx_type_parse("Literal['a', 'say \"hi\"', 'both \\' and \"', 'a']", &t, why), 0);
    hx_ad_type_name(&b, t);
    /* repeated values drop out, as typing.Literal does */
    ck_assert_str_eq(b.s, "Literal['a', 'say \"hi\"', 'both \\' and \"']");
    hx_buf_free(&b);
    hx_type_free(t);
}
END_TEST

START_TEST(list_values_for_str_fields_are_numbered)
{
    char *u = final_user_for("context:str", "[\"Berlin is the capital of Germany.\", \"It has «many» people\"]");
    ck_assert_ptr_nonnull(strstr(u, "[[ ## context ## ]]\n[1] «Berlin is the capital of Germany.»\n"
                                    "[2] «««\n    It has «many» people\n»»»\n\n"));
    free(u);
    u = final_user_for("context:str", "[]");
    ck_assert_ptr_nonnull(strstr(u, "[[ ## context ## ]]\nN/A\n\n"));
    free(u);
    u = final_user_for("context:str", "[\"just one\"]");
    ck_assert_ptr_nonnull(strstr(u, "[[ ## context ## ]]\n«just one»\n\n"));
    free(u);
    /* list[str] is JSON instead, with the JSON \n escape */
    u = final_user_for("items:list[str]", "[\"one\", \"two\\nlines\"]");
    ck_assert_ptr_nonnull(strstr(u, "[[ ## items ## ]]\n[\"one\", \"two\\nlines\"]\n\n"));
    free(u);
}
END_TEST

START_TEST(non_string_values_use_python_spelling)
{
    char *u = final_user_for("x:str", "true");
    ck_assert_ptr_nonnull(strstr(u, "[[ ## x ## ]]\nTrue\n\n"));
    free(u);
    u = final_user_for("x:str", "null");
    ck_assert_ptr_nonnull(strstr(u, "[[ ## x ## ]]\nNone\n\n"));
    free(u);
    u = final_user_for("x:float", "0.00001");
    ck_assert_ptr_nonnull(strstr(u, "[[ ## x ## ]]\n1e-05\n\n"));
    free(u);
    u = final_user_for("x:int", "42");
    ck_assert_ptr_nonnull(strstr(u, "[[ ## x ## ]]\n42\n\n"));
    free(u);
    u = final_user_for("x:str", "{\"a\": [1, 2.5, false], \"é\": null}");
    ck_assert_ptr_nonnull(strstr(u, "[[ ## x ## ]]\n{\"a\": [1, 2.5, false], \"é\": null}\n\n"));
    free(u);
}
END_TEST

START_TEST(demo_classes_and_missing_outputs)
{
    const char *const in[] = {"name:str", "city:str", NULL};
    const char *const out[] = {"greeting:str", "language:str", NULL};
    const char *const descs[] = {"${name}", "${city}", "${greeting}", "${language}", NULL};
    hx_signature sig;
    hx_program prog;
    hx_error err;
    cJSON *msgs;
    make_sig(&sig, NULL, in, out);
    make_prog(&prog, "Greet.", descs,
              "[{\"name\": \"Ana\", \"city\": \"Lisbon\", \"greeting\": \"Olá\", \"language\": \"pt\"},"
              " {\"name\": \"Jean\", \"city\": \"Paris\", \"greeting\": \"Bonjour\"},"
              " {\"name\": \"Hans\", \"city\": \"Berlin\"},"
              " {\"name\": \"Yuki\", \"language\": null}]");
    msgs = hx_chat_format(&sig, false, &prog, NULL, &err);
    ck_assert_msg(msgs != NULL, "%s", err.msg);
    /* system, 2 incomplete pairs, 1 complete pair, final user; Hans (inputs only) dropped */
    ck_assert_int_eq(cJSON_GetArraySize(msgs), 8);
    /* a missing last output: its trailing space goes with the strip */
    ck_assert_str_eq(content(msgs, 2), "[[ ## greeting ## ]]\nBonjour\n\n[[ ## language ## ]]\n"
                                       "Not supplied for this particular example.\n\n[[ ## completed ## ]]\n");
    ck_assert_str_eq(content(msgs, 3), "This is an example of the task, though some input or output fields are "
                                       "not supplied.\n\n[[ ## name ## ]]\nYuki");
    ck_assert_str_eq(content(msgs, 4), "[[ ## greeting ## ]]\nNot supplied for this particular example. \n\n"
                                       "[[ ## language ## ]]\nNone\n\n[[ ## completed ## ]]\n");
    ck_assert_str_eq(content(msgs, 5), "[[ ## name ## ]]\nAna\n\n[[ ## city ## ]]\nLisbon");
    cJSON_Delete(msgs);
    hx_program_free(&prog);
    hx_signature_free(&sig);
}
END_TEST

START_TEST(instructions_are_cleaned_and_indented)
{
    const char *const in[] = {"q:str", NULL};
    const char *const out[] = {"a:str", NULL};
    const char *const descs[] = {"${q}", "${a}", NULL};
    hx_signature sig;
    hx_program prog;
    hx_error err;
    cJSON *msgs;
    const char *sys;
    make_sig(&sig, NULL, in, out);
    /* inspect.cleandoc then textwrap.dedent, then 8 spaces a line */
    make_prog(&prog, "\n    First.\n\n      Indented.\n    \n    Last.\n\n", descs, NULL);
    msgs = hx_chat_format(&sig, false, &prog, NULL, &err);
    ck_assert_msg(msgs != NULL, "%s", err.msg);
    sys = content(msgs, 0);
    ck_assert_ptr_nonnull(strstr(sys, "objective is: \n        First.\n        \n          Indented.\n"
                                      "        \n        Last."));
    ck_assert_str_eq(sys + strlen(sys) - 5, "Last.");
    cJSON_Delete(msgs);
    hx_program_free(&prog);
    hx_signature_free(&sig);
}
END_TEST

START_TEST(user_messages_are_stripped)
{
    char *u = final_user_for("x:str", "\"  padded value \\n\\n\"");
    ck_assert_ptr_nonnull(strstr(u, "[[ ## x ## ]]\n  padded value \n\n\n\nRespond"));
    free(u);
}
END_TEST

/* --- parsing ------------------------------------------------------- */

static hx_signature parse_sig;

static void parse_setup(void)
{
    const char *const in[] = {"q:str", NULL};
    const char *const out[] = {"answer:str", "n:int", "ok:bool", "label:Literal['pos', 'neg']", "note:Optional[str]", NULL};
    make_sig(&parse_sig, NULL, in, out);
}

static void parse_teardown(void)
{
    hx_signature_free(&parse_sig);
}

static cJSON *parse_ok(const char *text, bool cot)
{
    cJSON *out = NULL;
    char why[256];
    ck_assert_msg(hx_chat_parse(&parse_sig, cot, text, &out, why) == 0, "%s", why);
    return out;
}

static void parse_fails(const char *text, const char *why_part)
{
    cJSON *out = (cJSON *)1;
    char why[256];
    ck_assert_int_eq(hx_chat_parse(&parse_sig, false, text, &out, why), -1);
    ck_assert_ptr_null(out);
    ck_assert_msg(strstr(why, why_part) != NULL, "why: %s", why);
}

static const char FULL[] = "[[ ## answer ## ]]\nParis\n\n[[ ## n ## ]]\n42\n\n[[ ## ok ## ]]\nyes\n\n"
                           "[[ ## label ## ]]\n'pos'\n\n[[ ## note ## ]]\nNone\n\n[[ ## completed ## ]]";

START_TEST(parse_typed_sections)
{
    cJSON *o = parse_ok(FULL, false), *it;
    const char *order[] = {"answer", "n", "ok", "label", "note"};
    int i = 0;
    ck_assert_str_eq(cJSON_GetObjectItem(o, "answer")->valuestring, "Paris");
    ck_assert_double_eq(cJSON_GetObjectItem(o, "n")->valuedouble, 42);
    ck_assert(cJSON_IsTrue(cJSON_GetObjectItem(o, "ok")));
    ck_assert_str_eq(cJSON_GetObjectItem(o, "label")->valuestring, "pos");
    /* Optional[str] keeps the text: "None" is a string, not null */
    ck_assert_str_eq(cJSON_GetObjectItem(o, "note")->valuestring, "None");
    cJSON_ArrayForEach(it, o) ck_assert_str_eq(it->string, order[i++]);
    cJSON_Delete(o);
}
END_TEST

START_TEST(parse_first_header_wins_and_extra_text_ignored)
{
    cJSON *o = parse_ok("Sure! Here you go.\n[[ ## answer ## ]]\nfirst\n[[ ## n ## ]]\n1\n[[ ## answer ## ]]\nsecond\n"
                        "[[ ## ok ## ]]\nFalse\n[[ ## label ## ]]\nLiteral['neg']\n[[ ## completed ## ]]\n"
                        "[[ ## n ## ]]\n2\nThanks!",
                        false);
    ck_assert_str_eq(cJSON_GetObjectItem(o, "answer")->valuestring, "first");
    ck_assert_double_eq(cJSON_GetObjectItem(o, "n")->valuedouble, 1);
    ck_assert(cJSON_IsFalse(cJSON_GetObjectItem(o, "ok")));
    ck_assert_str_eq(cJSON_GetObjectItem(o, "label")->valuestring, "neg");
    /* a missing Optional output is filled with None */
    ck_assert(cJSON_IsNull(cJSON_GetObjectItem(o, "note")));
    cJSON_Delete(o);
}
END_TEST

START_TEST(parse_header_line_rest_and_indent_quirk)
{
    /* text after a header on its line starts the section */
    cJSON *o = parse_ok("[[ ## answer ## ]] inline\n[[ ## n ## ]] 7\n[[ ## ok ## ]] true\n[[ ## label ## ]]\npos", false);
    ck_assert_str_eq(cJSON_GetObjectItem(o, "answer")->valuestring, "inline");
    ck_assert_double_eq(cJSON_GetObjectItem(o, "n")->valuedouble, 7);
    cJSON_Delete(o);
    /* with leading spaces DSPy slices the unstripped line at the stripped
     * line's match end, keeping header debris */
    o = parse_ok("  [[ ## answer ## ]] x\n[[ ## n ## ]] 7\n[[ ## ok ## ]] true\n[[ ## label ## ]]\npos", false);
    ck_assert_str_eq(cJSON_GetObjectItem(o, "answer")->valuestring, "]] x");
    cJSON_Delete(o);
    parse_fails("[[ ## answer ## ]]\nx\n[[ ## n ## ]]\n1\n  [[ ## ok ## ]]   no\n[[ ## label ## ]]\npos", "`ok`");
}
END_TEST

START_TEST(parse_int_conversions)
{
    cJSON *o = parse_ok("[[ ## answer ## ]]\na\n[[ ## n ## ]]\n 42.0 \n[[ ## ok ## ]]\n1\n[[ ## label ## ]]\n\"neg\"", false);
    ck_assert_double_eq(cJSON_GetObjectItem(o, "n")->valuedouble, 42);
    ck_assert(cJSON_IsTrue(cJSON_GetObjectItem(o, "ok")));
    cJSON_Delete(o);
    o = parse_ok("[[ ## answer ## ]]\na\n[[ ## n ## ]]\n1_000\n[[ ## ok ## ]]\nOFF\n[[ ## label ## ]]\npos", false);
    ck_assert_double_eq(cJSON_GetObjectItem(o, "n")->valuedouble, 1000);
    ck_assert(cJSON_IsFalse(cJSON_GetObjectItem(o, "ok")));
    cJSON_Delete(o);
    parse_fails("[[ ## answer ## ]]\na\n[[ ## n ## ]]\nforty\n[[ ## ok ## ]]\ntrue\n[[ ## label ## ]]\npos", "`n`");
    parse_fails("[[ ## answer ## ]]\na\n[[ ## n ## ]]\n42 people\n[[ ## ok ## ]]\ntrue\n[[ ## label ## ]]\npos", "`n`");
    parse_fails("[[ ## answer ## ]]\na\n[[ ## n ## ]]\n4.5\n[[ ## ok ## ]]\ntrue\n[[ ## label ## ]]\npos", "`n`");
}
END_TEST

START_TEST(parse_bool_and_literal_refusals)
{
    parse_fails("[[ ## answer ## ]]\na\n[[ ## n ## ]]\n1\n[[ ## ok ## ]]\nmaybe\n[[ ## label ## ]]\npos", "`ok`");
    parse_fails("[[ ## answer ## ]]\na\n[[ ## n ## ]]\n1\n[[ ## ok ## ]]\n2\n[[ ## label ## ]]\npos", "`ok`");
    parse_fails("[[ ## answer ## ]]\na\n[[ ## n ## ]]\n1\n[[ ## ok ## ]]\ntrue\n[[ ## label ## ]]\nPOS", "`label`");
}
END_TEST

START_TEST(parse_missing_field_fails)
{
    parse_fails("[[ ## answer ## ]]\nParis\n[[ ## n ## ]]\n1\n[[ ## completed ## ]]", "missing output fields ok, label");
    parse_fails("no headers at all", "answer, n, ok, label");
    parse_fails("", "empty or null");
    /* a header must be exact: one space each side, same case */
    parse_fails("[[ ##answer## ]]\nx\n[[ ## Answer ## ]]\ny\n[[ ## n ## ]]\n1\n[[ ## ok ## ]]\nt\n[[ ## label ## ]]\npos",
                "answer");
}
END_TEST

START_TEST(parse_cot_requires_reasoning)
{
    cJSON *out = NULL;
    char why[256];
    const char *with = "[[ ## reasoning ## ]]\nBecause.\n\nReally.\n[[ ## answer ## ]]\nx\n[[ ## n ## ]]\n1\n"
                       "[[ ## ok ## ]]\ny\n[[ ## label ## ]]\nneg";
    ck_assert_int_eq(hx_chat_parse(&parse_sig, true, with, &out, why), 0);
    ck_assert_str_eq(out->child->string, "reasoning");
    ck_assert_str_eq(out->child->valuestring, "Because.\n\nReally.");
    cJSON_Delete(out);
    ck_assert_int_eq(hx_chat_parse(&parse_sig, true, with + strlen("[[ ## reasoning ## ]]\nBecause.\n\nReally.\n"),
                                   &out, why), -1);
    ck_assert_ptr_nonnull(strstr(why, "reasoning"));
}
END_TEST

START_TEST(parse_unicode_and_line_breaks)
{
    /* str.splitlines() breaks on \r\n and U+2028; str.strip() drops U+3000 */
    cJSON *o = parse_ok("[[ ## answer ## ]]\r\n\xe3\x80\x80 Zoë 東京 \xe3\x80\x80\r\n[[ ## n ## ]]\xe2\x80\xa8" "3\n"
                        "[[ ## ok ## ]]\nt\n[[ ## label ## ]]\npos",
                        false);
    ck_assert_str_eq(cJSON_GetObjectItem(o, "answer")->valuestring, "Zoë 東京");
    ck_assert_double_eq(cJSON_GetObjectItem(o, "n")->valuedouble, 3);
    cJSON_Delete(o);
}
END_TEST

/* --- Python primitives --------------------------------------------- */

START_TEST(float_repr_matches_python)
{
    static const struct { double x; const char *s; } cases[] = {
        {0.1, "0.1"}, {1e-05, "1e-05"}, {0.0001, "0.0001"}, {1e16, "1e+16"}, {1e15, "1000000000000000.0"},
        {5.0, "5.0"}, {-2.5, "-2.5"}, {1.5e-7, "1.5e-07"}, {123456.789, "123456.789"}, {1e22, "1e+22"},
        {0.30000000000000004, "0.30000000000000004"}, {-0.0, "-0.0"}, {1.7976931348623157e308, "1.7976931348623157e+308"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        char out[32];
        hx_py_float_repr(cases[i].x, out);
        ck_assert_str_eq(out, cases[i].s);
    }
}
END_TEST

START_TEST(strip_uses_unicode_whitespace)
{
    const char *s = "\xc2\xa0 \t x y \xe3\x80\x80\n";
    size_t st, en;
    hx_py_strip_span(s, strlen(s), &st, &en);
    ck_assert_uint_eq(st, 5); /* NBSP (2 bytes), space, tab, space */
    ck_assert_uint_eq(en, 8); /* "x y" */
    hx_py_strip_span("   ", 3, &st, &en);
    ck_assert_uint_eq(en - st, 0);
}
END_TEST

START_TEST(json_dumps_matches_python)
{
    cJSON *v = cJSON_Parse("{\"a\": [1, 2.5, null, true], \"b\": {}, \"c\": [], \"s\": \"x\\n\\\"y\\u0001é\"}");
    hx_buf b = {0};
    hx_py_json_dumps(&b, v, -1);
    ck_assert_str_eq(b.s, "{\"a\": [1, 2.5, null, true], \"b\": {}, \"c\": [], \"s\": \"x\\n\\\"y\\u0001é\"}");
    hx_buf_free(&b);
    hx_py_json_dumps(&b, v, 2);
    ck_assert_str_eq(b.s, "{\n  \"a\": [\n    1,\n    2.5,\n    null,\n    true\n  ],\n  \"b\": {},\n  \"c\": [],\n"
                          "  \"s\": \"x\\n\\\"y\\u0001é\"\n}");
    hx_buf_free(&b);
    cJSON_Delete(v);
}
END_TEST

Suite *make_suite(void);

Suite *make_suite(void)
{
    Suite *s = suite_create("chat_adapter");
    TCase *fmt = tcase_create("format"), *parse = tcase_create("parse"), *py = tcase_create("python");
    tcase_add_test(fmt, verified_cot_message_list);
    tcase_add_test(fmt, no_program_uses_signature_and_default_instructions);
    tcase_add_test(fmt, cot_default_instructions_leave_out_reasoning);
    tcase_add_test(fmt, typed_output_notes_and_hints);
    tcase_add_test(fmt, literal_names_quote_like_python);
    tcase_add_test(fmt, list_values_for_str_fields_are_numbered);
    tcase_add_test(fmt, non_string_values_use_python_spelling);
    tcase_add_test(fmt, demo_classes_and_missing_outputs);
    tcase_add_test(fmt, instructions_are_cleaned_and_indented);
    tcase_add_test(fmt, user_messages_are_stripped);
    tcase_add_checked_fixture(parse, parse_setup, parse_teardown);
    tcase_add_test(parse, parse_typed_sections);
    tcase_add_test(parse, parse_first_header_wins_and_extra_text_ignored);
    tcase_add_test(parse, parse_header_line_rest_and_indent_quirk);
    tcase_add_test(parse, parse_int_conversions);
    tcase_add_test(parse, parse_bool_and_literal_refusals);
    tcase_add_test(parse, parse_missing_field_fails);
    tcase_add_test(parse, parse_cot_requires_reasoning);
    tcase_add_test(parse, parse_unicode_and_line_breaks);
    tcase_add_test(py, float_repr_matches_python);
    tcase_add_test(py, strip_uses_unicode_whitespace);
    tcase_add_test(py, json_dumps_matches_python);
    suite_add_tcase(s, fmt);
    suite_add_tcase(s, parse);
    suite_add_tcase(s, py);
    return s;
}

HX_TEST_MAIN()
