/*
 * cmd_check.c — `harness check`: score predictions you already have (no LM).
 *
 * The predictions file holds one {"id": ..., "outputs": {field: value}} a
 * line. Everything is read and validated before anything is scored or
 * written: the suite, the module's rules and program, the agent's
 * transcripts, and every prediction line (malformed JSON, missing id,
 * duplicate id, an id that is not a transcript of the agent). With --db the
 * results are recorded as a run of kind "check", so the SQL views hold them.
 */
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include "assertion.h"
#include "cli.h"
#include "paths.h"
#include "store.h"
#include "strset.h"
#include "validate.h"

static const char HELP[] =
    "Usage: harness check --suite F --module M --predictions F.jsonl [--db F] [--json] [--verbose]\n"
    "\n"
    "Scores a module's predictions against the expected values of its agent's\n"
    "transcripts, with the module's assertion rules, without calling any LM.\n"
    "Each line of the predictions file is {\"id\": \"<transcript id>\", \"outputs\": {...}}.\n"
    "\n"
    "Options:\n"
    "  --suite F          the suite file (default: suite.json)\n"
    "  --module M         the module, as NAME or AGENT/NAME\n"
    "  --predictions F    the JSONL predictions\n"
    "  --db F             also record the results as a run in this SQLite database\n"
    "  --json             print one JSON object with the summary and every case\n"
    "  --verbose          print passing cases too\n"
    "\n"
    "Output: one line per failing case with the reason, per-field accuracy, and\n"
    "the module's pass rate against its bar. Transcripts with no prediction are\n"
    "counted and named on stderr, not scored.\n"
    "\n"
    "Exit: 0 pass rate at or above the bar; 1 below the bar; 2 bad usage, suite,\n"
    "transcripts or predictions (nothing written); 3 the database failed.\n"
    "\n"
    "Example:\n"
    "  harness check --suite suite.json --module booking_extractor \\\n"
    "      --predictions preds.jsonl --db reports/harness.db\n";

#define PRED_LINE_MAX (16u << 20)

typedef struct opts {
    const char *suite, *module, *preds, *db;
    int json, verbose;
} opts;

typedef struct field_tally {
    char *field;
    size_t checks, passed;
} field_tally;

typedef struct tally {
    size_t cases, passed, failed, missing;
    field_tally *f;
    size_t nf;
} tally;

static void tally_field(tally *t, const char *field, int pass)
{
    for (size_t i = 0; i < t->nf; i++)
        if (!strcmp(t->f[i].field, field)) {
            t->f[i].checks++;
            t->f[i].passed += pass != 0;
            return;
        }
    field_tally *f = realloc(t->f, (t->nf + 1) * sizeof *f);
    if (!f) return;
    t->f = f;
    t->f[t->nf].field = strdup(field);
    t->f[t->nf].checks = 1;
    t->f[t->nf].passed = pass != 0;
    t->nf++;
}

static void tally_free(tally *t)
{
    for (size_t i = 0; i < t->nf; i++) free(t->f[i].field);
    free(t->f);
}

/* Read every prediction line into an object id -> outputs. Problems go to d. */
static cJSON *read_predictions(const char *path, hx_diags *d)
{
    FILE *f = fopen(path, "rb");
    cJSON *map = cJSON_CreateObject();
    char *line = NULL;
    size_t cap = 0;
    ssize_t n;
    int lineno = 0;
    if (!f) {
        hx_diags_add(d, path, 0, 0, "", "cannot open the predictions file");
        return map;
    }
    while ((n = getline(&line, &cap, f)) > 0) {
        hx_json_doc doc;
        hx_error err;
        hx_jpath top = {0};
        lineno++;
        if (strspn(line, " \t\r\n") == (size_t)n) continue;
        if ((size_t)n > PRED_LINE_MAX) {
            hx_diags_add(d, path, lineno, 1, "", "line is %zd bytes, more than the limit of %u", n, PRED_LINE_MAX);
            continue;
        }
        if (hx_json_doc_parse(path, lineno, line, (size_t)n, &doc, &err) != 0) {
            hx_diags_add(d, "", 0, 0, "", "%s", err.msg);
            continue;
        }
        const cJSON *id = cJSON_GetObjectItemCaseSensitive(doc.root, "id");
        const cJSON *out = cJSON_GetObjectItemCaseSensitive(doc.root, "outputs");
        hx_jpath qi = hx_jpath_key(&top, "id"), qo = hx_jpath_key(&top, "outputs");
        if (!cJSON_IsObject(doc.root)) {
            hx_doc_diag(d, &doc, &top, "expected {\"id\": \"...\", \"outputs\": {...}}");
        } else if (!cJSON_IsString(id) || !id->valuestring[0]) {
            hx_doc_diag(d, &doc, id ? &qi : &top, "\"id\" must be a transcript id string");
        } else if (!cJSON_IsObject(out)) {
            hx_doc_diag(d, &doc, out ? &qo : &top, "\"outputs\" must be an object of field -> value");
        } else if (cJSON_GetObjectItemCaseSensitive(map, id->valuestring)) {
            hx_doc_diag(d, &doc, &qi, "a second prediction for \"%s\"", id->valuestring);
        } else {
            cJSON_AddItemToObject(map, id->valuestring, cJSON_Duplicate(out, 1));
        }
        hx_json_doc_free(&doc);
    }
    if (lineno == 0) hx_diags_add(d, path, 0, 0, "", "the predictions file is empty");
    free(line);
    fclose(f);
    return map;
}

static void print_case_text(const hx_transcript *t, const hx_case_verdict *v, int verbose, bool color)
{
    if (v->status == HX_PASS && !verbose) return;
    printf("  %s%s%s %s", v->status == HX_PASS ? hx_cli_green(color) : hx_cli_red(color),
           v->status == HX_PASS ? "PASS" : "FAIL", hx_cli_reset(color), t->id);
    if (v->status == HX_PASS) { putchar('\n'); return; }
    printf("\n");
    for (size_t i = 0; i < v->nfields; i++)
        if (!v->fields[i].pass)
            printf("       %s: %s\n", v->fields[i].field, v->fields[i].reason);
}

static cJSON *case_json(const hx_transcript *t, const hx_case_verdict *v)
{
    cJSON *o = cJSON_CreateObject(), *fs = cJSON_CreateArray();
    cJSON_AddStringToObject(o, "id", t->id);
    cJSON_AddStringToObject(o, "status", hx_status_name(v->status));
    cJSON_AddStringToObject(o, "reason", v->reason);
    for (size_t i = 0; i < v->nfields; i++) {
        const hx_field_verdict *f = &v->fields[i];
        cJSON *fo = cJSON_CreateObject();
        cJSON_AddStringToObject(fo, "field", f->field);
        cJSON_AddBoolToObject(fo, "pass", f->pass);
        cJSON_AddStringToObject(fo, "expected", f->expected ? f->expected : "");
        if (f->actual_raw) cJSON_AddRawToObject(fo, "actual_raw", f->actual_raw);
        else cJSON_AddNullToObject(fo, "actual_raw");
        if (f->actual) cJSON_AddStringToObject(fo, "actual", f->actual);
        else cJSON_AddNullToObject(fo, "actual");
        cJSON_AddStringToObject(fo, "reason", f->reason);
        cJSON_AddItemToArray(fs, fo);
    }
    cJSON_AddItemToObject(o, "fields", fs);
    return o;
}

static int record(hx_store *st, int64_t run_id, const hx_agent_config *a, const hx_module_config *m,
                  const hx_transcript *t, const hx_case_verdict *v, const cJSON *outputs, hx_error *err)
{
    hx_field_result *fr = calloc(v->nfields + 1, sizeof *fr);
    char *oj = cJSON_PrintUnformatted(outputs);
    int rc;
    if (!fr) { free(oj); return hx_fail(err, "out of memory"); }
    hx_case_verdict_to_result(v, fr);
    hx_case_result cr = {
        .agent = a->name, .module = m->name, .transcript_id = t->id, .status = v->status,
        .reason = v->reason, .outputs_json = oj, .nfields = v->nfields, .fields = fr};
    rc = hx_store_case_add(st, run_id, &cr, err);
    free(fr);
    free(oj);
    return rc;
}

int hx_cmd_check(int argc, char **argv)
{
    static const struct option OPTS[] = {
        {"suite", required_argument, 0, 's'}, {"module", required_argument, 0, 'm'},
        {"predictions", required_argument, 0, 'p'}, {"db", required_argument, 0, 'd'},
        {"json", no_argument, 0, 'j'}, {"verbose", no_argument, 0, 'v'},
        {"help", no_argument, 0, 'h'}, {0, 0, 0, 0}};
    opts o = {.suite = "suite.json"};
    hx_suite s;
    hx_diags d = {0};
    hx_module_config *m;
    hx_agent_config *a;
    cJSON *preds = NULL, *results = NULL;
    hx_strset seen = {0};
    hx_store *st = NULL;
    int64_t run_id = 0;
    hx_error err;
    tally t = {0};
    char why[256];
    int c, rc = HX_EXIT_USAGE;
    bool color = hx_cli_color(stdout);

    optind = 1;
    opterr = 0;
    while ((c = getopt_long(argc, argv, "", OPTS, NULL)) != -1) {
        switch (c) {
        case 's': o.suite = optarg; break;
        case 'm': o.module = optarg; break;
        case 'p': o.preds = optarg; break;
        case 'd': o.db = optarg; break;
        case 'j': o.json = 1; break;
        case 'v': o.verbose = 1; break;
        case 'h': fputs(HELP, stdout); return HX_EXIT_OK;
        default: return hx_cli_usage("check", "unknown option \"%s\"", argv[optind - 1]);
        }
    }
    if (optind < argc) return hx_cli_usage("check", "unexpected argument \"%s\"", argv[optind]);
    if (!o.module) return hx_cli_usage("check", "--module is required");
    if (!o.preds) return hx_cli_usage("check", "--predictions is required");

    /* 1. Validate everything; nothing is written unless all of it is sound. */
    if (hx_suite_load(o.suite, &s, &d) != 0 || hx_validate_suite(&s, &d, NULL) != 0) goto problems;
    if (!(m = hx_suite_find_module(&s, o.module, why))) {
        rc = hx_cli_usage("check", "%s", why);
        goto out;
    }
    a = &s.agents[m->agent_index];
    preds = read_predictions(o.preds, &d);
    if (d.n) goto problems;
    {
        /* every prediction must name a transcript of this agent */
        hx_tscan *sc;
        hx_transcript tr;
        int r;
        if (hx_tscan_open(a->transcripts, &sc, &err) != 0) {
            hx_diags_add(&d, "", 0, 0, "", "%s", err.msg);
            goto problems;
        }
        while ((r = hx_tscan_next(sc, &tr, &d)) != 0)
            if (r > 0) { hx_strset_add(&seen, tr.id); hx_transcript_free(&tr); }
        hx_tscan_close(sc);
        const cJSON *p;
        cJSON_ArrayForEach(p, preds)
            if (!hx_strset_has(&seen, p->string))
                hx_diags_add(&d, o.preds, 0, 0, "", "prediction for \"%s\", which is not a transcript of agent \"%s\"",
                             p->string, a->name);
        if (d.n) goto problems;
    }

    /* 2. Open the store, then score. */
    if (o.db) {
        hx_run_info info = {.kind = "check", .suite_path = o.suite, .lm_model = NULL, .started_at = NULL};
        if (hx_make_parent_dirs(o.db, &err) != 0 || hx_store_open(o.db, &st, &err) != 0 || hx_store_run_begin(st, &info, &run_id, &err) != 0 ||
            hx_store_module_begin(st, run_id, a->name, m->name, m->prog.sha256, m->bar, &err) != 0) {
            fprintf(stderr, "harness check: %s\n", err.msg);
            rc = HX_EXIT_RUNTIME;
            goto out;
        }
    }
    if (o.json) results = cJSON_CreateArray();
    else printf("%s/%s\n", a->name, m->name);
    {
        hx_tscan *sc;
        hx_transcript tr;
        int r;
        if (hx_tscan_open(a->transcripts, &sc, &err) != 0) {
            fprintf(stderr, "harness check: %s\n", err.msg);
            rc = HX_EXIT_RUNTIME;
            goto out;
        }
        while ((r = hx_tscan_next(sc, &tr, &d)) != 0) {
            if (r < 0) continue;
            const cJSON *outputs = cJSON_GetObjectItemCaseSensitive(preds, tr.id);
            hx_case_verdict v;
            hx_norm_ctx ctx;
            int has_field = 0;
            const cJSON *e;
            cJSON_ArrayForEach(e, tr.expected)
                if (hx_rules_find(&m->rules, e->string)) has_field = 1;
            if (!has_field) { hx_transcript_free(&tr); continue; } /* nothing of this module to check */
            if (!outputs) {
                t.missing++;
                if (t.missing <= 10) fprintf(stderr, "harness check: no prediction for transcript %s (not scored)\n", tr.id);
                hx_transcript_free(&tr);
                continue;
            }
            hx_transcript_ctx(&tr, &ctx);
            if (hx_check_case(&m->rules, tr.expected, outputs, &ctx, &v) != 0) {
                fprintf(stderr, "harness check: out of memory\n");
                hx_transcript_free(&tr);
                hx_tscan_close(sc);
                rc = HX_EXIT_RUNTIME;
                goto out;
            }
            t.cases++;
            if (v.status == HX_PASS) t.passed++; else t.failed++;
            for (size_t i = 0; i < v.nfields; i++) tally_field(&t, v.fields[i].field, v.fields[i].pass);
            if (results) cJSON_AddItemToArray(results, case_json(&tr, &v));
            else print_case_text(&tr, &v, o.verbose, color);
            if (st && record(st, run_id, a, m, &tr, &v, outputs, &err) != 0) {
                fprintf(stderr, "harness check: %s\n", err.msg);
                hx_case_verdict_free(&v);
                hx_transcript_free(&tr);
                hx_tscan_close(sc);
                hx_store_run_end(st, run_id, "aborted", NULL);
                rc = HX_EXIT_RUNTIME;
                goto out;
            }
            hx_case_verdict_free(&v);
            hx_transcript_free(&tr);
        }
        hx_tscan_close(sc);
    }
    if (t.missing > 10) fprintf(stderr, "harness check: ... %zu transcripts in all have no prediction\n", t.missing);
    if (st && hx_store_run_end(st, run_id, "finished", &err) != 0) {
        fprintf(stderr, "harness check: %s\n", err.msg);
        rc = HX_EXIT_RUNTIME;
        goto out;
    }
    {
        double rate = t.cases ? (double)t.passed / (double)t.cases : 0;
        int below = t.cases == 0 || rate < m->bar;
        if (results) {
            cJSON *o2 = cJSON_CreateObject(), *fs = cJSON_CreateObject();
            cJSON_AddStringToObject(o2, "agent", a->name);
            cJSON_AddStringToObject(o2, "module", m->name);
            if (st) cJSON_AddNumberToObject(o2, "run_id", (double)run_id);
            cJSON_AddNumberToObject(o2, "cases", (double)t.cases);
            cJSON_AddNumberToObject(o2, "passed", (double)t.passed);
            cJSON_AddNumberToObject(o2, "failed", (double)t.failed);
            cJSON_AddNumberToObject(o2, "errors", 0);
            cJSON_AddNumberToObject(o2, "missing_predictions", (double)t.missing);
            if (t.cases) cJSON_AddNumberToObject(o2, "pass_rate", rate);
            else cJSON_AddNullToObject(o2, "pass_rate");
            cJSON_AddNumberToObject(o2, "bar", m->bar);
            cJSON_AddBoolToObject(o2, "below_bar", below);
            for (size_t i = 0; i < t.nf; i++) {
                cJSON *fo = cJSON_CreateObject();
                cJSON_AddNumberToObject(fo, "checks", (double)t.f[i].checks);
                cJSON_AddNumberToObject(fo, "passed", (double)t.f[i].passed);
                cJSON_AddNumberToObject(fo, "accuracy", (double)t.f[i].passed / (double)t.f[i].checks);
                cJSON_AddItemToObject(fs, t.f[i].field, fo);
            }
            cJSON_AddItemToObject(o2, "fields", fs);
            cJSON_AddItemToObject(o2, "results", results);
            results = NULL;
            char *js = cJSON_Print(o2);
            if (js) puts(js);
            free(js);
            cJSON_Delete(o2);
        } else {
            printf("  fields:");
            for (size_t i = 0; i < t.nf; i++)
                printf(" %s %zu/%zu", t.f[i].field, t.f[i].passed, t.f[i].checks);
            printf("\n  %s%zu/%zu passed (%.1f%%), bar %.1f%%: %s%s", below ? hx_cli_red(color) : hx_cli_green(color),
                   t.passed, t.cases, 100 * rate, 100 * m->bar, below ? "BELOW BAR" : "ok", hx_cli_reset(color));
            if (st) printf("  (run %lld in %s)", (long long)run_id, o.db);
            putchar('\n');
        }
        rc = below ? HX_EXIT_BELOW : HX_EXIT_OK;
    }
    goto out;

problems:
    hx_diags_print(&d, stderr);
    fprintf(stderr, "harness check: %zu problem%s; nothing was scored or written\n", d.n + d.dropped,
            d.n + d.dropped == 1 ? "" : "s");
    rc = HX_EXIT_USAGE;
out:
    if (st) hx_store_close(st);
    cJSON_Delete(preds);
    cJSON_Delete(results);
    hx_strset_free(&seen);
    tally_free(&t);
    hx_diags_free(&d);
    hx_suite_free(&s);
    return rc;
}
