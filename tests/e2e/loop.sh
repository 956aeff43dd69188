#!/usr/bin/env bash
# End-to-end tests of the recompile loop: triggers after `harness run`,
# `harness recompile`, `harness triggers`, and the whole story of
# `make demo-loop` with the real dspy.MIPROv2 against simlm.
#
# Most tests replace the optimizer with a small fake bridge (HX_BRIDGE, run
# by the system python3), so each behaviour is checked quickly and exactly:
# the argv and files the harness hands over, a candidate that is no better,
# one that is, one that never finishes (time limit), one that fails, a
# program file changed under the recompile, a lock held by another
# recompile, a stale "running" trigger. The demo story runs the real thing.
# Each test works in its own temporary copy of the demo suite. Prints
# "N passed, N failed" last.
set -u
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
HX_BIN=${HX_BIN:-$ROOT/bin/harness}
HX_SIMLM=${HX_SIMLM:-$(dirname "$HX_BIN")/simlm}
TMP=$(mktemp -d)
export NO_COLOR=1
pass=0 fail=0 current=""

ok() { pass=$((pass + 1)); echo "ok - $current"; }
bad() { fail=$((fail + 1)); echo "not ok - $current: $*"; }
run() { "$@" >"$TMP/out" 2>"$TMP/err"; RC=$?; OUT=$(cat "$TMP/out"); ERR=$(cat "$TMP/err"); }
want_rc() { [ "$RC" -eq "$1" ] || { bad "exit $RC, wanted $1; stderr: ${ERR:0:800}; stdout: ${OUT:0:800}"; return 1; }; }
want_out() { grep -qF -- "$1" <<<"$OUT" || { bad "stdout lacks [$1]: ${OUT:0:800}"; return 1; }; }
want_err() { grep -qF -- "$1" <<<"$ERR" || { bad "stderr lacks [$1]: ${ERR:0:800}"; return 1; }; }
sql() { sqlite3 -batch -noheader "$1" "$2"; }
sha() { sha256sum "$1" | cut -d' ' -f1; }

SIMLM_PID=""
start_simlm() { # start_simlm ARGS...: a free loopback port; suite.json points at it
  rm -f "$WORK/simlm.port"
  "$HX_SIMLM" --port 0 --port-file "$WORK/simlm.port" --quiet --truth transcripts/restaurant-booking "$@" \
    2>"$WORK/simlm.err" &
  SIMLM_PID=$!
  for _ in $(seq 1 200); do [ -s "$WORK/simlm.port" ] && break; kill -0 "$SIMLM_PID" 2>/dev/null || break; sleep 0.05; done
  [ -s "$WORK/simlm.port" ] || { bad "simlm did not start: $(cat "$WORK/simlm.err")"; return 1; }
  python3 - "$(cat "$WORK/simlm.port")" <<'PY'
import json, sys
d = json.load(open("suite.json"))
d["lm"]["base_url"] = "http://127.0.0.1:%s/v1" % sys.argv[1]
d["lm"]["max_retries"] = 1
d["lm"]["timeout_s"] = 3
d["db"] = "harness.db"
json.dump(d, open("suite.json", "w"), indent=1)
PY
}
stop_simlm() { [ -n "$SIMLM_PID" ] && kill "$SIMLM_PID" 2>/dev/null && wait "$SIMLM_PID" 2>/dev/null; SIMLM_PID=""; }
HOLDER=""
trap 'stop_simlm; [ -n "$HOLDER" ] && kill $HOLDER 2>/dev/null; rm -rf "$TMP"' EXIT

# begin NAME: a work folder with a copy of the demo suite
begin() { current=$1; WORK=$TMP/$1; mkdir -p "$WORK"; cp -r "$ROOT/suite.json" "$ROOT/transcripts" "$ROOT/assertions" "$ROOT/modules" "$WORK/"; cd "$WORK"; }

# The fake optimizer: a stand-in for bridge/recompile.py with the same argv.
# FAKE_MODE: same (the current program back), teach (instructions that teach
# every skill, drift included), sleep, fail, touch (teach, but first change
# the current program file), garbage (not a program).
FAKE=$TMP/fake_bridge.py
cat >"$FAKE" <<'PY'
import argparse, json, os, sys, time
p = argparse.ArgumentParser()
for a in ("suite", "module", "train", "val", "out", "lib", "program", "rules", "auto", "seed", "threads", "stats"):
    p.add_argument("--" + a)
a = p.parse_args()
mode = os.environ.get("FAKE_MODE", "same")
json.dump(sys.argv[1:], open(os.path.join(os.path.dirname(a.out), "fake-argv.json"), "w"))
print("fake bridge: mode %s, pid %d" % (mode, os.getpid()), flush=True)
if mode == "sleep":
    open(os.path.join(os.path.dirname(a.out), "fake.pid"), "w").write(str(os.getpid()))
    time.sleep(120)
if mode == "fail":
    print("boom: the LM said no", file=sys.stderr)
    sys.exit(1)
if mode == "garbage":
    open(a.out, "w").write("{\"not\": \"a program\"}\n")
    sys.exit(0)
prog = json.load(open(a.program))
if mode in ("teach", "touch"):
    prog["predict"]["signature"]["instructions"] = (
        "Extract the booking details. Resolve relative dates against the call date. If the caller says a bare "
        "hour, infer am or pm from the time of day. Write numbers as digits. Keep the latest value when the "
        "caller corrects something. Leave it empty if a detail is not mentioned.")
if mode == "touch":
    open(a.program, "a").write("\n")
json.dump(prog, open(a.out, "w"), indent=2)
json.dump({"lm_requests": 7, "instructions": [prog["predict"]["signature"]["instructions"]]}, open(a.stats, "w"))
PY
use_fake() { export HX_PYTHON=python3 HX_BRIDGE=$FAKE FAKE_MODE=$1; }
no_fake() { unset HX_PYTHON HX_BRIDGE FAKE_MODE; }

# below_bar_trigger: the shipped booking program is below its bar against
# plain simlm; a run with --no-recompile leaves trigger 1 open.
below_bar_trigger() {
  start_simlm || return 1
  run "$HX_BIN" run --suite suite.json --agent restaurant-booking --no-recompile
  want_rc 1 && want_out "recompile trigger 1 for restaurant-booking/booking_extractor" \
    && [ "$(sql harness.db "SELECT status FROM recompile_triggers WHERE id = 1")" = "open" ] \
    || { bad "no open trigger: $OUT"; return 1; }
}
trigger_row() { sql harness.db "SELECT status, promoted FROM recompile_triggers WHERE id = ${1:-1}"; }

# --- the bridge's pieces against real DSPy -------------------------------------
current=bridge_selftest
LIB=$(dirname "$HX_BIN")/libharness.so
# an instrumented library (make asan) loads into Python after its sanitizer runtimes
PRELOAD=$(ldd "$LIB" 2>/dev/null | awk '/libasan|libubsan/ {printf "%s ", $3}')
if LD_PRELOAD="$PRELOAD" ASAN_OPTIONS=detect_leaks=0 "$ROOT/.venv/bin/python" "$ROOT/bridge/selftest.py" \
     --suite "$ROOT/suite.json" --lib "$LIB" >"$TMP/selftest.out" 2>&1; then ok
else bad "$(grep -v '^ok' "$TMP/selftest.out" | tail -20)"; fi

# --- the story of make demo-loop, with the real MIPROv2 ----------------------
current=demo_loop_story
export SIMLM_API_KEY=sk-test-LOOP-SECRET-4242
if LOOP_DIR=$TMP/story BIN=$(dirname "$HX_BIN") bash "$ROOT/demo/loop.sh" >"$TMP/story.out" 2>&1; then
  cd "$TMP/story"
  s() { python3 -c "import json,sys; d=json.load(open('summary.json')); print(eval(sys.argv[1]))" "$1"; }
  old_sha=$(sql harness.db "SELECT old_program_sha256 FROM recompile_triggers WHERE id = 1")
  new_sha=$(sql harness.db "SELECT new_program_sha256 FROM recompile_triggers WHERE id = 1")
  if [ "$(s 'd["exit_codes"]')" = "[0, 1, 0]" ] && [ "$(s 'd["before_drift"] >= d["bar"] > d["after_drift"]')" = True ] \
     && [ "$(s 'd["after_recompile"] >= d["bar"]')" = True ] \
     && [ "$(s 'd["heldout"]["candidate"] >= d["heldout"]["current"] + 0.02')" = True ] \
     && [ "$(sql harness.db "SELECT status, promoted, old_score < new_score, finished_at IS NOT NULL FROM recompile_triggers WHERE id = 1")" = "done|1|1|1" ] \
     && [ "$new_sha" = "$(sha modules/booking_extractor.json)" ] && [ "$old_sha" != "$new_sha" ] \
     && [ "$(sha "modules/history/booking_extractor.$old_sha.json")" = "$old_sha" ] \
     && [ "$(sha "modules/history/booking_extractor.$new_sha.json")" = "$new_sha" ] \
     && grep -q "infer am or pm from the time of day" modules/booking_extractor.json \
     && [ "$(s 'd["lm_requests"]["step2_simlm_total"] == d["lm_requests"]["run"] + d["lm_requests"]["optimizer_bridge_count"] + d["lm_requests"]["heldout_scoring"]')" = True ] \
     && grep -q "dspy.teleprompt.mipro_optimizer_v2" recompile/1/optimizer.log \
     && "$HX_BIN" validate --suite suite.json >/dev/null 2>&1 \
     && ! grep -rqa "LOOP-SECRET" . ; then ok
  else bad "summary: $(cat summary.json 2>/dev/null | tr -d '\n' | head -c 900)"; fi
else
  bad "demo/loop.sh failed: $(tail -30 "$TMP/story.out")"
fi
unset SIMLM_API_KEY

current=demo_loop_split_is_by_sha256_of_id
if [ -d "$TMP/story/recompile/1" ]; then
  cd "$TMP/story/recompile/1"
  if python3 - <<'PY'
import hashlib, json
def part(i):
    b = int(hashlib.sha256(i.encode()).hexdigest()[:16], 16) % 100
    return "train" if b < 50 else "val" if b < 75 else "heldout"
seen = {}
for name in ("train", "val"):
    for line in open(name + ".jsonl"):
        r = json.loads(line)
        assert set(r) == {"id", "inputs", "expected", "call_date"}, r.keys()
        assert set(r["inputs"]) == {"transcript", "call_date"} and r["inputs"]["transcript"].startswith("Agent: ")
        assert part(r["id"]) == name, (r["id"], name)
        seen[r["id"]] = name
for i in open("heldout-ids.txt").read().split():
    assert part(i) == "heldout" and i not in seen, i
    seen[i] = "heldout"
assert len(seen) == 80, len(seen)
PY
  then ok; else bad "the exported split is not the SHA-256 split"; fi
else bad "no recompile folder"; fi

# --- outages write no trigger -------------------------------------------------
begin outage_exit3_no_trigger
if start_simlm --fail-all; then
  run "$HX_BIN" run --suite suite.json --agent restaurant-booking
  want_rc 3 && want_out "more than 10% of cases ended in error" \
    && want_out "no recompile trigger for restaurant-booking/booking_extractor" \
    && [ "$(sql harness.db "SELECT errors FROM module_scores")" = "80" ] \
    && [ "$(sql harness.db "SELECT count(*) FROM recompile_triggers")" = "0" ] && [ ! -e recompile ] && ok
  stop_simlm
fi

# --- recompile with a fake optimizer --------------------------------------------
begin fake_not_better_is_kept
if below_bar_trigger; then
  use_fake same
  before=$(sha modules/booking_extractor.json)
  run "$HX_BIN" recompile --suite suite.json --pending
  want_rc 0 && want_out "kept the current program" && [ "$(trigger_row)" = "done|0" ] \
    && [ "$(sha modules/booking_extractor.json)" = "$before" ] && [ ! -e modules/history ] \
    && [ "$(sql harness.db "SELECT abs(old_score - new_score) < 1e-9, new_program_sha256 IS NOT NULL FROM recompile_triggers")" = "1|1" ] \
    && python3 - <<'PY' && ok || bad "argv or exported files: $(cat recompile/1/fake-argv.json)"
import json
argv = json.load(open("recompile/1/fake-argv.json"))
kv = dict(zip(argv[::2], argv[1::2]))
assert kv["--module"] == "restaurant-booking/booking_extractor" and kv["--auto"] == "light" and kv["--seed"] == "9", kv
assert kv["--train"].endswith("recompile/1/train.jsonl") and kv["--lib"].endswith("libharness.so"), kv
assert kv["--program"].endswith("modules/booking_extractor.json"), kv
r = json.load(open("recompile/1/result.json"))
assert r["status"] == "done" and r["promoted"] is False and r["optimizer_lm_requests"] == 7, r
assert r["split"]["train"] + r["split"]["val"] + r["split"]["heldout"] == 80, r
PY
  no_fake; stop_simlm
fi

begin fake_better_is_promoted_and_next_run_passes
if below_bar_trigger; then
  use_fake teach
  old=$(sha modules/booking_extractor.json)
  run "$HX_BIN" recompile --suite suite.json --pending --json
  new=$(sha modules/booking_extractor.json)
  want_rc 0 && [ "$(trigger_row)" = "done|1" ] && [ "$old" != "$new" ] \
    && [ "$(sha "modules/history/booking_extractor.$old.json")" = "$old" ] \
    && [ "$(python3 -c 'import json,sys; r=json.load(sys.stdin)[0]; print(r["promoted"], r["new_program_sha256"] == sys.argv[1], r["new_score"] > r["old_score"])' "$new" <<<"$OUT")" = "True True True" ] \
    && run "$HX_BIN" run --suite suite.json --agent restaurant-booking && want_rc 0 && ok
  no_fake; stop_simlm
fi

begin run_recompiles_at_once
if start_simlm; then
  use_fake teach
  run "$HX_BIN" run --suite suite.json --agent restaurant-booking --json
  want_rc 1 && [ "$(python3 -c 'import json,sys; d=json.load(sys.stdin); print(d["triggers"][0]["fired"], d["recompiles"][0]["status"], d["recompiles"][0]["promoted"])' <<<"$OUT")" = "True done True" ] \
    && [ "$(trigger_row)" = "done|1" ] && ok || bad "json: ${OUT:0:600}"
  no_fake; stop_simlm
fi

begin open_trigger_then_cooldown_hold_back
if below_bar_trigger; then
  run "$HX_BIN" run --suite suite.json --agent restaurant-booking --no-recompile
  want_rc 1 && want_out "no recompile trigger for restaurant-booking/booking_extractor" && want_out "trigger 1 is still open" \
    && { use_fake same; run "$HX_BIN" recompile --suite suite.json --pending; want_rc 0; } \
    && run "$HX_BIN" run --suite suite.json --agent restaurant-booking --no-recompile \
    && want_out "cooldown: trigger 1 is" && [ "$(sql harness.db "SELECT count(*) FROM recompile_triggers")" = "1" ] && ok
  no_fake; stop_simlm
fi

begin optimizer_time_limit_kills_it
if below_bar_trigger; then
  use_fake sleep
  t0=$(date +%s)
  run "$HX_BIN" recompile --suite suite.json --module booking_extractor --timeout 2
  t1=$(date +%s)
  pid=$(cat recompile/1/fake.pid 2>/dev/null)
  want_rc 3 && want_out "time limit of 2 s" && [ "$(trigger_row)" = "failed|0" ] && [ $((t1 - t0)) -lt 30 ] \
    && [ -n "$pid" ] && ! kill -0 "$pid" 2>/dev/null && grep -q "fake bridge: mode sleep" recompile/1/optimizer.log \
    && [ "$(python3 -c 'import json; print(json.load(open("recompile/1/result.json"))["status"])')" = failed ] && ok
  no_fake; stop_simlm
fi

begin optimizer_failure_marks_failed
if below_bar_trigger; then
  use_fake fail
  run "$HX_BIN" recompile --suite suite.json --pending
  want_rc 3 && want_out "boom: the LM said no" && [ "$(trigger_row)" = "failed|0" ] \
    && [ "$(sql harness.db "SELECT finished_at IS NOT NULL FROM recompile_triggers")" = "1" ] && ok
  no_fake; stop_simlm
fi

begin invalid_candidate_marks_failed
if below_bar_trigger; then
  use_fake garbage
  before=$(sha modules/booking_extractor.json)
  run "$HX_BIN" recompile --suite suite.json --pending
  want_rc 3 && want_out "scoring the candidate" && [ "$(trigger_row)" = "failed|0" ] \
    && [ "$(sha modules/booking_extractor.json)" = "$before" ] && ok
  no_fake; stop_simlm
fi

begin program_changed_meanwhile_is_not_replaced
if below_bar_trigger; then
  use_fake touch
  run "$HX_BIN" recompile --suite suite.json --pending
  want_rc 3 && want_out "changed while the recompile ran" && [ "$(trigger_row)" = "failed|0" ] \
    && ! grep -q "infer am or pm" modules/booking_extractor.json && ok
  no_fake; stop_simlm
fi

begin another_recompile_holds_the_lock
if below_bar_trigger && command -v flock >/dev/null; then
  use_fake same
  flock harness.db.recompile.lock sleep 60 & HOLDER=$!
  for _ in $(seq 1 100); do flock -n harness.db.recompile.lock true || break; sleep 0.05; done
  run "$HX_BIN" recompile --suite suite.json --pending
  kill $HOLDER 2>/dev/null; wait $HOLDER 2>/dev/null; HOLDER=""
  want_rc 3 && want_err "another recompile is running" && [ "$(trigger_row)" = "open|" ] && ok
  no_fake; stop_simlm
elif ! command -v flock >/dev/null; then ok; fi

begin stale_running_trigger_is_rerun
if below_bar_trigger; then
  sql harness.db "UPDATE recompiles SET status = 'running' WHERE id = 1"
  use_fake same
  run "$HX_BIN" recompile --suite suite.json --pending
  want_rc 0 && [ "$(trigger_row)" = "done|0" ] && ok
  no_fake; stop_simlm
fi

begin manual_request_and_usage_errors
if start_simlm; then
  use_fake same
  run "$HX_BIN" recompile --suite suite.json --module booking_extractor
  want_rc 2 && want_err "no finished run has scored restaurant-booking/booking_extractor yet" \
    && run "$HX_BIN" recompile --suite suite.json --module booking_extractor --optimizer native \
    && want_rc 2 && want_err "not in this version" \
    && run "$HX_BIN" recompile --suite suite.json && want_rc 2 && want_err "give either --module M or --pending" \
    && run "$HX_BIN" recompile --suite suite.json --module nope && want_rc 2 && want_err "nope" \
    && run "$HX_BIN" run --suite suite.json --agent restaurant-booking --no-recompile && want_rc 1 \
    && run "$HX_BIN" recompile --suite suite.json --module restaurant-booking/booking_extractor && want_rc 0 \
    && [ "$(sql harness.db "SELECT count(*) FROM recompile_triggers")" = "1" ] \
    && run "$HX_BIN" recompile --suite suite.json --module booking_extractor && want_rc 0 \
    && [ "$(sql harness.db "SELECT count(*), max(reason) FROM recompile_triggers")" = "2|requested with 'harness recompile --module'" ] \
    && ok
  no_fake; stop_simlm
fi

begin triggers_text_and_json
if below_bar_trigger; then
  run "$HX_BIN" triggers --suite suite.json
  want_rc 0 && want_out "restaurant-booking/booking_extractor" && want_out "open" \
    && run "$HX_BIN" triggers --db harness.db --json && want_rc 0 \
    && [ "$(python3 -c 'import json,sys; t=json.load(sys.stdin)[0]; print(t["id"], t["status"], t["promoted"], t["bar"], t["reason"][:10])' <<<"$OUT")" = "1 open None 0.85 pass rate " ] \
    && run "$HX_BIN" triggers --db nowhere.db && want_rc 2 && want_err "no database at nowhere.db" && ok
  stop_simlm
fi

echo "loop: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
