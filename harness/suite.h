/*
 * suite.h — the suite file (suite.json, DESIGN §3.1): which agents, which
 * modules, which LM, which rules, which bars.
 *
 * hx_suite_load reads and checks the file's structure and resolves every
 * path against the suite's folder. hx_suite_load_parts then loads what each
 * module points at (assertion rules, the compiled DSPy program) so the
 * commands that need them have them, and so validation can report on them.
 * Problems go to an hx_diags with file:line:col; loading goes on past a
 * problem wherever it safely can, so `harness validate` lists them all.
 */
#ifndef HX_SUITE_H
#define HX_SUITE_H

#include <stdbool.h>
#include <stddef.h>

#include "diag.h"
#include "json_doc.h"
#include "program.h"
#include "rules.h"
#include "signature.h"

/* What JSON mode asks the server for, after a ChatAdapter reply that does
 * not parse (json_adapter.h). AUTO decides as DSPy 3.3.1 does from the
 * model name: structured outputs only for models LiteLLM knows support
 * them, a plain JSON object otherwise. */
typedef enum hx_structured_outputs {
    HX_SO_AUTO = 0,      /* "auto" */
    HX_SO_JSON_SCHEMA,   /* "json_schema": strict schema, json_object if that fails */
    HX_SO_JSON_OBJECT,   /* "json_object" */
    HX_SO_NONE           /* "none": the JSON prompt alone, no response_format */
} hx_structured_outputs;

typedef struct hx_lm_config {
    char *model;         /* owned */
    char *base_url;      /* owned */
    char *api_key_env;   /* owned: the NAME of the environment variable */
    double temperature;
    int max_tokens;
    double timeout_s;
    int concurrency;
    int max_retries;
    int rpm, tpm;        /* 0 = unlimited */
    double price_in, price_out; /* USD per million tokens */
    hx_structured_outputs structured_outputs;
} hx_lm_config;

typedef struct hx_recompile_config {
    char *optimizer;     /* owned: "dspy" | "native" */
    char *auto_level;    /* owned: "light" | "medium" | "heavy" */
    int min_cases;
    double cooldown_hours;
    double promote_margin;
    double max_drop;     /* points; 0 = off */
} hx_recompile_config;

typedef struct hx_input_map {
    char *name;          /* owned: signature input */
    char *template_;     /* owned: e.g. "{transcript}" */
} hx_input_map;

typedef struct hx_module_config {
    char *name;          /* owned */
    char *program;       /* owned: resolved path */
    char *program_key;   /* owned; NULL = the file's only predictor */
    bool chain_of_thought;
    hx_signature sig;
    hx_input_map *inputs;/* owned, one per signature input */
    size_t ninputs;
    char *assertions;    /* owned: resolved path */
    double bar;
    hx_recompile_config recompile;
    hx_lm_config lm;     /* the suite's, with the module's overrides */
    hx_jpath path;       /* where it is in the suite file */
    int agent_index, module_index;
    /* loaded by hx_suite_load_parts: */
    hx_rules rules;
    hx_program prog;
    bool parts_ok;
} hx_module_config;

typedef struct hx_agent_config {
    char *name;          /* owned */
    char *transcripts;   /* owned: resolved path */
    hx_module_config *modules; /* owned */
    size_t nmodules;
} hx_agent_config;

typedef struct hx_suite {
    char *file;          /* owned */
    char *dir;           /* owned: folder paths resolve against */
    char *db;            /* owned: resolved path */
    hx_lm_config lm;
    hx_agent_config *agents; /* owned */
    size_t nagents;
    hx_json_doc doc;     /* the file, for positions */
} hx_suite;

#define HX_SUITE_MAX_BYTES (8u << 20)

/* Load a suite file. 0, or -1 with problems in d (then *s is still safe to
 * free with hx_suite_free). */
int hx_suite_load(const char *path, hx_suite *s, hx_diags *d);
/* Load every module's rules and program and check them against its
 * signature. 0 if all loaded, -1 with problems in d. */
int hx_suite_load_parts(hx_suite *s, hx_diags *d);
void hx_suite_free(hx_suite *s);

/* Find a module by "name" or "agent/name". Returns NULL and sets why
 * (unknown, or ambiguous across agents). */
hx_module_config *hx_suite_find_module(hx_suite *s, const char *spec, char why[256]);

#endif
