/*
 * recompile.h — turning a recompile trigger into a better program, or not
 * (DESIGN §7).
 *
 * A trigger (trigger.h) names a module that fell below its bar. The
 * recompile:
 *   1. splits the module's transcripts deterministically by the SHA-256 of
 *      the transcript id: 50 % train, 25 % val (both handed to the
 *      optimizer), 25 % held-out (never shown to it, used to judge its
 *      candidate). The same id always lands in the same part, so reruns and
 *      later recompiles see the same held-out set;
 *   2. exports train and val as JSONL, one line per transcript:
 *      {"id", "inputs": {input: rendered value}, "expected": {...},
 *      "call_date"} (only transcripts with a field this module checks);
 *   3. runs the optimizer as a child process: `dspy` is bridge/recompile.py
 *      (the real dspy.MIPROv2, with libharness's assertion engine as its
 *      metric, see metric.h), started with an argv and no shell, under a
 *      time limit (its process group is killed when it runs over), its
 *      stdout and stderr in <db folder>/recompile/<trigger id>/optimizer.log;
 *      `native` (MIPROv2 in C) is not in this version;
 *   4. scores the current program and the candidate on the held-out
 *      transcripts with the module's own LM, through the runner, into a
 *      scratch database in the same folder (heldout.db), so the history
 *      in the main database holds only real runs;
 *   5. promotes the candidate only if its held-out pass rate is at least
 *      the current program's plus recompile.promote_margin: both versions
 *      are kept as <program folder>/history/<module>.<sha256>.json, and the
 *      program file is replaced atomically (temporary file, fsync, rename);
 *      it is not replaced if it changed while the recompile ran.
 * Every step lands in the trigger's row: open → running (old sha) → done
 * (new sha, old and new held-out score, promoted) or failed. The folder
 * keeps the exported sets, the candidate, the optimizer's log and summary,
 * and result.json with the whole story.
 *
 * One recompile runs at a time per database (an flock on <db>.recompile.lock).
 * A trigger left "running" by a recompile that died is picked up again by
 * the next one, which can tell it is stale because it holds the lock.
 *
 * The optimizer is found as: $HX_PYTHON, else .venv/bin/python, else
 * python3; $HX_BRIDGE, else bridge/recompile.py; $HX_LIBHARNESS, else
 * libharness.so beside the harness binary (or in ../lib) — .venv and
 * bridge/ are looked for in the folders above the binary.
 */
#ifndef HX_RECOMPILE_H
#define HX_RECOMPILE_H

#include <cjson/cJSON.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "error.h"

#define HX_SPLIT_TRAIN_PCT 50       /* of 100 buckets of the id's SHA-256 */
#define HX_SPLIT_VAL_PCT 25         /* held-out: the remaining 25 */
#define HX_RECOMPILE_MIN_TRAIN 4
#define HX_RECOMPILE_MIN_VAL 2
#define HX_RECOMPILE_MIN_HELDOUT 4
#define HX_RECOMPILE_TIMEOUT_S 3600.0
#define HX_RECOMPILE_SEED 9         /* MIPROv2's default */

typedef enum hx_split { HX_SPLIT_TRAIN, HX_SPLIT_VAL, HX_SPLIT_HELDOUT } hx_split;

/* Which part a transcript belongs to: the first 8 bytes of SHA-256(id),
 * big-endian, modulo 100, against the percentages above. */
hx_split hx_recompile_split(const char *transcript_id);

typedef struct hx_recompile_opts {
    const char *suite_path;
    const char *db;              /* NULL = the suite's */
    const char *optimizer;       /* NULL = the module's recompile.optimizer */
    double timeout_s;            /* optimizer time limit; 0 = HX_RECOMPILE_TIMEOUT_S */
    int concurrency;             /* held-out scoring; 0 = the suite's */
    unsigned seed;               /* 0 = HX_RECOMPILE_SEED */
    FILE *log;                   /* progress lines for people; NULL = quiet */
} hx_recompile_opts;

typedef struct hx_recompile_result {
    int64_t trigger_id;
    char agent[128], module[128];
    char status[16];             /* "done" or "failed" ("" when not started) */
    bool promoted;
    char old_sha[65], new_sha[65];
    double old_score, new_score; /* held-out pass rates; NAN when not scored */
    double margin;
    size_t ntrain, nval, nheldout;
    int64_t optimizer_requests;  /* LM requests the optimizer sent; -1 unknown */
    int64_t heldout_requests;    /* LM requests of the two held-out runs */
    double optimizer_s, wall_s;
    char dir[1024];              /* <db folder>/recompile/<id> */
    char program[1024];          /* the module's program file */
    char history[1100];          /* where the previous version was kept */
    char message[1024];          /* one line: the verdict, or why it failed */
} hx_recompile_result;

/* Run the recompile of a trigger that is "open" (or "running" but stale).
 * Returns 0 when it reached a verdict (status "done", promoted or not), -1
 * when it failed (status "failed"; err says why, and so does
 * res->message), -2 when it could not start for a reason of usage or
 * configuration (unknown trigger, module not in the suite, optimizer
 * `native`, a trigger already finished; nothing changed), -3 when another
 * recompile holds the database (nothing changed). */
int hx_recompile_run(const hx_recompile_opts *o, int64_t trigger_id, hx_recompile_result *res,
                     hx_error *err);

/* The result as JSON (result.json, --json); owned by the caller. */
cJSON *hx_recompile_result_json(const hx_recompile_result *r);

/* The trigger for `harness recompile --module M`: the module's open (or
 * stale running) trigger if it has one, else a new one recorded against
 * the module's latest finished run. No cooldown applies: a person asked.
 * 0, or -2 with err (no such module, no run yet). */
int hx_recompile_request(const hx_recompile_opts *o, const char *module_spec, int64_t *trigger_id,
                         hx_error *err);

/* Triggers waiting for a recompile ("open", and "running" ones, which are
 * stale unless another recompile holds the lock), oldest first. *ids is
 * owned (free()). */
int hx_recompile_pending(const hx_recompile_opts *o, int64_t **ids, size_t *n, hx_error *err);

#endif
