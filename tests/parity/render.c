/*
 * render.c — the C half of the DSPy parity test (see run.sh).
 *
 * For each fixture named on the command line it prints one JSON document:
 * the messages ChatAdapter and JSONAdapter would send, both
 * response_format values, and the result of parsing each sample
 * completion. dspy_render.py prints the same document from DSPy 3.3.1
 * itself; run.sh compares the two byte for byte. Both sides print with
 * Python's json.dumps(indent=1, ensure_ascii=False) layout, so any
 * difference in a message's text shows up as a difference in bytes.
 *
 * The fixture's program state goes through the real loader
 * (hx_program_load) via a temporary file, as a module's program would.
 */
#include <cjson/cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "chat_adapter.h"
#include "json_adapter.h"
#include "json_doc.h"
#include "program.h"
#include "signature.h"

static int fields_from_spec(const cJSON *spec, hx_field **out, size_t *n)
{
    const cJSON *it;
    *n = 0;
    *out = calloc((size_t)cJSON_GetArraySize(spec) + 1, sizeof **out);
    if (!*out) return -1;
    cJSON_ArrayForEach(it, spec) {
        const cJSON *ty = cJSON_IsString(it) ? it : cJSON_GetObjectItemCaseSensitive(it, "type");
        const cJSON *de = cJSON_GetObjectItemCaseSensitive(it, "desc");
        char why[256];
        hx_field *f = &(*out)[*n];
        if (!cJSON_IsString(ty) || hx_type_parse(ty->valuestring, &f->type, why) != 0) {
            fprintf(stderr, "render: field %s: bad type (%s)\n", it->string, why);
            return -1;
        }
        f->name = strdup(it->string);
        f->desc = cJSON_IsString(de) ? strdup(de->valuestring) : NULL;
        (*n)++;
    }
    return 0;
}

static int signature_from_spec(const cJSON *spec, hx_signature *sig)
{
    const cJSON *ins = cJSON_GetObjectItemCaseSensitive(spec, "instructions");
    memset(sig, 0, sizeof *sig);
    if (cJSON_IsString(ins)) sig->instructions = strdup(ins->valuestring);
    if (fields_from_spec(cJSON_GetObjectItemCaseSensitive(spec, "inputs"), &sig->inputs, &sig->ninputs) != 0)
        return -1;
    return fields_from_spec(cJSON_GetObjectItemCaseSensitive(spec, "outputs"), &sig->outputs, &sig->noutputs);
}

/* Write the predictor state as a flat saved program and load it back. */
static int load_program(const cJSON *state, const hx_signature *sig, bool cot, hx_program *prog)
{
    char path[] = "/tmp/hx-parity-XXXXXX";
    cJSON *file = cJSON_Duplicate(state, 1);
    char *text;
    hx_diags d = {0};
    int fd, rc;
    FILE *f;
    cJSON *md = cJSON_AddObjectToObject(file, "metadata");
    cJSON_AddObjectToObject(md, "dependency_versions");
    text = cJSON_Print(file);
    cJSON_Delete(file);
    fd = mkstemp(path);
    if (fd < 0 || !text) { free(text); return -1; }
    f = fdopen(fd, "w");
    fputs(text, f);
    fclose(f);
    free(text);
    rc = hx_program_load(path, NULL, sig, cot, prog, &d);
    if (rc != 0) hx_diags_print(&d, stderr);
    hx_diags_free(&d);
    unlink(path);
    return rc;
}

static cJSON *parse_results(const cJSON *completions, const hx_signature *sig, bool cot)
{
    cJSON *out = cJSON_CreateArray();
    const cJSON *c;
    cJSON_ArrayForEach(c, completions) {
        const char *adapter = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(c, "adapter"));
        const char *text = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(c, "text"));
        cJSON *r = cJSON_CreateObject(), *outputs = NULL;
        char why[256];
        int rc = adapter && !strcmp(adapter, "json") ? hx_json_adapter_parse(sig, cot, text, &outputs, why)
                                                     : hx_chat_parse(sig, cot, text, &outputs, why);
        cJSON_AddStringToObject(r, "adapter", adapter ? adapter : "chat");
        if (rc == 0) cJSON_AddItemToObject(r, "ok", outputs);
        else {
            cJSON_AddTrueToObject(r, "error");
            if (getenv("PARITY_VERBOSE")) fprintf(stderr, "parse: %s\n", why);
        }
        cJSON_AddItemToArray(out, r);
    }
    return out;
}

static int render(const char *path)
{
    hx_json_doc doc;
    hx_error err;
    hx_signature sig;
    hx_program prog;
    const cJSON *root, *pred, *state, *inputs, *adapters, *completions;
    bool cot, have_prog = false, chat = true, json = true;
    cJSON *out = cJSON_CreateObject(), *msgs;
    hx_buf b = {0};
    int rc = 0;

    if (hx_json_doc_load(path, 1u << 24, &doc, &err) != 0) {
        fprintf(stderr, "render: %s\n", err.msg);
        return -1;
    }
    root = doc.root;
    pred = cJSON_GetObjectItemCaseSensitive(root, "predictor");
    cot = cJSON_IsString(pred) && !strcmp(pred->valuestring, "ChainOfThought");
    state = cJSON_GetObjectItemCaseSensitive(root, "program");
    inputs = cJSON_GetObjectItemCaseSensitive(root, "inputs");
    adapters = cJSON_GetObjectItemCaseSensitive(root, "adapters");
    completions = cJSON_GetObjectItemCaseSensitive(root, "completions");
    if (cJSON_IsArray(adapters)) {
        const cJSON *a;
        chat = json = false;
        cJSON_ArrayForEach(a, adapters) {
            chat |= cJSON_IsString(a) && !strcmp(a->valuestring, "chat");
            json |= cJSON_IsString(a) && !strcmp(a->valuestring, "json");
        }
    }
    if (signature_from_spec(cJSON_GetObjectItemCaseSensitive(root, "signature"), &sig) != 0) rc = -1;
    if (rc == 0 && cJSON_IsObject(state)) {
        if (load_program(state, &sig, cot, &prog) != 0) rc = -1;
        else have_prog = true;
    }
    if (rc == 0 && chat) {
        msgs = hx_chat_format(&sig, cot, have_prog ? &prog : NULL, inputs, &err);
        if (msgs) cJSON_AddItemToObject(out, "chat", msgs);
        else cJSON_AddStringToObject(out, "chat", "error");
    }
    if (rc == 0 && json) {
        msgs = hx_json_adapter_format(&sig, cot, have_prog ? &prog : NULL, inputs, &err);
        if (msgs) cJSON_AddItemToObject(out, "json", msgs);
        else cJSON_AddStringToObject(out, "json", "error");
        cJSON_AddItemToObject(out, "response_format", hx_json_response_format(&sig, cot, true));
        cJSON_AddItemToObject(out, "response_format_fallback", hx_json_response_format(&sig, cot, false));
    }
    if (rc == 0 && cJSON_IsArray(completions))
        cJSON_AddItemToObject(out, "parse", parse_results(completions, &sig, cot));
    if (rc == 0) {
        hx_py_json_dumps(&b, out, 1);
        if (b.s) printf("%s\n", b.s);
    }
    hx_buf_free(&b);
    cJSON_Delete(out);
    if (have_prog) hx_program_free(&prog);
    hx_signature_free(&sig);
    hx_json_doc_free(&doc);
    return rc;
}

int main(int argc, char **argv)
{
    int bad = 0;
    for (int i = 1; i < argc; i++) bad |= render(argv[i]) != 0;
    return bad ? 1 : 0;
}
