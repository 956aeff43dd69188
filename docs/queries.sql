-- docs/queries.sql — ready SQL for dashboards over the harness score store.
--
-- Every query reads views: the DESIGN.md §5 views (agent_scores,
-- module_scores, field_scores, case_results, recompile_triggers), the views
-- schema version 4 added beside them for the reads those could not make
-- fast (agent_costs, module_costs: cost sums per run; case_flips: pass/fail
-- flips, recorded as cases are written) and, for "which run is the newest"
-- and a run's start time, the run_id and started_at columns of the runs
-- table. Nothing else of the schema is relied on.
--
-- Conventions:
--   * A "night" is a run: the nightly cron starts one `harness run` a night,
--     and its date is date(started_at) (UTC). A second run on the same date
--     (a manual re-run, `--agent X`) is a point of its own in the trends; the
--     cost query adds up every run of a date.
--   * "The last N nights" are the dates from the newest run's date back N - 1
--     days, so the answer does not depend on the clock of the reader.
--   * pass_rate = passed / (passed + failed): errors (the LM not answering)
--     are not wrong answers and are left out, as in the views.
--   * Parameters are named (:nights, :points, :top, :min_flips). Each has a
--     default used when it is unbound (NULL) or blank (''), so every query
--     runs as is in the sqlite3 shell, with `.parameter set :nights 7`, or as
--     a Datasette canned query (docs/datasette/metadata.json, whose SQL is
--     these texts; tests/e2e/datasette.sh checks that they agree).
--
-- Format (read by tests/check_queries.c and bench/scale.c, so that what is
-- documented is what is tested and timed): each query starts at a line
-- "-- @query NAME"; the comment lines right after it are its title (first
-- line) and description; then one SQL statement ending with ";".

-- @query agent_pass_rate_trend
-- Nightly pass-rate trend per agent
-- One row per agent and run over the last :nights nights (default 30):
-- cases, passed, failed, errors and pass_rate (0..1, NULL when every case
-- of the run errored). Plot pass_rate against started_at, one line per agent.
WITH p AS (SELECT CAST(coalesce(nullif(:nights, ''), 30) AS INTEGER) AS nights),
since AS (SELECT date(max(r.started_at), '-' || (p.nights - 1) || ' days') AS d
          FROM runs AS r, p)
SELECT date(s.started_at) AS night, s.started_at, s.run_id, s.agent,
       s.cases, s.passed, s.failed, s.errors, s.pass_rate
FROM agent_scores AS s, since
WHERE s.started_at >= since.d
ORDER BY s.agent, s.run_id;

-- @query worst_fields_latest_run
-- Worst fields in the latest run
-- The :top (default 20) least accurate fields of the newest run, with how
-- many checks each had and how many failed: where to look first when a
-- module slips (a field at 0.4 while its siblings are at 0.98 is usually one
-- prompt instruction or one normaliser).
WITH p AS (SELECT CAST(coalesce(nullif(:top, ''), 20) AS INTEGER) AS top)
SELECT f.agent, f.module, f.field, f.checks, f.passed,
       f.checks - f.passed AS failed, f.accuracy
FROM field_scores AS f
WHERE f.run_id = (SELECT max(run_id) FROM runs)
ORDER BY f.accuracy, f.checks DESC, f.agent, f.module, f.field
LIMIT (SELECT top FROM p);

-- @query module_regressions
-- Regressions: modules below the median of their previous 7 nights
-- Modules run on the newest night whose latest pass rate is more than
-- :points percentage points (default 10) below the median pass rate of
-- their previous 7 scored runs (fewer when history is shorter; a run in
-- which every case of the module errored has no pass rate and is skipped).
-- drop_points = 100 * (median - latest). A module with no earlier scored run
-- has nothing to regress from and is not listed.
WITH p AS (SELECT CAST(coalesce(nullif(:points, ''), 10) AS REAL) AS points),
ranked AS (
  SELECT run_id, started_at, agent, module, pass_rate,
         row_number() OVER (PARTITION BY agent, module ORDER BY run_id DESC) AS k
  FROM module_scores
  WHERE pass_rate IS NOT NULL
),
prev AS (
  SELECT agent, module, pass_rate,
         row_number() OVER (PARTITION BY agent, module ORDER BY pass_rate) AS i,
         count(*) OVER (PARTITION BY agent, module) AS n
  FROM ranked
  WHERE k BETWEEN 2 AND 8
),
med AS (
  SELECT agent, module, avg(pass_rate) AS median_pass_rate, max(n) AS previous_nights
  FROM prev
  WHERE i IN ((n + 1) / 2, (n + 2) / 2)
  GROUP BY agent, module
)
SELECT l.agent, l.module, l.run_id, date(l.started_at) AS night, l.pass_rate,
       med.median_pass_rate, med.previous_nights,
       100.0 * (med.median_pass_rate - l.pass_rate) AS drop_points
FROM ranked AS l
JOIN med ON med.agent = l.agent AND med.module = l.module
JOIN p
WHERE l.k = 1
  AND l.started_at >= (SELECT date(max(started_at)) FROM runs)
  AND 100.0 * (med.median_pass_rate - l.pass_rate) > p.points
ORDER BY drop_points DESC, l.agent, l.module;

-- @query cost_per_agent_night
-- Cost per agent per night
-- LM spend per agent and date over the last :nights nights (default 30):
-- cases, prompt and completion tokens and cost in USD, every run of the
-- date added up (a re-run costs money too). It reads agent_costs, one
-- rollup row per run and agent, so any window answers in a few ms.
WITH p AS (SELECT CAST(coalesce(nullif(:nights, ''), 30) AS INTEGER) AS nights),
since AS (SELECT date(max(r.started_at), '-' || (p.nights - 1) || ' days') AS d
          FROM runs AS r, p)
SELECT date(x.started_at) AS night, x.agent, sum(x.cases) AS cases,
       sum(x.prompt_tokens) AS prompt_tokens,
       sum(x.completion_tokens) AS completion_tokens,
       sum(x.cost_usd) AS cost_usd
FROM agent_costs AS x, since
WHERE x.started_at >= since.d
GROUP BY date(x.started_at), x.agent
HAVING sum(x.cases) > 0
ORDER BY night, x.agent;

-- @query flaky_transcripts
-- Flaky transcripts: pass and fail flipping across nights
-- Transcripts whose outcome flipped between pass and fail at least
-- :min_flips times (default 3) over the runs of the last :nights nights
-- (default 14). Errors are left out (an outage is not flakiness), so
-- pass, error, fail counts as one flip. A flaky transcript is a test that
-- cannot tell a regression from noise: fix its expected values, or make
-- the prompt decide the case it leaves open. A flip counts when both of
-- its runs are in the window (case_flips: each answered case that differs
-- from the transcript's previous answered one, recorded as the case is
-- written). Flips are few, so they are counted first; the totals are then
-- read for the flaky transcripts only.
WITH p AS (SELECT CAST(coalesce(nullif(:nights, ''), 14) AS INTEGER) AS nights,
                  CAST(coalesce(nullif(:min_flips, ''), 3) AS INTEGER) AS min_flips),
r AS (
  SELECT run_id
  FROM runs
  WHERE started_at >= (SELECT date(max(started_at), '-' || (p.nights - 1) || ' days')
                       FROM runs, p)
),
f AS (
  SELECT agent, module, transcript_id, count(*) AS flips
  FROM case_flips
  WHERE run_id IN (SELECT run_id FROM r) AND previous_run_id IN (SELECT run_id FROM r)
  GROUP BY agent, module, transcript_id
  HAVING count(*) >= (SELECT min_flips FROM p)
)
SELECT f.agent, f.module, f.transcript_id, count(*) AS runs,
       sum(c.status = 'pass') AS passed, sum(c.status = 'fail') AS failed,
       f.flips, max(c.run_id) AS last_run_id
FROM f
-- CROSS JOIN keeps this join order (SQLite does not reorder it): each flaky
-- transcript's window is one range of its history, read by key.
CROSS JOIN case_results AS c
  ON c.agent = f.agent AND c.module = f.module AND c.transcript_id = f.transcript_id
WHERE c.run_id IN (SELECT run_id FROM r) AND c.status IN ('pass', 'fail')
GROUP BY f.agent, f.module, f.transcript_id
ORDER BY f.flips DESC, f.agent, f.module, f.transcript_id;

-- @query open_recompile_triggers
-- Open recompile triggers
-- Recompile triggers not finished yet (status open or running), oldest
-- first, with how long each has been waiting in hours. A trigger open for
-- more than a day means the recompile step is not running (cron, the DSPy
-- bridge, or the LM it needs).
SELECT t.id, t.agent, t.module, t.run_id, t.status, t.pass_rate, t.bar,
       t.reason, t.created_at,
       (julianday('now') - julianday(t.created_at)) * 24.0 AS hours_open
FROM recompile_triggers AS t
WHERE t.status IN ('open', 'running')
ORDER BY t.created_at, t.id;

-- @query error_rate_per_night
-- Error rate per night
-- Infrastructure errors per run over the last :nights nights (default 30):
-- cases, errors, error_rate and outage = 1 when errors exceed 10 % of the
-- cases (DESIGN.md §5: such a run triggers no recompile, an outage is not a
-- regression).
WITH p AS (SELECT CAST(coalesce(nullif(:nights, ''), 30) AS INTEGER) AS nights),
since AS (SELECT date(max(r.started_at), '-' || (p.nights - 1) || ' days') AS d
          FROM runs AS r, p)
SELECT date(s.started_at) AS night, s.started_at, s.run_id,
       sum(s.cases) AS cases, sum(s.errors) AS errors,
       CAST(sum(s.errors) AS REAL) / sum(s.cases) AS error_rate,
       sum(s.errors) * 10 > sum(s.cases) AS outage
FROM agent_scores AS s, since
WHERE s.started_at >= since.d
GROUP BY s.run_id
ORDER BY s.run_id;

-- @query slowest_modules_latest_run
-- Slowest modules in the latest run
-- LM latency per module of the newest run, slowest first by 95th
-- percentile (nearest rank): cases that called the LM, mean, p95 and
-- maximum in milliseconds. Cases scored without an LM call (`harness
-- check`) have latency 0 and are left out.
WITH c AS (
  SELECT agent, module, latency_ms,
         row_number() OVER (PARTITION BY agent, module ORDER BY latency_ms) AS i,
         count(*) OVER (PARTITION BY agent, module) AS n
  FROM case_results
  WHERE run_id = (SELECT max(run_id) FROM runs) AND latency_ms > 0
)
SELECT agent, module, max(n) AS cases, avg(latency_ms) AS avg_ms,
       max(CASE WHEN i = (n * 95 + 99) / 100 THEN latency_ms END) AS p95_ms,
       max(latency_ms) AS max_ms
FROM c
GROUP BY agent, module
ORDER BY p95_ms DESC, agent, module;

-- @query latest_module_scores
-- Module scoreboard of the latest run
-- Every module of the newest run with its pass rate, its bar, whether it
-- is below the bar, and the change since the module's previous run
-- (delta, NULL for a new module or a run with no pass rate), modules below
-- their bar first.
SELECT m.agent, m.module, m.run_id, m.program_sha256, m.cases, m.passed,
       m.failed, m.errors, m.pass_rate, m.bar, m.below_bar,
       prev.run_id AS previous_run_id, prev.pass_rate AS previous_pass_rate,
       m.pass_rate - prev.pass_rate AS delta
FROM module_scores AS m
LEFT JOIN module_scores AS prev
  ON prev.agent = m.agent AND prev.module = m.module
 AND prev.run_id = (SELECT max(x.run_id) FROM module_scores AS x
                    WHERE x.agent = m.agent AND x.module = m.module
                      AND x.run_id < m.run_id)
WHERE m.run_id = (SELECT max(run_id) FROM runs)
ORDER BY m.below_bar DESC, m.agent, m.module;
