/*
 * cmd_report.c — `harness report`: render a run's scores as HTML, Markdown,
 * JUnit XML or JSON.
 *
 * Reads the database read-only (report.c) and never creates one: a wrong
 * --db is a clear error (exit 2), not an empty report. With --out the
 * report is written to a temporary file beside F and renamed over it, so a
 * web server or CI step reading F never sees half a report.
 */
#include <errno.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli.h"
#include "paths.h"
#include "report.h"

static const char HELP[] =
    "Usage: harness report [--db F] [--run ID|latest] --format html|md|junit|json [--out F]\n"
    "                      [--last N] [--worst N]\n"
    "\n"
    "Renders one run of the score database, seen against its history:\n"
    "  html   one self-contained page (inline CSS and SVG, no scripts, nothing\n"
    "         fetched): run facts, pass rate per agent over the last N runs with\n"
    "         its bar, modules with the change since their previous run, a\n"
    "         field-accuracy heatmap, the worst failing cases (expected vs actual,\n"
    "         and why), recompile history\n"
    "  md     a short summary for a chat message or pull-request comment\n"
    "  junit  JUnit XML for CI: a testsuite per agent/module, a testcase per\n"
    "         transcript; wrong answers are failures, infrastructure errors errors\n"
    "  json   all the report's data as one JSON object\n"
    "\n"
    "Options:\n"
    "  --db F          the database (default: reports/harness.db); opened read-only\n"
    "  --run ID        the run to report (default: latest)\n"
    "  --format FMT    html, md (markdown), junit (xml) or json; if omitted, taken\n"
    "                  from the --out file's extension (.html .md .xml .json)\n"
    "  --out F         write to F (atomically: a temporary file renamed over F);\n"
    "                  default: standard output\n"
    "  --last N        runs in the trends (default: 30)\n"
    "  --worst N       worst failing cases listed (default: 20)\n"
    "\n"
    "Δ compares each module with its own previous run. SOURCE_DATE_EPOCH, when\n"
    "set, is the report's generation time, so a report can be reproduced.\n"
    "\n"
    "Exit: 0 the report was written; 2 bad usage, or the database is missing, not\n"
    "a harness database, empty, or lacks the run; 3 the report could not be written.\n"
    "\n"
    "Examples:\n"
    "  harness report --format html --out reports/index.html\n"
    "  harness report --run 41 --format md >> \"$GITHUB_STEP_SUMMARY\"\n"
    "  harness report --format junit --out reports/junit.xml\n";

typedef int (*render_fn)(hx_report *r, FILE *out, hx_error *err);

typedef struct format {
    const char *name, *alias, *ext, *ext2;
    render_fn render;
} format;

static const format FORMATS[] = {
    {"html", "htm", ".html", ".htm", hx_report_html},
    {"md", "markdown", ".md", ".markdown", hx_report_markdown},
    {"junit", "xml", ".xml", NULL, hx_report_junit},
    {"json", NULL, ".json", NULL, hx_report_json},
};
#define NFORMATS (sizeof FORMATS / sizeof FORMATS[0])

static const format *format_named(const char *s)
{
    for (size_t i = 0; i < NFORMATS; i++)
        if (!strcmp(s, FORMATS[i].name) || (FORMATS[i].alias && !strcmp(s, FORMATS[i].alias)))
            return &FORMATS[i];
    return NULL;
}

static bool ends_with(const char *s, const char *suffix)
{
    size_t n = strlen(s), m = suffix ? strlen(suffix) : 0;
    return suffix && n > m && !strcmp(s + n - m, suffix);
}

static const format *format_of_path(const char *path)
{
    for (size_t i = 0; i < NFORMATS; i++)
        if (ends_with(path, FORMATS[i].ext) || ends_with(path, FORMATS[i].ext2)) return &FORMATS[i];
    return NULL;
}

/* A whole decimal number in [lo, hi]. */
static int parse_int(const char *s, long long lo, long long hi, long long *out)
{
    char *end;
    long long v;
    errno = 0;
    v = strtoll(s, &end, 10);
    if (errno || end == s || *end || v < lo || v > hi) return -1;
    *out = v;
    return 0;
}

/* Render into a temporary file beside path, then rename it over path. */
static int write_file(hx_report *r, const format *f, const char *path, hx_error *err)
{
    size_t n = strlen(path) + 16;
    char *tmp = malloc(n);
    int fd, rc = -1;
    FILE *out = NULL;
    mode_t um;
    if (!tmp) return hx_fail(err, "out of memory");
    snprintf(tmp, n, "%s.tmp.XXXXXX", path);
    if (hx_make_parent_dirs(path, err) != 0) goto done;
    if ((fd = mkstemp(tmp)) < 0) {
        hx_fail(err, "%s: cannot create the report: %s", path, strerror(errno));
        goto done;
    }
    /* mkstemp makes the file 0600; a report is for reading, like any file. */
    um = umask(0);
    umask(um);
    if (fchmod(fd, 0666 & ~um) != 0 || !(out = fdopen(fd, "w"))) {
        hx_fail(err, "%s: cannot create the report: %s", path, strerror(errno));
        close(fd);
        unlink(tmp);
        goto done;
    }
    rc = f->render(r, out, err);
    if (fclose(out) != 0 && rc == 0) rc = hx_fail(err, "%s: cannot write the report: %s", path, strerror(errno));
    if (rc == 0 && rename(tmp, path) != 0) rc = hx_fail(err, "%s: cannot write the report: %s", path, strerror(errno));
    if (rc != 0) {
        unlink(tmp);
        if (err && !strstr(err->msg, path)) hx_fail_prefix(err, "%s", path);
    }
done:
    free(tmp);
    return rc;
}

int hx_cmd_report(int argc, char **argv)
{
    static const struct option OPTS[] = {
        {"db", required_argument, 0, 'd'},     {"run", required_argument, 0, 'r'},
        {"format", required_argument, 0, 'f'}, {"out", required_argument, 0, 'o'},
        {"last", required_argument, 0, 'l'},   {"worst", required_argument, 0, 'w'},
        {"help", no_argument, 0, 'h'},         {0, 0, 0, 0}};
    const char *db = "reports/harness.db", *out_path = NULL, *fmt_name = NULL;
    hx_report_opts opts = {.run_id = 0, .last = HX_REPORT_DEFAULT_LAST, .worst = HX_REPORT_DEFAULT_WORST};
    const format *fmt;
    hx_report *r = NULL;
    hx_error err = {{0}};
    long long v;
    int c, rc;

    optind = 1;
    opterr = 0;
    while ((c = getopt_long(argc, argv, "", OPTS, NULL)) != -1) {
        switch (c) {
        case 'd': db = optarg; break;
        case 'o': out_path = optarg; break;
        case 'f': fmt_name = optarg; break;
        case 'r':
            if (!strcmp(optarg, "latest")) opts.run_id = 0;
            else if (parse_int(optarg, 1, INT64_MAX, &v) == 0) opts.run_id = v;
            else return hx_cli_usage("report", "--run wants a run id or \"latest\", not \"%s\"", optarg);
            break;
        case 'l':
            if (parse_int(optarg, 1, HX_REPORT_MAX_LAST, &v) != 0)
                return hx_cli_usage("report", "--last wants a number of runs from 1 to %d, not \"%s\"",
                                    HX_REPORT_MAX_LAST, optarg);
            opts.last = (int)v;
            break;
        case 'w':
            if (parse_int(optarg, 0, HX_REPORT_MAX_WORST, &v) != 0)
                return hx_cli_usage("report", "--worst wants a number of cases from 0 to %d, not \"%s\"",
                                    HX_REPORT_MAX_WORST, optarg);
            opts.worst = (int)v;
            break;
        case 'h': fputs(HELP, stdout); return HX_EXIT_OK;
        default:
            if (optopt) return hx_cli_usage("report", "option \"%s\" needs a value", argv[optind - 1]);
            return hx_cli_usage("report", "unknown option \"%s\"", argv[optind - 1]);
        }
    }
    if (optind < argc) return hx_cli_usage("report", "unexpected argument \"%s\"", argv[optind]);
    if (out_path && !strcmp(out_path, "-")) out_path = NULL;
    if (fmt_name) {
        if (!(fmt = format_named(fmt_name)))
            return hx_cli_usage("report", "unknown format \"%s\" (html, md, junit or json)", fmt_name);
    } else if (!out_path || !(fmt = format_of_path(out_path))) {
        return hx_cli_usage("report", "--format is required (html, md, junit or json)");
    }

    if (hx_report_load(db, &opts, &r, &err) != 0) {
        fprintf(stderr, "harness report: %s\n", err.msg);
        return HX_EXIT_USAGE;
    }
    if (out_path) {
        rc = write_file(r, fmt, out_path, &err);
    } else {
        rc = fmt->render(r, stdout, &err);
    }
    hx_report_free(r);
    if (rc != 0) {
        fprintf(stderr, "harness report: %s\n", err.msg);
        return HX_EXIT_RUNTIME;
    }
    return HX_EXIT_OK;
}
