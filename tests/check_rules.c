/*
 * check_rules.c — assertion rule files (rules.h, DESIGN §3.3): every rule
 * type with its options, defaults, and every kind of problem the loader
 * must report (with the JSON path, and all of them, not just the first).
 */
#include "test_util.h"

#include <dirent.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "diag.h"
#include "enum_match.h"
#include "json_doc.h"
#include "regex.h"
#include "rules.h"

Suite *make_suite(void);

/* --- helpers -------------------------------------------------------------- */

static void parse_doc(const char *text, hx_json_doc *doc)
{
    hx_error err = {{0}};
    int rc = hx_json_doc_parse("rules.json", 1, text, strlen(text), doc, &err);
    ck_assert_msg(rc == 0, "parse failed: %s", err.msg);
}

/* Load rules from text; returns the loader's result. */
static int load(const char *text, hx_rules *rs, hx_diags *d)
{
    hx_json_doc doc;
    parse_doc(text, &doc);
    int rc = hx_rules_from_doc(&doc, rs, d);
    hx_json_doc_free(&doc);
    return rc;
}

static void load_ok(const char *text, hx_rules *rs)
{
    hx_diags d = {0};
    int rc = load(text, rs, &d);
    char first[1200] = "";
    if (d.n) snprintf(first, sizeof first, "%s: %s", d.v[0].path, d.v[0].msg);
    size_t n = d.n;
    hx_diags_free(&d);
    ck_assert_msg(rc == 0 && n == 0, "refused (%zu problems): %s", n, first);
}

static int find_diag(const hx_diags *d, const char *path, const char *sub)
{
    for (size_t i = 0; i < d->n; i++)
        if (strcmp(d->v[i].path, path) == 0 && strstr(d->v[i].msg, sub)) return (int)i;
    return -1;
}

static char *diags_text(const hx_diags *d)
{
    char *out = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&out, &len);
    ck_assert_ptr_nonnull(f);
    hx_diags_print(d, f);
    fclose(f);
    return out;
}

/* `fields_json` is the body of "fields"; the file must be refused with a
 * problem at want_path whose message holds want_sub. */
static void expect_bad_rule(const char *fields_json, const char *want_path, const char *want_sub)
{
    char text[4096];
    hx_rules rs;
    hx_diags d = {0};
    snprintf(text, sizeof text, "{\"fields\": {%s}}", fields_json);
    int rc = load(text, &rs, &d);
    int at = find_diag(&d, want_path, want_sub);
    char *all = diags_text(&d);
    char shown[1500];
    snprintf(shown, sizeof shown, "%s", all);
    free(all);
    hx_rules_free(&rs);
    hx_diags_free(&d);
    ck_assert_msg(rc == -1, "accepted: %s", fields_json);
    ck_assert_msg(at >= 0, "%s: no problem at %s containing \"%s\"; got:\n%s", fields_json, want_path,
                  want_sub, shown);
}

/* --- all types ---------------------------------------------------------------- */

static const char ALL_TYPES[] =
    "{ \"fields\": {\n"
    "    \"date\":       { \"type\": \"date\", \"tolerance_days\": 1 },\n"
    "    \"time\":       { \"type\": \"time\", \"tolerance_minutes\": 15, \"default_meridiem\": \"pm\" },\n"
    "    \"party_size\": { \"type\": \"integer\", \"tolerance\": 0 },\n"
    "    \"weight\":     { \"type\": \"number\", \"tolerance\": 0.5 },\n"
    "    \"amount\":     { \"type\": \"money\", \"tolerance\": 0.01 },\n"
    "    \"phone\":      { \"type\": \"phone\", \"region\": \"GB\" },\n"
    "    \"insured\":    { \"type\": \"boolean\" },\n"
    "    \"address\":    { \"type\": \"address\", \"max_name_edits\": 1 },\n"
    "    \"insurance\":  { \"type\": \"enum\", \"values\": { \"Blue Cross Blue Shield\": [\"BCBS\", \"Blue Cross\"],\n"
    "                                                \"UnitedHealthcare\": [\"UHC\", \"United Healthcare\"] } },\n"
    "    \"decision\":   { \"type\": \"label\", \"values\": [\"covered\", \"needs_pa\", \"denied\"] },\n"
    "    \"name\":       { \"type\": \"text\", \"min_similarity\": 0.85 },\n"
    "    \"notes\":      { \"type\": \"regex\", \"pattern\": \"(?i)allerg\" },\n"
    "    \"allergies\":  { \"type\": \"list\", \"items\": { \"type\": \"text\" }, \"ordered\": true } },\n"
    "  \"case_passes\": \"all\" }\n";

START_TEST(every_type_with_options)
{
    hx_rules rs;
    const hx_rule *r;
    static const char *const names[] = {"date", "time", "party_size", "weight", "amount",
                                        "phone", "insured", "address", "insurance", "decision",
                                        "name", "notes", "allergies"};
    static const hx_rule_type types[] = {HX_R_DATE, HX_R_TIME, HX_R_INTEGER, HX_R_NUMBER,
                                         HX_R_MONEY, HX_R_PHONE, HX_R_BOOLEAN, HX_R_ADDRESS,
                                         HX_R_ENUM, HX_R_LABEL, HX_R_TEXT, HX_R_REGEX, HX_R_LIST};
    load_ok(ALL_TYPES, &rs);
    ck_assert_str_eq(rs.file, "rules.json");
    ck_assert_uint_eq(rs.n, 13);
    for (size_t i = 0; i < 13; i++) {
        ck_assert_str_eq(rs.v[i].field, names[i]);
        ck_assert_int_eq(rs.v[i].type, types[i]);
        ck_assert_ptr_eq(hx_rules_find(&rs, names[i]), &rs.v[i]);
    }
    ck_assert_ptr_null(hx_rules_find(&rs, "nope"));
    ck_assert_ptr_null(hx_rules_find(&rs, "Date"));
    ck_assert_int_eq(rs.case_mode, HX_CASE_ALL);

    ck_assert_int_eq(hx_rules_find(&rs, "date")->tolerance_days, 1);
    r = hx_rules_find(&rs, "time");
    ck_assert_int_eq(r->tolerance_minutes, 15);
    ck_assert_int_eq(r->default_meridiem, 'p');
    ck_assert_double_eq(hx_rules_find(&rs, "party_size")->tolerance, 0);
    ck_assert_double_eq(hx_rules_find(&rs, "weight")->tolerance, 0.5);
    ck_assert_double_eq(hx_rules_find(&rs, "amount")->tolerance, 0.01);
    ck_assert_str_eq(hx_rules_find(&rs, "phone")->region, "GB");
    ck_assert_int_eq(hx_rules_find(&rs, "address")->max_name_edits, 1);
    ck_assert_double_eq(hx_rules_find(&rs, "name")->min_similarity, 0.85);

    r = hx_rules_find(&rs, "insurance");
    ck_assert_uint_eq(r->values.n, 2);
    ck_assert_str_eq(r->values.values[0].key, "Blue Cross Blue Shield");
    ck_assert_uint_eq(r->values.values[0].naliases, 2);
    ck_assert_str_eq(r->values.values[0].aliases[1], "Blue Cross");
    ck_assert_str_eq(r->values.values[1].key, "UnitedHealthcare");
    {
        const char *key = NULL;
        char why[HX_WHY_MAX];
        ck_assert_int_eq(hx_enum_match(&r->values, "uhc", &key, why), HX_ENUM_MATCHED);
        ck_assert_str_eq(key, "UnitedHealthcare");
    }

    r = hx_rules_find(&rs, "decision");
    ck_assert_uint_eq(r->values.n, 3);
    ck_assert_str_eq(r->values.values[1].key, "needs_pa");
    ck_assert_uint_eq(r->values.values[1].naliases, 0);

    r = hx_rules_find(&rs, "notes");
    ck_assert_ptr_nonnull(r->re);
    ck_assert_str_eq(r->pattern, "(?i)allerg");
    {
        hx_error err = {{0}};
        ck_assert_int_eq(hx_regex_match(r->re, "ALLERGIC to nuts", 16, &err), 1);
        ck_assert_int_eq(hx_regex_match(r->re, "none", 4, &err), 0);
    }

    r = hx_rules_find(&rs, "allergies");
    ck_assert_ptr_nonnull(r->item);
    ck_assert_int_eq(r->item->type, HX_R_TEXT);
    ck_assert_double_eq(r->item->min_similarity, 1.0);
    ck_assert(r->ordered);
    hx_rules_free(&rs);
    ck_assert_ptr_null(rs.v);
    ck_assert_uint_eq(rs.n, 0);
}
END_TEST

START_TEST(defaults)
{
    hx_rules rs;
    const hx_rule *r;
    load_ok("{\"fields\": {\"name\": {\"type\": \"text\"}, \"phone\": {\"type\": \"phone\"},"
            " \"time\": {\"type\": \"time\"}, \"date\": {\"type\": \"date\"},"
            " \"n\": {\"type\": \"number\"}, \"a\": {\"type\": \"address\"},"
            " \"l\": {\"type\": \"list\", \"items\": {\"type\": \"phone\"}}}}",
            &rs);
    ck_assert_uint_eq(rs.n, 7);
    /* no case_passes: "all" */
    ck_assert_int_eq(rs.case_mode, HX_CASE_ALL);
    ck_assert_double_eq(hx_rules_find(&rs, "name")->min_similarity, 1.0);
    ck_assert_str_eq(hx_rules_find(&rs, "phone")->region, "US");
    r = hx_rules_find(&rs, "time");
    ck_assert_int_eq(r->tolerance_minutes, 0);
    ck_assert_int_eq(r->default_meridiem, 0);
    ck_assert_int_eq(hx_rules_find(&rs, "date")->tolerance_days, 0);
    ck_assert_double_eq(hx_rules_find(&rs, "n")->tolerance, 0);
    ck_assert_int_eq(hx_rules_find(&rs, "a")->max_name_edits, 0);
    r = hx_rules_find(&rs, "l");
    ck_assert(!r->ordered);
    ck_assert_int_eq(r->item->type, HX_R_PHONE);
    ck_assert_str_eq(r->item->region, "US");
    hx_rules_free(&rs);

    hx_rule one;
    hx_rule_init(&one, HX_R_TEXT);
    ck_assert_int_eq(one.type, HX_R_TEXT);
    ck_assert_double_eq(one.min_similarity, 1.0);
    ck_assert_str_eq(one.region, "US");
    ck_assert_ptr_null(one.re);
    ck_assert_ptr_null(one.item);
    hx_rule_free(&one);

    /* an empty "fields" object is a valid (if useless) file */
    load_ok("{\"fields\": {}}", &rs);
    ck_assert_uint_eq(rs.n, 0);
    hx_rules_free(&rs);
}
END_TEST

START_TEST(fixture_file)
{
    hx_rules rs;
    hx_diags d = {0};
    int rc = hx_rules_load("tests/fixtures/basic/assertions/booking.json", &rs, &d);
    char first[1200] = "";
    if (d.n) snprintf(first, sizeof first, "%s", d.v[0].msg);
    size_t n = d.n;
    hx_diags_free(&d);
    ck_assert_msg(rc == 0 && n == 0, "fixture refused: %s", first);
    ck_assert_uint_eq(rs.n, 5);
    ck_assert_str_eq(rs.file, "tests/fixtures/basic/assertions/booking.json");
    ck_assert_int_eq(hx_rules_find(&rs, "time")->type, HX_R_TIME);
    ck_assert_double_eq(hx_rules_find(&rs, "name")->min_similarity, 0.85);
    ck_assert_str_eq(hx_rules_find(&rs, "phone")->region, "US");
    hx_rules_free(&rs);

    /* a missing file: one problem naming it, *out safe to free */
    rc = hx_rules_load("tests/fixtures/basic/assertions/none.json", &rs, &d);
    ck_assert_int_eq(rc, -1);
    ck_assert_uint_eq(d.n, 1);
    ck_assert_ptr_nonnull(strstr(d.v[0].msg, "none.json"));
    hx_rules_free(&rs);
    hx_diags_free(&d);
}
END_TEST

/* --- problems ------------------------------------------------------------------ */

START_TEST(unknown_option)
{
    /* line 2: 4 spaces, "time" 5-10, ':' 11, ' ' 12, '{' 13, ' ' 14,
     * "type" 15-20, ':' 21, ' ' 22, "time" 23-28, ',' 29, ' ' 30,
     * "tolerence_minutes" 31-49, ':' 50, ' ' 51, '5' 52 */
    const char *text = "{ \"fields\": {\n"
                       "    \"time\": { \"type\": \"time\", \"tolerence_minutes\": 5 } } }\n";
    hx_rules rs;
    hx_diags d = {0};
    ck_assert_int_eq(load(text, &rs, &d), -1);
    ck_assert_uint_eq(d.n, 1);
    ck_assert_str_eq(d.v[0].file, "rules.json");
    ck_assert_str_eq(d.v[0].path, "$.fields.time.tolerence_minutes");
    ck_assert_int_eq(d.v[0].line, 2);
    ck_assert_int_eq(d.v[0].col, 52);
    ck_assert_ptr_nonnull(strstr(d.v[0].msg, "unknown option"));
    ck_assert_ptr_nonnull(strstr(d.v[0].msg, "tolerence_minutes"));
    /* the message lists what a time rule does take */
    ck_assert_ptr_nonnull(strstr(d.v[0].msg, "tolerance_minutes"));
    hx_rules_free(&rs);
    hx_diags_free(&d);

    /* an option of another type is unknown here */
    expect_bad_rule("\"d\": {\"type\": \"date\", \"region\": \"US\"}", "$.fields.d.region", "unknown option");
    expect_bad_rule("\"b\": {\"type\": \"boolean\", \"values\": [\"yes\"]}", "$.fields.b.values", "unknown option");
    expect_bad_rule("\"t\": {\"type\": \"text\", \"min similarity\": 0.9}", "$.fields.t[\"min similarity\"]",
                    "unknown option");
    expect_bad_rule("\"l\": {\"type\": \"list\", \"items\": {\"type\": \"text\", \"fuzzy\": true}}",
                    "$.fields.l.items.fuzzy", "unknown option");
}
END_TEST

START_TEST(unknown_type)
{
    expect_bad_rule("\"when\": {\"type\": \"datetime\"}", "$.fields.when.type", "datetime");
    expect_bad_rule("\"when\": {\"type\": \"Date\"}", "$.fields.when.type", "Date");
    expect_bad_rule("\"when\": {\"type\": 3}", "$.fields.when.type", "unknown rule type");
    expect_bad_rule("\"when\": {\"tolerance_days\": 1}", "$.fields.when", "\"type\"");
    expect_bad_rule("\"when\": \"date\"", "$.fields.when", "rule object");
    /* the message lists the known types */
    expect_bad_rule("\"when\": {\"type\": \"datetime\"}", "$.fields.when.type", "date, time, integer");
    /* rule type names round-trip */
    static const char *const names[] = {"date", "time", "integer", "number", "money", "phone", "boolean",
                                        "address", "enum", "label", "text", "regex", "list"};
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
        hx_rule_type t;
        ck_assert_int_eq(hx_rule_type_parse(names[i], &t), 0);
        ck_assert_str_eq(hx_rule_type_name(t), names[i]);
        ck_assert_ptr_nonnull(strstr(hx_rule_type_list(), names[i]));
    }
    hx_rule_type t;
    ck_assert_int_eq(hx_rule_type_parse("string", &t), -1);
    ck_assert_int_eq(hx_rule_type_parse("", &t), -1);
}
END_TEST

START_TEST(wrong_option_types_and_ranges)
{
    expect_bad_rule("\"t\": {\"type\": \"time\", \"tolerance_minutes\": -1}", "$.fields.t.tolerance_minutes", "0 to 720");
    expect_bad_rule("\"t\": {\"type\": \"time\", \"tolerance_minutes\": 721}", "$.fields.t.tolerance_minutes", "0 to 720");
    expect_bad_rule("\"t\": {\"type\": \"time\", \"tolerance_minutes\": \"5\"}", "$.fields.t.tolerance_minutes", "\"5\"");
    expect_bad_rule("\"t\": {\"type\": \"time\", \"tolerance_minutes\": 1.5}", "$.fields.t.tolerance_minutes", "whole");
    expect_bad_rule("\"t\": {\"type\": \"time\", \"default_meridiem\": \"evening\"}", "$.fields.t.default_meridiem", "\"pm\"");
    expect_bad_rule("\"t\": {\"type\": \"time\", \"default_meridiem\": \"PM\"}", "$.fields.t.default_meridiem", "\"pm\"");
    expect_bad_rule("\"d\": {\"type\": \"date\", \"tolerance_days\": 3661}", "$.fields.d.tolerance_days", "0 to 3660");
    expect_bad_rule("\"d\": {\"type\": \"date\", \"tolerance_days\": null}", "$.fields.d.tolerance_days", "null");
    expect_bad_rule("\"m\": {\"type\": \"money\", \"tolerance\": -0.01}", "$.fields.m.tolerance", "number");
    expect_bad_rule("\"m\": {\"type\": \"integer\", \"tolerance\": \"1\"}", "$.fields.m.tolerance", "number");
    expect_bad_rule("\"p\": {\"type\": \"phone\", \"region\": \"USA\"}", "$.fields.p.region", "two-letter");
    expect_bad_rule("\"p\": {\"type\": \"phone\", \"region\": 1}", "$.fields.p.region", "two-letter");
    expect_bad_rule("\"a\": {\"type\": \"address\", \"max_name_edits\": 3}", "$.fields.a.max_name_edits", "0 to 2");
    expect_bad_rule("\"n\": {\"type\": \"text\", \"min_similarity\": 1.5}", "$.fields.n.min_similarity", "0 to 1");
    expect_bad_rule("\"n\": {\"type\": \"text\", \"min_similarity\": \"high\"}", "$.fields.n.min_similarity", "\"high\"");
    expect_bad_rule("\"n\": {\"type\": \"text\", \"min_similarity\": -0.1}", "$.fields.n.min_similarity", "0 to 1");
    expect_bad_rule("\"r\": {\"type\": \"regex\", \"pattern\": 5}", "$.fields.r.pattern", "pattern");
    expect_bad_rule("\"l\": {\"type\": \"list\", \"items\": {\"type\": \"text\"}, \"ordered\": \"yes\"}",
                    "$.fields.l.ordered", "true or false");

    /* the boundaries themselves are allowed */
    hx_rules rs;
    load_ok("{\"fields\": {\"t\": {\"type\": \"time\", \"tolerance_minutes\": 720},"
            " \"n\": {\"type\": \"text\", \"min_similarity\": 0},"
            " \"a\": {\"type\": \"address\", \"max_name_edits\": 2},"
            " \"d\": {\"type\": \"date\", \"tolerance_days\": 3660},"
            " \"e\": {\"type\": \"time\", \"default_meridiem\": \"am\"},"
            " \"w\": {\"type\": \"time\", \"tolerance_minutes\": 30.0}}}",
            &rs);
    ck_assert_int_eq(hx_rules_find(&rs, "t")->tolerance_minutes, 720);
    ck_assert_double_eq(hx_rules_find(&rs, "n")->min_similarity, 0);
    ck_assert_int_eq(hx_rules_find(&rs, "a")->max_name_edits, 2);
    ck_assert_int_eq(hx_rules_find(&rs, "d")->tolerance_days, 3660);
    ck_assert_int_eq(hx_rules_find(&rs, "e")->default_meridiem, 'a');
    ck_assert_int_eq(hx_rules_find(&rs, "w")->tolerance_minutes, 30);
    hx_rules_free(&rs);
}
END_TEST

START_TEST(enum_forms)
{
    hx_rules rs;
    const hx_rule *r;
    /* list form for an enum: keys without aliases; object form with a
     * single alias string */
    load_ok("{\"fields\": {\"a\": {\"type\": \"enum\", \"values\": [\"Aetna\", \"Cigna\"]},"
            " \"b\": {\"type\": \"enum\", \"values\": {\"UnitedHealthcare\": \"UHC\", \"Cigna\": []}}}}",
            &rs);
    r = hx_rules_find(&rs, "a");
    ck_assert_uint_eq(r->values.n, 2);
    ck_assert_str_eq(r->values.values[0].key, "Aetna");
    ck_assert_uint_eq(r->values.values[0].naliases, 0);
    r = hx_rules_find(&rs, "b");
    ck_assert_uint_eq(r->values.n, 2);
    ck_assert_uint_eq(r->values.values[0].naliases, 1);
    ck_assert_str_eq(r->values.values[0].aliases[0], "UHC");
    ck_assert_uint_eq(r->values.values[1].naliases, 0);
    hx_rules_free(&rs);

    /* a label takes only the list form */
    expect_bad_rule("\"d\": {\"type\": \"label\", \"values\": {\"covered\": [\"ok\"]}}", "$.fields.d.values", "list");
    expect_bad_rule("\"d\": {\"type\": \"label\"}", "$.fields.d", "\"values\"");
    expect_bad_rule("\"d\": {\"type\": \"enum\"}", "$.fields.d", "\"values\"");
    expect_bad_rule("\"d\": {\"type\": \"enum\", \"values\": \"covered\"}", "$.fields.d.values", "expected");
    expect_bad_rule("\"d\": {\"type\": \"label\", \"values\": []}", "$.fields.d.values", "no values");
    expect_bad_rule("\"d\": {\"type\": \"enum\", \"values\": {}}", "$.fields.d.values", "no values");
    expect_bad_rule("\"d\": {\"type\": \"label\", \"values\": [\"covered\", 2]}", "$.fields.d.values[1]", "string");
    expect_bad_rule("\"d\": {\"type\": \"label\", \"values\": [\"covered\", \"\"]}", "$.fields.d.values[1]", "string");
    expect_bad_rule("\"d\": {\"type\": \"enum\", \"values\": {\"UHC Inc\": [\"UHC\", 7]}}",
                    "$.fields.d.values[\"UHC Inc\"][1]", "alias");
    expect_bad_rule("\"d\": {\"type\": \"enum\", \"values\": {\"UHC\": 7}}", "$.fields.d.values.UHC", "aliases");
}
END_TEST

START_TEST(duplicate_alias_refused)
{
    /* an alias of B that folds like an alias of A */
    expect_bad_rule("\"ins\": {\"type\": \"enum\", \"values\": {\"Alpha\": [\"Blue Cross\"], \"Beta\": [\"blue-cross\"]}}",
                    "$.fields.ins.values.Beta", "Alpha");
    /* an alias of B equal to key A */
    expect_bad_rule("\"ins\": {\"type\": \"enum\", \"values\": {\"Alpha\": [], \"Beta\": [\"alpha\"]}}",
                    "$.fields.ins.values.Beta", "Alpha");
    /* two labels that fold alike */
    expect_bad_rule("\"d\": {\"type\": \"label\", \"values\": [\"needs_pa\", \"Needs PA\"]}", "$.fields.d.values[1]",
                    "needs_pa");
    /* an alias equal to its own key is harmless */
    hx_rules rs;
    load_ok("{\"fields\": {\"ins\": {\"type\": \"enum\", \"values\": {\"UHC\": [\"uhc\", \"U.H.C.\"]}}}}", &rs);
    ck_assert_uint_eq(rs.v[0].values.n, 1);
    hx_rules_free(&rs);
}
END_TEST

START_TEST(enum_many_aliases)
{
    /* Regression (found by this file, fixed): rules.c load_values kept at
     * most 256 aliases per enum value and silently dropped the rest
     * (rc 0, no problem, naliases 256 of 300). */
    size_t cap = 16384, u = 0;
    char *text = malloc(cap);
    ck_assert_ptr_nonnull(text);
    u += (size_t)snprintf(text + u, cap - u, "{\"fields\": {\"e\": {\"type\": \"enum\", \"values\": {\"Key\": [");
    for (int i = 0; i < 300; i++) u += (size_t)snprintf(text + u, cap - u, "%s\"alias%d\"", i ? ", " : "", i);
    snprintf(text + u, cap - u, "]}}}}");
    hx_rules rs;
    hx_diags d = {0};
    int rc = load(text, &rs, &d);
    free(text);
    size_t n = d.n, kept = rc == 0 ? rs.v[0].values.values[0].naliases : 0;
    hx_rules_free(&rs);
    hx_diags_free(&d);
    ck_assert_msg((rc == 0 && n == 0 && kept == 300) || (rc == -1 && n > 0),
                  "rc %d, %zu problems, %zu of 300 aliases kept", rc, n, kept);
}
END_TEST

START_TEST(regex_without_pattern)
{
    /* a regex rule may leave the pattern to each transcript's expected value */
    hx_rules rs;
    load_ok("{\"fields\": {\"notes\": {\"type\": \"regex\"}}}", &rs);
    ck_assert_int_eq(rs.v[0].type, HX_R_REGEX);
    ck_assert_ptr_null(rs.v[0].re);
    ck_assert_ptr_null(rs.v[0].pattern);
    hx_rules_free(&rs);
}
END_TEST

START_TEST(regex_compile_error)
{
    char text[256];
    hx_rules rs;
    hx_diags d = {0};
    snprintf(text, sizeof text, "{\"fields\": {\"notes\": {\"type\": \"regex\", \"pattern\": \"(abc\"}}}");
    ck_assert_int_eq(load(text, &rs, &d), -1);
    ck_assert_uint_eq(d.n, 1);
    ck_assert_str_eq(d.v[0].path, "$.fields.notes.pattern");
    ck_assert_ptr_nonnull(strstr(d.v[0].msg, "(abc"));
    ck_assert_ptr_nonnull(strstr(d.v[0].msg, "offset 4"));
    /* `{"fields": {"notes": {"type": "regex", "pattern": "(abc"}}}`:
     * the pattern's '"' is col 51 */
    ck_assert_int_eq(d.v[0].line, 1);
    ck_assert_int_eq(d.v[0].col, 51);
    ck_assert_ptr_null(rs.v[0].re);
    hx_rules_free(&rs);
    hx_diags_free(&d);
    expect_bad_rule("\"n\": {\"type\": \"regex\", \"pattern\": \"[a-\"}", "$.fields.n.pattern", "regex");
    expect_bad_rule("\"n\": {\"type\": \"regex\", \"pattern\": \"a{2,1}\"}", "$.fields.n.pattern", "regex");
}
END_TEST

START_TEST(list_rules)
{
    hx_rules rs;
    const hx_rule *r;
    load_ok("{\"fields\": {\"codes\": {\"type\": \"list\", \"items\": {\"type\": \"label\", \"values\": [\"a\", \"b\"]}},"
            " \"dates\": {\"type\": \"list\", \"items\": {\"type\": \"date\", \"tolerance_days\": 2}, \"ordered\": false}}}",
            &rs);
    r = hx_rules_find(&rs, "codes");
    ck_assert_int_eq(r->type, HX_R_LIST);
    ck_assert_int_eq(r->item->type, HX_R_LABEL);
    ck_assert_uint_eq(r->item->values.n, 2);
    r = hx_rules_find(&rs, "dates");
    ck_assert_int_eq(r->item->type, HX_R_DATE);
    ck_assert_int_eq(r->item->tolerance_days, 2);
    ck_assert(!r->ordered);
    hx_rules_free(&rs);

    expect_bad_rule("\"l\": {\"type\": \"list\"}", "$.fields.l", "\"items\"");
    expect_bad_rule("\"l\": {\"type\": \"list\", \"items\": \"text\"}", "$.fields.l.items", "rule object");
    expect_bad_rule("\"l\": {\"type\": \"list\", \"items\": {\"type\": \"texts\"}}", "$.fields.l.items.type", "texts");
    expect_bad_rule("\"l\": {\"type\": \"list\", \"items\": {\"type\": \"text\", \"min_similarity\": 2}}",
                    "$.fields.l.items.min_similarity", "0 to 1");
    expect_bad_rule("\"l\": {\"type\": \"list\", \"items\": {\"type\": \"list\", \"items\": {\"type\": \"text\"}}}",
                    "$.fields.l.items", "lists of lists");
}
END_TEST

START_TEST(case_passes_forms)
{
    hx_rules rs;
    load_ok("{\"fields\": {\"a\": {\"type\": \"text\"}}, \"case_passes\": \"any\"}", &rs);
    ck_assert_int_eq(rs.case_mode, HX_CASE_ANY);
    hx_rules_free(&rs);
    load_ok("{\"case_passes\": \"all\", \"fields\": {\"a\": {\"type\": \"text\"}}}", &rs);
    ck_assert_int_eq(rs.case_mode, HX_CASE_ALL);
    hx_rules_free(&rs);
    load_ok("{\"fields\": {\"a\": {\"type\": \"text\"}}, \"case_passes\": 0.75}", &rs);
    ck_assert_int_eq(rs.case_mode, HX_CASE_FRACTION);
    ck_assert_double_eq(rs.min_fraction, 0.75);
    hx_rules_free(&rs);
    load_ok("{\"fields\": {\"a\": {\"type\": \"text\"}}, \"case_passes\": 1}", &rs);
    ck_assert_double_eq(rs.min_fraction, 1.0);
    hx_rules_free(&rs);

    static const char *const bad[] = {"0", "1.5", "-0.5", "\"most\"", "\"ALL\"", "true", "null", "[0.5]"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        char text[256];
        hx_diags d = {0};
        snprintf(text, sizeof text, "{\"fields\": {\"a\": {\"type\": \"text\"}}, \"case_passes\": %s}", bad[i]);
        int rc = load(text, &rs, &d);
        int at = find_diag(&d, "$.case_passes", "\"all\"");
        hx_rules_free(&rs);
        hx_diags_free(&d);
        ck_assert_msg(rc == -1 && at >= 0, "case_passes %s: rc %d, problem at %d", bad[i], rc, at);
    }
}
END_TEST

START_TEST(file_level_problems)
{
    hx_rules rs;
    hx_diags d = {0};
    /* not an object */
    ck_assert_int_eq(load("[1]", &rs, &d), -1);
    ck_assert_uint_eq(d.n, 1);
    ck_assert_str_eq(d.v[0].path, "");
    ck_assert_ptr_nonnull(strstr(d.v[0].msg, "fields"));
    hx_rules_free(&rs);
    hx_diags_free(&d);
    /* no "fields" */
    ck_assert_int_eq(load("{\"case_passes\": \"all\"}", &rs, &d), -1);
    ck_assert_int_ge(d.n, 1);
    ck_assert_ptr_nonnull(strstr(d.v[0].msg, "\"fields\""));
    hx_rules_free(&rs);
    hx_diags_free(&d);
    /* "fields" of the wrong type */
    ck_assert_int_eq(load("{\"fields\": [{\"type\": \"text\"}]}", &rs, &d), -1);
    ck_assert_int_ge(find_diag(&d, "$.fields", "\"fields\""), 0);
    hx_rules_free(&rs);
    hx_diags_free(&d);
    /* an unknown top-level key (a typo of case_passes) */
    ck_assert_int_eq(load("{\"fields\": {\"a\": {\"type\": \"text\"}}, \"case_pass\": \"any\"}", &rs, &d), -1);
    ck_assert_int_ge(find_diag(&d, "$.case_pass", "unknown key"), 0);
    hx_rules_free(&rs);
    hx_diags_free(&d);
    /* the same field twice */
    ck_assert_int_eq(load("{\"fields\": {\"a\": {\"type\": \"text\"}, \"a\": {\"type\": \"date\"}}}", &rs, &d), -1);
    ck_assert_int_ge(find_diag(&d, "$.fields.a", "appears twice"), 0);
    hx_rules_free(&rs);
    hx_diags_free(&d);
}
END_TEST

START_TEST(all_problems_reported)
{
    /* four independent problems in four places: every one is reported */
    const char *text =
        "{ \"fields\": {\n"
        "    \"date\": { \"type\": \"datetime\" },\n"
        "    \"time\": { \"type\": \"time\", \"tolerance_minutes\": 1000 },\n"
        "    \"ok\":   { \"type\": \"text\" },\n"
        "    \"notes\": { \"type\": \"regex\", \"pattern\": \"(\" } },\n"
        "  \"case_passes\": \"most\",\n"
        "  \"comment\": \"x\" }\n";
    hx_rules rs;
    hx_diags d = {0};
    ck_assert_int_eq(load(text, &rs, &d), -1);
    char *all = diags_text(&d);
    char shown[2000];
    snprintf(shown, sizeof shown, "%s", all);
    free(all);
    int a = find_diag(&d, "$.fields.date.type", "datetime");
    int b = find_diag(&d, "$.fields.time.tolerance_minutes", "0 to 720");
    int c = find_diag(&d, "$.fields.notes.pattern", "regex");
    int e = find_diag(&d, "$.case_passes", "\"most\"");
    int f = find_diag(&d, "$.comment", "unknown key");
    size_t n = d.n;
    int line_b = b >= 0 ? d.v[b].line : 0, line_e = e >= 0 ? d.v[e].line : 0;
    hx_rules_free(&rs);
    hx_diags_free(&d);
    ck_assert_msg(a >= 0 && b >= 0 && c >= 0 && e >= 0 && f >= 0, "missing problems:\n%s", shown);
    ck_assert_msg(n == 5, "expected 5 problems, got %zu:\n%s", n, shown);
    ck_assert_int_eq(line_b, 3);
    ck_assert_int_eq(line_e, 6);
}
END_TEST

Suite *make_suite(void)
{
    Suite *s = suite_create("rules");
    TCase *tc = tcase_create("load");
    tcase_add_test(tc, every_type_with_options);
    tcase_add_test(tc, defaults);
    tcase_add_test(tc, fixture_file);
    tcase_add_test(tc, enum_forms);
    tcase_add_test(tc, list_rules);
    tcase_add_test(tc, case_passes_forms);
    suite_add_tcase(s, tc);

    tc = tcase_create("problems");
    tcase_add_test(tc, unknown_option);
    tcase_add_test(tc, unknown_type);
    tcase_add_test(tc, wrong_option_types_and_ranges);
    tcase_add_test(tc, duplicate_alias_refused);
    tcase_add_test(tc, regex_compile_error);
    tcase_add_test(tc, regex_without_pattern);
    tcase_add_test(tc, enum_many_aliases);
    tcase_add_test(tc, file_level_problems);
    tcase_add_test(tc, all_problems_reported);
    suite_add_tcase(s, tc);
    return s;
}

HX_TEST_MAIN()
