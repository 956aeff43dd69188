/*
 * cmd_normalize.c — `harness normalize`: the canonical form of values, so a
 * user can see exactly why an assertion passed or failed.
 *
 * It uses the same rule machinery as the assertion engine (a rule of the
 * given type with default options, or a rule taken from a rules file), so
 * what it prints is what `check` and `run` compare.
 */
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include "assertion.h"
#include "cli.h"
#include "json_doc.h"
#include "transcript.h"

static const char HELP[] =
    "Usage: harness normalize --type T [--ref YYYY-MM-DD] [OPTIONS] [VALUE...]\n"
    "       harness normalize --rules F --field NAME [--ref YYYY-MM-DD] [VALUE...]\n"
    "       harness normalize [--type T] [--ref D] < values.jsonl\n"
    "\n"
    "Prints the canonical form of each VALUE, one a line, or \"error: why\" when\n"
    "the value cannot be read exactly (the normalisers refuse rather than guess).\n"
    "With no VALUE, reads JSON lines {\"type\": T, \"value\": V, \"ref\": D} from\n"
    "stdin and writes {\"canonical\": C} or {\"error\": E} for each (--type and\n"
    "--ref are the defaults for lines that lack them).\n"
    "\n"
    "Types: date (YYYY-MM-DD), time (HH:MM), integer, number, money, phone\n"
    "(E.164), boolean, address (USPS Pub 28), text (folded); enum and label need\n"
    "their values, so take them from a rules file with --rules/--field.\n"
    "\n"
    "Options:\n"
    "  --type T          the value type\n"
    "  --ref D           the call date that relative dates resolve against\n"
    "  --meridiem am|pm  time: the meridiem of a bare hour (\"7\")\n"
    "  --region R        phone: region of national numbers (default US)\n"
    "  --rules F         take the rule (and its options) from rules file F...\n"
    "  --field NAME      ...for this field\n"
    "  --json            print {\"input\", \"canonical\"|\"error\"} objects\n"
    "\n"
    "Exit: 0 every value read; 1 some value refused; 2 bad usage or input.\n"
    "\n"
    "Examples:\n"
    "  harness normalize --type date --ref 2026-11-25 \"next Friday\" \"March 5\"\n"
    "  harness normalize --type time \"half past 7 in the evening\"\n"
    "  harness normalize --type money '$1,250.50' 'seventy one bucks'\n";

typedef struct opts {
    const char *type, *ref, *region, *rules, *field;
    char meridiem;
    int json;
} opts;

static int ref_ctx(const char *ref, hx_norm_ctx *ctx)
{
    memset(ctx, 0, sizeof *ctx);
    if (!ref) return 0;
    if (strlen(ref) != 10 || hx_parse_ymd(ref, &ctx->ref_year, &ctx->ref_month, &ctx->ref_day) != 0)
        return -1;
    return 0;
}

/* A rule for `type` with the command's options. */
static int make_rule(const opts *o, const char *type, hx_rule *r, char why[256])
{
    hx_rule_type t;
    if (!type) { snprintf(why, 256, "no type: give --type or a \"type\" on the line"); return -1; }
    if (hx_rule_type_parse(type, &t) != 0) {
        snprintf(why, 256, "unknown type \"%s\"; one of: %s", type, hx_rule_type_list());
        return -1;
    }
    if (t == HX_R_ENUM || t == HX_R_LABEL || t == HX_R_LIST || t == HX_R_REGEX) {
        snprintf(why, 256, "type %s needs its rule: use --rules F --field NAME", type);
        return -1;
    }
    hx_rule_init(r, t);
    r->default_meridiem = o->meridiem;
    if (o->region) snprintf(r->region, sizeof r->region, "%s", o->region);
    return 0;
}

static void emit(const opts *o, const char *input, int ok, const hx_canon *c, int jsonl)
{
    if (o->json || jsonl) {
        cJSON *j = cJSON_CreateObject();
        if (o->json) cJSON_AddStringToObject(j, "input", input);
        if (ok) cJSON_AddStringToObject(j, "canonical", c->value);
        else cJSON_AddStringToObject(j, "error", c->why);
        char *s = cJSON_PrintUnformatted(j);
        if (s) puts(s);
        free(s);
        cJSON_Delete(j);
    } else if (ok) {
        puts(c->value);
    } else {
        printf("error: %s\n", c->why);
    }
}

static int normalize_value(const hx_rule *r, const char *v, const hx_norm_ctx *ctx, hx_canon *c)
{
    cJSON *s = cJSON_CreateString(v);
    int rc = hx_rule_normalize(r, s, ctx, c);
    cJSON_Delete(s);
    return rc;
}

static int from_stdin(const opts *o, const hx_rule *fixed)
{
    char *line = NULL;
    size_t cap = 0;
    ssize_t n;
    int lineno = 0, refused = 0, bad = 0;
    while ((n = getline(&line, &cap, stdin)) > 0) {
        cJSON *j, *t, *v, *ref;
        hx_canon c = {0};
        hx_norm_ctx ctx;
        hx_rule r;
        char why[256];
        int ok = 0;
        lineno++;
        if (strspn(line, " \t\r\n") == (size_t)n) continue;
        j = hx_json_parse_len(line, (size_t)n);
        t = cJSON_GetObjectItemCaseSensitive(j, "type");
        v = cJSON_GetObjectItemCaseSensitive(j, "value");
        ref = cJSON_GetObjectItemCaseSensitive(j, "ref");
        if (!cJSON_IsObject(j) || !v || (t && !cJSON_IsString(t)) || (ref && !cJSON_IsString(ref))) {
            snprintf(c.why, sizeof c.why, "stdin line %d: expected {\"type\": T, \"value\": V, \"ref\": \"YYYY-MM-DD\"}", lineno);
            emit(o, "", 0, &c, 1);
            bad = 1;
            cJSON_Delete(j);
            continue;
        }
        if (ref_ctx(ref ? ref->valuestring : o->ref, &ctx) != 0) {
            snprintf(c.why, sizeof c.why, "stdin line %d: \"ref\" must be YYYY-MM-DD", lineno);
            emit(o, "", 0, &c, 1);
            bad = 1;
            cJSON_Delete(j);
            continue;
        }
        if (fixed && !t) {
            ok = hx_rule_normalize(fixed, v, &ctx, &c) == 0;
        } else if (make_rule(o, t ? t->valuestring : o->type, &r, why) != 0) {
            snprintf(c.why, sizeof c.why, "stdin line %d: %s", lineno, why);
            bad = 1;
        } else {
            ok = hx_rule_normalize(&r, v, &ctx, &c) == 0;
            hx_rule_free(&r);
        }
        if (!ok) refused = 1;
        emit(o, cJSON_IsString(v) ? v->valuestring : "", ok, &c, 1);
        cJSON_Delete(j);
    }
    free(line);
    return bad ? HX_EXIT_USAGE : refused ? HX_EXIT_BELOW : HX_EXIT_OK;
}

int hx_cmd_normalize(int argc, char **argv)
{
    static const struct option OPTS[] = {
        {"type", required_argument, 0, 't'}, {"ref", required_argument, 0, 'r'},
        {"meridiem", required_argument, 0, 'm'}, {"region", required_argument, 0, 'g'},
        {"rules", required_argument, 0, 'R'}, {"field", required_argument, 0, 'f'},
        {"json", no_argument, 0, 'j'}, {"help", no_argument, 0, 'h'}, {0, 0, 0, 0}};
    opts o = {0};
    hx_rules rules = {0};
    hx_rule own;
    const hx_rule *rule = NULL;
    hx_norm_ctx ctx;
    char why[256];
    int c, refused = 0, rc;

    optind = 1;
    opterr = 0;
    while ((c = getopt_long(argc, argv, "", OPTS, NULL)) != -1) {
        switch (c) {
        case 't': o.type = optarg; break;
        case 'r': o.ref = optarg; break;
        case 'g': o.region = optarg; break;
        case 'R': o.rules = optarg; break;
        case 'f': o.field = optarg; break;
        case 'j': o.json = 1; break;
        case 'm':
            if (!strcmp(optarg, "am")) o.meridiem = 'a';
            else if (!strcmp(optarg, "pm")) o.meridiem = 'p';
            else return hx_cli_usage("normalize", "--meridiem takes am or pm, not \"%s\"", optarg);
            break;
        case 'h': fputs(HELP, stdout); return HX_EXIT_OK;
        default: return hx_cli_usage("normalize", "unknown option \"%s\"", argv[optind - 1]);
        }
    }
    if (ref_ctx(o.ref, &ctx) != 0)
        return hx_cli_usage("normalize", "--ref takes a date YYYY-MM-DD, not \"%s\"", o.ref);
    if (o.region && strlen(o.region) != 2)
        return hx_cli_usage("normalize", "--region takes a two-letter region such as US");
    if (!!o.rules != !!o.field) return hx_cli_usage("normalize", "--rules and --field go together");
    if (o.rules && o.type) return hx_cli_usage("normalize", "give --type or --rules/--field, not both");
    if (o.rules) {
        hx_diags d = {0};
        if (hx_rules_load(o.rules, &rules, &d) != 0) {
            hx_diags_print(&d, stderr);
            hx_diags_free(&d);
            hx_rules_free(&rules);
            return HX_EXIT_USAGE;
        }
        hx_diags_free(&d);
        rule = hx_rules_find(&rules, o.field);
        if (!rule) {
            hx_rules_free(&rules);
            return hx_cli_usage("normalize", "%s has no rule for field \"%s\"", o.rules, o.field);
        }
        if (rule->type == HX_R_LIST) rule = rule->item;
    } else if (optind < argc || o.type) {
        if (make_rule(&o, o.type, &own, why) != 0) return hx_cli_usage("normalize", "%s", why);
        rule = &own;
    }
    if (optind == argc) {
        rc = from_stdin(&o, rule);
        if (rule == &own) hx_rule_free(&own);
        hx_rules_free(&rules);
        return rc;
    }
    for (int i = optind; i < argc; i++) {
        hx_canon cn = {0};
        int ok = normalize_value(rule, argv[i], &ctx, &cn) == 0;
        if (!ok) refused = 1;
        emit(&o, argv[i], ok, &cn, 0);
    }
    if (rule == &own) hx_rule_free(&own);
    hx_rules_free(&rules);
    return refused ? HX_EXIT_BELOW : HX_EXIT_OK;
}
