#!/usr/bin/env bash
# make demo-loop: the whole recompile loop on the demo suite, against the
# simulated LM (simlm), in a scratch copy under reports/demo-loop/ so the
# shipped suite, programs and database are never changed.
#
#   1. booking_extractor gets a program whose instructions teach every skill
#      its transcripts need; against plain simlm it is above its bar.
#   2. simlm restarts with --drift: a "provider model update" that breaks the
#      times skill (the old phrases no longer teach it). `harness run` scores
#      the module below its bar, exits 1, records a recompile trigger and runs
#      the recompile: the real dspy.MIPROv2 through bridge/recompile.py, with
#      the harness's assertion engine as its metric. The candidate is scored
#      against the current program on held-out transcripts and promoted only
#      if it is better by the module's promote_margin.
#   3. The next run, same drifted LM, is at or above the bar again.
# Then it prints the pass rates before and after, the LM requests of the
# recompile (simlm's /stats) and the wall times, and writes summary.json.
#
# simlm is a deterministic test double, not a real model: see
# simlm/README.md for how its answers depend on the prompt.
#
# Environment: BIN (folder of harness and simlm, default bin), LOOP_DIR
# (scratch folder, default reports/demo-loop; it is emptied first).
set -u
ROOT=$(cd "$(dirname "$0")/.." && pwd)
BIN=$(cd "$ROOT" && cd "${BIN:-bin}" && pwd)
DIR=${LOOP_DIR:-$ROOT/reports/demo-loop}
AGENT=restaurant-booking
MODULE=booking_extractor
export NO_COLOR=${NO_COLOR:-1}

say() { printf '\n== %s\n' "$*"; }
die() { echo "demo-loop: $*" >&2; exit 1; }
now() { date +%s.%N; }
secs() { awk "BEGIN{printf \"%.1f\", $2 - $1}"; }
# chat completions simlm answered (its /stats also counts requests for /stats itself)
stat_requests() { curl -s "http://127.0.0.1:$PORT/stats" | python3 -c 'import json,sys; a=json.load(sys.stdin)["answers"]; print(a["chat_adapter"]+a["json_mode"])'; }

# --- a scratch copy of the demo suite ---------------------------------------
rm -rf "$DIR"
mkdir -p "$DIR"
cp -r "$ROOT/suite.json" "$ROOT/transcripts" "$ROOT/assertions" "$ROOT/modules" "$DIR/" || die "cannot copy the demo suite"
cd "$DIR" || exit 1

# The healthy program: the shipped one with instructions that teach every
# skill the booking calls need (simlm/README.md lists the phrases).
python3 - modules/$MODULE.json <<'PY' || die "cannot write the healthy program"
import json, sys
path = sys.argv[1]
d = json.load(open(path, encoding="utf-8"))
d["predict"]["signature"]["instructions"] = (
    "Extract the booking details from the restaurant call. Resolve relative dates against the call date. "
    "Give times in 24-hour form, deciding am or pm from context. Write numbers as digits. "
    "If the caller corrects something, keep the latest value. If a detail is not mentioned, leave it empty.")
with open(path, "w", encoding="utf-8") as f:
    f.write(json.dumps(d, indent=2, ensure_ascii=False) + "\n")
PY

SIMLM_PID=""
start_simlm() { # start_simlm ARGS...: on a free port; points suite.json at it
  rm -f simlm.port
  "$BIN/simlm" --port 0 --port-file simlm.port --quiet --truth "transcripts/$AGENT" "$@" 2>>simlm.log &
  SIMLM_PID=$!
  for _ in $(seq 1 200); do [ -s simlm.port ] && break; kill -0 $SIMLM_PID 2>/dev/null || break; sleep 0.05; done
  [ -s simlm.port ] || die "simlm did not start: $(cat simlm.log)"
  PORT=$(cat simlm.port)
  python3 - "$PORT" <<'PY'
import json, sys
d = json.load(open("suite.json"))
d["lm"]["base_url"] = "http://127.0.0.1:%s/v1" % sys.argv[1]
d["db"] = "harness.db"
json.dump(d, open("suite.json", "w"), indent=2)
PY
}
stop_simlm() { [ -n "$SIMLM_PID" ] && kill $SIMLM_PID 2>/dev/null && wait $SIMLM_PID 2>/dev/null; SIMLM_PID=""; }
trap stop_simlm EXIT

rate_of() { sqlite3 -batch -noheader harness.db \
  "SELECT printf('%.1f', 100 * pass_rate) FROM module_scores WHERE run_id = $1 AND module = '$MODULE'"; }
last_run() { sqlite3 -batch -noheader harness.db "SELECT max(run_id) FROM runs"; }

T0=$(now)
# --- 1. healthy -----------------------------------------------------------------
say "1. before drift: simlm as shipped, $MODULE with instructions that teach its skills"
start_simlm
"$BIN/harness" run --suite suite.json --agent $AGENT
RC1=$?
RUN1=$(last_run)
stop_simlm

# --- 2. drift -------------------------------------------------------------------
say "2. simlm --drift (a model update breaks the times skill): run, trigger, recompile"
start_simlm --drift
S0=$(stat_requests)
T2=$(now)
"$BIN/harness" run --suite suite.json --agent $AGENT
RC2=$?
T2E=$(now)
S1=$(stat_requests)
RUN2=$(last_run)
TRIG=$(sqlite3 -batch -noheader harness.db "SELECT max(id) FROM recompile_triggers WHERE run_id = $RUN2")

# --- 3. after -------------------------------------------------------------------
say "3. after the recompile: the same drifted simlm"
"$BIN/harness" run --suite suite.json --agent $AGENT
RC3=$?
RUN3=$(last_run)
stop_simlm

say "recompile triggers"
"$BIN/harness" triggers --suite suite.json

# --- the story in numbers ------------------------------------------------------
R1=$(rate_of "$RUN1"); R2=$(rate_of "$RUN2"); R3=$(rate_of "$RUN3")
BAR=$(sqlite3 -batch -noheader harness.db "SELECT printf('%.1f', 100 * bar) FROM module_scores WHERE run_id = $RUN1")
CASES2=$(sqlite3 -batch -noheader harness.db "SELECT sum(cases) FROM module_scores WHERE run_id = $RUN2")
RES=recompile/${TRIG:-none}/result.json
[ -n "$TRIG" ] && [ -f "$RES" ] || die "no recompile ran (run 2 exited $RC2); see above"
python3 - "$RES" "recompile/$TRIG/optimizer-stats.json" "$R1" "$R2" "$R3" "$BAR" "$RC1" "$RC2" "$RC3" \
  "$S0" "$S1" "$(secs "$T2" "$T2E")" "$(secs "$T0" "$(now)")" "$DIR" "$CASES2" <<'PY'
import json, sys
res, stats_path = sys.argv[1], sys.argv[2]
r1, r2, r3, bar = (float(x) for x in sys.argv[3:7])
rc1, rc2, rc3, s0, s1 = (int(x) for x in sys.argv[7:12])
step2_s, total_s, folder = float(sys.argv[12]), float(sys.argv[13]), sys.argv[14]
r = json.load(open(res))
st = json.load(open(stats_path))
run_requests = int(sys.argv[15])  # one request per case: simlm answers every prompt in a form that parses
summary = {
    "bar": bar, "before_drift": r1, "after_drift": r2, "after_recompile": r3,
    "exit_codes": [rc1, rc2, rc3],
    "trigger_id": r["trigger_id"], "status": r["status"], "promoted": r["promoted"],
    "heldout": {"transcripts": r["split"]["heldout"], "current": r["old_score"], "candidate": r["new_score"]},
    "split": r["split"],
    "lm_requests": {"step2_simlm_total": s1 - s0, "run": run_requests,
                    "optimizer_bridge_count": r["optimizer_lm_requests"],
                    "heldout_scoring": r["heldout_lm_requests"]},
    "wall_s": {"optimizer": round(r["optimizer_s"], 1), "recompile": round(r["wall_s"], 1),
               "step2": step2_s, "demo": total_s},
    "new_instructions": st.get("instructions"),
}
json.dump(summary, open("summary.json", "w"), indent=2)
pct = lambda x: "%.1f%%" % (100 * x)
print("""
== the loop, in numbers
  %s pass rate (bar %.1f%%):
    before drift     %5.1f%%   (harness run exit %d)
    after drift      %5.1f%%   (exit %d: below the bar -> trigger %d -> recompile)
    after recompile  %5.1f%%   (exit %d)
  held-out (%d transcripts never shown to MIPROv2): current %s, candidate %s -> %s
  LM requests during step 2 (simlm /stats): %d = %d run + %d MIPROv2 (the bridge's count) + %d held-out scoring
  wall time: MIPROv2 %.1f s, whole recompile %.1f s, step 2 %.1f s, demo %.1f s
  instructions MIPROv2 chose: %s
  files: %s/recompile/%d/ (train/val JSONL, optimizer.log, candidate.json, result.json), summary.json""" % (
    "booking_extractor", bar, r1, rc1, r2, rc2, r["trigger_id"], r3, rc3,
    r["split"]["heldout"], pct(r["old_score"]), pct(r["new_score"]),
    "promoted" if r["promoted"] else "kept the current program",
    s1 - s0, run_requests, r["optimizer_lm_requests"], r["heldout_lm_requests"],
    r["optimizer_s"], r["wall_s"], step2_s, total_s,
    json.dumps(st.get("instructions"), ensure_ascii=False), folder, r["trigger_id"]))
ok = rc1 == 0 and rc2 == 1 and r["promoted"] and rc3 == 0 and r3 >= bar
print("\n  the story holds" if ok else "\n  THE STORY DOES NOT HOLD (see above)")
sys.exit(0 if ok else 1)
PY
