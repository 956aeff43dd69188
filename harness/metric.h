/*
 * metric.h — the assertion engine as a metric for DSPy optimizers.
 *
 * A MIPROv2 recompile (bridge/recompile.py) must score candidate programs
 * with exactly the checks `harness run` applies, or the optimizer would
 * chase a different target than the one the module is judged by. So the
 * metric is not re-implemented in Python: the bridge loads libharness.so
 * with ctypes and calls these functions. Everything crosses the boundary as
 * NUL-terminated UTF-8 strings (JSON text), so the Python side needs no
 * struct layouts.
 *
 * A rule file is loaded once per path and kept for the life of the process
 * (an optimizer scores thousands of predictions against the same file).
 * The functions are thread-safe: DSPy evaluates on several threads and
 * ctypes releases the GIL during a call.
 *
 * expected_json is a transcript's "expected" object (DESIGN §3.2: values,
 * null, {"any_of": [...]}); outputs_json the module's outputs as a JSON
 * object (null or "" = no outputs at all); call_date "YYYY-MM-DD", the date
 * relative phrases resolve against (NULL or "" = unknown). Fields of
 * expected without a rule in the file belong to other modules and are not
 * checked, as in `harness run`.
 */
#ifndef HX_METRIC_H
#define HX_METRIC_H

/* Bumped when a function's meaning or arguments change; the bridge refuses
 * a library with another version. */
#define HX_METRIC_ABI 1

int hx_metric_abi(void);

/* Fraction (0..1) of the checked fields that pass. -1 on bad input (rules
 * that do not load, JSON that does not parse, a bad call_date, no field to
 * check); hx_metric_error() then says why. */
double hx_metric(const char *rules_path, const char *expected_json,
                 const char *outputs_json, const char *call_date);

/* 1 if the case passes under the rule file's case_passes (what `harness
 * run` counts), 0 if it fails, -1 on bad input. */
int hx_metric_case(const char *rules_path, const char *expected_json,
                   const char *outputs_json, const char *call_date);

/* The whole verdict as JSON: {"status": "pass"|"fail", "score": f,
 * "reason": "...", "fields": [{"field", "pass", "expected", "actual_raw",
 * "actual", "reason"}]}. Owned by the caller (hx_metric_free); NULL on bad
 * input. For logs and for feedback-driven optimizers. */
char *hx_metric_explain(const char *rules_path, const char *expected_json,
                        const char *outputs_json, const char *call_date);
void hx_metric_free(char *s);

/* Why the calling thread's last call returned -1 or NULL ("" if it did
 * not). Valid until that thread's next call. */
const char *hx_metric_error(void);

/* Forget every cached rule file (tests; a long-lived host that edits rules). */
void hx_metric_reset(void);

#endif
