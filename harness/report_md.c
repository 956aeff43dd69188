/*
 * report_md.c — the report as a short Markdown summary.
 *
 * Sized for a chat message or a pull-request comment: a headline, one
 * table row per module (pass rate with a text bar, Δ against the module's
 * previous run, its bar, ✅/❌), the least accurate fields and the three
 * worst cases. Everything else is in the HTML report.
 *
 * Strings from the database carry LM output and caller text, and Markdown
 * renderers act on a lot of punctuation: links, images, raw HTML, table
 * pipes, @mentions that would notify people. So text is escaped (HTML
 * specials as entities, Markdown punctuation with backslashes, a
 * zero-width space after '@'), flattened to one line and cut short;
 * identifiers go in code spans, whose fence is longer than any backtick
 * run inside.
 */
#include "report.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#define MD_TOP_FIELDS   5
#define MD_WORST_CASES  3
#define MD_TEXT_MAX     160   /* bytes of one reason before "…" */
#define MD_METER_CELLS  10

/* ---- escaping ---------------------------------------------------------------- */

/* Bytes of s to keep so that at most max bytes are written and no UTF-8
 * sequence is cut. */
static size_t keep_bytes(const char *s, size_t max, bool *cut)
{
    size_t n = strlen(s);
    *cut = n > max;
    if (!*cut) return n;
    n = max;
    while (n > 0 && ((unsigned char)s[n] & 0xC0) == 0x80) n--;
    return n;
}

/* Plain text, escaped, on one line, at most max bytes of s. */
static void md_text(FILE *o, const char *s, size_t max)
{
    bool cut;
    size_t n;
    if (!s) return;
    n = keep_bytes(s, max, &cut);
    for (size_t i = 0; i < n; i++) {
        char c = s[i];
        switch (c) {
        case '&': fputs("&amp;", o); break;
        case '<': fputs("&lt;", o); break;
        case '>': fputs("&gt;", o); break;
        case '@': fputs("@\xE2\x80\x8B", o); break; /* no @mention */
        case '\n': case '\r': case '\t': fputc(' ', o); break;
        /* Links need '[' and images '![': with brackets escaped, parentheses,
         * '!' and '#' (never at a line start here) are inert. */
        case '\\': case '`': case '*': case '_': case '[': case ']': case '~': case '|':
            fputc('\\', o);
            fputc(c, o);
            break;
        default:
            if ((unsigned char)c < 0x20) fputc(' ', o);
            else fputc(c, o);
        }
    }
    if (cut) fputs("\xE2\x80\xA6", o);
}

/* A code span: nothing inside is interpreted, except that a table cell
 * still ends at '|', so pipes are escaped (GFM drops the backslash). */
static void md_code(FILE *o, const char *s, size_t max)
{
    size_t run = 0, longest = 0, n;
    bool cut;
    if (!s) return;
    n = keep_bytes(s, max, &cut);
    for (size_t i = 0; i < n; i++) {
        run = s[i] == '`' ? run + 1 : 0;
        if (run > longest) longest = run;
    }
    for (size_t i = 0; i <= longest; i++) fputc('`', o);
    if (n && (s[0] == '`' || s[n - 1] == '`')) fputc(' ', o);
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c == '|') fputs("\\|", o);
        else fputc(c < 0x20 ? ' ' : c, o);
    }
    if (n && (s[0] == '`' || s[n - 1] == '`')) fputc(' ', o);
    for (size_t i = 0; i <= longest; i++) fputc('`', o);
    if (cut) fputs("\xE2\x80\xA6", o);
}

static void md_pct(FILE *o, double v)
{
    char b[32];
    hx_report_fmt_pct(b, sizeof b, v);
    fputs(b, o);
}

/* "█████░░░░░": the pass rate in ten cells. */
static void md_meter(FILE *o, double rate)
{
    long full = isnan(rate) ? 0 : lround(rate * MD_METER_CELLS);
    for (long i = 0; i < MD_METER_CELLS; i++) fputs(i < full ? "\xE2\x96\x88" : "\xE2\x96\x91", o);
}

/* ---- sections -------------------------------------------------------------------- */

static void md_headline(FILE *o, const hx_report *r)
{
    /* A module with no score (every case an infrastructure error) is not
     * "at or above its bar": the headline must not say all is well. */
    size_t unscored = 0;
    for (size_t i = 0; i < r->nmodules; i++)
        if (strcmp(r->modules[i].status, "ok") && strcmp(r->modules[i].status, "below")) unscored++;
    bool bad = r->run.modules_below > 0 || unscored > 0;
    fprintf(o, "### %s harness run %lld \xE2\x80\x94 ", bad ? "\xE2\x9D\x8C" : "\xE2\x9C\x85",
            (long long)r->run.run_id);
    if (r->run.modules_below)
        fprintf(o, "%zu of %zu modules below bar", r->run.modules_below, r->nmodules);
    if (unscored)
        fprintf(o, "%s%zu of %zu modules with no score (every case an error)",
                r->run.modules_below ? "; " : "", unscored, r->nmodules);
    if (!bad) fprintf(o, "every module at or above its bar");
    fputs("\n\n", o);
    if (r->run.lm_model) {
        md_code(o, r->run.lm_model, 80);
        fputs(" \xC2\xB7 ", o);
    }
    if (r->run.started_at) {
        md_text(o, r->run.started_at, 40);
        fputs(" \xC2\xB7 ", o);
    }
    fprintf(o, "%lld cases \xC2\xB7 ", (long long)r->run.cases);
    md_pct(o, r->run.pass_rate);
    fprintf(o, " pass \xC2\xB7 %lld error%s \xC2\xB7 $%.4f\n\n", (long long)r->run.errors,
            r->run.errors == 1 ? "" : "s", r->run.cost_usd);
}

static void md_module_row(FILE *o, const hx_report_module *m)
{
    char b[32];
    const char *icon = !strcmp(m->status, "ok")      ? "\xE2\x9C\x85"
                       : !strcmp(m->status, "below") ? "\xE2\x9D\x8C"
                                                     : "\xE2\x9A\xA0\xEF\xB8\x8F";
    fprintf(o, "| %s | ", icon);
    md_text(o, m->agent, 80);
    fputs("/", o);
    md_text(o, m->module, 80);
    fputs(" | ", o);
    md_meter(o, m->pass_rate);
    fputs(" ", o);
    md_pct(o, m->pass_rate);
    hx_report_fmt_delta(b, sizeof b, m->delta);
    fprintf(o, " | %s | ", b);
    md_pct(o, m->bar);
    fputs(" |\n", o);
}

/* Modules below their bar first: in a chat message, what needs action
 * should not scroll away. Otherwise the report's (agent, module) order. */
static void md_modules(FILE *o, const hx_report *r)
{
    fputs("| | module | pass rate | \xCE\x94 | bar |\n|:-:|---|---|--:|--:|\n", o);
    for (int pass = 0; pass < 2; pass++)
        for (size_t i = 0; i < r->nmodules; i++)
            if (r->modules[i].below_bar == (pass == 0)) md_module_row(o, &r->modules[i]);
    fputs("\n", o);
}

static int by_accuracy(const void *a, const void *b)
{
    const hx_report_field *x = *(const hx_report_field *const *)a, *y = *(const hx_report_field *const *)b;
    if (x->accuracy != y->accuracy) return x->accuracy < y->accuracy ? -1 : 1;
    return (x->checks < y->checks) - (x->checks > y->checks); /* more checks first */
}

static void md_fields(FILE *o, const hx_report *r)
{
    const hx_report_field **v = malloc((r->nfields + 1) * sizeof *v);
    size_t n = 0;
    if (!v) return;
    for (size_t i = 0; i < r->nfields; i++)
        if (!isnan(r->fields[i].accuracy) && r->fields[i].accuracy < 1.0) v[n++] = &r->fields[i];
    if (n) {
        qsort(v, n, sizeof *v, by_accuracy);
        fputs("**Top failing fields:** ", o);
        for (size_t i = 0; i < n && i < MD_TOP_FIELDS; i++) {
            if (i) fputs(" \xC2\xB7 ", o);
            md_code(o, v[i]->field, 60);
            fputs(" ", o);
            md_pct(o, v[i]->accuracy);
            fputs(" (", o);
            md_text(o, v[i]->agent, 60);
            fputs("/", o);
            md_text(o, v[i]->module, 60);
            fputs(")", o);
        }
        fputs("\n\n", o);
    }
    free(v);
}

static void md_case(FILE *o, size_t rank, const hx_report_case *c)
{
    fprintf(o, "%zu. ", rank);
    md_code(o, c->transcript_id, 80);
    fputs(" ", o);
    md_text(o, c->agent, 60);
    fputs("/", o);
    md_text(o, c->module, 60);
    fputs(" \xE2\x80\x94 ", o);
    if (!c->nchecks) md_text(o, c->reason, MD_TEXT_MAX);
    for (size_t i = 0; i < c->nchecks; i++) {
        if (i) fputs("; ", o);
        md_text(o, c->checks[i].field, 60);
        fputs(": ", o);
        md_text(o, c->checks[i].reason, MD_TEXT_MAX);
    }
    if (c->prev_status && !strcmp(c->prev_status, "pass")) fputs(" *(new failure)*", o);
    fputs("\n", o);
}

static void md_worst(FILE *o, const hx_report *r)
{
    if (!r->nworst) return;
    fputs("**Worst cases:**\n\n", o);
    for (size_t i = 0; i < r->nworst && i < MD_WORST_CASES; i++) md_case(o, i + 1, &r->worst_cases[i]);
    fputs("\n", o);
}

int hx_report_markdown(hx_report *r, FILE *o, hx_error *err)
{
    md_headline(o, r);
    md_modules(o, r);
    md_fields(o, r);
    md_worst(o, r);
    return hx_report_out_status(o, err);
}
