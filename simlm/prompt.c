/*
 * prompt.c — reading a ChatAdapter / JSONAdapter request (see prompt.h).
 *
 * The layout parsed here is DSPy's (dspy-interop.md §2.2–§2.6, §3.1). The
 * reader is lenient on purpose: anything it cannot place is ignored rather
 * than refused, because a test double should answer every prompt an
 * optimizer might invent. Only requests that are not chat completions at
 * all (not JSON, no messages) are refused.
 */
#include "prompt.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "program.h"
#include "strbuf.h"

static const char OUT_LIST[] = "Your output fields are:";
static const char IN_LIST[] = "Your input fields are:";
static const char STRUCTURE[] = "All interactions will be structured";
static const char JSON_STRUCTURE[] = "Outputs will be a JSON object with the following fields.";
static const char CHAT_REQ[] = "Respond with the corresponding output fields";
static const char JSON_REQ[] = "Respond with a JSON object in the following order of fields:";

/* ---- fields ------------------------------------------------------------ */

static int add_field(sl_field **v, size_t *n, const char *name, size_t nlen, sl_type *type)
{
    sl_field *nv;
    if (!type) return -1;
    for (size_t i = 0; i < *n; i++)
        if (strlen((*v)[i].name) == nlen && memcmp((*v)[i].name, name, nlen) == 0) {
            sl_type_free(type); /* first occurrence wins, as in DSPy's parser */
            return 0;
        }
    nv = realloc(*v, (*n + 1) * sizeof *nv);
    if (!nv) { sl_type_free(type); return -1; }
    *v = nv;
    nv[*n].name = sl_strndup(name, nlen);
    if (!nv[*n].name) { sl_type_free(type); return -1; }
    nv[*n].type = type;
    (*n)++;
    return 0;
}

static void free_fields(sl_field *v, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        free(v[i].name);
        sl_type_free(v[i].type);
    }
    free(v);
}

/* End of a parenthesised type starting after "(": the ')' that closes it,
 * skipping quoted text and nested brackets. NULL if unbalanced. */
static const char *close_paren(const char *p, const char *end)
{
    int depth = 1;
    char q = 0;
    for (; p < end; p++) {
        if (q) {
            if (*p == '\\' && p + 1 < end) p++;
            else if (*p == q) q = 0;
        } else if (*p == '\'' || *p == '"') q = *p;
        else if (*p == '(' || *p == '[') depth++;
        else if ((*p == ')' || *p == ']') && --depth == 0) return *p == ')' ? p : NULL;
    }
    return NULL;
}

/* One list line "N. `name` (type): desc". Returns 1 and adds the field,
 * 0 if the line is not a field line (a description's continuation), -1 on
 * out of memory. */
static int field_line(const char *p, const char *end, sl_field **v, size_t *n)
{
    const char *name, *ty, *ty_end;
    if (p >= end || !isdigit((unsigned char)*p)) return 0;
    while (p < end && isdigit((unsigned char)*p)) p++;
    if (end - p < 3 || memcmp(p, ". `", 3) != 0) return 0;
    name = p += 3;
    while (p < end && *p != '`' && *p != '\n') p++;
    if (p >= end || *p != '`' || p == name) return 0;
    if (end - p < 3 || memcmp(p, "` (", 3) != 0) return 0;
    ty = p + 3;
    ty_end = close_paren(ty, end);
    if (!ty_end) return 0;
    return add_field(v, n, name, (size_t)(p - name), sl_type_parse(ty, (size_t)(ty_end - ty))) ? -1 : 1;
}

/* The fields listed after `head` in the system message, up to `stop`. */
static int field_list(const char *sys, const char *head, const char *stop, sl_field **v, size_t *n)
{
    const char *p = strstr(sys, head), *end;
    if (!p) return 0;
    p += strlen(head);
    end = strstr(p, stop);
    if (!end) end = p + strlen(p);
    while (p < end) {
        const char *eol = memchr(p, '\n', (size_t)(end - p));
        if (!eol) eol = end;
        if (field_line(p, end, v, n) < 0) return -1;
        p = eol + 1;
    }
    return 0;
}

static int fields_from_schema(const cJSON *rf, sl_field **v, size_t *n)
{
    const cJSON *js = cJSON_GetObjectItemCaseSensitive(rf, "json_schema");
    const cJSON *schema = cJSON_GetObjectItemCaseSensitive(js, "schema");
    const cJSON *props = cJSON_GetObjectItemCaseSensitive(schema, "properties");
    const cJSON *f;
    if (!cJSON_IsObject(props)) return 0;
    cJSON_ArrayForEach(f, props) {
        if (!f->string) continue;
        if (add_field(v, n, f->string, strlen(f->string), sl_type_from_schema(f)) != 0) return -1;
    }
    return 0;
}

/* The "Respond with ..." sentence: `[[ ## f ## ]]` (ChatAdapter) or `f`
 * (JSONAdapter) clauses, each optionally followed by
 * "(must be formatted as a valid Python T)". */
static int fields_from_requirement(const char *user, sl_field **v, size_t *n)
{
    static const char HINT[] = " (must be formatted as a valid Python ";
    const char *p = strstr(user, CHAT_REQ);
    if (!p) p = strstr(user, JSON_REQ);
    if (!p) return 0;
    for (;;) {
        const char *name, *name_end, *ty = "str", *ty_end;
        p = strchr(p, '`');
        if (!p) return 0;
        name = ++p;
        name_end = strchr(name, '`');
        if (!name_end) return 0;
        p = name_end + 1;
        if (strncmp(name, "[[ ## ", 6) == 0 && name_end - name > 12) { name += 6; name_end -= 6; }
        ty_end = ty + 3;
        if (strncmp(p, HINT, sizeof HINT - 1) == 0) {
            const char *close = close_paren(p + 2, p + strlen(p));
            ty = p + sizeof HINT - 1;
            if (close) { ty_end = close; p = close + 1; }
            else ty_end = ty;
        }
        if ((size_t)(name_end - name) == 9 && memcmp(name, "completed", 9) == 0) continue;
        if (add_field(v, n, name, (size_t)(name_end - name), sl_type_parse(ty, (size_t)(ty_end - ty))) != 0)
            return -1;
    }
}

/* ---- input sections ------------------------------------------------------ */

/* If a line at p is a header "[[ ## name ## ]]", set the name and return
 * the end of the header; NULL otherwise. */
static const char *header_at(const char *p, const char **name, size_t *nlen)
{
    const char *q;
    if (strncmp(p, "[[ ## ", 6) != 0) return NULL;
    q = p + 6;
    *name = q;
    while (isalnum((unsigned char)*q) || *q == '_') q++;
    if (q == *name || strncmp(q, " ## ]]", 6) != 0) return NULL;
    *nlen = (size_t)(q - *name);
    return q + 6;
}

static bool is_input(const sl_prompt *p, const char *name, size_t n)
{
    if (p->ninputs == 0) return !(n == 9 && memcmp(name, "completed", 9) == 0);
    for (size_t i = 0; i < p->ninputs; i++)
        if (strlen(p->inputs[i].name) == n && memcmp(p->inputs[i].name, name, n) == 0) return true;
    return false;
}

static int add_value(sl_prompt *p, const char *name, size_t nlen, const char *s, size_t n)
{
    sl_value *nv = realloc(p->values, (p->nvalues + 1) * sizeof *nv);
    if (!nv) return -1;
    p->values = nv;
    sl_trim(&s, &n);
    nv[p->nvalues].name = sl_strndup(name, nlen);
    nv[p->nvalues].text = sl_strndup(s, n);
    if (!nv[p->nvalues].name || !nv[p->nvalues].text) {
        free(nv[p->nvalues].name);
        free(nv[p->nvalues].text);
        return -1;
    }
    p->nvalues++;
    return 0;
}

/* Split the last user message into its input sections. A section runs
 * from its header line to the next input header at a line start, and the
 * last one stops before the output-requirements sentence. */
static int read_sections(sl_prompt *p, const char *user)
{
    const char *end = user + strlen(user), *req, *line = user;
    const char *cur = NULL, *cur_name = NULL;
    size_t cur_len = 0;
    if ((req = strstr(user, CHAT_REQ)) || (req = strstr(user, JSON_REQ))) end = req;
    while (line < end) {
        const char *name, *after;
        size_t nlen;
        const char *eol = memchr(line, '\n', (size_t)(end - line));
        after = header_at(line, &name, &nlen);
        if (after && after <= end && is_input(p, name, nlen)) {
            if (cur && add_value(p, cur_name, cur_len, cur, (size_t)(line - cur)) != 0) return -1;
            cur_name = name;
            cur_len = nlen;
            cur = after;
        }
        if (!eol) break;
        line = eol + 1;
    }
    if (cur && add_value(p, cur_name, cur_len, cur, (size_t)(end - cur)) != 0) return -1;
    return 0;
}

/* ---- messages ------------------------------------------------------------ */

/* A message's text: a string, or the "text" parts of a content array. */
static void message_text(const cJSON *msg, sl_buf *out)
{
    const cJSON *c = cJSON_GetObjectItemCaseSensitive(msg, "content"), *part;
    if (cJSON_IsString(c)) { sl_buf_puts(out, c->valuestring); return; }
    if (!cJSON_IsArray(c)) return;
    cJSON_ArrayForEach(part, c) {
        const cJSON *t = cJSON_GetObjectItemCaseSensitive(part, "text");
        if (cJSON_IsString(t)) {
            if (out->len) sl_buf_puts(out, "\n");
            sl_buf_puts(out, t->valuestring);
        }
    }
}

static const char *role_of(const cJSON *msg)
{
    const cJSON *r = cJSON_GetObjectItemCaseSensitive(msg, "role");
    return cJSON_IsString(r) ? r->valuestring : "";
}

static int check_messages(const cJSON *msgs, char why[256])
{
    const cJSON *m;
    if (!cJSON_IsArray(msgs)) {
        snprintf(why, 256, "'messages' is a required property and must be an array");
        return -1;
    }
    if (cJSON_GetArraySize(msgs) == 0) {
        snprintf(why, 256, "'messages' must contain at least one message");
        return -1;
    }
    cJSON_ArrayForEach(m, msgs) {
        if (!cJSON_IsObject(m) || !cJSON_IsString(cJSON_GetObjectItemCaseSensitive(m, "role"))) {
            snprintf(why, 256, "each message must be an object with a string 'role'");
            return -1;
        }
    }
    return 0;
}

/* Index of the last user message, or -1. */
static int last_user(const cJSON *msgs)
{
    int i = 0, last = -1;
    const cJSON *m;
    cJSON_ArrayForEach(m, msgs) {
        if (strcmp(role_of(m), "user") == 0) last = i;
        i++;
    }
    return last;
}

static char *lower_dup(const char *s)
{
    char *d = strdup(s);
    if (d)
        for (char *q = d; *q; q++) *q = (char)tolower((unsigned char)*q);
    return d;
}

/* Gather the system text, the program text (all before the last user
 * message) and the last user message's text. */
static int read_messages(sl_prompt *p, const cJSON *msgs, char **sys, char **user)
{
    sl_buf teach = {0}, s = {0}, u = {0};
    int lu = last_user(msgs), i = 0;
    const cJSON *m;
    char *t;
    cJSON_ArrayForEach(m, msgs) {
        sl_buf one = {0};
        char *txt;
        message_text(m, &one);
        txt = sl_buf_take(&one);
        if (!txt) { sl_buf_free(&teach); sl_buf_free(&s); sl_buf_free(&u); return -1; }
        p->prompt_bytes += strlen(txt);
        if (strcmp(role_of(m), "system") == 0 && s.len == 0) sl_buf_puts(&s, txt);
        if (i == lu) sl_buf_puts(&u, txt);
        else if (lu < 0 || i < lu) sl_buf_printf(&teach, "%s: %s\n", role_of(m), txt);
        free(txt);
        i++;
    }
    t = sl_buf_take(&teach);
    *sys = sl_buf_take(&s);
    *user = sl_buf_take(&u);
    if (!t || !*sys || !*user) { free(t); free(*sys); free(*user); *sys = *user = NULL; return -1; }
    hx_sha256_hex(t, strlen(t), p->prompt_sha);
    p->teach = lower_dup(t);
    free(t);
    return p->teach ? 0 : -1;
}

static sl_rf rf_type(const cJSON *rf)
{
    const cJSON *ty = cJSON_GetObjectItemCaseSensitive(rf, "type");
    if (!rf) return SL_RF_NONE;
    if (cJSON_IsString(ty) && strcmp(ty->valuestring, "json_object") == 0) return SL_RF_JSON_OBJECT;
    if (cJSON_IsString(ty) && strcmp(ty->valuestring, "json_schema") == 0) return SL_RF_JSON_SCHEMA;
    return SL_RF_OTHER;
}

static bool wants_json(const cJSON *rf, const char *sys)
{
    const cJSON *ty = cJSON_GetObjectItemCaseSensitive(rf, "type");
    if (cJSON_IsString(ty) &&
        (strcmp(ty->valuestring, "json_schema") == 0 || strcmp(ty->valuestring, "json_object") == 0))
        return true;
    return strstr(sys, JSON_STRUCTURE) != NULL;
}

static long max_tokens_of(const cJSON *root)
{
    const cJSON *mt = cJSON_GetObjectItemCaseSensitive(root, "max_tokens");
    if (!cJSON_IsNumber(mt)) mt = cJSON_GetObjectItemCaseSensitive(root, "max_completion_tokens");
    if (!cJSON_IsNumber(mt) || mt->valuedouble < 1) return 0;
    return mt->valuedouble > 1e9 ? 1000000000L : (long)mt->valuedouble;
}

static int read_fields(sl_prompt *p, const cJSON *rf, const char *sys, const char *user)
{
    if (field_list(sys, IN_LIST, OUT_LIST, &p->inputs, &p->ninputs) != 0) return -1;
    if (field_list(sys, OUT_LIST, STRUCTURE, &p->outputs, &p->noutputs) != 0) return -1;
    if (p->noutputs == 0 && fields_from_schema(rf, &p->outputs, &p->noutputs) != 0) return -1;
    if (p->noutputs == 0 && fields_from_requirement(user, &p->outputs, &p->noutputs) != 0) return -1;
    return 0;
}

static sl_prompt_rc parse_root(const cJSON *root, sl_prompt *p, char why[256])
{
    const cJSON *msgs = cJSON_GetObjectItemCaseSensitive(root, "messages");
    const cJSON *model = cJSON_GetObjectItemCaseSensitive(root, "model");
    const cJSON *rf = cJSON_GetObjectItemCaseSensitive(root, "response_format");
    char *sys = NULL, *user = NULL;
    int rc;
    if (check_messages(msgs, why) != 0) return SL_PROMPT_BAD;
    p->model = strdup(cJSON_IsString(model) && model->valuestring[0] ? model->valuestring : "simlm");
    if (!p->model || read_messages(p, msgs, &sys, &user) != 0) return SL_PROMPT_OOM;
    p->json_mode = wants_json(rf, sys);
    p->rf = rf_type(rf);
    p->max_tokens = max_tokens_of(root);
    rc = read_fields(p, rf, sys, user);
    if (rc == 0) rc = read_sections(p, user);
    free(sys);
    free(user);
    return rc == 0 ? SL_PROMPT_OK : SL_PROMPT_OOM;
}

sl_prompt_rc sl_prompt_parse(const char *body, size_t len, sl_prompt *out, char why[256])
{
    cJSON *root;
    sl_prompt_rc rc;
    memset(out, 0, sizeof *out);
    why[0] = '\0';
    hx_sha256_hex(body, len, out->body_sha);
    root = cJSON_ParseWithLength(body, len);
    if (!root || !cJSON_IsObject(root)) {
        cJSON_Delete(root);
        snprintf(why, 256, "We could not parse the JSON body of your request. The body must be a JSON object.");
        return SL_PROMPT_BAD;
    }
    rc = parse_root(root, out, why);
    cJSON_Delete(root);
    if (rc != SL_PROMPT_OK) sl_prompt_free(out);
    return rc;
}

void sl_prompt_free(sl_prompt *p)
{
    free(p->model);
    free_fields(p->outputs, p->noutputs);
    free_fields(p->inputs, p->ninputs);
    for (size_t i = 0; i < p->nvalues; i++) {
        free(p->values[i].name);
        free(p->values[i].text);
    }
    free(p->values);
    free(p->teach);
    memset(p, 0, sizeof *p);
}

const sl_field *sl_prompt_output(const sl_prompt *p, const char *name)
{
    for (size_t i = 0; i < p->noutputs; i++)
        if (strcmp(p->outputs[i].name, name) == 0) return &p->outputs[i];
    return NULL;
}

const char *sl_prompt_value(const sl_prompt *p, const char *name)
{
    for (size_t i = 0; i < p->nvalues; i++)
        if (strcmp(p->values[i].name, name) == 0) return p->values[i].text;
    return NULL;
}
