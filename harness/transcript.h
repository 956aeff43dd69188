/*
 * transcript.h — synthetic call transcripts (DESIGN §3.2).
 *
 * A transcript is one call: an id, when the call happened (the date every
 * relative phrase resolves against), tags, a free context object, the turns,
 * and the expected entities. They live in transcripts/<agent>/ as .json
 * files (one transcript or an array) or .jsonl files (one a line).
 *
 * Reading is a stream (hx_tscan): a folder is walked file by file in name
 * order, .jsonl line by line, so a run over 100,000 transcripts holds one at
 * a time. Each malformed transcript is reported with file:line:col and the
 * scan goes on to the next, so `harness validate` lists them all.
 */
#ifndef HX_TRANSCRIPT_H
#define HX_TRANSCRIPT_H

#include <cjson/cJSON.h>
#include <stdio.h>

#include "diag.h"
#include "json_doc.h"
#include "strset.h"

typedef struct hx_turn {
    char *speaker;   /* owned: "agent" or "caller" */
    char *text;      /* owned */
} hx_turn;

typedef struct hx_transcript {
    char *id;               /* owned */
    char *file;             /* owned: where it came from */
    int line;               /* line of its first byte in file */
    char *call_started_at;  /* owned; NULL if only call_date was given */
    char call_date[11];     /* YYYY-MM-DD */
    int year, month, day;
    char **tags;            /* owned */
    size_t ntags;
    cJSON *context;         /* owned; NULL if none */
    hx_turn *turns;         /* owned */
    size_t nturns;
    cJSON *expected;        /* owned; an object */
    hx_json_doc *doc;       /* owned: the source of a .jsonl line; NULL otherwise */
    const hx_json_doc *src; /* borrowed: the document it came from, for locating
                               problems; valid until the next hx_tscan_next */
    hx_jpath path;          /* path of this transcript within src */
} hx_transcript;

void hx_transcript_free(hx_transcript *t);

/* The turns as the {transcript} input: "Agent: ..." / "Caller: ..." one a
 * line. Returns an owned string, NULL on out of memory. */
char *hx_transcript_render(const hx_transcript *t);

/* Build a transcript from a parsed JSON object (the object is copied).
 * Returns 0, or -1 after adding the problems to d. */
int hx_transcript_from_json(const hx_json_doc *doc, const cJSON *obj, const hx_jpath *p,
                            hx_transcript *out, hx_diags *d);

#define HX_TRANSCRIPT_FILE_MAX (64u << 20)  /* a .json file */
#define HX_TRANSCRIPT_LINE_MAX (16u << 20)  /* one .jsonl line */

typedef struct hx_tscan hx_tscan;

/* Open a folder (its *.json and *.jsonl files, in name order) or a single
 * file. Returns 0, or -1 with err if the path cannot be read or holds no
 * transcript files. */
int hx_tscan_open(const char *path, hx_tscan **out, hx_error *err);
/* Next transcript: 1 with *t filled (caller frees with hx_transcript_free),
 * 0 at the end, -1 when one was malformed (problems added to d; call again
 * to go on). Duplicate ids within the scan are reported as problems. */
int hx_tscan_next(hx_tscan *sc, hx_transcript *t, hx_diags *d);
size_t hx_tscan_count(const hx_tscan *sc);  /* transcripts returned so far */
void hx_tscan_close(hx_tscan *sc);

/* Parse "YYYY-MM-DD" strictly (real calendar date). */
int hx_parse_ymd(const char *s, int *y, int *m, int *d);

#endif
