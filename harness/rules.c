/*
 * rules.c — loading assertion rule files (see rules.h).
 *
 * Each rule type lists the options it knows; anything else in a rule
 * object is reported, because a misspelt option ("tolerence_minutes")
 * silently ignored would make a check stricter or looser than the user
 * believes.
 */
#include "rules.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const struct {
    hx_rule_type t;
    const char *name;
    const char *options; /* space-separated, besides "type" */
} TYPES[] = {
    {HX_R_DATE, "date", "tolerance_days"},
    {HX_R_TIME, "time", "tolerance_minutes default_meridiem"},
    {HX_R_INTEGER, "integer", "tolerance"},
    {HX_R_NUMBER, "number", "tolerance"},
    {HX_R_MONEY, "money", "tolerance"},
    {HX_R_PHONE, "phone", "region"},
    {HX_R_BOOLEAN, "boolean", ""},
    {HX_R_ADDRESS, "address", "max_name_edits"},
    {HX_R_ENUM, "enum", "values"},
    {HX_R_LABEL, "label", "values"},
    {HX_R_TEXT, "text", "min_similarity"},
    {HX_R_REGEX, "regex", "pattern"},
    {HX_R_LIST, "list", "items ordered"},
};
#define NTYPES (sizeof TYPES / sizeof TYPES[0])

const char *hx_rule_type_name(hx_rule_type t)
{
    for (size_t i = 0; i < NTYPES; i++)
        if (TYPES[i].t == t) return TYPES[i].name;
    return "?";
}

int hx_rule_type_parse(const char *name, hx_rule_type *out)
{
    for (size_t i = 0; i < NTYPES; i++)
        if (strcmp(TYPES[i].name, name) == 0) { *out = TYPES[i].t; return 0; }
    return -1;
}

const char *hx_rule_type_list(void)
{
    return "date, time, integer, number, money, phone, boolean, address, enum, "
           "label, text, regex, list";
}

static const char *options_of(hx_rule_type t)
{
    for (size_t i = 0; i < NTYPES; i++)
        if (TYPES[i].t == t) return TYPES[i].options;
    return "";
}

static int option_known(hx_rule_type t, const char *key)
{
    const char *opts = options_of(t);
    size_t n = strlen(key);
    if (strcmp(key, "type") == 0) return 1;
    for (const char *p = opts; *p;) {
        const char *e = strchr(p, ' ');
        size_t len = e ? (size_t)(e - p) : strlen(p);
        if (len == n && strncmp(p, key, n) == 0) return 1;
        p += len;
        while (*p == ' ') p++;
    }
    return 0;
}

void hx_rule_init(hx_rule *r, hx_rule_type t)
{
    memset(r, 0, sizeof *r);
    r->type = t;
    r->min_similarity = 1.0;
    snprintf(r->region, sizeof r->region, "US");
}

void hx_rule_free(hx_rule *r)
{
    if (!r) return;
    free(r->field);
    hx_enum_free(&r->values);
    hx_regex_free(r->re);
    free(r->pattern);
    if (r->item) {
        hx_rule_free(r->item);
        free(r->item);
    }
    memset(r, 0, sizeof *r);
}

void hx_rules_free(hx_rules *rs)
{
    if (!rs) return;
    for (size_t i = 0; i < rs->n; i++) hx_rule_free(&rs->v[i]);
    free(rs->v);
    free(rs->file);
    memset(rs, 0, sizeof *rs);
}

const hx_rule *hx_rules_find(const hx_rules *rs, const char *field)
{
    for (size_t i = 0; i < rs->n; i++)
        if (strcmp(rs->v[i].field, field) == 0) return &rs->v[i];
    return NULL;
}

/* --- options ------------------------------------------------------------- */

static int get_number(const hx_json_doc *doc, const cJSON *o, const hx_jpath *p,
                      const char *key, double lo, double hi, double *out, hx_diags *d)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);
    char got[128];
    if (!v) return 0;
    hx_jpath q = hx_jpath_key(p, key);
    if (!cJSON_IsNumber(v) || isnan(v->valuedouble) || v->valuedouble < lo || v->valuedouble > hi) {
        hx_json_describe(v, got, sizeof got);
        hx_doc_diag(d, doc, &q, "expected a number from %g to %g, got %s", lo, hi, got);
        return -1;
    }
    *out = v->valuedouble;
    return 0;
}

static int get_int(const hx_json_doc *doc, const cJSON *o, const hx_jpath *p,
                   const char *key, int lo, int hi, int *out, hx_diags *d)
{
    double x = *out;
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);
    if (get_number(doc, o, p, key, lo, hi, &x, d) != 0) return -1;
    if (v && x != floor(x)) {
        hx_jpath q = hx_jpath_key(p, key);
        hx_doc_diag(d, doc, &q, "expected a whole number, got %g", x);
        return -1;
    }
    *out = (int)x;
    return 0;
}

static int load_values(const hx_json_doc *doc, const cJSON *o, const hx_jpath *p,
                       hx_rule *r, hx_diags *d)
{
    const cJSON *vals = cJSON_GetObjectItemCaseSensitive(o, "values");
    hx_jpath q = hx_jpath_key(p, "values");
    hx_error err;
    int bad = 0;
    if (!vals) {
        hx_doc_diag(d, doc, p, "a%s %s rule needs \"values\"", r->type == HX_R_ENUM ? "n" : "",
                    hx_rule_type_name(r->type));
        return -1;
    }
    if (cJSON_IsArray(vals)) {
        int i = 0;
        const cJSON *it;
        cJSON_ArrayForEach(it, vals) {
            hx_jpath qi = hx_jpath_index(&q, i++);
            if (!cJSON_IsString(it) || !it->valuestring[0]) {
                hx_doc_diag(d, doc, &qi, "expected a non-empty string");
                bad = 1;
                continue;
            }
            if (hx_enum_add(&r->values, it->valuestring, NULL, 0, &err) != 0) {
                hx_doc_diag(d, doc, &qi, "%s", err.msg);
                bad = 1;
            }
        }
    } else if (cJSON_IsObject(vals) && r->type == HX_R_ENUM) {
        const cJSON *it;
        cJSON_ArrayForEach(it, vals) {
            hx_jpath qk = hx_jpath_key(&q, it->string);
            size_t na = 0;
            const cJSON *a;
            const char **aliases = calloc((size_t)cJSON_GetArraySize(it) + 1, sizeof *aliases);
            if (!aliases) { hx_doc_diag(d, doc, &qk, "out of memory"); return -1; }
            if (cJSON_IsString(it)) {
                aliases[na++] = it->valuestring;
            } else if (cJSON_IsArray(it)) {
                int i = 0;
                cJSON_ArrayForEach(a, it) {
                    hx_jpath qa = hx_jpath_index(&qk, i++);
                    if (!cJSON_IsString(a) || !a->valuestring[0]) {
                        hx_doc_diag(d, doc, &qa, "expected a non-empty alias string");
                        bad = 1;
                    } else {
                        aliases[na++] = a->valuestring;
                    }
                }
            } else {
                hx_doc_diag(d, doc, &qk, "expected a list of aliases");
                bad = 1;
                free(aliases);
                continue;
            }
            if (hx_enum_add(&r->values, it->string, aliases, na, &err) != 0) {
                hx_doc_diag(d, doc, &qk, "%s", err.msg);
                bad = 1;
            }
            free(aliases);
        }
    } else {
        hx_doc_diag(d, doc, &q, r->type == HX_R_ENUM
                    ? "expected an object {\"canonical\": [\"alias\", ...]} or a list of values"
                    : "expected a list of label strings");
        return -1;
    }
    if (!bad && r->values.n == 0) {
        hx_doc_diag(d, doc, &q, "no values given");
        bad = 1;
    }
    return bad ? -1 : 0;
}

static int load_rule(const hx_json_doc *doc, const cJSON *o, const hx_jpath *p,
                     const char *field, hx_rule *r, hx_diags *d, int depth);

static int load_options(const hx_json_doc *doc, const cJSON *o, const hx_jpath *p,
                        hx_rule *r, hx_diags *d, int depth)
{
    const cJSON *v;
    int bad = 0;
    hx_error err;

    switch (r->type) {
    case HX_R_DATE:
        bad |= get_int(doc, o, p, "tolerance_days", 0, 3660, &r->tolerance_days, d) != 0;
        break;
    case HX_R_TIME:
        bad |= get_int(doc, o, p, "tolerance_minutes", 0, 720, &r->tolerance_minutes, d) != 0;
        if ((v = cJSON_GetObjectItemCaseSensitive(o, "default_meridiem"))) {
            hx_jpath q = hx_jpath_key(p, "default_meridiem");
            if (cJSON_IsString(v) && strcmp(v->valuestring, "am") == 0) r->default_meridiem = 'a';
            else if (cJSON_IsString(v) && strcmp(v->valuestring, "pm") == 0) r->default_meridiem = 'p';
            else { hx_doc_diag(d, doc, &q, "expected \"am\" or \"pm\""); bad = 1; }
        }
        break;
    case HX_R_INTEGER: case HX_R_NUMBER: case HX_R_MONEY:
        bad |= get_number(doc, o, p, "tolerance", 0, 1e15, &r->tolerance, d) != 0;
        break;
    case HX_R_PHONE:
        if ((v = cJSON_GetObjectItemCaseSensitive(o, "region"))) {
            hx_jpath q = hx_jpath_key(p, "region");
            if (!cJSON_IsString(v) || strlen(v->valuestring) != 2) {
                hx_doc_diag(d, doc, &q, "expected a two-letter ISO region such as \"US\"");
                bad = 1;
            } else {
                snprintf(r->region, sizeof r->region, "%s", v->valuestring);
            }
        }
        break;
    case HX_R_ADDRESS:
        bad |= get_int(doc, o, p, "max_name_edits", 0, 2, &r->max_name_edits, d) != 0;
        break;
    case HX_R_ENUM: case HX_R_LABEL:
        bad |= load_values(doc, o, p, r, d) != 0;
        break;
    case HX_R_TEXT:
        bad |= get_number(doc, o, p, "min_similarity", 0, 1, &r->min_similarity, d) != 0;
        break;
    case HX_R_REGEX:
        v = cJSON_GetObjectItemCaseSensitive(o, "pattern");
        if (v) {
            hx_jpath q = hx_jpath_key(p, "pattern");
            if (!cJSON_IsString(v)) {
                hx_doc_diag(d, doc, &q, "expected a PCRE2 pattern string");
                bad = 1;
            } else if (hx_regex_compile(v->valuestring, &r->re, &err) != 0) {
                hx_doc_diag(d, doc, &q, "%s", err.msg);
                bad = 1;
            } else {
                r->pattern = strdup(v->valuestring);
            }
        }
        break;
    case HX_R_LIST:
        v = cJSON_GetObjectItemCaseSensitive(o, "items");
        if (!v) {
            hx_doc_diag(d, doc, p, "a list rule needs \"items\": the rule for each element, e.g. {\"type\": \"text\"}");
            bad = 1;
        } else {
            hx_jpath q = hx_jpath_key(p, "items");
            r->item = calloc(1, sizeof *r->item);
            if (!r->item || load_rule(doc, v, &q, "", r->item, d, depth + 1) != 0) bad = 1;
            else if (r->item->type == HX_R_LIST) {
                hx_doc_diag(d, doc, &q, "lists of lists are not supported");
                bad = 1;
            }
        }
        if ((v = cJSON_GetObjectItemCaseSensitive(o, "ordered"))) {
            hx_jpath q = hx_jpath_key(p, "ordered");
            if (!cJSON_IsBool(v)) { hx_doc_diag(d, doc, &q, "expected true or false"); bad = 1; }
            else r->ordered = cJSON_IsTrue(v);
        }
        break;
    case HX_R_BOOLEAN:
        break;
    }
    return bad ? -1 : 0;
}

static int load_rule(const hx_json_doc *doc, const cJSON *o, const hx_jpath *p,
                     const char *field, hx_rule *r, hx_diags *d, int depth)
{
    const cJSON *t, *it;
    hx_rule_type type;
    int bad = 0;
    char got[128];

    hx_rule_init(r, HX_R_TEXT);
    r->field = strdup(field);
    if (!cJSON_IsObject(o)) {
        hx_json_describe(o, got, sizeof got);
        hx_doc_diag(d, doc, p, "expected a rule object such as {\"type\": \"date\"}, got %s", got);
        return -1;
    }
    t = cJSON_GetObjectItemCaseSensitive(o, "type");
    if (!t) {
        hx_doc_diag(d, doc, p, "rule has no \"type\"; one of: %s", hx_rule_type_list());
        return -1;
    }
    if (!cJSON_IsString(t) || hx_rule_type_parse(t->valuestring, &type) != 0) {
        hx_jpath q = hx_jpath_key(p, "type");
        hx_json_describe(t, got, sizeof got);
        hx_doc_diag(d, doc, &q, "unknown rule type %s; one of: %s", got, hx_rule_type_list());
        return -1;
    }
    r->type = type;
    cJSON_ArrayForEach(it, o) {
        if (!option_known(type, it->string)) {
            hx_jpath q = hx_jpath_key(p, it->string);
            const char *opts = options_of(type);
            hx_doc_diag(d, doc, &q, "unknown option \"%s\" for a %s rule; %s%s", it->string,
                        hx_rule_type_name(type), *opts ? "known: type " : "it takes only \"type\"", opts);
            bad = 1;
        }
    }
    if (depth > 2) {
        hx_doc_diag(d, doc, p, "rules nest too deeply");
        return -1;
    }
    if (load_options(doc, o, p, r, d, depth) != 0) bad = 1;
    return bad ? -1 : 0;
}

int hx_rules_from_doc(const hx_json_doc *doc, hx_rules *out, hx_diags *d)
{
    const cJSON *root = doc->root, *fields, *cp, *it;
    hx_jpath top = {0};
    int bad = 0;
    char got[128];

    memset(out, 0, sizeof *out);
    out->file = strdup(doc->file);
    out->case_mode = HX_CASE_ALL;
    if (!cJSON_IsObject(root)) {
        hx_json_describe(root, got, sizeof got);
        hx_doc_diag(d, doc, &top, "expected an object {\"fields\": {...}}, got %s", got);
        return -1;
    }
    if (hx_json_check_duplicates(doc, root, &top, d)) bad = 1;
    cJSON_ArrayForEach(it, root) {
        if (strcmp(it->string, "fields") && strcmp(it->string, "case_passes")) {
            hx_jpath q = hx_jpath_key(&top, it->string);
            hx_doc_diag(d, doc, &q, "unknown key \"%s\"; a rule file has \"fields\" and \"case_passes\"", it->string);
            bad = 1;
        }
    }
    fields = cJSON_GetObjectItemCaseSensitive(root, "fields");
    if (!cJSON_IsObject(fields)) {
        hx_jpath q = hx_jpath_key(&top, "fields");
        hx_json_describe(fields, got, sizeof got);
        hx_doc_diag(d, doc, fields ? &q : &top, "expected \"fields\": an object of field name -> rule, got %s", got);
        return -1;
    }
    int n = cJSON_GetArraySize(fields);
    out->v = calloc(n ? (size_t)n : 1, sizeof *out->v);
    if (!out->v) {
        hx_doc_diag(d, doc, &top, "out of memory");
        return -1;
    }
    hx_jpath fp = hx_jpath_key(&top, "fields");
    cJSON_ArrayForEach(it, fields) {
        hx_jpath q = hx_jpath_key(&fp, it->string);
        if (hx_rules_find(out, it->string)) continue; /* reported as a duplicate key */
        if (load_rule(doc, it, &q, it->string, &out->v[out->n++], d, 0) != 0) bad = 1;
    }
    cp = cJSON_GetObjectItemCaseSensitive(root, "case_passes");
    if (cp) {
        hx_jpath q = hx_jpath_key(&top, "case_passes");
        if (cJSON_IsString(cp) && strcmp(cp->valuestring, "all") == 0) out->case_mode = HX_CASE_ALL;
        else if (cJSON_IsString(cp) && strcmp(cp->valuestring, "any") == 0) out->case_mode = HX_CASE_ANY;
        else if (cJSON_IsNumber(cp) && cp->valuedouble > 0 && cp->valuedouble <= 1) {
            out->case_mode = HX_CASE_FRACTION;
            out->min_fraction = cp->valuedouble;
        } else {
            hx_json_describe(cp, got, sizeof got);
            hx_doc_diag(d, doc, &q, "expected \"all\", \"any\" or a fraction in (0, 1], got %s", got);
            bad = 1;
        }
    }
    return bad ? -1 : 0;
}

int hx_rules_load(const char *path, hx_rules *out, hx_diags *d)
{
    hx_json_doc doc;
    hx_error err;
    int rc;
    memset(out, 0, sizeof *out);
    if (hx_json_doc_load(path, HX_RULES_MAX_BYTES, &doc, &err) != 0) {
        hx_diags_add(d, "", 0, 0, "", "%s", err.msg); /* err names the file */
        return -1;
    }
    rc = hx_rules_from_doc(&doc, out, d);
    hx_json_doc_free(&doc);
    return rc;
}
