/*
 * json_doc.c — JSON files with positions (see json_doc.h).
 *
 * hx_json_locate is a tiny JSON scanner, independent of cJSON: it walks the
 * text following the path, skipping values it does not need. It assumes the
 * text already parsed (cJSON said so), so it can be forgiving.
 */
#include "json_doc.h"

#include <ctype.h>
#include <errno.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "strset.h"
#include "text.h"

int hx_read_file(const char *path, size_t max_bytes, char **text, size_t *len, hx_error *err)
{
    struct stat st;
    FILE *f;
    char *buf;
    size_t n;

    *text = NULL;
    *len = 0;
    if (stat(path, &st) != 0)
        return hx_fail(err, "%s: cannot open: %s", path, strerror(errno));
    if (S_ISDIR(st.st_mode))
        return hx_fail(err, "%s: is a directory, expected a file", path);
    if (st.st_size == 0)
        return hx_fail(err, "%s: file is empty", path);
    if ((unsigned long long)st.st_size > max_bytes)
        return hx_fail(err, "%s: file is %lld bytes, more than the limit of %zu bytes",
                       path, (long long)st.st_size, max_bytes);
    f = fopen(path, "rb");
    if (!f)
        return hx_fail(err, "%s: cannot open: %s", path, strerror(errno));
    buf = malloc((size_t)st.st_size + 1);
    if (!buf) {
        fclose(f);
        return hx_fail(err, "%s: out of memory reading %lld bytes", path, (long long)st.st_size);
    }
    n = fread(buf, 1, (size_t)st.st_size, f);
    if (ferror(f)) {
        int e = errno;
        fclose(f);
        free(buf);
        return hx_fail(err, "%s: read error: %s", path, strerror(e));
    }
    fclose(f);
    buf[n] = '\0';
    if (n == 0) {
        free(buf);
        return hx_fail(err, "%s: file is empty", path);
    }
    if (memchr(buf, '\0', n)) {
        int line, col;
        hx_line_col(buf, (size_t)((char *)memchr(buf, '\0', n) - buf), &line, &col);
        free(buf);
        return hx_fail(err, "%s:%d:%d: NUL byte in a text file", path, line, col);
    }
    *text = buf;
    *len = n;
    return 0;
}

static pthread_mutex_t g_parse_lock = PTHREAD_MUTEX_INITIALIZER;

cJSON *hx_json_parse_opts(const char *text, size_t len, const char **end, int require_nul)
{
    const char *stop = NULL;
    cJSON *root;
    pthread_mutex_lock(&g_parse_lock);
    root = cJSON_ParseWithLengthOpts(text, len, &stop, require_nul);
    if (!root && !stop) stop = cJSON_GetErrorPtr();
    pthread_mutex_unlock(&g_parse_lock);
    if (end) *end = stop;
    return root;
}

cJSON *hx_json_parse(const char *text)
{
    return text ? hx_json_parse_opts(text, strlen(text) + 1, NULL, 0) : NULL;
}

cJSON *hx_json_parse_len(const char *text, size_t len)
{
    return text ? hx_json_parse_opts(text, len, NULL, 0) : NULL;
}

static int only_space(const char *s, size_t len)
{
    for (size_t i = 0; i < len; i++)
        if (!isspace((unsigned char)s[i])) return 0;
    return 1;
}

int hx_json_doc_parse(const char *file, int line0, const char *text, size_t len,
                      hx_json_doc *doc, hx_error *err)
{
    size_t bad;
    const char *end = NULL;
    const char *nul;
    int line, col;

    memset(doc, 0, sizeof *doc);
    if (only_space(text, len))
        return hx_fail(err, "%s:%d: no JSON here (only white space)", file, line0);
    if ((nul = memchr(text, '\0', len))) {
        hx_line_col(text, (size_t)(nul - text), &line, &col);
        return hx_fail(err, "%s:%d:%d: NUL byte in JSON text", file, line + line0 - 1, col);
    }
    if (!hx_utf8_valid(text, len, &bad)) {
        hx_line_col(text, bad, &line, &col);
        return hx_fail(err, "%s:%d:%d: invalid UTF-8 (byte 0x%02X)", file,
                       line + line0 - 1, col, (unsigned char)text[bad]);
    }
    /* Keep our own NUL-terminated copy: positions are looked up in it later,
     * and cJSON's "require NUL termination" check reads text[len], which
     * must therefore be inside the length it is given. */
    doc->file = strdup(file);
    doc->text = malloc(len + 1);
    if (!doc->file || !doc->text) {
        hx_json_doc_free(doc);
        return hx_fail(err, "%s: out of memory", file);
    }
    memcpy(doc->text, text, len);
    doc->text[len] = '\0';
    doc->len = len;
    doc->line0 = line0;
    doc->root = hx_json_parse_opts(doc->text, len + 1, &end, 1);
    if (!doc->root) {
        size_t off = end && end >= doc->text ? (size_t)(end - doc->text) : 0;
        if (off > len) off = len;
        hx_line_col(doc->text, off, &line, &col);
        if (off >= len || only_space(doc->text + off, len - off)) {
            /* Point at the end of the last token, not past a final newline. */
            while (off > 0 && isspace((unsigned char)doc->text[off - 1])) off--;
            hx_line_col(doc->text, off, &line, &col);
        }
        if (off >= len || only_space(doc->text + off, len - off))
            hx_fail(err, "%s:%d:%d: malformed JSON: the text ends early (unclosed string, array or object?)",
                    file, line + line0 - 1, col);
        else
            hx_fail(err, "%s:%d:%d: malformed JSON near '%.20s'", file, line + line0 - 1, col,
                    doc->text + off);
        hx_json_doc_free(doc);
        return -1;
    }
    return 0;
}

int hx_json_doc_load(const char *path, size_t max_bytes, hx_json_doc *doc, hx_error *err)
{
    char *text;
    size_t len;
    int rc;
    memset(doc, 0, sizeof *doc);
    if (hx_read_file(path, max_bytes, &text, &len, err) != 0) return -1;
    rc = hx_json_doc_parse(path, 1, text, len, doc, err);
    free(text);
    return rc;
}

void hx_json_doc_free(hx_json_doc *doc)
{
    if (!doc) return;
    cJSON_Delete(doc->root);
    free(doc->text);
    free(doc->file);
    memset(doc, 0, sizeof *doc);
}

hx_jpath hx_jpath_key(const hx_jpath *p, const char *key)
{
    hx_jpath q = *p;
    if (q.n < HX_JPATH_MAX) {
        q.seg[q.n].key = key;
        q.seg[q.n].index = -1;
        q.n++;
    }
    return q;
}

hx_jpath hx_jpath_index(const hx_jpath *p, int index)
{
    hx_jpath q = *p;
    if (q.n < HX_JPATH_MAX) {
        q.seg[q.n].key = NULL;
        q.seg[q.n].index = index;
        q.n++;
    }
    return q;
}

static int plain_key(const char *k)
{
    if (!*k || isdigit((unsigned char)*k)) return 0;
    for (; *k; k++)
        if (!isalnum((unsigned char)*k) && *k != '_' && *k != '-') return 0;
    return 1;
}

void hx_jpath_render(const hx_jpath *p, char *buf, size_t cap)
{
    size_t used;
    if (cap == 0) return;
    snprintf(buf, cap, "$");
    for (int i = 0; i < p->n; i++) {
        used = strlen(buf);
        if (used + 1 >= cap) return;
        if (p->seg[i].key && plain_key(p->seg[i].key))
            snprintf(buf + used, cap - used, ".%s", p->seg[i].key);
        else if (p->seg[i].key)
            snprintf(buf + used, cap - used, "[\"%s\"]", p->seg[i].key);
        else
            snprintf(buf + used, cap - used, "[%d]", p->seg[i].index);
    }
}

/* --- the locating scanner ------------------------------------------------ */

typedef struct scan {
    const char *s;
    size_t i, len;
} scan;

static void skip_ws(scan *sc)
{
    while (sc->i < sc->len && isspace((unsigned char)sc->s[sc->i])) sc->i++;
}

static int hex4(const char *s, size_t avail, unsigned *out)
{
    unsigned v = 0;
    if (avail < 4) return -1;
    for (int i = 0; i < 4; i++) {
        char c = s[i];
        v <<= 4;
        if (c >= '0' && c <= '9') v |= (unsigned)(c - '0');
        else if (c >= 'a' && c <= 'f') v |= (unsigned)(c - 'a' + 10);
        else if (c >= 'A' && c <= 'F') v |= (unsigned)(c - 'A' + 10);
        else return -1;
    }
    *out = v;
    return 0;
}

/* At sc->i on the 'u' of a \uXXXX escape (surrogate pairs included):
 * consume it and write its UTF-8 form; returns the byte count. Keys are
 * compared after decoding, as cJSON compares them. */
static size_t decode_u_escape(scan *sc, char out[4])
{
    unsigned cp, lo;
    if (hex4(sc->s + sc->i + 1, sc->len - sc->i - 1, &cp) != 0) { sc->i++; return 0; }
    sc->i += 5;
    if (cp >= 0xD800 && cp <= 0xDBFF && sc->i + 6 <= sc->len && sc->s[sc->i] == '\\' &&
        sc->s[sc->i + 1] == 'u' && hex4(sc->s + sc->i + 2, sc->len - sc->i - 2, &lo) == 0 &&
        lo >= 0xDC00 && lo <= 0xDFFF) {
        cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
        sc->i += 6;
    }
    if (cp < 0x80) { out[0] = (char)cp; return 1; }
    if (cp < 0x800) { out[0] = (char)(0xC0 | (cp >> 6)); out[1] = (char)(0x80 | (cp & 0x3F)); return 2; }
    if (cp < 0x10000) {
        out[0] = (char)(0xE0 | (cp >> 12)); out[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
        out[2] = (char)(0x80 | (cp & 0x3F));
        return 3;
    }
    out[0] = (char)(0xF0 | (cp >> 18)); out[1] = (char)(0x80 | ((cp >> 12) & 0x3F));
    out[2] = (char)(0x80 | ((cp >> 6) & 0x3F)); out[3] = (char)(0x80 | (cp & 0x3F));
    return 4;
}

/* Skip a string starting at its opening quote; copy its (simply decoded)
 * content into out if out is non-NULL. */
static void skip_string(scan *sc, char *out, size_t cap)
{
    size_t k = 0;
    sc->i++; /* opening quote */
    while (sc->i < sc->len && sc->s[sc->i] != '"') {
        char c = sc->s[sc->i];
        if (c == '\\' && sc->i + 1 < sc->len) {
            sc->i++;
            c = sc->s[sc->i];
            switch (c) {
            case 'n': c = '\n'; break;
            case 't': c = '\t'; break;
            case 'r': c = '\r'; break;
            case 'b': c = '\b'; break;
            case 'f': c = '\f'; break;
            case 'u': {
                char utf8[4];
                size_t n = decode_u_escape(sc, utf8);
                for (size_t m = 0; m < n; m++)
                    if (out && k + 1 < cap) out[k++] = utf8[m];
                continue;
            }
            default: break;
            }
        }
        if (out && k + 1 < cap) out[k++] = c;
        sc->i++;
    }
    if (out && cap) out[k] = '\0';
    if (sc->i < sc->len) sc->i++; /* closing quote */
}

static void skip_value(scan *sc)
{
    int depth = 0;
    skip_ws(sc);
    do {
        if (sc->i >= sc->len) return;
        char c = sc->s[sc->i];
        if (c == '"') { skip_string(sc, NULL, 0); continue; }
        if (c == '{' || c == '[') depth++;
        else if (c == '}' || c == ']') depth--;
        else if (depth == 0 && (c == ',' )) return;
        sc->i++;
        if (depth == 0) {
            /* a scalar: run to the next delimiter */
            while (sc->i < sc->len && !strchr(",}] \t\r\n", sc->s[sc->i])) sc->i++;
            return;
        }
    } while (depth > 0);
}

/* Position sc at the value for segment seg of the container at sc->i.
 * Returns 0 if found. */
static int descend(scan *sc, const hx_jseg *seg)
{
    char key[512];
    skip_ws(sc);
    if (sc->i >= sc->len) return -1;
    if (seg->key && sc->s[sc->i] == '{') {
        sc->i++;
        for (;;) {
            skip_ws(sc);
            if (sc->i >= sc->len || sc->s[sc->i] != '"') return -1;
            skip_string(sc, key, sizeof key);
            skip_ws(sc);
            if (sc->i >= sc->len || sc->s[sc->i] != ':') return -1;
            sc->i++;
            skip_ws(sc);
            if (strcmp(key, seg->key) == 0) return 0;
            skip_value(sc);
            skip_ws(sc);
            if (sc->i < sc->len && sc->s[sc->i] == ',') { sc->i++; continue; }
            return -1;
        }
    }
    if (!seg->key && sc->s[sc->i] == '[') {
        sc->i++;
        for (int k = 0;; k++) {
            skip_ws(sc);
            if (sc->i >= sc->len || sc->s[sc->i] == ']') return -1;
            if (k == seg->index) return 0;
            skip_value(sc);
            skip_ws(sc);
            if (sc->i < sc->len && sc->s[sc->i] == ',') { sc->i++; continue; }
            return -1;
        }
    }
    return -1;
}

int hx_json_locate(const hx_json_doc *doc, const hx_jpath *p, int *line, int *col)
{
    scan sc = {doc->text, 0, doc->len};
    size_t found = 0;
    int rc = 0;
    skip_ws(&sc);
    found = sc.i;
    for (int k = 0; k < p->n; k++) {
        if (descend(&sc, &p->seg[k]) != 0) { rc = -1; break; }
        found = sc.i;
    }
    hx_line_col(doc->text, found, line, col);
    *line += doc->line0 - 1;
    return rc;
}

void hx_doc_diag(hx_diags *d, const hx_json_doc *doc, const hx_jpath *p,
                 const char *fmt, ...)
{
    char msg[1024], path[512];
    int line = 0, col = 0;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    hx_jpath_render(p, path, sizeof path);
    hx_json_locate(doc, p, &line, &col);
    hx_diags_add(d, doc->file, line, col, p->n ? path : "", "%s", msg);
}

void hx_json_describe(const cJSON *v, char *buf, size_t cap)
{
    if (!v) snprintf(buf, cap, "nothing");
    else if (cJSON_IsNull(v)) snprintf(buf, cap, "null");
    else if (cJSON_IsBool(v)) snprintf(buf, cap, "%s", cJSON_IsTrue(v) ? "true" : "false");
    else if (cJSON_IsNumber(v)) {
        /* the shortest form that reads back as the same double: 0.85, not
         * 0.84999999999999998 */
        char num[40];
        for (int prec = 1; prec <= 17; prec++) {
            snprintf(num, sizeof num, "%.*g", prec, v->valuedouble);
            if (strtod(num, NULL) == v->valuedouble) break;
        }
        snprintf(buf, cap, "the number %s", num);
    }
    else if (cJSON_IsString(v)) snprintf(buf, cap, "the string \"%.60s%s\"", v->valuestring,
                                         strlen(v->valuestring) > 60 ? "..." : "");
    else if (cJSON_IsArray(v)) snprintf(buf, cap, "an array");
    else if (cJSON_IsObject(v)) snprintf(buf, cap, "an object");
    else snprintf(buf, cap, "an invalid value");
}

/* Has a sibling before it in this object the same key? Objects are small
 * (a transcript's, a rule's), so comparing with the earlier keys costs less
 * than hashing them; large objects (a fuzzer's, a hostile file's) go
 * through a hash set instead, so the check stays linear. */
#define HX_DUP_LINEAR_MAX 32

static bool key_seen_before(const cJSON *first, const cJSON *it)
{
    for (const cJSON *o = first; o != it; o = o->next)
        if (strcmp(o->string, it->string) == 0) return true;
    return false;
}

int hx_json_check_duplicates(const hx_json_doc *doc, const cJSON *v, const hx_jpath *p,
                             hx_diags *d)
{
    const cJSON *it;
    int n = 0, i = 0;
    if (cJSON_IsObject(v)) {
        hx_strset seen = {0};
        int nkeys = cJSON_GetArraySize(v), hashed = nkeys > HX_DUP_LINEAR_MAX;
        cJSON_ArrayForEach(it, v) {
            bool dup = hashed ? hx_strset_add(&seen, it->string) == 0 : key_seen_before(v->child, it);
            /* The path is built only where it can be used: a problem here,
             * or a container that may hold one. */
            if (!dup && !cJSON_IsObject(it) && !cJSON_IsArray(it)) continue;
            hx_jpath q = hx_jpath_key(p, it->string);
            if (dup) {
                /* locate finds the first occurrence; say which it is */
                hx_doc_diag(d, doc, &q, "key \"%s\" appears twice in this object; keep one", it->string);
                n++;
            }
            n += hx_json_check_duplicates(doc, it, &q, d);
        }
        hx_strset_free(&seen);
    } else if (cJSON_IsArray(v)) {
        cJSON_ArrayForEach(it, v) {
            if (!cJSON_IsObject(it) && !cJSON_IsArray(it)) { i++; continue; }
            hx_jpath q = hx_jpath_index(p, i++);
            n += hx_json_check_duplicates(doc, it, &q, d);
        }
    }
    return n;
}
