/*
 * check_json_doc.c — JSON files with positions (json_doc.h): file reading
 * refusals, parse errors with line:col, locating values by path, path
 * rendering, diagnostics and value descriptions.
 *
 * Every expected line:col below was counted by hand from the text written
 * in the test (columns are 1-based bytes, as text.h's hx_line_col says).
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

Suite *make_suite(void);

/* --- temp-dir helpers ---------------------------------------------------- */

static char tmpdir[PATH_MAX];

static void make_tmpdir(void)
{
    snprintf(tmpdir, sizeof tmpdir, "/tmp/hx_json_doc_XXXXXX");
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

static void remove_tmpdir(void)
{
    rm_rf(tmpdir);
}

/* Write len bytes to tmpdir/name; the full path goes to out. */
static void write_bytes(const char *name, const char *data, size_t len, char *out, size_t cap)
{
    FILE *f;
    snprintf(out, cap, "%s/%s", tmpdir, name);
    f = fopen(out, "wb");
    ck_assert_ptr_nonnull(f);
    if (len) ck_assert_uint_eq(fwrite(data, 1, len, f), len);
    ck_assert_int_eq(fclose(f), 0);
}

static void parse_ok(const char *file, int line0, const char *text, hx_json_doc *doc)
{
    hx_error err = {{0}};
    int rc = hx_json_doc_parse(file, line0, text, strlen(text), doc, &err);
    ck_assert_msg(rc == 0, "parse failed: %s", err.msg);
    ck_assert_ptr_nonnull(doc->root);
}

/* Parse text that must fail; the message goes to err. */
static void parse_bad(const char *file, int line0, const char *text, size_t len, hx_error *err)
{
    hx_json_doc doc;
    memset(err, 0, sizeof *err);
    int rc = hx_json_doc_parse(file, line0, text, len, &doc, err);
    ck_assert_int_eq(rc, -1);
    ck_assert_ptr_null(doc.root);
    ck_assert_ptr_null(doc.text);
    ck_assert_ptr_null(doc.file);
}

#define ASSERT_PREFIX(s, pre) \
    ck_assert_msg(strncmp((s), (pre), strlen(pre)) == 0, "\"%s\" does not start with \"%s\"", (s), (pre))
#define ASSERT_HAS(s, sub) \
    ck_assert_msg(strstr((s), (sub)) != NULL, "\"%s\" does not contain \"%s\"", (s), (sub))

/* --- hx_read_file ---------------------------------------------------------- */

START_TEST(read_file_ok)
{
    char path[PATH_MAX], *text = (char *)1;
    size_t len = 99;
    hx_error err = {{0}};
    make_tmpdir();
    write_bytes("a.json", "{\"a\": 1}\n", 9, path, sizeof path);
    ck_assert_int_eq(hx_read_file(path, 1024, &text, &len, &err), 0);
    ck_assert_ptr_nonnull(text);
    ck_assert_uint_eq(len, 9);
    ck_assert_str_eq(text, "{\"a\": 1}\n");
    ck_assert_int_eq(text[9], '\0');
    free(text);
    /* exactly max_bytes is allowed */
    ck_assert_int_eq(hx_read_file(path, 9, &text, &len, &err), 0);
    ck_assert_uint_eq(len, 9);
    free(text);
    remove_tmpdir();
}
END_TEST

START_TEST(read_file_missing)
{
    char path[PATH_MAX], *text = (char *)1;
    size_t len = 99;
    hx_error err = {{0}};
    make_tmpdir();
    snprintf(path, sizeof path, "%s/nope.json", tmpdir);
    ck_assert_int_eq(hx_read_file(path, 1024, &text, &len, &err), -1);
    ck_assert_ptr_null(text);
    ck_assert_uint_eq(len, 0);
    ASSERT_PREFIX(err.msg, path);
    ASSERT_HAS(err.msg, "cannot open");
    ASSERT_HAS(err.msg, "No such file");
    /* NULL err is allowed */
    ck_assert_int_eq(hx_read_file(path, 1024, &text, &len, NULL), -1);
    remove_tmpdir();
}
END_TEST

START_TEST(read_file_directory)
{
    char *text = (char *)1;
    size_t len = 99;
    hx_error err = {{0}};
    make_tmpdir();
    ck_assert_int_eq(hx_read_file(tmpdir, 1024, &text, &len, &err), -1);
    ck_assert_ptr_null(text);
    ASSERT_PREFIX(err.msg, tmpdir);
    ASSERT_HAS(err.msg, "directory");
    remove_tmpdir();
}
END_TEST

START_TEST(read_file_empty)
{
    char path[PATH_MAX], *text = (char *)1;
    size_t len = 99;
    hx_error err = {{0}};
    make_tmpdir();
    write_bytes("empty.json", "", 0, path, sizeof path);
    ck_assert_int_eq(hx_read_file(path, 1024, &text, &len, &err), -1);
    ck_assert_ptr_null(text);
    ASSERT_PREFIX(err.msg, path);
    ASSERT_HAS(err.msg, "empty");
    remove_tmpdir();
}
END_TEST

START_TEST(read_file_too_large)
{
    char path[PATH_MAX], *text = (char *)1;
    size_t len = 99;
    hx_error err = {{0}};
    make_tmpdir();
    write_bytes("big.json", "[1,2,3,4,5]", 11, path, sizeof path);
    ck_assert_int_eq(hx_read_file(path, 10, &text, &len, &err), -1);
    ck_assert_ptr_null(text);
    ASSERT_PREFIX(err.msg, path);
    ASSERT_HAS(err.msg, "11 bytes");
    ASSERT_HAS(err.msg, "10 bytes");
    remove_tmpdir();
}
END_TEST

START_TEST(read_file_nul_byte)
{
    /* "ab\ncd\0ef": the NUL is offset 5, line 2 ("cd" are cols 1-2), col 3 */
    static const char data[] = {'a', 'b', '\n', 'c', 'd', '\0', 'e', 'f'};
    char path[PATH_MAX], want[PATH_MAX + 16], *text = (char *)1;
    size_t len = 99;
    hx_error err = {{0}};
    make_tmpdir();
    write_bytes("nul.json", data, sizeof data, path, sizeof path);
    ck_assert_int_eq(hx_read_file(path, 1024, &text, &len, &err), -1);
    ck_assert_ptr_null(text);
    snprintf(want, sizeof want, "%s:2:3:", path);
    ASSERT_PREFIX(err.msg, want);
    ASSERT_HAS(err.msg, "NUL");
    remove_tmpdir();
}
END_TEST

/* --- hx_json_doc_parse / load ------------------------------------------- */

/* Regression (found by this file, fixed in json_doc.c): hx_json_doc_parse
 * called cJSON_ParseWithLengthOpts(text, len, &end, 1) with
 * require_null_terminated = 1 but a length excluding the NUL, so cJSON
 * refused EVERY valid document ("x.json:1:13: malformed JSON near '}'"). */
START_TEST(parse_ok_keeps_text)
{
    hx_json_doc doc;
    const char *text = "{\"a\": [1, 2]}";
    parse_ok("x.json", 1, text, &doc);
    ck_assert_str_eq(doc.file, "x.json");
    ck_assert_str_eq(doc.text, text);
    ck_assert_uint_eq(doc.len, strlen(text));
    ck_assert_int_eq(doc.line0, 1);
    ck_assert(cJSON_IsObject(doc.root));
    ck_assert_int_eq(cJSON_GetArraySize(cJSON_GetObjectItem(doc.root, "a")), 2);
    hx_json_doc_free(&doc);
    ck_assert_ptr_null(doc.root);
    ck_assert_ptr_null(doc.text);
    /* the text is copied: a buffer not NUL-terminated at len is fine */
    const char buf[] = "[true]garbage";
    hx_error err = {{0}};
    ck_assert_int_eq(hx_json_doc_parse("y.json", 3, buf, 6, &doc, &err), 0);
    ck_assert_str_eq(doc.text, "[true]");
    ck_assert_int_eq(doc.line0, 3);
    hx_json_doc_free(&doc);
}
END_TEST

/* --- hx_json_check_duplicates ------------------------------------------- */

/* Duplicate keys are found at any depth, in small objects (compared with
 * the keys before them) and in large ones (over 32 keys: a hash set), each
 * reported once with its path; distinct keys are never reported. */
START_TEST(duplicates_small_large_nested)
{
    char text[4096];
    size_t used = 0;
    hx_json_doc doc;
    hx_diags d = {0};
    hx_jpath top = {0};

    parse_ok("d.json", 1, "{\"a\": 1, \"b\": {\"x\": 1, \"y\": 2, \"x\": 3}, \"c\": [{\"k\": 1, \"k\": 2}], \"a\": 4}", &doc);
    ck_assert_int_eq(hx_json_check_duplicates(&doc, doc.root, &top, &d), 3);
    ck_assert_uint_eq(d.n, 3);
    /* in the order the second keys appear */
    ck_assert_str_eq(d.v[0].path, "$.b.x");
    ck_assert_str_eq(d.v[1].path, "$.c[0].k");
    ck_assert_str_eq(d.v[2].path, "$.a");
    ck_assert_ptr_nonnull(strstr(d.v[0].msg, "key \"x\" appears twice"));
    hx_diags_free(&d);
    hx_json_doc_free(&doc);

    /* 40 distinct keys, then the 3rd and the 40th again. */
    used += (size_t)snprintf(text + used, sizeof text - used, "{");
    for (int i = 0; i < 40; i++)
        used += (size_t)snprintf(text + used, sizeof text - used, "\"k%d\": %d, ", i, i);
    used += (size_t)snprintf(text + used, sizeof text - used, "\"k2\": 0, \"k39\": 0}");
    parse_ok("big.json", 1, text, &doc);
    ck_assert_int_eq(hx_json_check_duplicates(&doc, doc.root, &top, &d), 2);
    ck_assert_uint_eq(d.n, 2);
    ck_assert_str_eq(d.v[0].path, "$.k2");
    ck_assert_str_eq(d.v[1].path, "$.k39");
    hx_diags_free(&d);
    hx_json_doc_free(&doc);

    /* The same 42 keys, all distinct: nothing. */
    used = (size_t)snprintf(text, sizeof text, "{");
    for (int i = 0; i < 42; i++)
        used += (size_t)snprintf(text + used, sizeof text - used, "%s\"k%d\": [{\"v\": %d}]", i ? ", " : "", i, i);
    snprintf(text + used, sizeof text - used, "}");
    parse_ok("ok.json", 1, text, &doc);
    ck_assert_int_eq(hx_json_check_duplicates(&doc, doc.root, &top, &d), 0);
    ck_assert_uint_eq(d.n, 0);
    hx_json_doc_free(&doc);
}
END_TEST

START_TEST(parse_missing_comma)
{
    /* line 3 is `  "b": 2`; the parser wants ',' or '}' and finds '"' at col 3 */
    const char *text = "{\n  \"a\": 1\n  \"b\": 2\n}\n";
    hx_error err;
    parse_bad("t.json", 1, text, strlen(text), &err);
    ASSERT_PREFIX(err.msg, "t.json:3:3: malformed JSON");
}
END_TEST

START_TEST(parse_bad_literal)
{
    /* line 3 is `  "b": tru`: 't' is col 8 */
    const char *text = "{\n  \"a\": 1,\n  \"b\": tru\n}\n";
    hx_error err;
    parse_bad("t.json", 1, text, strlen(text), &err);
    ASSERT_PREFIX(err.msg, "t.json:3:8: malformed JSON");
}
END_TEST

START_TEST(parse_error_line0)
{
    /* one .jsonl line, line 7 of its file: `{"a": 1 "b": 2}`, the second
     * '"' key starts at offset 8 = col 9 */
    const char *text = "{\"a\": 1 \"b\": 2}\n";
    hx_error err;
    parse_bad("f.jsonl", 7, text, strlen(text), &err);
    ASSERT_PREFIX(err.msg, "f.jsonl:7:9: malformed JSON");
}
END_TEST

START_TEST(parse_trailing_garbage)
{
    /* require-null-terminated parsing: text after the value is an error at
     * line 2, col 1 */
    const char *text = "{\"a\": 1}\nx\n";
    hx_error err;
    parse_bad("t.json", 1, text, strlen(text), &err);
    ASSERT_PREFIX(err.msg, "t.json:2:1: malformed JSON");
}
END_TEST

START_TEST(parse_ends_early_with_newline)
{
    const char *text = "{\"a\": [1, 2\n";
    hx_error err;
    parse_bad("t.json", 1, text, strlen(text), &err);
    ASSERT_PREFIX(err.msg, "t.json:");
    ASSERT_HAS(err.msg, "ends early");
}
END_TEST

START_TEST(parse_ends_early_no_newline)
{
    /* Regression (found by this file, fixed): without a trailing newline
     * cJSON reported the error at the last byte, so the message was
     * "t.json:1:11: malformed JSON near '2'" instead of "ends early". */
    const char *text = "{\"a\": [1, 2";
    hx_error err;
    parse_bad("t.json", 1, text, strlen(text), &err);
    ASSERT_PREFIX(err.msg, "t.json:1:");
    ASSERT_HAS(err.msg, "ends early");
}
END_TEST

START_TEST(parse_invalid_utf8)
{
    /* line 2 is `  "k": "caf\xC3(` ; \xC3 is col 12 (2 spaces, "k" 3-5,
     * ':' 6, ' ' 7, '"' 8, c a f 9-11) */
    const char *text = "{\n  \"k\": \"caf\xC3\x28\"\n}\n";
    hx_error err;
    parse_bad("u.json", 1, text, strlen(text), &err);
    ASSERT_PREFIX(err.msg, "u.json:2:12: invalid UTF-8");
    ASSERT_HAS(err.msg, "0xC3");
    /* same line as line 5 of a .jsonl: line 2 of the text is line 6 */
    parse_bad("u.jsonl", 5, text, strlen(text), &err);
    ASSERT_PREFIX(err.msg, "u.jsonl:6:12: invalid UTF-8");
    /* a lone continuation byte at offset 0 */
    parse_bad("v.json", 1, "\x80", 1, &err);
    ASSERT_PREFIX(err.msg, "v.json:1:1: invalid UTF-8");
    ASSERT_HAS(err.msg, "0x80");
    /* an overlong encoding of '/' (C0 AF) after `["` : col 3 */
    parse_bad("w.json", 1, "[\"\xC0\xAF\"]", 6, &err);
    ASSERT_PREFIX(err.msg, "w.json:1:3: invalid UTF-8");
    ASSERT_HAS(err.msg, "0xC0");
}
END_TEST

START_TEST(parse_whitespace_only)
{
    hx_error err;
    parse_bad("s.json", 1, " \n\t\r\n ", 6, &err);
    ASSERT_PREFIX(err.msg, "s.json:");
    ASSERT_HAS(err.msg, "white space");
    parse_bad("s.json", 1, "", 0, &err);
    ASSERT_PREFIX(err.msg, "s.json:");
}
END_TEST

START_TEST(load_file)
{
    char path[PATH_MAX], want[PATH_MAX + 16];
    hx_json_doc doc;
    hx_error err = {{0}};
    make_tmpdir();
    write_bytes("good.json", "[1, {\"x\": null}]\n", 17, path, sizeof path);
    ck_assert_msg(hx_json_doc_load(path, 1024, &doc, &err) == 0, "%s", err.msg);
    ck_assert_str_eq(doc.file, path);
    ck_assert_int_eq(doc.line0, 1);
    ck_assert(cJSON_IsArray(doc.root));
    hx_json_doc_free(&doc);

    /* a malformed file names the file and the position: line 2 is `2]]`,
     * the second ']' (col 3) is text after the value */
    write_bytes("bad.json", "[1,\n2]]\n", 8, path, sizeof path);
    ck_assert_int_eq(hx_json_doc_load(path, 1024, &doc, &err), -1);
    ck_assert_ptr_null(doc.root);
    ck_assert_ptr_null(doc.text);
    ck_assert_ptr_null(doc.file);
    snprintf(want, sizeof want, "%s:2:3: malformed JSON", path);
    ASSERT_PREFIX(err.msg, want);

    /* refusals of hx_read_file come through */
    ck_assert_int_eq(hx_json_doc_load(tmpdir, 1024, &doc, &err), -1);
    ASSERT_HAS(err.msg, "directory");
    ck_assert_ptr_null(doc.root);
    write_bytes("big.json", "[1,2,3,4,5]", 11, path, sizeof path);
    ck_assert_int_eq(hx_json_doc_load(path, 10, &doc, &err), -1);
    ASSERT_PREFIX(err.msg, path);
    remove_tmpdir();
}
END_TEST

/* --- locating values --------------------------------------------------------- */

/* Lines (1-based):
 *  1 {
 *  2   "agents": [
 *  3     {
 *  4       "name": "a",
 *  5       "modules": [ {"bar": 0.5}, {"name": "m", "bar": "high"} ]
 *  6     }
 *  7   ],
 *  8   "with space": {"tab\tkey": 1, "quo\"te": [true, null, 3]},
 *  9   "caf\u00e9": 5
 * 10 }
 */
static const char LOC_TEXT[] =
    "{\n"
    "  \"agents\": [\n"
    "    {\n"
    "      \"name\": \"a\",\n"
    "      \"modules\": [ {\"bar\": 0.5}, {\"name\": \"m\", \"bar\": \"high\"} ]\n"
    "    }\n"
    "  ],\n"
    "  \"with space\": {\"tab\\tkey\": 1, \"quo\\\"te\": [true, null, 3]},\n"
    "  \"caf\\u00e9\": 5\n"
    "}\n";

static void expect_at(const hx_json_doc *doc, const hx_jpath *p, int rc, int line, int col)
{
    int l = -7, c = -7;
    char path[256];
    hx_jpath_render(p, path, sizeof path);
    int got = hx_json_locate(doc, p, &l, &c);
    ck_assert_msg(got == rc && l == line && c == col,
                  "locate %s: got rc %d at %d:%d, expected rc %d at %d:%d", path, got, l, c, rc,
                  line, col);
}

START_TEST(locate_nested)
{
    hx_json_doc doc;
    hx_jpath top = {0}, p;
    parse_ok("suite.json", 1, LOC_TEXT, &doc);

    expect_at(&doc, &top, 0, 1, 1);
    p = hx_jpath_key(&top, "agents");
    expect_at(&doc, &p, 0, 2, 13);
    p = hx_jpath_index(&p, 0);
    expect_at(&doc, &p, 0, 3, 5);
    hx_jpath name = hx_jpath_key(&p, "name");
    expect_at(&doc, &name, 0, 4, 15);
    hx_jpath mods = hx_jpath_key(&p, "modules");
    expect_at(&doc, &mods, 0, 5, 18);
    hx_jpath m0 = hx_jpath_index(&mods, 0), m1 = hx_jpath_index(&mods, 1);
    expect_at(&doc, &m0, 0, 5, 20);
    expect_at(&doc, &m1, 0, 5, 34);
    hx_jpath b0 = hx_jpath_key(&m0, "bar"), b1 = hx_jpath_key(&m1, "bar");
    expect_at(&doc, &b0, 0, 5, 28);
    /* "bar" of modules[1] comes after its "name": the earlier key is skipped */
    expect_at(&doc, &b1, 0, 5, 55);
    hx_json_doc_free(&doc);
}
END_TEST

START_TEST(locate_escaped_keys)
{
    hx_json_doc doc;
    hx_jpath top = {0}, p, q;
    parse_ok("suite.json", 1, LOC_TEXT, &doc);

    p = hx_jpath_key(&top, "with space");
    expect_at(&doc, &p, 0, 8, 17);
    q = hx_jpath_key(&p, "tab\tkey"); /* the decoded key holds a real tab */
    expect_at(&doc, &q, 0, 8, 30);
    q = hx_jpath_key(&p, "quo\"te");
    expect_at(&doc, &q, 0, 8, 44);
    hx_jpath i1 = hx_jpath_index(&q, 1), i2 = hx_jpath_index(&q, 2);
    expect_at(&doc, &i1, 0, 8, 51);
    expect_at(&doc, &i2, 0, 8, 57);
    /* the cJSON tree agrees on what is there */
    const cJSON *ws = cJSON_GetObjectItemCaseSensitive(doc.root, "with space");
    ck_assert_ptr_nonnull(cJSON_GetObjectItemCaseSensitive(ws, "tab\tkey"));
    ck_assert_ptr_nonnull(cJSON_GetObjectItemCaseSensitive(ws, "quo\"te"));
    hx_json_doc_free(&doc);
}
END_TEST

START_TEST(locate_unicode_escaped_key)
{
    /* Regression (found by this file, fixed): json_doc.c skip_string
     * decoded every \uXXXX escape in a key as '?', so "caf\u00e9" (cJSON:
     * "café") was never found: rc -1 at 1:1 instead of 9:16. */
    hx_json_doc doc;
    hx_jpath top = {0}, p;
    int line = 0, col = 0, rc;
    parse_ok("suite.json", 1, LOC_TEXT, &doc);
    int present = cJSON_GetObjectItemCaseSensitive(doc.root, "caf\xC3\xA9") != NULL;
    p = hx_jpath_key(&top, "caf\xC3\xA9");
    rc = hx_json_locate(&doc, &p, &line, &col);
    hx_json_doc_free(&doc);
    ck_assert(present);
    ck_assert_msg(rc == 0 && line == 9 && col == 16, "got rc %d at %d:%d, expected 0 at 9:16", rc,
                  line, col);

    /* a surrogate pair and an ASCII escape: `{"a": 1, "\ud83d\ude00x": 2,
     * "\u0041B": 3}` — the value 2 is col 27, the value 3 col 41 */
    parse_ok("e.json", 1, "{\"a\": 1, \"\\ud83d\\ude00x\": 2, \"\\u0041B\": 3}", &doc);
    present = cJSON_GetObjectItemCaseSensitive(doc.root, "\xF0\x9F\x98\x80x") != NULL;
    p = hx_jpath_key(&top, "\xF0\x9F\x98\x80x");
    rc = hx_json_locate(&doc, &p, &line, &col);
    hx_jpath q = hx_jpath_key(&top, "AB");
    int line2 = 0, col2 = 0, rc2 = hx_json_locate(&doc, &q, &line2, &col2);
    hx_json_doc_free(&doc);
    ck_assert(present);
    ck_assert_msg(rc == 0 && line == 1 && col == 27, "got rc %d at %d:%d, expected 0 at 1:27", rc, line, col);
    ck_assert_msg(rc2 == 0 && line2 == 1 && col2 == 41, "got rc %d at %d:%d, expected 0 at 1:41", rc2, line2,
                  col2);
}
END_TEST

START_TEST(locate_missing_paths)
{
    hx_json_doc doc;
    hx_jpath top = {0}, p;
    parse_ok("suite.json", 1, LOC_TEXT, &doc);

    /* no such key at the top: the deepest prefix found is the root */
    p = hx_jpath_key(&top, "nope");
    expect_at(&doc, &p, -1, 1, 1);
    /* index past the end: points at the array */
    p = hx_jpath_key(&top, "agents");
    hx_jpath past = hx_jpath_index(&p, 5);
    expect_at(&doc, &past, -1, 2, 13);
    /* a key on an array */
    hx_jpath onarr = hx_jpath_key(&p, "name");
    expect_at(&doc, &onarr, -1, 2, 13);
    /* an index into a string: points at the string */
    hx_jpath a0 = hx_jpath_index(&p, 0);
    hx_jpath name = hx_jpath_key(&a0, "name");
    hx_jpath inside = hx_jpath_index(&name, 0);
    expect_at(&doc, &inside, -1, 4, 15);
    /* a missing key deeper down */
    hx_jpath mods = hx_jpath_key(&a0, "modules");
    hx_jpath m1 = hx_jpath_index(&mods, 1);
    hx_jpath nobar = hx_jpath_key(&m1, "baz");
    expect_at(&doc, &nobar, -1, 5, 34);
    /* keys are case-sensitive */
    hx_jpath upper = hx_jpath_key(&top, "Agents");
    expect_at(&doc, &upper, -1, 1, 1);
    hx_json_doc_free(&doc);
}
END_TEST

START_TEST(locate_jsonl_line0)
{
    /* `{"id": "x", "turns": [1, 2]}` as line 42 of a .jsonl: "turns" value
     * '[' is col 22, its [1] is col 26 */
    hx_json_doc doc;
    hx_jpath top = {0}, p;
    parse_ok("calls.jsonl", 42, "{\"id\": \"x\", \"turns\": [1, 2]}\n", &doc);
    expect_at(&doc, &top, 0, 42, 1);
    p = hx_jpath_key(&top, "id");
    expect_at(&doc, &p, 0, 42, 8);
    p = hx_jpath_key(&top, "turns");
    expect_at(&doc, &p, 0, 42, 22);
    p = hx_jpath_index(&p, 1);
    expect_at(&doc, &p, 0, 42, 26);
    p = hx_jpath_key(&top, "expected");
    expect_at(&doc, &p, -1, 42, 1);
    hx_json_doc_free(&doc);

    /* leading blank lines and indentation before the root value */
    parse_ok("x.json", 1, "\n\n  [1, [2, 3]]", &doc);
    expect_at(&doc, &top, 0, 3, 3);
    p = hx_jpath_index(&top, 1);
    p = hx_jpath_index(&p, 1);
    /* line 3: `  [1, [2, 3]]`: '[' 3, '1' 4, ',' 5, ' ' 6, '[' 7, '2' 8,
     * ',' 9, ' ' 10, '3' 11 */
    expect_at(&doc, &p, 0, 3, 11);
    hx_json_doc_free(&doc);
}
END_TEST

START_TEST(locate_skips_nested_values)
{
    /* earlier siblings that are deep containers with strings holding
     * brackets, braces, commas and escaped quotes must be skipped whole.
     * Line 3 is `"target": true` at col 1, its value at col 11. */
    const char *text =
        "{\"a\": {\"x\": [1, {\"y\": \"]}\\\",{[\"}], \"z\": \"}\"},\n"
        " \"b\": [[], {}, [[[]]], \"[\"],\n"
        "\"target\": true}";
    hx_json_doc doc;
    hx_jpath top = {0}, p;
    parse_ok("n.json", 1, text, &doc);
    p = hx_jpath_key(&top, "target");
    expect_at(&doc, &p, 0, 3, 11);
    p = hx_jpath_key(&top, "b");
    p = hx_jpath_index(&p, 3);
    /* line 2: ` "b": [[], {}, [[[]]], "["],` — '"' of "[" is col 24 */
    expect_at(&doc, &p, 0, 2, 24);
    hx_json_doc_free(&doc);
}
END_TEST

/* --- path rendering ----------------------------------------------------- */

START_TEST(jpath_render_forms)
{
    hx_jpath top = {0}, p;
    char buf[256];
    hx_jpath_render(&top, buf, sizeof buf);
    ck_assert_str_eq(buf, "$");

    p = hx_jpath_key(&top, "agents");
    p = hx_jpath_index(&p, 0);
    p = hx_jpath_key(&p, "modules");
    p = hx_jpath_index(&p, 1);
    p = hx_jpath_key(&p, "bar");
    hx_jpath_render(&p, buf, sizeof buf);
    ck_assert_str_eq(buf, "$.agents[0].modules[1].bar");

    p = hx_jpath_key(&top, "with space");
    p = hx_jpath_key(&p, "party_size");
    hx_jpath_render(&p, buf, sizeof buf);
    ck_assert_str_eq(buf, "$[\"with space\"].party_size");

    p = hx_jpath_key(&top, "1st");
    hx_jpath_render(&p, buf, sizeof buf);
    ck_assert_str_eq(buf, "$[\"1st\"]");

    p = hx_jpath_key(&top, "");
    hx_jpath_render(&p, buf, sizeof buf);
    ck_assert_str_eq(buf, "$[\"\"]");

    p = hx_jpath_index(&top, 12);
    p = hx_jpath_key(&p, "a.b");
    hx_jpath_render(&p, buf, sizeof buf);
    ck_assert_str_eq(buf, "$[12][\"a.b\"]");
}
END_TEST

START_TEST(jpath_copies_and_limits)
{
    hx_jpath top = {0}, p = {0}, q;
    char buf[256];
    /* appending returns a copy: the original is unchanged */
    q = hx_jpath_key(&top, "a");
    ck_assert_int_eq(top.n, 0);
    ck_assert_int_eq(q.n, 1);
    ck_assert_str_eq(q.seg[0].key, "a");
    q = hx_jpath_index(&q, 3);
    ck_assert_ptr_null(q.seg[1].key);
    ck_assert_int_eq(q.seg[1].index, 3);

    /* deeper than HX_JPATH_MAX keeps the prefix */
    for (int i = 0; i < HX_JPATH_MAX + 4; i++) p = hx_jpath_index(&p, i);
    ck_assert_int_eq(p.n, HX_JPATH_MAX);
    ck_assert_int_eq(p.seg[HX_JPATH_MAX - 1].index, HX_JPATH_MAX - 1);

    /* a small buffer truncates without overflowing */
    q = hx_jpath_key(&top, "agents");
    q = hx_jpath_index(&q, 0);
    memset(buf, 'Z', sizeof buf);
    hx_jpath_render(&q, buf, 5);
    ck_assert_uint_lt(strlen(buf), 5);
    ck_assert_int_eq(strncmp(buf, "$.agents[0]", strlen(buf)), 0);
    ck_assert_int_eq(buf[5], 'Z');
}
END_TEST

/* --- diagnostics ------------------------------------------------------------ */

START_TEST(doc_diag_position_and_print)
{
    hx_json_doc doc;
    hx_diags d = {0};
    hx_jpath top = {0}, p;
    char *out = NULL;
    size_t outlen = 0;
    FILE *f;
    parse_ok("suite.json", 1, LOC_TEXT, &doc);

    p = hx_jpath_key(&top, "agents");
    p = hx_jpath_index(&p, 0);
    p = hx_jpath_key(&p, "modules");
    p = hx_jpath_index(&p, 1);
    p = hx_jpath_key(&p, "bar");
    hx_doc_diag(&d, &doc, &p, "expected a number from %d to %d, got \"%s\"", 0, 1, "high");
    hx_doc_diag(&d, &doc, &top, "whole-file problem");

    ck_assert_uint_eq(d.n, 2);
    ck_assert_str_eq(d.v[0].file, "suite.json");
    ck_assert_int_eq(d.v[0].line, 5);
    ck_assert_int_eq(d.v[0].col, 55);
    ck_assert_str_eq(d.v[0].path, "$.agents[0].modules[1].bar");
    ck_assert_str_eq(d.v[0].msg, "expected a number from 0 to 1, got \"high\"");
    ck_assert_str_eq(d.v[1].path, "");
    ck_assert_int_eq(d.v[1].line, 1);
    ck_assert_int_eq(d.v[1].col, 1);

    f = open_memstream(&out, &outlen);
    ck_assert_ptr_nonnull(f);
    hx_diags_print(&d, f);
    fclose(f);
    ck_assert_str_eq(out, "suite.json:5:55: $.agents[0].modules[1].bar: expected a number from 0 to 1, got \"high\"\n"
                          "suite.json:1:1: whole-file problem\n");
    free(out);
    hx_diags_free(&d);
    hx_json_doc_free(&doc);
}
END_TEST

START_TEST(doc_diag_missing_path_and_line0)
{
    /* a path that is not there still yields the deepest position found */
    hx_json_doc doc;
    hx_diags d = {0};
    hx_jpath top = {0}, p;
    parse_ok("calls.jsonl", 9, "{\"id\": \"x\", \"turns\": []}\n", &doc);
    p = hx_jpath_key(&top, "expected");
    hx_doc_diag(&d, &doc, &p, "missing");
    p = hx_jpath_key(&top, "turns");
    hx_doc_diag(&d, &doc, &p, "empty");
    ck_assert_uint_eq(d.n, 2);
    ck_assert_str_eq(d.v[0].file, "calls.jsonl");
    ck_assert_int_eq(d.v[0].line, 9);
    ck_assert_int_eq(d.v[0].col, 1);
    ck_assert_str_eq(d.v[0].path, "$.expected");
    /* `{"id": "x", "turns": []}`: '[' is col 22 */
    ck_assert_int_eq(d.v[1].line, 9);
    ck_assert_int_eq(d.v[1].col, 22);
    ck_assert_str_eq(d.v[1].msg, "empty");
    hx_diags_free(&d);
    hx_json_doc_free(&doc);
}
END_TEST

START_TEST(diags_max_and_json)
{
    hx_diags d = {0};
    char *out = NULL;
    size_t outlen = 0;
    FILE *f;
    d.max = 2;
    hx_diags_add(&d, "a.json", 3, 4, "$.x", "one %d", 1);
    hx_diags_add(&d, "a.json", 0, 0, "", "two");
    hx_diags_add(&d, "a.json", 5, 6, "$.y", "three");
    ck_assert_uint_eq(d.n, 2);
    ck_assert_uint_eq(d.dropped, 1);
    f = open_memstream(&out, &outlen);
    hx_diags_print(&d, f);
    fclose(f);
    ck_assert_str_eq(out, "a.json:3:4: $.x: one 1\na.json: two\n... and 1 more problems not shown\n");
    free(out);
    out = NULL;
    f = open_memstream(&out, &outlen);
    hx_diags_print_json(&d, f);
    fclose(f);
    cJSON *arr = cJSON_Parse(out);
    ck_assert(cJSON_IsArray(arr));
    ck_assert_int_eq(cJSON_GetArraySize(arr), 2);
    cJSON *o = cJSON_GetArrayItem(arr, 0);
    ck_assert_str_eq(cJSON_GetObjectItem(o, "file")->valuestring, "a.json");
    ck_assert_int_eq(cJSON_GetObjectItem(o, "line")->valueint, 3);
    ck_assert_int_eq(cJSON_GetObjectItem(o, "col")->valueint, 4);
    ck_assert_str_eq(cJSON_GetObjectItem(o, "path")->valuestring, "$.x");
    ck_assert_str_eq(cJSON_GetObjectItem(o, "message")->valuestring, "one 1");
    cJSON_Delete(arr);
    free(out);
    hx_diags_free(&d);
    ck_assert_uint_eq(d.n, 0);
    ck_assert_ptr_null(d.v);
}
END_TEST

/* --- describing values ------------------------------------------------------ */

START_TEST(describe_values)
{
    char buf[128];
    cJSON *v;

    hx_json_describe(NULL, buf, sizeof buf);
    ck_assert_str_eq(buf, "nothing");

    v = cJSON_CreateNull();
    hx_json_describe(v, buf, sizeof buf);
    ck_assert_str_eq(buf, "null");
    cJSON_Delete(v);

    v = cJSON_CreateTrue();
    hx_json_describe(v, buf, sizeof buf);
    ck_assert_str_eq(buf, "true");
    cJSON_Delete(v);

    v = cJSON_CreateFalse();
    hx_json_describe(v, buf, sizeof buf);
    ck_assert_str_eq(buf, "false");
    cJSON_Delete(v);

    /* json_doc.h: "a number 3", "a string \"high\"" (the code says "the
     * number 3"; the article is not checked, the value is) */
    v = cJSON_CreateNumber(3);
    hx_json_describe(v, buf, sizeof buf);
    ASSERT_HAS(buf, "number 3");
    ck_assert_msg(strstr(buf, "3.0") == NULL && strstr(buf, "3e") == NULL, "%s", buf);
    ck_assert_int_eq(buf[strlen(buf) - 1], '3');
    cJSON_Delete(v);


    v = cJSON_CreateString("high");
    hx_json_describe(v, buf, sizeof buf);
    ASSERT_HAS(buf, "string \"high\"");
    cJSON_Delete(v);

    v = cJSON_CreateObject();
    hx_json_describe(v, buf, sizeof buf);
    ck_assert_str_eq(buf, "an object");
    cJSON_Delete(v);

    v = cJSON_CreateArray();
    hx_json_describe(v, buf, sizeof buf);
    ck_assert_str_eq(buf, "an array");
    cJSON_Delete(v);

    /* a long string is cut, and says so */
    char lng[201];
    memset(lng, 'x', 200);
    lng[200] = '\0';
    v = cJSON_CreateString(lng);
    hx_json_describe(v, buf, sizeof buf);
    ck_assert_uint_lt(strlen(buf), 120);
    ASSERT_HAS(buf, "...");
    cJSON_Delete(v);

    /* a tiny buffer is NUL-terminated within cap */
    v = cJSON_CreateString("high");
    memset(buf, 'Z', sizeof buf);
    hx_json_describe(v, buf, 4);
    ck_assert_uint_eq(strlen(buf), 3);
    cJSON_Delete(v);
}
END_TEST

START_TEST(describe_number_shortest)
{
    /* Regression (found by this file, fixed): numbers were printed with
     * %.17g, so 0.85 showed as "the number 0.84999999999999998". */
    char buf[128];
    cJSON *v = cJSON_CreateNumber(0.85);
    hx_json_describe(v, buf, sizeof buf);
    cJSON_Delete(v);
    ASSERT_HAS(buf, "number 0.85");
    ck_assert_msg(strstr(buf, "0.849") == NULL, "%s", buf);
    v = cJSON_CreateNumber(-2.5);
    hx_json_describe(v, buf, sizeof buf);
    cJSON_Delete(v);
    ASSERT_HAS(buf, "number -2.5");
}
END_TEST

Suite *make_suite(void)
{
    Suite *s = suite_create("json_doc");
    TCase *tc = tcase_create("read_file");
    tcase_add_test(tc, read_file_ok);
    tcase_add_test(tc, read_file_missing);
    tcase_add_test(tc, read_file_directory);
    tcase_add_test(tc, read_file_empty);
    tcase_add_test(tc, read_file_too_large);
    tcase_add_test(tc, read_file_nul_byte);
    suite_add_tcase(s, tc);

    tc = tcase_create("parse");
    tcase_add_test(tc, parse_ok_keeps_text);
    tcase_add_test(tc, duplicates_small_large_nested);
    tcase_add_test(tc, parse_missing_comma);
    tcase_add_test(tc, parse_bad_literal);
    tcase_add_test(tc, parse_error_line0);
    tcase_add_test(tc, parse_trailing_garbage);
    tcase_add_test(tc, parse_ends_early_with_newline);
    tcase_add_test(tc, parse_ends_early_no_newline);
    tcase_add_test(tc, parse_invalid_utf8);
    tcase_add_test(tc, parse_whitespace_only);
    tcase_add_test(tc, load_file);
    suite_add_tcase(s, tc);

    tc = tcase_create("locate");
    tcase_add_test(tc, locate_nested);
    tcase_add_test(tc, locate_escaped_keys);
    tcase_add_test(tc, locate_unicode_escaped_key);
    tcase_add_test(tc, locate_missing_paths);
    tcase_add_test(tc, locate_jsonl_line0);
    tcase_add_test(tc, locate_skips_nested_values);
    suite_add_tcase(s, tc);

    tc = tcase_create("jpath");
    tcase_add_test(tc, jpath_render_forms);
    tcase_add_test(tc, jpath_copies_and_limits);
    suite_add_tcase(s, tc);

    tc = tcase_create("diag");
    tcase_add_test(tc, doc_diag_position_and_print);
    tcase_add_test(tc, doc_diag_missing_path_and_line0);
    tcase_add_test(tc, diags_max_and_json);
    tcase_add_test(tc, describe_values);
    tcase_add_test(tc, describe_number_shortest);
    suite_add_tcase(s, tc);
    return s;
}

HX_TEST_MAIN()
