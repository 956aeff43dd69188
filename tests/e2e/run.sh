#!/usr/bin/env bash
# End-to-end tests: run the real bin/harness on fixture suites and check
# exit codes, messages and the SQLite views. Each test works in its own
# temporary copy of the fixtures. Prints "N passed, N failed" last.
set -u
HX_BIN=${HX_BIN:-$(cd "$(dirname "$0")/../.." && pwd)/bin/harness}
HERE=$(cd "$(dirname "$0")" && pwd)
FIX=$HERE/../fixtures
TMP=$(mktemp -d)
export NO_COLOR=1
pass=0 fail=0 current=""

begin() { current=$1; WORK=$TMP/$1; mkdir -p "$WORK"; cp -r "$FIX/basic/." "$WORK/"; cd "$WORK"; }
ok() { pass=$((pass + 1)); echo "ok - $current"; }
bad() { fail=$((fail + 1)); echo "not ok - $current: $*"; }
# run CMD...: captures OUT, ERR, RC
run() { "$@" >"$TMP/out" 2>"$TMP/err"; RC=$?; OUT=$(cat "$TMP/out"); ERR=$(cat "$TMP/err"); }
want_rc() { [ "$RC" -eq "$1" ] || { bad "exit $RC, wanted $1; stderr: ${ERR:0:600}; stdout: ${OUT:0:300}"; return 1; }; }
want_out() { grep -qF -- "$1" <<<"$OUT" || { bad "stdout lacks [$1]: ${OUT:0:600}"; return 1; }; }
want_err() { grep -qF -- "$1" <<<"$ERR" || { bad "stderr lacks [$1]: ${ERR:0:600}"; return 1; }; }
want_no_db() { [ ! -e "$1" ] || { bad "$1 was written"; return 1; }; }
sql() { sqlite3 -batch -noheader "$1" "$2"; }
json_get() { python3 -c "import json,sys; d=json.load(sys.stdin); print(eval(sys.argv[1]))" "$1" <<<"$OUT"; }
set_json() { # set_json FILE PYTHON-EXPR-ON-d
  python3 - "$1" "$2" <<'PY'
import json, sys
f, expr = sys.argv[1], sys.argv[2]
d = json.load(open(f))
exec(expr)
json.dump(d, open(f, "w"), indent=1)
PY
}

SIMLM_PID=""
# start_simlm ARGS...: start the simulated LM on an ephemeral loopback port,
# wait for its port file (bounded), point suite.json at it.
start_simlm() {
  rm -f "$WORK/simlm.port"
  "$HX_SIMLM" --port 0 --port-file "$WORK/simlm.port" --quiet "$@" 2>"$WORK/simlm.err" &
  SIMLM_PID=$!
  for _ in $(seq 1 200); do [ -s "$WORK/simlm.port" ] && break; kill -0 "$SIMLM_PID" 2>/dev/null || break; sleep 0.05; done
  [ -s "$WORK/simlm.port" ] || { bad "simlm did not start: $(cat "$WORK/simlm.err")"; return 1; }
  PORT=$(cat "$WORK/simlm.port")
  python3 - "$WORK/suite.json" "$PORT" <<'PY'
import json, sys
f, port = sys.argv[1], sys.argv[2]
d = json.load(open(f))
d.setdefault("lm", {})["base_url"] = "http://127.0.0.1:%s/v1" % port
json.dump(d, open(f, "w"), indent=1)
PY
}
stop_simlm() { [ -n "$SIMLM_PID" ] && kill "$SIMLM_PID" 2>/dev/null && wait "$SIMLM_PID" 2>/dev/null; SIMLM_PID=""; }
trap 'stop_simlm; rm -rf "$TMP"' EXIT
HX_SIMLM=${HX_SIMLM:-$(dirname "$HX_BIN")/simlm}
ROOT=$(cd "$HERE/../.." && pwd)
# begin_demo NAME: a work folder holding a copy of the repo's demo suite
begin_demo() { current=$1; WORK=$TMP/$1; mkdir -p "$WORK"; cp -r "$ROOT/suite.json" "$ROOT/transcripts" "$ROOT/assertions" "$ROOT/modules" "$WORK/"; cd "$WORK"; }
truth_args() { for d in transcripts/*/; do printf -- '--truth\n%s\n' "$d"; done; }
status_list() { sqlite3 -batch -noheader "$1" "SELECT agent||'/'||module||'/'||transcript_id||'='||status FROM case_results WHERE run_id=$2 ORDER BY 1"; }

# --- validate ---------------------------------------------------------------
begin validate_ok
run "$HX_BIN" validate --suite suite.json
want_rc 0 && want_out "valid (1 agent, 4 transcripts)" && ok

begin validate_lists_every_problem
set_json assertions/booking.json 'd["fields"]["time"]["tolerence_minutes"]=5; d["fields"]["date"]["type"]="datetime"'
set_json suite.json 'd["agents"][0]["modules"][0]["bar"]="high"'
run "$HX_BIN" validate --suite suite.json
want_rc 2 && want_err 'unknown option "tolerence_minutes" for a time rule' \
  && want_err 'unknown rule type the string "datetime"' \
  && want_err 'suite.json:' && want_err '$.agents[0].modules[0].bar: expected a number from 0 to 1' && ok

begin validate_malformed_json_position
printf '{\n  "db": "x.db",\n  "agents": [ { "name": "a" ,, } ]\n}\n' > suite.json
run "$HX_BIN" validate --suite suite.json
want_rc 2 && want_err "suite.json:3:" && want_err "malformed JSON" && ok

begin validate_missing_file
run "$HX_BIN" validate --suite nowhere.json
want_rc 2 && want_err "nowhere.json: cannot open" && ok

begin validate_empty_file
: > suite.json
run "$HX_BIN" validate --suite suite.json
want_rc 2 && want_err "suite.json: file is empty" && ok

begin validate_invalid_utf8
printf '{"id": "x\xff", "call_date": "2026-11-25", "turns": [{"speaker": "caller", "text": "hi"}], "expected": {}}\n' > transcripts/booking/bad.jsonl
run "$HX_BIN" validate --suite suite.json
want_rc 2 && want_err "bad.jsonl:1:10: invalid UTF-8" && ok

begin validate_bad_expected_value
sed -i 's/"date": "2027-03-05"/"date": "2026-13-01"/' transcripts/booking/more.json
run "$HX_BIN" validate --suite suite.json
want_rc 2 && want_err 'more.json:4:' && want_err '$[0].expected.date: not a valid date' && ok

begin validate_huge_number
sed -i 's/"party_size": 12,/"party_size": 1e400,/' transcripts/booking/more.json
run "$HX_BIN" validate --suite suite.json
want_rc 2 && want_err '$[1].expected.party_size: not a valid integer' && ok

begin validate_duplicate_id
sed -i 's/"rest-0004"/"rest-0001"/' transcripts/booking/more.json
run "$HX_BIN" validate --suite suite.json
want_rc 2 && want_err 'duplicate transcript id "rest-0001"' && ok

begin validate_unknown_field_and_placeholder
set_json suite.json 'd["agents"][0]["modules"][0]["inputs"]["call_date"]="{call_day}"'
sed -i 's/"party_size": 2 }/"party_size": 2, "party": 3 }/' transcripts/booking/more.json
run "$HX_BIN" validate --suite suite.json
want_rc 2 && want_err '"party" is not an output of any module' && want_err '{call_day}: not a built-in placeholder' && ok

begin validate_program_field_count
set_json modules/booking_extractor.json 'd["predict"]["signature"]["fields"].pop()'
run "$HX_BIN" validate --suite suite.json
want_rc 2 && want_err 'the program has 7 fields but the suite' && ok

begin validate_program_missing_metadata
set_json modules/booking_extractor.json 'del d["metadata"]'
run "$HX_BIN" validate --suite suite.json
want_rc 2 && want_err 'no "metadata" object' && ok

begin validate_huge_transcript_file
python3 -c "
import json
big = 'x' * (100 * 1024 * 1024)
json.dump([{'id': 'big', 'call_date': '2026-11-25', 'turns': [{'speaker': 'caller', 'text': big}], 'expected': {}}], open('transcripts/booking/big.json', 'w'))"
run "$HX_BIN" validate --suite suite.json
want_rc 2 && want_err "big.json: file is" && want_err "split it or use .jsonl" && ok
rm -f transcripts/booking/big.json

# --- check ------------------------------------------------------------------
begin check_scores
run "$HX_BIN" check --suite suite.json --module booking_extractor --predictions predictions.jsonl
want_rc 0 && want_out "3/4 passed (75.0%)" && want_out "time: expected 20:15, got 08:15: am/pm differs" \
  && want_out 'phone: expected no value (the caller never gave it), got "555-0199": invented value' && ok

begin check_below_bar
set_json suite.json 'd["agents"][0]["modules"][0]["bar"]=0.8'
run "$HX_BIN" check --suite suite.json --module restaurant-booking/booking_extractor --predictions predictions.jsonl
want_rc 1 && want_out "BELOW BAR" && ok

begin check_json
run "$HX_BIN" check --suite suite.json --module booking_extractor --predictions predictions.jsonl --json
want_rc 0 && [ "$(json_get 'd["cases"], d["passed"], d["failed"], d["fields"]["time"]["passed"], d["fields"]["phone"]["checks"]')" = "(4, 3, 1, 3, 3)" ] \
  && [ "$(json_get '[r["status"] for r in d["results"]]')" = "['pass', 'pass', 'pass', 'fail']" ] && ok || bad "json: $OUT"

begin check_records_run_in_db
run "$HX_BIN" check --suite suite.json --module booking_extractor --predictions predictions.jsonl --db h.db
want_rc 0 || true
if [ "$RC" -eq 0 ]; then
  got=$(sql h.db "SELECT cases, passed, failed, errors, pass_rate, bar, below_bar FROM module_scores")
  got2=$(sql h.db "SELECT count(*), sum(status='pass') FROM case_results")
  got3=$(sql h.db "SELECT field, checks, passed FROM field_scores ORDER BY field")
  got4=$(sql h.db "SELECT agent, cases, passed FROM agent_scores")
  [ "$got" = "4|3|1|0|0.75|0.75|0" ] && [ "$got2" = "4|3" ] \
    && [ "$got3" = "$(printf 'date|4|4\nname|3|3\nparty_size|4|4\nphone|3|2\ntime|4|3')" ] \
    && [ "$got4" = "restaurant-booking|4|3" ] && ok || bad "views: [$got] [$got2] [$got3] [$got4]"
fi

begin check_bad_predictions_write_nothing
printf '{"id": "rest-0001", "outputs": {}}\n{not json\n{"id": "rest-9999", "outputs": {}}\n{"id": "rest-0001", "outputs": {}}\n' > p.jsonl
run "$HX_BIN" check --suite suite.json --module booking_extractor --predictions p.jsonl --db h.db
want_rc 2 && want_err "p.jsonl:2:" && want_err 'a second prediction for "rest-0001"' && want_no_db h.db && ok

begin check_unknown_prediction_id
printf '{"id": "rest-9999", "outputs": {}}\n' > p.jsonl
run "$HX_BIN" check --suite suite.json --module booking_extractor --predictions p.jsonl --db h.db
want_rc 2 && want_err 'prediction for "rest-9999", which is not a transcript' && want_no_db h.db && ok

begin check_unknown_module
run "$HX_BIN" check --suite suite.json --module nope --predictions predictions.jsonl
want_rc 2 && want_err 'no module "nope"' && ok

begin check_readonly_db_exit3
mkdir ro && chmod 555 ro
run "$HX_BIN" check --suite suite.json --module booking_extractor --predictions predictions.jsonl --db ro/h.db
if [ "$(id -u)" -eq 0 ]; then ok; else want_rc 3 && ok; fi
chmod 755 ro

begin check_not_sqlite_db_exit3
echo "this is not a database, it is a text file that happens to be long enough" > notdb.db
run "$HX_BIN" check --suite suite.json --module booking_extractor --predictions predictions.jsonl --db notdb.db
want_rc 3 && want_err "notdb.db" && [ "$(head -c 20 notdb.db)" = "this is not a databa" ] && ok

# --- run (against simlm) -----------------------------------------------------
begin run_basic
if start_simlm --truth transcripts/booking; then
  export HX_TEST_KEY=sk-test-DO-NOT-STORE-4242
  run "$HX_BIN" run --suite suite.json --json
  want_rc 0 && [ "$(json_get 'd["cases"], d["errors"], d["modules"][0]["passed"], d["modules"][0]["failed"]')" = "(4, 0, 3, 1)" ] \
    && [ "$(sql harness.db "SELECT status FROM case_results WHERE transcript_id='rest-0002'")" = "fail" ] \
    && [ "$(sql harness.db "SELECT count(*) FROM runs WHERE status='finished'")" = "1" ] \
    && ! grep -rqa "DO-NOT-STORE" harness.db* "$TMP/out" "$TMP/err" && ok || bad "run: $OUT / $ERR"
  unset HX_TEST_KEY
  stop_simlm
fi

begin run_cache_second_run_sends_nothing
if start_simlm --truth transcripts/booking; then
  run "$HX_BIN" run --suite suite.json --cache read-write --no-recompile
  first_rc=$RC; first=$(status_list harness.db 1)
  n1=$(curl -s "http://127.0.0.1:$PORT/stats" | python3 -c 'import json,sys; a=json.load(sys.stdin)["answers"]; print(a["chat_adapter"]+a["json_mode"])')
  run "$HX_BIN" run --suite suite.json --cache read --no-recompile
  n2=$(curl -s "http://127.0.0.1:$PORT/stats" | python3 -c 'import json,sys; a=json.load(sys.stdin)["answers"]; print(a["chat_adapter"]+a["json_mode"])')
  second=$(status_list harness.db 2)
  # rest-0002's reply never parses, so it is never cached: it alone is sent again (3 adapter stages)
  if [ "$RC" -eq "$first_rc" ] && [ "$first" = "$second" ] && [ -f harness.db.lm-cache ] && [ $((n2 - n1)) -eq 3 ]; then ok
  else bad "rc $first_rc/$RC, requests $n1 then $n2"; fi
  stop_simlm
fi

# Which JSON-mode request follows an unparseable ChatAdapter reply (rest-0002's
# never parses): DSPy 3.3.1 asks for a json_schema only when LiteLLM knows the
# model supports it (gpt-4o-mini does), json_object directly otherwise (a
# local model's id), and the suite's lm.structured_outputs overrides that.
rf_counts() { curl -s "http://127.0.0.1:$PORT/stats" | python3 -c 'import json,sys; r=json.load(sys.stdin)["response_format"]; print(r["none"], r["json_schema"], r["json_object"])'; }
for variant in "gpt-4o-mini|auto|4 1 1" "smollm2-135m-instruct|auto|4 0 1" "gpt-4o-mini|json_object|4 0 1" \
               "smollm2-135m-instruct|json_schema|4 1 1" "gpt-4o-mini|none|5 0 0"; do
  IFS='|' read -r model so want <<<"$variant"
  begin "run_json_fallback_${model%%-*}_$so"
  if start_simlm --truth transcripts/booking; then
    set_json suite.json "d['lm']['model']='openai/$model'; d['lm']['structured_outputs']='$so'"
    run "$HX_BIN" run --suite suite.json --no-recompile --cache off --json
    got=$(rf_counts)
    want_rc 0 && [ "$got" = "$want" ] \
      && [ "$(sql harness.db "SELECT status FROM case_results WHERE transcript_id='rest-0002'")" = "fail" ] \
      && [ "$(json_get 'd["modules"][0]["passed"]')" = "3" ] && ok || bad "model $model, structured_outputs $so: requests (none, json_schema, json_object) = ($got), wanted ($want)"
    stop_simlm
  fi
done

begin validate_structured_outputs_value
set_json suite.json 'd["lm"]["structured_outputs"]="json"'
run "$HX_BIN" validate --suite suite.json
want_rc 2 && want_err '$.lm.structured_outputs: expected "auto", "json_schema", "json_object" or "none", got "json"' && ok

begin run_outage_exit3_then_rerun_errors
if start_simlm --truth transcripts/booking --fail-all; then
  set_json suite.json 'd["lm"]["max_retries"]=1; d["lm"]["timeout_s"]=2'
  run "$HX_BIN" run --suite suite.json
  if want_rc 3 && want_out "more than 10% of cases ended in error"; then
    rid=$(sql harness.db "SELECT max(run_id) FROM runs")
    errs=$(sql harness.db "SELECT errors FROM module_scores WHERE run_id=$rid")
    stop_simlm
    start_simlm --truth transcripts/booking
    run "$HX_BIN" run --suite suite.json --rerun-errors "$rid"
    want_rc 0 && [ "$errs" = "4" ] \
      && [ "$(sql harness.db "SELECT cases, passed, failed, errors FROM module_scores WHERE run_id=$rid")" = "4|3|1|0" ] \
      && [ "$(sql harness.db "SELECT count(*) FROM case_results")" = "4" ] && ok
  fi
  stop_simlm
fi

begin run_validation_problem_sends_nothing
if start_simlm --truth transcripts/booking; then
  sed -i 's/"date": "2027-03-05"/"date": "2026-02-30"/' transcripts/booking/more.json
  run "$HX_BIN" run --suite suite.json
  want_rc 2 && want_err "nothing was sent or written" && want_no_db harness.db \
    && [ "$(curl -s "http://127.0.0.1:$PORT/stats" | python3 -c 'import json,sys; a=json.load(sys.stdin)["answers"]; print(a["chat_adapter"]+a["json_mode"])')" = "0" ] && ok
  stop_simlm
fi

if [ -f "$ROOT/suite.json" ]; then
begin_demo run_fault_mix_same_verdicts
if start_simlm $(truth_args); then
  set_json suite.json 'd["lm"]["timeout_s"]=1; d["lm"]["max_retries"]=8'
  run "$HX_BIN" run --suite suite.json --no-recompile --concurrency 32 --json
  clean_rc=$RC; clean=$(status_list reports/harness.db 1)
  stop_simlm
  start_simlm $(truth_args) --fail-429 0.2 --retry-after 0 --fail-500 0.05 --hang 0.02 --hang-ms 3000
  run "$HX_BIN" run --suite suite.json --no-recompile --concurrency 32 --json
  faulty=$(status_list reports/harness.db 2)
  n=$(sql reports/harness.db "SELECT count(*) FROM case_results WHERE run_id=2")
  d=$(sql reports/harness.db "SELECT count(*) - count(DISTINCT agent||module||transcript_id) FROM case_results WHERE run_id=2")
  retries=$(json_get 'd["retries"]')
  if [ "$RC" -eq "$clean_rc" ] && [ "$clean" = "$faulty" ] && [ "$d" = "0" ] && [ "$n" -ge 240 ] && [ "$retries" -gt 20 ] \
     && ! grep -q "=error" <<<"$faulty"; then ok
  else bad "rc $clean_rc/$RC, $n cases, $d duplicates, $retries retries, diff: $(diff <(echo "$clean") <(echo "$faulty") | head -5)"; fi
  stop_simlm
fi

begin_demo run_kill9_then_resume
if start_simlm $(truth_args) --latency-ms 40; then
  run "$HX_BIN" run --suite suite.json --no-recompile --concurrency 4
  want_rc_clean=$RC; clean=$(status_list reports/harness.db 1)
  "$HX_BIN" run --suite suite.json --no-recompile --concurrency 4 >/dev/null 2>&1 &
  hp=$!
  for _ in $(seq 1 400); do
    c=$(sqlite3 reports/harness.db "SELECT count(*) FROM case_results WHERE run_id=2" 2>/dev/null || echo 0)
    [ "${c:-0}" -ge 20 ] && break; sleep 0.05
  done
  kill -9 $hp; wait $hp 2>/dev/null
  before=$(sql reports/harness.db "SELECT count(*) FROM case_results WHERE run_id=2")
  run "$HX_BIN" run --suite suite.json --no-recompile --concurrency 4 --resume 2
  after=$(status_list reports/harness.db 2)
  dups=$(sql reports/harness.db "SELECT count(*) - count(DISTINCT agent||module||transcript_id) FROM case_results WHERE run_id=2")
  if [ "$RC" -eq "$want_rc_clean" ] && [ "$before" -ge 20 ] && [ "$before" -lt "$(wc -l <<<"$clean")" ] \
     && [ "$clean" = "$after" ] && [ "$dups" = "0" ]; then ok
  else bad "killed at $before cases; rc $RC vs $want_rc_clean; dups $dups; diff: $(diff <(echo "$clean") <(echo "$after") | head -5)"; fi
  stop_simlm
fi

# kill -9 at random moments: during the first run, then during each resume
# (at any point: while validating, opening the database, sending, committing),
# then one resume to the end: the results equal an uninterrupted run's, with
# no duplicate. HX_KILL_SEED=N replays a sequence of kill moments.
begin_demo run_kill9_random_moments_then_resume
if start_simlm $(truth_args) --latency-ms 15 --jitter-ms 10; then
  seed=${HX_KILL_SEED:-$RANDOM}; RANDOM=$seed
  run "$HX_BIN" run --suite suite.json --no-recompile --concurrency 8
  want_rc_clean=$RC; clean=$(status_list reports/harness.db 1); total=$(wc -l <<<"$clean")
  count() { sqlite3 reports/harness.db "SELECT count(*) FROM case_results WHERE run_id=2" 2>/dev/null || echo 0; }
  "$HX_BIN" run --suite suite.json --no-recompile --concurrency 8 >/dev/null 2>&1 &
  hp=$!; at=$((1 + RANDOM % 60)); kills="$at cases"
  for _ in $(seq 1 600); do c=$(count); [ "${c:-0}" -ge "$at" ] && break; kill -0 $hp 2>/dev/null || break; sleep 0.02; done
  kill -9 $hp 2>/dev/null; wait $hp 2>/dev/null
  for k in 1 2 3 4 5; do
    "$HX_BIN" run --suite suite.json --no-recompile --concurrency 8 --resume 2 >/dev/null 2>&1 &
    hp=$!; ms=$((RANDOM % 400)); kills="$kills, ${ms} ms"
    sleep "$(printf '0.%03d' "$ms")"   # the random moment itself, not a synchronisation
    kill -9 $hp 2>/dev/null; wait $hp 2>/dev/null
  done
  before=$(count)
  run "$HX_BIN" run --suite suite.json --no-recompile --concurrency 8 --resume 2
  after=$(status_list reports/harness.db 2)
  dups=$(sql reports/harness.db "SELECT count(*) - count(DISTINCT agent||module||transcript_id) FROM case_results WHERE run_id=2")
  integ=$(sql reports/harness.db "PRAGMA integrity_check")
  if [ "$RC" -eq "$want_rc_clean" ] && [ "$clean" = "$after" ] && [ "$dups" = "0" ] && [ "$integ" = "ok" ] \
     && [ "$(sql reports/harness.db "SELECT status FROM runs WHERE run_id=2")" = "finished" ]; then ok
  else bad "seed $seed, kills at $kills; $before of $total cases before the last resume; rc $RC vs $want_rc_clean; dups $dups; integrity $integ; diff: $(diff <(echo "$clean") <(echo "$after") | head -5)"; fi
  stop_simlm
fi
fi

# --- normalize --------------------------------------------------------------
begin normalize_args
run "$HX_BIN" normalize --type date --ref 2026-11-25 "next Friday" "March 5" "tomorrow"
want_rc 0 && [ "$OUT" = "$(printf '2026-11-27\n2027-03-05\n2026-11-26')" ] && ok || bad "got [$OUT]"

begin normalize_refusal_exit1
run "$HX_BIN" normalize --type time "half past 7 in the evening" "sevenish"
want_rc 1 && [ "$(head -1 <<<"$OUT")" = "19:30" ] && grep -q '^error: ' <<<"$OUT" && ok || bad "got [$OUT]"

begin normalize_stdin_jsonl
printf '{"type": "money", "value": "$1,250.50"}\n{"type": "integer", "value": "a dozen"}\n{"value": "quarter to 11", "type": "time"}\nnot json\n' >in.jsonl
run bash -c "'$HX_BIN' normalize < in.jsonl"
want_rc 2 && [ "$(head -3 <<<"$OUT")" = "$(printf '{"canonical":"1250.50"}\n{"canonical":"12"}\n{"error":%s' "$(sed -n 3p <<<"$OUT" | cut -d: -f2-)")" ] || true
[ "$(sed -n 1p <<<"$OUT")" = '{"canonical":"1250.50"}' ] && [ "$(sed -n 2p <<<"$OUT")" = '{"canonical":"12"}' ] \
  && grep -q '"error":"stdin line 4' <<<"$OUT" && ok || bad "got [$OUT]"

begin normalize_with_rules_enum
cat > r.json <<'J'
{"fields": {"insurance": {"type": "enum", "values": {"UnitedHealthcare": ["UHC", "United Healthcare"], "Aetna": []}}}}
J
run "$HX_BIN" normalize --rules r.json --field insurance "uhc" "United Healthcare" "Cigna"
want_rc 1 && [ "$(sed -n 1p <<<"$OUT")" = "UnitedHealthcare" ] && [ "$(sed -n 2p <<<"$OUT")" = "UnitedHealthcare" ] \
  && grep -q '^error: ' <<<"$(sed -n 3p <<<"$OUT")" && ok || bad "got [$OUT]"

begin normalize_usage
run "$HX_BIN" normalize --type weekday x
want_rc 2 && want_err 'unknown type "weekday"' && ok

# --- the CLI ----------------------------------------------------------------
begin help_and_version
run "$HX_BIN" --help
want_rc 0 && want_out "Exit codes" && run "$HX_BIN" check --help && want_rc 0 && want_out "--predictions" \
  && run "$HX_BIN" --version && want_rc 0 && want_out "harness " && ok

begin unknown_command
run "$HX_BIN" frobnicate
want_rc 2 && want_err 'unknown command "frobnicate"' && ok

echo "e2e: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
