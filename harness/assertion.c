/*
 * assertion.c — the assertion engine (see assertion.h).
 *
 * Layout: scalar normalisation per rule type (normalize_str), comparison
 * of two canonical values per type with a reason (compare), then the
 * expected-value forms (null, any_of, list) on top, then cases.
 */
#include "assertion.h"

#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "address.h"
#include "calendar.h"
#include "fold.h"
#include "json_doc.h"

/* --- values --------------------------------------------------------------- */

static const char *const ABSENT_WORDS[] = {
    "none", "null", "nil", "n/a", "na", "unknown", "not provided", "not given",
    "not mentioned", "not specified", "not stated", "not available", "-", "--",
    "\xe2\x80\x94", "", NULL};

static void trim_copy(const char *s, char *buf, size_t cap)
{
    size_t n;
    while (isspace((unsigned char)*s)) s++;
    snprintf(buf, cap, "%s", s);
    n = strlen(buf);
    while (n && (isspace((unsigned char)buf[n - 1]) || buf[n - 1] == '.')) buf[--n] = '\0';
}

bool hx_value_absent(const cJSON *v)
{
    char buf[64];
    if (!v || cJSON_IsNull(v)) return true;
    if (cJSON_IsArray(v)) return cJSON_GetArraySize(v) == 0;
    if (!cJSON_IsString(v)) return false;
    if (strlen(v->valuestring) > 40) return false;
    trim_copy(v->valuestring, buf, sizeof buf);
    for (int i = 0; ABSENT_WORDS[i]; i++)
        if (strcasecmp(buf, ABSENT_WORDS[i]) == 0) return true;
    return false;
}

/* A scalar JSON value as text for a normaliser. Numbers that are whole and
 * exactly representable print as integers; others with 17 digits so no
 * precision is invented or lost. */
static int scalar_text(const cJSON *v, char *buf, size_t cap, const char **out)
{
    if (cJSON_IsString(v)) { *out = v->valuestring; return 0; }
    if (cJSON_IsBool(v)) { *out = cJSON_IsTrue(v) ? "true" : "false"; return 0; }
    if (cJSON_IsNumber(v)) {
        double x = v->valuedouble;
        if (isfinite(x) && x == floor(x) && fabs(x) <= 9007199254740992.0)
            snprintf(buf, cap, "%lld", (long long)x);
        else
            snprintf(buf, cap, "%.17g", x);
        *out = buf;
        return 0;
    }
    return -1;
}

static char *json_text(const cJSON *v)
{
    return v ? cJSON_PrintUnformatted(v) : NULL;
}

/* --- normalisation ------------------------------------------------------- */

static int normalize_str(const hx_rule *r, const char *s, const hx_norm_ctx *ctx0, hx_canon *out)
{
    hx_norm_ctx ctx = *ctx0;
    const char *key;
    hx_enum_outcome eo;
    switch (r->type) {
    case HX_R_DATE: return hx_norm_date(s, &ctx, out);
    case HX_R_TIME:
        if (r->default_meridiem) ctx.default_meridiem = r->default_meridiem;
        return hx_norm_time(s, &ctx, out);
    case HX_R_INTEGER: return hx_norm_integer(s, &ctx, out);
    case HX_R_NUMBER: return hx_norm_number(s, &ctx, out);
    case HX_R_MONEY: return hx_norm_money(s, &ctx, out);
    case HX_R_PHONE:
        ctx.region = r->region;
        return hx_norm_phone(s, &ctx, out);
    case HX_R_BOOLEAN: return hx_norm_boolean(s, &ctx, out);
    case HX_R_ADDRESS: return hx_norm_address(s, &ctx, out);
    case HX_R_TEXT: return hx_norm_text(s, &ctx, out);
    case HX_R_ENUM: case HX_R_LABEL:
        eo = hx_enum_match(&r->values, s, &key, out->why);
        if (eo == HX_ENUM_MATCHED) return hx_canon_set(out, "%s", key);
        out->value[0] = '\0';
        return -1;
    case HX_R_REGEX:
        return hx_canon_set(out, "%s", s);
    case HX_R_LIST:
        return hx_canon_refuse(out, "a list rule needs a list");
    }
    return hx_canon_refuse(out, "unknown rule type");
}

int hx_rule_normalize(const hx_rule *r, const cJSON *v, const hx_norm_ctx *ctx, hx_canon *out)
{
    char buf[64];
    const char *s;
    if (scalar_text(v, buf, sizeof buf, &s) != 0)
        return hx_canon_refuse(out, "expected a single value, got %s",
                               cJSON_IsArray(v) ? "a list" : "an object");
    return normalize_str(r, s, ctx, out);
}

/* --- comparison of canonical values -------------------------------------- */

static bool cmp_date(const hx_rule *r, const char *e, const char *a, char *why, size_t cap)
{
    int ey, em, ed, ay, am, ad;
    if (sscanf(e, "%d-%d-%d", &ey, &em, &ed) != 3 || sscanf(a, "%d-%d-%d", &ay, &am, &ad) != 3) {
        snprintf(why, cap, "expected %s, got %s", e, a);
        return strcmp(e, a) == 0;
    }
    long diff = hx_days_from_civil(ay, am, ad) - hx_days_from_civil(ey, em, ed);
    if (labs(diff) <= r->tolerance_days) return true;
    if (em == am && ed == ad)
        snprintf(why, cap, "expected %s, got %s: the year differs (year rollover?)", e, a);
    else if (labs(diff) == 7)
        snprintf(why, cap, "expected %s, got %s: a week %s (\"next <weekday>\" read another way?)", e, a,
                 diff > 0 ? "late" : "early");
    else
        snprintf(why, cap, "expected %s, got %s: %ld day%s %s", e, a, labs(diff),
                 labs(diff) == 1 ? "" : "s", diff > 0 ? "late" : "early");
    return false;
}

static int minutes_of(const char *hhmm)
{
    int h, m;
    if (sscanf(hhmm, "%d:%d", &h, &m) != 2) return -1;
    return h * 60 + m;
}

static bool cmp_time(const hx_rule *r, const char *e, const char *a, char *why, size_t cap)
{
    int em = minutes_of(e), am = minutes_of(a);
    if (em < 0 || am < 0) {
        snprintf(why, cap, "expected %s, got %s", e, a);
        return strcmp(e, a) == 0;
    }
    int raw = am - em, diff = raw;
    /* For the tolerance, times wrap at midnight: 23:55 and 00:05 are 10
     * minutes apart. The reason names the same-day gap, which is how a
     * person reads "expected 20:30, got 03:45". */
    if (diff > 720) diff -= 1440;
    if (diff < -720) diff += 1440;
    if (abs(diff) <= r->tolerance_minutes) return true;
    if (abs(raw) == 720)
        snprintf(why, cap, "expected %s, got %s: am/pm differs", e, a);
    else if (abs(raw) < 60)
        snprintf(why, cap, "expected %s, got %s: %d minutes %s", e, a, abs(raw), raw > 0 ? "late" : "early");
    else
        snprintf(why, cap, "expected %s, got %s: %d h %02d min %s", e, a, abs(raw) / 60, abs(raw) % 60,
                 raw > 0 ? "late" : "early");
    return false;
}

static bool cmp_number(const hx_rule *r, const char *e, const char *a, char *why, size_t cap)
{
    char *end1, *end2;
    long double x = strtold(e, &end1), y = strtold(a, &end2);
    /* Canonical values are exact decimals; compare with a tolerance of half
     * a unit in the 9th place beyond the rule's own, so 0.1 + 0.2 style
     * binary noise never decides a verdict. */
    long double tol = (long double)r->tolerance + 1e-9L;
    if (*end1 || *end2) {
        snprintf(why, cap, "expected %s, got %s", e, a);
        return strcmp(e, a) == 0;
    }
    if (fabsl(x - y) <= tol) return true;
    if (r->type == HX_R_MONEY)
        snprintf(why, cap, "expected %s, got %s: off by %.2Lf", e, a, fabsl(x - y));
    else
        snprintf(why, cap, "expected %s, got %s", e, a);
    return false;
}

static bool cmp_phone(const char *e, const char *a, char *why, size_t cap)
{
    size_t le = strlen(e), la = strlen(a);
    if (strcmp(e, a) == 0) return true;
    if (le > 10 && la > 10 && strcmp(e + le - 10, a + la - 10) == 0)
        snprintf(why, cap, "expected %s, got %s: the country code differs", e, a);
    else
        snprintf(why, cap, "expected %s, got %s", e, a);
    return false;
}

static bool cmp_address(const hx_rule *r, const char *e_raw, const char *a_raw, char *why, size_t cap)
{
    hx_address ea, aa;
    char w[256];
    if (hx_address_parse(e_raw, &ea, w) != 0 || hx_address_parse(a_raw, &aa, w) != 0) {
        snprintf(why, cap, "%s", w);
        return false;
    }
    if (hx_address_match(&ea, &aa, r->max_name_edits, w)) return true;
    snprintf(why, cap, "%s", w);
    return false;
}

static bool cmp_text(const hx_rule *r, const char *e, const char *a, char *why, size_t cap)
{
    if (strcmp(e, a) == 0) return true;
    if (r->min_similarity >= 1.0) {
        snprintf(why, cap, "expected \"%.150s\", got \"%.150s\"", e, a);
        return false;
    }
    double sim = hx_text_similarity(e, a);
    if (sim >= r->min_similarity) return true;
    snprintf(why, cap, "expected \"%.150s\", got \"%.150s\": similarity %.2f < %.2f", e, a, sim,
             r->min_similarity);
    return false;
}

/* Compare canonical e and a (e_raw/a_raw: the texts they came from, for
 * rules that compare structure rather than strings). */
static bool compare(const hx_rule *r, const char *e, const char *a, const char *e_raw,
                    const char *a_raw, char *why, size_t cap)
{
    why[0] = '\0';
    switch (r->type) {
    case HX_R_DATE: return cmp_date(r, e, a, why, cap);
    case HX_R_TIME: return cmp_time(r, e, a, why, cap);
    case HX_R_INTEGER: case HX_R_NUMBER: case HX_R_MONEY: return cmp_number(r, e, a, why, cap);
    case HX_R_PHONE: return cmp_phone(e, a, why, cap);
    case HX_R_ADDRESS: return cmp_address(r, e_raw, a_raw, why, cap);
    case HX_R_TEXT: return cmp_text(r, e, a, why, cap);
    default:
        if (strcmp(e, a) == 0) return true;
        snprintf(why, cap, "expected %s, got %s", e, a);
        return false;
    }
}

/* --- one expected value against one actual value ------------------------- */

static void set_str(char **slot, const char *s)
{
    free(*slot);
    *slot = s ? strdup(s) : NULL;
}

/* Regex: the pattern is the rule's, or the expected string when the rule
 * has none (a per-transcript pattern). */
static bool check_regex(const hx_rule *r, const cJSON *expected, const char *actual,
                        hx_field_verdict *out)
{
    hx_regex *own = NULL;
    const hx_regex *re = r->re;
    hx_error err;
    const char *pat = r->pattern;
    int m;
    if (!re) {
        pat = cJSON_IsString(expected) ? expected->valuestring : "";
        if (hx_regex_compile(pat, &own, &err) != 0) {
            snprintf(out->reason, sizeof out->reason, "expected pattern is invalid: %s", err.msg);
            return false;
        }
        re = own;
    }
    char disp[300];
    snprintf(disp, sizeof disp, "/%s/", pat);
    set_str(&out->expected, disp);
    m = hx_regex_match(re, actual, strlen(actual), &err);
    hx_regex_free(own);
    if (m == 1) return true;
    if (m < 0) snprintf(out->reason, sizeof out->reason, "pattern /%.100s/ could not be run: %s", pat, err.msg);
    else snprintf(out->reason, sizeof out->reason, "\"%.150s\" does not match /%.150s/", actual, pat);
    return false;
}

static bool check_scalar(const hx_rule *r, const cJSON *expected, const cJSON *actual,
                         const hx_norm_ctx *ctx, hx_field_verdict *out)
{
    hx_canon ec, ac;
    char buf1[64], buf2[64];
    const char *es = NULL, *as = NULL;

    if (scalar_text(actual, buf2, sizeof buf2, &as) != 0) {
        snprintf(out->reason, sizeof out->reason, "expected a single value, got %s",
                 cJSON_IsArray(actual) ? "a list" : "an object");
        return false;
    }
    if (r->type == HX_R_REGEX) {
        set_str(&out->actual, as);
        return check_regex(r, expected, as, out);
    }
    if (scalar_text(expected, buf1, sizeof buf1, &es) != 0 || normalize_str(r, es, ctx, &ec) != 0) {
        snprintf(out->reason, sizeof out->reason, "the expected value cannot be read: %s",
                 es ? ec.why : "not a single value");
        return false;
    }
    set_str(&out->expected, ec.value);
    if (normalize_str(r, as, ctx, &ac) != 0) {
        snprintf(out->reason, sizeof out->reason, "expected %s, got \"%.150s\": %s", ec.value, as, ac.why);
        return false;
    }
    set_str(&out->actual, ac.value);
    return compare(r, ec.value, ac.value, es, as, out->reason, sizeof out->reason);
}

/* Lists: each element checked with the item rule; unordered lists match
 * greedily, which is exact when the item comparison is an equivalence. */
static bool check_list(const hx_rule *r, const cJSON *expected, const cJSON *actual,
                       const hx_norm_ctx *ctx, hx_field_verdict *out)
{
    int ne = cJSON_GetArraySize(expected), na;
    cJSON *parsed = NULL;
    const cJSON *act = actual;
    bool ok = true;
    if (cJSON_IsString(actual)) {
        /* Models sometimes return a list as JSON text. */
        parsed = hx_json_parse(actual->valuestring);
        if (cJSON_IsArray(parsed)) act = parsed;
    }
    if (!cJSON_IsArray(act)) {
        snprintf(out->reason, sizeof out->reason, "expected a list of %d, got a single value", ne);
        cJSON_Delete(parsed);
        return false;
    }
    na = cJSON_GetArraySize(act);
    char *used = calloc((size_t)na + 1, 1);
    char missing[256] = "", extra[256] = "";
    hx_field_verdict tmp = {0};
    for (int i = 0; i < ne; i++) {
        const cJSON *e = cJSON_GetArrayItem(expected, i);
        int hit = -1;
        for (int j = r->ordered ? i : 0; j < (r->ordered ? (i < na ? i + 1 : i) : na); j++) {
            if (used[j]) continue;
            tmp.reason[0] = '\0';
            if (check_scalar(r->item, e, cJSON_GetArrayItem(act, j), ctx, &tmp)) { hit = j; break; }
        }
        if (hit >= 0) used[hit] = 1;
        else {
            char eb[64];
            const char *es = "?";
            scalar_text(e, eb, sizeof eb, &es);
            size_t u = strlen(missing);
            snprintf(missing + u, sizeof missing - u, "%s\"%s\"", u ? ", " : "", es);
            ok = false;
        }
    }
    for (int j = 0; j < na; j++) {
        if (used[j]) continue;
        char ab[64];
        const char *as = "?";
        scalar_text(cJSON_GetArrayItem(act, j), ab, sizeof ab, &as);
        size_t u = strlen(extra);
        snprintf(extra + u, sizeof extra - u, "%s\"%s\"", u ? ", " : "", as);
        ok = false;
    }
    hx_field_verdict_free(&tmp);
    free(used);
    cJSON_Delete(parsed);
    char *ej = json_text(expected);
    set_str(&out->expected, ej);
    free(ej);
    if (!ok)
        snprintf(out->reason, sizeof out->reason, "%s%s%s%s%s", missing[0] ? "missing " : "", missing,
                 missing[0] && extra[0] ? "; " : "", extra[0] ? "unexpected " : "", extra);
    return ok;
}

static bool check_one(const hx_rule *r, const cJSON *expected, const cJSON *actual,
                      const hx_norm_ctx *ctx, hx_field_verdict *out)
{
    if (cJSON_IsNull(expected)) {
        set_str(&out->expected, "null");
        if (hx_value_absent(actual)) return true;
        char *raw = json_text(actual);
        snprintf(out->reason, sizeof out->reason,
                 "expected no value (the caller never gave it), got %.200s: invented value", raw ? raw : "?");
        free(raw);
        return false;
    }
    if (hx_value_absent(actual)) {
        hx_canon ec;
        const char *es = NULL;
        char b[64];
        if (r->type != HX_R_LIST && scalar_text(expected, b, sizeof b, &es) == 0 &&
            normalize_str(r, es, ctx, &ec) == 0)
            set_str(&out->expected, ec.value);
        else {
            char *ej = json_text(expected);
            set_str(&out->expected, ej);
            free(ej);
        }
        snprintf(out->reason, sizeof out->reason, "expected %.200s, got nothing", out->expected);
        return false;
    }
    if (r->type == HX_R_LIST) return check_list(r, expected, actual, ctx, out);
    return check_scalar(r, expected, actual, ctx, out);
}

static const cJSON *any_of(const cJSON *expected)
{
    const cJSON *a;
    if (!cJSON_IsObject(expected)) return NULL;
    a = cJSON_GetObjectItemCaseSensitive(expected, "any_of");
    return cJSON_IsArray(a) ? a : NULL;
}

void hx_check_field(const hx_rule *r, const char *field, const cJSON *expected,
                    const cJSON *actual, const hx_norm_ctx *ctx, hx_field_verdict *out)
{
    const cJSON *alts = any_of(expected), *alt;
    memset(out, 0, sizeof *out);
    out->field = strdup(field);
    out->actual_raw = json_text(actual);
    if (!alts) {
        out->pass = check_one(r, expected, actual, ctx, out);
        if (out->pass) out->reason[0] = '\0';
        return;
    }
    /* any_of: pass on the first alternative that passes; otherwise report
     * every alternative's canonical form so the fix is obvious. */
    char shown[400] = "any of: ";
    cJSON_ArrayForEach(alt, alts) {
        hx_field_verdict v = {0};
        bool ok = check_one(r, alt, actual, ctx, &v);
        size_t u = strlen(shown);
        snprintf(shown + u, sizeof shown - u, "%s%s", u > 8 ? " | " : "", v.expected ? v.expected : "?");
        if (ok) {
            set_str(&out->actual, v.actual);
            out->pass = true;
        }
        if (!out->actual && v.actual) set_str(&out->actual, v.actual);
        hx_field_verdict_free(&v);
        if (ok) break;
    }
    set_str(&out->expected, shown);
    if (!out->pass) {
        char *raw = json_text(actual);
        snprintf(out->reason, sizeof out->reason, "expected %.300s, got %.150s", shown,
                 hx_value_absent(actual) ? "nothing" : (raw ? raw : "?"));
        free(raw);
    }
}

void hx_field_verdict_free(hx_field_verdict *v)
{
    if (!v) return;
    free(v->field);
    free(v->expected);
    free(v->actual_raw);
    free(v->actual);
    memset(v, 0, sizeof *v);
}

/* --- cases --------------------------------------------------------------- */

int hx_check_case(const hx_rules *rs, const cJSON *expected, const cJSON *outputs,
                  const hx_norm_ctx *ctx, hx_case_verdict *out)
{
    const cJSON *it;
    size_t passed = 0;
    memset(out, 0, sizeof *out);
    out->fields = calloc((size_t)cJSON_GetArraySize(expected) + 1, sizeof *out->fields);
    if (!out->fields) return -1;
    cJSON_ArrayForEach(it, expected) {
        const hx_rule *r = hx_rules_find(rs, it->string);
        if (!r) continue;
        const cJSON *actual = cJSON_IsObject(outputs)
                                  ? cJSON_GetObjectItemCaseSensitive(outputs, it->string) : NULL;
        hx_field_verdict *v = &out->fields[out->nfields++];
        hx_check_field(r, it->string, it, actual, ctx, v);
        if (v->pass) passed++;
        else if (!out->reason[0])
            snprintf(out->reason, sizeof out->reason, "%s: %s", v->field, v->reason);
    }
    bool pass;
    switch (rs->case_mode) {
    case HX_CASE_ANY: pass = out->nfields == 0 || passed > 0; break;
    case HX_CASE_FRACTION:
        pass = out->nfields == 0 || (double)passed / (double)out->nfields >= rs->min_fraction - 1e-12;
        break;
    default: pass = passed == out->nfields; break;
    }
    out->status = pass ? HX_PASS : HX_FAIL;
    if (pass) out->reason[0] = '\0';
    return 0;
}

void hx_case_verdict_free(hx_case_verdict *v)
{
    if (!v) return;
    for (size_t i = 0; i < v->nfields; i++) hx_field_verdict_free(&v->fields[i]);
    free(v->fields);
    memset(v, 0, sizeof *v);
}

void hx_case_verdict_to_result(const hx_case_verdict *v, hx_field_result *fields)
{
    for (size_t i = 0; i < v->nfields; i++) {
        const hx_field_verdict *f = &v->fields[i];
        fields[i].field = f->field;
        fields[i].pass = f->pass;
        fields[i].expected = f->expected ? f->expected : "";
        fields[i].actual_raw = f->actual_raw;
        fields[i].actual = f->actual;
        fields[i].reason = f->reason;
    }
}

/* --- validation of expected values --------------------------------------- */

static int valid_one(const hx_rule *r, const cJSON *e, const hx_norm_ctx *ctx, char why[512])
{
    hx_canon c;
    if (cJSON_IsNull(e)) return 0;
    if (r->type == HX_R_LIST) {
        const cJSON *it;
        int i = 0;
        if (!cJSON_IsArray(e)) {
            snprintf(why, 512, "a list rule expects a list");
            return -1;
        }
        cJSON_ArrayForEach(it, e) {
            if (hx_rule_normalize(r->item, it, ctx, &c) != 0) {
                snprintf(why, 512, "element %d: %s", i, c.why);
                return -1;
            }
            i++;
        }
        return 0;
    }
    if (r->type == HX_R_REGEX) {
        hx_regex *re = NULL;
        hx_error err;
        if (r->re) return 0;
        if (!cJSON_IsString(e)) {
            snprintf(why, 512, "the regex rule has no pattern, so the expected value must be one");
            return -1;
        }
        if (hx_regex_compile(e->valuestring, &re, &err) != 0) {
            snprintf(why, 512, "%s", err.msg);
            return -1;
        }
        hx_regex_free(re);
        return 0;
    }
    if (hx_rule_normalize(r, e, ctx, &c) != 0) {
        snprintf(why, 512, "not a valid %s: %s", hx_rule_type_name(r->type), c.why);
        return -1;
    }
    return 0;
}

int hx_expected_valid(const hx_rule *r, const cJSON *expected, const hx_norm_ctx *ctx, char why[512])
{
    const cJSON *alts, *it;
    int i = 0;
    if (cJSON_IsObject(expected)) {
        alts = any_of(expected);
        if (!alts || cJSON_GetArraySize(expected) != 1) {
            snprintf(why, 512, "an object here must be {\"any_of\": [value, ...]}");
            return -1;
        }
        if (cJSON_GetArraySize(alts) == 0) {
            snprintf(why, 512, "\"any_of\" is empty");
            return -1;
        }
        cJSON_ArrayForEach(it, alts) {
            char w[512];
            if (valid_one(r, it, ctx, w) != 0) {
                snprintf(why, 512, "any_of[%d]: %s", i, w);
                return -1;
            }
            i++;
        }
        return 0;
    }
    return valid_one(r, expected, ctx, why);
}
