/*
 * chat_adapter.c — DSPy's ChatAdapter, byte for byte (see chat_adapter.h).
 *
 * DSPy builds prompts with Python string operations, so parity is a matter
 * of doing exactly what Python does: str.strip() with Unicode whitespace,
 * str.splitlines() with its eleven line breaks, inspect.cleandoc and
 * textwrap.dedent on the instructions, repr(float), json.dumps with its
 * ", " separators, pydantic's JSON schemas. Those primitives come first in
 * this file; the prompt pieces (system message, demos, user messages) are
 * built from them in the order DSPy's Adapter.format calls them, with the
 * parts that JSONAdapter overrides behind an hx_ad_style. Parsing replies
 * (the [[ ## name ## ]] sections) is at the end; converting section text to
 * typed values is shared with JSON mode and lives in json_adapter.c.
 *
 * Strings are UTF-8 throughout. Python counts in code points where it
 * slices, so the few places that slice (cleandoc's margin, the parse
 * quirk) decode code points; everything else works on bytes.
 */
#include "chat_adapter.h"

#define PCRE2_CODE_UNIT_WIDTH 8
#include <math.h>
#include <pcre2.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "json_adapter.h"
#include "text.h"

/* ------------------------------------------------------------------ */
/* Growable strings                                                   */
/* ------------------------------------------------------------------ */

static bool buf_reserve(hx_buf *b, size_t extra)
{
    size_t need, cap;
    char *p;
    if (b->oom) return false;
    need = b->len + extra + 1;
    if (need <= b->cap) return true;
    cap = b->cap ? b->cap : 64;
    while (cap < need) cap *= 2;
    p = realloc(b->s, cap);
    if (!p) {
        b->oom = true;
        return false;
    }
    b->s = p;
    b->cap = cap;
    return true;
}

void hx_buf_putn(hx_buf *b, const char *s, size_t n)
{
    if (!buf_reserve(b, n)) return;
    if (n) memcpy(b->s + b->len, s, n);
    b->len += n;
    b->s[b->len] = '\0';
}

void hx_buf_put(hx_buf *b, const char *s)
{
    hx_buf_putn(b, s, strlen(s));
}

void hx_buf_putc(hx_buf *b, char c)
{
    hx_buf_putn(b, &c, 1);
}

void hx_buf_printf(hx_buf *b, const char *fmt, ...)
{
    va_list ap;
    int n;
    va_start(ap, fmt);
    n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    if (n < 0 || !buf_reserve(b, (size_t)n)) return;
    va_start(ap, fmt);
    vsnprintf(b->s + b->len, (size_t)n + 1, fmt, ap);
    va_end(ap);
    b->len += (size_t)n;
}

char *hx_buf_take(hx_buf *b)
{
    char *s;
    if (b->oom) {
        hx_buf_free(b);
        return NULL;
    }
    if (!b->s) {
        if (!buf_reserve(b, 0)) return NULL;
        b->s[0] = '\0';
    }
    s = b->s;
    b->s = NULL;
    b->len = b->cap = 0;
    return s;
}

void hx_buf_free(hx_buf *b)
{
    free(b->s);
    memset(b, 0, sizeof *b);
}

/* Append s stripped as Python's str.strip() would. */
static void buf_put_stripped(hx_buf *b, const char *s, size_t len)
{
    size_t st, en;
    hx_py_strip_span(s, len, &st, &en);
    hx_buf_putn(b, s + st, en - st);
}

/* ------------------------------------------------------------------ */
/* Python text primitives                                             */
/* ------------------------------------------------------------------ */

/* Decode the code point at s[*i] (len bytes in all) and advance. A byte
 * that does not start a well-formed sequence decodes as itself + 0xDC00
 * (Python's surrogateescape idea): never whitespace, never a line break. */
static uint32_t u8_next(const char *s, size_t len, size_t *i)
{
    const unsigned char *p = (const unsigned char *)s + *i;
    size_t left = len - *i;
    uint32_t c = p[0], lo = 0x80, hi = 0xBF;
    size_t n = 0;
    if (c < 0x80) { *i += 1; return c; }
    if (c >= 0xC2 && c <= 0xDF) { n = 1; c &= 0x1F; }
    else if (c >= 0xE0 && c <= 0xEF) {
        n = 2;
        if (c == 0xE0) lo = 0xA0;      /* no overlongs */
        if (c == 0xED) hi = 0x9F;      /* no surrogates */
        c &= 0x0F;
    } else if (c >= 0xF0 && c <= 0xF4) {
        n = 3;
        if (c == 0xF0) lo = 0x90;
        if (c == 0xF4) hi = 0x8F;      /* nothing above U+10FFFF */
        c &= 0x07;
    }
    if (n == 0 || left <= n || p[1] < lo || p[1] > hi) { *i += 1; return 0xDC00 + p[0]; }
    for (size_t k = 1; k <= n; k++) {
        if ((p[k] & 0xC0) != 0x80) { *i += 1; return 0xDC00 + p[0]; }
        c = (c << 6) | (p[k] & 0x3F);
    }
    *i += n + 1;
    return c;
}

/* str.isspace() for one code point. */
static bool py_isspace(uint32_t c)
{
    if (c == ' ' || (c >= 0x09 && c <= 0x0D) || (c >= 0x1C && c <= 0x1F)) return true;
    if (c < 0x85) return false;
    return c == 0x85 || c == 0xA0 || c == 0x1680 || (c >= 0x2000 && c <= 0x200A) ||
           c == 0x2028 || c == 0x2029 || c == 0x202F || c == 0x205F || c == 0x3000;
}

/* The line boundaries of str.splitlines() (besides the \r\n pair). */
static bool py_islinebreak(uint32_t c)
{
    return c == '\n' || c == '\r' || c == 0x0B || c == 0x0C || c == 0x1C || c == 0x1D ||
           c == 0x1E || c == 0x85 || c == 0x2028 || c == 0x2029;
}

void hx_py_strip_span(const char *s, size_t len, size_t *start, size_t *end)
{
    size_t i = 0, st = len, en = len;
    bool seen = false;
    while (i < len) {
        size_t at = i;
        uint32_t c = u8_next(s, len, &i);
        if (py_isspace(c)) continue;
        if (!seen) { st = at; seen = true; }
        en = i;
    }
    if (!seen) st = en = 0;
    *start = st;
    *end = en;
}

typedef struct span {
    size_t off, len;
} span;

/* str.splitlines(): the lines of s without their breaks. Returns the count
 * and an owned array in *out (NULL when there are no lines), or -1. */
static long py_splitlines(const char *s, size_t len, span **out)
{
    size_t i = 0, start = 0, n = 0, cap = 0;
    span *v = NULL;
    *out = NULL;
    while (i < len) {
        size_t at = i;
        uint32_t c = u8_next(s, len, &i);
        if (!py_islinebreak(c)) continue;
        if (n == cap) {
            span *nv = realloc(v, (cap = cap ? cap * 2 : 16) * sizeof *v);
            if (!nv) { free(v); return -1; }
            v = nv;
        }
        v[n].off = start;
        v[n].len = at - start;
        n++;
        if (c == '\r' && i < len && s[i] == '\n') i++;
        start = i;
    }
    if (start < len) {
        span *nv = realloc(v, (n + 1) * sizeof *v);
        if (!nv) { free(v); return -1; }
        v = nv;
        v[n].off = start;
        v[n].len = len - start;
        n++;
    }
    *out = v;
    return (long)n;
}

/* Code points as an array, for the operations Python does by index. */
typedef struct cps {
    uint32_t *c;
    size_t n;
} cps;

static int cps_decode(const char *s, cps *out)
{
    size_t len = strlen(s), i = 0;
    out->n = 0;
    out->c = malloc((len + 1) * sizeof *out->c);
    if (!out->c) return -1;
    while (i < len) out->c[out->n++] = u8_next(s, len, &i);
    return 0;
}

static void cps_encode_one(hx_buf *b, uint32_t c)
{
    char u[4];
    if (c >= 0xDC80 && c <= 0xDCFF) { hx_buf_putc(b, (char)(c - 0xDC00)); return; }
    if (c < 0x80) { hx_buf_putc(b, (char)c); return; }
    if (c < 0x800) {
        u[0] = (char)(0xC0 | (c >> 6)); u[1] = (char)(0x80 | (c & 0x3F));
        hx_buf_putn(b, u, 2);
    } else if (c < 0x10000) {
        u[0] = (char)(0xE0 | (c >> 12)); u[1] = (char)(0x80 | ((c >> 6) & 0x3F));
        u[2] = (char)(0x80 | (c & 0x3F));
        hx_buf_putn(b, u, 3);
    } else {
        u[0] = (char)(0xF0 | (c >> 18)); u[1] = (char)(0x80 | ((c >> 12) & 0x3F));
        u[2] = (char)(0x80 | ((c >> 6) & 0x3F)); u[3] = (char)(0x80 | (c & 0x3F));
        hx_buf_putn(b, u, 4);
    }
}

/* expandtabs(8): the column restarts after \n and \r. */
static int py_expandtabs(const cps *in, cps *out)
{
    size_t col = 0, n = 0;
    for (size_t i = 0; i < in->n; i++) n += in->c[i] == '\t' ? 8 : 1;
    out->n = 0;
    out->c = malloc((n + 1) * sizeof *out->c);
    if (!out->c) return -1;
    for (size_t i = 0; i < in->n; i++) {
        uint32_t c = in->c[i];
        if (c == '\t') {
            for (size_t k = 8 - col % 8; k > 0; k--) { out->c[out->n++] = ' '; col++; }
            continue;
        }
        out->c[out->n++] = c;
        col = (c == '\n' || c == '\r') ? 0 : col + 1;
    }
    return 0;
}

/* inspect.cleandoc (CPython 3.11): expand tabs, split on \n, drop the
 * common indentation of lines 2.., lstrip line 1, drop leading and
 * trailing empty lines. Signature.instructions returns this. */
static char *py_cleandoc(const char *doc)
{
    cps raw, in;
    hx_buf out = {0};
    size_t nl = 0, margin = SIZE_MAX, first, last;
    span *lines;
    if (cps_decode(doc, &raw) != 0) return NULL;
    if (py_expandtabs(&raw, &in) != 0) { free(raw.c); return NULL; }
    free(raw.c);
    for (size_t i = 0; i < in.n; i++) nl += in.c[i] == '\n';
    lines = calloc(nl + 1, sizeof *lines);
    if (!lines) { free(in.c); return NULL; }
    for (size_t i = 0, k = 0, st = 0; i <= in.n; i++) {
        if (i == in.n || in.c[i] == '\n') {
            lines[k].off = st;
            lines[k].len = i - st;
            k++;
            st = i + 1;
        }
    }
    for (size_t k = 1; k <= nl; k++) {
        size_t ws = 0;
        while (ws < lines[k].len && py_isspace(in.c[lines[k].off + ws])) ws++;
        if (ws < lines[k].len && ws < margin) margin = ws;
    }
    while (lines[0].len && py_isspace(in.c[lines[0].off])) { lines[0].off++; lines[0].len--; }
    if (margin != SIZE_MAX) {
        for (size_t k = 1; k <= nl; k++) {
            size_t cut = margin < lines[k].len ? margin : lines[k].len;
            lines[k].off += cut;
            lines[k].len -= cut;
        }
    }
    first = 0;
    last = nl + 1; /* one past the last line kept */
    while (last > 0 && lines[last - 1].len == 0) last--;
    while (first < last && lines[first].len == 0) first++;
    for (size_t k = first; k < last; k++) {
        if (k > first) hx_buf_putc(&out, '\n');
        for (size_t j = 0; j < lines[k].len; j++) cps_encode_one(&out, in.c[lines[k].off + j]);
    }
    free(lines);
    free(in.c);
    return hx_buf_take(&out);
}

/* textwrap.dedent: blank lines made of spaces/tabs only, then remove the
 * common leading [ \t]* of the other lines. Lines are \n-separated here,
 * as dedent's regexes see them. */
static char *py_dedent(const char *text)
{
    hx_buf blanked = {0}, out = {0};
    const char *p = text, *margin = NULL;
    size_t mlen = 0;
    bool have = false;
    /* pass 1: blank whitespace-only lines */
    while (*p) {
        const char *e = strchr(p, '\n');
        size_t n = e ? (size_t)(e - p) : strlen(p), k = 0;
        while (k < n && (p[k] == ' ' || p[k] == '\t')) k++;
        if (!(k == n && n > 0)) hx_buf_putn(&blanked, p, n);
        if (e) hx_buf_putc(&blanked, '\n');
        p += n + (e ? 1 : 0);
    }
    if (!blanked.s) return hx_buf_take(&blanked);
    /* pass 2: the common margin of lines with content */
    for (p = blanked.s; *p;) {
        const char *e = strchr(p, '\n');
        size_t n = e ? (size_t)(e - p) : strlen(p), k = 0;
        while (k < n && (p[k] == ' ' || p[k] == '\t')) k++;
        if (k < n) {
            if (!have) { margin = p; mlen = k; have = true; }
            else {
                size_t j = 0;
                while (j < mlen && j < k && margin[j] == p[j]) j++;
                mlen = j;
            }
        }
        p += n + (e ? 1 : 0);
    }
    if (!have || mlen == 0) return hx_buf_take(&blanked);
    for (p = blanked.s; *p;) {
        const char *e = strchr(p, '\n');
        size_t n = e ? (size_t)(e - p) : strlen(p);
        if (n >= mlen && memcmp(p, margin, mlen) == 0) hx_buf_putn(&out, p + mlen, n - mlen);
        else hx_buf_putn(&out, p, n);
        if (e) hx_buf_putc(&out, '\n');
        p += n + (e ? 1 : 0);
    }
    hx_buf_free(&blanked);
    return hx_buf_take(&out);
}

void hx_py_float_repr(double x, char out[32])
{
    char buf[40], digits[24];
    int exp10, nd = 0, decpt, pos = 0;
    const char *p;
    if (isnan(x)) { snprintf(out, 32, "nan"); return; }
    if (isinf(x)) { snprintf(out, 32, x < 0 ? "-inf" : "inf"); return; }
    if (x == 0) { snprintf(out, 32, signbit(x) ? "-0.0" : "0.0"); return; }
    for (int prec = 1; prec <= 17; prec++) {
        snprintf(buf, sizeof buf, "%.*e", prec - 1, x);
        if (strtod(buf, NULL) == x) break;
    }
    p = buf;
    if (*p == '-') out[pos++] = *p++;
    for (; *p && *p != 'e'; p++)
        if (*p != '.') digits[nd++] = *p;
    exp10 = atoi(p + 1);
    while (nd > 1 && digits[nd - 1] == '0') nd--;
    digits[nd] = '\0';
    decpt = exp10 + 1;
    if (decpt > -4 && decpt <= 16) {
        if (decpt <= 0) {
            pos += snprintf(out + pos, (size_t)(32 - pos), "0.");
            for (int k = 0; k < -decpt; k++) out[pos++] = '0';
            snprintf(out + pos, (size_t)(32 - pos), "%s", digits);
        } else if (decpt >= nd) {
            pos += snprintf(out + pos, (size_t)(32 - pos), "%s", digits);
            for (int k = 0; k < decpt - nd; k++) out[pos++] = '0';
            snprintf(out + pos, (size_t)(32 - pos), ".0");
        } else {
            snprintf(out + pos, (size_t)(32 - pos), "%.*s.%s", decpt, digits, digits + decpt);
        }
    } else {
        int e = decpt - 1;
        if (nd > 1) pos += snprintf(out + pos, (size_t)(32 - pos), "%c.%s", digits[0], digits + 1);
        else pos += snprintf(out + pos, (size_t)(32 - pos), "%c", digits[0]);
        snprintf(out + pos, (size_t)(32 - pos), "e%c%02d", e < 0 ? '-' : '+', e < 0 ? -e : e);
    }
}

/* Numbers: Python keeps int and float apart, cJSON does not. json_adapter.c
 * parses replies itself and leaves the literal's text in valuestring, which
 * settles it; for other numbers an integral value below 2^53 is an int
 * (except -0.0: JSON writers emit -0 only for floats). */
bool hx_py_number_is_int(const cJSON *v)
{
    double d = v->valuedouble;
    if (v->valuestring) return strpbrk(v->valuestring, ".eEnNiI") == NULL;
    return isfinite(d) && d == floor(d) && fabs(d) < 9007199254740992.0 && !(d == 0 && signbit(d));
}

static void py_number(hx_buf *b, const cJSON *v)
{
    char f[32];
    if (hx_py_number_is_int(v)) {
        if (v->valuestring) {
            /* the literal itself, minus JSON's leading '-0' quirks */
            const char *s = v->valuestring;
            bool neg = *s == '-';
            if (*s == '-' || *s == '+') s++;
            while (s[0] == '0' && s[1]) s++;
            if (neg && strcmp(s, "0") != 0) hx_buf_putc(b, '-');
            hx_buf_put(b, s);
        } else {
            hx_buf_printf(b, "%.0f", v->valuedouble == 0 ? 0.0 : v->valuedouble);
        }
        return;
    }
    hx_py_float_repr(v->valuedouble, f);
    hx_buf_put(b, f);
}

/* A JSON string with json.dumps(ensure_ascii=False) escapes. */
static void py_json_string(hx_buf *b, const char *s)
{
    hx_buf_putc(b, '"');
    for (; *s; s++) {
        unsigned char c = (unsigned char)*s;
        switch (c) {
        case '"': hx_buf_put(b, "\\\""); break;
        case '\\': hx_buf_put(b, "\\\\"); break;
        case '\n': hx_buf_put(b, "\\n"); break;
        case '\r': hx_buf_put(b, "\\r"); break;
        case '\t': hx_buf_put(b, "\\t"); break;
        case '\b': hx_buf_put(b, "\\b"); break;
        case '\f': hx_buf_put(b, "\\f"); break;
        default:
            if (c < 0x20) hx_buf_printf(b, "\\u%04x", c);
            else hx_buf_putc(b, (char)c);
        }
    }
    hx_buf_putc(b, '"');
}

static void py_json_indent(hx_buf *b, int indent, int depth)
{
    hx_buf_putc(b, '\n');
    for (int k = 0; k < indent * depth; k++) hx_buf_putc(b, ' ');
}

/* The value of key in object o as Python's json.loads sees it: with a key
 * repeated, the last value wins. */
const cJSON *hx_ad_obj_get(const cJSON *o, const char *key)
{
    const cJSON *it, *found = NULL;
    cJSON_ArrayForEach(it, o)
        if (it->string && strcmp(it->string, key) == 0) found = it;
    return found;
}

/* Whether an object member is the one json.loads keeps (first position,
 * last value): emit it at the first occurrence, with the last value. */
static bool obj_first_of_key(const cJSON *o, const cJSON *member)
{
    const cJSON *it;
    cJSON_ArrayForEach(it, o) {
        if (it == member) return true;
        if (it->string && strcmp(it->string, member->string) == 0) return false;
    }
    return true;
}

static void py_json_dumps_at(hx_buf *b, const cJSON *v, int indent, int depth)
{
    const cJSON *it;
    bool first = true;
    if (cJSON_IsString(v)) { py_json_string(b, v->valuestring); return; }
    if (cJSON_IsNumber(v)) {
        if (!hx_py_number_is_int(v) && !isfinite(v->valuedouble))
            hx_buf_put(b, isnan(v->valuedouble) ? "NaN" : v->valuedouble < 0 ? "-Infinity" : "Infinity");
        else
            py_number(b, v);
        return;
    }
    if (cJSON_IsTrue(v)) { hx_buf_put(b, "true"); return; }
    if (cJSON_IsFalse(v)) { hx_buf_put(b, "false"); return; }
    if (cJSON_IsArray(v) || cJSON_IsObject(v)) {
        bool obj = cJSON_IsObject(v);
        if (!v->child) { hx_buf_put(b, obj ? "{}" : "[]"); return; }
        hx_buf_putc(b, obj ? '{' : '[');
        cJSON_ArrayForEach(it, v) {
            const cJSON *val = it;
            if (obj) {
                if (!obj_first_of_key(v, it)) continue;
                val = hx_ad_obj_get(v, it->string);
            }
            if (!first) hx_buf_putc(b, ',');
            if (indent >= 0) py_json_indent(b, indent, depth + 1);
            else if (!first) hx_buf_putc(b, ' ');
            first = false;
            if (obj) {
                py_json_string(b, it->string);
                hx_buf_put(b, ": ");
            }
            py_json_dumps_at(b, val, indent, depth + 1);
        }
        if (indent >= 0) py_json_indent(b, indent, depth);
        hx_buf_putc(b, obj ? '}' : ']');
        return;
    }
    hx_buf_put(b, "null");
}

void hx_py_json_dumps(hx_buf *b, const cJSON *v, int indent)
{
    py_json_dumps_at(b, v, indent, 0);
}

/* Code points repr() escapes beyond ASCII controls: str.isprintable() is
 * false for separators other than ' ', for format and private-use
 * characters, and for C1 controls. This covers the ones that occur in
 * text; unassigned code points are printed raw (Python would escape). */
static bool py_unprintable(uint32_t c)
{
    if (c < 0x20 || c == 0x7F) return true;
    if (c < 0x80) return false;
    if (c >= 0xDC80 && c <= 0xDCFF) return true;
    return (c <= 0xA0) || c == 0xAD || c == 0x061C || c == 0x1680 || c == 0x180E ||
           (c >= 0x2000 && c <= 0x200F) || (c >= 0x2028 && c <= 0x202F) ||
           (c >= 0x205F && c <= 0x206F) || c == 0x3000 || c == 0xFEFF ||
           (c >= 0xE000 && c <= 0xF8FF) || (c >= 0xFFF9 && c <= 0xFFFB) ||
           (c >= 0xE0000 && c <= 0xE007F) || c >= 0xF0000;
}

/* repr(str). */
static void py_repr_string(hx_buf *b, const char *s)
{
    size_t len = strlen(s), i = 0;
    char q = (strchr(s, '\'') && !strchr(s, '"')) ? '"' : '\'';
    hx_buf_putc(b, q);
    while (i < len) {
        uint32_t c = u8_next(s, len, &i);
        if (c == (uint32_t)q || c == '\\') { hx_buf_putc(b, '\\'); hx_buf_putc(b, (char)c); }
        else if (c == '\n') hx_buf_put(b, "\\n");
        else if (c == '\r') hx_buf_put(b, "\\r");
        else if (c == '\t') hx_buf_put(b, "\\t");
        else if (c >= 0xDC80 && c <= 0xDCFF) hx_buf_printf(b, "\\udc%02x", (unsigned)(c & 0xFF));
        else if (py_unprintable(c)) {
            if (c <= 0xFF) hx_buf_printf(b, "\\x%02x", (unsigned)c);
            else if (c <= 0xFFFF) hx_buf_printf(b, "\\u%04x", (unsigned)c);
            else hx_buf_printf(b, "\\U%08x", (unsigned)c);
        } else cps_encode_one(b, c);
    }
    hx_buf_putc(b, q);
}

/* repr() of a JSON value as Python holds it. */
static void py_repr(hx_buf *b, const cJSON *v)
{
    const cJSON *it;
    bool first = true;
    if (cJSON_IsString(v)) { py_repr_string(b, v->valuestring); return; }
    if (cJSON_IsArray(v) || cJSON_IsObject(v)) {
        bool obj = cJSON_IsObject(v);
        hx_buf_putc(b, obj ? '{' : '[');
        cJSON_ArrayForEach(it, v) {
            if (obj && !obj_first_of_key(v, it)) continue;
            if (!first) hx_buf_put(b, ", ");
            first = false;
            if (obj) {
                py_repr_string(b, it->string);
                hx_buf_put(b, ": ");
                py_repr(b, hx_ad_obj_get(v, it->string));
            } else {
                py_repr(b, it);
            }
        }
        hx_buf_putc(b, obj ? '}' : ']');
        return;
    }
    hx_py_str(b, v);
}

void hx_py_str(hx_buf *b, const cJSON *v)
{
    if (cJSON_IsString(v)) hx_buf_put(b, v->valuestring);
    else if (cJSON_IsNumber(v)) py_number(b, v);
    else if (cJSON_IsTrue(v)) hx_buf_put(b, "True");
    else if (cJSON_IsFalse(v)) hx_buf_put(b, "False");
    else if (cJSON_IsArray(v) || cJSON_IsObject(v)) py_repr(b, v);
    else hx_buf_put(b, "None");
}

/* ------------------------------------------------------------------ */
/* Types: names, JSON schemas, placeholders                           */
/* ------------------------------------------------------------------ */

static const hx_type STR_TYPE = {HX_TY_STR, NULL, NULL, 0};

/* typing collapses Optional[Optional[T]] to Optional[T]. */
static const hx_type *optional_inner(const hx_type *t)
{
    while (t->kind == HX_TY_OPTIONAL && t->inner) t = t->inner;
    return t;
}

bool hx_ad_type_is_str(const hx_type *t)
{
    return t->kind == HX_TY_STR;
}

/* typing.Literal drops repeated values: skip a value seen earlier. */
static bool literal_repeated(const hx_type *t, size_t i)
{
    for (size_t k = 0; k < i; k++)
        if (strcmp(t->literals[k], t->literals[i]) == 0) return true;
    return false;
}

static size_t literal_count(const hx_type *t)
{
    size_t n = 0;
    for (size_t i = 0; i < t->nliterals; i++) n += !literal_repeated(t, i);
    return n;
}

/* _quoted_string_for_literal_type_annotation */
static void literal_quoted(hx_buf *b, const char *s)
{
    bool sq = strchr(s, '\'') != NULL, dq = strchr(s, '"') != NULL;
    if (sq && !dq) { hx_buf_printf(b, "\"%s\"", s); return; }
    hx_buf_putc(b, '\'');
    for (; *s; s++) {
        if (*s == '\'') hx_buf_put(b, "\\'");
        else hx_buf_putc(b, *s);
    }
    hx_buf_putc(b, '\'');
}

void hx_ad_type_name(hx_buf *b, const hx_type *t)
{
    bool first = true;
    switch (t->kind) {
    case HX_TY_STR: hx_buf_put(b, "str"); return;
    case HX_TY_INT: hx_buf_put(b, "int"); return;
    case HX_TY_FLOAT: hx_buf_put(b, "float"); return;
    case HX_TY_BOOL: hx_buf_put(b, "bool"); return;
    case HX_TY_LIST:
        hx_buf_put(b, "list[");
        hx_ad_type_name(b, t->inner);
        hx_buf_putc(b, ']');
        return;
    case HX_TY_OPTIONAL:
        hx_buf_put(b, "Union[");
        hx_ad_type_name(b, optional_inner(t));
        hx_buf_put(b, ", NoneType]");
        return;
    case HX_TY_LITERAL:
        hx_buf_put(b, "Literal[");
        for (size_t i = 0; i < t->nliterals; i++) {
            if (literal_repeated(t, i)) continue;
            if (!first) hx_buf_put(b, ", ");
            first = false;
            literal_quoted(b, t->literals[i]);
        }
        hx_buf_putc(b, ']');
        return;
    }
}

static void schema_type(cJSON *o, const char *name)
{
    cJSON_AddStringToObject(o, "type", name);
}

/* Schema keys in pydantic's order (alphabetical) or DSPy's note order
 * ("type" first, then alphabetical). The keys used here sort as
 * anyOf < const < enum < items < title < type. */
static cJSON *schema_build(const hx_type *t, bool type_first, const char *title)
{
    cJSON *o = cJSON_CreateObject(), *arr;
    const char *tn = NULL;
    if (!o) return NULL;
    switch (t->kind) {
    case HX_TY_STR: tn = "string"; break;
    case HX_TY_INT: tn = "integer"; break;
    case HX_TY_FLOAT: tn = "number"; break;
    case HX_TY_BOOL: tn = "boolean"; break;
    case HX_TY_LITERAL: tn = "string"; break;
    case HX_TY_LIST: tn = "array"; break;
    case HX_TY_OPTIONAL: tn = NULL; break;
    }
    if (tn && type_first) schema_type(o, tn);
    if (t->kind == HX_TY_OPTIONAL) {
        cJSON *null_s = cJSON_CreateObject();
        arr = cJSON_AddArrayToObject(o, "anyOf");
        if (arr) cJSON_AddItemToArray(arr, schema_build(optional_inner(t), type_first, NULL));
        if (null_s) schema_type(null_s, "null");
        if (arr) cJSON_AddItemToArray(arr, null_s);
        else cJSON_Delete(null_s);
    } else if (t->kind == HX_TY_LITERAL) {
        if (literal_count(t) == 1) {
            cJSON_AddStringToObject(o, "const", t->literals[0]);
        } else {
            arr = cJSON_AddArrayToObject(o, "enum");
            for (size_t i = 0; arr && i < t->nliterals; i++)
                if (!literal_repeated(t, i)) cJSON_AddItemToArray(arr, cJSON_CreateString(t->literals[i]));
        }
    } else if (t->kind == HX_TY_LIST) {
        cJSON_AddItemToObject(o, "items", schema_build(t->inner, type_first, NULL));
    }
    if (title) cJSON_AddStringToObject(o, "title", title);
    if (tn && !type_first) schema_type(o, tn);
    return o;
}

cJSON *hx_ad_type_schema(const hx_type *t, bool type_first)
{
    return schema_build(t, type_first, NULL);
}

cJSON *hx_ad_property_schema(const hx_type *t, const char *title)
{
    return schema_build(t, false, title);
}

void hx_ad_placeholder(hx_buf *b, const hx_ad_field *f, bool is_output)
{
    const hx_type *t = f->type;
    hx_buf_printf(b, "{%s}", f->name);
    if (!is_output || t->kind == HX_TY_STR) return;
    hx_buf_put(b, "        # note: the value you produce ");
    if (t->kind == HX_TY_BOOL) {
        hx_buf_put(b, "must be True or False");
    } else if (t->kind == HX_TY_INT || t->kind == HX_TY_FLOAT) {
        hx_buf_printf(b, "must be a single %s value", t->kind == HX_TY_INT ? "int" : "float");
    } else if (t->kind == HX_TY_LITERAL) {
        bool first = true;
        hx_buf_put(b, "must exactly match (no extra characters) one of: ");
        for (size_t i = 0; i < t->nliterals; i++) {
            if (literal_repeated(t, i)) continue;
            if (!first) hx_buf_put(b, "; ");
            first = false;
            hx_buf_put(b, t->literals[i]);
        }
    } else {
        cJSON *s = hx_ad_type_schema(t, true);
        hx_buf_put(b, "must adhere to the JSON schema: ");
        if (!s) { b->oom = true; return; }
        hx_py_json_dumps(b, s, -1);
        cJSON_Delete(s);
    }
}

/* ------------------------------------------------------------------ */
/* Values                                                             */
/* ------------------------------------------------------------------ */

/* _format_blob: «text», or a «««/»»» block when it holds a line break or
 * guillemets. */
static void format_blob(hx_buf *b, const char *s)
{
    if (!strchr(s, '\n') && !strstr(s, "\xc2\xab") && !strstr(s, "\xc2\xbb")) {
        hx_buf_printf(b, "\xc2\xab%s\xc2\xbb", s);
        return;
    }
    hx_buf_put(b, "\xc2\xab\xc2\xab\xc2\xab\n    ");
    for (; *s; s++) {
        if (*s == '\n') hx_buf_put(b, "\n    ");
        else hx_buf_putc(b, *s);
    }
    hx_buf_put(b, "\n\xc2\xbb\xc2\xbb\xc2\xbb");
}

/* A non-string list item reaches `"\n" in item` in DSPy: numbers, bools
 * and None raise TypeError, containers holding one of the three marker
 * strings reach .replace() and raise AttributeError; other containers are
 * wrapped as «repr». */
static int format_blob_item(hx_buf *b, const cJSON *item, hx_error *err)
{
    const cJSON *it;
    if (cJSON_IsString(item)) { format_blob(b, item->valuestring); return 0; }
    if (!cJSON_IsArray(item) && !cJSON_IsObject(item))
        return hx_fail(err, "a list given for a `str` field holds a non-string item; DSPy cannot format it (TypeError)");
    cJSON_ArrayForEach(it, item) {
        const char *s = cJSON_IsObject(item) ? it->string : cJSON_IsString(it) ? it->valuestring : NULL;
        if (s && (!strcmp(s, "\n") || !strcmp(s, "\xc2\xab") || !strcmp(s, "\xc2\xbb")))
            return hx_fail(err, "a list given for a `str` field holds a container DSPy cannot format (AttributeError)");
    }
    hx_buf_put(b, "\xc2\xab");
    py_repr(b, item);
    hx_buf_put(b, "\xc2\xbb");
    return 0;
}

int hx_ad_format_value(hx_buf *b, const hx_type *t, const cJSON *v, hx_error *err)
{
    if (cJSON_IsArray(v) && hx_ad_type_is_str(t)) {
        const cJSON *it;
        int n = cJSON_GetArraySize(v), k = 0;
        if (n == 0) { hx_buf_put(b, "N/A"); return 0; }
        if (n == 1) return format_blob_item(b, v->child, err);
        cJSON_ArrayForEach(it, v) {
            if (k) hx_buf_putc(b, '\n');
            hx_buf_printf(b, "[%d] ", ++k);
            if (format_blob_item(b, it, err) != 0) return -1;
        }
        return 0;
    }
    if (cJSON_IsArray(v) || cJSON_IsObject(v)) hx_py_json_dumps(b, v, -1);
    else hx_py_str(b, v);
    return 0;
}

/* ------------------------------------------------------------------ */
/* The signature view                                                 */
/* ------------------------------------------------------------------ */

/* The description DSPy shows: "" for the `${name}` placeholder. */
static const char *shown_desc(const char *desc, const char *name)
{
    size_t n;
    if (!desc) return "";
    n = strlen(name);
    if (desc[0] == '$' && desc[1] == '{' && strncmp(desc + 2, name, n) == 0 &&
        desc[2 + n] == '}' && desc[3 + n] == '\0')
        return "";
    return desc;
}

static char *default_instructions(const hx_signature *sig)
{
    hx_buf b = {0};
    hx_buf_put(&b, "Given the fields ");
    for (size_t i = 0; i < sig->ninputs; i++)
        hx_buf_printf(&b, "%s`%s`", i ? ", " : "", sig->inputs[i].name);
    hx_buf_put(&b, ", produce the fields ");
    for (size_t i = 0; i < sig->noutputs; i++)
        hx_buf_printf(&b, "%s`%s`", i ? ", " : "", sig->outputs[i].name);
    hx_buf_putc(&b, '.');
    return hx_buf_take(&b);
}

int hx_ad_sig_build(const hx_signature *sig, bool cot, const hx_program *prog,
                    hx_ad_sig *out, hx_error *err)
{
    size_t pos = 0;
    const char *raw;
    char *owned = NULL;
    memset(out, 0, sizeof *out);
    out->nin = sig->ninputs;
    out->nout = sig->noutputs + (cot ? 1 : 0);
    out->in = calloc(out->nin ? out->nin : 1, sizeof *out->in);
    out->out = calloc(out->nout ? out->nout : 1, sizeof *out->out);
    if (!out->in || !out->out) goto oom;
    /* the saved descriptions apply by position, as Signature.load_state
     * zips them (non-strict: extra or missing entries are ignored) */
    for (size_t i = 0; i < sig->ninputs; i++, pos++) {
        const char *d = prog && pos < prog->nfields ? prog->fields[pos].description : sig->inputs[i].desc;
        out->in[i] = (hx_ad_field){sig->inputs[i].name, sig->inputs[i].type, shown_desc(d, sig->inputs[i].name)};
    }
    if (cot) {
        const char *d = prog && pos < prog->nfields ? prog->fields[pos].description : NULL;
        out->out[0] = (hx_ad_field){"reasoning", &STR_TYPE, shown_desc(d, "reasoning")};
        pos++;
    }
    for (size_t i = 0; i < sig->noutputs; i++, pos++) {
        const char *d = prog && pos < prog->nfields ? prog->fields[pos].description : sig->outputs[i].desc;
        out->out[i + (cot ? 1 : 0)] =
            (hx_ad_field){sig->outputs[i].name, sig->outputs[i].type, shown_desc(d, sig->outputs[i].name)};
    }
    if (prog && prog->instructions) raw = prog->instructions;
    else if (sig->instructions) raw = sig->instructions;
    else raw = owned = default_instructions(sig);
    if (!raw) goto oom;
    out->instructions = py_cleandoc(raw);
    free(owned);
    if (!out->instructions) goto oom;
    out->demos = prog && cJSON_IsArray(prog->demos) ? prog->demos : NULL;
    return 0;
oom:
    hx_ad_sig_free(out);
    return hx_fail(err, "out of memory formatting the prompt");
}

void hx_ad_sig_free(hx_ad_sig *s)
{
    if (!s) return;
    free(s->in);
    free(s->out);
    free(s->instructions);
    memset(s, 0, sizeof *s);
}

/* ------------------------------------------------------------------ */
/* Prompt pieces common to both adapters                              */
/* ------------------------------------------------------------------ */

/* get_field_description_string */
static void field_description_block(hx_buf *b, const hx_ad_field *f, size_t n)
{
    hx_buf tmp = {0};
    for (size_t i = 0; i < n; i++) {
        if (i) hx_buf_putc(&tmp, '\n');
        hx_buf_printf(&tmp, "%zu. `%s` (", i + 1, f[i].name);
        hx_ad_type_name(&tmp, f[i].type);
        hx_buf_printf(&tmp, "): %s", f[i].desc);
    }
    if (tmp.oom) b->oom = true;
    if (tmp.s) buf_put_stripped(b, tmp.s, tmp.len);
    hx_buf_free(&tmp);
}

static void field_description(hx_buf *b, const hx_ad_sig *s)
{
    hx_buf_put(b, "Your input fields are:\n");
    field_description_block(b, s->in, s->nin);
    hx_buf_put(b, "\nYour output fields are:\n");
    field_description_block(b, s->out, s->nout);
}

/* format_task_description: each line of dedent(instructions), after a
 * newline and 8 spaces. */
static void task_description(hx_buf *b, const hx_ad_sig *s)
{
    char *ded = py_dedent(s->instructions);
    span *lines = NULL;
    long n;
    hx_buf_put(b, "In adhering to this structure, your objective is: ");
    if (!ded) { b->oom = true; return; }
    n = py_splitlines(ded, strlen(ded), &lines);
    if (n < 0) b->oom = true;
    for (long i = 0; i < n; i++) {
        hx_buf_put(b, "\n        ");
        hx_buf_putn(b, ded + lines[i].off, lines[i].len);
    }
    free(lines);
    free(ded);
}

int hx_ad_field_sections(hx_buf *b, const hx_ad_field *f, size_t n, const cJSON *values,
                         const char *missing, bool is_output, hx_error *err)
{
    hx_buf tmp = {0};
    int rc = 0;
    for (size_t i = 0; i < n && rc == 0; i++) {
        if (i) hx_buf_put(&tmp, "\n\n");
        hx_buf_printf(&tmp, "[[ ## %s ## ]]\n", f[i].name);
        if (!values) {
            hx_ad_placeholder(&tmp, &f[i], is_output);
        } else {
            const cJSON *v = hx_ad_obj_get(values, f[i].name);
            if (v) rc = hx_ad_format_value(&tmp, f[i].type, v, err);
            else hx_buf_put(&tmp, missing ? missing : "None");
        }
    }
    if (tmp.oom) b->oom = true;
    if (rc == 0 && tmp.s) buf_put_stripped(b, tmp.s, tmp.len);
    hx_buf_free(&tmp);
    return rc;
}

/* format_user_message_content: [prefix, input sections..., requirements,
 * suffix] joined by blank lines, stripped. */
static int user_content(hx_buf *b, const hx_ad_sig *s, const cJSON *values, const char *prefix,
                        const hx_ad_style *req_style, hx_error *err)
{
    hx_buf tmp = {0};
    int rc = 0;
    hx_buf_put(&tmp, prefix);
    for (size_t i = 0; i < s->nin && rc == 0; i++) {
        const cJSON *v = hx_ad_obj_get(values, s->in[i].name);
        if (!v) continue;
        hx_buf_printf(&tmp, "\n\n[[ ## %s ## ]]\n", s->in[i].name);
        rc = hx_ad_format_value(&tmp, s->in[i].type, v, err);
    }
    if (req_style) {
        hx_buf_put(&tmp, "\n\n");
        req_style->output_requirements(&tmp, s);
    }
    hx_buf_put(&tmp, "\n\n");
    if (tmp.oom) b->oom = true;
    if (rc == 0 && tmp.s) buf_put_stripped(b, tmp.s, tmp.len);
    hx_buf_free(&tmp);
    return rc;
}

enum demo_kind { DEMO_DROPPED, DEMO_INCOMPLETE, DEMO_COMPLETE };

/* Adapter.format_demos: complete = every field present and not None;
 * incomplete = at least one input and one output key; else dropped. */
static enum demo_kind demo_kind(const hx_ad_sig *s, const cJSON *demo)
{
    bool complete = true, has_in = false, has_out = false;
    if (!cJSON_IsObject(demo)) return DEMO_DROPPED;
    for (size_t i = 0; i < s->nin; i++) {
        const cJSON *v = hx_ad_obj_get(demo, s->in[i].name);
        has_in |= v != NULL;
        complete &= v != NULL && !cJSON_IsNull(v);
    }
    for (size_t i = 0; i < s->nout; i++) {
        const cJSON *v = hx_ad_obj_get(demo, s->out[i].name);
        has_out |= v != NULL;
        complete &= v != NULL && !cJSON_IsNull(v);
    }
    if (complete) return DEMO_COMPLETE;
    return has_in && has_out ? DEMO_INCOMPLETE : DEMO_DROPPED;
}

static int add_message(cJSON *msgs, const char *role, hx_buf *content, hx_error *err)
{
    cJSON *m;
    char *text = hx_buf_take(content);
    if (!text) return hx_fail(err, "out of memory formatting the prompt");
    m = cJSON_CreateObject();
    if (!m || !cJSON_AddStringToObject(m, "role", role) || !cJSON_AddStringToObject(m, "content", text)) {
        cJSON_Delete(m);
        free(text);
        return hx_fail(err, "out of memory formatting the prompt");
    }
    free(text);
    cJSON_AddItemToArray(msgs, m);
    return 0;
}

static const char INCOMPLETE_PREFIX[] =
    "This is an example of the task, though some input or output fields are not supplied.";
static const char MISSING_INCOMPLETE[] = "Not supplied for this particular example. ";
static const char MISSING_COMPLETE[] = "Not supplied for this conversation history message. ";

static int format_demos(cJSON *msgs, const hx_ad_style *style, const hx_ad_sig *s, hx_error *err)
{
    const cJSON *demo;
    /* incomplete demos first, then complete ones, each in saved order */
    for (int pass = 0; pass < 2; pass++) {
        enum demo_kind want = pass == 0 ? DEMO_INCOMPLETE : DEMO_COMPLETE;
        cJSON_ArrayForEach(demo, s->demos) {
            hx_buf u = {0}, a = {0};
            if (demo_kind(s, demo) != want) continue;
            if (user_content(&u, s, demo, pass == 0 ? INCOMPLETE_PREFIX : "", NULL, err) != 0 ||
                style->assistant_content(&a, s, demo, pass == 0 ? MISSING_INCOMPLETE : MISSING_COMPLETE,
                                         err) != 0) {
                hx_buf_free(&u);
                hx_buf_free(&a);
                return hx_fail_prefix(err, "demo");
            }
            if (add_message(msgs, "user", &u, err) != 0) { hx_buf_free(&a); return -1; }
            if (add_message(msgs, "assistant", &a, err) != 0) return -1;
        }
    }
    return 0;
}

cJSON *hx_ad_format(const hx_ad_style *style, const hx_signature *sig, bool cot,
                    const hx_program *prog, const cJSON *inputs, hx_error *err)
{
    hx_ad_sig s;
    hx_buf sys = {0}, user = {0};
    cJSON *msgs;
    if (hx_ad_sig_build(sig, cot, prog, &s, err) != 0) return NULL;
    msgs = cJSON_CreateArray();
    if (!msgs) {
        hx_ad_sig_free(&s);
        hx_fail(err, "out of memory formatting the prompt");
        return NULL;
    }
    field_description(&sys, &s);
    hx_buf_putc(&sys, '\n');
    style->field_structure(&sys, &s);
    hx_buf_putc(&sys, '\n');
    task_description(&sys, &s);
    if (add_message(msgs, "system", &sys, err) != 0 || format_demos(msgs, style, &s, err) != 0 ||
        user_content(&user, &s, inputs, "", style, err) != 0 ||
        add_message(msgs, "user", &user, err) != 0) {
        hx_buf_free(&user);
        cJSON_Delete(msgs);
        hx_ad_sig_free(&s);
        return NULL;
    }
    hx_ad_sig_free(&s);
    return msgs;
}

/* ------------------------------------------------------------------ */
/* ChatAdapter's own pieces                                           */
/* ------------------------------------------------------------------ */

static void chat_field_structure(hx_buf *b, const hx_ad_sig *s)
{
    hx_buf tmp = {0};
    hx_buf_put(&tmp, "All interactions will be structured in the following way, with the appropriate values filled in.\n\n");
    hx_ad_field_sections(&tmp, s->in, s->nin, NULL, NULL, false, NULL);
    hx_buf_put(&tmp, "\n\n");
    hx_ad_field_sections(&tmp, s->out, s->nout, NULL, NULL, true, NULL);
    hx_buf_put(&tmp, "\n\n[[ ## completed ## ]]\n");
    if (tmp.oom) b->oom = true;
    if (tmp.s) buf_put_stripped(b, tmp.s, tmp.len);
    hx_buf_free(&tmp);
}

static int chat_assistant_content(hx_buf *b, const hx_ad_sig *s, const cJSON *values,
                                  const char *missing, hx_error *err)
{
    if (hx_ad_field_sections(b, s->out, s->nout, values, missing, true, err) != 0) return -1;
    hx_buf_put(b, "\n\n[[ ## completed ## ]]\n");
    return 0;
}

static void chat_output_requirements(hx_buf *b, const hx_ad_sig *s)
{
    hx_buf_put(b, "Respond with the corresponding output fields, starting with the field ");
    for (size_t i = 0; i < s->nout; i++) {
        if (i) hx_buf_put(b, ", then ");
        hx_buf_printf(b, "`[[ ## %s ## ]]`", s->out[i].name);
        if (!hx_ad_type_is_str(s->out[i].type)) {
            hx_buf_put(b, " (must be formatted as a valid Python ");
            hx_ad_type_name(b, s->out[i].type);
            hx_buf_putc(b, ')');
        }
    }
    hx_buf_put(b, ", and then ending with the marker for `[[ ## completed ## ]]`.");
}

static const hx_ad_style CHAT_STYLE = {
    chat_field_structure, chat_assistant_content, chat_output_requirements,
};

cJSON *hx_chat_format(const hx_signature *sig, bool cot, const hx_program *prog,
                      const cJSON *inputs, hx_error *err)
{
    return hx_ad_format(&CHAT_STYLE, sig, cot, prog, inputs, err);
}

/* ------------------------------------------------------------------ */
/* Parsing                                                            */
/* ------------------------------------------------------------------ */

typedef struct section {
    char *name;   /* owned; NULL for the text before the first header */
    hx_buf text;  /* lines joined by \n */
    bool any;     /* at least one line */
} section;

typedef struct sections {
    section *v;
    size_t n, cap;
    bool oom;
} sections;

static section *sections_add(sections *ss, const char *name, size_t nlen)
{
    section *s;
    if (ss->n == ss->cap) {
        section *nv = realloc(ss->v, (ss->cap = ss->cap ? ss->cap * 2 : 8) * sizeof *nv);
        if (!nv) { ss->oom = true; return NULL; }
        ss->v = nv;
    }
    s = &ss->v[ss->n];
    memset(s, 0, sizeof *s);
    if (name) {
        s->name = strndup(name, nlen);
        if (!s->name) { ss->oom = true; return NULL; }
    }
    ss->n++;
    return s;
}

static void section_line(section *s, const char *line, size_t len)
{
    if (s->any) hx_buf_putc(&s->text, '\n');
    hx_buf_putn(&s->text, line, len);
    s->any = true;
}

static void sections_free(sections *ss)
{
    for (size_t i = 0; i < ss->n; i++) {
        free(ss->v[i].name);
        hx_buf_free(&ss->v[i].text);
    }
    free(ss->v);
}

/* The header regex, `\[\[ ## (\w+) ## \]\]` with Python's Unicode \w
 * (letters, digits, underscore: PCRE2's UCP \w), anchored as re.match. */
static pcre2_code *header_regex(bool utf)
{
    int errcode;
    PCRE2_SIZE erroff;
    uint32_t opts = PCRE2_ANCHORED | (utf ? PCRE2_UTF | PCRE2_UCP : 0);
    return pcre2_compile((PCRE2_SPTR) "\\[\\[ ## (\\w+) ## \\]\\]", PCRE2_ZERO_TERMINATED, opts,
                         &errcode, &erroff, NULL);
}

/* Split the completion into sections, as ChatAdapter.parse does. */
static int split_sections(const char *text, sections *ss)
{
    size_t len = strlen(text);
    bool utf = hx_utf8_valid(text, len, NULL);
    pcre2_code *re = header_regex(utf);
    pcre2_match_data *md = re ? pcre2_match_data_create_from_pattern(re, NULL) : NULL;
    span *lines = NULL;
    long n = md ? py_splitlines(text, len, &lines) : -1;
    int rc = 0;
    if (n < 0 || !sections_add(ss, NULL, 0)) rc = -1;
    for (long i = 0; rc == 0 && i < n; i++) {
        const char *line = text + lines[i].off;
        size_t st, en;
        hx_py_strip_span(line, lines[i].len, &st, &en);
        if (pcre2_match(re, (PCRE2_SPTR)(line + st), en - st, 0, 0, md, NULL) >= 0) {
            PCRE2_SIZE *ov = pcre2_get_ovector_pointer(md);
            size_t end_cp = 0, k = st, at = 0;
            section *s;
            /* DSPy slices the rest of the header line from the unstripped
             * line at the match end (a code-point offset into the stripped
             * line): with leading spaces this takes text from inside the
             * header. Copied for parity. */
            while (k < st + ov[1]) { u8_next(line, lines[i].len, &k); end_cp++; }
            while (end_cp-- && at < lines[i].len) u8_next(line, lines[i].len, &at);
            s = sections_add(ss, line + st + ov[2], ov[3] - ov[2]);
            if (!s) { rc = -1; break; }
            hx_py_strip_span(line + at, lines[i].len - at, &st, &en);
            if (en > st) section_line(s, line + at + st, en - st);
        } else {
            section_line(&ss->v[ss->n - 1], line, lines[i].len);
        }
    }
    free(lines);
    pcre2_match_data_free(md);
    pcre2_code_free(re);
    return rc || ss->oom ? -1 : 0;
}

static bool allows_none(const hx_type *t)
{
    return t->kind == HX_TY_OPTIONAL;
}

/* apply_output_field_defaults + the key check shared by both parsers:
 * fill missing Optional outputs with null, fail on any other missing one.
 * Rebuilds *fields in signature order. */
int hx_ad_finish_outputs(const hx_ad_sig *s, cJSON **fields, const char *adapter, char why[256])
{
    cJSON *ordered = cJSON_CreateObject();
    hx_buf missing = {0};
    if (!ordered) { snprintf(why, 256, "out of memory"); return -1; }
    for (size_t i = 0; i < s->nout; i++) {
        cJSON *v = cJSON_DetachItemFromObjectCaseSensitive(*fields, s->out[i].name);
        if (!v && allows_none(s->out[i].type)) v = cJSON_CreateNull();
        if (!v) {
            hx_buf_printf(&missing, "%s%s", missing.len ? ", " : "", s->out[i].name);
            continue;
        }
        cJSON_AddItemToObject(ordered, s->out[i].name, v);
    }
    cJSON_Delete(*fields);
    *fields = NULL;
    if (missing.len || missing.oom) {
        snprintf(why, 256, "%s failed to parse the LM response: missing output field%s %s",
                 adapter, strchr(missing.s ? missing.s : "", ',') ? "s" : "", missing.s ? missing.s : "?");
        hx_buf_free(&missing);
        cJSON_Delete(ordered);
        return -1;
    }
    *fields = ordered;
    return 0;
}

int hx_chat_parse(const hx_signature *sig, bool cot, const char *completion,
                  cJSON **outputs, char why[256])
{
    hx_ad_sig s;
    sections ss = {0};
    cJSON *fields;
    hx_error err;
    int rc = 0;
    *outputs = NULL;
    why[0] = '\0';
    if (!completion || !*completion) {
        snprintf(why, 256, "The LM returned an empty or null response.");
        return -1;
    }
    if (hx_ad_sig_build(sig, cot, NULL, &s, &err) != 0) {
        snprintf(why, 256, "%s", err.msg);
        return -1;
    }
    fields = cJSON_CreateObject();
    if (!fields || split_sections(completion, &ss) != 0) {
        snprintf(why, 256, "out of memory parsing the LM response");
        rc = -1;
    }
    for (size_t i = 1; rc == 0 && i < ss.n; i++) {
        const section *sec = &ss.v[i];
        const hx_ad_field *f = NULL;
        cJSON *v = NULL;
        char vwhy[200];
        size_t st, en;
        char *text;
        for (size_t k = 0; k < s.nout; k++)
            if (strcmp(s.out[k].name, sec->name) == 0) f = &s.out[k];
        if (!f || cJSON_GetObjectItemCaseSensitive(fields, f->name)) continue; /* first header wins */
        if (sec->text.oom) { snprintf(why, 256, "out of memory parsing the LM response"); rc = -1; break; }
        hx_py_strip_span(sec->text.s ? sec->text.s : "", sec->text.len, &st, &en);
        text = strndup(sec->text.s ? sec->text.s + st : "", en - st);
        if (!text) { snprintf(why, 256, "out of memory"); rc = -1; break; }
        if (hx_ad_parse_text(text, f->type, &v, vwhy) != 0) {
            snprintf(why, 256, "ChatAdapter: field `%s`: %s", f->name, vwhy);
            rc = -1;
        } else {
            cJSON_AddItemToObject(fields, f->name, v);
        }
        free(text);
    }
    sections_free(&ss);
    if (rc == 0) rc = hx_ad_finish_outputs(&s, &fields, "ChatAdapter", why);
    hx_ad_sig_free(&s);
    if (rc != 0) {
        cJSON_Delete(fields);
        return -1;
    }
    *outputs = fields;
    return 0;
}
