#!/usr/bin/env bash
# End-to-end tests of cron/nightly.sh: the lock (two nights never overlap,
# the second writes nothing), the per-night log and its rotation, exit codes,
# the webhook (a Slack-compatible POST to a receiver on 127.0.0.1), the
# recompile and report steps (against a scripted stand-in for harness), and
# that the API key reaches no log. Runs the real bin/harness against simlm
# on an ephemeral loopback port, on copies of tests/fixtures/basic.
# Synchronisation is by locks and FIFOs, never by sleeping.
# Prints "cron: N passed, M failed" last.
# `want_... && ok || bad ...` is safe here: ok always succeeds.
# shellcheck disable=SC2015
set -u
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
HX_BIN=${HX_BIN:-$ROOT/bin/harness}
HX_SIMLM=${HX_SIMLM:-$(dirname "$HX_BIN")/simlm}
NIGHTLY=$ROOT/cron/nightly.sh
FIX=$ROOT/tests/fixtures/basic
TMP=$(mktemp -d)
NIGHT=2026-11-25
KEY=sk-cron-test-NEVER-LOG-7f3a9c01
HOOK_PATH=/services/T0CRON/B0CRON/hook-path-secret-93d1
export NO_COLOR=1 HX_TEST_KEY=$KEY
# The environment of whoever runs the tests must not steer the nightly.
while read -r v; do unset "$v"; done < <(compgen -e | grep '^HARNESS_')
pass=0 fail=0 current="" WORK="" bad_for=""

begin() { current=$1; WORK=$TMP/$1; mkdir -p "$WORK"; cp -r "$FIX/." "$WORK/"; cd "$WORK" || exit 3; }
ok() { pass=$((pass + 1)); echo "ok - $current"; }
# bad counts a test once, however many of its checks report
bad() {
  if [ "$bad_for" = "$current" ]; then echo "#   and: $*"; return 1; fi
  bad_for=$current; fail=$((fail + 1)); echo "not ok - $current: $*"; return 1
}
skip() { pass=$((pass + 1)); echo "ok - $current # skip $*"; }
# run CMD...: captures OUT, ERR, RC
run() { "$@" >"$TMP/out" 2>"$TMP/err"; RC=$?; OUT=$(cat "$TMP/out"); ERR=$(cat "$TMP/err"); }
# nightly ARGS...: cron/nightly.sh in $WORK with the harness under test, bounded in time
nightly() { run timeout 120 "$NIGHTLY" --workdir "$WORK" --harness "$HX_BIN" --night "$NIGHT" "$@"; }
want_rc() { [ "$RC" -eq "$1" ] || { bad "exit $RC, wanted $1; stderr: ${ERR:0:600}; stdout: ${OUT:0:600}"; return 1; }; }
want_out() { grep -qF -- "$1" <<<"$OUT" || { bad "stdout lacks [$1]: ${OUT:0:800}"; return 1; }; }
want_err() { grep -qF -- "$1" <<<"$ERR" || { bad "stderr lacks [$1]: ${ERR:0:800}"; return 1; }; }
want_file_has() { grep -qF -- "$2" "$1" 2>/dev/null || { bad "$1 lacks [$2]: $(head -c 1500 "$1" 2>/dev/null)"; return 1; }; }
want_absent() { [ ! -e "$1" ] || { bad "$1 was written"; return 1; }; }
names() { find "$1" -mindepth 1 -maxdepth 1 -printf '%f\n' | sort | tr '\n' ' '; }
sql() { sqlite3 -batch -noheader "$1" "$2"; }
set_json() { # set_json FILE PYTHON-STATEMENTS-ON-d
  python3 - "$1" "$2" <<'PY'
import json, sys
f, expr = sys.argv[1], sys.argv[2]
d = json.load(open(f))
exec(expr)
json.dump(d, open(f, "w"), indent=1)
PY
}
# snapshot: every file and folder under $WORK with its checksum (what "writes nothing" compares)
snapshot() { (cd "$WORK" && find . -path ./simlm.port -prune -o -path ./simlm.err -prune -o -print0 | sort -z \
              | xargs -0 -I{} sh -c 'if [ -f "{}" ]; then md5sum "{}"; else echo "dir {}"; fi'); }

SIMLM_PID=""
# start_simlm ARGS...: the simulated LM on an ephemeral loopback port; suite.json points at it
start_simlm() {
  rm -f "$WORK/simlm.port"
  "$HX_SIMLM" --port 0 --port-file "$WORK/simlm.port" --quiet "$@" 2>"$WORK/simlm.err" &
  SIMLM_PID=$!
  for _ in $(seq 1 200); do [ -s "$WORK/simlm.port" ] && break; kill -0 "$SIMLM_PID" 2>/dev/null || break; sleep 0.05; done
  [ -s "$WORK/simlm.port" ] || { bad "simlm did not start: $(cat "$WORK/simlm.err")"; return 1; }
  set_json "$WORK/suite.json" "d['lm']['base_url'] = 'http://127.0.0.1:$(cat "$WORK/simlm.port")/v1'"
}
stop_simlm() { if [ -n "$SIMLM_PID" ]; then kill "$SIMLM_PID" 2>/dev/null; wait "$SIMLM_PID" 2>/dev/null; fi; SIMLM_PID=""; }

# The webhook receiver: a one-file HTTP server on 127.0.0.1 that stores each
# POST as $HOOK/req-N.json (the body) and req-N.meta (method, path, Content-Type).
HOOK=$TMP/hook
mkdir -p "$HOOK"
cat >"$TMP/receiver.py" <<'PY'
import http.server, os, sys
port_file, out = sys.argv[1], sys.argv[2]
class H(http.server.BaseHTTPRequestHandler):
    def do_POST(self):
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        n = 1 + sum(1 for f in os.listdir(out) if f.endswith(".json"))
        with open(os.path.join(out, "req-%d.meta" % n), "w") as f:
            f.write("POST\n%s\n%s\n" % (self.path, self.headers.get("Content-Type", "")))
        with open(os.path.join(out, "req-%d.json" % n), "wb") as f:
            f.write(body)
        self.send_response(200)
        self.send_header("Content-Type", "text/plain")
        self.send_header("Content-Length", "2")
        self.end_headers()
        self.wfile.write(b"ok")
    def log_message(self, *args):
        pass
s = http.server.HTTPServer(("127.0.0.1", 0), H)
with open(port_file + ".tmp", "w") as f:
    f.write(str(s.server_port))
os.rename(port_file + ".tmp", port_file)
s.serve_forever()
PY
python3 "$TMP/receiver.py" "$TMP/hook.port" "$HOOK" 2>"$TMP/receiver.err" &
HOOK_PID=$!
for _ in $(seq 1 200); do [ -s "$TMP/hook.port" ] && break; kill -0 "$HOOK_PID" 2>/dev/null || break; sleep 0.05; done
HOOK_URL="http://127.0.0.1:$(cat "$TMP/hook.port" 2>/dev/null)$HOOK_PATH"
hook_reset() { rm -f "$HOOK"/req-*; }
hook_count() { find "$HOOK" -name 'req-*.json' | wc -l; }
# hook_text N: the "text" of POST N, after checking the body is {"text": "<string>"} and nothing else
hook_text() {
  python3 - "$HOOK/req-$1.json" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
assert isinstance(d, dict) and list(d) == ["text"] and isinstance(d["text"], str), d
print(d["text"])
PY
}

cleanup() { stop_simlm; kill "$HOOK_PID" 2>/dev/null; wait "$HOOK_PID" 2>/dev/null; rm -rf "$TMP"; }
trap cleanup EXIT

LOG=reports/logs/$NIGHT.log
# has CMD: does the harness under test have `harness CMD` yet? (others are adding them)
has() { "$HX_BIN" "$1" --help >/dev/null 2>&1 && ! "$HX_BIN" "$1" --help 2>&1 | grep -qi 'not available in this version'; }
# reports_ok RUN: the real `harness report` wrote every format of RUN tonight, or is not there yet
reports_ok() {
  local r=reports/nightly/$NIGHT/run-$1
  if has report; then
    [ -s "$r-report.html" ] && [ -s "$r-report.md" ] && [ -s "$r-junit.xml" ] && [ -s "$r-report.json" ] \
      && python3 -c 'import json, sys; json.load(open(sys.argv[1]))' "$r-report.json" \
      || { bad "reports of run $1 missing: $(ls -R reports/nightly 2>&1)"; return 1; }
  else
    want_file_has "$LOG" "report: skipped (this harness has no 'report' command yet)"
  fi
}

# --- usage ------------------------------------------------------------------------
current=help_teaches_every_option_and_variable
run "$NIGHTLY" --help
if want_rc 0; then
  missing=""
  while read -r o; do
    grep -qF -- "$o" <<<"$OUT" || missing+=" $o"
  done < <(grep -oE '^    (-[a-z]\|)?--[a-z-]+\)' "$NIGHTLY" | grep -oE -- '--[a-z-]+')
  while read -r v; do
    grep -qF -- "$v" <<<"$OUT" || missing+=" $v"
  done < <(grep -oE 'HARNESS_[A-Z_]+' "$NIGHTLY" | sort -u)
  for w in "Exit codes" "75" "--pending" "reports/logs/YYYY-MM-DD.log" "[redacted]"; do
    grep -qF -- "$w" <<<"$OUT" || missing+=" [$w]"
  done
  [ -z "$missing" ] && ok || bad "--help does not mention:$missing"
fi

begin bad_usage_exit2_writes_nothing
before=$(snapshot)
nightly --keep many
if want_rc 2 && want_err "--keep" && [ "$before" = "$(snapshot)" ]; then
  nightly --frobnicate && want_rc 2 && want_err "unknown option '--frobnicate'" \
    && nightly --formats pdf && want_rc 2 && want_err "unknown format 'pdf'" \
    && [ "$before" = "$(snapshot)" ] && ok
else [ "$RC" -ne 2 ] || bad "wrote: $(diff <(echo "$before") <(snapshot))"; fi

# --- normal nights (real harness, simlm) -------------------------------------------
begin ok_night_writes_log_exit0_no_webhook
hook_reset
if start_simlm --truth transcripts/booking; then
  HARNESS_WEBHOOK_URL=$HOOK_URL nightly --quiet
  if want_rc 0 && [ -z "$OUT" ] && [ -f "$LOG" ] && want_file_has "$LOG" "harness run exited 0" \
     && want_file_has "$LOG" "OK: every module at or above its bar (exit 0)" \
     && want_file_has "$LOG" "restaurant-booking/booking_extractor 75.0% (3/4 passed, 0 errors), bar 75.0%" \
     && want_file_has "$LOG" "webhook: not posted" \
     && reports_ok 1 \
     && [ "$(sql harness.db "SELECT count(*) FROM runs")" = 1 ] && [ "$(hook_count)" -eq 0 ]; then
    # not quiet: the summary on stdout
    nightly
    want_rc 0 && want_out "OK: every module at or above its bar" && want_out "Log: " \
      && [ "$(grep -c '^==== harness nightly' "$LOG")" -eq 2 ] && ok
  else [ "$RC" -ne 0 ] || bad "log: $(head -c 1500 "$LOG" 2>/dev/null); stdout [$OUT]; hooks $(hook_count)"; fi
  stop_simlm
fi

begin regression_night_exit1_posts_slack_webhook
hook_reset
if start_simlm --truth transcripts/booking; then
  set_json suite.json 'd["agents"][0]["modules"][0]["bar"] = 0.9'
  HARNESS_WEBHOOK_URL=$HOOK_URL nightly --no-recompile
  if want_rc 1 && want_out "REGRESSION" && [ "$(hook_count)" -eq 1 ]; then
    meta=$(cat "$HOOK/req-1.meta"); text=$(hook_text 1)
    if [ "$meta" = "$(printf 'POST\n%s\napplication/json' "$HOOK_PATH")" ] \
       && grep -qF "REGRESSION: some module below its bar (exit 1)" <<<"$text" \
       && grep -qF "restaurant-booking/booking_extractor 75.0% < bar 90.0%" <<<"$text" \
       && grep -qF "Pass rates:" <<<"$text" && grep -qF "Log: " <<<"$text" \
       && want_file_has "$LOG" "webhook: posted the summary (because: regression; HTTP 200)" \
       && ! grep -qF "hook-path-secret" "$LOG" && want_file_has "$LOG" "webhook http://127.0.0.1:"; then ok
    else bad "POST [$meta] text [$text]"; fi
  elif [ "$RC" -eq 1 ]; then bad "$(hook_count) webhook POSTs, wanted 1; log: $(tail -5 "$LOG")"; fi
  stop_simlm
fi

begin outage_night_exit3_posts_failure
hook_reset
if start_simlm --truth transcripts/booking --fail-all; then
  set_json suite.json 'd["lm"]["max_retries"] = 1; d["lm"]["timeout_s"] = 2'
  HARNESS_WEBHOOK_URL=$HOOK_URL nightly
  if want_rc 3 && want_out "FAILED: the night could not finish (exit 3)" && [ "$(hook_count)" -eq 1 ] \
     && want_file_has "$LOG" "harness run exited 3"; then
    text=$(hook_text 1)
    grep -qF "FAILED" <<<"$text" && grep -qF "(exit 3)" <<<"$text" && ok || bad "text [$text]"
  elif [ "$RC" -eq 3 ]; then bad "$(hook_count) webhook POSTs, wanted 1"; fi
  stop_simlm
fi

begin config_error_exit2_logged_and_posted
hook_reset
set_json suite.json 'd["agents"][0]["modules"][0]["bar"] = "high"'
HARNESS_WEBHOOK_URL=$HOOK_URL nightly
if want_rc 2 && want_out "CONFIG ERROR" && want_absent harness.db && want_file_has "$LOG" "harness run exited 2" \
   && want_file_has "$LOG" 'bar: expected a number from 0 to 1' \
   && want_file_has "$LOG" "recompile and reports: skipped" && [ "$(hook_count)" -eq 1 ]; then
  text=$(hook_text 1)
  grep -qF "CONFIG ERROR" <<<"$text" && grep -qF "expected a number from 0 to 1" <<<"$text" && ok || bad "text [$text]"
elif [ "$RC" -eq 2 ]; then bad "$(hook_count) webhook POSTs, wanted 1"; fi

begin max_hours_stops_a_hung_run_exit3
# simlm answers after 5 s; --max-hours 0.0003 (1 s) stops the run first.
if start_simlm --truth transcripts/booking --latency-ms 5000; then
  nightly --max-hours 0.0003
  want_rc 3 && want_out "harness run was stopped after --max-hours 0.0003" \
    && want_file_has "$LOG" "harness run exited 124" && ok
  stop_simlm
fi

# --- the lock ---------------------------------------------------------------------
begin lock_held_exit75_writes_nothing
hook_reset
mkdir -p reports
exec 8>>reports/nightly.lock
if flock -n 8; then
  before=$(snapshot)
  HARNESS_WEBHOOK_URL=$HOOK_URL nightly
  if want_rc 75 && want_err "another night is still running" && want_err "without running or writing anything" \
     && [ -z "$OUT" ] && want_absent reports/logs && want_absent harness.db && [ "$(hook_count)" -eq 0 ]; then
    [ "$before" = "$(snapshot)" ] && ok || bad "wrote: $(diff <(echo "$before") <(snapshot))"
  fi
else bad "the test could not take the lock"; fi
exec 8>&-

begin two_nights_at_once_second_exits_75
# The first night runs a harness that stops inside `harness run` until the test
# releases it, so it provably holds the lock while the second starts.
mkdir -p fake
mkfifo started.fifo release.fifo
cat >fake/harness <<EOF
#!/usr/bin/env bash
if [ "\${1:-}" = run ]; then echo started >"$WORK/started.fifo"; read -r _ <"$WORK/release.fifo"; fi
exec "$HX_BIN" "\$@"
EOF
chmod +x fake/harness
if start_simlm --truth transcripts/booking; then
  "$NIGHTLY" --workdir "$WORK" --harness "$WORK/fake/harness" --night "$NIGHT" >first.out 2>first.err &
  first=$!
  if [ "$(timeout 60 head -n 1 started.fifo)" = started ]; then
    before=$(snapshot); log_before=$(md5sum <"$LOG")
    nightly   # the second night, while the first is inside `harness run`
    rc2=$RC err2=$ERR out2=$OUT
    after=$(snapshot)
    timeout 60 bash -c "echo go >'$WORK/release.fifo'"
    wait "$first"; rc1=$?
    RC=$rc2 ERR=$err2 OUT=$out2
    if want_rc 75 && want_err "another night is still running" && want_err "held by pid $first" && [ -z "$OUT" ]; then
      if [ "$before" != "$after" ]; then bad "the second night wrote: $(diff <(echo "$before") <(echo "$after"))"
      elif [ "$rc1" -ne 0 ]; then bad "the first night exited $rc1: $(cat first.err first.out)"
      elif [ "$(grep -c '^==== harness nightly' "$LOG")" -ne 1 ]; then bad "log has another night's header"
      elif [ "$(sql harness.db "SELECT count(*) FROM runs")" != 1 ]; then bad "runs: $(sql harness.db "SELECT count(*) FROM runs")"
      elif [ "$log_before" = "$(md5sum <"$LOG")" ]; then bad "the first night's log did not grow after release"
      else ok; fi
    fi
  else
    bad "the first night never reached harness run: $(cat first.err first.out)"
    kill "$first" 2>/dev/null; wait "$first" 2>/dev/null
  fi
  stop_simlm
fi

begin lock_is_released_after_a_night
# After a night (even a failed one) the lock is free: the next night runs.
set_json suite.json 'd["agents"][0]["modules"][0]["bar"] = "high"'
nightly; rc_a=$RC
nightly
if [ "$rc_a" -eq 2 ] && want_rc 2 && [ "$(grep -c '^==== harness nightly' "$LOG")" -eq 2 ]; then
  exec 8>>reports/nightly.lock
  flock -n 8 && ok || bad "the lock is still held"
  exec 8>&-
else [ "$RC" -ne 2 ] || bad "nights: $(grep -c '^==== harness nightly' "$LOG")"; fi

# --- rotation ---------------------------------------------------------------------
begin log_rotation_keeps_n_nights
if start_simlm --truth transcripts/booking; then
  mkdir -p reports/logs reports/nightly
  for d in 01 02 03 04 05 06 07 08 09; do echo old >"reports/logs/2026-10-$d.log"; mkdir -p "reports/nightly/2026-10-$d"; done
  echo keep-me >reports/logs/notes.txt
  HARNESS_LOG_KEEP=3 nightly
  logs=$(names reports/logs)
  dirs=$(names reports/nightly)
  # tonight's report folder counts among the 3 when this harness writes reports
  want_dirs="2026-10-07 2026-10-08 2026-10-09 "
  has report && want_dirs="2026-10-08 2026-10-09 $NIGHT "
  if want_rc 0 && [ "$logs" = "2026-10-08.log 2026-10-09.log $NIGHT.log notes.txt " ] \
     && [ "$dirs" = "$want_dirs" ] \
     && want_file_has "$LOG" "rotation: removed reports/logs/2026-10-01.log (keeping 3 nights)"; then
    nightly --keep 1 --night 2026-11-26
    logs=$(names reports/logs)
    want_rc 0 && [ "$logs" = "2026-11-26.log notes.txt " ] && ok || bad "after --keep 1: $logs"
  else [ "$RC" -ne 0 ] || bad "logs: [$logs] reports: [$dirs]"; fi
  stop_simlm
fi

# --- recompile and report steps (a scripted stand-in for harness) ---------------------
begin recompile_and_reports_when_harness_has_them
hook_reset
mkdir -p fake
cat >fake/harness <<'EOF'
#!/usr/bin/env bash
# A stand-in for a harness that has `recompile` and `report`: it records its
# calls, fakes a run whose module fell below its bar and recorded a trigger,
# and prints the API key to show the nightly redacts it.
calls=$PWD/calls.log
case ${1:-} in
  --version) echo "harness 9.9-fake" ;;
  run)
    echo "$*" >>"$calls"
    echo "debug: using key $HX_TEST_KEY" >&2
    sqlite3 fake.db "
      CREATE TABLE module_scores(run_id, started_at, agent, module, program_sha256, cases, passed, failed,
                                 errors, pass_rate, bar, below_bar);
      CREATE TABLE recompile_triggers(id INTEGER PRIMARY KEY, run_id, agent, module, pass_rate, bar, reason,
                                      status, created_at, finished_at, old_program_sha256, new_program_sha256,
                                      old_score, new_score, promoted);
      INSERT INTO module_scores VALUES (6, 't', 'restaurant-booking', 'booking_extractor', 'a', 40, 38, 2, 0, 0.95, 0.85, 0),
                                       (7, 't', 'restaurant-booking', 'booking_extractor', 'a', 40, 30, 10, 0, 0.75, 0.85, 1),
                                       (7, 't', 'clinic-scheduling', 'appointment_extractor', 'b', 40, 40, 0, 0, 1.0, 0.85, 0);
      INSERT INTO recompile_triggers(run_id, agent, module, pass_rate, bar, reason, status, promoted)
        VALUES (${FAKE_TRIGGER_RUN:-7}, 'restaurant-booking', 'booking_extractor', 0.75, 0.85, 'below bar',
                '${FAKE_TRIGGER_STATUS:-open}', 0);"
    echo '{"run_id":7,"db":"fake.db","cases":80,"modules":[{"run_id":99}]}'
    exit 1 ;;
  recompile)
    if [ "${2:-}" = --help ]; then echo "Usage: harness recompile [--suite F] [--db F] (--module M | --pending)"; exit 0; fi
    echo "$*" >>"$calls"
    sqlite3 fake.db "UPDATE recompile_triggers SET status = 'done', promoted = 1"
    echo "recompiled with key $HX_TEST_KEY" ;;
  report)
    if [ "${2:-}" = --help ]; then echo "Usage: harness report [--db F] [--run ID|latest] --format html|md|junit [--out F]"; exit 0; fi
    echo "$*" >>"$calls"
    fmt="" out=""
    while [ $# -gt 0 ]; do case $1 in --format) fmt=$2 ;; --out) out=$2 ;; esac; shift; done
    echo "<$fmt report>" >"$out" ;;
  *) echo "fake harness: $*" >&2; exit 2 ;;
esac
EOF
chmod +x fake/harness
R=reports/nightly/$NIGHT
HARNESS_WEBHOOK_URL=$HOOK_URL run timeout 60 "$NIGHTLY" --workdir "$WORK" --harness "$WORK/fake/harness" --night "$NIGHT" \
  --webhook-on trigger --agent restaurant-booking --module booking_extractor -- --concurrency 3
calls=$(cat calls.log 2>/dev/null)
if want_rc 1 \
   && [ "$(sed -n 1p <<<"$calls")" = "run --suite suite.json --agent restaurant-booking --module booking_extractor --concurrency 3 --json" ] \
   && [ "$(sed -n 2p <<<"$calls")" = "recompile --suite suite.json --pending --db fake.db" ] \
   && [ "$(sed -n 3p <<<"$calls")" = "report --db fake.db --run 7 --format html --out $R/run-7-report.html" ] \
   && [ "$(wc -l <<<"$calls")" -eq 5 ] \
   && [ "$(cat "$R/run-7-report.html")" = "<html report>" ] && [ -s "$R/run-7-report.md" ] && [ -s "$R/run-7-junit.xml" ] \
   && want_absent "$R/run-7-report.json" && want_file_has "$LOG" "report: json skipped (not offered by this harness)" \
   && want_file_has "$LOG" "debug: using key [redacted]" && want_file_has "$LOG" "recompiled with key [redacted]" \
   && want_out "restaurant-booking/booking_extractor 75.0% < bar 85.0%: done (below bar), new program promoted" \
   && want_out "75.0% (30/40 passed, 0 errors), bar 85.0% BELOW, -20.0 pts since the last run" \
   && want_out "clinic-scheduling/appointment_extractor 100.0%" \
   && [ "$(hook_count)" -eq 1 ] && want_file_has "$LOG" "because: trigger;"; then
  text=$(hook_text 1)
  grep -qF "Recompile triggers (1):" <<<"$text" && grep -qF "new program promoted" <<<"$text" \
    && grep -qF "Reports: $R/run-7-report.html" <<<"$text" && ok || bad "text [$text]"
elif [ "$RC" -eq 1 ]; then bad "calls [$calls]; hooks $(hook_count); log: $(tail -20 "$LOG")"; fi

begin no_recompile_and_no_reports_when_asked
cp -r "$TMP/recompile_and_reports_when_harness_has_them/fake" .
run timeout 60 "$NIGHTLY" --workdir "$WORK" --harness "$WORK/fake/harness" --night "$NIGHT" --no-recompile --formats none
calls=$(cat calls.log 2>/dev/null)
if want_rc 1 && [ "$calls" = "run --suite suite.json --no-recompile --json" ] && want_absent reports/nightly \
   && want_file_has "$LOG" "recompile: skipped (--no-recompile)"; then ok
elif [ "$RC" -eq 1 ]; then bad "calls [$calls]"; fi

begin no_second_recompile_when_the_run_ran_it
# `harness run` recompiles by itself: its trigger is done, so no --pending call.
cp -r "$TMP/recompile_and_reports_when_harness_has_them/fake" .
FAKE_TRIGGER_STATUS="done" run timeout 60 "$NIGHTLY" --workdir "$WORK" --harness "$WORK/fake/harness" --night "$NIGHT" --formats md
calls=$(cat calls.log 2>/dev/null)
if want_rc 1 && want_file_has "$LOG" "recompile: nothing to do (harness run already ran its 1 recompile(s))" \
   && want_out "booking_extractor 75.0% < bar 85.0%: done (below bar)"; then
  if grep -q '^recompile' <<<"$calls"; then bad "called: $calls"; else ok; fi
fi

begin open_trigger_of_an_earlier_night_is_recompiled
# Run 6 (an earlier night, --no-recompile) left its trigger open, so run 7
# recorded none for that module: tonight's --pending runs the old one.
cp -r "$TMP/recompile_and_reports_when_harness_has_them/fake" .
FAKE_TRIGGER_RUN=6 run timeout 60 "$NIGHTLY" --workdir "$WORK" --harness "$WORK/fake/harness" --night "$NIGHT" --formats none
calls=$(cat calls.log 2>/dev/null)
if want_rc 1 && want_file_has "$LOG" "recompile triggers: 0 recorded by run 7; 1 open in the database (ids 1)" \
   && want_out "booking_extractor 75.0% < bar 85.0%: done (below bar), new program promoted"; then
  [ "$(sed -n 2p <<<"$calls")" = "recompile --suite suite.json --pending --db fake.db" ] && ok || bad "calls [$calls]"
fi

begin steps_skipped_when_harness_lacks_them
# A harness from before `recompile` and `report` existed (their stubs said
# "not available"): the nightly says so in the log and the night still counts.
cp -r "$TMP/recompile_and_reports_when_harness_has_them/fake" .
cat >fake/harness-old <<EOF
#!/usr/bin/env bash
case \${1:-} in
  run|--version) exec "$WORK/fake/harness" "\$@" ;;
  *) echo "harness \$1: not available in this version yet" >&2; exit 2 ;;
esac
EOF
chmod +x fake/harness-old
run timeout 60 "$NIGHTLY" --workdir "$WORK" --harness "$WORK/fake/harness-old" --night "$NIGHT"
if want_rc 1 && want_file_has "$LOG" "recompile: skipped (this harness has no 'recompile' command yet" \
   && want_file_has "$LOG" "report: skipped (this harness has no 'report' command yet)" \
   && want_out "booking_extractor 75.0% < bar 85.0%: open" && want_absent reports/nightly; then
  if grep -q "^recompile\\|^report" calls.log; then bad "called: $(cat calls.log)"; else ok; fi
fi

# --- secrets ----------------------------------------------------------------------
begin env_file_supplies_key_and_webhook
hook_reset
if start_simlm --truth transcripts/booking; then
  set_json suite.json 'd["agents"][0]["modules"][0]["bar"] = 0.9'
  cat >"$TMP/nightly.env" <<EOF
# the nightly's secrets
HX_TEST_KEY="$KEY"
export HARNESS_WEBHOOK_URL=$HOOK_URL
HARNESS_LOG_DIR='reports/night-logs'
HARNESS_NO_RECOMPILE=1
EOF
  chmod 600 "$TMP/nightly.env"
  run env -u HX_TEST_KEY timeout 60 "$NIGHTLY" --workdir "$WORK" --harness "$HX_BIN" --night "$NIGHT" --env-file "$TMP/nightly.env"
  want_rc 1 && [ -f "reports/night-logs/$NIGHT.log" ] && [ "$(hook_count)" -eq 1 ] && ok || bad "hooks $(hook_count); $(ls -R reports)"
  printf 'HX_TEST_KEY %s\n' "$KEY" >"$TMP/broken.env"
  run "$NIGHTLY" --workdir "$WORK" --harness "$HX_BIN" --env-file "$TMP/broken.env"
  if [ "$RC" -ne 2 ] || grep -qF "$KEY" <<<"$OUT$ERR"; then bad "broken env file: exit $RC, [$ERR]"; fi
  stop_simlm
fi

current=api_key_appears_in_no_log_report_or_post
cd "$TMP" || exit 3
leaks=$(grep -rlF --exclude='*.env' -- "$KEY" "$TMP" 2>/dev/null)
[ -z "$leaks" ] && ok || bad "the API key is in: $leaks"

current=shellcheck_clean
if command -v shellcheck >/dev/null; then
  run shellcheck "$NIGHTLY" "$ROOT/tests/e2e/cron.sh"
  want_rc 0 && ok
else skip "shellcheck is not installed"; fi

current=systemd_units_and_crontab
svc=$ROOT/cron/harness-nightly.service tmr=$ROOT/cron/harness-nightly.timer
if grep -q '^Type=oneshot' "$svc" && grep -q '^ExecStart=.*cron/nightly.sh' "$svc" && grep -q '^EnvironmentFile=' "$svc" \
   && grep -q '^WorkingDirectory=' "$svc" && grep -q '^Persistent=true' "$tmr" && grep -q '^OnCalendar=' "$tmr" \
   && grep -qE '^[0-9]+ [0-9]+ \* \* \* .*cron/nightly.sh' "$ROOT/cron/crontab"; then
  if command -v systemd-analyze >/dev/null; then
    # verify a copy whose paths point into this checkout (ExecStart must exist)
    mkdir -p "$TMP/units"
    sed "s|/opt/harness|$ROOT|g" "$svc" >"$TMP/units/harness-nightly.service"
    cp "$tmr" "$TMP/units/"
    run systemd-analyze verify "$TMP/units/harness-nightly.timer" "$TMP/units/harness-nightly.service"
    want_rc 0 && ok
  else ok; fi
else bad "cron/harness-nightly.service, .timer or crontab lacks an expected line"; fi

echo "cron: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
