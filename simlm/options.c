/*
 * options.c — parsing simlm's flags (see options.h and README.md).
 *
 * Values are checked strictly (a rate outside 0..1, a negative delay, an
 * unknown skill are usage errors, exit 2) so a typo in a demo script fails
 * loudly instead of quietly running a fault-free server.
 */
#include "options.h"

#include <errno.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include "skills.h"

#define SL_VERSION "1.0.0"

static const char USAGE[] =
    "usage: simlm [options]\n"
    "A simulated OpenAI-compatible LM for testing harness and DSPy programs.\n"
    "\n"
    "server:\n"
    "  --port N               listen on 127.0.0.1:N (default 8089; 0 = any free port)\n"
    "  --port-file F          write the port to F once listening\n"
    "  --truth DIR            transcripts to know (folder or file; repeatable)\n"
    "  --seed N               seed of every deterministic draw (default 0)\n"
    "  --max-body BYTES       larger request bodies get 413 (default 8388608)\n"
    "  --max-connections N    concurrent connections (default 1024)\n"
    "  --quiet                no log line per request\n"
    "model:\n"
    "  --known-anyway P       chance an untaught skill is right anyway (default 0.25)\n"
    "  --teach-rate P         chance a proposed_instruction carries a teaching phrase (default 0.33)\n"
    "  --drift                a model update breaks one skill\n"
    "  --drift-skill S        the skill --drift breaks (default times)\n"
    "latency and faults (P is a rate from 0 to 1):\n"
    "  --latency-ms N         answer every request N ms after it arrived (default 0)\n"
    "  --jitter-ms N          plus 0..N ms more, drawn per request (default 0)\n"
    "  --fail-429 P           answer 429 with Retry-After\n"
    "  --retry-after S        the Retry-After seconds (default 1)\n"
    "  --fail-500 P           answer 500\n"
    "  --hang P               hold the request --hang-ms, then 504\n"
    "  --hang-ms N            (default 120000)\n"
    "  --malformed P          200 with a body that is not valid JSON\n"
    "  --empty P              200 with empty content\n"
    "  --truncate P           200 with the reply cut before its last field\n"
    "  --fault-mode M         random (default) or once: a body faults on its first attempt only\n"
    "  --fail-all             every completion is 503 (a provider outage)\n"
    "  --help, --version\n"
    "skills: dates, times, numbers, corrections, insurers, absent (see simlm/README.md)\n";

enum {
    O_PORT = 256, O_PORT_FILE, O_TRUTH, O_SEED, O_MAX_BODY, O_MAX_CONN, O_QUIET, O_KNOWN, O_TEACH,
    O_DRIFT, O_DRIFT_SKILL, O_LATENCY, O_JITTER, O_429, O_RETRY_AFTER, O_500, O_HANG, O_HANG_MS,
    O_MALFORMED, O_EMPTY, O_TRUNCATE, O_FAULT_MODE, O_FAIL_ALL, O_HELP, O_VERSION
};

static const struct option LONG[] = {
    {"port", required_argument, NULL, O_PORT},
    {"port-file", required_argument, NULL, O_PORT_FILE},
    {"truth", required_argument, NULL, O_TRUTH},
    {"seed", required_argument, NULL, O_SEED},
    {"max-body", required_argument, NULL, O_MAX_BODY},
    {"max-connections", required_argument, NULL, O_MAX_CONN},
    {"quiet", no_argument, NULL, O_QUIET},
    {"known-anyway", required_argument, NULL, O_KNOWN},
    {"teach-rate", required_argument, NULL, O_TEACH},
    {"drift", no_argument, NULL, O_DRIFT},
    {"drift-skill", required_argument, NULL, O_DRIFT_SKILL},
    {"latency-ms", required_argument, NULL, O_LATENCY},
    {"jitter-ms", required_argument, NULL, O_JITTER},
    {"fail-429", required_argument, NULL, O_429},
    {"retry-after", required_argument, NULL, O_RETRY_AFTER},
    {"fail-500", required_argument, NULL, O_500},
    {"hang", required_argument, NULL, O_HANG},
    {"hang-ms", required_argument, NULL, O_HANG_MS},
    {"malformed", required_argument, NULL, O_MALFORMED},
    {"empty", required_argument, NULL, O_EMPTY},
    {"truncate", required_argument, NULL, O_TRUNCATE},
    {"fault-mode", required_argument, NULL, O_FAULT_MODE},
    {"fail-all", no_argument, NULL, O_FAIL_ALL},
    {"help", no_argument, NULL, O_HELP},
    {"version", no_argument, NULL, O_VERSION},
    {NULL, 0, NULL, 0},
};

static void defaults(sl_options *o)
{
    memset(o, 0, sizeof *o);
    o->port = 8089;
    o->hang_ms = 120000;
    o->retry_after = 1;
    o->drift_skill = "times";
    o->known_anyway = 0.25;
    o->teach_rate = 0.33;
    o->max_body = 8u << 20;
    o->max_connections = 1024;
}

static int parse_long(const char *s, long lo, long hi, long *out)
{
    char *end;
    long v;
    errno = 0;
    v = strtol(s, &end, 10);
    if (errno || end == s || *end || v < lo || v > hi) return -1;
    *out = v;
    return 0;
}

static int parse_rate(const char *s, double *out)
{
    char *end;
    double v;
    errno = 0;
    v = strtod(s, &end);
    if (errno || end == s || *end || !(v >= 0.0 && v <= 1.0)) return -1;
    *out = v;
    return 0;
}

static double *rate_of(sl_options *o, int opt)
{
    switch (opt) {
    case O_KNOWN: return &o->known_anyway;
    case O_TEACH: return &o->teach_rate;
    case O_429: return &o->fail_429;
    case O_500: return &o->fail_500;
    case O_HANG: return &o->hang;
    case O_MALFORMED: return &o->malformed;
    case O_EMPTY: return &o->empty;
    case O_TRUNCATE: return &o->truncate;
    default: return NULL;
    }
}

/* Flags with a whole-number value: their range and where they go. */
static int number_opt(sl_options *o, int opt, const char *arg)
{
    long v;
    switch (opt) {
    case O_PORT:
        if (parse_long(arg, 0, 65535, &v)) return -1;
        o->port = (int)v;
        return 0;
    case O_SEED: {
        char *end;
        errno = 0;
        unsigned long long s = strtoull(arg, &end, 10);
        if (errno || end == arg || *end || arg[0] == '-') return -1;
        o->seed = (uint64_t)s;
        return 0;
    }
    case O_MAX_BODY:
        if (parse_long(arg, 1, 1L << 30, &v)) return -1;
        o->max_body = (size_t)v;
        return 0;
    case O_MAX_CONN:
        if (parse_long(arg, 1, 100000, &v)) return -1;
        o->max_connections = (unsigned)v;
        return 0;
    case O_LATENCY: return parse_long(arg, 0, 3600000, &o->latency_ms);
    case O_JITTER: return parse_long(arg, 0, 3600000, &o->jitter_ms);
    case O_HANG_MS: return parse_long(arg, 0, 86400000, &o->hang_ms);
    case O_RETRY_AFTER:
        if (parse_long(arg, 0, 86400, &v)) return -1;
        o->retry_after = (int)v;
        return 0;
    default: return -1;
    }
}

/* One option; 0, or -1 after printing why to err. */
static int apply(sl_options *o, int opt, const char *arg, const char *flag, FILE *err)
{
    double *rate = rate_of(o, opt);
    switch (opt) {
    case O_PORT_FILE: o->port_file = arg; return 0;
    case O_QUIET: o->quiet = true; return 0;
    case O_DRIFT: o->drift = true; return 0;
    case O_FAIL_ALL: o->fail_all = true; return 0;
    case O_TRUTH:
        if (o->ntruth == SL_MAX_TRUTH) { fprintf(err, "simlm: at most %d --truth\n", SL_MAX_TRUTH); return -1; }
        o->truth[o->ntruth++] = arg;
        return 0;
    case O_DRIFT_SKILL:
        if (!sl_skill_named(arg)) {
            fprintf(err, "simlm: --drift-skill: unknown skill \"%s\" (dates, times, numbers, "
                         "corrections, insurers, absent)\n", arg);
            return -1;
        }
        o->drift_skill = arg;
        return 0;
    case O_FAULT_MODE:
        if (strcmp(arg, "random") && strcmp(arg, "once")) {
            fprintf(err, "simlm: --fault-mode: expected random or once, got \"%s\"\n", arg);
            return -1;
        }
        o->fault_once = strcmp(arg, "once") == 0;
        return 0;
    default: break;
    }
    if (rate) {
        if (parse_rate(arg, rate) == 0) return 0;
        fprintf(err, "simlm: %s: expected a rate from 0 to 1, got \"%s\"\n", flag, arg);
        return -1;
    }
    if (number_opt(o, opt, arg) == 0) return 0;
    fprintf(err, "simlm: %s: invalid value \"%s\"\n", flag, arg);
    return -1;
}

static const char *flag_name(int opt)
{
    for (const struct option *l = LONG; l->name; l++)
        if (l->val == opt) return l->name;
    return "?";
}

sl_opt_rc sl_options_parse(int argc, char **argv, sl_options *o, FILE *out, FILE *err)
{
    int opt;
    char flag[64];
    defaults(o);
    optind = 1;
    opterr = 0;
    while ((opt = getopt_long(argc, argv, ":", LONG, NULL)) != -1) {
        if (opt == O_HELP) { fputs(USAGE, out); return SL_OPT_EXIT; }
        if (opt == O_VERSION) { fprintf(out, "simlm %s\n", SL_VERSION); return SL_OPT_EXIT; }
        if (opt == '?' || opt == ':') {
            fprintf(err, "simlm: %s: %s\n", argv[optind - 1],
                    opt == ':' ? "needs a value" : "unknown option");
            fputs("try simlm --help\n", err);
            return SL_OPT_USAGE;
        }
        snprintf(flag, sizeof flag, "--%s", flag_name(opt));
        if (apply(o, opt, optarg, flag, err) != 0) return SL_OPT_USAGE;
    }
    if (optind < argc) {
        fprintf(err, "simlm: unexpected argument \"%s\"\ntry simlm --help\n", argv[optind]);
        return SL_OPT_USAGE;
    }
    return SL_OPT_RUN;
}
