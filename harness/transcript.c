/*
 * transcript.c — reading and checking transcripts (see transcript.h).
 */
#include "transcript.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "calendar.h"
#include "text.h"

static const char *const KNOWN_KEYS[] = {
    "id", "call_started_at", "call_date", "tags", "context", "turns", "expected", NULL};

void hx_transcript_free(hx_transcript *t)
{
    if (!t) return;
    free(t->id);
    free(t->file);
    free(t->call_started_at);
    for (size_t i = 0; i < t->ntags; i++) free(t->tags[i]);
    free(t->tags);
    cJSON_Delete(t->context);
    for (size_t i = 0; i < t->nturns; i++) {
        free(t->turns[i].speaker);
        free(t->turns[i].text);
    }
    free(t->turns);
    cJSON_Delete(t->expected);
    if (t->doc) {
        hx_json_doc_free(t->doc);
        free(t->doc);
    }
    memset(t, 0, sizeof *t);
}

/* Copies, not snprintf: every case of a run renders its transcript, and
 * the format parser was most of the cost. */
char *hx_transcript_render(const hx_transcript *t)
{
    size_t cap = 1, used = 0;
    char *s;
    for (size_t i = 0; i < t->nturns; i++) cap += strlen(t->turns[i].text) + sizeof "\nCaller: ";
    s = malloc(cap);
    if (!s) return NULL;
    for (size_t i = 0; i < t->nturns; i++) {
        const char *who = strcmp(t->turns[i].speaker, "agent") == 0 ? "Agent: " : "Caller: ";
        size_t nw = strlen(who), nt = strlen(t->turns[i].text);
        if (i) s[used++] = '\n';
        memcpy(s + used, who, nw);
        memcpy(s + used + nw, t->turns[i].text, nt);
        used += nw + nt;
    }
    s[used] = '\0';
    return s;
}

int hx_parse_ymd(const char *s, int *y, int *m, int *d)
{
    for (int i = 0; i < 10; i++) {
        if (i == 4 || i == 7) { if (s[i] != '-') return -1; }
        else if (!isdigit((unsigned char)s[i])) return -1;
    }
    *y = atoi(s);
    *m = atoi(s + 5);
    *d = atoi(s + 8);
    if (*y < 1 || *m < 1 || *m > 12 || *d < 1 || *d > hx_days_in_month(*y, *m)) return -1;
    return 0;
}

/* "2026-11-20T18:05:00-05:00", "...Z", "...+01:00", seconds optional. */
static int valid_timestamp(const char *s)
{
    int y, m, d;
    if (strlen(s) < 16 || hx_parse_ymd(s, &y, &m, &d) != 0) return 0;
    if (s[10] != 'T' && s[10] != ' ') return 0;
    if (!isdigit((unsigned char)s[11]) || !isdigit((unsigned char)s[12]) || s[13] != ':' ||
        !isdigit((unsigned char)s[14]) || !isdigit((unsigned char)s[15]))
        return 0;
    if (atoi(s + 11) > 23 || atoi(s + 14) > 59) return 0;
    const char *p = s + 16;
    if (*p == ':') {
        if (!isdigit((unsigned char)p[1]) || !isdigit((unsigned char)p[2]) || atoi(p + 1) > 60) return 0;
        p += 3;
        if (*p == '.') { p++; while (isdigit((unsigned char)*p)) p++; }
    }
    if (*p == 'Z' && !p[1]) return 1;
    if ((*p == '+' || *p == '-') && isdigit((unsigned char)p[1]) && isdigit((unsigned char)p[2]) &&
        p[3] == ':' && isdigit((unsigned char)p[4]) && isdigit((unsigned char)p[5]) && !p[6])
        return 1;
    return 0;
}

static int known_key(const char *k)
{
    for (int i = 0; KNOWN_KEYS[i]; i++)
        if (strcmp(KNOWN_KEYS[i], k) == 0) return 1;
    return 0;
}

static int read_turns(const hx_json_doc *doc, const cJSON *turns, const hx_jpath *p,
                      hx_transcript *t, hx_diags *d)
{
    int bad = 0, i = 0, n = cJSON_GetArraySize(turns);
    const cJSON *it;
    if (n == 0) {
        hx_doc_diag(d, doc, p, "\"turns\" is empty: a transcript needs at least one turn");
        return -1;
    }
    t->turns = calloc((size_t)n, sizeof *t->turns);
    if (!t->turns) return -1;
    cJSON_ArrayForEach(it, turns) {
        hx_jpath q = hx_jpath_index(p, i++);
        const cJSON *sp = cJSON_GetObjectItemCaseSensitive(it, "speaker");
        const cJSON *tx = cJSON_GetObjectItemCaseSensitive(it, "text");
        if (!cJSON_IsObject(it)) {
            hx_doc_diag(d, doc, &q, "expected a turn {\"speaker\": \"agent\"|\"caller\", \"text\": \"...\"}");
            bad = 1;
            continue;
        }
        if (!cJSON_IsString(sp) || (strcmp(sp->valuestring, "agent") && strcmp(sp->valuestring, "caller"))) {
            hx_jpath qs = hx_jpath_key(&q, "speaker");
            hx_doc_diag(d, doc, sp ? &qs : &q, "\"speaker\" must be \"agent\" or \"caller\"");
            bad = 1;
            continue;
        }
        if (!cJSON_IsString(tx)) {
            hx_jpath qt = hx_jpath_key(&q, "text");
            hx_doc_diag(d, doc, tx ? &qt : &q, "\"text\" must be a string");
            bad = 1;
            continue;
        }
        t->turns[t->nturns].speaker = strdup(sp->valuestring);
        t->turns[t->nturns].text = strdup(tx->valuestring);
        t->nturns++;
    }
    return bad ? -1 : 0;
}

static int read_tags(const hx_json_doc *doc, const cJSON *tags, const hx_jpath *p,
                     hx_transcript *t, hx_diags *d)
{
    int i = 0, n = cJSON_GetArraySize(tags);
    const cJSON *it;
    if (!cJSON_IsArray(tags)) {
        hx_doc_diag(d, doc, p, "\"tags\" must be a list of strings");
        return -1;
    }
    t->tags = calloc(n ? (size_t)n : 1, sizeof *t->tags);
    if (!t->tags) return -1;
    cJSON_ArrayForEach(it, tags) {
        hx_jpath q = hx_jpath_index(p, i++);
        if (!cJSON_IsString(it)) {
            hx_doc_diag(d, doc, &q, "a tag must be a string");
            return -1;
        }
        t->tags[t->ntags++] = strdup(it->valuestring);
    }
    return 0;
}

static int read_when(const hx_json_doc *doc, const cJSON *obj, const hx_jpath *p,
                     hx_transcript *t, hx_diags *d)
{
    const cJSON *ts = cJSON_GetObjectItemCaseSensitive(obj, "call_started_at");
    const cJSON *cd = cJSON_GetObjectItemCaseSensitive(obj, "call_date");
    if (!ts && !cd) {
        hx_doc_diag(d, doc, p, "no \"call_started_at\" or \"call_date\": relative dates need the day of the call");
        return -1;
    }
    if (ts) {
        hx_jpath q = hx_jpath_key(p, "call_started_at");
        if (!cJSON_IsString(ts) || !valid_timestamp(ts->valuestring)) {
            hx_doc_diag(d, doc, &q, "expected an ISO-8601 time with offset, e.g. \"2026-11-20T18:05:00-05:00\"");
            return -1;
        }
        t->call_started_at = strdup(ts->valuestring);
        memcpy(t->call_date, ts->valuestring, 10);
        t->call_date[10] = '\0';
    }
    if (cd) {
        hx_jpath q = hx_jpath_key(p, "call_date");
        if (!cJSON_IsString(cd) || strlen(cd->valuestring) != 10 ||
            hx_parse_ymd(cd->valuestring, &t->year, &t->month, &t->day) != 0) {
            hx_doc_diag(d, doc, &q, "expected a date \"YYYY-MM-DD\"");
            return -1;
        }
        if (ts && strcmp(t->call_date, cd->valuestring) != 0) {
            hx_doc_diag(d, doc, &q, "\"call_date\" %s disagrees with \"call_started_at\" %s",
                        cd->valuestring, ts->valuestring);
            return -1;
        }
        memcpy(t->call_date, cd->valuestring, 11);
    }
    return hx_parse_ymd(t->call_date, &t->year, &t->month, &t->day);
}

/* obj's member v for the transcript to keep: detached from obj when the
 * whole document is the transcript's own (a .jsonl line), which spares a
 * copy and its later free for every transcript read; copied otherwise. */
static cJSON *keep(cJSON *obj, cJSON *v, bool take)
{
    return take ? cJSON_DetachItemViaPointer(obj, v) : cJSON_Duplicate(v, 1);
}

/* hx_transcript_from_json; take: obj may be taken apart (see keep). obj is
 * only written when take is set. */
static int from_json(const hx_json_doc *doc, cJSON *obj, const hx_jpath *p, hx_transcript *t,
                     hx_diags *d, bool take)
{
    const cJSON *it;
    cJSON *v;
    int bad = 0;
    char got[128];

    memset(t, 0, sizeof *t);
    t->path = *p;
    if (!cJSON_IsObject(obj)) {
        hx_json_describe(obj, got, sizeof got);
        hx_doc_diag(d, doc, p, "expected a transcript object, got %s", got);
        return -1;
    }
    if (hx_json_check_duplicates(doc, obj, p, d)) bad = 1;
    cJSON_ArrayForEach(it, obj) {
        if (!known_key(it->string)) {
            hx_jpath q = hx_jpath_key(p, it->string);
            hx_doc_diag(d, doc, &q, "unknown key \"%s\"; a transcript has id, call_started_at, "
                        "call_date, tags, context, turns, expected (put extra data in \"context\")",
                        it->string);
            bad = 1;
        }
    }
    v = cJSON_GetObjectItemCaseSensitive(obj, "id");
    if (!cJSON_IsString(v) || !v->valuestring[0]) {
        hx_jpath q = hx_jpath_key(p, "id");
        hx_doc_diag(d, doc, v ? &q : p, "\"id\" must be a non-empty string");
        bad = 1;
    } else {
        t->id = strdup(v->valuestring);
    }
    if (read_when(doc, obj, p, t, d) != 0) bad = 1;
    if ((v = cJSON_GetObjectItemCaseSensitive(obj, "tags"))) {
        hx_jpath q = hx_jpath_key(p, "tags");
        if (read_tags(doc, v, &q, t, d) != 0) bad = 1;
    }
    if ((v = cJSON_GetObjectItemCaseSensitive(obj, "context"))) {
        hx_jpath q = hx_jpath_key(p, "context");
        if (!cJSON_IsObject(v)) {
            hx_doc_diag(d, doc, &q, "\"context\" must be an object");
            bad = 1;
        } else {
            t->context = keep(obj, v, take);
        }
    }
    v = cJSON_GetObjectItemCaseSensitive(obj, "turns");
    if (!cJSON_IsArray(v)) {
        hx_jpath q = hx_jpath_key(p, "turns");
        hx_doc_diag(d, doc, v ? &q : p, "\"turns\" must be a list of {\"speaker\", \"text\"}");
        bad = 1;
    } else {
        hx_jpath q = hx_jpath_key(p, "turns");
        if (read_turns(doc, v, &q, t, d) != 0) bad = 1;
    }
    v = cJSON_GetObjectItemCaseSensitive(obj, "expected");
    if (!cJSON_IsObject(v)) {
        hx_jpath q = hx_jpath_key(p, "expected");
        hx_doc_diag(d, doc, v ? &q : p, "\"expected\" must be an object of field -> expected value");
        bad = 1;
    } else {
        t->expected = keep(obj, v, take);
    }
    t->file = strdup(doc->file);
    if (bad) {
        hx_transcript_free(t);
        return -1;
    }
    return 0;
}

int hx_transcript_from_json(const hx_json_doc *doc, const cJSON *obj, const hx_jpath *p,
                            hx_transcript *t, hx_diags *d)
{
    /* take = false: obj is only read, the cast does not make it written */
    return from_json(doc, (cJSON *)obj, p, t, d, false);
}

/* --- scanning folders and files ----------------------------------------- */

struct hx_tscan {
    char **files;      /* owned */
    size_t nfiles, fi;
    FILE *jsonl;       /* open .jsonl file */
    int jsonl_line;
    char *linebuf;
    size_t linecap;
    hx_json_doc *doc;  /* current .json document (shared by its transcripts) */
    int arr_i, arr_n;  /* position in a .json array; arr_n = -1: a single object */
    hx_strset ids;
    size_t count;
};

static int has_suffix(const char *s, const char *suf)
{
    size_t n = strlen(s), m = strlen(suf);
    return n > m && strcmp(s + n - m, suf) == 0;
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static int add_file(hx_tscan *sc, const char *path)
{
    char **f = realloc(sc->files, (sc->nfiles + 1) * sizeof *f);
    if (!f) return -1;
    sc->files = f;
    if (!(sc->files[sc->nfiles] = strdup(path))) return -1;
    sc->nfiles++;
    return 0;
}

int hx_tscan_open(const char *path, hx_tscan **out, hx_error *err)
{
    struct stat st;
    hx_tscan *sc = calloc(1, sizeof *sc);
    *out = NULL;
    if (!sc) return hx_fail(err, "out of memory");
    if (stat(path, &st) != 0) {
        free(sc);
        return hx_fail(err, "%s: cannot open transcripts: %s", path, strerror(errno));
    }
    if (S_ISDIR(st.st_mode)) {
        DIR *dir = opendir(path);
        struct dirent *de;
        if (!dir) {
            free(sc);
            return hx_fail(err, "%s: cannot read folder: %s", path, strerror(errno));
        }
        while ((de = readdir(dir))) {
            char full[4096];
            if (de->d_name[0] == '.') continue;
            if (!has_suffix(de->d_name, ".json") && !has_suffix(de->d_name, ".jsonl")) continue;
            snprintf(full, sizeof full, "%s/%s", path, de->d_name);
            if (add_file(sc, full) != 0) {
                closedir(dir);
                hx_tscan_close(sc);
                return hx_fail(err, "out of memory");
            }
        }
        closedir(dir);
        if (sc->nfiles == 0) {
            hx_tscan_close(sc);
            return hx_fail(err, "%s: no .json or .jsonl transcript files in this folder", path);
        }
        qsort(sc->files, sc->nfiles, sizeof *sc->files, cmp_str);
    } else if (add_file(sc, path) != 0) {
        hx_tscan_close(sc);
        return hx_fail(err, "out of memory");
    }
    *out = sc;
    return 0;
}

static void close_current(hx_tscan *sc)
{
    if (sc->jsonl) { fclose(sc->jsonl); sc->jsonl = NULL; }
    if (sc->doc) { hx_json_doc_free(sc->doc); free(sc->doc); sc->doc = NULL; }
}

/* Hand a transcript its own copy of the document it came from (only for
 * .jsonl lines, whose document is theirs alone), check its id. */
static int finish(hx_tscan *sc, hx_transcript *t, hx_diags *d, hx_json_doc *own_doc)
{
    t->doc = own_doc;
    t->src = own_doc ? own_doc : sc->doc;
    if (own_doc) t->line = own_doc->line0;
    else {
        int line, col;
        hx_json_locate(sc->doc, &t->path, &line, &col);
        t->line = line;
    }
    int added = hx_strset_add(&sc->ids, t->id);
    if (added == 0) {
        hx_jpath q = hx_jpath_key(&t->path, "id");
        hx_doc_diag(d, own_doc ? own_doc : sc->doc, &q, "duplicate transcript id \"%s\" (ids must be unique within an agent)", t->id);
        hx_transcript_free(t);
        return -1;
    }
    sc->count++;
    return 1;
}

static int next_jsonl(hx_tscan *sc, hx_transcript *t, hx_diags *d)
{
    const char *file = sc->files[sc->fi];
    for (;;) {
        ssize_t n = getline(&sc->linebuf, &sc->linecap, sc->jsonl);
        hx_error err;
        hx_json_doc *doc;
        hx_jpath top = {0};
        if (n < 0) return 0;
        sc->jsonl_line++;
        if ((size_t)n > HX_TRANSCRIPT_LINE_MAX) {
            hx_diags_add(d, file, sc->jsonl_line, 1, "", "line is %zd bytes, more than the limit of %u",
                         n, HX_TRANSCRIPT_LINE_MAX);
            return -1;
        }
        size_t k = 0;
        while (k < (size_t)n && isspace((unsigned char)sc->linebuf[k])) k++;
        if (k == (size_t)n) continue; /* blank lines are allowed */
        doc = calloc(1, sizeof *doc);
        if (!doc) return -1;
        if (hx_json_doc_parse(file, sc->jsonl_line, sc->linebuf, (size_t)n, doc, &err) != 0) {
            free(doc);
            hx_diags_add(d, "", 0, 0, "", "%s", err.msg);
            return -1;
        }
        if (from_json(doc, doc->root, &top, t, d, true) != 0) {
            hx_json_doc_free(doc);
            free(doc);
            return -1;
        }
        return finish(sc, t, d, doc);
    }
}

static int open_file(hx_tscan *sc, hx_diags *d)
{
    const char *file = sc->files[sc->fi];
    hx_error err;
    if (has_suffix(file, ".jsonl")) {
        sc->jsonl = fopen(file, "rb");
        sc->jsonl_line = 0;
        if (!sc->jsonl) {
            hx_diags_add(d, file, 0, 0, "", "cannot open: %s", strerror(errno));
            return -1;
        }
        return 0;
    }
    sc->doc = calloc(1, sizeof *sc->doc);
    if (!sc->doc) return -1;
    if (hx_json_doc_load(file, HX_TRANSCRIPT_FILE_MAX, sc->doc, &err) != 0) {
        free(sc->doc);
        sc->doc = NULL;
        if (strstr(err.msg, "more than the limit"))
            hx_diags_add(d, "", 0, 0, "", "%s; split it or use .jsonl (one transcript a line)", err.msg);
        else
            hx_diags_add(d, "", 0, 0, "", "%s", err.msg);
        return -1;
    }
    sc->arr_i = 0;
    sc->arr_n = cJSON_IsArray(sc->doc->root) ? cJSON_GetArraySize(sc->doc->root) : -1;
    return 0;
}

int hx_tscan_next(hx_tscan *sc, hx_transcript *t, hx_diags *d)
{
    memset(t, 0, sizeof *t);
    while (sc->fi < sc->nfiles) {
        if (!sc->jsonl && !sc->doc) {
            if (open_file(sc, d) != 0) { sc->fi++; return -1; }
        }
        if (sc->jsonl) {
            int rc = next_jsonl(sc, t, d);
            if (rc != 0) return rc;
        } else if (sc->arr_n < 0) {
            hx_jpath top = {0};
            sc->arr_n = 0; /* consumed */
            int rc = hx_transcript_from_json(sc->doc, sc->doc->root, &top, t, d);
            if (rc == 0) return finish(sc, t, d, NULL);
            return -1;
        } else if (sc->arr_i < sc->arr_n) {
            hx_jpath top = {0};
            hx_jpath q = hx_jpath_index(&top, sc->arr_i);
            const cJSON *o = cJSON_GetArrayItem(sc->doc->root, sc->arr_i++);
            if (hx_transcript_from_json(sc->doc, o, &q, t, d) == 0) return finish(sc, t, d, NULL);
            return -1;
        }
        close_current(sc);
        sc->fi++;
    }
    return 0;
}

size_t hx_tscan_count(const hx_tscan *sc)
{
    return sc->count;
}

void hx_tscan_close(hx_tscan *sc)
{
    if (!sc) return;
    close_current(sc);
    for (size_t i = 0; i < sc->nfiles; i++) free(sc->files[i]);
    free(sc->files);
    free(sc->linebuf);
    hx_strset_free(&sc->ids);
    free(sc);
}
