/*
 * enum_match.c — keys with aliases, matched after folding (see
 * enum_match.h for the rules and why they are shaped this way).
 *
 * Folded forms are not stored: the struct holds names as the user wrote
 * them (they appear in messages), and folding a handful of short names per
 * match costs microseconds. Folding always succeeds for stored names because
 * hx_enum_add refuses names it cannot fold.
 */
#include "enum_match.h"

#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- folding names ---- */

static int fold_name(const char *what, const char *name, hx_canon *c, hx_error *err)
{
    if (!name) return hx_fail(err, "%s is missing", what);
    if (hx_norm_text(name, NULL, c) < 0) return hx_fail(err, "%s \"%s\": %s", what, name, c->why);
    if (!c->value[0]) return hx_fail(err, "%s \"%s\" has no letters or digits", what, name);
    return 0;
}

static bool folds_to(const char *name, const char *folded)
{
    hx_canon c;
    return hx_norm_text(name, NULL, &c) == 0 && strcmp(c.value, folded) == 0;
}

/* Name k of v: 0 is the key, 1..naliases the aliases. */
static const char *name_at(const hx_enum_value *v, size_t k)
{
    return k == 0 ? v->key : v->aliases[k - 1];
}

/* Index of the value one of whose names folds to `folded`, or e->n. */
static size_t owner_of(const hx_enum *e, const char *folded)
{
    for (size_t i = 0; i < e->n; i++)
        for (size_t k = 0; k <= e->values[i].naliases; k++)
            if (folds_to(name_at(&e->values[i], k), folded)) return i;
    return e->n;
}

/* ---- adding ---- */

static int check_key(const hx_enum *e, const char *key, hx_error *err)
{
    hx_canon c;
    if (fold_name("enum value", key, &c, err) < 0) return -1;
    size_t o = owner_of(e, c.value);
    if (o == e->n) return 0;
    const char *other = e->values[o].key;
    if (folds_to(other, c.value)) {
        if (strcmp(other, key) == 0) return hx_fail(err, "duplicate enum value \"%s\"", key);
        return hx_fail(err, "enum value \"%s\" is the same as \"%s\" once case and punctuation are ignored",
                       key, other);
    }
    return hx_fail(err, "enum value \"%s\" is already an alias of %s", key, other);
}

static int check_alias(const hx_enum *e, const char *key, const char *alias, hx_error *err)
{
    hx_canon c;
    char what[300];
    snprintf(what, sizeof what, "alias of %s", key);
    if (fold_name(what, alias, &c, err) < 0) return -1;
    size_t o = owner_of(e, c.value);
    if (o == e->n) return 0;
    return hx_fail(err, "alias \"%s\" of %s already names %s", alias, key, e->values[o].key);
}

static void value_free(hx_enum_value *v)
{
    free(v->key);
    for (size_t k = 0; k < v->naliases; k++) free(v->aliases[k]);
    free(v->aliases);
    memset(v, 0, sizeof *v);
}

/* Deep-copy key and aliases into v; on failure v holds nothing. */
static int value_copy(hx_enum_value *v, const char *key, const char *const *aliases, size_t n)
{
    memset(v, 0, sizeof *v);
    v->key = strdup(key);
    v->aliases = n ? calloc(n, sizeof *v->aliases) : NULL;
    if (!v->key || (n && !v->aliases)) goto fail;
    for (; v->naliases < n; v->naliases++) {
        v->aliases[v->naliases] = strdup(aliases[v->naliases]);
        if (!v->aliases[v->naliases]) goto fail;
    }
    return 0;
fail:
    value_free(v);
    return -1;
}

int hx_enum_add(hx_enum *e, const char *key, const char *const *aliases, size_t n,
                hx_error *err)
{
    if (!e) return hx_fail(err, "no enum to add to");
    if (n > 0 && !aliases) return hx_fail(err, "enum value \"%s\": aliases missing", key ? key : "");
    if (check_key(e, key, err) < 0) return -1;
    for (size_t k = 0; k < n; k++)
        if (check_alias(e, key, aliases[k], err) < 0) return -1;

    hx_enum_value v;
    if (value_copy(&v, key, aliases, n) < 0) return hx_fail(err, "out of memory");
    hx_enum_value *grown = realloc(e->values, (e->n + 1) * sizeof *grown);
    if (!grown) {
        value_free(&v);
        return hx_fail(err, "out of memory");
    }
    e->values = grown;
    e->values[e->n++] = v;
    return 0;
}

void hx_enum_free(hx_enum *e)
{
    if (!e) return;
    for (size_t i = 0; i < e->n; i++) value_free(&e->values[i]);
    free(e->values);
    e->values = NULL;
    e->n = 0;
}

/* ---- messages ---- */

typedef struct why_buf {
    char *buf;
    size_t len; /* never above HX_WHY_MAX - 1 */
} why_buf;

__attribute__((format(printf, 2, 3)))
static void why_add(why_buf *w, const char *fmt, ...)
{
    if (w->len >= HX_WHY_MAX - 1) return;
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(w->buf + w->len, HX_WHY_MAX - w->len, fmt, ap);
    va_end(ap);
    if (n > 0) w->len += (size_t)n;
    if (w->len > HX_WHY_MAX - 1) w->len = HX_WHY_MAX - 1;
}

/* A message cut at HX_WHY_MAX must not end inside a UTF-8 sequence. */
static void trim_partial_utf8(char *s)
{
    size_t i = strlen(s), cont = 0;
    while (i > 0 && cont < 3 && ((unsigned char)s[i - 1] & 0xC0) == 0x80) { i--; cont++; }
    if (i == 0) return;
    unsigned char lead = (unsigned char)s[i - 1];
    size_t need = lead >= 0xF0 ? 3 : lead >= 0xE0 ? 2 : lead >= 0xC0 ? 1 : 0;
    if (cont < need) s[i - 1] = '\0';
}

/* Quote the input, cut to 60 bytes at a character boundary: the list of
 * keys is what the reader needs, not the whole transcript line. */
static void why_quote(why_buf *w, const char *in)
{
    size_t n = strlen(in);
    const char *dots = "";
    if (n > 60) {
        n = 60;
        while (n > 0 && ((unsigned char)in[n] & 0xC0) == 0x80) n--;
        dots = "...";
    }
    why_add(w, "\"%.*s%s\"", (int)n, in, dots);
}

static void why_all_keys(why_buf *w, const hx_enum *e)
{
    if (e->n == 0) why_add(w, "(no values)");
    for (size_t i = 0; i < e->n; i++) why_add(w, "%s%s", i ? ", " : "", e->values[i].key);
}

/* ---- whole-word search ---- */

typedef struct span {
    size_t start, end, key;
    bool live; /* counts as evidence for its key */
    bool negated;
} span;

typedef struct spans {
    span *v;
    size_t n, cap;
    bool oom;
} spans;

static void spans_push(spans *s, size_t start, size_t end, size_t key)
{
    if (s->oom) return;
    if (s->n == s->cap) {
        size_t cap = s->cap ? 2 * s->cap : 16;
        span *v = realloc(s->v, cap * sizeof *v);
        if (!v) { s->oom = true; return; }
        s->v = v;
        s->cap = cap;
    }
    s->v[s->n++] = (span){start, end, key, true, false};
}

/* Every occurrence of `needle` in `hay` that starts and ends at a word
 * boundary (folded text separates words by exactly one space). */
static void find_words(const char *hay, const char *needle, size_t key, spans *out)
{
    size_t nl = strlen(needle);
    for (const char *p = strstr(hay, needle); p; p = strstr(p + 1, needle)) {
        size_t at = (size_t)(p - hay);
        if ((at == 0 || hay[at - 1] == ' ') && (p[nl] == '\0' || p[nl] == ' '))
            spans_push(out, at, at + nl, key);
    }
}

static void collect_spans(const hx_enum *e, const char *hay, spans *out)
{
    for (size_t i = 0; i < e->n; i++)
        for (size_t k = 0; k <= e->values[i].naliases; k++) {
            hx_canon c;
            if (hx_norm_text(name_at(&e->values[i], k), NULL, &c) == 0 && c.value[0])
                find_words(hay, c.value, i, out);
        }
}

static bool word_is(const char *w, size_t n, const char *const *list)
{
    for (; *list; list++)
        if (strlen(*list) == n && memcmp(w, *list, n) == 0) return true;
    return false;
}

/* Negations as they fold (apostrophes are deleted: "isn't" -> "isnt"). */
static const char *const NEGATE_NEAR[] = {"no", NULL};
static const char *const NEGATE_FAR[] = {
    "not", "never", "isnt", "wasnt", "arent", "werent", "dont", "doesnt", "didnt",
    "cant", "cannot", "wont", "without", "neither", "nor", "non", NULL};

/* True if one of the two words before hay[start] negates what follows. */
static bool negated_at(const char *hay, size_t start)
{
    size_t end = start; /* hay[end-1] is the space before the next word back */
    for (int dist = 1; dist <= 2 && end > 1; dist++) {
        size_t we = end - 1, ws = we;
        while (ws > 0 && hay[ws - 1] != ' ') ws--;
        if (word_is(hay + ws, we - ws, NEGATE_FAR)) return true;
        if (dist == 1 && word_is(hay + ws, we - ws, NEGATE_NEAR)) return true;
        end = ws;
    }
    return false;
}

/* Drop occurrences inside a longer occurrence of another key's name, and
 * negated ones. */
static void judge_spans(spans *s, const char *hay)
{
    for (size_t a = 0; a < s->n; a++) {
        span *x = &s->v[a];
        for (size_t b = 0; b < s->n && x->live; b++) {
            const span *y = &s->v[b];
            if (y->key != x->key && y->start <= x->start && x->end <= y->end &&
                y->end - y->start > x->end - x->start)
                x->live = false;
        }
        if (x->live && negated_at(hay, x->start)) {
            x->live = false;
            x->negated = true;
        }
    }
}

static bool key_has(const spans *s, size_t key, bool negated)
{
    for (size_t a = 0; a < s->n; a++)
        if (s->v[a].key == key && (negated ? s->v[a].negated : s->v[a].live)) return true;
    return false;
}

/* Append "A", "both A and B" or "A, B and C" for the keys with live (or
 * negated) occurrences; returns how many there are. */
static size_t list_keys(why_buf *w, const hx_enum *e, const spans *s, bool negated, size_t total)
{
    size_t shown = 0;
    for (size_t i = 0; i < e->n; i++) {
        if (!key_has(s, i, negated)) continue;
        const char *sep = shown == 0 ? (total == 2 ? "both " : "")
                        : shown + 1 == total ? " and " : ", ";
        why_add(w, "%s%s", sep, e->values[i].key);
        shown++;
    }
    return shown;
}

static size_t count_keys(const hx_enum *e, const spans *s, bool negated, size_t *first)
{
    size_t n = 0;
    for (size_t i = 0; i < e->n; i++)
        if (key_has(s, i, negated) && n++ == 0) *first = i;
    return n;
}

static hx_enum_outcome contained(const hx_enum *e, const char *in, const char *hay,
                                 const char **key_out, why_buf *w)
{
    spans s = {0};
    collect_spans(e, hay, &s);
    if (s.oom) {
        free(s.v);
        why_quote(w, in);
        why_add(w, ": out of memory while matching");
        return HX_ENUM_NO_MATCH;
    }
    judge_spans(&s, hay);
    size_t first = 0, found = count_keys(e, &s, false, &first);
    size_t negfirst = 0, negs = count_keys(e, &s, true, &negfirst);
    hx_enum_outcome r;
    why_quote(w, in);
    if (found == 1) {
        why_add(w, " contains %s", e->values[first].key);
        if (key_out) *key_out = e->values[first].key;
        r = HX_ENUM_MATCHED;
    } else if (found > 1) {
        why_add(w, " matches ");
        list_keys(w, e, &s, false, found);
        r = HX_ENUM_AMBIGUOUS;
    } else {
        if (negs) {
            why_add(w, " negates ");
            list_keys(w, e, &s, true, negs);
            why_add(w, " and");
        }
        why_add(w, " is none of: ");
        why_all_keys(w, e);
        r = HX_ENUM_NO_MATCH;
    }
    free(s.v);
    return r;
}

hx_enum_outcome hx_enum_match(const hx_enum *e, const char *in, const char **key_out,
                              char why[HX_WHY_MAX])
{
    static const hx_enum none = {NULL, 0};
    why_buf w = {why, 0};
    why[0] = '\0';
    if (!e) e = &none;
    if (key_out) *key_out = NULL;
    if (!in) {
        why_add(&w, "no value");
        return HX_ENUM_NO_MATCH;
    }
    hx_canon hay;
    if (hx_norm_text(in, NULL, &hay) < 0) {
        why_add(&w, "%s", hay.why);
        trim_partial_utf8(why);
        return HX_ENUM_NO_MATCH;
    }
    size_t o = hay.value[0] ? owner_of(e, hay.value) : e->n;
    if (o < e->n) {
        if (key_out) *key_out = e->values[o].key;
        return HX_ENUM_MATCHED;
    }
    hx_enum_outcome r = contained(e, in, hay.value, key_out, &w);
    trim_partial_utf8(why);
    return r;
}
