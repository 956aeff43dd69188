/*
 * json_doc.h — JSON files as users write them, with positions for errors.
 *
 * cJSON parses but forgets where values were; users need "suite.json:14:22"
 * to fix a typo. A json_doc keeps the file's text beside the cJSON tree, so
 * any value can be located again by its path (hx_json_locate re-scans the
 * text; it only runs when a problem is reported, so it costs nothing on the
 * happy path).
 *
 * Loading refuses, with a message naming the file: a missing or unreadable
 * file, an empty file, one larger than the caller's limit, invalid UTF-8
 * (with line:col of the first bad byte), and malformed JSON (with line:col
 * where the parser stopped).
 *
 * hx_jpath is the path of a value while a loader walks the tree: it renders
 * as "$.agents[0].modules[1].bar" and is what hx_json_locate follows.
 */
#ifndef HX_JSON_DOC_H
#define HX_JSON_DOC_H

#include <cjson/cJSON.h>
#include <stddef.h>

#include "diag.h"
#include "error.h"

typedef struct hx_json_doc {
    char *file;    /* owned: the name used in messages */
    char *text;    /* owned: contents, NUL-terminated */
    size_t len;
    int line0;     /* line of text[0] within file (1 for whole files; the line
                      number for one line of a .jsonl) */
    cJSON *root;   /* owned */
} hx_json_doc;

/* Read a whole file (at most max_bytes) into *text (owned by the caller,
 * NUL-terminated). Refuses missing, unreadable, empty, too-large files and
 * files with a NUL byte. */
int hx_read_file(const char *path, size_t max_bytes, char **text, size_t *len, hx_error *err);

/* Load and parse a JSON file. On failure nothing is left allocated. */
int hx_json_doc_load(const char *path, size_t max_bytes, hx_json_doc *doc, hx_error *err);

/* Parse text already in memory (copied). `line0` is the line of its first
 * byte in `file` (1 for a whole file). */
int hx_json_doc_parse(const char *file, int line0, const char *text, size_t len,
                      hx_json_doc *doc, hx_error *err);

void hx_json_doc_free(hx_json_doc *doc);

/* cJSON's parser, for every parse in libharness. cJSON 1.7 records the
 * position of a parse error in one global variable, written by every
 * parse, so two threads parsing at once race on it (undefined behaviour),
 * and the Python bridge calls hx_metric from DSPy's evaluation threads.
 * This wrapper holds a lock around the parse and returns the error
 * position it saw (*end: where parsing stopped, NULL if not wanted). len
 * includes the terminating NUL when require_nul is set, as
 * cJSON_ParseWithLengthOpts expects. */
cJSON *hx_json_parse_opts(const char *text, size_t len, const char **end, int require_nul);
/* The same for NUL-terminated text: a whole value, trailing space allowed. */
cJSON *hx_json_parse(const char *text);
/* The same for text of a given length (no NUL needed). */
cJSON *hx_json_parse_len(const char *text, size_t len);

#define HX_JPATH_MAX 16

typedef struct hx_jseg {
    const char *key;   /* borrowed; NULL for an array index */
    int index;
} hx_jseg;

typedef struct hx_jpath {
    int n;
    hx_jseg seg[HX_JPATH_MAX];
} hx_jpath;

/* Return a copy of p with a key / an index appended (deeper paths than
 * HX_JPATH_MAX keep the prefix). */
hx_jpath hx_jpath_key(const hx_jpath *p, const char *key);
hx_jpath hx_jpath_index(const hx_jpath *p, int index);

/* Render "$.a[0].b" (keys that are not plain identifiers as ["k"]). */
void hx_jpath_render(const hx_jpath *p, char *buf, size_t cap);

/* Find the value at path p in the document's text: sets 1-based *line and
 * *col (relative to the file, using line0). Returns 0, or -1 if the path
 * is not there (then line and col point at the deepest prefix found). */
int hx_json_locate(const hx_json_doc *doc, const hx_jpath *p, int *line, int *col);

/* Add a problem about the value at p in doc to d (with its position). */
void hx_doc_diag(hx_diags *d, const hx_json_doc *doc, const hx_jpath *p,
                 const char *fmt, ...) __attribute__((format(printf, 4, 5)));

/* Report every key that appears twice in one object, anywhere below the
 * value at p (cJSON would silently keep the first, Python's json the last:
 * either way the user's intent is lost). Returns the number reported. */
int hx_json_check_duplicates(const hx_json_doc *doc, const cJSON *v, const hx_jpath *p,
                             hx_diags *d);

/* A short description of a JSON value's type for messages:
 * "the string \"high\"", "the number 3", "an object", "null"... */
void hx_json_describe(const cJSON *v, char *buf, size_t cap);

#endif
