/*
 * check_transcript.c — transcripts (transcript.h, DESIGN §3.2) and input
 * templates (template.h): building a transcript from JSON and the problem
 * each bad input yields (with its JSON path), scanning a folder of .json
 * and .jsonl files in name order, duplicate ids, malformed and oversized
 * .jsonl lines, the {transcript} rendering, and template placeholders.
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
#include "json_doc.h"
#include "template.h"
#include "transcript.h"

Suite *make_suite(void);

/* --- helpers -------------------------------------------------------------- */

static char tmpdir[PATH_MAX];

static void make_tmpdir(void)
{
    snprintf(tmpdir, sizeof tmpdir, "/tmp/hx_transcript_XXXXXX");
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

static void write_file(const char *name, const char *text)
{
    char path[PATH_MAX];
    FILE *f;
    snprintf(path, sizeof path, "%s/%s", tmpdir, name);
    f = fopen(path, "wb");
    ck_assert_ptr_nonnull(f);
    fputs(text, f);
    ck_assert_int_eq(fclose(f), 0);
}

static int ends_with(const char *s, const char *suf)
{
    size_t n = strlen(s), m = strlen(suf);
    return n >= m && strcmp(s + n - m, suf) == 0;
}

static void parse_doc(const char *file, const char *text, hx_json_doc *doc)
{
    hx_error err = {{0}};
    int rc = hx_json_doc_parse(file, 1, text, strlen(text), doc, &err);
    ck_assert_msg(rc == 0, "parse failed: %s", err.msg);
}

/* All problems printed, one a line (file:line:col: path: message). */
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

/* Index of the first problem whose path is `path` and message holds `sub`,
 * or -1. */
static int find_diag(const hx_diags *d, const char *path, const char *sub)
{
    for (size_t i = 0; i < d->n; i++)
        if (strcmp(d->v[i].path, path) == 0 && strstr(d->v[i].msg, sub)) return (int)i;
    return -1;
}

#define GOOD_R0 \
    "{\"id\": \"r0\", \"call_date\": \"2026-11-25\", \"turns\": [{\"speaker\": \"agent\", \"text\": \"hi\"}], \"expected\": {}}"

/* Build the transcript `obj` placed at $[1] of an array (after a good one)
 * and check it is refused with a problem at want_path whose message holds
 * want_sub. */
static void expect_bad(const char *obj, const char *want_path, const char *want_sub)
{
    char text[4096];
    hx_json_doc doc;
    hx_diags d = {0};
    hx_transcript t;
    hx_jpath top = {0}, p = hx_jpath_index(&top, 1);
    snprintf(text, sizeof text, "[\n%s,\n%s\n]\n", GOOD_R0, obj);
    parse_doc("t.json", text, &doc);
    int rc = hx_transcript_from_json(&doc, cJSON_GetArrayItem(doc.root, 1), &p, &t, &d);
    char *all = diags_text(&d);
    int at = find_diag(&d, want_path, want_sub);
    int id_null = t.id == NULL;
    hx_transcript_free(&t);
    hx_diags_free(&d);
    hx_json_doc_free(&doc);
    ck_assert_msg(rc == -1, "accepted: %s", obj);
    ck_assert_msg(at >= 0, "no problem at %s containing \"%s\"; got:\n%s", want_path, want_sub, all);
    ck_assert_msg(id_null, "a refused transcript keeps its id");
    free(all);
}

/* The DESIGN §3.2 example. */
static const char EXAMPLE[] =
    "{ \"id\": \"rest-0042\",\n"
    "  \"call_started_at\": \"2026-11-20T18:05:00-05:00\",\n"
    "  \"tags\": [\"relative-date\", \"correction\"],\n"
    "  \"context\": { \"restaurant\": \"Luigi's\", \"party\": 4, \"vip\": true, \"ratio\": 2.5,\n"
    "               \"nested\": {\"a\": [1, \"b\"]}, \"note\": \"{id}\" },\n"
    "  \"turns\": [ { \"speaker\": \"agent\",  \"text\": \"Luigi's, how can I help?\" },\n"
    "             { \"speaker\": \"caller\", \"text\": \"A table for four tomorrow at half seven, please.\" } ],\n"
    "  \"expected\": { \"date\": \"2026-11-21\", \"time\": \"19:30\", \"party_size\": 4,\n"
    "                \"phone\": null, \"name\": { \"any_of\": [\"Dana\", \"Dana Whitfield\"] } } }\n";

static void example(hx_json_doc *doc, hx_transcript *t)
{
    hx_diags d = {0};
    hx_jpath top = {0};
    parse_doc("rest.json", EXAMPLE, doc);
    int rc = hx_transcript_from_json(doc, doc->root, &top, t, &d);
    ck_assert_msg(rc == 0 && d.n == 0, "example refused (%zu problems): %s", d.n,
                  d.n ? d.v[0].msg : "");
    hx_diags_free(&d);
}

/* --- hx_transcript_from_json --------------------------------------------- */

START_TEST(from_json_example)
{
    hx_json_doc doc;
    hx_transcript t;
    example(&doc, &t);
    /* the transcript copies what it needs: the document can go first */
    hx_json_doc_free(&doc);

    ck_assert_str_eq(t.id, "rest-0042");
    ck_assert_str_eq(t.file, "rest.json");
    ck_assert_str_eq(t.call_started_at, "2026-11-20T18:05:00-05:00");
    /* the call's own (local) date, not the UTC one */
    ck_assert_str_eq(t.call_date, "2026-11-20");
    ck_assert_int_eq(t.year, 2026);
    ck_assert_int_eq(t.month, 11);
    ck_assert_int_eq(t.day, 20);
    ck_assert_uint_eq(t.ntags, 2);
    ck_assert_str_eq(t.tags[0], "relative-date");
    ck_assert_str_eq(t.tags[1], "correction");
    ck_assert(cJSON_IsObject(t.context));
    ck_assert_str_eq(cJSON_GetObjectItemCaseSensitive(t.context, "restaurant")->valuestring, "Luigi's");
    ck_assert_uint_eq(t.nturns, 2);
    ck_assert_str_eq(t.turns[0].speaker, "agent");
    ck_assert_str_eq(t.turns[0].text, "Luigi's, how can I help?");
    ck_assert_str_eq(t.turns[1].speaker, "caller");
    ck_assert(cJSON_IsObject(t.expected));
    ck_assert_int_eq(cJSON_GetArraySize(t.expected), 5);
    ck_assert(cJSON_IsNull(cJSON_GetObjectItemCaseSensitive(t.expected, "phone")));
    ck_assert_int_eq(cJSON_GetObjectItemCaseSensitive(t.expected, "party_size")->valueint, 4);
    hx_transcript_free(&t);
    ck_assert_ptr_null(t.id);
}
END_TEST

START_TEST(from_json_call_date_only)
{
    hx_json_doc doc;
    hx_diags d = {0};
    hx_transcript t;
    hx_jpath top = {0};
    parse_doc("x.json",
              "{\"id\": \"r\", \"call_date\": \"2024-02-29\", \"turns\": [{\"speaker\": \"caller\", \"text\": \"hi\"}], "
              "\"expected\": {\"date\": \"2024-03-01\"}}",
              &doc);
    ck_assert_int_eq(hx_transcript_from_json(&doc, doc.root, &top, &t, &d), 0);
    ck_assert_uint_eq(d.n, 0);
    ck_assert_ptr_null(t.call_started_at);
    ck_assert_str_eq(t.call_date, "2024-02-29");
    ck_assert_int_eq(t.year, 2024);
    ck_assert_int_eq(t.month, 2);
    ck_assert_int_eq(t.day, 29);
    ck_assert_uint_eq(t.ntags, 0);
    ck_assert_ptr_null(t.context);
    hx_transcript_free(&t);

    /* both given and agreeing: fine. 23:30 at -05:00 is already the 21st in
     * UTC, but the call's date is its local date */
    hx_json_doc_free(&doc);
    parse_doc("x.json",
              "{\"id\": \"r\", \"call_started_at\": \"2026-11-20T23:30:00-05:00\", \"call_date\": \"2026-11-20\", "
              "\"turns\": [{\"speaker\": \"caller\", \"text\": \"hi\"}], \"expected\": {}}",
              &doc);
    ck_assert_int_eq(hx_transcript_from_json(&doc, doc.root, &top, &t, &d), 0);
    ck_assert_uint_eq(d.n, 0);
    ck_assert_str_eq(t.call_date, "2026-11-20");
    hx_transcript_free(&t);

    /* timestamp forms: Z, +hh:mm, no seconds, fractional seconds */
    static const char *const ok_ts[] = {"2026-11-20T18:05:00Z", "2026-11-20T18:05+01:00",
                                        "2026-11-20T18:05:00.250-08:00"};
    for (size_t i = 0; i < sizeof ok_ts / sizeof ok_ts[0]; i++) {
        char text[512];
        hx_json_doc_free(&doc);
        snprintf(text, sizeof text,
                 "{\"id\": \"r\", \"call_started_at\": \"%s\", \"turns\": [{\"speaker\": \"caller\", \"text\": \"hi\"}], "
                 "\"expected\": {}}",
                 ok_ts[i]);
        parse_doc("x.json", text, &doc);
        int rc = hx_transcript_from_json(&doc, doc.root, &top, &t, &d);
        ck_assert_msg(rc == 0, "%s refused: %s", ok_ts[i], d.n ? d.v[0].msg : "");
        ck_assert_str_eq(t.call_date, "2026-11-20");
        hx_transcript_free(&t);
    }
    hx_json_doc_free(&doc);
}
END_TEST

START_TEST(bad_missing_id)
{
    expect_bad("{\"call_date\": \"2026-11-25\", \"turns\": [{\"speaker\": \"agent\", \"text\": \"hi\"}], \"expected\": {}}",
               "$[1]", "\"id\"");
    expect_bad("{\"id\": \"\", \"call_date\": \"2026-11-25\", \"turns\": [{\"speaker\": \"agent\", \"text\": \"hi\"}], \"expected\": {}}",
               "$[1].id", "\"id\"");
    expect_bad("{\"id\": 42, \"call_date\": \"2026-11-25\", \"turns\": [{\"speaker\": \"agent\", \"text\": \"hi\"}], \"expected\": {}}",
               "$[1].id", "\"id\"");
}
END_TEST

START_TEST(bad_speaker)
{
    expect_bad("{\"id\": \"r1\", \"call_date\": \"2026-11-25\", \"turns\": [{\"speaker\": \"agent\", \"text\": \"hi\"}, "
               "{\"speaker\": \"customer\", \"text\": \"x\"}], \"expected\": {}}",
               "$[1].turns[1].speaker", "\"speaker\"");
    /* case matters: "Agent" is not "agent" */
    expect_bad("{\"id\": \"r1\", \"call_date\": \"2026-11-25\", \"turns\": [{\"speaker\": \"Agent\", \"text\": \"hi\"}], "
               "\"expected\": {}}",
               "$[1].turns[0].speaker", "\"speaker\"");
    /* no speaker at all: the turn itself */
    expect_bad("{\"id\": \"r1\", \"call_date\": \"2026-11-25\", \"turns\": [{\"text\": \"hi\"}], \"expected\": {}}",
               "$[1].turns[0]", "\"speaker\"");
    /* text not a string */
    expect_bad("{\"id\": \"r1\", \"call_date\": \"2026-11-25\", \"turns\": [{\"speaker\": \"agent\", \"text\": 5}], "
               "\"expected\": {}}",
               "$[1].turns[0].text", "\"text\"");
    /* a turn that is not an object */
    expect_bad("{\"id\": \"r1\", \"call_date\": \"2026-11-25\", \"turns\": [\"Agent: hi\"], \"expected\": {}}",
               "$[1].turns[0]", "turn");
}
END_TEST

START_TEST(bad_speaker_position)
{
    /* line 5 is `           {"speaker": "customer", "text": "x"}],`:
     * 11 spaces, '{' 12, "speaker" 13-21, ':' 22, ' ' 23, '"' 24 */
    const char *text = "[\n" GOOD_R0 ",\n"
                       "{\"id\": \"r1\", \"call_date\": \"2026-11-25\",\n"
                       " \"turns\": [{\"speaker\": \"agent\", \"text\": \"hi\"},\n"
                       "           {\"speaker\": \"customer\", \"text\": \"x\"}],\n"
                       " \"expected\": {}}\n"
                       "]\n";
    hx_json_doc doc;
    hx_diags d = {0};
    hx_transcript t;
    hx_jpath top = {0}, p = hx_jpath_index(&top, 1);
    parse_doc("pos.json", text, &doc);
    ck_assert_int_eq(hx_transcript_from_json(&doc, cJSON_GetArrayItem(doc.root, 1), &p, &t, &d), -1);
    ck_assert_uint_eq(d.n, 1);
    ck_assert_str_eq(d.v[0].file, "pos.json");
    ck_assert_str_eq(d.v[0].path, "$[1].turns[1].speaker");
    ck_assert_int_eq(d.v[0].line, 5);
    ck_assert_int_eq(d.v[0].col, 24);
    hx_transcript_free(&t);
    hx_diags_free(&d);
    hx_json_doc_free(&doc);
}
END_TEST

START_TEST(bad_turns)
{
    expect_bad("{\"id\": \"r1\", \"call_date\": \"2026-11-25\", \"turns\": [], \"expected\": {}}",
               "$[1].turns", "empty");
    expect_bad("{\"id\": \"r1\", \"call_date\": \"2026-11-25\", \"expected\": {}}", "$[1]", "\"turns\"");
    expect_bad("{\"id\": \"r1\", \"call_date\": \"2026-11-25\", \"turns\": \"hi\", \"expected\": {}}",
               "$[1].turns", "\"turns\"");
}
END_TEST

START_TEST(bad_call_started_at)
{
    static const char *const bad[] = {
        "2026-11-20 18:05",            /* no offset */
        "2026-11-20T18:05:00",         /* no offset */
        "2026-02-30T10:00:00Z",        /* no such day */
        "2026-11-20T25:00:00Z",        /* no such hour */
        "2026-11-20T18:61:00Z",        /* no such minute */
        "20-11-2026T18:05:00Z",        /* wrong order */
        "2026-11-20T18:05:00-0500",    /* offset without colon */
        "yesterday",
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        char obj[512];
        snprintf(obj, sizeof obj,
                 "{\"id\": \"r1\", \"call_started_at\": \"%s\", \"turns\": [{\"speaker\": \"agent\", \"text\": \"hi\"}], "
                 "\"expected\": {}}",
                 bad[i]);
        expect_bad(obj, "$[1].call_started_at", "ISO-8601");
    }
    expect_bad("{\"id\": \"r1\", \"call_started_at\": 1700000000, \"turns\": [{\"speaker\": \"agent\", \"text\": \"hi\"}], "
               "\"expected\": {}}",
               "$[1].call_started_at", "ISO-8601");
    /* a bad call_date alone */
    expect_bad("{\"id\": \"r1\", \"call_date\": \"2026-13-01\", \"turns\": [{\"speaker\": \"agent\", \"text\": \"hi\"}], "
               "\"expected\": {}}",
               "$[1].call_date", "YYYY-MM-DD");
    expect_bad("{\"id\": \"r1\", \"call_date\": \"2026-11-25T10:00:00Z\", \"turns\": [{\"speaker\": \"agent\", \"text\": \"hi\"}], "
               "\"expected\": {}}",
               "$[1].call_date", "YYYY-MM-DD");
    expect_bad("{\"id\": \"r1\", \"call_date\": \"2025-02-29\", \"turns\": [{\"speaker\": \"agent\", \"text\": \"hi\"}], "
               "\"expected\": {}}",
               "$[1].call_date", "YYYY-MM-DD");
    /* neither: relative dates need the day of the call */
    expect_bad("{\"id\": \"r1\", \"turns\": [{\"speaker\": \"agent\", \"text\": \"hi\"}], \"expected\": {}}",
               "$[1]", "call_date");
}
END_TEST

START_TEST(bad_call_date_disagrees)
{
    expect_bad("{\"id\": \"r1\", \"call_started_at\": \"2026-11-20T18:05:00-05:00\", \"call_date\": \"2026-11-21\", "
               "\"turns\": [{\"speaker\": \"agent\", \"text\": \"hi\"}], \"expected\": {}}",
               "$[1].call_date", "disagrees");
}
END_TEST

START_TEST(bad_unknown_key)
{
    expect_bad("{\"id\": \"r1\", \"call_date\": \"2026-11-25\", \"restaurant\": \"Luigi's\", "
               "\"turns\": [{\"speaker\": \"agent\", \"text\": \"hi\"}], \"expected\": {}}",
               "$[1].restaurant", "unknown key");
    /* keys are case-sensitive: "Expected" is unknown (and "expected" missing) */
    expect_bad("{\"id\": \"r1\", \"call_date\": \"2026-11-25\", \"turns\": [{\"speaker\": \"agent\", \"text\": \"hi\"}], "
               "\"Expected\": {}}",
               "$[1].Expected", "unknown key");
    /* a key with a space renders as ["..."] */
    expect_bad("{\"id\": \"r1\", \"call_date\": \"2026-11-25\", \"call notes\": \"x\", "
               "\"turns\": [{\"speaker\": \"agent\", \"text\": \"hi\"}], \"expected\": {}}",
               "$[1][\"call notes\"]", "unknown key");
}
END_TEST

START_TEST(bad_expected_and_others)
{
    expect_bad("{\"id\": \"r1\", \"call_date\": \"2026-11-25\", \"turns\": [{\"speaker\": \"agent\", \"text\": \"hi\"}], "
               "\"expected\": [\"2026-11-26\"]}",
               "$[1].expected", "\"expected\"");
    expect_bad("{\"id\": \"r1\", \"call_date\": \"2026-11-25\", \"turns\": [{\"speaker\": \"agent\", \"text\": \"hi\"}], "
               "\"expected\": null}",
               "$[1].expected", "\"expected\"");
    expect_bad("{\"id\": \"r1\", \"call_date\": \"2026-11-25\", \"turns\": [{\"speaker\": \"agent\", \"text\": \"hi\"}]}",
               "$[1]", "\"expected\"");
    expect_bad("{\"id\": \"r1\", \"call_date\": \"2026-11-25\", \"tags\": [\"a\", 2], "
               "\"turns\": [{\"speaker\": \"agent\", \"text\": \"hi\"}], \"expected\": {}}",
               "$[1].tags[1]", "tag");
    expect_bad("{\"id\": \"r1\", \"call_date\": \"2026-11-25\", \"tags\": \"a\", "
               "\"turns\": [{\"speaker\": \"agent\", \"text\": \"hi\"}], \"expected\": {}}",
               "$[1].tags", "\"tags\"");
    expect_bad("{\"id\": \"r1\", \"call_date\": \"2026-11-25\", \"context\": [1], "
               "\"turns\": [{\"speaker\": \"agent\", \"text\": \"hi\"}], \"expected\": {}}",
               "$[1].context", "\"context\"");
    /* not an object at all */
    expect_bad("\"rest-0001\"", "$[1]", "transcript object");
    expect_bad("[]", "$[1]", "transcript object");
}
END_TEST

START_TEST(bad_all_problems_reported)
{
    /* three independent problems in one transcript: all three reported */
    const char *obj = "{\"id\": \"r1\", \"call_date\": \"2026-11-25\", \"extra\": 1, "
                      "\"turns\": [{\"speaker\": \"bot\", \"text\": \"hi\"}], \"expected\": 3}";
    char text[1024];
    hx_json_doc doc;
    hx_diags d = {0};
    hx_transcript t;
    hx_jpath top = {0}, p = hx_jpath_index(&top, 1);
    snprintf(text, sizeof text, "[%s, %s]", GOOD_R0, obj);
    parse_doc("t.json", text, &doc);
    ck_assert_int_eq(hx_transcript_from_json(&doc, cJSON_GetArrayItem(doc.root, 1), &p, &t, &d), -1);
    ck_assert_uint_eq(d.n, 3);
    ck_assert_int_ge(find_diag(&d, "$[1].extra", "unknown key"), 0);
    ck_assert_int_ge(find_diag(&d, "$[1].turns[0].speaker", "speaker"), 0);
    ck_assert_int_ge(find_diag(&d, "$[1].expected", "expected"), 0);
    hx_transcript_free(&t);
    hx_diags_free(&d);
    hx_json_doc_free(&doc);
}
END_TEST

/* --- scanning ---------------------------------------------------------------- */

#define TR(id, date) \
    "{\"id\": \"" id "\", \"call_date\": \"" date "\", \"turns\": [{\"speaker\": \"caller\", \"text\": \"" id "\"}], \"expected\": {}}"

START_TEST(scan_folder_in_name_order)
{
    hx_tscan *sc = NULL;
    hx_error err = {{0}};
    hx_diags d = {0};
    hx_transcript t;
    static const char *const want_id[] = {"a1", "a2", "b1", "b2", "c1"};
    static const char *const want_file[] = {"/a.json", "/a.json", "/b.jsonl", "/b.jsonl", "/c.json"};
    static const int want_line[] = {2, 4, 1, 4, 2};
    make_tmpdir();
    /* written in reverse name order; readdir order must not matter */
    write_file("c.json", "\n" TR("c1", "2026-11-27") "\n");
    write_file("b.jsonl", TR("b1", "2026-11-26") "\n\n   \t\n" TR("b2", "2026-11-26"));
    write_file("a.json", "[\n  " TR("a1", "2026-11-25") ",\n\n  " TR("a2", "2026-11-25") "\n]\n");
    write_file("notes.txt", "not a transcript");
    write_file(".hidden.json", "not even JSON");
    write_file("a.json.bak", "not even JSON");

    ck_assert_msg(hx_tscan_open(tmpdir, &sc, &err) == 0, "%s", err.msg);
    for (int i = 0; i < 5; i++) {
        int rc = hx_tscan_next(sc, &t, &d);
        ck_assert_msg(rc == 1, "transcript %d: rc %d (%s)", i, rc, d.n ? d.v[0].msg : "");
        ck_assert_str_eq(t.id, want_id[i]);
        ck_assert_msg(ends_with(t.file, want_file[i]), "%s is not from %s", t.file, want_file[i]);
        ck_assert_msg(t.line == want_line[i], "%s: line %d, expected %d", t.id, t.line, want_line[i]);
        ck_assert_uint_eq(t.nturns, 1);
        ck_assert_str_eq(t.turns[0].text, want_id[i]);
        ck_assert_uint_eq(hx_tscan_count(sc), (size_t)i + 1);
        hx_transcript_free(&t);
    }
    ck_assert_int_eq(hx_tscan_next(sc, &t, &d), 0);
    ck_assert_int_eq(hx_tscan_next(sc, &t, &d), 0);
    ck_assert_uint_eq(d.n, 0);
    ck_assert_uint_eq(hx_tscan_count(sc), 5);
    hx_tscan_close(sc);
    rm_rf(tmpdir);
}
END_TEST

/* expected and context come through whole from both kinds of file: taken
 * out of a .jsonl line's own document, copied out of a .json file's shared
 * one (whose next transcript must still be readable). */
START_TEST(scan_keeps_expected_and_context)
{
    hx_tscan *sc = NULL;
    hx_error err = {{0}};
    hx_diags d = {0};
    hx_transcript t;
#define TRX(id, n) \
    "{\"id\": \"" id "\", \"call_date\": \"2026-11-25\", \"context\": {\"who\": \"" id "\", \"deep\": [1, {\"x\": " n "}]}," \
    " \"turns\": [{\"speaker\": \"caller\", \"text\": \"hi\"}], \"expected\": {\"party_size\": " n ", \"name\": {\"any_of\": [\"A\", \"" id "\"]}}}"
    static const char *const want_id[] = {"a1", "a2", "b1", "b2"};
    static const int want_n[] = {1, 2, 3, 4};
    make_tmpdir();
    write_file("a.json", "[" TRX("a1", "1") ", " TRX("a2", "2") "]");
    /* between b1 and b2, a line whose context and expected were already
     * taken when its turns turned out wrong: reported, freed once, and the
     * next line still read */
    write_file("b.jsonl", TRX("b1", "3") "\n"
               "{\"id\": \"bad\", \"call_date\": \"2026-11-25\", \"context\": {\"k\": [1]},"
               " \"expected\": {\"party_size\": 2}, \"turns\": \"hi\"}\n" TRX("b2", "4") "\n");
#undef TRX
    ck_assert_msg(hx_tscan_open(tmpdir, &sc, &err) == 0, "%s", err.msg);
    for (int i = 0; i < 4; i++) {
        if (i == 3) {
            ck_assert_int_eq(hx_tscan_next(sc, &t, &d), -1);
            ck_assert_uint_eq(d.n, 1);
            ck_assert_ptr_nonnull(strstr(d.v[0].msg, "\"turns\" must be a list"));
            ck_assert_msg(strstr(d.v[0].file, "b.jsonl") != NULL, "%s", d.v[0].file);
            ck_assert_int_eq(d.v[0].line, 2);
            hx_diags_free(&d);
        }
        ck_assert_int_eq(hx_tscan_next(sc, &t, &d), 1);
        ck_assert_str_eq(t.id, want_id[i]);
        ck_assert_int_eq(cJSON_GetObjectItemCaseSensitive(t.expected, "party_size")->valueint, want_n[i]);
        const cJSON *any = cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(t.expected, "name"), "any_of");
        ck_assert_str_eq(cJSON_GetArrayItem(any, 1)->valuestring, want_id[i]);
        ck_assert_str_eq(cJSON_GetObjectItemCaseSensitive(t.context, "who")->valuestring, want_id[i]);
        const cJSON *deep = cJSON_GetObjectItemCaseSensitive(t.context, "deep");
        ck_assert_int_eq(cJSON_GetObjectItemCaseSensitive(cJSON_GetArrayItem(deep, 1), "x")->valueint, want_n[i]);
        hx_transcript_free(&t);
    }
    ck_assert_int_eq(hx_tscan_next(sc, &t, &d), 0);
    ck_assert_uint_eq(d.n, 0);
    hx_tscan_close(sc);
    rm_rf(tmpdir);
}
END_TEST

START_TEST(scan_single_file_and_refusals)
{
    hx_tscan *sc = NULL;
    hx_error err = {{0}};
    hx_diags d = {0};
    hx_transcript t;
    char path[PATH_MAX];
    make_tmpdir();
    write_file("one.json", TR("o1", "2026-11-25"));
    snprintf(path, sizeof path, "%s/one.json", tmpdir);
    ck_assert_msg(hx_tscan_open(path, &sc, &err) == 0, "%s", err.msg);
    ck_assert_int_eq(hx_tscan_next(sc, &t, &d), 1);
    ck_assert_str_eq(t.id, "o1");
    ck_assert_int_eq(t.line, 1);
    hx_transcript_free(&t);
    ck_assert_int_eq(hx_tscan_next(sc, &t, &d), 0);
    hx_tscan_close(sc);

    /* a folder with no transcript files */
    unlink(path);
    write_file("readme.md", "# nothing");
    sc = (hx_tscan *)1;
    ck_assert_int_eq(hx_tscan_open(tmpdir, &sc, &err), -1);
    ck_assert_ptr_null(sc);
    ck_assert_ptr_nonnull(strstr(err.msg, tmpdir));
    /* a path that is not there */
    snprintf(path, sizeof path, "%s/missing", tmpdir);
    ck_assert_int_eq(hx_tscan_open(path, &sc, &err), -1);
    ck_assert_ptr_nonnull(strstr(err.msg, path));
    hx_diags_free(&d);
    rm_rf(tmpdir);
}
END_TEST

START_TEST(scan_duplicate_ids_across_files)
{
    hx_tscan *sc = NULL;
    hx_error err = {{0}};
    hx_diags d = {0};
    hx_transcript t;
    make_tmpdir();
    write_file("a.json", "[" TR("x1", "2026-11-25") ", " TR("x2", "2026-11-25") "]");
    write_file("b.jsonl", TR("y1", "2026-11-25") "\n" TR("x1", "2026-11-26") "\n" TR("y2", "2026-11-25") "\n");
    ck_assert_msg(hx_tscan_open(tmpdir, &sc, &err) == 0, "%s", err.msg);
    ck_assert_int_eq(hx_tscan_next(sc, &t, &d), 1);
    ck_assert_str_eq(t.id, "x1");
    hx_transcript_free(&t);
    ck_assert_int_eq(hx_tscan_next(sc, &t, &d), 1);
    ck_assert_str_eq(t.id, "x2");
    hx_transcript_free(&t);
    ck_assert_int_eq(hx_tscan_next(sc, &t, &d), 1);
    ck_assert_str_eq(t.id, "y1");
    hx_transcript_free(&t);
    /* line 2 of b.jsonl repeats x1 */
    ck_assert_int_eq(hx_tscan_next(sc, &t, &d), -1);
    ck_assert_ptr_null(t.id);
    hx_transcript_free(&t);
    ck_assert_uint_eq(d.n, 1);
    ck_assert_ptr_nonnull(strstr(d.v[0].msg, "duplicate"));
    ck_assert_ptr_nonnull(strstr(d.v[0].msg, "\"x1\""));
    ck_assert_msg(ends_with(d.v[0].file, "/b.jsonl"), "%s", d.v[0].file);
    ck_assert_int_eq(d.v[0].line, 2);
    ck_assert_str_eq(d.v[0].path, "$.id");
    /* the scan goes on */
    ck_assert_int_eq(hx_tscan_next(sc, &t, &d), 1);
    ck_assert_str_eq(t.id, "y2");
    hx_transcript_free(&t);
    ck_assert_int_eq(hx_tscan_next(sc, &t, &d), 0);
    ck_assert_uint_eq(hx_tscan_count(sc), 4);
    hx_tscan_close(sc);
    hx_diags_free(&d);
    rm_rf(tmpdir);
}
END_TEST

START_TEST(scan_duplicate_ids_within_json_array)
{
    hx_tscan *sc = NULL;
    hx_error err = {{0}};
    hx_diags d = {0};
    hx_transcript t;
    make_tmpdir();
    write_file("a.json", "[\n" TR("x1", "2026-11-25") ",\n" TR("x1", "2026-11-25") "\n]\n");
    ck_assert_msg(hx_tscan_open(tmpdir, &sc, &err) == 0, "%s", err.msg);
    ck_assert_int_eq(hx_tscan_next(sc, &t, &d), 1);
    hx_transcript_free(&t);
    ck_assert_int_eq(hx_tscan_next(sc, &t, &d), -1);
    hx_transcript_free(&t);
    ck_assert_uint_eq(d.n, 1);
    ck_assert_str_eq(d.v[0].path, "$[1].id");
    ck_assert_int_eq(d.v[0].line, 3);
    ck_assert_int_eq(hx_tscan_next(sc, &t, &d), 0);
    hx_tscan_close(sc);
    hx_diags_free(&d);
    rm_rf(tmpdir);
}
END_TEST

START_TEST(scan_malformed_jsonl_line_continues)
{
    hx_tscan *sc = NULL;
    hx_error err = {{0}};
    hx_diags d = {0};
    hx_transcript t;
    make_tmpdir();
    write_file("calls.jsonl",
               TR("g1", "2026-11-25") "\n"
               "{\"id\": \"g2\", \"call_date\": \n"                    /* line 2: cut short */
               TR("g3", "2026-11-25") "\n"
               "{\"id\": \"g4\", \"call_date\": \"2026-11-25\", \"expected\": {}}\n" /* line 4: no turns */
               TR("g5", "2026-11-25") "\n");
    ck_assert_msg(hx_tscan_open(tmpdir, &sc, &err) == 0, "%s", err.msg);
    ck_assert_int_eq(hx_tscan_next(sc, &t, &d), 1);
    ck_assert_str_eq(t.id, "g1");
    hx_transcript_free(&t);

    ck_assert_int_eq(hx_tscan_next(sc, &t, &d), -1);
    hx_transcript_free(&t);
    ck_assert_uint_eq(d.n, 1);
    char *all = diags_text(&d);
    ck_assert_msg(strstr(all, "malformed JSON") != NULL, "%s", all);
    /* checked at the end, so the rest of the scan is tested too */
    int names_line2 = strstr(all, "calls.jsonl:2:") != NULL;

    ck_assert_int_eq(hx_tscan_next(sc, &t, &d), 1);
    ck_assert_str_eq(t.id, "g3");
    ck_assert_int_eq(t.line, 3);
    hx_transcript_free(&t);

    ck_assert_int_eq(hx_tscan_next(sc, &t, &d), -1);
    hx_transcript_free(&t);
    ck_assert_uint_eq(d.n, 2);
    ck_assert_msg(ends_with(d.v[1].file, "calls.jsonl"), "%s", d.v[1].file);
    ck_assert_int_eq(d.v[1].line, 4);
    ck_assert_ptr_nonnull(strstr(d.v[1].msg, "turns"));

    ck_assert_int_eq(hx_tscan_next(sc, &t, &d), 1);
    ck_assert_str_eq(t.id, "g5");
    ck_assert_int_eq(t.line, 5);
    hx_transcript_free(&t);
    ck_assert_int_eq(hx_tscan_next(sc, &t, &d), 0);
    ck_assert_uint_eq(hx_tscan_count(sc), 3);
    hx_tscan_close(sc);
    hx_diags_free(&d);
    rm_rf(tmpdir);
    /* Regression (found by this file, fixed in json_doc.c): a .jsonl line
     * cut short was reported at the NEXT line ("calls.jsonl:3:1: ... ends
     * early"), because the end-of-text position fell after the line's
     * '\n'. */
    char shown[1024];
    snprintf(shown, sizeof shown, "%s", all);
    free(all);
    ck_assert_msg(names_line2, "line 2 not named: %s", shown);
}
END_TEST

START_TEST(scan_malformed_json_file_continues)
{
    /* a broken .json file is one problem; the next file is still read */
    hx_tscan *sc = NULL;
    hx_error err = {{0}};
    hx_diags d = {0};
    hx_transcript t;
    make_tmpdir();
    write_file("a.json", "[" TR("a1", "2026-11-25") ",\n]\n");
    write_file("b.json", TR("b1", "2026-11-25"));
    ck_assert_msg(hx_tscan_open(tmpdir, &sc, &err) == 0, "%s", err.msg);
    ck_assert_int_eq(hx_tscan_next(sc, &t, &d), -1);
    hx_transcript_free(&t);
    ck_assert_uint_eq(d.n, 1);
    char *all = diags_text(&d);
    ck_assert_msg(strstr(all, "a.json:2:1: malformed JSON") != NULL, "%s", all);
    free(all);
    ck_assert_int_eq(hx_tscan_next(sc, &t, &d), 1);
    ck_assert_str_eq(t.id, "b1");
    hx_transcript_free(&t);
    ck_assert_int_eq(hx_tscan_next(sc, &t, &d), 0);
    hx_tscan_close(sc);
    hx_diags_free(&d);
    rm_rf(tmpdir);
}
END_TEST

START_TEST(scan_jsonl_line_too_long)
{
    hx_tscan *sc = NULL;
    hx_error err = {{0}};
    hx_diags d = {0};
    hx_transcript t;
    char path[PATH_MAX];
    FILE *f;
    make_tmpdir();
    snprintf(path, sizeof path, "%s/big.jsonl", tmpdir);
    f = fopen(path, "wb");
    ck_assert_ptr_nonnull(f);
    fputs(TR("s1", "2026-11-25") "\n", f);
    /* line 2: a well-formed transcript whose text alone is over the limit */
    fputs("{\"id\": \"huge\", \"call_date\": \"2026-11-25\", \"turns\": [{\"speaker\": \"caller\", \"text\": \"", f);
    {
        static char chunk[65536];
        size_t left = HX_TRANSCRIPT_LINE_MAX + 100;
        memset(chunk, 'x', sizeof chunk);
        while (left) {
            size_t n = left < sizeof chunk ? left : sizeof chunk;
            ck_assert_uint_eq(fwrite(chunk, 1, n, f), n);
            left -= n;
        }
    }
    fputs("\"}], \"expected\": {}}\n", f);
    fputs(TR("s3", "2026-11-25") "\n", f);
    ck_assert_int_eq(fclose(f), 0);

    ck_assert_msg(hx_tscan_open(path, &sc, &err) == 0, "%s", err.msg);
    ck_assert_int_eq(hx_tscan_next(sc, &t, &d), 1);
    ck_assert_str_eq(t.id, "s1");
    hx_transcript_free(&t);
    ck_assert_int_eq(hx_tscan_next(sc, &t, &d), -1);
    hx_transcript_free(&t);
    ck_assert_uint_eq(d.n, 1);
    ck_assert_int_eq(d.v[0].line, 2);
    ck_assert_msg(ends_with(d.v[0].file, "big.jsonl"), "%s", d.v[0].file);
    ck_assert_ptr_nonnull(strstr(d.v[0].msg, "limit"));
    ck_assert_int_eq(hx_tscan_next(sc, &t, &d), 1);
    ck_assert_str_eq(t.id, "s3");
    ck_assert_int_eq(t.line, 3);
    hx_transcript_free(&t);
    ck_assert_int_eq(hx_tscan_next(sc, &t, &d), 0);
    hx_tscan_close(sc);
    hx_diags_free(&d);
    rm_rf(tmpdir);
}
END_TEST

START_TEST(parse_ymd_strict)
{
    int y = 0, m = 0, dd = 0;
    ck_assert_int_eq(hx_parse_ymd("2026-11-20", &y, &m, &dd), 0);
    ck_assert_int_eq(y, 2026);
    ck_assert_int_eq(m, 11);
    ck_assert_int_eq(dd, 20);
    ck_assert_int_eq(hx_parse_ymd("2024-02-29", &y, &m, &dd), 0);
    ck_assert_int_eq(hx_parse_ymd("2000-02-29", &y, &m, &dd), 0);
    ck_assert_int_eq(hx_parse_ymd("1900-02-29", &y, &m, &dd), -1);
    ck_assert_int_eq(hx_parse_ymd("2026-02-29", &y, &m, &dd), -1);
    ck_assert_int_eq(hx_parse_ymd("2026-04-31", &y, &m, &dd), -1);
    ck_assert_int_eq(hx_parse_ymd("2026-00-10", &y, &m, &dd), -1);
    ck_assert_int_eq(hx_parse_ymd("2026-1-10", &y, &m, &dd), -1);
    ck_assert_int_eq(hx_parse_ymd("2026/11/20", &y, &m, &dd), -1);
    ck_assert_int_eq(hx_parse_ymd("", &y, &m, &dd), -1);
}
END_TEST

/* --- rendering -------------------------------------------------------------- */

START_TEST(render_turns)
{
    hx_json_doc doc;
    hx_transcript t;
    example(&doc, &t);
    char *s = hx_transcript_render(&t);
    ck_assert_str_eq(s, "Agent: Luigi's, how can I help?\n"
                        "Caller: A table for four tomorrow at half seven, please.");
    free(s);
    hx_transcript_free(&t);
    hx_json_doc_free(&doc);
}
END_TEST

START_TEST(render_many_and_empty_turns)
{
    /* 60 turns alternating caller/agent, the caller ones empty: checks the
     * buffer size with short texts */
    char text[16384];
    size_t u = 0;
    hx_json_doc doc;
    hx_diags d = {0};
    hx_transcript t;
    hx_jpath top = {0};
    u += (size_t)snprintf(text + u, sizeof text - u, "{\"id\": \"m\", \"call_date\": \"2026-11-25\", \"expected\": {}, \"turns\": [");
    for (int i = 0; i < 60; i++)
        u += (size_t)snprintf(text + u, sizeof text - u, "%s{\"speaker\": \"%s\", \"text\": \"%s\"}", i ? ", " : "",
                              i % 2 ? "agent" : "caller", i % 2 ? "ok" : "");
    snprintf(text + u, sizeof text - u, "]}");
    parse_doc("m.json", text, &doc);
    ck_assert_int_eq(hx_transcript_from_json(&doc, doc.root, &top, &t, &d), 0);
    char *s = hx_transcript_render(&t);
    char want[16384];
    u = 0;
    want[0] = '\0';
    for (int i = 0; i < 60; i++)
        u += (size_t)snprintf(want + u, sizeof want - u, "%s%s", i ? "\n" : "", i % 2 ? "Agent: ok" : "Caller: ");
    ck_assert_str_eq(s, want);
    free(s);
    hx_transcript_free(&t);
    hx_diags_free(&d);
    hx_json_doc_free(&doc);
}
END_TEST

/* --- templates ---------------------------------------------------------------- */

static void expect_tpl(const hx_transcript *t, const char *tpl, const char *want)
{
    char why[256] = "";
    char *s = hx_template_render(tpl, t, why);
    ck_assert_msg(s != NULL, "template \"%s\" refused: %s", tpl, why);
    int same = strcmp(s, want) == 0;
    ck_assert_msg(same, "template \"%s\": got \"%s\", expected \"%s\"", tpl, s, want);
    free(s);
}

static void expect_tpl_error(const hx_transcript *t, const char *tpl, const char *sub)
{
    char why[256] = "";
    char *s = hx_template_render(tpl, t, why);
    ck_assert_msg(s == NULL, "template \"%s\" gave \"%s\"", tpl, s ? s : "");
    ck_assert_msg(strstr(why, sub) != NULL, "template \"%s\": \"%s\" does not name \"%s\"", tpl, why, sub);
}

START_TEST(template_builtins)
{
    hx_json_doc doc;
    hx_transcript t;
    example(&doc, &t);
    expect_tpl(&t, "{transcript}",
               "Agent: Luigi's, how can I help?\nCaller: A table for four tomorrow at half seven, please.");
    expect_tpl(&t, "Call date: {call_date}", "Call date: 2026-11-20");
    expect_tpl(&t, "{id}", "rest-0042");
    expect_tpl(&t, "{call_started_at}", "2026-11-20T18:05:00-05:00");
    expect_tpl(&t, "[{id}] {call_date}/{id}", "[rest-0042] 2026-11-20/rest-0042");
    expect_tpl(&t, "plain text, no placeholders", "plain text, no placeholders");
    expect_tpl(&t, "", "");
    hx_transcript_free(&t);
    hx_json_doc_free(&doc);
}
END_TEST

START_TEST(template_context_keys)
{
    hx_json_doc doc;
    hx_transcript t;
    example(&doc, &t);
    expect_tpl(&t, "Caller's restaurant: {restaurant}", "Caller's restaurant: Luigi's");
    /* other JSON values as compact JSON */
    expect_tpl(&t, "party of {party}", "party of 4");
    expect_tpl(&t, "{ratio}", "2.5");
    expect_tpl(&t, "{vip}", "true");
    expect_tpl(&t, "{nested}", "{\"a\":[1,\"b\"]}");
    /* a value is inserted as it is, never expanded again */
    expect_tpl(&t, "{note}", "{id}");
    hx_transcript_free(&t);
    hx_json_doc_free(&doc);
}
END_TEST

START_TEST(template_escapes)
{
    hx_json_doc doc;
    hx_transcript t;
    example(&doc, &t);
    expect_tpl(&t, "{{literal}} {id}", "{literal} rest-0042");
    expect_tpl(&t, "}}{{", "}{");
    expect_tpl(&t, "{{{id}}}", "{rest-0042}");
    expect_tpl(&t, "JSON: {{\"date\": \"{call_date}\"}}", "JSON: {\"date\": \"2026-11-20\"}");
    hx_transcript_free(&t);
    hx_json_doc_free(&doc);
}
END_TEST

/* A module's inputs, each rendered, as the adapters' inputs object; the
 * first input that does not render refuses the whole, naming its
 * placeholder. */
START_TEST(template_module_inputs)
{
    hx_json_doc doc;
    hx_transcript t;
    char why[256] = "";
    example(&doc, &t);
    hx_input_map in[2] = {{"transcript", "{transcript}"}, {"where", "at {restaurant} on {call_date}"}};
    hx_module_config m = {.inputs = in, .ninputs = 2};
    cJSON *o = hx_template_inputs(&m, &t, why);
    ck_assert_msg(o != NULL, "refused: %s", why);
    ck_assert_int_eq(cJSON_GetArraySize(o), 2);
    ck_assert_str_eq(cJSON_GetObjectItemCaseSensitive(o, "where")->valuestring,
                     "at Luigi's on 2026-11-20");
    ck_assert_str_eq(cJSON_GetObjectItemCaseSensitive(o, "transcript")->valuestring,
                     "Agent: Luigi's, how can I help?\nCaller: A table for four tomorrow at half seven, please.");
    cJSON_Delete(o);
    in[1].template_ = "at {restaurnat}";
    ck_assert_ptr_null(hx_template_inputs(&m, &t, why));
    ck_assert_msg(strstr(why, "restaurnat") != NULL, "\"%s\" does not name the placeholder", why);
    m.ninputs = 0;   /* a module without inputs: an empty object, not an error */
    o = hx_template_inputs(&m, &t, why);
    ck_assert_ptr_nonnull(o);
    ck_assert_int_eq(cJSON_GetArraySize(o), 0);
    cJSON_Delete(o);
    hx_transcript_free(&t);
    hx_json_doc_free(&doc);
}
END_TEST

START_TEST(template_errors)
{
    hx_json_doc doc;
    hx_transcript t;
    example(&doc, &t);
    expect_tpl_error(&t, "Hello {restaurnat}", "restaurnat");
    expect_tpl_error(&t, "{transcript} {Transcript}", "Transcript");
    expect_tpl_error(&t, "{id", "unclosed");
    hx_transcript_free(&t);
    hx_json_doc_free(&doc);

    /* a transcript with only call_date has no {call_started_at} */
    hx_diags d = {0};
    hx_jpath top = {0};
    parse_doc("x.json", TR("cd-only", "2026-11-25"), &doc);
    ck_assert_int_eq(hx_transcript_from_json(&doc, doc.root, &top, &t, &d), 0);
    expect_tpl(&t, "{call_date}", "2026-11-25");
    expect_tpl_error(&t, "at {call_started_at}", "call_started_at");
    /* and no context: a context key is unknown, named */
    expect_tpl_error(&t, "{restaurant}", "restaurant");
    hx_transcript_free(&t);
    hx_json_doc_free(&doc);
}
END_TEST

Suite *make_suite(void)
{
    Suite *s = suite_create("transcript");
    TCase *tc = tcase_create("from_json");
    tcase_add_test(tc, from_json_example);
    tcase_add_test(tc, from_json_call_date_only);
    tcase_add_test(tc, bad_missing_id);
    tcase_add_test(tc, bad_speaker);
    tcase_add_test(tc, bad_speaker_position);
    tcase_add_test(tc, bad_turns);
    tcase_add_test(tc, bad_call_started_at);
    tcase_add_test(tc, bad_call_date_disagrees);
    tcase_add_test(tc, bad_unknown_key);
    tcase_add_test(tc, bad_expected_and_others);
    tcase_add_test(tc, bad_all_problems_reported);
    tcase_add_test(tc, parse_ymd_strict);
    suite_add_tcase(s, tc);

    tc = tcase_create("scan");
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, scan_folder_in_name_order);
    tcase_add_test(tc, scan_keeps_expected_and_context);
    tcase_add_test(tc, scan_single_file_and_refusals);
    tcase_add_test(tc, scan_duplicate_ids_across_files);
    tcase_add_test(tc, scan_duplicate_ids_within_json_array);
    tcase_add_test(tc, scan_malformed_jsonl_line_continues);
    tcase_add_test(tc, scan_malformed_json_file_continues);
    tcase_add_test(tc, scan_jsonl_line_too_long);
    suite_add_tcase(s, tc);

    tc = tcase_create("render");
    tcase_add_test(tc, render_turns);
    tcase_add_test(tc, render_many_and_empty_turns);
    tcase_add_test(tc, template_builtins);
    tcase_add_test(tc, template_context_keys);
    tcase_add_test(tc, template_escapes);
    tcase_add_test(tc, template_errors);
    tcase_add_test(tc, template_module_inputs);
    suite_add_tcase(s, tc);
    return s;
}

HX_TEST_MAIN()
