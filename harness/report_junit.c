/*
 * report_junit.c — the run as JUnit XML, for CI systems.
 *
 * Jenkins, GitLab, GitHub Actions reporters and most CI dashboards read
 * JUnit XML natively, so a nightly run shows up in them as tests: one
 * <testsuite> per agent/module (its counts, bar and pass rate as
 * properties), one <testcase> per transcript × module. A case the module
 * got wrong is a <failure> whose message is the first reason and whose body
 * lists every failing field; an infrastructure error (no answer, timeout)
 * is an <error>, as JUnit keeps "the test failed" apart from "the test
 * could not run" — the same line DESIGN §5 draws.
 *
 * Cases are streamed from the database (hx_report_each_case), so a run of
 * any size renders in constant memory. Text goes through
 * hx_report_put_markup: entities for markup characters, character
 * references for line breaks inside attributes, and U+FFFD for the control
 * characters XML 1.0 cannot carry at all.
 */
#include "report.h"

#include <math.h>
#include <string.h>

static void attr(FILE *o, const char *s) { hx_report_put_markup(o, s, true); }
static void text(FILE *o, const char *s) { hx_report_put_markup(o, s, false); }

/* JUnit's timestamp has no zone designator; ours are all UTC. */
static void timestamp(FILE *o, const char *iso)
{
    char b[40];
    size_t n = iso ? strlen(iso) : 0;
    if (n && iso[n - 1] == 'Z') n--;
    if (n == 0 || n >= sizeof b) return; /* not a timestamp: leave it out */
    memcpy(b, iso, n);
    b[n] = '\0';
    fputs(" timestamp=\"", o);
    attr(o, b);
    fputc('"', o);
}

static void property(FILE *o, const char *name, const char *value)
{
    if (!value) return;
    fprintf(o, "      <property name=\"%s\" value=\"", name);
    attr(o, value);
    fputs("\"/>\n", o);
}

static void property_num(FILE *o, const char *name, double v)
{
    if (!isnan(v)) fprintf(o, "      <property name=\"%s\" value=\"%.6g\"/>\n", name, v);
}

typedef struct junit_ctx {
    FILE *o;
    const hx_report_module *m;
} junit_ctx;

/* "field: reason" per failing field, or the case's own reason. */
static void failure_body(FILE *o, const hx_report_case *c)
{
    if (!c->nchecks) text(o, c->reason);
    for (size_t i = 0; i < c->nchecks; i++) {
        const hx_report_check *k = &c->checks[i];
        if (i) fputc('\n', o);
        text(o, k->field);
        fputs(": ", o);
        text(o, k->reason);
    }
}

static int write_case(const hx_report_case *c, void *ud)
{
    junit_ctx *j = ud;
    FILE *o = j->o;
    /* classname "agent.module": CI tools show it as package and class. */
    fputs("    <testcase classname=\"", o);
    attr(o, j->m->agent);
    fputc('.', o);
    attr(o, j->m->module);
    fputs("\" name=\"", o);
    attr(o, c->transcript_id);
    fprintf(o, "\" time=\"%.3f\"", c->latency_ms / 1000.0);
    if (!strcmp(c->status, "pass")) {
        fputs("/>\n", o);
        return ferror(o) ? -1 : 0;
    }
    bool error = !strcmp(c->status, "error");
    fprintf(o, ">\n      <%s message=\"", error ? "error" : "failure");
    attr(o, c->reason);
    fprintf(o, "\" type=\"%s\">", error ? "infrastructure" : "assertion");
    if (error) text(o, c->reason);
    else failure_body(o, c);
    fprintf(o, "</%s>\n    </testcase>\n", error ? "error" : "failure");
    return ferror(o) ? -1 : 0;
}

static void suite_open(FILE *o, const hx_report *r, const hx_report_module *m)
{
    fputs("  <testsuite name=\"", o);
    attr(o, m->agent);
    fputc('/', o);
    attr(o, m->module);
    fprintf(o, "\" tests=\"%lld\" failures=\"%lld\" errors=\"%lld\" skipped=\"0\" time=\"%.3f\"",
            (long long)m->cases, (long long)m->failed, (long long)m->errors, m->latency_ms_total / 1000.0);
    timestamp(o, r->run.started_at);
    fputs(">\n    <properties>\n", o);
    {
        char id[32];
        snprintf(id, sizeof id, "%lld", (long long)r->run.run_id);
        property(o, "run_id", id);
    }
    property(o, "agent", m->agent);
    property(o, "module", m->module);
    property(o, "lm_model", r->run.lm_model);
    property(o, "program_sha256", m->program_sha256);
    property_num(o, "pass_rate", m->pass_rate);
    property_num(o, "bar", m->bar);
    property(o, "below_bar", m->below_bar ? "true" : "false");
    fputs("    </properties>\n", o);
}

int hx_report_junit(hx_report *r, FILE *o, hx_error *err)
{
    double time_s = r->run.duration_s;
    if (isnan(time_s)) { /* still running: the time spent so far in its cases */
        time_s = 0;
        for (size_t i = 0; i < r->nmodules; i++) time_s += r->modules[i].latency_ms_total / 1000.0;
    }
    fputs("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n", o);
    fprintf(o, "<testsuites name=\"harness run %lld\" tests=\"%lld\" failures=\"%lld\" errors=\"%lld\" time=\"%.3f\">\n",
            (long long)r->run.run_id, (long long)r->run.cases, (long long)r->run.failed, (long long)r->run.errors,
            time_s);
    for (size_t i = 0; i < r->nmodules; i++) {
        const hx_report_module *m = &r->modules[i];
        junit_ctx j = {o, m};
        suite_open(o, r, m);
        if (hx_report_each_case(r, m->agent, m->module, write_case, &j, err) != 0) {
            if (ferror(o)) return hx_fail(err, "cannot write the report");
            return -1;
        }
        fputs("  </testsuite>\n", o);
    }
    fputs("</testsuites>\n", o);
    return hx_report_out_status(o, err);
}
