#!/usr/bin/env bash
# make demo: start the bundled simulated LM (simlm) on 127.0.0.1, replay the
# shipped transcripts with `harness run`, print the scores, stop simlm. The
# database stays under reports/. simlm is a deterministic test double, not a
# real model: see simlm/README.md for how its accuracy depends on the prompt.
set -u
cd "$(dirname "$0")/.."
BIN=${BIN:-bin}
PORT=${SIMLM_PORT:-8788}   # the port suite.json names
mkdir -p reports
truth=()
for d in transcripts/*/; do truth+=(--truth "$d"); done
"$BIN/simlm" --port "$PORT" --port-file reports/simlm.port --latency-ms 20 --jitter-ms 10 --quiet "${truth[@]}" \
  2>reports/simlm.log &
pid=$!
trap 'kill $pid 2>/dev/null; wait $pid 2>/dev/null; rm -f reports/simlm.port' EXIT
for _ in $(seq 1 100); do [ -s reports/simlm.port ] && break; kill -0 $pid 2>/dev/null || break; sleep 0.05; done
if [ ! -s reports/simlm.port ]; then
  echo "demo: simlm could not start on 127.0.0.1:$PORT:" >&2
  cat reports/simlm.log >&2
  echo "demo: is the port taken? SIMLM_PORT=NNNN make demo picks another (suite.json names $PORT)." >&2
  exit 3
fi
echo "demo: simlm (the simulated LM) listening on 127.0.0.1:$PORT; replaying $(cat transcripts/*/*.jsonl | wc -l) transcripts"
args=(run --suite suite.json --no-recompile)
if [ "$PORT" != 8788 ]; then
  sed "s|http://127.0.0.1:8788/v1|http://127.0.0.1:$PORT/v1|" suite.json > reports/demo-suite.json
  args=(run --suite reports/demo-suite.json --db reports/harness.db --no-recompile)
fi
start=$(date +%s.%N)
"$BIN/harness" "${args[@]}"
rc=$?
end=$(date +%s.%N)
printf 'demo: wall time %.2f s; exit %d (%s). Results: reports/harness.db, e.g.\n' "$(awk "BEGIN{print $end - $start}")" $rc \
  "$([ $rc -eq 0 ] && echo 'every module at or above its bar' || ([ $rc -eq 1 ] && echo 'some module below its bar' || echo 'see above'))"
echo "  sqlite3 reports/harness.db 'SELECT agent, module, pass_rate, bar FROM module_scores ORDER BY run_id DESC LIMIT 4'"
# Below the bar is the demo's expected outcome (the shipped programs were
# compiled before the skills simlm rewards were taught), so it is not a failure here.
[ $rc -le 1 ]
