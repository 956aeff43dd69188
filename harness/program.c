/*
 * program.c — loading DSPy-saved programs (see program.h).
 *
 * What is checked mirrors what DSPy 3.3's load() requires, so a program the
 * harness accepts is one DSPy can load: "metadata" with only known
 * dependency keys, "signature" with "instructions" and "fields", and the
 * "lm" key present (null or an object). Beyond DSPy, the field count must
 * equal the signature's (DSPy zips silently and would mislabel fields).
 */
#include "program.h"

#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void hx_sha256_hex(const void *data, size_t len, char out[65])
{
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned int n = 0;
    EVP_Digest(data, len, md, &n, EVP_sha256(), NULL);
    for (unsigned i = 0; i < n && i < 32; i++) sprintf(out + 2 * i, "%02x", md[i]);
    out[64] = '\0';
}

void hx_program_free(hx_program *p)
{
    if (!p) return;
    free(p->file);
    free(p->key);
    free(p->instructions);
    for (size_t i = 0; i < p->nfields; i++) {
        free(p->fields[i].prefix);
        free(p->fields[i].description);
    }
    free(p->fields);
    cJSON_Delete(p->demos);
    memset(p, 0, sizeof *p);
}

static int is_predictor_state(const cJSON *v)
{
    return cJSON_IsObject(v) && cJSON_GetObjectItemCaseSensitive(v, "signature");
}

/* Pick the predictor state: flat, the named key, or the only one. */
static const cJSON *pick_state(const hx_json_doc *doc, const char *key, hx_jpath *path,
                               char **key_out, hx_diags *d)
{
    const cJSON *root = doc->root, *it, *found = NULL;
    hx_jpath top = {0};
    int n = 0;
    char names[512] = "";

    *path = top;
    if (cJSON_GetObjectItemCaseSensitive(root, "signature") && !key) {
        *key_out = strdup("");
        return root;
    }
    if (key) {
        found = cJSON_GetObjectItemCaseSensitive(root, key);
        if (!is_predictor_state(found)) {
            hx_doc_diag(d, doc, &top, "no predictor named \"%s\" in this program", key);
            return NULL;
        }
        *path = hx_jpath_key(&top, found->string);
        *key_out = strdup(key);
        return found;
    }
    cJSON_ArrayForEach(it, root) {
        if (strcmp(it->string, "metadata") == 0 || !is_predictor_state(it)) continue;
        size_t used = strlen(names);
        snprintf(names + used, sizeof names - used, "%s\"%s\"", n ? ", " : "", it->string);
        found = it;
        n++;
    }
    if (n == 0) {
        hx_doc_diag(d, doc, &top, "no predictor state (an object with \"signature\") in this program; "
                    "is it a file written by DSPy's module.save(\"x.json\")?");
        return NULL;
    }
    if (n > 1) {
        hx_doc_diag(d, doc, &top, "the program has %d predictors (%s); say which this module uses "
                    "with \"program_key\" in the suite", n, names);
        return NULL;
    }
    *path = hx_jpath_key(&top, found->string);
    *key_out = strdup(found->string);
    return found;
}

static int check_metadata(const hx_json_doc *doc, hx_diags *d)
{
    hx_jpath top = {0}, q = hx_jpath_key(&top, "metadata"), r;
    const cJSON *md = cJSON_GetObjectItemCaseSensitive(doc->root, "metadata"), *dv, *it;
    if (!cJSON_IsObject(md)) {
        hx_doc_diag(d, doc, &top, "no \"metadata\" object: DSPy's load() would fail with KeyError");
        return -1;
    }
    dv = cJSON_GetObjectItemCaseSensitive(md, "dependency_versions");
    r = hx_jpath_key(&q, "dependency_versions");
    if (!cJSON_IsObject(dv)) {
        hx_doc_diag(d, doc, &q, "no \"dependency_versions\" object: DSPy's load() would fail");
        return -1;
    }
    cJSON_ArrayForEach(it, dv) {
        if (strcmp(it->string, "python") && strcmp(it->string, "dspy") && strcmp(it->string, "cloudpickle")) {
            hx_jpath k = hx_jpath_key(&r, it->string);
            hx_doc_diag(d, doc, &k, "unknown dependency \"%s\": DSPy's load() accepts only python, dspy, cloudpickle",
                        it->string);
            return -1;
        }
    }
    return 0;
}

static int load_fields(const hx_json_doc *doc, const cJSON *sig, const hx_jpath *sp,
                       hx_program *out, hx_diags *d)
{
    const cJSON *fields = cJSON_GetObjectItemCaseSensitive(sig, "fields"), *it;
    hx_jpath fp = hx_jpath_key(sp, "fields");
    int i = 0, bad = 0, n;
    if (!cJSON_IsArray(fields)) {
        hx_doc_diag(d, doc, sp, "\"signature\" needs a \"fields\" list of {\"prefix\", \"description\"}");
        return -1;
    }
    n = cJSON_GetArraySize(fields);
    out->fields = calloc(n ? (size_t)n : 1, sizeof *out->fields);
    if (!out->fields) return -1;
    cJSON_ArrayForEach(it, fields) {
        hx_jpath q = hx_jpath_index(&fp, i++);
        const cJSON *pre = cJSON_GetObjectItemCaseSensitive(it, "prefix");
        const cJSON *desc = cJSON_GetObjectItemCaseSensitive(it, "description");
        if (!cJSON_IsString(pre) || !cJSON_IsString(desc)) {
            hx_doc_diag(d, doc, &q, "a field needs string \"prefix\" and \"description\"");
            bad = 1;
            continue;
        }
        out->fields[out->nfields].prefix = strdup(pre->valuestring);
        out->fields[out->nfields].description = strdup(desc->valuestring);
        out->nfields++;
    }
    return bad ? -1 : 0;
}

static int check_demos(const hx_json_doc *doc, const cJSON *state, const hx_jpath *p,
                       hx_program *out, hx_diags *d)
{
    const cJSON *demos = cJSON_GetObjectItemCaseSensitive(state, "demos"), *it;
    hx_jpath q = hx_jpath_key(p, "demos");
    int i = 0;
    if (!demos) {
        out->demos = cJSON_CreateArray();
        return 0;
    }
    if (!cJSON_IsArray(demos)) {
        hx_doc_diag(d, doc, &q, "\"demos\" must be a list of objects");
        return -1;
    }
    cJSON_ArrayForEach(it, demos) {
        hx_jpath qi = hx_jpath_index(&q, i++);
        if (!cJSON_IsObject(it)) {
            hx_doc_diag(d, doc, &qi, "a demo must be an object of field -> value");
            return -1;
        }
    }
    out->demos = cJSON_Duplicate(demos, 1);
    return 0;
}

static int check_against(const hx_json_doc *doc, const hx_jpath *sp, const hx_program *p,
                         const hx_signature *sig, bool cot, hx_diags *d)
{
    size_t want = sig->ninputs + sig->noutputs + (cot ? 1 : 0);
    if (p->nfields != want) {
        hx_jpath fp = hx_jpath_key(sp, "fields");
        hx_doc_diag(d, doc, &fp, "the program has %zu fields but the suite's signature has %zu "
                    "(%zu inputs + %zu outputs%s); DSPy matches fields by position, so they must agree",
                    p->nfields, want, sig->ninputs, sig->noutputs, cot ? " + reasoning for ChainOfThought" : "");
        return -1;
    }
    if (cot && strncmp(p->fields[sig->ninputs].prefix, "Reasoning", 9) != 0) {
        hx_jpath fp = hx_jpath_key(sp, "fields");
        fp = hx_jpath_index(&fp, (int)sig->ninputs);
        hx_doc_diag(d, doc, &fp, "expected the ChainOfThought \"Reasoning:\" field after the %zu inputs, got prefix \"%s\"",
                    sig->ninputs, p->fields[sig->ninputs].prefix);
        return -1;
    }
    return 0;
}

int hx_program_load(const char *path, const char *key, const hx_signature *sig, bool cot,
                    hx_program *out, hx_diags *d)
{
    hx_json_doc doc;
    hx_error err;
    hx_jpath sp, p;
    const cJSON *state, *sig_j, *instr;
    int bad = 0;

    memset(out, 0, sizeof *out);
    if (hx_json_doc_load(path, HX_PROGRAM_MAX_BYTES, &doc, &err) != 0) {
        hx_diags_add(d, "", 0, 0, "", "%s", err.msg);
        return -1;
    }
    out->file = strdup(path);
    hx_sha256_hex(doc.text, doc.len, out->sha256);
    if (!cJSON_IsObject(doc.root)) {
        hx_jpath top = {0};
        hx_doc_diag(d, &doc, &top, "expected a JSON object as written by DSPy's module.save()");
        hx_json_doc_free(&doc);
        return -1;
    }
    bad |= check_metadata(&doc, d) != 0;
    state = pick_state(&doc, key, &p, &out->key, d);
    if (!state) {
        hx_json_doc_free(&doc);
        return -1;
    }
    sig_j = cJSON_GetObjectItemCaseSensitive(state, "signature");
    sp = hx_jpath_key(&p, "signature");
    instr = cJSON_GetObjectItemCaseSensitive(sig_j, "instructions");
    if (!cJSON_IsObject(sig_j) || !cJSON_IsString(instr)) {
        hx_doc_diag(d, &doc, &sp, "\"signature\" needs a string \"instructions\"");
        bad = 1;
    } else {
        out->instructions = strdup(instr->valuestring);
    }
    if (cJSON_IsObject(sig_j) && load_fields(&doc, sig_j, &sp, out, d) != 0) bad = 1;
    if (!cJSON_HasObjectItem(state, "lm")) {
        hx_doc_diag(d, &doc, &p, "no \"lm\" key (null or an LM state): DSPy's load() would fail with KeyError");
        bad = 1;
    } else {
        const cJSON *lm = cJSON_GetObjectItemCaseSensitive(state, "lm");
        if (!cJSON_IsNull(lm) && !cJSON_IsObject(lm)) {
            hx_jpath q = hx_jpath_key(&p, "lm");
            hx_doc_diag(d, &doc, &q, "\"lm\" must be null or an object");
            bad = 1;
        }
    }
    if (cJSON_HasObjectItem(state, "extended_signature")) {
        hx_doc_diag(d, &doc, &p, "legacy \"extended_signature\" (DSPy <= 2.5): DSPy 3 refuses to load it; re-save the program with DSPy 3");
        bad = 1;
    }
    bad |= check_demos(&doc, state, &p, out, d) != 0;
    if (!bad && sig) bad |= check_against(&doc, &sp, out, sig, cot, d) != 0;
    hx_json_doc_free(&doc);
    return bad ? -1 : 0;
}
