#!/usr/bin/env bash
# End-to-end: Datasette serves a harness database out of the box, with the
# canned queries of docs/datasette/metadata.json, which must be exactly the
# queries of docs/queries.sql.
#
#   bash tests/e2e/datasette.sh                   run the tests
#   bash tests/e2e/datasette.sh --write-metadata  regenerate metadata.json
#                                                 from docs/queries.sql
#
# Installs Datasette (pinned) into the repo's venv ($REPO/.venv, created if
# missing) when it is not there, builds a small database of 30 nights
# through the store API (bench/scale --generate-only, planted regression,
# flaky transcript and triggers), starts Datasette on 127.0.0.1 on a free
# port, fetches canned queries as JSON with curl, checks their content
# against the planted facts and against the same SQL run by Python's
# sqlite3, and stops it. Prints "datasette: N passed, M failed" last.
set -u
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
VENV=$ROOT/.venv
DATASETTE_VERSION=0.65.5
SCALE=${HX_SCALE:-$ROOT/build/bench/scale}
QUERIES=$ROOT/docs/queries.sql
METADATA=$ROOT/docs/datasette/metadata.json

# docs/queries.sql -> metadata: title = the first comment line under the
# marker, description = the others, sql = the statement without its ";".
py_parse='
import json, re, sys
def parse(path):
    out = {}
    text = open(path, encoding="utf-8").read()
    for part in re.split(r"(?m)^-- @query ", text)[1:]:
        lines = part.split("\n")
        name, i, comments = lines[0].strip(), 1, []
        while i < len(lines) and lines[i].startswith("--"):
            comments.append(lines[i][2:].strip())
            i += 1
        sql = "\n".join(lines[i:]).strip()
        if sql.endswith(";"):
            sql = sql[:-1].rstrip()
        out[name] = {"title": comments[0] if comments else name,
                     "description": " ".join(comments[1:]), "sql": sql}
    return out
'

if [ "${1:-}" = "--write-metadata" ]; then
  mkdir -p "$(dirname "$METADATA")"
  python3 -c "$py_parse"'
queries = parse(sys.argv[1])
meta = {
  "title": "harness: nightly LLM-agent regression scores",
  "description": "Scores written by `harness run` and `harness check`. The five views are "
                 "the dashboard contract (DESIGN.md section 5); the canned queries are "
                 "docs/queries.sql. Open the database as harness.db (the default "
                 "reports/harness.db) so that these queries attach to it.",
  "databases": {"harness": {
    "tables": {
      "agent_scores": {"description": "Per run and agent: cases, passed, failed, errors, pass_rate = passed / (passed + failed)."},
      "module_scores": {"description": "Per run and module: the program scored, its counts, pass_rate, bar and below_bar."},
      "field_scores": {"description": "Per run, module and field: checks, passed, accuracy."},
      "case_results": {"description": "One row per transcript and module of a run: status pass / fail / error, the reason, latency, tokens, cost."},
      "recompile_triggers": {"description": "Recompiles triggered by a module below its bar, and each step of them."}},
    "queries": queries}}}
json.dump(meta, open(sys.argv[2], "w", encoding="utf-8"), indent=2, ensure_ascii=False)
open(sys.argv[2], "a").write("\n")
print("wrote %s: %d canned queries" % (sys.argv[2], len(queries)))
' "$QUERIES" "$METADATA"
  exit $?
fi

TMP=$(mktemp -d)
pass=0 fail=0 current="" DS_PID=""
ok() { pass=$((pass + 1)); echo "ok - $current"; }
bad() { fail=$((fail + 1)); echo "not ok - $current: $*"; }
stop_datasette() {
  if [ -n "$DS_PID" ]; then kill "$DS_PID" 2>/dev/null; wait "$DS_PID" 2>/dev/null; DS_PID=""; fi
}
finish() { echo "datasette: $pass passed, $fail failed"; [ "$fail" -eq 0 ]; exit $?; }
trap 'stop_datasette; rm -rf "$TMP"' EXIT

# ---- Datasette, pinned, in the repo's venv ----------------------------------
current="datasette $DATASETTE_VERSION installed in .venv"
if ! "$VENV/bin/datasette" --version 2>/dev/null | grep -qF "version $DATASETTE_VERSION"; then
  if [ ! -x "$VENV/bin/python" ]; then
    python3 -m venv "$VENV" >"$TMP/venv.log" 2>&1 || { bad "python3 -m venv failed: $(tail -3 "$TMP/venv.log")"; finish; }
  fi
  "$VENV/bin/python" -m pip install -q "datasette==$DATASETTE_VERSION" >"$TMP/pip.log" 2>&1 ||
    { bad "pip install failed: $(tail -5 "$TMP/pip.log")"; finish; }
fi
if "$VENV/bin/datasette" --version 2>/dev/null | grep -qF "version $DATASETTE_VERSION"; then ok; else bad "not installed"; finish; fi

# ---- metadata.json is docs/queries.sql --------------------------------------
current="metadata.json canned queries are docs/queries.sql"
if out=$(python3 -c "$py_parse"'
want = parse(sys.argv[1])
got = json.load(open(sys.argv[2], encoding="utf-8"))["databases"]["harness"]["queries"]
bad = [n for n in want if got.get(n) != want[n]] + [n for n in got if n not in want]
if bad or len(want) < 6:
    print("differ: %s (%d queries); run: bash tests/e2e/datasette.sh --write-metadata"
          % (", ".join(bad) or "-", len(want)))
    sys.exit(1)
' "$QUERIES" "$METADATA" 2>&1); then ok; else bad "$out"; fi

# ---- a small database through the store API ---------------------------------
current="30-night database generated"
DB=$TMP/harness.db
if "$SCALE" --generate-only --db "$DB" --nights 30 --agents 3 --cases 40 >"$TMP/gen.log" 2>&1; then ok
else bad "$(tail -3 "$TMP/gen.log")"; finish; fi

# ---- Datasette on 127.0.0.1, a free port ------------------------------------
free_port() { python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()'; }
current="datasette serves on 127.0.0.1"
for attempt in 1 2 3; do
  PORT=$(free_port)
  "$VENV/bin/datasette" serve "$DB" --metadata "$METADATA" -h 127.0.0.1 -p "$PORT" \
    >"$TMP/ds.log" 2>&1 &
  DS_PID=$!
  up=0
  for _ in $(seq 1 150); do   # bounded: 15 s
    if curl -fsS --max-time 2 "http://127.0.0.1:$PORT/-/versions.json" >/dev/null 2>&1; then up=1; break; fi
    kill -0 "$DS_PID" 2>/dev/null || break
    sleep 0.1
  done
  [ "$up" -eq 1 ] && break
  stop_datasette   # the port was taken in between, or it failed: try again
done
if [ "$up" -eq 1 ]; then ok; else bad "did not start: $(tail -5 "$TMP/ds.log")"; finish; fi
BASE=http://127.0.0.1:$PORT/harness

# get NAME QUERY-STRING: the canned query's rows as a JSON array in $TMP/NAME.json
get() { curl -fsS --max-time 20 -o "$TMP/$1.json" "$BASE/$1.json?_shape=array${2:+&$2}"; }

# Every canned query answers what Python's sqlite3 answers for the same SQL
# (parameters as Datasette passes them: text, '' when not given).
current="every canned query matches sqlite3"
errs=""
names=$(python3 -c "$py_parse"'
print(" ".join(parse(sys.argv[1])))' "$QUERIES")
for n in $names; do
  get "$n" "" || { errs="$errs $n(http)"; continue; }
  r=$(python3 -c "$py_parse"'
import sqlite3
q = parse(sys.argv[1])[sys.argv[2]]
db = sqlite3.connect("file:%s?mode=ro" % sys.argv[3], uri=True)
params = {p: "" for p in re.findall(r":(\w+)", re.sub(r"--.*", "", q["sql"]))}
cur = db.execute(q["sql"], params)
cols = [d[0] for d in cur.description]
want = [dict(zip(cols, row)) for row in cur.fetchall()]
got = json.load(open(sys.argv[4]))
def same(a, b):
    if isinstance(a, float) or isinstance(b, float):
        return a is not None and b is not None and abs(a - b) <= 1e-6 * max(1.0, abs(a), abs(b))
    return a == b
skip = {"hours_open"}   # depends on the clock: checked below
ok = len(got) == len(want) and all(
    list(g) == list(w) and all(same(g[k], w[k]) for k in w if k not in skip)
    for g, w in zip(got, want))
print("ok" if ok else "%d rows from datasette, %d from sqlite3" % (len(got), len(want)))
' "$QUERIES" "$n" "$DB" "$TMP/$n.json" 2>&1)
  [ "$r" = "ok" ] || errs="$errs $n($r)"
done
if [ -z "$errs" ]; then ok; else bad "$errs"; fi

# jq-free assertions on one result: py EXPR over the rows `d`.
check_json() { # check_json FILE PYTHON-EXPR MESSAGE
  python3 -c 'import json, sys; d = json.load(open(sys.argv[1])); sys.exit(0 if eval(sys.argv[2]) else 1)' "$1" "$2" 2>/dev/null
}

current="module_regressions lists the planted regression"
if get module_regressions "" && check_json "$TMP/module_regressions.json" \
   'any(r["agent"] == "restaurant-booking" and r["module"] == "extractor" and r["drop_points"] > 20 and r["previous_nights"] == 7 for r in d)'; then ok
else bad "$(head -c 600 "$TMP/module_regressions.json" 2>/dev/null)"; fi

current="open_recompile_triggers: one open, one running"
if get open_recompile_triggers "" && check_json "$TMP/open_recompile_triggers.json" \
   '[(r["agent"], r["module"], r["status"]) for r in d] == [("insurance-eligibility", "router", "running"), ("restaurant-booking", "extractor", "open")] and all(r["hours_open"] > 0 and "bar" in r["reason"] for r in d)'; then ok
else bad "$(head -c 600 "$TMP/open_recompile_triggers.json" 2>/dev/null)"; fi

current="flaky_transcripts: the planted one first"
if get flaky_transcripts "" && check_json "$TMP/flaky_transcripts.json" \
   'd[0]["transcript_id"] == "t-00007" and d[0]["flips"] == 13 and d[0]["runs"] == 14'; then ok
else bad "$(head -c 600 "$TMP/flaky_transcripts.json" 2>/dev/null)"; fi

current="agent_pass_rate_trend with nights=7 (a form parameter)"
if get agent_pass_rate_trend "nights=7" && check_json "$TMP/agent_pass_rate_trend.json" \
   'len(d) == 21 and sorted({r["agent"] for r in d}) == ["clinic-scheduling", "insurance-eligibility", "restaurant-booking"] and min(r["night"] for r in d) == "2026-01-24"'; then ok
else bad "$(head -c 600 "$TMP/agent_pass_rate_trend.json" 2>/dev/null)"; fi

current="error_rate_per_night flags the planted outage"
if get error_rate_per_night "" && check_json "$TMP/error_rate_per_night.json" \
   '[r["night"] for r in d if r["outage"] == 1] == ["2026-01-25"]'; then ok
else bad "$(head -c 600 "$TMP/error_rate_per_night.json" 2>/dev/null)"; fi

current="the five views are browsable"
if curl -fsS --max-time 20 -o "$TMP/db.json" "$BASE.json" && check_json "$TMP/db.json" \
   '{"agent_scores", "module_scores", "field_scores", "case_results", "recompile_triggers"} <= {v["name"] for v in d["views"]}'; then ok
else bad "$(head -c 600 "$TMP/db.json" 2>/dev/null)"; fi

current="a view as JSON: module_scores of the latest run"
if curl -fsS --max-time 20 -o "$TMP/ms.json" "$BASE/module_scores.json?_shape=array&run_id=30" &&
   check_json "$TMP/ms.json" 'len(d) == 6 and all(set(r) >= {"pass_rate", "bar", "below_bar", "program_sha256"} for r in d)'; then ok
else bad "$(head -c 600 "$TMP/ms.json" 2>/dev/null)"; fi

stop_datasette
finish
