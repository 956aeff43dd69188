#!/usr/bin/env bash
# Reliability end-to-end tests (mk/reliability.mk, `make e2e-reliability`,
# part of `make test`): the real bin/harness on a copy of the demo suite
# against simlm on an ephemeral loopback port, with --no-recompile.
#
#   readers_*        other processes querying the §5 views while a run
#                    writes: neither they nor the run ever see SQLITE_BUSY
#   disk_full_*      the database on a small tmpfs that fills up: exit 3, a
#                    message naming the file, the database intact (PRAGMA
#                    integrity_check = ok, earlier runs still there)
#   readonly_*       the database on a read-only mount (root ignores chmod):
#                    exit 3, a message naming the file, the file untouched
#   api_key_*        the suite's API key (a unique secret) appears in no
#                    database file (-wal and -shm included), cache, report
#                    (every format), log, stdout or stderr
#
# The full-disk and read-only tests mount tmpfs file systems (root); they are
# unmounted on exit. Without root or mount(2) they fall back to RLIMIT_FSIZE
# and to file permissions, and say so. Prints "reliability: N passed, M
# failed" last; exits non-zero if any test failed.
set -u
HX_BIN=${HX_BIN:-$(cd "$(dirname "$0")/../.." && pwd)/bin/harness}
HX_SIMLM=${HX_SIMLM:-$(dirname "$HX_BIN")/simlm}
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
TMP=$(mktemp -d)
export NO_COLOR=1
unset SIMLM_API_KEY
pass=0 fail=0 current=""
MOUNTS=()
BG_PIDS=()

ok() { pass=$((pass + 1)); echo "ok - $current"; }
bad() { fail=$((fail + 1)); echo "not ok - $current: $*"; }
info() { echo "# $current: $*"; }
# run CMD...: captures OUT, ERR, RC (files kept in $WORK for the secret scan)
N_RUN=0
run() {
  N_RUN=$((N_RUN + 1))
  "$@" >"$WORK/.out.$N_RUN" 2>"$WORK/.err.$N_RUN"; RC=$?
  OUT=$(cat "$WORK/.out.$N_RUN"); ERR=$(cat "$WORK/.err.$N_RUN")
}
sql() { sqlite3 -batch -noheader "$1" "$2"; }
set_json() { # set_json FILE PYTHON-EXPR-ON-d
  python3 - "$1" "$2" <<'PY'
import json, sys
f, expr = sys.argv[1], sys.argv[2]
d = json.load(open(f))
exec(expr)
json.dump(d, open(f, "w"), indent=1)
PY
}
# begin NAME: a work folder holding a copy of the repo's demo suite
begin() {
  WHY=""
  current=$1; WORK=$TMP/$1; mkdir -p "$WORK"
  cp -r "$ROOT/suite.json" "$ROOT/transcripts" "$ROOT/assertions" "$ROOT/modules" "$WORK/"
  cd "$WORK" || exit 1
}
truth_args() { for d in transcripts/*/; do printf -- '--truth\n%s\n' "$d"; done; }

SIMLM_PID=""
start_simlm() { # start_simlm ARGS...: simlm on an ephemeral port; suite.json points at it
  rm -f "$WORK/simlm.port"
  "$HX_SIMLM" --port 0 --port-file "$WORK/simlm.port" --quiet "$@" 2>"$WORK/simlm.err" &
  SIMLM_PID=$!
  for _ in $(seq 1 1200); do [ -s "$WORK/simlm.port" ] && break; kill -0 "$SIMLM_PID" 2>/dev/null || break; sleep 0.05; done
  [ -s "$WORK/simlm.port" ] || { bad "simlm did not start: $(cat "$WORK/simlm.err")"; return 1; }
  PORT=$(cat "$WORK/simlm.port")
  set_json "$WORK/suite.json" "d['lm']['base_url'] = 'http://127.0.0.1:$PORT/v1'"
}
stop_simlm() { [ -n "$SIMLM_PID" ] && kill "$SIMLM_PID" 2>/dev/null && wait "$SIMLM_PID" 2>/dev/null; SIMLM_PID=""; }

# mount_tmpfs DIR SIZE: a tmpfs of SIZE at DIR; 1 if mounting is not possible
mount_tmpfs() {
  mkdir -p "$1"
  [ "$(id -u)" -eq 0 ] || return 1
  mount -t tmpfs -o "size=$2,mode=0755" tmpfs "$1" 2>"$TMP/mount.err" || return 1
  MOUNTS+=("$1")
}
unmount() { umount "$1" 2>/dev/null || umount -l "$1" 2>/dev/null; }
cleanup() {
  stop_simlm
  for p in "${BG_PIDS[@]}"; do kill "$p" 2>/dev/null; wait "$p" 2>/dev/null; done
  for m in "${MOUNTS[@]}"; do mountpoint -q "$m" && unmount "$m"; done
  cd / && rm -rf "$TMP"
}
trap cleanup EXIT

# db_intact DB RUN_ID CASES: integrity_check ok, the run finished and still
# holds CASES case results. Sets WHY when not.
db_intact() {
  local ic n st
  ic=$(sql "$1" "PRAGMA integrity_check" 2>&1)
  n=$(sql "$1" "SELECT count(*) FROM case_results WHERE run_id=$2" 2>&1)
  st=$(sql "$1" "SELECT status FROM runs WHERE run_id=$2" 2>&1)
  WHY="integrity_check [$ic], run $2: [$n] case results (wanted $3), status [$st]"
  [ "$ic" = "ok" ] && [ "$n" = "$3" ] && [ "$st" = "finished" ]
}

# The reader: another process querying the dashboard views.
#   reader.py DB STOP_FILE OUT_JSON MODE RUN_ID
#   MODE loop: every view in a loop, autocommit, a fresh connection every
#              5th round (a dashboard page load), until STOP_FILE appears
#              (at most 60 s / 50,000 rounds);
#        fresh: a new connection for each round of queries, closed after
#              it, 3 ms apart (a dashboard without a connection pool);
#        tx:   one read transaction held open across the whole run (a
#              dashboard that never commits), re-reading inside it;
#        hold: keeps a connection open (so the -wal and -shm files outlive
#              the run), reading now and then.
# It creates OUT_JSON.ready once its first round is done (in tx mode: its
# snapshot is taken), or when it gives up: start_reader waits for that, so
# the run under test starts only once the reader is reading.
# No busy handler (timeout 0, as the sqlite3 CLI and most dashboards): any
# SQLITE_BUSY is an error, recorded with its message.
cat >"$TMP/reader.py" <<'PY'
import json, os, sqlite3, sys, time
db, stop, out, mode, run_id = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4], int(sys.argv[5])
QUERIES = [
    "SELECT * FROM agent_scores ORDER BY run_id DESC",
    "SELECT * FROM module_scores WHERE run_id = (SELECT max(run_id) FROM runs)",
    "SELECT * FROM field_scores WHERE run_id = (SELECT max(run_id) FROM runs) ORDER BY accuracy LIMIT 10",
    "SELECT * FROM case_results WHERE run_id = (SELECT max(run_id) FROM runs) AND status <> 'pass' LIMIT 50",
    "SELECT * FROM recompile_triggers",
]
COUNT = "SELECT count(*) FROM case_results WHERE run_id = ?"
res = {"rounds": 0, "queries": 0, "errors": [], "counts": [], "reconnects": 0}
def ready():
    if not os.path.exists(out + ".ready"):
        open(out + ".ready", "w").close()
def connect():
    while not os.path.exists(db) and not os.path.exists(stop):
        time.sleep(0.01)
    return sqlite3.connect(db, timeout=0, isolation_level=None, check_same_thread=False)
def err(e):
    name = getattr(e, "sqlite_errorname", "")
    res["errors"].append("%s %s" % (name, e))
    res.setdefault("error_times", []).append(time.time())
t0 = time.time()
con = None
try:
    con = connect()
    if mode == "tx":
        con.execute("BEGIN")
    while not os.path.exists(stop) and time.time() - t0 < 60 and res["rounds"] < 50000:
        try:
            if mode == "loop" and res["rounds"] % 5 == 4:
                con.close(); con = None
            if con is None:
                con = connect(); res["reconnects"] += 1
            for q in (QUERIES if mode != "hold" else QUERIES[:1]):
                con.execute(q).fetchall(); res["queries"] += 1
            c = con.execute(COUNT, (run_id,)).fetchone()[0]; res["queries"] += 1
            if not res["counts"] or res["counts"][-1] != c:
                res["counts"].append(c)
        except sqlite3.Error as e:
            err(e)
            if len(res["errors"]) > 50: break
        res["rounds"] += 1
        ready()
        if mode == "fresh":
            if con: con.close()
            con = None
            time.sleep(0.003)
        elif mode != "loop":
            time.sleep(0.05)
    if mode == "tx":
        con.execute("COMMIT")
    if mode == "hold":
        # stay open until told: the run has ended and the files were copied
        while not os.path.exists(stop + ".release") and time.time() - t0 < 120:
            time.sleep(0.02)
except sqlite3.Error as e:
    err(e)
finally:
    if con: con.close()
    ready()
res["seconds"] = round(time.time() - t0, 2)
json.dump(res, open(out, "w"))
PY
# wait_for FILE PID: until FILE exists or process PID has ended (polled,
# at most 60 s: a loaded machine may take seconds to start Python); 1 if
# FILE never appeared
wait_for() {
  local i
  for i in $(seq 1 1200); do
    [ -e "$1" ] && return 0
    kill -0 "$2" 2>/dev/null || break
    sleep 0.05
  done
  [ -e "$1" ]
}
# start_reader MODE RUN_ID NAME [nowait]: a reader in the background (pid
# in RPID), returning once it has done its first round (nowait: at once, for
# a database the run about to start creates)
start_reader() {
  rm -f "$WORK/$3.stop" "$WORK/$3.stop.release" "$WORK/$3.json" "$WORK/$3.json.ready"
  python3 "$TMP/reader.py" "$DB" "$WORK/$3.stop" "$WORK/$3.json" "$1" "$2" 2>"$WORK/$3.err" &
  RPID=$!
  BG_PIDS+=("$RPID")
  [ "${4:-}" = nowait ] || wait_for "$WORK/$3.json.ready" "$RPID" \
    || info "reader $3 never got ready: $(head -c 300 "$WORK/$3.err")"
}
stop_reader() { # stop_reader NAME PID: signal, wait (bounded by the reader itself)
  touch "$WORK/$1.stop" "$WORK/$1.stop.release"
  wait "$2" 2>/dev/null
}
rjson() { python3 -c "import json,sys; d=json.load(open(sys.argv[1])); print(eval(sys.argv[2]))" "$WORK/$1.json" "$2" 2>/dev/null; }

# --- (c) readers during a run ---------------------------------------------------------
# Each test has one reader process: two readers would trip over each other
# (a connection that closes takes SQLite's PENDING lock for an instant while
# it tries to checkpoint, and a connection opening meanwhile gets
# SQLITE_BUSY) — that is between readers, not the run's doing.
# reader_run_setup: simlm, and run 1, which creates the database; run 2 is
# the one read while it writes (concurrency 4 at 30-60 ms: several seconds,
# committing at least every second).
reader_run_setup() {
  DB=$WORK/reports/harness.db
  start_simlm $(truth_args) --latency-ms 30 --jitter-ms 30 || return 1
  run "$HX_BIN" run --suite suite.json --no-recompile --concurrency 16
  rc1=$RC
}
# timed_run2: run 2, with its start and end times (epoch seconds)
timed_run2() {
  t_start=$(date +%s.%N)
  run "$HX_BIN" run --suite suite.json --no-recompile --concurrency 4
  t_end=$(date +%s.%N)
  rc2=$RC err2=$ERR
}
run2_ok() { # the run: same exit as run 1, no busy/locked message, complete and intact
  WHY=""
  [ "$rc2" -eq "$rc1" ] && [ "$rc2" -le 1 ] && ! grep -qiE "busy|locked" <<<"$err2" && db_intact "$DB" 2 320
}

begin readers_python_loop_see_no_busy
if reader_run_setup; then
  start_reader loop 2 loop
  lp=$RPID
  timed_run2
  stop_reader loop "$lp"
  rounds=$(rjson loop 'd["rounds"]') errs=$(rjson loop 'len(d["errors"])') counts=$(rjson loop 'd["counts"]')
  seen_mid=$(rjson loop 'len([c for c in d["counts"] if 0 < c < 320])')
  if run2_ok && [ "${errs:-x}" = "0" ] && [ "${rounds:-0}" -ge 20 ] && [ "${seen_mid:-0}" -ge 1 ]; then
    info "$rounds rounds, $(rjson loop 'd["queries"]') queries, $(rjson loop 'd["reconnects"]') reconnects; saw run 2 at $counts cases"
    ok
  else
    bad "run 2 exit $rc2 (run 1: $rc1), stderr [${err2:0:300}]; ${WHY}; reader: $rounds rounds, $errs errors $(rjson loop 'd["errors"][:3]'), counts seen $counts"
  fi
  stop_simlm
fi

begin readers_fresh_connections_see_no_busy
if reader_run_setup; then
  start_reader fresh 2 fresh
  fp=$RPID
  timed_run2
  stop_reader fresh "$fp"
  rounds=$(rjson fresh 'd["rounds"]') errs=$(rjson fresh 'len(d["errors"])') counts=$(rjson fresh 'd["counts"]')
  seen_mid=$(rjson fresh 'len([c for c in d["counts"] if 0 < c < 320])')
  if run2_ok && [ "${errs:-x}" = "0" ] && [ "${rounds:-0}" -ge 20 ] && [ "${seen_mid:-0}" -ge 1 ]; then
    info "$rounds connections opened and closed while run 2 wrote; saw it at $counts cases"
    ok
  else
    when=$(python3 -c "
import json, sys
d = json.load(open(sys.argv[1])); s, e = float(sys.argv[2]), float(sys.argv[3])
print('; '.join('%.3f s after the start / %.3f s before the end of run 2: %s' % (t - s, e - t, m)
                for t, m in list(zip(d.get('error_times', []), d['errors']))[:4]))" "$WORK/fresh.json" "$t_start" "$t_end" 2>/dev/null)
    bad "run 2 exit $rc2 (run 1: $rc1), stderr [${err2:0:300}]; ${WHY}; reader: $rounds rounds, $errs errors: $when"
  fi
  stop_simlm
fi

begin readers_sqlite3_cli_loop_see_no_busy
if reader_run_setup; then
  # a fresh sqlite3 process per round (default settings: no busy timeout),
  # bounded: at most 2,000 rounds, and it stops when the run has ended
  ( for _ in $(seq 1 2000); do
      [ -e "$WORK/cli.stop" ] && break
      t=$(date +%s.%N)
      if ! sqlite3 -batch "$DB" "SELECT count(*) FROM case_results WHERE run_id=2; SELECT agent, pass_rate FROM agent_scores WHERE run_id=2; SELECT field, accuracy FROM field_scores WHERE run_id=2; SELECT count(*) FROM recompile_triggers;" \
           >"$WORK/cli.last" 2>"$WORK/cli.lasterr"; then
        echo "$t $(head -1 "$WORK/cli.lasterr")" >>"$WORK/cli.err"
      else
        head -1 "$WORK/cli.last" >>"$WORK/cli.counts"
      fi
      [ -e "$WORK/cli.ready" ] || : >"$WORK/cli.ready"
    done; : >"$WORK/cli.ready" ) &
  cp=$!
  BG_PIDS+=("$cp")
  wait_for "$WORK/cli.ready" "$cp"
  timed_run2
  touch "$WORK/cli.stop"; wait "$cp" 2>/dev/null
  nok=$(cat "$WORK/cli.counts" 2>/dev/null | wc -l)
  nerr=$(cat "$WORK/cli.err" 2>/dev/null | wc -l)
  rounds=$((nok + nerr))
  seen_mid=$(awk '$1 > 0 && $1 < 320' "$WORK/cli.counts" 2>/dev/null | wc -l)
  if run2_ok && [ "$nerr" -eq 0 ] && [ "$rounds" -ge 20 ] && [ "$seen_mid" -ge 1 ]; then
    info "$rounds sqlite3 processes, $seen_mid of them saw run 2 part-written"
    ok
  else
    # when did the errors happen, relative to the run's start and end?
    when=$(awk -v s="$t_start" -v e="$t_end" '{ printf "%s%.3f s after the start / %.3f s before the end of run 2: %s", (NR > 1 ? "; " : ""), $1 - s, e - $1, substr($0, index($0, " ") + 1) }' "$WORK/cli.err" 2>/dev/null | head -c 700)
    bad "run 2 exit $rc2 (run 1: $rc1), stderr [${err2:0:300}]; ${WHY}; sqlite3: $rounds rounds, $nerr failed: $when"
  fi
  stop_simlm
fi

begin readers_open_transaction_does_not_block_run
DB=$WORK/reports/harness.db
if start_simlm $(truth_args) --latency-ms 10 --jitter-ms 10; then
  run "$HX_BIN" run --suite suite.json --no-recompile --concurrency 16
  rc1=$RC
  # a reader that opens a read transaction before run 2 starts and keeps it
  # for the whole run: it pins a snapshot (no checkpoint can pass it), and
  # the run must neither wait for it nor fail
  start_reader tx 2 tx
  tp=$RPID
  run "$HX_BIN" run --suite suite.json --no-recompile --concurrency 8
  rc2=$RC err2=$ERR
  stop_reader tx "$tp"
  errs=$(rjson tx 'len(d["errors"])') counts=$(rjson tx 'd["counts"]')
  if [ "$rc2" -eq "$rc1" ] && ! grep -qiE "busy|locked" <<<"$err2" && [ "${errs:-x}" = "0" ] \
     && [ "$counts" = "[0]" ] && db_intact "$DB" 2 320; then ok
  else
    bad "run exit $rc2 (run 1: $rc1), stderr [${err2:0:300}]; reader errors $errs $(rjson tx 'd["errors"][:3]'), counts $counts (a snapshot sees [0]); ${WHY:-}"
  fi
  stop_simlm
fi

# --- (d) a full disk and a read-only database ---------------------------------------------
# fill DIR [KEEP_KB]: fill the file system of DIR, then give back KEEP_KB
fill() {
  dd if=/dev/zero of="$1/filler" bs=64k 2>/dev/null
  [ "${2:-0}" -gt 0 ] && truncate -s "-${2}K" "$1/filler"
  sync
}
FSIZE_FALLBACK=0
begin disk_full_at_start
MNT=$WORK/mnt
if mount_tmpfs "$MNT" 8m; then
  DB=$MNT/h.db
  if start_simlm $(truth_args); then
    run "$HX_BIN" run --suite suite.json --no-recompile --db "$DB" --concurrency 16
    rc1=$RC
    fill "$MNT" 0
    sum_before=$(sha256sum "$DB" | cut -d' ' -f1)
    run "$HX_BIN" run --suite suite.json --no-recompile --db "$DB" --concurrency 16
    rc2=$RC err2=$ERR
    rm -f "$MNT/filler"
    intact=1; db_intact "$DB" 1 320 || intact=0
    if [ "$rc1" -le 1 ] && [ "$rc2" -eq 3 ] && grep -qF "$DB" <<<"$err2" && grep -qiE "full|space" <<<"${err2//$DB/}" \
       && [ "$intact" = 1 ]; then
      info "stderr: $(head -c 300 <<<"$err2" | tr '\n' ' ')"
      [ "$sum_before" = "$(sha256sum "$DB" | cut -d' ' -f1)" ] || info "note: the database file changed (it was meant to stay as it was)"
      ok
    else
      bad "run 1 exit $rc1; run 2 exit $rc2 (wanted 3), stderr [${err2:0:400}] (wanted the path and a message saying the disk is full); afterwards: $WHY"
    fi
    stop_simlm
  fi
  unmount "$MNT"
else
  FSIZE_FALLBACK=1
  info "cannot mount a tmpfs ($(cat "$TMP/mount.err" 2>/dev/null; [ "$(id -u)" -eq 0 ] || echo "not root")): the full-disk tests use RLIMIT_FSIZE (ulimit -f) instead"
  DB=$WORK/h.db
  if start_simlm $(truth_args); then
    run "$HX_BIN" run --suite suite.json --no-recompile --db "$DB" --concurrency 16
    rc1=$RC
    kb=$(( ($(stat -c %s "$DB") + 1023) / 1024 ))
    # the database may not grow: writes past the limit fail with EFBIG
    # (SIGXFSZ ignored, so they fail rather than kill the process)
    run bash -c "trap '' XFSZ; ulimit -f $kb; exec \"\$0\" \"\$@\"" "$HX_BIN" run --suite suite.json --no-recompile --db "$DB" --concurrency 16
    rc2=$RC err2=$ERR
    if [ "$rc2" -eq 3 ] && grep -qF "$DB" <<<"$err2" && db_intact "$DB" 1 320; then ok
    else bad "run 2 exit $rc2 (wanted 3), stderr [${err2:0:400}]; ${WHY:-}"; fi
    stop_simlm
  fi
fi

begin disk_full_mid_run_then_resume
MNT=$WORK/mnt
if [ "$FSIZE_FALLBACK" = 0 ] && mount_tmpfs "$MNT" 8m; then
  DB=$MNT/h.db
  if start_simlm $(truth_args) --latency-ms 5; then
    run "$HX_BIN" run --suite suite.json --no-recompile --db "$DB" --concurrency 16
    rc1=$RC clean=$(sql "$DB" "SELECT agent||'/'||transcript_id||'='||status FROM case_results WHERE run_id=1 ORDER BY 1")
    # room for the run to start and write some results, not all of them
    fill "$MNT" 192
    run "$HX_BIN" run --suite suite.json --no-recompile --db "$DB" --concurrency 16
    rc2=$RC err2=$ERR
    n2=$(sql "$DB" "SELECT count(*) FROM case_results WHERE run_id=2" 2>&1)
    intact=1; db_intact "$DB" 1 320 || intact=0
    why_full=$WHY
    rm -f "$MNT/filler"
    # with space again, --resume 2 finishes the run with no duplicate
    run "$HX_BIN" run --suite suite.json --no-recompile --db "$DB" --concurrency 16 --resume 2
    rc3=$RC err3=$ERR
    after=$(sql "$DB" "SELECT agent||'/'||transcript_id||'='||status FROM case_results WHERE run_id=2 ORDER BY 1")
    dups=$(sql "$DB" "SELECT count(*) - count(DISTINCT agent||module||transcript_id) FROM case_results WHERE run_id=2")
    if [ "$rc2" -eq 3 ] && grep -qF "$DB" <<<"$err2" && grep -qiE "full|space" <<<"${err2//$DB/}" && [ "$intact" = 1 ] \
       && [ "$n2" -gt 0 ] && [ "$n2" -lt 320 ] \
       && [ "$rc3" -eq "$rc1" ] && [ "$after" = "$clean" ] && [ "$dups" = "0" ] && db_intact "$DB" 2 320; then
      info "the disk filled after $n2 of 320 cases of run 2; stderr: $(head -c 300 <<<"$err2" | tr '\n' ' ')"
      ok
    else
      bad "run 2 exit $rc2 (wanted 3) after $n2 cases (wanted some, not all 320), stderr [${err2:0:400}]; while full: $why_full; resume exit $rc3 (wanted $rc1) [${err3:0:200}], $dups duplicates, same verdicts as run 1: $([ "$after" = "$clean" ] && echo yes || echo no); ${WHY:-}"
    fi
    stop_simlm
  fi
  unmount "$MNT"
else
  info "skipped: needs a tmpfs mount (see disk_full_at_start)"; ok
fi

begin readonly_database
MNT=$WORK/mnt
DB=$MNT/h.db
if mount_tmpfs "$MNT" 16m; then
  if start_simlm $(truth_args); then
    run "$HX_BIN" run --suite suite.json --no-recompile --db "$DB" --concurrency 16
    rc1=$RC
    sum_before=$(sha256sum "$DB" | cut -d' ' -f1)
    ls_before=$(ls -A "$MNT")
    if mount -o remount,ro "$MNT" 2>"$TMP/mount.err"; then
      run "$HX_BIN" run --suite suite.json --no-recompile --db "$DB" --concurrency 16
      rc2=$RC err2=$ERR
      sum_after=$(sha256sum "$DB" | cut -d' ' -f1)
      # listed before anything else opens the database: the sqlite3 checks
      # below may checkpoint and remove the -wal and -shm the run left
      ls_after=$(ls -A "$MNT")
      mount -o remount,rw "$MNT"
      intact=1; db_intact "$DB" 1 320 || intact=0
      if [ "$rc1" -le 1 ] && [ "$rc2" -eq 3 ] && grep -qF "$DB" <<<"$err2" && grep -qi "read-only" <<<"${err2//$DB/}" \
         && [ "$sum_before" = "$sum_after" ] && [ "$ls_after" = "$ls_before" ] && [ "$intact" = 1 ]; then
        info "stderr: $(head -c 300 <<<"$err2" | tr '\n' ' ')"
        ok
      else
        bad "run 1 exit $rc1; run 2 exit $rc2 (wanted 3), stderr [${err2:0:400}] (wanted the path and 'read-only'); file unchanged: $([ "$sum_before" = "$sum_after" ] && echo yes || echo no); files [$(echo $ls_after)] (before: [$(echo $ls_before)]); afterwards: $WHY"
      fi
    else
      bad "cannot remount $MNT read-only: $(cat "$TMP/mount.err")"
    fi
    stop_simlm
  fi
  unmount "$MNT"
else
  # Without mount: file permissions, which only bind a non-root user.
  mkdir -p "$MNT"; DB=$MNT/h.db
  if [ "$(id -u)" -ne 0 ] && start_simlm $(truth_args); then
    info "no tmpfs mount: chmod 444 (effective for a non-root user)"
    run "$HX_BIN" run --suite suite.json --no-recompile --db "$DB" --concurrency 16
    chmod 444 "$DB"; chmod 555 "$MNT"
    sum_before=$(sha256sum "$DB" | cut -d' ' -f1)
    run "$HX_BIN" run --suite suite.json --no-recompile --db "$DB" --concurrency 16
    rc2=$RC err2=$ERR
    chmod 755 "$MNT"; chmod 644 "$DB"
    if [ "$rc2" -eq 3 ] && grep -qF "$DB" <<<"$err2" && [ "$sum_before" = "$(sha256sum "$DB" | cut -d' ' -f1)" ] \
       && db_intact "$DB" 1 320; then ok
    else bad "run 2 exit $rc2 (wanted 3), stderr [${err2:0:400}]; ${WHY:-}"; fi
    stop_simlm
  else
    bad "root without mount(2): neither a read-only mount nor chmod can make the file read-only for root here ($(cat "$TMP/mount.err" 2>/dev/null))"
  fi
fi

# --- (e) the API key is written nowhere ----------------------------------------------------
SECRET="sk-hxrel-$(od -An -N12 -tx1 /dev/urandom | tr -d ' \n')"
# scan_secret WHAT FILES...: the files that contain SECRET (as bytes, and as
# the base64 of "Bearer SECRET" or of SECRET, in case something encodes it)
scan_secret() {
  local hits="" f b64a b64b
  b64a=$(printf '%s' "$SECRET" | base64 -w0 | head -c 20)
  b64b=$(printf 'Bearer %s' "$SECRET" | base64 -w0 | head -c 24)
  for f in "$@"; do
    [ -f "$f" ] || continue
    if grep -qaF -e "$SECRET" -e "${SECRET#sk-}" -e "$b64a" -e "$b64b" "$f"; then hits="$hits $f"; fi
  done
  echo "$hits"
}

begin api_key_never_written
DB=$WORK/reports/harness.db
export SIMLM_API_KEY=$SECRET
# A capture LM first: proves the key is really sent (so the scan below means
# something) and exercises the error path (every request answered 401 with
# an OpenAI-style error body), where a key is most likely to be echoed.
cat >"$TMP/capture.py" <<'PY'
import http.server, json, sys
rec, portfile = sys.argv[1], sys.argv[2]
class H(http.server.BaseHTTPRequestHandler):
    def do_POST(self):
        self.rfile.read(int(self.headers.get("Content-Length") or 0))
        with open(rec, "a") as f:
            f.write((self.headers.get("Authorization") or "-") + "\n")
        body = json.dumps({"error": {"message": "Incorrect API key provided.", "type": "invalid_request_error",
                                     "param": None, "code": "invalid_api_key"}}).encode()
        self.send_response(401)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)
    def log_message(self, *a):
        pass
s = http.server.ThreadingHTTPServer(("127.0.0.1", 0), H)
open(portfile + ".tmp", "w").write(str(s.server_address[1]))
import os; os.rename(portfile + ".tmp", portfile)
s.serve_forever()
PY
python3 "$TMP/capture.py" "$TMP/captured-auth" "$TMP/capture.port" 2>/dev/null &
CAP=$!
BG_PIDS+=("$CAP")
for _ in $(seq 1 1200); do [ -s "$TMP/capture.port" ] && break; kill -0 "$CAP" 2>/dev/null || break; sleep 0.05; done
cp suite.json suite-capture.json
set_json suite-capture.json "d['lm']['base_url'] = 'http://127.0.0.1:$(cat "$TMP/capture.port")/v1'; d['lm']['max_retries'] = 0; d['lm']['timeout_s'] = 5; d['db'] = 'reports/capture.db'"
run "$HX_BIN" run --suite suite-capture.json --no-recompile --agent restaurant-booking --json
rc_cap=$RC
run "$HX_BIN" run --suite suite-capture.json --no-recompile --agent restaurant-booking
kill "$CAP" 2>/dev/null; wait "$CAP" 2>/dev/null
sent=$(grep -cxF "Bearer $SECRET" "$TMP/captured-auth" 2>/dev/null || echo 0)
if start_simlm $(truth_args) --latency-ms 5 --fail-500 0.1 --fault-mode once; then
  set_json suite.json "d['lm']['max_retries'] = 4"
  # keep a reader connection open across the run, so the -wal and -shm
  # files outlive it and can be scanned too
  start_reader hold 1 hold nowait
  hp=$RPID
  run "$HX_BIN" run --suite suite.json --no-recompile --cache read-write --concurrency 16 --json
  rc_a=$RC
  wait_for "$WORK/hold.json.ready" "$hp"
  run "$HX_BIN" run --suite suite.json --no-recompile --cache read --concurrency 16
  mkdir -p "$WORK/snap"
  cp "$DB"* "$WORK/snap/" 2>/dev/null
  stop_reader hold "$hp"
  stop_simlm
  wal_kept=$(ls "$WORK/snap" | grep -c -- '-wal$')
  # every report format, to stdout and to a file
  rep_rcs=""
  for fmt in html md junit json; do
    run "$HX_BIN" report --db "$DB" --format "$fmt"
    rep_rcs="$rep_rcs $fmt:$RC"
    run "$HX_BIN" report --db "$DB" --format "$fmt" --out "$WORK/reports/report.$fmt"
    rep_rcs="$rep_rcs $fmt-out:$RC"
    run "$HX_BIN" report --db "$WORK/reports/capture.db" --format "$fmt"
    rep_rcs="$rep_rcs capture-$fmt:$RC"
  done
  # --help, validate and check output too (they print config)
  run "$HX_BIN" validate --suite suite.json --json
  mapfile -t files < <(find "$WORK" -type f)
  hits=$(scan_secret "${files[@]}")
  nfiles=${#files[@]}
  dbfiles=$(cd "$WORK" && find . -name '*.db*' -o -name '*lm-cache*' | sort | tr '\n' ' ')
  if [ "$sent" -ge 1 ] && [ "$rc_cap" -eq 3 ] && [ "$rc_a" -le 1 ] && [ "$wal_kept" -ge 1 ] \
     && [ -z "$hits" ] && ! grep -q ":[^0]" <<<"${rep_rcs// /$'\n'}"; then
    info "the key was sent $sent times (401 path) and is in none of $nfiles files: $dbfiles, the reports, every stdout/stderr"
    ok
  else
    bad "key sent $sent times (wanted >= 1; capture run exit $rc_cap, wanted 3); simlm run exit $rc_a; -wal captured: $wal_kept; report exits:$rep_rcs; files holding the key:${hits:- none}"
  fi
else
  true
fi
unset SIMLM_API_KEY

echo "reliability: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
