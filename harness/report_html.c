/*
 * report_html.c — the report as one self-contained HTML page.
 *
 * One file that can be mailed, attached to a CI build or served as is:
 * inline CSS, inline SVG charts, no JavaScript and no reference to anything
 * outside the file (no fonts, scripts or images), so it renders the same
 * offline, years later. A Content-Security-Policy meta tag forbids scripts
 * and fetches as a second line of defence; the first is that every string
 * from the database — transcript ids, reasons, the values a module
 * returned, all of which carry LM output and caller text — goes through
 * hx_report_put_markup.
 *
 * Sections, each with a stable id so tests and scrapers can find them:
 * run facts (#facts), per-agent trend charts (svg.trend[data-agent]), the
 * module table (table#modules), the field heatmap (table#fields), the
 * worst failing cases (table#worst) and the recompile history
 * (table#recompiles). Data rows carry a class (tr.module, tr.fieldrow,
 * tr.case, tr.trigger) so that placeholder rows are never counted.
 */
#include "json_doc.h"
#include "report.h"

#include <math.h>
#include <string.h>

#include <cjson/cJSON.h>

/* Trend chart geometry, in SVG user units. */
#define CHART_W  340.0
#define CHART_H  150.0
#define PLOT_X0  38.0
#define PLOT_X1  (CHART_W - 14.0)
#define PLOT_Y0  14.0
#define PLOT_Y1  (CHART_H - 24.0)

/* ✓ and ✗ rather than emoji: they are in every common text font, so the
 * page needs no emoji font to read right. */
#define CHECK "\xE2\x9C\x93"
#define CROSS "\xE2\x9C\x97"

static const char CSS[] =
    ":root{--fg:#1d2330;--muted:#5f6b7a;--line:#d9dee5;--bg:#fff;--panel:#f6f8fa;"
    "--ok:#1a7f37;--bad:#cf222e;--warn:#9a6700;--accent:#0969da}\n"
    "*{box-sizing:border-box}\n"
    "body{margin:0;font:14px/1.45 system-ui,-apple-system,'Segoe UI',Roboto,'Helvetica Neue',Arial,sans-serif;"
    "color:var(--fg);background:var(--bg)}\n"
    "header,main,footer{max-width:1200px;margin:0 auto;padding:0 24px}\n"
    "header{padding-top:20px}\n"
    "h1{font-size:22px;margin:0 0 4px}h1 .run{color:var(--muted);font-weight:400}\n"
    "h2{font-size:17px;margin:28px 0 10px;padding-bottom:4px;border-bottom:1px solid var(--line)}\n"
    ".headline{font-size:16px;margin:6px 0 14px}.headline.bad strong{color:var(--bad)}"
    ".headline.ok strong{color:var(--ok)}\n"
    "code,.mono{font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;font-size:12.5px}\n"
    "dl#facts{display:grid;grid-template-columns:repeat(auto-fill,minmax(250px,1fr));gap:6px 18px;"
    "margin:0;padding:12px 14px;background:var(--panel);border:1px solid var(--line);border-radius:6px}\n"
    "dl#facts div{display:flex;gap:8px;min-width:0}dl#facts dt{color:var(--muted);white-space:nowrap}"
    "dl#facts dd{margin:0;overflow-wrap:anywhere}\n"
    ".charts{display:grid;grid-template-columns:repeat(auto-fill,minmax(300px,1fr));gap:14px}\n"
    "figure.trend-card{margin:0;padding:10px 12px;border:1px solid var(--line);border-radius:6px}\n"
    "figure.trend-card figcaption{font-size:13px;margin-bottom:4px}\n"
    "figcaption .agent{font-weight:600}.sub{color:var(--muted)}\n"
    "svg.trend{width:100%;height:auto;display:block}\n"
    "svg.trend .grid{stroke:var(--line);stroke-width:1}\n"
    "svg.trend .axis{fill:var(--muted);font-size:10px}\n"
    "svg.trend .bar{stroke:var(--bad);stroke-width:1.5;stroke-dasharray:5 4}\n"
    "svg.trend .barlabel{fill:var(--bad);font-size:10px}\n"
    "svg.trend .rate{fill:none;stroke:var(--accent);stroke-width:2.2;stroke-linejoin:round}\n"
    "svg.trend .pt{fill:var(--accent)}svg.trend .pt.below{fill:var(--bad)}svg.trend .pt.last{stroke:#fff;stroke-width:1.5}\n"
    "table{border-collapse:collapse;width:100%}\n"
    "th,td{padding:5px 8px;border-bottom:1px solid var(--line);text-align:left;vertical-align:top}\n"
    "thead th{font-size:12px;text-transform:uppercase;letter-spacing:.03em;color:var(--muted);"
    "border-bottom:2px solid var(--line);white-space:nowrap}\n"
    "td.num,th.num{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}\n"
    ".scroll{overflow-x:auto}\n"
    ".status{font-weight:600;white-space:nowrap}tr.ok .status{color:var(--ok)}"
    "tr.below .status{color:var(--bad)}tr.none .status{color:var(--warn)}\n"
    ".up{color:var(--ok)}.down{color:var(--bad)}.flat{color:var(--muted)}\n"
    ".meter{position:relative;display:inline-block;width:110px;height:10px;background:#eaeef2;"
    "border-radius:5px;vertical-align:middle;margin-left:6px}\n"
    ".meter .fill{position:absolute;left:0;top:0;bottom:0;border-radius:5px;background:var(--accent)}\n"
    "tr.below .meter .fill{background:var(--bad)}tr.ok .meter .fill{background:var(--ok)}\n"
    ".meter .mark{position:absolute;top:-3px;bottom:-3px;width:2px;background:var(--fg)}\n"
    ".badge{display:inline-block;font-size:11px;padding:0 6px;border-radius:9px;border:1px solid var(--line);"
    "color:var(--muted);margin-left:4px;white-space:nowrap}\n"
    ".badge.new{color:var(--bad);border-color:var(--bad)}.badge.changed{color:var(--accent);border-color:var(--accent)}\n"
    "table#fields td.heat{min-width:92px;text-align:center;border:2px solid var(--bg);border-radius:4px}\n"
    "table#fields td.heat .f{display:block;font-size:12px;overflow-wrap:anywhere}"
    "table#fields td.heat .a{display:block;font-weight:600}\n"
    "table#fields td.empty{border-bottom:none}\n"
    "table#worst td{font-size:13px}table#worst .tid{font-weight:600;overflow-wrap:anywhere}\n"
    "table.checks{width:100%;table-layout:fixed}table.checks col.c-field{width:17%}"
    "table.checks col.c-exp{width:19%}table.checks col.c-act{width:22%}\n"
    "table.checks{width:100%}table.checks td,table.checks th{border-bottom:1px dotted var(--line);padding:2px 6px}\n"
    "table.checks th{font-weight:400;color:var(--muted);font-size:11px}\n"
    ".exp{color:var(--ok)}.act{color:var(--bad)}.why{color:var(--fg)}\n"
    "code.str::before,code.str::after{content:'\\201C';color:var(--muted)}code.str::after{content:'\\201D'}\n"
    "td.val{overflow-wrap:anywhere;max-width:260px}\n"
    "p.empty{color:var(--muted)}.nowrap{white-space:nowrap}\n"
    "footer{color:var(--muted);font-size:12px;margin-top:32px;padding-bottom:24px}\n";

/* ---- small writers ------------------------------------------------------------ */

static void esc(FILE *o, const char *s) { hx_report_put_markup(o, s, false); }
static void attr(FILE *o, const char *s) { hx_report_put_markup(o, s, true); }

/* Text, or a dash when the value is unknown. */
static void esc_or_dash(FILE *o, const char *s)
{
    if (s && *s) esc(o, s);
    else fputs("\xE2\x80\x94", o);
}

static void pct(FILE *o, double rate)
{
    char b[32];
    hx_report_fmt_pct(b, sizeof b, rate);
    fputs(b, o);
}

/* A Δ cell's class: which way the score moved. */
static const char *delta_class(double d)
{
    if (isnan(d) || fabs(d) < 0.0005) return "flat";
    return d > 0 ? "up" : "down";
}

static void delta(FILE *o, double d)
{
    char b[32];
    hx_report_fmt_delta(b, sizeof b, d);
    fprintf(o, "<span class=\"%s\">%s</span>", delta_class(d), b);
}

/* Heatmap colour: red at 50 % accuracy or less, through amber, to green
 * at 100 % — the range where a field's accuracy actually matters. */
static int heat_hue(double acc)
{
    double t = (acc - 0.5) / 0.5;
    if (isnan(t) || t < 0) t = 0;
    if (t > 1) t = 1;
    return (int)lround(t * 120.0);
}

/* ---- head, facts ----------------------------------------------------------- */

static void put_head(FILE *o, const hx_report *r)
{
    fputs("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
          "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
          "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; "
          "style-src 'unsafe-inline'; img-src data:\">\n"
          "<meta name=\"generator\" content=\"harness report\">\n", o);
    fprintf(o, "<title>harness report \xE2\x80\x94 run %lld</title>\n<style>\n%s</style>\n</head>\n",
            (long long)r->run.run_id, CSS);
}

static void fact(FILE *o, const char *id, const char *label, const char *value)
{
    fprintf(o, "<div><dt>%s</dt><dd id=\"fact-%s\">", label, id);
    esc_or_dash(o, value);
    fputs("</dd></div>\n", o);
}

static void put_headline(FILE *o, const hx_report *r)
{
    bool bad = r->run.modules_below > 0;
    fprintf(o, "<p class=\"headline %s\"><strong>%s ", bad ? "bad" : "ok", bad ? CROSS : CHECK);
    if (bad)
        fprintf(o, "%zu of %zu module%s below %s bar</strong>", r->run.modules_below, r->nmodules,
                r->nmodules == 1 ? "" : "s", r->nmodules == 1 ? "its" : "their");
    else
        fprintf(o, "every module at or above its bar</strong>");
    fputs(" \xC2\xB7 ", o);
    pct(o, r->run.pass_rate);
    fprintf(o, " of %lld case%s pass", (long long)r->run.cases, r->run.cases == 1 ? "" : "s");
    if (r->run.errors) fprintf(o, " \xC2\xB7 %lld infrastructure error%s", (long long)r->run.errors,
                               r->run.errors == 1 ? "" : "s");
    fputs("</p>\n", o);
}

/* "under 1 s", "42 s", "3 min 5 s", "2 h 10 min", "3.5 days"; the store
 * keeps whole seconds. */
static void fmt_duration(char *b, size_t n, double s)
{
    if (isnan(s) || s < 0) snprintf(b, n, "%s", "");
    else if (s < 1) snprintf(b, n, "under 1 s");
    else if (s < 120) snprintf(b, n, "%.0f s", s);
    else if (s < 3600) snprintf(b, n, "%d min %d s", (int)(s / 60), (int)fmod(s, 60));
    else if (s < 172800) snprintf(b, n, "%d h %d min", (int)(s / 3600), (int)fmod(s / 60, 60));
    else snprintf(b, n, "%.1f days", s / 86400);
}

static void put_facts(FILE *o, const hx_report *r)
{
    char b[160];
    fputs("<dl id=\"facts\">\n", o);
    snprintf(b, sizeof b, "%lld", (long long)r->run.run_id);
    fact(o, "run", "Run", b);
    fact(o, "status", "Status", r->run.status);
    fact(o, "model", "LM model", r->run.lm_model);
    fact(o, "suite", "Suite", r->run.suite_path);
    fact(o, "started", "Started", r->run.started_at);
    fact(o, "finished", "Finished", r->run.finished_at);
    fmt_duration(b, sizeof b, r->run.duration_s);
    fact(o, "duration", "Duration", b);
    snprintf(b, sizeof b, "%lld (%lld pass, %lld fail, %lld error)", (long long)r->run.cases,
             (long long)r->run.passed, (long long)r->run.failed, (long long)r->run.errors);
    fact(o, "cases", "Cases", b);
    snprintf(b, sizeof b, "%lld prompt + %lld completion", (long long)r->run.prompt_tokens,
             (long long)r->run.completion_tokens);
    fact(o, "tokens", "Tokens", b);
    snprintf(b, sizeof b, "$%.4f", r->run.cost_usd);
    fact(o, "cost", "Cost", b);
    if (isnan(r->run.latency_ms_mean)) b[0] = '\0';
    else snprintf(b, sizeof b, "%.0f ms mean, %.0f ms p95", r->run.latency_ms_mean, r->run.latency_ms_p95);
    fact(o, "latency", "Latency", b);
    if (r->run.previous_run_id) snprintf(b, sizeof b, "%lld", (long long)r->run.previous_run_id);
    else b[0] = '\0';
    fact(o, "previous", "Previous run", b);
    fact(o, "db", "Database", r->db_path);
    fputs("</dl>\n", o);
}

/* ---- trend charts --------------------------------------------------------------- */

static double chart_x(size_t i, size_t n)
{
    if (n <= 1) return (PLOT_X0 + PLOT_X1) / 2;
    return PLOT_X0 + (PLOT_X1 - PLOT_X0) * (double)i / (double)(n - 1);
}

/* The y axis spans [lo, 100 %]. A fixed 0-100 % axis flattens the drift
 * that matters (80 % -> 76 % over a month) into a straight line, so lo is
 * the lowest rate or bar, less a margin, rounded down to 10 %. */
typedef struct chart_scale {
    double lo;
} chart_scale;

static chart_scale chart_scale_of(const hx_report_agent *a)
{
    double lo = isnan(a->bar) ? 1.0 : a->bar;
    chart_scale sc;
    for (size_t i = 0; i < a->ntrend; i++)
        if (!isnan(a->trend[i].pass_rate) && a->trend[i].pass_rate < lo) lo = a->trend[i].pass_rate;
    lo = floor((lo - 0.05) * 10.0 + 1e-9) / 10.0;
    sc.lo = lo < 0 ? 0 : lo > 0.8 ? 0.8 : lo;
    return sc;
}

static double chart_y(const chart_scale *sc, double rate)
{
    return PLOT_Y1 - (PLOT_Y1 - PLOT_Y0) * (rate - sc->lo) / (1.0 - sc->lo);
}

static void chart_grid(FILE *o, const chart_scale *sc)
{
    double ticks[3] = {sc->lo, (sc->lo + 1.0) / 2, 1.0};
    for (size_t i = 0; i < 3; i++) {
        double y = chart_y(sc, ticks[i]);
        fprintf(o, "<line class=\"grid\" x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\"/>", PLOT_X0, y, PLOT_X1, y);
        fprintf(o, "<text class=\"axis\" x=\"%.1f\" y=\"%.1f\" text-anchor=\"end\">%.0f%%</text>\n", PLOT_X0 - 5,
                y + 3.5, ticks[i] * 100);
    }
}

/* The rate as a path, broken where a run had no pass/fail case. */
static void chart_line(FILE *o, const hx_report_agent *a, const chart_scale *sc)
{
    bool pen = false;
    fprintf(o, "<path class=\"rate\" d=\"");
    for (size_t i = 0; i < a->ntrend; i++) {
        if (isnan(a->trend[i].pass_rate)) {
            pen = false;
            continue;
        }
        fprintf(o, "%s%.1f,%.1f", pen ? " L" : (i ? " M" : "M"), chart_x(i, a->ntrend),
                chart_y(sc, a->trend[i].pass_rate));
        pen = true;
    }
    fputs("\"/>\n", o);
}

static void chart_points(FILE *o, const hx_report_agent *a, const chart_scale *sc)
{
    /* Smaller dots when many runs share the width. */
    const char *radius = a->ntrend > 15 ? "2" : "3";
    for (size_t i = 0; i < a->ntrend; i++) {
        const hx_report_point *p = &a->trend[i];
        if (isnan(p->pass_rate)) continue;
        bool below = !isnan(a->bar) && p->pass_rate < a->bar, last = i + 1 == a->ntrend;
        fprintf(o, "<circle class=\"pt%s%s\" cx=\"%.1f\" cy=\"%.1f\" r=\"%s\"><title>run %lld \xC2\xB7 ",
                below ? " below" : "", last ? " last" : "", chart_x(i, a->ntrend), chart_y(sc, p->pass_rate),
                last ? "4.5" : radius, (long long)p->run_id);
        esc(o, p->started_at);
        fputs(" \xC2\xB7 ", o);
        pct(o, p->pass_rate);
        fputs("</title></circle>\n", o);
    }
}

static void chart_bar(FILE *o, const hx_report_agent *a, const chart_scale *sc)
{
    if (isnan(a->bar)) return;
    double y = chart_y(sc, a->bar);
    fprintf(o, "<line class=\"bar\" data-bar=\"%.4f\" x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\">"
               "<title>bar %.1f%%</title></line>", a->bar, PLOT_X0, y, PLOT_X1, y, a->bar * 100);
    fprintf(o, "<text class=\"barlabel\" x=\"%.1f\" y=\"%.1f\" text-anchor=\"end\">bar %.0f%%</text>\n", PLOT_X1,
            y - 4, a->bar * 100);
}

static void chart_caption(FILE *o, const hx_report_agent *a)
{
    fputs("<figcaption><span class=\"agent\">", o);
    esc(o, a->agent);
    fputs("</span> ", o);
    pct(o, a->pass_rate);
    if (a->ntrend >= 2) {
        const hx_report_point *first = &a->trend[0], *prev = &a->trend[a->ntrend - 2];
        fputs(" <span class=\"sub\">\xC2\xB7 ", o);
        delta(o, a->pass_rate - prev->pass_rate);
        fprintf(o, " vs run %lld \xC2\xB7 ", (long long)prev->run_id);
        /* Slow drift hides from run-to-run deltas; the window's span shows it. */
        delta(o, a->pass_rate - first->pass_rate);
        fprintf(o, " over %zu runs</span>", a->ntrend);
    }
    fputs("</figcaption>\n", o);
}

static void put_chart(FILE *o, const hx_report_agent *a)
{
    fputs("<figure class=\"trend-card\">\n", o);
    chart_caption(o, a);
    fputs("<svg class=\"trend\" data-agent=\"", o);
    attr(o, a->agent);
    fprintf(o, "\" xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 %.0f %.0f\" role=\"img\" aria-label=\"pass rate of ",
            CHART_W, CHART_H);
    attr(o, a->agent);
    fprintf(o, " over the last %zu runs\">\n", a->ntrend);
    chart_scale sc = chart_scale_of(a);
    chart_grid(o, &sc);
    chart_bar(o, a, &sc);
    chart_line(o, a, &sc);
    chart_points(o, a, &sc);
    if (a->ntrend) {
        fprintf(o, "<text class=\"axis\" x=\"%.1f\" y=\"%.1f\" text-anchor=\"start\">run %lld</text>", PLOT_X0,
                CHART_H - 6, (long long)a->trend[0].run_id);
        fprintf(o, "<text class=\"axis\" x=\"%.1f\" y=\"%.1f\" text-anchor=\"end\">run %lld</text>\n", PLOT_X1,
                CHART_H - 6, (long long)a->trend[a->ntrend - 1].run_id);
    }
    fputs("</svg>\n</figure>\n", o);
}

static void put_trends(FILE *o, const hx_report *r)
{
    size_t runs = 0;
    for (size_t i = 0; i < r->nagents; i++)
        if (r->agents[i].ntrend > runs) runs = r->agents[i].ntrend;
    fprintf(o, "<section id=\"sec-trends\">\n<h2>Pass rate per agent over the last %zu run%s</h2>\n"
               "<div class=\"charts\">\n", runs, runs == 1 ? "" : "s");
    for (size_t i = 0; i < r->nagents; i++) put_chart(o, &r->agents[i]);
    fputs("</div>\n</section>\n", o);
}

/* ---- modules ---------------------------------------------------------------- */

static void module_status(FILE *o, const hx_report_module *m)
{
    if (!strcmp(m->status, "ok")) fputs(CHECK " ok", o);
    else if (!strcmp(m->status, "below")) fputs(CROSS " below bar", o);
    else fputs("\xE2\x80\x94 no score", o);
}

static void module_row(FILE *o, const hx_report_module *m)
{
    fprintf(o, "<tr class=\"module %s\" data-agent=\"", m->status);
    attr(o, m->agent);
    fputs("\" data-module=\"", o);
    attr(o, m->module);
    fprintf(o, "\" data-status=\"%s\"><td class=\"status\">", m->status);
    module_status(o, m);
    fputs("</td><td>", o);
    esc(o, m->agent);
    fputs("</td><td>", o);
    esc(o, m->module);
    fprintf(o, "</td><td class=\"num\">%lld</td><td class=\"num\">%lld</td><td class=\"num\">%lld</td>"
               "<td class=\"num\">%lld</td><td class=\"num rate\">",
            (long long)m->cases, (long long)m->passed, (long long)m->failed, (long long)m->errors);
    pct(o, m->pass_rate);
    fprintf(o, "<span class=\"meter\"><span class=\"fill\" style=\"width:%.1f%%\"></span>"
               "<span class=\"mark\" style=\"left:%.1f%%\"></span></span></td><td class=\"num\">",
            isnan(m->pass_rate) ? 0.0 : 100 * m->pass_rate, isnan(m->bar) ? 0.0 : 100 * m->bar);
    pct(o, m->bar);
    fputs("</td><td class=\"num delta\">", o);
    delta(o, m->delta);
    if (m->prev_run_id) fprintf(o, " <span class=\"badge\">run %lld</span>", (long long)m->prev_run_id);
    fputs("</td><td class=\"mono\" title=\"", o);
    attr(o, m->program_sha256);
    fputs("\">", o);
    if (m->program_sha256) fprintf(o, "%.12s", m->program_sha256); /* hex: nothing to escape */
    else fputs("\xE2\x80\x94", o);
    if (m->program_changed) fputs(" <span class=\"badge changed\">new program</span>", o);
    fputs("</td></tr>\n", o);
}

static void put_modules(FILE *o, const hx_report *r)
{
    fputs("<section id=\"sec-modules\">\n<h2>Modules</h2>\n<div class=\"scroll\"><table id=\"modules\">\n"
          "<thead><tr><th>Status</th><th>Agent</th><th>Module</th><th class=\"num\">Cases</th>"
          "<th class=\"num\">Pass</th><th class=\"num\">Fail</th><th class=\"num\">Error</th>"
          "<th class=\"num\">Pass rate</th><th class=\"num\">Bar</th><th class=\"num\">\xCE\x94 vs previous</th>"
          "<th>Program</th></tr></thead>\n<tbody>\n", o);
    for (size_t i = 0; i < r->nmodules; i++) module_row(o, &r->modules[i]);
    fputs("</tbody>\n</table></div>\n</section>\n", o);
}

/* ---- field heatmap ------------------------------------------------------------ */

/* Fields are loaded sorted by module, then accuracy: each row is a module
 * with its fields, least accurate first, so the eye lands on the worst. */
static size_t widest_module(const hx_report *r)
{
    size_t best = 0, run = 0;
    for (size_t i = 0; i < r->nfields; i++) {
        bool same = i && !strcmp(r->fields[i].agent, r->fields[i - 1].agent) &&
                    !strcmp(r->fields[i].module, r->fields[i - 1].module);
        run = same ? run + 1 : 1;
        if (run > best) best = run;
    }
    return best;
}

static void heat_cell(FILE *o, const hx_report_field *f)
{
    char b[32];
    fprintf(o, "<td class=\"heat\" data-field=\"");
    attr(o, f->field);
    fprintf(o, "\" data-accuracy=\"%.4f\" style=\"background:hsl(%d,70%%,82%%)\" title=\"", f->accuracy,
            heat_hue(f->accuracy));
    attr(o, f->field);
    fprintf(o, ": %lld of %lld checks pass", (long long)f->passed, (long long)f->checks);
    if (!isnan(f->prev_accuracy)) {
        hx_report_fmt_delta(b, sizeof b, f->accuracy - f->prev_accuracy);
        fprintf(o, "; %s vs previous run", b);
    }
    fputs("\"><span class=\"f\">", o);
    esc(o, f->field);
    fputs("</span><span class=\"a\">", o);
    pct(o, f->accuracy);
    fputs("</span></td>", o);
}

static void put_fields(FILE *o, const hx_report *r)
{
    size_t width = widest_module(r);
    fputs("<section id=\"sec-fields\">\n<h2>Field accuracy</h2>\n<div class=\"scroll\"><table id=\"fields\">\n", o);
    fprintf(o, "<thead><tr><th>Agent / module</th><th colspan=\"%zu\">Fields, least accurate first</th></tr></thead>\n"
               "<tbody>\n", width ? width : 1);
    for (size_t i = 0, n = 0; i < r->nfields; i++) {
        const hx_report_field *f = &r->fields[i];
        if (i == 0 || strcmp(f->agent, r->fields[i - 1].agent) || strcmp(f->module, r->fields[i - 1].module)) {
            if (i) {
                for (; n < width; n++) fputs("<td class=\"empty\"></td>", o);
                fputs("</tr>\n", o);
            }
            n = 0;
            fputs("<tr class=\"fieldrow\" data-agent=\"", o);
            attr(o, f->agent);
            fputs("\" data-module=\"", o);
            attr(o, f->module);
            fputs("\"><th>", o);
            esc(o, f->agent);
            fputs(" / ", o);
            esc(o, f->module);
            fputs("</th>", o);
        }
        heat_cell(o, f);
        n++;
        if (i + 1 == r->nfields) {
            for (; n < width; n++) fputs("<td class=\"empty\"></td>", o);
            fputs("</tr>\n", o);
        }
    }
    fputs("</tbody>\n</table></div>\n</section>\n", o);
}

/* ---- worst cases ------------------------------------------------------------- */

/* The actual value as the module said it. A JSON string is shown decoded
 * (quotes drawn by CSS, so they are not part of the text) rather than as
 * a JSON literal full of backslashes; other JSON (numbers, lists) as is.
 * The canonical form follows only when it differs. */
static void put_actual(FILE *o, const hx_report_check *k)
{
    cJSON *v = k->actual_raw ? hx_json_parse(k->actual_raw) : NULL;
    const char *shown = cJSON_IsString(v) ? v->valuestring : k->actual_raw;
    if (!k->actual_raw) {
        fputs("<em>absent</em>", o);
    } else {
        fputs(cJSON_IsString(v) ? "<code class=\"str\">" : "<code>", o);
        esc(o, shown);
        fputs("</code>", o);
        if (k->actual && strcmp(k->actual, shown)) {
            fputs(" \xE2\x86\x92 <code>", o);
            esc(o, k->actual);
            fputs("</code>", o);
        }
    }
    cJSON_Delete(v);
}

static void put_checks(FILE *o, const hx_report_case *c)
{
    fputs("<table class=\"checks\"><colgroup><col class=\"c-field\"><col class=\"c-exp\"><col class=\"c-act\">"
          "<col></colgroup><thead><tr><th>field</th><th>expected</th><th>actual</th><th>why</th></tr></thead>"
          "<tbody>", o);
    for (size_t i = 0; i < c->nchecks; i++) {
        const hx_report_check *k = &c->checks[i];
        fputs("<tr><td><code>", o);
        esc(o, k->field);
        fputs("</code></td><td class=\"val exp\">", o);
        /* "null" is how the store spells "the caller never gave it". */
        if (k->expected && !strcmp(k->expected, "null")) {
            fputs("<em>no value</em>", o);
        } else {
            fputs("<code>", o);
            esc_or_dash(o, k->expected);
            fputs("</code>", o);
        }
        fputs("</td><td class=\"val act\">", o);
        put_actual(o, k);
        fputs("</td><td class=\"why\">", o);
        esc(o, k->reason);
        fputs("</td></tr>", o);
    }
    fputs("</tbody></table>", o);
}

static void case_row(FILE *o, size_t rank, const hx_report_case *c)
{
    fprintf(o, "<tr class=\"case %s\" data-transcript=\"", c->status ? c->status : "");
    attr(o, c->transcript_id);
    fprintf(o, "\"><td class=\"num\">%zu</td><td><div class=\"tid\">", rank);
    esc(o, c->transcript_id);
    fputs("</div><div class=\"sub\">", o);
    esc(o, c->agent);
    fputs(" / ", o);
    esc(o, c->module);
    fputs("</div></td><td class=\"status\">", o);
    esc(o, c->status);
    if (c->prev_status && !strcmp(c->prev_status, "pass")) fputs(" <span class=\"badge new\">new failure</span>", o);
    fputs("</td><td>", o);
    if (c->nchecks) put_checks(o, c);
    else esc(o, c->reason);
    fputs("</td></tr>\n", o);
}

static void put_worst(FILE *o, const hx_report *r)
{
    fprintf(o, "<section id=\"sec-worst\">\n<h2>Worst failing cases</h2>\n");
    if (!r->nworst)
        fprintf(o, "<p class=\"empty\">No failing case in run %lld.</p>\n", (long long)r->run.run_id);
    fputs("<div class=\"scroll\"><table id=\"worst\">\n<thead><tr><th class=\"num\">#</th><th>Transcript</th>"
          "<th>Status</th><th>Expected vs actual, and why</th></tr></thead>\n<tbody>\n", o);
    for (size_t i = 0; i < r->nworst; i++) case_row(o, i + 1, &r->worst_cases[i]);
    fputs("</tbody>\n</table></div>\n</section>\n", o);
}

/* ---- recompiles --------------------------------------------------------------- */

static void score(FILE *o, double v)
{
    if (isnan(v)) fputs("\xE2\x80\x94", o);
    else fprintf(o, "%.3f", v);
}

static void trigger_row(FILE *o, const hx_report_trigger *t)
{
    fputs("<tr class=\"trigger\" data-status=\"", o);
    attr(o, t->status);
    fprintf(o, "\"><td class=\"num\">%lld</td><td class=\"num\">%lld</td><td>", (long long)t->id,
            (long long)t->run_id);
    esc(o, t->agent);
    fputs(" / ", o);
    esc(o, t->module);
    fputs("</td><td class=\"mono nowrap\">", o);
    esc_or_dash(o, t->created_at);
    fputs("</td><td>", o);
    esc_or_dash(o, t->status);
    fputs("</td><td class=\"num\">", o);
    pct(o, t->pass_rate);
    fputs(" / ", o);
    pct(o, t->bar);
    fputs("</td><td class=\"num\">", o);
    if (isnan(t->old_score) && isnan(t->new_score)) {
        fputs("\xE2\x80\x94", o);
    } else {
        score(o, t->old_score);
        fputs(" \xE2\x86\x92 ", o);
        score(o, t->new_score);
    }
    fprintf(o, "</td><td>%s</td><td>", t->promoted < 0 ? "\xE2\x80\x94" : t->promoted ? "yes" : "no");
    esc(o, t->reason);
    fputs("</td></tr>\n", o);
}

static void put_triggers(FILE *o, const hx_report *r)
{
    fputs("<section id=\"sec-recompiles\">\n<h2>Recompile history</h2>\n", o);
    if (!r->ntriggers) fputs("<p class=\"empty\">No recompile triggers up to this run.</p>\n", o);
    fputs("<div class=\"scroll\"><table id=\"recompiles\">\n<thead><tr><th class=\"num\">#</th>"
          "<th class=\"num\">Run</th><th>Agent / module</th><th>Created</th><th>Status</th>"
          "<th class=\"num\">Rate / bar</th><th class=\"num\">Old \xE2\x86\x92 new score</th><th>Promoted</th>"
          "<th>Reason</th></tr></thead>\n<tbody>\n", o);
    for (size_t i = 0; i < r->ntriggers; i++) trigger_row(o, &r->triggers[i]);
    fputs("</tbody>\n</table></div>\n</section>\n", o);
}

/* ---- the page --------------------------------------------------------------- */

int hx_report_html(hx_report *r, FILE *o, hx_error *err)
{
    put_head(o, r);
    fprintf(o, "<body>\n<header>\n<h1>harness report <span class=\"run\">run %lld</span></h1>\n",
            (long long)r->run.run_id);
    put_headline(o, r);
    put_facts(o, r);
    fputs("</header>\n<main>\n", o);
    put_trends(o, r);
    put_modules(o, r);
    put_fields(o, r);
    put_worst(o, r);
    put_triggers(o, r);
    fputs("</main>\n<footer>Generated by <code>harness report</code> at ", o);
    esc(o, r->generated_at);
    fputs(" from <code>", o);
    esc(o, r->db_path);
    fputs("</code>. Pass rate = pass / (pass + fail); infrastructure errors are counted apart.</footer>\n"
          "</body>\n</html>\n", o);
    return hx_report_out_status(o, err);
}
