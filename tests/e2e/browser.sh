#!/usr/bin/env bash
# tests/e2e/browser.sh — the HTML report, opened in a real browser.
#
# Builds a database with history (five runs of the demo suite against simlm,
# each with another seed and accuracy, the last one under model drift), plus
# an agent whose transcript carries <script> and <img onerror> in its turn
# text, its expected values and the values simlm answers. Renders the HTML
# report, opens it in headless Chromium through the DevTools protocol (a
# small client in python3's standard library; nothing is downloaded but
# Debian's chromium package) and checks the live DOM: a trend chart per
# agent with its line and its bar, table rows, the malicious strings shown
# as text and never run — also with the page's Content-Security-Policy
# removed, so that escaping alone is what is tested — and no request for
# anything outside the file. Saves a full-page screenshot to
# reports/report.png. Only 127.0.0.1 is contacted: simlm, and Chromium's
# DevTools port; Chromium's own network is pointed at a dead local proxy.
#
# Prints "browser: N passed, M failed" last.
set -u
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
HX_BIN=${HX_BIN:-$ROOT/bin/harness}
HX_SIMLM=${HX_SIMLM:-$(dirname "$HX_BIN")/simlm}
PNG=${REPORT_PNG:-$ROOT/reports/report.png}
RUNS=5
export NO_COLOR=1
pass=0 fail=0 current=""
ok() { pass=$((pass + 1)); echo "ok - $current"; }
bad() { fail=$((fail + 1)); echo "not ok - $current: $*"; }
finish() { echo "browser: $pass passed, $fail failed"; [ "$fail" -eq 0 ]; exit; }

TMP=$(mktemp -d)
SIMLM_PID=""
stop_simlm() { [ -n "$SIMLM_PID" ] && kill "$SIMLM_PID" 2>/dev/null && wait "$SIMLM_PID" 2>/dev/null; SIMLM_PID=""; }
trap 'stop_simlm; if [ -n "${KEEP_TMP:-}" ]; then echo "# kept $TMP"; else rm -rf "$TMP"; fi' EXIT

# --- chromium: Debian's package, installed on first use -----------------------
current=chromium_available
CHROMIUM=$(command -v chromium || command -v chromium-browser || true)
if [ -z "$CHROMIUM" ]; then
  echo "browser: installing Debian's chromium (only this test needs it)"
  if [ "$(id -u)" -eq 0 ]; then SUDO=; else SUDO=sudo; fi
  { $SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq chromium; } \
    >"$TMP/apt.log" 2>&1 || { tail -5 "$TMP/apt.log"; }
  CHROMIUM=$(command -v chromium || true)
fi
if [ -z "$CHROMIUM" ]; then bad "chromium is not installed and could not be"; finish; fi
ok

# --- a suite: the demo's four agents, and one with hostile strings ----------------
WORK=$TMP/suite
mkdir -p "$WORK"
cp -r "$ROOT/suite.json" "$ROOT/transcripts" "$ROOT/assertions" "$ROOT/modules" "$WORK/"
FIX=$ROOT/tests/fixtures/basic
mkdir -p "$WORK/transcripts/xss"
cp "$FIX"/transcripts/booking/* "$WORK/transcripts/xss/"
cp "$FIX/assertions/booking.json" "$WORK/assertions/xss.json"
cp "$FIX/modules/booking_extractor.json" "$WORK/modules/xss_extractor.json"
python3 - "$WORK" "$FIX/suite.json" <<'PY'
import json, sys
work, fixture = sys.argv[1], sys.argv[2]
script, img = '<script>window.__xss=1</script>', '<img src=x onerror="window.__xss=2">'
# Untaught "correction" and "never-given" skills make simlm answer the hints:
# the hostile strings come back as the module's actual values, and fail.
t = {"id": "xss-0001", "call_date": "2026-11-25", "tags": ["correction", "never-given"],
     "context": {"simlm": {"correction": {"name": img}, "never-given": {"phone": script}}},
     "turns": [{"speaker": "agent", "text": "Luigi's, how can I help? " + script},
               {"speaker": "caller", "text": "Two of us tomorrow at 7pm, name is " + script + " " + img}],
     "expected": {"date": "2026-11-26", "time": "19:00", "party_size": 2, "name": script, "phone": None}}
open(work + "/transcripts/xss/xss.jsonl", "w").write(json.dumps(t) + "\n")
suite = json.load(open(work + "/suite.json"))
agent = json.load(open(fixture))["agents"][0]
agent["name"] = "xss-agent"
agent["transcripts"] = "transcripts/xss"
agent["modules"][0]["program"] = "modules/xss_extractor.json"
agent["modules"][0]["assertions"] = "assertions/xss.json"
suite["agents"].append(agent)
suite["db"] = "h.db"
json.dump(suite, open(work + "/suite.json", "w"), indent=1)
PY
cd "$WORK" || finish

# --- history: five runs, each with another seed and accuracy, the last drifted -------
# start_simlm ARGS...: simlm on an ephemeral loopback port; the suite points at it.
start_simlm() {
  rm -f "$WORK/simlm.port"
  local truth=()
  for d in transcripts/*/; do truth+=(--truth "$d"); done
  "$HX_SIMLM" --port 0 --port-file "$WORK/simlm.port" --quiet "${truth[@]}" "$@" 2>"$WORK/simlm.err" &
  SIMLM_PID=$!
  for _ in $(seq 1 200); do [ -s "$WORK/simlm.port" ] && break; kill -0 "$SIMLM_PID" 2>/dev/null || break; sleep 0.05; done
  [ -s "$WORK/simlm.port" ] || return 1
  python3 - "$WORK/suite.json" "$(cat "$WORK/simlm.port")" <<'PY'
import json, sys
f, port = sys.argv[1], sys.argv[2]
d = json.load(open(f))
d["lm"]["base_url"] = "http://127.0.0.1:%s/v1" % port
json.dump(d, open(f, "w"), indent=1)
PY
}
current=history_of_${RUNS}_runs
known=(0.5 0.4 0.6 0.3 0)
hist_ok=1
for i in $(seq 1 $RUNS); do
  extra=(--seed "$i" --known-anyway "${known[$((i - 1))]}")
  [ "$i" -eq "$RUNS" ] && extra+=(--drift)
  if ! start_simlm "${extra[@]}"; then hist_ok=0; bad "simlm did not start: $(cat "$WORK/simlm.err")"; break; fi
  "$HX_BIN" run --suite suite.json --cache off --no-recompile >"$TMP/run.out" 2>"$TMP/run.err"
  rc=$?
  stop_simlm
  if [ "$rc" -gt 1 ]; then hist_ok=0; bad "run $i exited $rc: $(head -c 600 "$TMP/run.err")"; break; fi
done
[ "$hist_ok" -eq 1 ] || finish
sql() { sqlite3 -batch -noheader h.db "$1"; }
LATEST=$(sql "SELECT max(run_id) FROM module_scores")
[ "$LATEST" = "$RUNS" ] && ok || { bad "latest run is [$LATEST]"; finish; }

# What the page must show, from the views.
N_AGENTS=$(sql "SELECT count(*) FROM agent_scores WHERE run_id = $LATEST")
N_MODULES=$(sql "SELECT count(*) FROM module_scores WHERE run_id = $LATEST")
N_FIELDROWS=$(sql "SELECT count(DISTINCT agent || '/' || module) FROM field_scores WHERE run_id = $LATEST")
N_WORST=$(sql "SELECT min(20, count(*)) FROM case_results WHERE run_id = $LATEST AND status <> 'pass'")
N_TRIGGERS=$(sql "SELECT min(50, count(*)) FROM recompile_triggers WHERE run_id <= $LATEST")
N_CASES=$(sql "SELECT count(*) FROM case_results WHERE run_id = $LATEST")
N_FAILED=$(sql "SELECT count(*) FROM case_results WHERE run_id = $LATEST AND status = 'fail'")
XSS_STATUS=$(sql "SELECT status FROM case_results WHERE run_id = $LATEST AND transcript_id = 'xss-0001'")

# --- the reports ---------------------------------------------------------------------
current=report_renders
"$HX_BIN" report --db h.db --format html --out "$TMP/report.html" 2>"$TMP/rep.err" \
  && "$HX_BIN" report --db h.db --format junit --out "$TMP/report.xml" 2>>"$TMP/rep.err" \
  && "$HX_BIN" report --db h.db --format json --out "$TMP/report.json" 2>>"$TMP/rep.err" \
  && ok || { bad "harness report failed: $(cat "$TMP/rep.err")"; finish; }

current=hostile_case_fails
[ "$XSS_STATUS" = "fail" ] && ok || bad "xss-0001 is [$XSS_STATUS] in run $LATEST, wanted fail"

current=junit_is_well_formed_xml
python3 - "$TMP/report.xml" "$N_CASES" "$N_FAILED" <<'PY' && ok || bad "see above"
import sys, xml.etree.ElementTree as ET
root = ET.parse(sys.argv[1]).getroot()
cases, failures = root.findall(".//testcase"), root.findall(".//testcase/failure")
assert len(cases) == int(sys.argv[2]), (len(cases), sys.argv[2])
assert len(failures) == int(sys.argv[3]), (len(failures), sys.argv[3])
texts = [f.text or "" for f in failures]
assert any('<script>window.__xss=1</script>' in t for t in texts), "hostile text lost"
PY

current=json_parses
python3 -c "import json,sys; d=json.load(open(sys.argv[1])); assert d['run']['run_id']==int(sys.argv[2])" \
  "$TMP/report.json" "$LATEST" && ok || bad "JSON report"

# The same page with its Content-Security-Policy removed: without that
# safety net, only escaping stands between the strings and the browser.
sed 's/<meta http-equiv="Content-Security-Policy"[^>]*>//' "$TMP/report.html" >"$TMP/report-nocsp.html"
grep -q 'Content-Security-Policy' "$TMP/report-nocsp.html" && { current=csp_removed; bad "sed left the CSP"; }

# --- Chromium through the DevTools protocol ---------------------------------------------
cat >"$TMP/cdp.py" <<'PY'
"""Open pages in headless Chromium over the DevTools protocol; print facts as JSON.

usage: cdp.py CHROMIUM PROFILE_DIR PNG URL...
For each URL: navigate, wait for load, collect DOM facts, requests and console
messages; the first page is also saved as a full-page PNG screenshot.
"""
import base64, json, os, socket, struct, subprocess, sys, time, urllib.request

chromium, profile, png, urls = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4:]

class WebSocket:
    """The client side of RFC 6455, text frames only: enough for DevTools."""
    def __init__(self, url):
        hostport, path = url[len("ws://"):].split("/", 1)
        host, port = hostport.rsplit(":", 1)
        self.sock = socket.create_connection((host, int(port)), timeout=60)
        key = base64.b64encode(os.urandom(16)).decode()
        self.sock.sendall(("GET /%s HTTP/1.1\r\nHost: %s\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                           "Sec-WebSocket-Key: %s\r\nSec-WebSocket-Version: 13\r\n\r\n" % (path, hostport, key)).encode())
        head = b""
        while b"\r\n\r\n" not in head:
            chunk = self.sock.recv(4096)
            if not chunk:
                raise RuntimeError("DevTools closed the connection during the handshake")
            head += chunk
        head, self.buf = head.split(b"\r\n\r\n", 1)
        if b" 101 " not in head.split(b"\r\n", 1)[0]:
            raise RuntimeError("DevTools refused the WebSocket: %r" % head[:200])

    def _exact(self, n):
        while len(self.buf) < n:
            chunk = self.sock.recv(1 << 20)
            if not chunk:
                raise RuntimeError("DevTools closed the connection")
            self.buf += chunk
        out, self.buf = self.buf[:n], self.buf[n:]
        return out

    def _frame(self, opcode, data):
        mask = os.urandom(4)
        n = len(data)
        head = bytes([0x80 | opcode])
        if n < 126:
            head += bytes([0x80 | n])
        elif n < 65536:
            head += bytes([0x80 | 126]) + struct.pack(">H", n)
        else:
            head += bytes([0x80 | 127]) + struct.pack(">Q", n)
        body = bytes(b ^ mask[i % 4] for i, b in enumerate(data))
        self.sock.sendall(head + mask + body)

    def send(self, text):
        self._frame(0x1, text.encode())

    def recv(self):
        message = b""
        while True:
            b0, b1 = self._exact(2)
            n = b1 & 0x7F
            if n == 126:
                n = struct.unpack(">H", self._exact(2))[0]
            elif n == 127:
                n = struct.unpack(">Q", self._exact(8))[0]
            mask = self._exact(4) if b1 & 0x80 else None
            data = self._exact(n)
            if mask:
                data = bytes(b ^ mask[i % 4] for i, b in enumerate(data))
            opcode = b0 & 0x0F
            if opcode == 0x9:
                self._frame(0xA, data)
                continue
            if opcode == 0x8:
                raise RuntimeError("DevTools closed the WebSocket")
            message += data
            if b0 & 0x80:
                return message.decode()

class Page:
    def __init__(self, ws):
        self.ws, self.next_id, self.events = ws, 0, []

    def call(self, method, **params):
        self.next_id += 1
        self.ws.send(json.dumps({"id": self.next_id, "method": method, "params": params}))
        while True:
            msg = json.loads(self.ws.recv())
            if msg.get("id") == self.next_id:
                if "error" in msg:
                    raise RuntimeError("%s: %s" % (method, msg["error"]))
                return msg.get("result", {})
            if "method" in msg:
                self.events.append(msg)

    def wait_event(self, name, timeout=30):
        end = time.time() + timeout
        while not any(e["method"] == name for e in self.events):
            if time.time() > end:
                raise RuntimeError("no %s within %d s" % (name, timeout))
            msg = json.loads(self.ws.recv())
            if "method" in msg:
                self.events.append(msg)

FACTS = r"""(() => {
  const q = s => document.querySelectorAll(s);
  const charts = [...q('svg.trend')].map(svg => ({
    agent: svg.getAttribute('data-agent'),
    lines: svg.querySelectorAll('path.rate, polyline.rate').length,
    line_d: (svg.querySelector('path.rate') || {getAttribute: () => ''}).getAttribute('d'),
    bars: svg.querySelectorAll('line.bar').length,
    points: svg.querySelectorAll('circle.pt').length,
    width: svg.getBoundingClientRect().width }));
  const body = document.body.textContent;
  return JSON.stringify({
    xss: typeof window.__xss,
    charts,
    modules: q('table#modules > tbody > tr.module').length,
    fieldrows: q('table#fields > tbody > tr.fieldrow').length,
    heat: q('table#fields td.heat').length,
    worst: q('table#worst > tbody > tr.case').length,
    triggers: q('table#recompiles > tbody > tr.trigger').length,
    scripts: q('script').length,
    imgs: q('img').length,
    embeds: q('iframe, object, embed, link, [src], [href]').length,
    script_text: body.includes('<script>window.__xss=1</script>'),
    img_text: body.includes('<img src=x onerror="window.__xss=2">'),
    xss_row: [...q('table#worst > tbody > tr.case')].some(tr => tr.getAttribute('data-transcript') === 'xss-0001'),
    model: (document.querySelector('#fact-model') || {}).textContent,
    height: document.documentElement.scrollHeight });
})()"""

log = open(os.path.join(profile, "..", "chromium.log"), "w")
proc = subprocess.Popen([chromium, "--headless", "--no-sandbox", "--disable-gpu", "--remote-debugging-port=0",
                         "--user-data-dir=" + profile, "--no-first-run", "--no-default-browser-check",
                         "--disable-background-networking", "--disable-component-update", "--disable-sync",
                         "--disable-extensions", "--disable-default-apps", "--metrics-recording-only",
                         "--disable-breakpad", "--mute-audio", "--hide-scrollbars", "--window-size=1280,900",
                         # anything Chromium might fetch goes to a dead local port
                         "--proxy-server=http://127.0.0.1:9", "--proxy-bypass-list=<-loopback>",
                         "--host-resolver-rules=MAP * ~NOTFOUND , EXCLUDE 127.0.0.1", "about:blank"],
                        stdout=subprocess.DEVNULL, stderr=log)
try:
    port_file = os.path.join(profile, "DevToolsActivePort")
    for _ in range(600):
        if os.path.exists(port_file) and open(port_file).read().count("\n") >= 1:
            break
        if proc.poll() is not None:
            raise RuntimeError("chromium exited with %s" % proc.returncode)
        time.sleep(0.05)
    port = int(open(port_file).read().split("\n")[0])
    targets = json.load(urllib.request.urlopen("http://127.0.0.1:%d/json/list" % port, timeout=30))
    page_ws = next(t["webSocketDebuggerUrl"] for t in targets if t["type"] == "page")
    page = Page(WebSocket(page_ws))
    for m in ("Page.enable", "Runtime.enable", "Network.enable", "Log.enable"):
        page.call(m)
    page.call("Emulation.setDeviceMetricsOverride", width=1280, height=900, deviceScaleFactor=1, mobile=False)
    results = []
    for n, url in enumerate(urls):
        page.events = []
        page.call("Page.navigate", url=url)
        page.wait_event("Page.loadEventFired")
        time.sleep(0.3)  # let any (unwanted) onerror handler fire
        facts = json.loads(page.call("Runtime.evaluate", expression=FACTS, returnByValue=True)["result"]["value"])
        facts["xss_after"] = page.call("Runtime.evaluate", expression="typeof window.__xss",
                                       returnByValue=True)["result"]["value"]
        facts["requests"] = [e["params"]["request"]["url"] for e in page.events
                             if e["method"] == "Network.requestWillBeSent"]
        facts["console"] = [e["params"]["entry"]["text"] for e in page.events if e["method"] == "Log.entryAdded"]
        facts["console"] += [str(e["params"].get("exceptionDetails", {}).get("text"))
                             for e in page.events if e["method"] == "Runtime.exceptionThrown"]
        if n == 0:
            h = max(900, min(int(facts["height"]), 16000))
            page.call("Emulation.setDeviceMetricsOverride", width=1280, height=h, deviceScaleFactor=1, mobile=False)
            shot = page.call("Page.captureScreenshot", format="png", captureBeyondViewport=True)
            open(png, "wb").write(base64.b64decode(shot["data"]))
            page.call("Emulation.setDeviceMetricsOverride", width=1280, height=900, deviceScaleFactor=1, mobile=False)
        results.append(facts)
    print(json.dumps(results))
finally:
    proc.terminate()
    try:
        proc.wait(timeout=10)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()
PY

current=chromium_loads_report
mkdir -p "$TMP/profile" "$(dirname "$PNG")"
if ! timeout 180 python3 "$TMP/cdp.py" "$CHROMIUM" "$TMP/profile" "$PNG" \
     "file://$TMP/report.html" "file://$TMP/report-nocsp.html" >"$TMP/facts.json" 2>"$TMP/cdp.err"; then
  bad "$(tail -5 "$TMP/cdp.err"); chromium log: $(tail -5 "$TMP/chromium.log" 2>/dev/null)"
  finish
fi
ok

# check NAME PYTHON-ASSERTIONS: run assertions on F (the facts of both pages).
check() {
  current=$1
  python3 - "$TMP/facts.json" "$2" <<'PY' 2>"$TMP/check.err" && ok || bad "$(tail -3 "$TMP/check.err")"
import json, sys
F = json.load(open(sys.argv[1]))
exec(sys.argv[2])
PY
}
E="N_AGENTS=$N_AGENTS; N_MODULES=$N_MODULES; N_FIELDROWS=$N_FIELDROWS; N_WORST=$N_WORST; N_TRIGGERS=$N_TRIGGERS; RUNS=$RUNS"

check trend_chart_per_agent "$E
c = F[0]['charts']
assert len(c) == N_AGENTS, ('charts', len(c), N_AGENTS)
assert len({x['agent'] for x in c}) == N_AGENTS, 'one chart per agent'
for x in c:
    assert x['lines'] == 1 and x['line_d'].count(',') == RUNS, ('a line through every run', x)
    assert x['bars'] == 1, ('a bar line', x)
    assert x['points'] == RUNS, ('a point per run', x)
    assert x['width'] > 200, ('drawn at a readable size', x)"

check table_rows "$E
f = F[0]
assert f['modules'] == N_MODULES, ('modules', f['modules'], N_MODULES)
assert f['fieldrows'] == N_FIELDROWS, ('field rows', f['fieldrows'], N_FIELDROWS)
assert f['heat'] > 0, 'heat cells'
assert f['worst'] == N_WORST, ('worst', f['worst'], N_WORST)
assert f['triggers'] == N_TRIGGERS, ('triggers', f['triggers'], N_TRIGGERS)
assert f['model'] == 'openai/simlm-1', f['model']"

check hostile_strings_are_text "
for f in F:
    assert f['script_text'], '<script> string not shown as text'
    assert f['img_text'], '<img onerror> string not shown as text'
    assert f['xss_row'], 'the hostile case is among the worst'"

check no_script_ran "
for f in F:
    assert f['xss'] == 'undefined' and f['xss_after'] == 'undefined', ('window.__xss', f['xss'], f['xss_after'])
    assert f['scripts'] == 0 and f['imgs'] == 0, ('elements injected', f['scripts'], f['imgs'])
    assert f['embeds'] == 0, ('external references', f['embeds'])"

check no_network_and_no_console_errors "
for f in F:
    others = [u for u in f['requests'] if not u.startswith('file://')]
    assert not others, ('requests', others)
    assert not f['console'], ('console', f['console'])"

current=screenshot_saved
if [ -s "$PNG" ] && [ "$(head -c 8 "$PNG" | od -An -tx1 | tr -d ' \n')" = "89504e470d0a1a0a" ]; then
  ok; echo "# screenshot: $PNG"
else
  bad "no PNG at $PNG"
fi

finish
