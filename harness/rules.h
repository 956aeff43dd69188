/*
 * rules.h — assertion rule files (assertions/NAME.json, DESIGN §3.3).
 *
 * A rule file says, per output field, which typed comparison decides it
 * (date, time, integer, money, number, phone, boolean, address, enum, label,
 * text, regex, or a list of one of these) with its options, and how field
 * verdicts combine into a case verdict (`case_passes`: "all", "any", or a
 * fraction of checked fields). The engine that applies a rule is assertion.c.
 *
 * Loading reports every problem (unknown type, unknown option — usually a
 * typo —, option of the wrong type or range, bad regex, duplicate enum
 * alias) with file:line:col and the JSON path, and carries on.
 */
#ifndef HX_RULES_H
#define HX_RULES_H

#include <stdbool.h>
#include <stddef.h>

#include "diag.h"
#include "enum_match.h"
#include "json_doc.h"
#include "regex.h"

typedef enum hx_rule_type {
    HX_R_DATE, HX_R_TIME, HX_R_INTEGER, HX_R_NUMBER, HX_R_MONEY, HX_R_PHONE,
    HX_R_BOOLEAN, HX_R_ADDRESS, HX_R_ENUM, HX_R_LABEL, HX_R_TEXT, HX_R_REGEX,
    HX_R_LIST
} hx_rule_type;

typedef struct hx_rule {
    char *field;            /* owned */
    hx_rule_type type;
    int tolerance_minutes;  /* time */
    int tolerance_days;     /* date */
    double tolerance;       /* integer, number, money: absolute */
    char default_meridiem;  /* time: 0, 'a', 'p' */
    char region[8];         /* phone */
    int max_name_edits;     /* address: street-name edit distance allowed */
    double min_similarity;  /* text: 1 = equal after folding */
    hx_enum values;         /* enum, label (owned) */
    hx_regex *re;           /* regex (owned) */
    char *pattern;          /* regex source (owned) */
    struct hx_rule *item;   /* list: rule for each element (owned) */
    bool ordered;           /* list: order matters */
} hx_rule;

typedef enum hx_case_mode { HX_CASE_ALL, HX_CASE_ANY, HX_CASE_FRACTION } hx_case_mode;

typedef struct hx_rules {
    char *file;             /* owned */
    hx_rule *v;             /* owned */
    size_t n;
    hx_case_mode case_mode;
    double min_fraction;    /* HX_CASE_FRACTION */
} hx_rules;

/* Load a rule file. Returns 0, or -1 after adding every problem to d. On
 * -1, *out is still safe to free. */
int hx_rules_load(const char *path, hx_rules *out, hx_diags *d);
/* Same, from a parsed document (used by tests and by the suite loader). */
int hx_rules_from_doc(const hx_json_doc *doc, hx_rules *out, hx_diags *d);

const hx_rule *hx_rules_find(const hx_rules *r, const char *field);
void hx_rules_free(hx_rules *r);

const char *hx_rule_type_name(hx_rule_type t);
int hx_rule_type_parse(const char *name, hx_rule_type *out);
/* "date, time, ..." for messages */
const char *hx_rule_type_list(void);

/* Set r to a rule of type t with every option at its default. */
void hx_rule_init(hx_rule *r, hx_rule_type t);
void hx_rule_free(hx_rule *r);

#define HX_RULES_MAX_BYTES (8u << 20)

#endif
