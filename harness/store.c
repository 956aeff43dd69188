/*
 * store.c — the SQLite score store (see store.h for the contract).
 *
 * Layout of the database, newest schema:
 *
 *   runs           one row per `harness run` / `harness check`
 *   run_modules    one row per (run, agent, module): program hash, bar, the
 *                  rollup counters cases/passed/failed/errors and the sums
 *                  of tokens, cost and latency
 *   agent_rollups  one row per (run, agent): the same counters and sums
 *   cases          one row per (run, agent, module, transcript): the facts,
 *                  and flip_from_run_id (derived: see version 4)
 *   field_checks   one row per field checked in a case: the facts
 *   field_rollups  one row per (run, agent, module, field): checks/passed
 *   recompiles     one row per recompile trigger (DESIGN.md §7)
 *
 * The §5 views are thin: module_scores reads run_modules, agent_scores reads
 * agent_rollups, field_scores reads field_rollups, case_results
 * projects cases, recompile_triggers projects recompiles. So a dashboard
 * query over the latest run, or a 30-run trend, touches a few hundred rollup
 * rows however many millions of case and field rows history holds. Beside
 * them (not part of the contract; docs/queries.sql uses them), module_costs
 * and agent_costs read the sums of run_modules and agent_rollups, and
 * case_flips reads the partial index of flips.
 *
 * The rollups are maintained by SQL triggers on cases and field_checks
 * rather than by this file. The cost is the same (one counter update per
 * row either way, in the same transaction), but the invariant "a counter is
 * the count of its rows" then holds for every writer: this code, a future
 * prune or repair path, or a person fixing a row in the sqlite3 shell.
 * Replacing a case is a DELETE and an INSERT, and the triggers subtract
 * and add exactly what changed.
 *
 * Schema changes are migrations: an ordered list of SQL scripts, script i
 * taking the database from version i to i+1 (PRAGMA user_version), each in
 * its own transaction. Never edit a released script; append a new one.
 */
#include "store.h"

#include <ctype.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <sqlite3.h>

/* 'HXDB': marks the file as ours, so a database of another application is
 * refused instead of "upgraded" (PRAGMA application_id). */
#define HX_APP_ID 0x48584442

/* Writers wait this long for another writer's transaction (a second
 * harness on the same file) before giving up with "database is locked". */
#define HX_BUSY_TIMEOUT_MS 10000

/* UPSERT (3.24) is the newest SQLite feature used here. */
#define HX_SQLITE_MIN 3024000

/* ---- migrations --------------------------------------------------------- */

/* Version 1: the facts. Everything later can be derived from these. */
static const char M1_FACTS[] =
    "PRAGMA application_id = 1213744194;\n" /* HX_APP_ID */
    /* AUTOINCREMENT: run ids are quoted in reports and --resume, so an id
     * must never be reused after a run is pruned. Named run_id, as in every
     * view, so that dashboards can write `max(run_id) FROM runs` and
     * `JOIN runs USING (run_id)`. */
    "CREATE TABLE runs (\n"
    "  run_id      INTEGER PRIMARY KEY AUTOINCREMENT,\n"
    "  kind        TEXT NOT NULL CHECK (kind IN ('run', 'check')),\n"
    "  suite_path  TEXT,\n"
    "  lm_model    TEXT,\n"
    "  started_at  TEXT NOT NULL,\n"
    "  finished_at TEXT,\n"
    "  status      TEXT NOT NULL DEFAULT 'running'\n"
    "              CHECK (status IN ('running', 'finished', 'aborted'))\n"
    ");\n"
    /* WITHOUT ROWID: small rows always found by their natural key. */
    "CREATE TABLE run_modules (\n"
    "  run_id         INTEGER NOT NULL REFERENCES runs (run_id) ON DELETE CASCADE,\n"
    "  agent          TEXT NOT NULL,\n"
    "  module         TEXT NOT NULL,\n"
    "  program_sha256 TEXT,\n"
    "  bar            REAL NOT NULL,\n"
    "  PRIMARY KEY (run_id, agent, module)\n"
    ") WITHOUT ROWID;\n"
    /* The UNIQUE constraint is the (run_id, agent, module, transcript_id)
     * index: it finds a case to replace, serves case_results by run, and
     * serves the cascade from run_modules. */
    "CREATE TABLE cases (\n"
    "  id                INTEGER PRIMARY KEY,\n"
    "  run_id            INTEGER NOT NULL,\n"
    "  agent             TEXT NOT NULL,\n"
    "  module            TEXT NOT NULL,\n"
    "  transcript_id     TEXT NOT NULL,\n"
    "  status            TEXT NOT NULL CHECK (status IN ('pass', 'fail', 'error')),\n"
    "  reason            TEXT NOT NULL DEFAULT '',\n"
    "  latency_ms        REAL NOT NULL DEFAULT 0,\n"
    "  prompt_tokens     INTEGER NOT NULL DEFAULT 0,\n"
    "  completion_tokens INTEGER NOT NULL DEFAULT 0,\n"
    "  cost_usd          REAL NOT NULL DEFAULT 0,\n"
    "  outputs_json      TEXT,\n"
    "  UNIQUE (run_id, agent, module, transcript_id),\n"
    "  FOREIGN KEY (run_id, agent, module)\n"
    "    REFERENCES run_modules (run_id, agent, module) ON DELETE CASCADE\n"
    ");\n"
    /* seq keeps the rule order of the case; (case_id, seq) is the only
     * access path, so the table is its own index. */
    "CREATE TABLE field_checks (\n"
    "  case_id    INTEGER NOT NULL REFERENCES cases (id),\n"
    "  seq        INTEGER NOT NULL,\n"
    "  field      TEXT NOT NULL,\n"
    "  pass       INTEGER NOT NULL CHECK (pass IN (0, 1)),\n"
    "  expected   TEXT,\n"
    "  actual_raw TEXT,\n"
    "  actual     TEXT,\n"
    "  reason     TEXT NOT NULL DEFAULT '',\n"
    "  PRIMARY KEY (case_id, seq)\n"
    ") WITHOUT ROWID;\n"
    /* A case takes its field rows with it. Done by a BEFORE trigger rather
     * than ON DELETE CASCADE because SQLite cascades after the parent row is
     * gone, and the field rollup triggers (version 2) must still find the
     * case to know which counters to decrement. */
    "CREATE TRIGGER cases_delete_fields BEFORE DELETE ON cases BEGIN\n"
    "  DELETE FROM field_checks WHERE case_id = OLD.id;\n"
    "END;\n"
    "CREATE VIEW case_results AS\n"
    "  SELECT run_id, agent, module, transcript_id, status, reason, latency_ms,\n"
    "         prompt_tokens, completion_tokens, cost_usd\n"
    "  FROM cases;\n";

/* Version 2: rollups, the SQL triggers that keep them, and the score views.
 * Backfilled from the facts, so it also upgrades a populated database.
 *
 * Each score view reads a table with one row per row of the view, so that
 * SQLite can apply the dashboard's `WHERE run_id = (SELECT max(run_id) FROM
 * runs)` through an index. A view that aggregates (GROUP BY) cannot: SQLite
 * does not push a condition holding a subquery into it and scans all of
 * history instead. Hence agent_rollups, although it is only the sum of
 * run_modules per agent. */
#define RM_KEY(ROW)                                                         \
    "run_id = " ROW ".run_id AND agent = " ROW ".agent AND module = " ROW ".module"
#define AGENT_KEY(ROW) "run_id = " ROW ".run_id AND agent = " ROW ".agent"
#define CASE_OF(ROW)                                                        \
    "run_id = (SELECT run_id FROM cases WHERE id = " ROW ".case_id)"        \
    " AND agent = (SELECT agent FROM cases WHERE id = " ROW ".case_id)"     \
    " AND module = (SELECT module FROM cases WHERE id = " ROW ".case_id)"
/* Counter deltas for a case row entering (+) or leaving (-). */
#define COUNT(ROW, OP)                                                      \
    "cases = cases " OP " 1,"                                               \
    " passed = passed " OP " (" ROW ".status = 'pass'),"                    \
    " failed = failed " OP " (" ROW ".status = 'fail'),"                    \
    " errors = errors " OP " (" ROW ".status = 'error')"
#define RECOUNT                                                             \
    "passed = passed + (NEW.status = 'pass') - (OLD.status = 'pass'),"      \
    " failed = failed + (NEW.status = 'fail') - (OLD.status = 'fail'),"     \
    " errors = errors + (NEW.status = 'error') - (OLD.status = 'error')"

static const char M2_ROLLUPS[] =
    "ALTER TABLE run_modules ADD COLUMN cases  INTEGER NOT NULL DEFAULT 0;\n"
    "ALTER TABLE run_modules ADD COLUMN passed INTEGER NOT NULL DEFAULT 0;\n"
    "ALTER TABLE run_modules ADD COLUMN failed INTEGER NOT NULL DEFAULT 0;\n"
    "ALTER TABLE run_modules ADD COLUMN errors INTEGER NOT NULL DEFAULT 0;\n"
    /* Trend queries ("this module over the last 30 runs"). */
    "CREATE INDEX run_modules_by_module ON run_modules (agent, module, run_id);\n"
    "CREATE TABLE agent_rollups (\n"
    "  run_id INTEGER NOT NULL REFERENCES runs (run_id) ON DELETE CASCADE,\n"
    "  agent  TEXT NOT NULL,\n"
    "  cases  INTEGER NOT NULL DEFAULT 0,\n"
    "  passed INTEGER NOT NULL DEFAULT 0,\n"
    "  failed INTEGER NOT NULL DEFAULT 0,\n"
    "  errors INTEGER NOT NULL DEFAULT 0,\n"
    "  PRIMARY KEY (run_id, agent)\n"
    ") WITHOUT ROWID;\n"
    "CREATE INDEX agent_rollups_by_agent ON agent_rollups (agent, run_id);\n"
    "CREATE TABLE field_rollups (\n"
    "  run_id INTEGER NOT NULL,\n"
    "  agent  TEXT NOT NULL,\n"
    "  module TEXT NOT NULL,\n"
    "  field  TEXT NOT NULL,\n"
    "  checks INTEGER NOT NULL DEFAULT 0,\n"
    "  passed INTEGER NOT NULL DEFAULT 0,\n"
    "  PRIMARY KEY (run_id, agent, module, field),\n"
    "  FOREIGN KEY (run_id, agent, module)\n"
    "    REFERENCES run_modules (run_id, agent, module) ON DELETE CASCADE\n"
    ") WITHOUT ROWID;\n"
    "CREATE INDEX field_rollups_by_field ON field_rollups (agent, module, field, run_id);\n"
    /* Backfill from the facts. */
    "UPDATE run_modules SET\n"
    "  cases  = (SELECT count(*) FROM cases AS c WHERE c." RM_KEY("run_modules") "),\n"
    "  passed = (SELECT count(*) FROM cases AS c WHERE c." RM_KEY("run_modules")
    "            AND c.status = 'pass'),\n"
    "  failed = (SELECT count(*) FROM cases AS c WHERE c." RM_KEY("run_modules")
    "            AND c.status = 'fail'),\n"
    "  errors = (SELECT count(*) FROM cases AS c WHERE c." RM_KEY("run_modules")
    "            AND c.status = 'error');\n"
    "INSERT INTO agent_rollups (run_id, agent, cases, passed, failed, errors)\n"
    "  SELECT run_id, agent, sum(cases), sum(passed), sum(failed), sum(errors)\n"
    "  FROM run_modules GROUP BY run_id, agent;\n"
    "INSERT INTO field_rollups (run_id, agent, module, field, checks, passed)\n"
    "  SELECT c.run_id, c.agent, c.module, f.field, count(*), sum(f.pass)\n"
    "  FROM field_checks AS f JOIN cases AS c ON c.id = f.case_id\n"
    "  GROUP BY c.run_id, c.agent, c.module, f.field;\n"
    /* An agent of a run exists from its first declared module to its last
     * (a module with no cases yet still shows, with zero counts). */
    "CREATE TRIGGER run_modules_agent_insert AFTER INSERT ON run_modules BEGIN\n"
    "  INSERT OR IGNORE INTO agent_rollups (run_id, agent) VALUES (NEW.run_id, NEW.agent);\n"
    "END;\n"
    "CREATE TRIGGER run_modules_agent_delete AFTER DELETE ON run_modules\n"
    "WHEN NOT EXISTS (SELECT 1 FROM run_modules WHERE " AGENT_KEY("OLD") ") BEGIN\n"
    "  DELETE FROM agent_rollups WHERE " AGENT_KEY("OLD") ";\n"
    "END;\n"
    /* Case counters, per module and per agent. */
    "CREATE TRIGGER cases_count_insert AFTER INSERT ON cases BEGIN\n"
    "  UPDATE run_modules SET " COUNT("NEW", "+") " WHERE " RM_KEY("NEW") ";\n"
    "  UPDATE agent_rollups SET " COUNT("NEW", "+") " WHERE " AGENT_KEY("NEW") ";\n"
    "END;\n"
    "CREATE TRIGGER cases_count_delete AFTER DELETE ON cases BEGIN\n"
    "  UPDATE run_modules SET " COUNT("OLD", "-") " WHERE " RM_KEY("OLD") ";\n"
    "  UPDATE agent_rollups SET " COUNT("OLD", "-") " WHERE " AGENT_KEY("OLD") ";\n"
    "END;\n"
    "CREATE TRIGGER cases_count_update AFTER UPDATE OF status ON cases\n"
    "WHEN OLD.status IS NOT NEW.status BEGIN\n"
    "  UPDATE run_modules SET " RECOUNT " WHERE " RM_KEY("NEW") ";\n"
    "  UPDATE agent_rollups SET " RECOUNT " WHERE " AGENT_KEY("NEW") ";\n"
    "END;\n"
    /* Moving a case between modules would need its field counters moved
     * too; nothing needs it, so it is refused rather than half-supported. */
    "CREATE TRIGGER cases_key_fixed BEFORE UPDATE OF run_id, agent, module ON cases\n"
    "WHEN OLD.run_id IS NOT NEW.run_id OR OLD.agent IS NOT NEW.agent\n"
    "  OR OLD.module IS NOT NEW.module BEGIN\n"
    "  SELECT RAISE(ABORT, 'a case cannot move to another run or module; delete and insert it');\n"
    "END;\n"
    /* Field counters. The case row exists whenever a field row is inserted
     * or deleted (cases_delete_fields runs before the case goes). */
    "CREATE TRIGGER field_checks_count_insert AFTER INSERT ON field_checks BEGIN\n"
    "  INSERT INTO field_rollups (run_id, agent, module, field, checks, passed)\n"
    "    SELECT run_id, agent, module, NEW.field, 1, NEW.pass FROM cases\n"
    "    WHERE id = NEW.case_id\n"
    "  ON CONFLICT (run_id, agent, module, field) DO UPDATE SET\n"
    "    checks = checks + 1, passed = passed + excluded.passed;\n"
    "END;\n"
    "CREATE TRIGGER field_checks_count_delete AFTER DELETE ON field_checks BEGIN\n"
    "  UPDATE field_rollups SET checks = checks - 1, passed = passed - OLD.pass\n"
    "  WHERE " CASE_OF("OLD") " AND field = OLD.field;\n"
    "END;\n"
    "CREATE TRIGGER field_checks_count_update AFTER UPDATE OF pass ON field_checks\n"
    "WHEN OLD.pass IS NOT NEW.pass BEGIN\n"
    "  UPDATE field_rollups SET passed = passed + NEW.pass - OLD.pass\n"
    "  WHERE " CASE_OF("NEW") " AND field = NEW.field;\n"
    "END;\n"
    "CREATE TRIGGER field_checks_key_fixed BEFORE UPDATE OF case_id, field ON field_checks\n"
    "WHEN OLD.case_id IS NOT NEW.case_id OR OLD.field IS NOT NEW.field BEGIN\n"
    "  SELECT RAISE(ABORT, 'a field check cannot move to another case or field; delete and insert it');\n"
    "END;\n"
    /* Score views. pass_rate leaves errors out (an outage is not a wrong
     * answer) and is NULL when nothing was answered; such a module is not
     * below its bar, for the same reason. */
    "CREATE VIEW module_scores AS\n"
    "  SELECT m.run_id, r.started_at, m.agent, m.module, m.program_sha256,\n"
    "         m.cases, m.passed, m.failed, m.errors,\n"
    "         CASE WHEN m.passed + m.failed > 0\n"
    "              THEN CAST(m.passed AS REAL) / (m.passed + m.failed) END AS pass_rate,\n"
    "         m.bar,\n"
    "         CASE WHEN m.passed + m.failed > 0\n"
    "               AND CAST(m.passed AS REAL) / (m.passed + m.failed) < m.bar\n"
    "              THEN 1 ELSE 0 END AS below_bar\n"
    "  FROM run_modules AS m JOIN runs AS r ON r.run_id = m.run_id;\n"
    "CREATE VIEW agent_scores AS\n"
    "  SELECT a.run_id, r.started_at, a.agent, a.cases, a.passed, a.failed, a.errors,\n"
    "         CASE WHEN a.passed + a.failed > 0\n"
    "              THEN CAST(a.passed AS REAL) / (a.passed + a.failed) END AS pass_rate\n"
    "  FROM agent_rollups AS a JOIN runs AS r ON r.run_id = a.run_id;\n"
    /* A field whose every check was replaced away keeps a zero row; it is
     * not a score. */
    "CREATE VIEW field_scores AS\n"
    "  SELECT run_id, agent, module, field, checks, passed,\n"
    "         CAST(passed AS REAL) / checks AS accuracy\n"
    "  FROM field_rollups WHERE checks > 0;\n";

/* Version 3: recompile triggers. status is checked in C, not by a CHECK
 * constraint, so that adding a step later needs no table rebuild. */
static const char M3_RECOMPILES[] =
    "CREATE TABLE recompiles (\n"
    "  id                 INTEGER PRIMARY KEY AUTOINCREMENT,\n"
    "  run_id             INTEGER NOT NULL REFERENCES runs (run_id) ON DELETE CASCADE,\n"
    "  agent              TEXT NOT NULL,\n"
    "  module             TEXT NOT NULL,\n"
    "  pass_rate          REAL,\n"
    "  bar                REAL NOT NULL,\n"
    "  reason             TEXT NOT NULL DEFAULT '',\n"
    "  status             TEXT NOT NULL DEFAULT 'open',\n"
    "  created_at         TEXT NOT NULL,\n"
    "  finished_at        TEXT,\n"
    "  old_program_sha256 TEXT,\n"
    "  new_program_sha256 TEXT,\n"
    "  old_score          REAL,\n"
    "  new_score          REAL,\n"
    "  promoted           INTEGER CHECK (promoted IN (0, 1))\n"
    ");\n"
    "CREATE INDEX recompiles_by_module ON recompiles (agent, module, id);\n"
    "CREATE INDEX recompiles_by_run ON recompiles (run_id);\n"
    "CREATE VIEW recompile_triggers AS\n"
    "  SELECT id, run_id, agent, module, pass_rate, bar, reason, status,\n"
    "         created_at, finished_at, old_program_sha256, new_program_sha256,\n"
    "         old_score, new_score, promoted\n"
    "  FROM recompiles;\n";

/* Version 4: what the slow dashboard reads of docs/readme-sql.md needed,
 * without changing the §5 views. Three additions, each kept by SQL
 * triggers (the same "every writer" argument as version 2) and backfilled,
 * so a populated version-3 database upgrades to what a version-4 database
 * fed the same cases holds.
 *
 * Cost sums. prompt_tokens, completion_tokens, cost_usd and latency_ms_sum
 * on run_modules and agent_rollups, added and subtracted by the
 * cases_count_* triggers with the counters, read by the views module_costs
 * and agent_costs. Spend per night was a scan of the window's case rows
 * (2.7 ms a night of 10,000 cases); it is now a read of one rollup row per
 * run and agent, whatever the window. Token sums are integers and exact.
 * cost_usd and latency_ms_sum are REAL: a replaced case is subtracted and
 * its successor added, so they equal the sum of the case rows up to the
 * rounding of those additions (relative 1e-16 each); a maximum could not
 * be kept this way (a delete would need a rescan), hence sums only.
 *
 * A transcript's history. cases_by_transcript leads with the transcript,
 * so one transcript's 365 nights are one index range instead of a scan of
 * every case row. status is in it so that the flip lookups below and the
 * flaky_transcripts totals are answered by the index alone.
 *
 * Flips. cases.flip_from_run_id is, for an answered case (pass or fail),
 * the run of the same agent/module/transcript's previous answered case
 * (by run_id; errors skipped: an outage is not flakiness) when that case's
 * status differs from this one's, else NULL. Flips are a few per cent of
 * the cases, so the partial index cases_flips holds only them and a window
 * of nights counts its flips by reading them alone, instead of ordering all
 * of the window's case rows per transcript. The triggers keep the column
 * right whatever order cases arrive in: a case inserted, replaced, deleted
 * or changed in an older run also recomputes the flip of the transcript's
 * next answered case, whose predecessor it may have become or stopped
 * being. Each trigger writes a row only when its flip changes (rarely), so
 * the price of an insert is two lookups in cases_by_transcript, in the
 * pages the insert has just touched. */
#define SUMS(ROW, OP)                                                       \
    " prompt_tokens = prompt_tokens " OP " " ROW ".prompt_tokens,"          \
    " completion_tokens = completion_tokens " OP " " ROW ".completion_tokens," \
    " cost_usd = cost_usd " OP " " ROW ".cost_usd,"                         \
    " latency_ms_sum = latency_ms_sum " OP " " ROW ".latency_ms"
#define RESUM                                                               \
    " prompt_tokens = prompt_tokens + NEW.prompt_tokens - OLD.prompt_tokens," \
    " completion_tokens = completion_tokens + NEW.completion_tokens"        \
    " - OLD.completion_tokens,"                                             \
    " cost_usd = cost_usd + NEW.cost_usd - OLD.cost_usd,"                   \
    " latency_ms_sum = latency_ms_sum + NEW.latency_ms - OLD.latency_ms"
#define SUM_COLUMNS(TABLE)                                                  \
    "ALTER TABLE " TABLE " ADD COLUMN prompt_tokens INTEGER NOT NULL DEFAULT 0;\n" \
    "ALTER TABLE " TABLE " ADD COLUMN completion_tokens INTEGER NOT NULL DEFAULT 0;\n" \
    "ALTER TABLE " TABLE " ADD COLUMN cost_usd REAL NOT NULL DEFAULT 0;\n"  \
    "ALTER TABLE " TABLE " ADD COLUMN latency_ms_sum REAL NOT NULL DEFAULT 0;\n"
#define SAME_TRANSCRIPT(P, ROW)                                             \
    P ".agent = " ROW ".agent AND " P ".module = " ROW ".module AND "       \
    P ".transcript_id = " ROW ".transcript_id"
/* What ROW's flip_from_run_id must be, from the rows as they are now. The
 * lookup is one descending step in cases_by_transcript (status included):
 * no table row is read. */
#define FLIP_OF(ROW)                                                        \
    "(CASE WHEN " ROW ".status <> 'error' THEN"                             \
    " (SELECT CASE WHEN p.status <> " ROW ".status THEN p.run_id END"       \
    "  FROM cases AS p WHERE " SAME_TRANSCRIPT("p", ROW)                    \
    "  AND p.run_id < " ROW ".run_id AND p.status <> 'error'"               \
    "  ORDER BY p.run_id DESC LIMIT 1) END)"
/* The id of the transcript's first answered case after ROW's run: the one
 * whose predecessor ROW is, was, or now is. */
#define NEXT_ANSWERED(ROW)                                                  \
    "(SELECT n.id FROM cases AS n WHERE " SAME_TRANSCRIPT("n", ROW)         \
    " AND n.run_id > " ROW ".run_id AND n.status <> 'error'"                \
    " ORDER BY n.run_id LIMIT 1)"
/* Recompute the flips of the rows whose id is IDS, writing only those
 * that change. Inside the subqueries, `cases` is the row being updated. */
#define REFLIP(IDS)                                                         \
    "  UPDATE cases SET flip_from_run_id = " FLIP_OF("cases") "\n"          \
    "  WHERE id IN (" IDS ") AND flip_from_run_id IS NOT " FLIP_OF("cases") ";\n"

static const char M4_COSTS_FLIPS[] =
    /* Cost sums: columns, backfill, and the counter triggers again with
     * the sums in them. */
    SUM_COLUMNS("run_modules")
    SUM_COLUMNS("agent_rollups")
    "UPDATE run_modules SET\n"
    "  (prompt_tokens, completion_tokens, cost_usd, latency_ms_sum) =\n"
    "  (SELECT coalesce(sum(prompt_tokens), 0), coalesce(sum(completion_tokens), 0),\n"
    "          total(cost_usd), total(latency_ms)\n"
    "   FROM cases AS c WHERE c." RM_KEY("run_modules") ");\n"
    "UPDATE agent_rollups SET\n"
    "  (prompt_tokens, completion_tokens, cost_usd, latency_ms_sum) =\n"
    "  (SELECT coalesce(sum(prompt_tokens), 0), coalesce(sum(completion_tokens), 0),\n"
    "          total(cost_usd), total(latency_ms_sum)\n"
    "   FROM run_modules AS m WHERE m." AGENT_KEY("agent_rollups") ");\n"
    "DROP TRIGGER cases_count_insert;\n"
    "DROP TRIGGER cases_count_delete;\n"
    "DROP TRIGGER cases_count_update;\n"
    "CREATE TRIGGER cases_count_insert AFTER INSERT ON cases BEGIN\n"
    "  UPDATE run_modules SET " COUNT("NEW", "+") "," SUMS("NEW", "+")
    "  WHERE " RM_KEY("NEW") ";\n"
    "  UPDATE agent_rollups SET " COUNT("NEW", "+") "," SUMS("NEW", "+")
    "  WHERE " AGENT_KEY("NEW") ";\n"
    "END;\n"
    "CREATE TRIGGER cases_count_delete AFTER DELETE ON cases BEGIN\n"
    "  UPDATE run_modules SET " COUNT("OLD", "-") "," SUMS("OLD", "-")
    "  WHERE " RM_KEY("OLD") ";\n"
    "  UPDATE agent_rollups SET " COUNT("OLD", "-") "," SUMS("OLD", "-")
    "  WHERE " AGENT_KEY("OLD") ";\n"
    "END;\n"
    /* No WHEN: a column set to its own value is a zero delta. */
    "CREATE TRIGGER cases_count_update\n"
    "AFTER UPDATE OF status, prompt_tokens, completion_tokens, cost_usd, latency_ms ON cases\n"
    "BEGIN\n"
    "  UPDATE run_modules SET " RECOUNT "," RESUM " WHERE " RM_KEY("NEW") ";\n"
    "  UPDATE agent_rollups SET " RECOUNT "," RESUM " WHERE " AGENT_KEY("NEW") ";\n"
    "END;\n"
    "CREATE VIEW module_costs AS\n"
    "  SELECT m.run_id, r.started_at, m.agent, m.module, m.cases, m.prompt_tokens,\n"
    "         m.completion_tokens, m.cost_usd, m.latency_ms_sum\n"
    "  FROM run_modules AS m JOIN runs AS r ON r.run_id = m.run_id;\n"
    "CREATE VIEW agent_costs AS\n"
    "  SELECT a.run_id, r.started_at, a.agent, a.cases, a.prompt_tokens,\n"
    "         a.completion_tokens, a.cost_usd, a.latency_ms_sum\n"
    "  FROM agent_rollups AS a JOIN runs AS r ON r.run_id = a.run_id;\n"
    /* A transcript's history. */
    "CREATE INDEX cases_by_transcript ON cases (agent, module, transcript_id, run_id, status);\n"
    /* Flips: the column (NULL everywhere: no table rewrite), the backfill
     * (one index lookup per answered case, a write per flip), then the
     * partial index, built from the few flip rows. It holds every column
     * of case_flips, so a window's flips are read from it alone. */
    "ALTER TABLE cases ADD COLUMN flip_from_run_id INTEGER;\n"
    "UPDATE cases SET flip_from_run_id = " FLIP_OF("cases") "\n"
    "WHERE status <> 'error' AND " FLIP_OF("cases") " IS NOT NULL;\n"
    "CREATE INDEX cases_flips\n"
    "  ON cases (run_id, agent, module, transcript_id, status, flip_from_run_id)\n"
    "  WHERE flip_from_run_id IS NOT NULL;\n"
    /* An error case is nobody's predecessor: inserting or deleting one
     * changes no flip. */
    "CREATE TRIGGER cases_flips_insert AFTER INSERT ON cases\n"
    "WHEN NEW.status <> 'error' BEGIN\n"
    REFLIP("NEW.id, " NEXT_ANSWERED("NEW"))
    "END;\n"
    "CREATE TRIGGER cases_flips_delete AFTER DELETE ON cases\n"
    "WHEN OLD.status <> 'error' BEGIN\n"
    REFLIP(NEXT_ANSWERED("OLD"))
    "END;\n"
    "CREATE TRIGGER cases_flips_update AFTER UPDATE OF status ON cases\n"
    "WHEN OLD.status IS NOT NEW.status BEGIN\n"
    REFLIP("NEW.id, " NEXT_ANSWERED("NEW"))
    "END;\n"
    /* A case that changed transcript would leave two histories' flips
     * wrong; as with run and module (version 2), refused. */
    "CREATE TRIGGER cases_transcript_fixed BEFORE UPDATE OF transcript_id ON cases\n"
    "WHEN OLD.transcript_id IS NOT NEW.transcript_id BEGIN\n"
    "  SELECT RAISE(ABORT, 'a case cannot move to another transcript; delete and insert it');\n"
    "END;\n"
    /* status is the outcome flipped to; the one flipped from, the other
     * answered outcome, was in previous_run_id. */
    "CREATE VIEW case_flips AS\n"
    "  SELECT run_id, agent, module, transcript_id, status,\n"
    "         flip_from_run_id AS previous_run_id\n"
    "  FROM cases WHERE flip_from_run_id IS NOT NULL;\n";

static const char *const migrations[] = { M1_FACTS, M2_ROLLUPS, M3_RECOMPILES,
                                          M4_COSTS_FLIPS };
#define N_MIGRATIONS ((int)(sizeof migrations / sizeof migrations[0]))

/* ---- prepared statements ------------------------------------------------ */

/* Prepared on first use and kept for the life of the handle: a run adds
 * cases in a tight loop, and an opener at an old version (tests) never
 * prepares what its schema lacks. */
enum {
    Q_BEGIN, Q_COMMIT, Q_ROLLBACK, Q_SAVEPOINT, Q_RELEASE, Q_ROLLBACK_TO,
    Q_RUN_INSERT, Q_RUN_END, Q_RUN_RESUME, Q_MODULE_UPSERT,
    Q_CASE_DELETE, Q_CASE_INSERT, Q_FIELD_INSERT, Q_CASE_STATUS,
    Q_RC_INSERT, Q_RC_UPDATE, Q_RC_LAST,
    Q_COUNT
};

static const char *const q_sql[Q_COUNT] = {
    /* IMMEDIATE takes the write lock at once, so a batch never fails
     * half-way because another writer got in first. */
    [Q_BEGIN] = "BEGIN IMMEDIATE",
    [Q_COMMIT] = "COMMIT",
    [Q_ROLLBACK] = "ROLLBACK",
    /* One savepoint per case: a case that fails is undone alone and the
     * batch around it survives. */
    [Q_SAVEPOINT] = "SAVEPOINT hx_case",
    [Q_RELEASE] = "RELEASE hx_case",
    [Q_ROLLBACK_TO] = "ROLLBACK TO hx_case",
    [Q_RUN_INSERT] =
        "INSERT INTO runs (kind, suite_path, lm_model, started_at) VALUES (?1, ?2, ?3, ?4)",
    [Q_RUN_END] = "UPDATE runs SET status = ?2, finished_at = ?3 WHERE run_id = ?1",
    [Q_RUN_RESUME] =
        "UPDATE runs SET status = 'running', finished_at = NULL WHERE run_id = ?1",
    [Q_MODULE_UPSERT] =
        "INSERT INTO run_modules (run_id, agent, module, program_sha256, bar)"
        " VALUES (?1, ?2, ?3, ?4, ?5)"
        " ON CONFLICT (run_id, agent, module) DO UPDATE SET"
        " program_sha256 = excluded.program_sha256, bar = excluded.bar",
    [Q_CASE_DELETE] =
        "DELETE FROM cases WHERE run_id = ?1 AND agent = ?2 AND module = ?3"
        " AND transcript_id = ?4",
    [Q_CASE_INSERT] =
        "INSERT INTO cases (run_id, agent, module, transcript_id, status, reason,"
        " latency_ms, prompt_tokens, completion_tokens, cost_usd, outputs_json)"
        " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)",
    [Q_FIELD_INSERT] =
        "INSERT INTO field_checks (case_id, seq, field, pass, expected, actual_raw,"
        " actual, reason) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
    [Q_CASE_STATUS] =
        "SELECT status FROM cases WHERE run_id = ?1 AND agent = ?2 AND module = ?3"
        " AND transcript_id = ?4",
    [Q_RC_INSERT] =
        "INSERT INTO recompiles (run_id, agent, module, pass_rate, bar, reason,"
        " status, created_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, 'open', ?7)",
    [Q_RC_UPDATE] =
        "UPDATE recompiles SET status = ?2,"
        " finished_at = CASE WHEN ?2 IN ('done', 'failed') THEN ?3 END,"
        " old_program_sha256 = coalesce(?4, old_program_sha256),"
        " new_program_sha256 = coalesce(?5, new_program_sha256),"
        " old_score = coalesce(?6, old_score),"
        " new_score = coalesce(?7, new_score),"
        " promoted = coalesce(?8, promoted)"
        " WHERE id = ?1",
    [Q_RC_LAST] =
        "SELECT id, status, created_at FROM recompiles WHERE agent = ?1 AND module = ?2"
        " ORDER BY id DESC LIMIT 1",
};

struct hx_store {
    sqlite3 *db;
    char *path;
    int version;
    int batch_max;             /* cases per transaction */
    int batch_ms;              /* age bound of a transaction; 0 = none */
    int pending;               /* cases in the open transaction */
    struct timespec batch_t0;  /* when it began */
    sqlite3_stmt *q[Q_COUNT];
};

/* ---- small helpers ------------------------------------------------------ */

/* The errno of the last failed system call on the connection's database
 * file or its -wal (0 = none recorded). */
static int file_errno(sqlite3 *db, int which)
{
    sqlite3_file *f = NULL;
    int e = 0;
    if (which == SQLITE_FCNTL_JOURNAL_POINTER) {
        if (sqlite3_file_control(db, "main", SQLITE_FCNTL_JOURNAL_POINTER, &f) != SQLITE_OK ||
            !f || !f->pMethods)
            return 0;
        return f->pMethods->xFileControl(f, SQLITE_FCNTL_LAST_ERRNO, &e) == SQLITE_OK ? e : 0;
    }
    return sqlite3_file_control(db, "main", SQLITE_FCNTL_LAST_ERRNO, &e) == SQLITE_OK ? e : 0;
}

/* The connection's last error as a person needs it. SQLite says "disk I/O
 * error" for every failed read, write, sync or mmap and "unable to open" for
 * every failed open; the system's reason ("No space left on device",
 * "Read-only file system", "File too large") is what tells them what to fix.
 * SQLite keeps that errno in three places, none complete: the connection
 * (sqlite3_system_errno: failed opens and the -shm, not writes to the -wal),
 * and each file's last failure (the -wal, where a run's writes go, then the
 * database file). They are consulted only for those two error classes: for
 * any other code an errno would be a stale one. */
static void db_errmsg(sqlite3 *db, char *buf, size_t n)
{
    int code = sqlite3_errcode(db) & 0xff, sys = 0;
    /* Copied first: the look-ups below go through the connection. */
    snprintf(buf, n, "%s", sqlite3_errmsg(db));
    if (code == SQLITE_IOERR || code == SQLITE_CANTOPEN) {
        sys = sqlite3_system_errno(db);
        if (sys == 0) sys = file_errno(db, SQLITE_FCNTL_JOURNAL_POINTER);
        if (sys == 0) sys = file_errno(db, SQLITE_FCNTL_LAST_ERRNO);
    }
    size_t len = strlen(buf);
    if (sys != 0 && len < n) snprintf(buf + len, n - len, " (%s)", strerror(sys));
}

/* "path: <what>: <sqlite message>". */
static int db_fail(hx_store *st, hx_error *err, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static int db_fail(hx_store *st, hx_error *err, const char *fmt, ...)
{
    char what[512], msg[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(what, sizeof what, fmt, ap);
    va_end(ap);
    db_errmsg(st->db, msg, sizeof msg);
    return hx_fail(err, "%s: %s: %s", st->path, what, msg);
}

static sqlite3_stmt *q(hx_store *st, int id)
{
    if (!st->q[id] &&
        sqlite3_prepare_v3(st->db, q_sql[id], -1, SQLITE_PREPARE_PERSISTENT,
                           &st->q[id], NULL) != SQLITE_OK)
        return NULL;
    return st->q[id];
}

/* Run a statement that returns no rows; leaves it reset and unbound, with
 * the error (if any) still readable through sqlite3_errmsg. */
static int run(sqlite3_stmt *s)
{
    int rc = sqlite3_step(s);
    while (rc == SQLITE_ROW) rc = sqlite3_step(s);
    sqlite3_reset(s);
    sqlite3_clear_bindings(s);
    return rc == SQLITE_DONE ? SQLITE_OK : rc;
}

/* Prepare (if needed) and run statement id. */
static int run_q(hx_store *st, int id)
{
    sqlite3_stmt *s = q(st, id);
    return s ? run(s) : sqlite3_extended_errcode(st->db);
}

static void bind_text(sqlite3_stmt *s, int i, const char *v)
{
    if (v) sqlite3_bind_text(s, i, v, -1, SQLITE_STATIC);
    else sqlite3_bind_null(s, i);
}

static void bind_real_or_null(sqlite3_stmt *s, int i, double v)
{
    if (isnan(v)) sqlite3_bind_null(s, i);
    else sqlite3_bind_double(s, i, v);
}

static int pragma_int(sqlite3 *db, const char *sql, int *out)
{
    sqlite3_stmt *s;
    int rc = sqlite3_prepare_v2(db, sql, -1, &s, NULL);
    if (rc != SQLITE_OK) return rc;
    rc = sqlite3_step(s);
    if (rc == SQLITE_ROW) {
        *out = sqlite3_column_int(s, 0);
        rc = SQLITE_OK;
    } else if (rc == SQLITE_DONE) {
        rc = SQLITE_NOTFOUND; /* pragma unknown to this build */
    }
    sqlite3_finalize(s);
    return rc;
}

static bool in_tx(hx_store *st)
{
    return !sqlite3_get_autocommit(st->db);
}

static bool nonempty(const char *s)
{
    return s && *s;
}

static void now_utc(char out[32])
{
    time_t t = time(NULL);
    struct tm tm;
    gmtime_r(&t, &tm);
    strftime(out, 32, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

/* Timestamps are stored as "YYYY-MM-DDTHH:MM:SSZ" only, so that text order
 * is time order and SQLite's date functions read them. */
static bool iso_utc_ok(const char *s)
{
    static const char pat[] = "dddd-dd-ddTdd:dd:ddZ";
    for (size_t i = 0; i < sizeof pat - 1; i++) {
        if (pat[i] == 'd' ? !isdigit((unsigned char)s[i]) : s[i] != pat[i])
            return false;
    }
    if (s[sizeof pat - 1] != '\0') return false;
    int mo = (s[5] - '0') * 10 + (s[6] - '0'), d = (s[8] - '0') * 10 + (s[9] - '0');
    int h = (s[11] - '0') * 10 + (s[12] - '0'), mi = (s[14] - '0') * 10 + (s[15] - '0');
    int se = (s[17] - '0') * 10 + (s[18] - '0');
    return mo >= 1 && mo <= 12 && d >= 1 && d <= 31 && h <= 23 && mi <= 59 && se <= 60;
}

static double ms_since(const struct timespec *t0)
{
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    return (double)(now.tv_sec - t0->tv_sec) * 1e3 +
           (double)(now.tv_nsec - t0->tv_nsec) / 1e6;
}

/* ---- batches ------------------------------------------------------------ */

static int batch_begin(hx_store *st, hx_error *err)
{
    if (in_tx(st)) return 0;
    if (run_q(st, Q_BEGIN) != SQLITE_OK)
        return db_fail(st, err, "cannot write case results");
    st->pending = 0;
    clock_gettime(CLOCK_MONOTONIC, &st->batch_t0);
    return 0;
}

/* Commit the open batch, if any. On failure the batch is rolled back (a
 * transaction that cannot commit cannot be kept either) and the message
 * says how many cases were lost, so the run knows to stop and resume. */
static int batch_commit(hx_store *st, hx_error *err)
{
    if (!in_tx(st)) {
        st->pending = 0;
        return 0;
    }
    if (run_q(st, Q_COMMIT) == SQLITE_OK) {
        st->pending = 0;
        return 0;
    }
    char msg[512];
    db_errmsg(st->db, msg, sizeof msg);
    if (in_tx(st)) run_q(st, Q_ROLLBACK);
    int lost = st->pending;
    st->pending = 0;
    return hx_fail(err, "%s: cannot write case results: %s (%d case%s of the open batch not saved)",
                   st->path, msg, lost, lost == 1 ? "" : "s");
}

/* Writes other than cases (runs, modules, triggers) commit the open batch
 * first and then go in on their own: they are rare, and a run row that is
 * durable at once is what --resume and a live dashboard need. */
static int single_write_begin(hx_store *st, hx_error *err)
{
    return batch_commit(st, err);
}

/* ---- open / close ------------------------------------------------------- */

static int migrate(hx_store *st, int target, hx_error *err)
{
    for (;;) {
        int cur = 0;
        if (run_q(st, Q_BEGIN) != SQLITE_OK)
            return db_fail(st, err, "cannot upgrade schema");
        /* Read again under the write lock: another harness opening the same
         * file may have migrated it meanwhile. */
        int rc = pragma_int(st->db, "PRAGMA user_version", &cur);
        if (rc != SQLITE_OK || cur >= target) {
            if (rc != SQLITE_OK) db_fail(st, err, "cannot read schema version");
            else if (cur > target)
                hx_fail(err, "%s: database schema version %d is newer than this harness (%d); upgrade harness",
                        st->path, cur, target);
            else if (run_q(st, Q_COMMIT) == SQLITE_OK) {
                st->version = cur;
                return 0;
            } else db_fail(st, err, "cannot upgrade schema");
            if (in_tx(st)) run_q(st, Q_ROLLBACK);
            return -1;
        }
        char bump[64];
        snprintf(bump, sizeof bump, "PRAGMA user_version = %d", cur + 1);
        if (sqlite3_exec(st->db, migrations[cur], NULL, NULL, NULL) != SQLITE_OK ||
            sqlite3_exec(st->db, bump, NULL, NULL, NULL) != SQLITE_OK ||
            run_q(st, Q_COMMIT) != SQLITE_OK) {
            db_fail(st, err, "cannot upgrade schema to version %d", cur + 1);
            if (in_tx(st)) run_q(st, Q_ROLLBACK);
            return -1;
        }
    }
}

/* Everything that can refuse the file runs before anything writes to it:
 * a refused database is left exactly as it was. */
static int open_checks(hx_store *st, int version, int *cur_out, hx_error *err)
{
    int cur = 0, app = 0, rc;

    if (sqlite3_db_readonly(st->db, "main") == 1)
        return hx_fail(err, "%s: cannot open database for writing: the file is read-only",
                       st->path);
    rc = pragma_int(st->db, "PRAGMA user_version", &cur);
    if (rc == SQLITE_OK) rc = pragma_int(st->db, "PRAGMA application_id", &app);
    if ((rc & 0xff) == SQLITE_NOTADB)
        return hx_fail(err, "%s: not an SQLite database (%s)", st->path,
                       sqlite3_errmsg(st->db));
    if (rc != SQLITE_OK) return db_fail(st, err, "cannot read schema version");
    if (app != 0 && app != HX_APP_ID)
        return hx_fail(err, "%s: an SQLite database of another application "
                            "(application_id %d), not a harness score store",
                       st->path, app);
    if (app == 0 && cur != 0)
        return hx_fail(err, "%s: an SQLite database of another application "
                            "(schema version %d, no harness application_id), "
                            "not a harness score store", st->path, cur);
    if (cur > version)
        return hx_fail(err, "%s: database schema version %d is newer than this harness (%d); upgrade harness",
                       st->path, cur, version);
    *cur_out = cur;
    return 0;
}

static int open_pragmas(hx_store *st, hx_error *err)
{
    sqlite3_stmt *s;
    char mode[16] = "";
    int fk = 0;

    /* WAL: readers (dashboards, reports) never block the writer or wait
     * for it. Refused rather than silently downgraded (WAL does not work on
     * network filesystems), because the live dashboard depends on it. */
    if (sqlite3_prepare_v2(st->db, "PRAGMA journal_mode = WAL", -1, &s, NULL) != SQLITE_OK)
        return db_fail(st, err, "cannot set WAL journal mode");
    int rc = sqlite3_step(s);
    if (rc == SQLITE_ROW)
        snprintf(mode, sizeof mode, "%s", (const char *)sqlite3_column_text(s, 0));
    sqlite3_finalize(s);
    if (rc != SQLITE_ROW) return db_fail(st, err, "cannot set WAL journal mode");
    if (strcmp(mode, "wal") != 0)
        return hx_fail(err, "%s: cannot set WAL journal mode (the file system allows only \"%s\")",
                       st->path, mode);
    /* NORMAL is durable against a crash of the harness in WAL mode; only a
     * power cut can lose the last commits, which --resume redoes.
     * temp_store MEMORY: each case is written under a savepoint (so a
     * failing case is undone alone), and a savepoint keeps the original of
     * every page it changes in a statement journal. A case changes some
     * fifteen pages (its row, its field rows, the rollups, the indexes),
     * just past the 64 KiB SQLite keeps in memory, so every case spilled
     * its journal to a temporary file: thirty write system calls a case,
     * on the thread that also keeps the LM busy. In memory the journal
     * costs those 64 KiB for the moment of one case. (This connection only
     * writes; reports and dashboards read through their own.) */
    if (sqlite3_exec(st->db, "PRAGMA synchronous = NORMAL; PRAGMA foreign_keys = ON; "
                             "PRAGMA temp_store = MEMORY",
                     NULL, NULL, NULL) != SQLITE_OK)
        return db_fail(st, err, "cannot configure database");
    if (pragma_int(st->db, "PRAGMA foreign_keys", &fk) != SQLITE_OK || fk != 1)
        return hx_fail(err, "%s: this SQLite build cannot enforce foreign keys", st->path);
    return 0;
}

int hx_store_open_at_version(const char *path, int version, hx_store **out,
                             hx_error *err)
{
    if (!out) return hx_fail(err, "hx_store_open: no place for the handle");
    *out = NULL;
    if (!nonempty(path)) return hx_fail(err, "no database path given");
    if (version < 1 || version > N_MIGRATIONS)
        return hx_fail(err, "%s: schema version %d is unknown to this harness (1..%d)",
                       path, version, N_MIGRATIONS);
    if (sqlite3_libversion_number() < HX_SQLITE_MIN)
        return hx_fail(err, "%s: SQLite %s is too old; the store needs 3.24 or newer",
                       path, sqlite3_libversion());

    hx_store *st = calloc(1, sizeof *st);
    if (!st || !(st->path = strdup(path))) {
        free(st);
        return hx_fail(err, "%s: out of memory", path);
    }
    st->batch_max = HX_STORE_BATCH_CASES;
    st->batch_ms = HX_STORE_BATCH_MS;

    int rc = sqlite3_open_v2(path, &st->db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, NULL);
    if (rc != SQLITE_OK) {
        char msg[512];
        if (st->db) db_errmsg(st->db, msg, sizeof msg);
        else snprintf(msg, sizeof msg, "%s", sqlite3_errstr(rc));
        hx_fail(err, "%s: cannot open database: %s", path, msg);
        goto fail;
    }
    sqlite3_extended_result_codes(st->db, 1);
    sqlite3_busy_timeout(st->db, HX_BUSY_TIMEOUT_MS);
    /* No checkpoint-on-close. When the last connection to a WAL database
     * closes, SQLite takes an EXCLUSIVE lock on the file to checkpoint and
     * delete the -wal, and a dashboard that starts a query in that instant
     * gets SQLITE_BUSY (they run without a busy handler). The store is
     * often that last connection: a run ends while a dashboard polls with a
     * fresh connection per page. hx_store_close checkpoints without the
     * lock instead (see there); the -wal and -shm stay beside the file. */
    if (sqlite3_db_config(st->db, SQLITE_DBCONFIG_NO_CKPT_ON_CLOSE, 1, NULL) != SQLITE_OK) {
        db_fail(st, err, "cannot configure database");
        goto fail;
    }
    int cur = 0;
    if (open_checks(st, version, &cur, err) != 0 || open_pragmas(st, err) != 0)
        goto fail;
    st->version = cur;
    /* Up to date is the common case: no write lock taken just to look. */
    if (cur < version && migrate(st, version, err) != 0) goto fail;
    *out = st;
    return 0;
fail:
    hx_store_close(st);
    return -1;
}

int hx_store_open(const char *path, hx_store **out, hx_error *err)
{
    return hx_store_open_at_version(path, N_MIGRATIONS, out, err);
}

void hx_store_close(hx_store *st)
{
    if (!st) return;
    if (st->db) {
        if (in_tx(st) && run_q(st, Q_COMMIT) != SQLITE_OK && in_tx(st))
            run_q(st, Q_ROLLBACK);
        /* The checkpoint SQLite would do on close, without its EXCLUSIVE
         * lock (see hx_store_open_at_version). Copying the -wal into the
         * database file means the file alone (a backup by cp, a reader with
         * immutable=1) holds every run. Emptying the -wal (TRUNCATE) keeps
         * the next first opener's recovery (a rebuild of the -shm from the
         * -wal, during which new readers get SQLITE_BUSY_RECOVERY) as short
         * as when the -wal was deleted. No busy wait: where a reader still
         * needs part of the -wal (a snapshot held open) the checkpoint does
         * what it can at once and the rest waits for the next one, rather
         * than the run waiting for the reader. Truncating takes no lock that
         * keeps readers out: they read the database file meanwhile. A
         * failure (disk full) leaves the -wal authoritative and loses
         * nothing, so it is not reported. Not on a refused file (version 0),
         * which is left as it was. */
        if (st->version > 0) {
            sqlite3_busy_timeout(st->db, 0);
            sqlite3_wal_checkpoint_v2(st->db, NULL, SQLITE_CHECKPOINT_TRUNCATE, NULL, NULL);
        }
        for (int i = 0; i < Q_COUNT; i++) sqlite3_finalize(st->q[i]);
        sqlite3_close_v2(st->db);
    }
    free(st->path);
    free(st);
}

int hx_store_schema_version(hx_store *st)
{
    return st ? st->version : 0;
}

int hx_store_schema_latest(void)
{
    return N_MIGRATIONS;
}

void hx_store_set_batch(hx_store *st, int max_cases, int max_ms)
{
    st->batch_max = max_cases > 0 ? max_cases : 1;
    st->batch_ms = max_ms > 0 ? max_ms : 0;
}

const char *hx_store_path(const hx_store *st)
{
    return st->path;
}

struct sqlite3 *hx_store_sqlite(hx_store *st)
{
    return st->db;
}

/* ---- runs and modules --------------------------------------------------- */

int hx_store_run_begin(hx_store *st, const hx_run_info *info, int64_t *run_id,
                       hx_error *err)
{
    char now[32];
    const char *started = info ? info->started_at : NULL;

    if (!info || !info->kind ||
        (strcmp(info->kind, "run") != 0 && strcmp(info->kind, "check") != 0))
        return hx_fail(err, "%s: cannot record run: kind must be \"run\" or \"check\"",
                       st->path);
    if (started && !iso_utc_ok(started))
        return hx_fail(err, "%s: cannot record run: started_at \"%s\" is not "
                            "ISO-8601 UTC (YYYY-MM-DDTHH:MM:SSZ)", st->path, started);
    if (!started) {
        now_utc(now);
        started = now;
    }
    if (single_write_begin(st, err) != 0) return -1;
    sqlite3_stmt *s = q(st, Q_RUN_INSERT);
    if (!s) return db_fail(st, err, "cannot record run");
    bind_text(s, 1, info->kind);
    bind_text(s, 2, info->suite_path);
    bind_text(s, 3, info->lm_model);
    bind_text(s, 4, started);
    if (run(s) != SQLITE_OK) return db_fail(st, err, "cannot record run");
    if (run_id) *run_id = sqlite3_last_insert_rowid(st->db);
    return 0;
}

static int run_set_status(hx_store *st, int64_t run_id, const char *status,
                          hx_error *err)
{
    char now[32];
    int id = status ? Q_RUN_END : Q_RUN_RESUME;
    const char *what = status ? "finish" : "resume";

    if (single_write_begin(st, err) != 0) return -1;
    sqlite3_stmt *s = q(st, id);
    if (!s) return db_fail(st, err, "cannot %s run %lld", what, (long long)run_id);
    sqlite3_bind_int64(s, 1, run_id);
    if (status) {
        now_utc(now);
        bind_text(s, 2, status);
        bind_text(s, 3, now);
    }
    if (run(s) != SQLITE_OK)
        return db_fail(st, err, "cannot %s run %lld", what, (long long)run_id);
    if (sqlite3_changes(st->db) == 0)
        return hx_fail(err, "%s: cannot %s run %lld: no such run", st->path, what,
                       (long long)run_id);
    return 0;
}

int hx_store_run_end(hx_store *st, int64_t run_id, const char *status, hx_error *err)
{
    if (!status || (strcmp(status, "finished") != 0 && strcmp(status, "aborted") != 0))
        return hx_fail(err, "%s: cannot finish run %lld: status must be \"finished\" or \"aborted\"",
                       st->path, (long long)run_id);
    return run_set_status(st, run_id, status, err);
}

int hx_store_run_resume(hx_store *st, int64_t run_id, hx_error *err)
{
    return run_set_status(st, run_id, NULL, err);
}

int hx_store_module_begin(hx_store *st, int64_t run_id, const char *agent,
                          const char *module, const char *program_sha256,
                          double bar, hx_error *err)
{
    if (!nonempty(agent) || !nonempty(module))
        return hx_fail(err, "%s: cannot record module: agent and module names are required",
                       st->path);
    if (!(bar >= 0.0 && bar <= 1.0))
        return hx_fail(err, "%s: cannot record module %s/%s: bar %g is not between 0 and 1",
                       st->path, agent, module, bar);
    if (single_write_begin(st, err) != 0) return -1;
    sqlite3_stmt *s = q(st, Q_MODULE_UPSERT);
    if (!s) return db_fail(st, err, "cannot record module %s/%s", agent, module);
    sqlite3_bind_int64(s, 1, run_id);
    bind_text(s, 2, agent);
    bind_text(s, 3, module);
    bind_text(s, 4, program_sha256);
    sqlite3_bind_double(s, 5, bar);
    int rc = run(s);
    if (rc == SQLITE_CONSTRAINT_FOREIGNKEY)
        return hx_fail(err, "%s: cannot record module %s/%s: no run %lld", st->path,
                       agent, module, (long long)run_id);
    if (rc != SQLITE_OK) return db_fail(st, err, "cannot record module %s/%s", agent, module);
    return 0;
}

/* ---- cases -------------------------------------------------------------- */

static const char *case_invalid(const hx_case_result *cr)
{
    if (!cr) return "no case given";
    if (!nonempty(cr->agent) || !nonempty(cr->module) || !nonempty(cr->transcript_id))
        return "agent, module and transcript_id are required";
    if (cr->status != HX_PASS && cr->status != HX_FAIL && cr->status != HX_ERROR)
        return "status is not pass, fail or error";
    if (cr->nfields > 0 && !cr->fields) return "nfields > 0 but no fields";
    for (size_t i = 0; i < cr->nfields; i++)
        if (!nonempty(cr->fields[i].field)) return "a field check has no field name";
    return NULL;
}

/* The statements of one case, inside its savepoint. Returns an SQLite
 * code; the message is in the connection. */
static int case_write(hx_store *st, int64_t run_id, const hx_case_result *cr)
{
    sqlite3_stmt *s = q(st, Q_CASE_DELETE);
    if (!s) return sqlite3_extended_errcode(st->db);
    sqlite3_bind_int64(s, 1, run_id);
    bind_text(s, 2, cr->agent);
    bind_text(s, 3, cr->module);
    bind_text(s, 4, cr->transcript_id);
    int rc = run(s);
    if (rc != SQLITE_OK) return rc;

    if (!(s = q(st, Q_CASE_INSERT))) return sqlite3_extended_errcode(st->db);
    sqlite3_bind_int64(s, 1, run_id);
    bind_text(s, 2, cr->agent);
    bind_text(s, 3, cr->module);
    bind_text(s, 4, cr->transcript_id);
    bind_text(s, 5, hx_status_name(cr->status));
    bind_text(s, 6, cr->reason ? cr->reason : "");
    sqlite3_bind_double(s, 7, cr->latency_ms);
    sqlite3_bind_int64(s, 8, cr->prompt_tokens);
    sqlite3_bind_int64(s, 9, cr->completion_tokens);
    sqlite3_bind_double(s, 10, cr->cost_usd);
    bind_text(s, 11, cr->outputs_json);
    if ((rc = run(s)) != SQLITE_OK) return rc;
    int64_t case_id = sqlite3_last_insert_rowid(st->db);

    if (cr->nfields > 0 && !(s = q(st, Q_FIELD_INSERT)))
        return sqlite3_extended_errcode(st->db);
    for (size_t i = 0; i < cr->nfields; i++) {
        const hx_field_result *f = &cr->fields[i];
        sqlite3_bind_int64(s, 1, case_id);
        sqlite3_bind_int64(s, 2, (sqlite3_int64)i);
        bind_text(s, 3, f->field);
        sqlite3_bind_int(s, 4, f->pass ? 1 : 0);
        bind_text(s, 5, f->expected);
        bind_text(s, 6, f->actual_raw);
        bind_text(s, 7, f->actual);
        bind_text(s, 8, f->reason ? f->reason : "");
        if ((rc = run(s)) != SQLITE_OK) return rc;
    }
    return SQLITE_OK;
}

int hx_store_case_add(hx_store *st, int64_t run_id, const hx_case_result *cr,
                      hx_error *err)
{
    const char *bad = case_invalid(cr);
    if (bad) return hx_fail(err, "%s: cannot write case results: %s", st->path, bad);
    if (batch_begin(st, err) != 0) return -1;
    if (run_q(st, Q_SAVEPOINT) != SQLITE_OK)
        return db_fail(st, err, "cannot write case results");

    int rc = case_write(st, run_id, cr);
    if (rc == SQLITE_OK && run_q(st, Q_RELEASE) == SQLITE_OK) {
        st->pending++;
        if (st->pending >= st->batch_max ||
            (st->batch_ms > 0 && ms_since(&st->batch_t0) >= st->batch_ms))
            return batch_commit(st, err);
        return 0;
    }

    /* Undo this case only. If SQLite already rolled the whole transaction
     * back (disk full, I/O error), the batch is gone and the message says
     * so. */
    char msg[512], lost[96] = "";
    db_errmsg(st->db, msg, sizeof msg);
    if (in_tx(st)) {
        run_q(st, Q_ROLLBACK_TO);
        run_q(st, Q_RELEASE);
    } else {
        if (st->pending > 0)
            snprintf(lost, sizeof lost, "; the %d earlier case%s of the open batch were not saved",
                     st->pending, st->pending == 1 ? "" : "s");
        st->pending = 0;
    }
    if (rc == SQLITE_CONSTRAINT_FOREIGNKEY)
        return hx_fail(err, "%s: cannot write case results: %s/%s is not a module of run %lld "
                            "(hx_store_module_begin first)%s",
                       st->path, cr->agent, cr->module, (long long)run_id, lost);
    return hx_fail(err, "%s: cannot write case results: %s (case %s/%s/%s)%s", st->path, msg,
                   cr->agent, cr->module, cr->transcript_id, lost);
}

int hx_store_flush(hx_store *st, hx_error *err)
{
    return batch_commit(st, err);
}

int hx_store_case_status(hx_store *st, int64_t run_id, const char *agent,
                         const char *module, const char *transcript_id,
                         bool *found, hx_status *status, hx_error *err)
{
    *found = false;
    sqlite3_stmt *s = q(st, Q_CASE_STATUS);
    if (!s) return db_fail(st, err, "cannot read case results");
    sqlite3_bind_int64(s, 1, run_id);
    bind_text(s, 2, agent);
    bind_text(s, 3, module);
    bind_text(s, 4, transcript_id);
    int rc = sqlite3_step(s);
    if (rc == SQLITE_ROW) {
        const char *t = (const char *)sqlite3_column_text(s, 0);
        *found = true;
        if (status)
            *status = strcmp(t, "pass") == 0 ? HX_PASS
                    : strcmp(t, "fail") == 0 ? HX_FAIL : HX_ERROR;
    }
    sqlite3_reset(s);
    sqlite3_clear_bindings(s);
    if (rc != SQLITE_ROW && rc != SQLITE_DONE)
        return db_fail(st, err, "cannot read case results");
    return 0;
}

/* ---- recompile triggers ------------------------------------------------- */

static bool recompile_status_ok(const char *s)
{
    return s && (strcmp(s, "open") == 0 || strcmp(s, "running") == 0 ||
                 strcmp(s, "done") == 0 || strcmp(s, "failed") == 0);
}

int hx_store_recompile_open(hx_store *st, int64_t run_id,
                            const hx_recompile_info *info, int64_t *trigger_id,
                            hx_error *err)
{
    char now[32];
    if (!info || !nonempty(info->agent) || !nonempty(info->module))
        return hx_fail(err, "%s: cannot record recompile trigger: agent and module are required",
                       st->path);
    const char *created = info->created_at;
    if (created && !iso_utc_ok(created))
        return hx_fail(err, "%s: cannot record recompile trigger: created_at \"%s\" is not "
                            "ISO-8601 UTC (YYYY-MM-DDTHH:MM:SSZ)", st->path, created);
    if (!created) {
        now_utc(now);
        created = now;
    }
    if (single_write_begin(st, err) != 0) return -1;
    sqlite3_stmt *s = q(st, Q_RC_INSERT);
    if (!s) return db_fail(st, err, "cannot record recompile trigger");
    sqlite3_bind_int64(s, 1, run_id);
    bind_text(s, 2, info->agent);
    bind_text(s, 3, info->module);
    bind_real_or_null(s, 4, info->pass_rate);
    sqlite3_bind_double(s, 5, info->bar);
    bind_text(s, 6, info->reason ? info->reason : "");
    bind_text(s, 7, created);
    int rc = run(s);
    if (rc == SQLITE_CONSTRAINT_FOREIGNKEY)
        return hx_fail(err, "%s: cannot record recompile trigger for %s/%s: no run %lld",
                       st->path, info->agent, info->module, (long long)run_id);
    if (rc != SQLITE_OK) return db_fail(st, err, "cannot record recompile trigger");
    if (trigger_id) *trigger_id = sqlite3_last_insert_rowid(st->db);
    return 0;
}

int hx_store_recompile_update(hx_store *st, int64_t trigger_id,
                              const hx_recompile_step *step, hx_error *err)
{
    char now[32];
    if (!step || !recompile_status_ok(step->status))
        return hx_fail(err, "%s: cannot update recompile trigger %lld: status must be "
                            "open, running, done or failed", st->path, (long long)trigger_id);
    if (step->promoted < -1 || step->promoted > 1)
        return hx_fail(err, "%s: cannot update recompile trigger %lld: promoted must be -1, 0 or 1",
                       st->path, (long long)trigger_id);
    if (single_write_begin(st, err) != 0) return -1;
    sqlite3_stmt *s = q(st, Q_RC_UPDATE);
    if (!s) return db_fail(st, err, "cannot update recompile trigger %lld", (long long)trigger_id);
    now_utc(now);
    sqlite3_bind_int64(s, 1, trigger_id);
    bind_text(s, 2, step->status);
    bind_text(s, 3, now);
    bind_text(s, 4, step->old_program_sha256);
    bind_text(s, 5, step->new_program_sha256);
    bind_real_or_null(s, 6, step->old_score);
    bind_real_or_null(s, 7, step->new_score);
    if (step->promoted >= 0) sqlite3_bind_int(s, 8, step->promoted);
    if (run(s) != SQLITE_OK)
        return db_fail(st, err, "cannot update recompile trigger %lld", (long long)trigger_id);
    if (sqlite3_changes(st->db) == 0)
        return hx_fail(err, "%s: cannot update recompile trigger %lld: no such trigger",
                       st->path, (long long)trigger_id);
    return 0;
}

int hx_store_recompile_last(hx_store *st, const char *agent, const char *module,
                            bool *found, hx_recompile_state *out, hx_error *err)
{
    *found = false;
    sqlite3_stmt *s = q(st, Q_RC_LAST);
    if (!s) return db_fail(st, err, "cannot read recompile triggers");
    bind_text(s, 1, agent);
    bind_text(s, 2, module);
    int rc = sqlite3_step(s);
    if (rc == SQLITE_ROW) {
        *found = true;
        if (out) {
            out->id = sqlite3_column_int64(s, 0);
            snprintf(out->status, sizeof out->status, "%s",
                     (const char *)sqlite3_column_text(s, 1));
            snprintf(out->created_at, sizeof out->created_at, "%s",
                     (const char *)sqlite3_column_text(s, 2));
        }
    }
    sqlite3_reset(s);
    sqlite3_clear_bindings(s);
    if (rc != SQLITE_ROW && rc != SQLITE_DONE)
        return db_fail(st, err, "cannot read recompile triggers");
    return 0;
}
