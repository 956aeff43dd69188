/*
 * gen.c — scale the demo suite to N transcripts, and (optionally) write the
 * equivalent promptfoo test cases. Used by bench/promptfoo/run.sh (`make
 * bench`); the demo files are only read.
 *
 *   gen --suite SRC/suite.json --n N --out DIR [--promptfoo] [--bodies]
 *
 * Writes
 *   DIR/suite.json                  the source suite, with its paths made
 *                                   absolute (programs and rules stay the
 *                                   demo's) and each agent's transcripts
 *                                   pointing at DIR/transcripts/<agent>;
 *   DIR/transcripts/<agent>/calls.jsonl
 *                                   N transcripts in all: transcript i is a
 *                                   copy of demo transcript i mod M (M = the
 *                                   demo's count, in agent order), with the
 *                                   id "<demo id>-c<i>" and " (ref C<i>)"
 *                                   appended to its first turn, so every
 *                                   request body is distinct (no cache, LM
 *                                   side or client side, can help either
 *                                   tool) while simlm, given these folders
 *                                   as --truth, answers exactly as it answers
 *                                   the demo transcript (same tags, hints and
 *                                   expected values);
 * and with --promptfoo
 *   DIR/promptfoo/tests.jsonl       one promptfoo test per (transcript,
 *                                   module): vars.messages is the exact
 *                                   message list harness sends (rendered by
 *                                   libharness's ChatAdapter, as a JSON
 *                                   string: promptfoo's OpenAI provider sends
 *                                   a prompt that is a JSON message array as
 *                                   those messages), and one `javascript`
 *                                   assertion per expected field
 *                                   (file://field.cjs, config: field, rule
 *                                   type, expected value);
 *   DIR/promptfoo/rules.json        the enum/label alias tables of the rule
 *                                   files, which field.cjs loads once;
 * and with --bodies
 *   DIR/bodies.jsonl                the chat-completion body harness sends
 *                                   for each case, one per line (built by
 *                                   libharness's hx_lm_chat_body), for the
 *                                   bare client (bare.c).
 */
#include <cjson/cJSON.h>
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "chat_adapter.h"
#include "diag.h"
#include "error.h"
#include "lm_client.h"
#include "suite.h"
#include "template.h"
#include "transcript.h"

static void die(const char *fmt, const char *a)
{
    fprintf(stderr, "gen: ");
    fprintf(stderr, fmt, a);
    fputc('\n', stderr);
    exit(2);
}

static char *slurp(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f) die("cannot open %s", path);
    size_t cap = 1 << 16, n = 0;
    char *b = malloc(cap);
    size_t r;
    while (b && (r = fread(b + n, 1, cap - n - 1, f)) > 0) {
        n += r;
        if (cap - n - 1 == 0) b = realloc(b, cap *= 2);
    }
    fclose(f);
    if (!b) die("out of memory reading %s", path);
    b[n] = 0;
    if (len) *len = n;
    return b;
}

static cJSON *parse_file(const char *path)
{
    char *text = slurp(path, NULL);
    cJSON *o = cJSON_Parse(text);
    free(text);
    if (!o) die("malformed JSON in %s", path);
    return o;
}

static void mkdirs(const char *path)
{
    char tmp[PATH_MAX];
    snprintf(tmp, sizeof tmp, "%s", path);
    for (char *p = tmp + 1; *p; p++)
        if (*p == '/') { *p = 0; mkdir(tmp, 0755); *p = '/'; }
    if (mkdir(tmp, 0755) != 0 && errno != EEXIST) die("cannot create %s", path);
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Every transcript object of a folder (*.json, *.jsonl, name order) or file. */
static void load_transcripts(const char *path, cJSON *into)
{
    struct stat st;
    if (stat(path, &st) != 0) die("cannot read %s", path);
    if (S_ISDIR(st.st_mode)) {
        DIR *d = opendir(path);
        if (!d) die("cannot open %s", path);
        char **names = NULL;
        size_t n = 0;
        struct dirent *e;
        while ((e = readdir(d))) {
            size_t l = strlen(e->d_name);
            if ((l > 5 && !strcmp(e->d_name + l - 5, ".json")) || (l > 6 && !strcmp(e->d_name + l - 6, ".jsonl"))) {
                names = realloc(names, (n + 1) * sizeof *names);
                names[n++] = strdup(e->d_name);
            }
        }
        closedir(d);
        qsort(names, n, sizeof *names, cmp_str);
        for (size_t i = 0; i < n; i++) {
            char p[PATH_MAX];
            snprintf(p, sizeof p, "%s/%s", path, names[i]);
            load_transcripts(p, into);
            free(names[i]);
        }
        free(names);
        return;
    }
    size_t len;
    char *text = slurp(path, &len);
    size_t pl = strlen(path);
    if (pl > 6 && !strcmp(path + pl - 6, ".jsonl")) {
        char *line = text;
        while (line && *line) {
            char *nl = strchr(line, '\n');
            if (nl) *nl = 0;
            const char *s = line;
            while (*s == ' ' || *s == '\t' || *s == '\r') s++;
            if (*s) {
                cJSON *o = cJSON_Parse(s);
                if (!o) die("malformed JSONL line in %s", path);
                cJSON_AddItemToArray(into, o);
            }
            line = nl ? nl + 1 : NULL;
        }
    } else {
        cJSON *o = cJSON_Parse(text);
        if (!o) die("malformed JSON in %s", path);
        if (cJSON_IsArray(o)) {
            cJSON *it;
            while ((it = cJSON_DetachItemFromArray(o, 0))) cJSON_AddItemToArray(into, it);
            cJSON_Delete(o);
        } else {
            cJSON_AddItemToArray(into, o);
        }
    }
    free(text);
}

static char *absolute(const char *dir, const char *p)
{
    char joined[PATH_MAX], out[PATH_MAX];
    if (p[0] == '/') snprintf(joined, sizeof joined, "%s", p);
    else snprintf(joined, sizeof joined, "%s/%s", dir, p);
    if (!realpath(joined, out)) die("cannot resolve %s", joined);
    return strdup(out);
}

static void set_string(cJSON *o, const char *key, const char *v)
{
    cJSON_ReplaceItemInObjectCaseSensitive(o, key, cJSON_CreateString(v));
}

/* DIR/promptfoo/rules.json: {"<agent>/<module>/<field>": {"<alias, lower
 * case>": "<key>"}}, the alias tables field.cjs needs. */
static void write_rules(const char *out_dir, const hx_suite *s)
{
    char p[PATH_MAX];
    snprintf(p, sizeof p, "%s/promptfoo", out_dir);
    mkdirs(p);
    cJSON *rules = cJSON_CreateObject();
    for (size_t a = 0; a < s->nagents; a++)
        for (size_t k = 0; k < s->agents[a].nmodules; k++) {
            hx_module_config *m = &s->agents[a].modules[k];
            cJSON *rf = parse_file(m->assertions);
            cJSON *fields = cJSON_GetObjectItemCaseSensitive(rf, "fields"), *f;
            cJSON_ArrayForEach(f, fields) {
                cJSON *vals = cJSON_GetObjectItemCaseSensitive(f, "values");
                if (!vals) continue;
                cJSON *map = cJSON_CreateObject(), *v;
                cJSON_ArrayForEach(v, vals) {
                    const char *key = cJSON_IsString(v) ? v->valuestring : v->string;
                    char low[512];
                    size_t i;
                    for (i = 0; key[i] && i < sizeof low - 1; i++) low[i] = (char)tolower((unsigned char)key[i]);
                    low[i] = 0;
                    cJSON_AddStringToObject(map, low, key);
                    cJSON *al;
                    if (cJSON_IsArray(v)) cJSON_ArrayForEach(al, v) {
                        for (i = 0; al->valuestring[i] && i < sizeof low - 1; i++)
                            low[i] = (char)tolower((unsigned char)al->valuestring[i]);
                        low[i] = 0;
                        cJSON_AddStringToObject(map, low, key);
                    }
                }
                char name[512];
                snprintf(name, sizeof name, "%s/%s/%s", s->agents[a].name, m->name, f->string);
                cJSON_AddItemToObject(rules, name, map);
            }
            cJSON_Delete(rf);
        }
    snprintf(p, sizeof p, "%s/promptfoo/rules.json", out_dir);
    FILE *rfp = fopen(p, "w");
    char *rtext = cJSON_Print(rules);
    if (!rfp || !rtext || fputs(rtext, rfp) < 0 || fputc('\n', rfp) == EOF || fclose(rfp) != 0)
        die("cannot write %s", p);
    free(rtext);
    cJSON_Delete(rules);
}

/* One promptfoo test case: the messages as vars.messages, and one
 * javascript assertion (field.cjs) per expected field the module checks. */
static void write_test(FILE *out, const char *agent, const hx_module_config *m,
                       const hx_transcript *t, const cJSON *msgs)
{
    char *mtext = cJSON_PrintUnformatted(msgs);
    cJSON *test = cJSON_CreateObject();
    cJSON_AddStringToObject(test, "description", t->id);
    cJSON *vars = cJSON_AddObjectToObject(test, "vars");
    cJSON_AddStringToObject(vars, "messages", mtext);
    cJSON *meta = cJSON_AddObjectToObject(test, "metadata");
    cJSON_AddStringToObject(meta, "agent", agent);
    cJSON_AddStringToObject(meta, "module", m->name);
    cJSON *asserts = cJSON_AddArrayToObject(test, "assert");
    cJSON *e;
    cJSON_ArrayForEach(e, t->expected) {
        const hx_rule *rule = hx_rules_find(&m->rules, e->string);
        if (!rule) continue;
        cJSON *as = cJSON_CreateObject();
        cJSON_AddStringToObject(as, "type", "javascript");
        cJSON_AddStringToObject(as, "value", "file://field.cjs");
        cJSON_AddStringToObject(as, "metric", e->string);
        cJSON *cfg = cJSON_AddObjectToObject(as, "config");
        char key[512];
        snprintf(key, sizeof key, "%s/%s/%s", agent, m->name, e->string);
        cJSON_AddStringToObject(cfg, "field", e->string);
        cJSON_AddStringToObject(cfg, "type", hx_rule_type_name(rule->type));
        if (rule->type == HX_R_ENUM || rule->type == HX_R_LABEL) cJSON_AddStringToObject(cfg, "rule", key);
        cJSON_AddItemToObject(cfg, "expected", cJSON_Duplicate(e, 1));
        cJSON_AddItemToArray(asserts, as);
    }
    char *line = cJSON_PrintUnformatted(test);
    if (!line || fputs(line, out) < 0 || fputc('\n', out) == EOF) die("%s", "cannot write tests.jsonl");
    free(line);
    free(mtext);
    cJSON_Delete(test);
}

/* One promptfoo test per (transcript, module) in DIR/promptfoo/ when
 * promptfoo is set, and the request body of each in DIR/bodies.jsonl when
 * bodies is: both need every case's messages. */
static void write_cases(const char *out_dir, const char *suite_path, int promptfoo, int bodies)
{
    hx_suite s;
    hx_diags d = {0};
    hx_error err = {{0}};
    if (hx_suite_load(suite_path, &s, &d) != 0 || hx_suite_load_parts(&s, &d) != 0) {
        hx_diags_print(&d, stderr);
        die("cannot load %s", suite_path);
    }
    char p[PATH_MAX];
    FILE *out = NULL, *bout = NULL;
    if (bodies) {
        snprintf(p, sizeof p, "%s/bodies.jsonl", out_dir);
        if (!(bout = fopen(p, "w"))) die("cannot write %s", p);
    }
    if (promptfoo) {
        write_rules(out_dir, &s);
        snprintf(p, sizeof p, "%s/promptfoo/tests.jsonl", out_dir);
        if (!(out = fopen(p, "w"))) die("cannot write %s", p);
    }
    for (size_t a = 0; a < s.nagents; a++)
        for (size_t k = 0; k < s.agents[a].nmodules; k++) {
            hx_module_config *m = &s.agents[a].modules[k];
            hx_tscan *sc;
            if (hx_tscan_open(s.agents[a].transcripts, &sc, &err) != 0) die("%s", err.msg);
            hx_transcript t;
            int r;
            while ((r = hx_tscan_next(sc, &t, &d)) != 0) {
                if (r < 0) { hx_diags_print(&d, stderr); die("bad transcript in %s", s.agents[a].transcripts); }
                char why[256];
                cJSON *inputs = hx_template_inputs(m, &t, why);
                if (!inputs) die("template: %s", why);
                cJSON *msgs = hx_chat_format(&m->sig, m->chain_of_thought, &m->prog, inputs, &err);
                if (!msgs) die("%s", err.msg);
                if (bout) {
                    char *body = hx_lm_chat_body(m->lm.model, msgs, m->lm.temperature, m->lm.max_tokens, NULL);
                    if (!body || fputs(body, bout) < 0 || fputc('\n', bout) == EOF) die("%s", "cannot write bodies.jsonl");
                    free(body);
                }
                if (out) write_test(out, s.agents[a].name, m, &t, msgs);
                cJSON_Delete(msgs);
                cJSON_Delete(inputs);
                hx_transcript_free(&t);
            }
            hx_tscan_close(sc);
        }
    if (out && fclose(out) != 0) die("cannot write %s", "tests.jsonl");
    if (bout && fclose(bout) != 0) die("cannot write %s", "bodies.jsonl");
    hx_diags_free(&d);
    hx_suite_free(&s);
}

int main(int argc, char **argv)
{
    const char *src = "suite.json", *out_dir = NULL;
    long n = 1000;
    int promptfoo = 0, bodies = 0;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--suite") && i + 1 < argc) src = argv[++i];
        else if (!strcmp(argv[i], "--n") && i + 1 < argc) n = strtol(argv[++i], NULL, 10);
        else if (!strcmp(argv[i], "--out") && i + 1 < argc) out_dir = argv[++i];
        else if (!strcmp(argv[i], "--promptfoo")) promptfoo = 1;
        else if (!strcmp(argv[i], "--bodies")) bodies = 1;
        else {
            fprintf(stderr, "usage: gen --suite SRC/suite.json --n N --out DIR [--promptfoo] [--bodies]\n");
            return 2;
        }
    }
    if (!out_dir || n < 1) die("%s", "--out DIR and --n N >= 1 are required");
    mkdirs(out_dir);
    char out_abs[PATH_MAX], src_dir[PATH_MAX], tmp[PATH_MAX];
    if (!realpath(out_dir, out_abs)) die("cannot resolve %s", out_dir);
    snprintf(tmp, sizeof tmp, "%s", src);
    char *slash = strrchr(tmp, '/');
    if (slash) *slash = 0; else snprintf(tmp, sizeof tmp, ".");
    if (!realpath(tmp, src_dir)) die("cannot resolve %s", tmp);

    cJSON *suite = parse_file(src);
    cJSON *agents = cJSON_GetObjectItemCaseSensitive(suite, "agents");
    int na = cJSON_GetArraySize(agents);
    if (na < 1) die("%s has no agents", src);

    /* All demo transcripts, in agent order, with their agent's index. */
    cJSON *all = cJSON_CreateArray();
    int *agent_of = NULL;
    size_t total = 0;
    FILE **files = calloc((size_t)na, sizeof *files);
    for (int a = 0; a < na; a++) {
        cJSON *ag = cJSON_GetArrayItem(agents, a);
        const char *name = cJSON_GetObjectItemCaseSensitive(ag, "name")->valuestring;
        char *tp = absolute(src_dir, cJSON_GetObjectItemCaseSensitive(ag, "transcripts")->valuestring);
        load_transcripts(tp, all);
        size_t now = (size_t)cJSON_GetArraySize(all);
        agent_of = realloc(agent_of, now * sizeof *agent_of);
        for (size_t i = total; i < now; i++) agent_of[i] = a;
        total = now;
        free(tp);
        char dir[PATH_MAX];
        snprintf(dir, sizeof dir, "%s/transcripts/%s", out_abs, name);
        mkdirs(dir);
        snprintf(tmp, sizeof tmp, "%s/calls.jsonl", dir);
        if (!(files[a] = fopen(tmp, "w"))) die("cannot write %s", tmp);
        set_string(ag, "transcripts", dir);
        cJSON *mods = cJSON_GetObjectItemCaseSensitive(ag, "modules"), *m;
        cJSON_ArrayForEach(m, mods) {
            const char *keys[] = { "program", "assertions" };
            for (int k = 0; k < 2; k++) {
                cJSON *v = cJSON_GetObjectItemCaseSensitive(m, keys[k]);
                if (!cJSON_IsString(v)) continue;
                char *ab = absolute(src_dir, v->valuestring);
                set_string(m, keys[k], ab);
                free(ab);
            }
        }
    }
    if (total == 0) die("%s has no transcripts", src);
    snprintf(tmp, sizeof tmp, "%s/harness.db", out_abs);
    set_string(suite, "db", tmp);

    for (long i = 0; i < n; i++) {
        size_t k = (size_t)i % total;
        cJSON *t = cJSON_Duplicate(cJSON_GetArrayItem(all, (int)k), 1);
        char id[512];
        snprintf(id, sizeof id, "%s-c%06ld", cJSON_GetObjectItemCaseSensitive(t, "id")->valuestring, i);
        set_string(t, "id", id);
        cJSON *turn0 = cJSON_GetArrayItem(cJSON_GetObjectItemCaseSensitive(t, "turns"), 0);
        cJSON *text = cJSON_GetObjectItemCaseSensitive(turn0, "text");
        if (cJSON_IsString(text)) {
            size_t l = strlen(text->valuestring) + 64;
            char *nt = malloc(l);
            snprintf(nt, l, "%s (ref C%06ld)", text->valuestring, i);
            set_string(turn0, "text", nt);
            free(nt);
        }
        char *line = cJSON_PrintUnformatted(t);
        fputs(line, files[agent_of[k]]);
        fputc('\n', files[agent_of[k]]);
        free(line);
        cJSON_Delete(t);
    }
    /* An agent that got no transcript (N below the demo's count) is left
     * out of the suite: harness refuses an agent without transcripts. */
    size_t *count = calloc((size_t)na, sizeof *count);
    for (long i = 0; i < n && (size_t)i < total; i++) count[agent_of[i]]++;
    for (int a = na - 1; a >= 0; a--) {
        if (fclose(files[a]) != 0) die("%s", "cannot write a transcript file");
        if (count[a] == 0) {
            char *tp = cJSON_GetObjectItemCaseSensitive(cJSON_GetArrayItem(agents, a), "transcripts")->valuestring;
            snprintf(tmp, sizeof tmp, "%s/calls.jsonl", tp);
            unlink(tmp);
            rmdir(tp);
            cJSON_DeleteItemFromArray(agents, a);
        }
    }
    free(count);
    free(files);
    free(agent_of);
    cJSON_Delete(all);

    char suite_out[PATH_MAX];
    snprintf(suite_out, sizeof suite_out, "%s/suite.json", out_abs);
    FILE *sf = fopen(suite_out, "w");
    char *stext = cJSON_Print(suite);
    if (!sf || fputs(stext, sf) < 0 || fclose(sf) != 0) die("cannot write %s", suite_out);
    free(stext);
    cJSON_Delete(suite);

    if (promptfoo || bodies) write_cases(out_abs, suite_out, promptfoo, bodies);
    printf("gen: %ld transcripts in %s\n", n, out_abs);
    return 0;
}
