#!/usr/bin/env python3
"""Rebuild the seed corpora in fuzz/corpus/<target>/ from the repository's
own files (and value lists from ../shared/data/sgd/pairs_dev.jsonl).

    python3 fuzz/make_seeds.py        # from the repository root

Deterministic: the same files give the same seeds. Each target keeps at
most 200 seeds and 1 MB. The byte layouts (selector bytes of fuzz_program
and fuzz_normalize) are those the targets document.
"""
import glob
import hashlib
import json
import os
import re
import shutil
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SHARED = os.environ.get("HX_SHARED", os.path.join(os.path.dirname(ROOT), "shared"))
OUT = os.path.join(ROOT, "fuzz", "corpus")
MAX_FILES = 200
MAX_BYTES = 1 << 20
MAX_LEN = {"suite": 16384, "transcript": 8192, "rules": 4096, "program": 8192,
           "reply": 4096, "normalize": 512}


def rd(rel):
    with open(os.path.join(ROOT, rel), "rb") as f:
        return f.read()


class Corpus:
    def __init__(self, name):
        self.name = name
        self.dir = os.path.join(OUT, name)
        self.seen = set()
        self.items = []

    def add(self, data, tag=""):
        if isinstance(data, str):
            data = data.encode("utf-8")
        if not data or len(data) > MAX_LEN[self.name] or len(self.items) >= MAX_FILES:
            return
        h = hashlib.sha1(data).hexdigest()
        if h in self.seen:
            return
        if sum(len(d) for _, d in self.items) + len(data) > MAX_BYTES:
            return
        self.seen.add(h)
        self.items.append((tag, data))

    def write(self):
        shutil.rmtree(self.dir, ignore_errors=True)
        os.makedirs(self.dir)
        for i, (tag, data) in enumerate(self.items):
            name = "%03d-%s" % (i, re.sub(r"[^a-z0-9_.-]+", "_", tag.lower())[:40] or "seed")
            with open(os.path.join(self.dir, name), "wb") as f:
                f.write(data)
        total = sum(len(d) for _, d in self.items)
        print("%-10s %3d seeds, %7d bytes" % (self.name, len(self.items), total))


def jdump(v, indent=None):
    return json.dumps(v, indent=indent, ensure_ascii=False)


def transcript_lines():
    out = {}
    for f in sorted(glob.glob(os.path.join(ROOT, "transcripts", "*", "*.jsonl"))):
        with open(f, encoding="utf-8") as fh:
            out[os.path.basename(os.path.dirname(f))] = [l for l in fh.read().split("\n") if l.strip()]
    return out


# --- suite -----------------------------------------------------------------
def seeds_suite():
    c = Corpus("suite")
    basic = rd("tests/fixtures/basic/suite.json")
    demo = rd("suite.json")
    c.add(basic, "basic")
    c.add(demo, "demo")
    s = json.loads(demo)
    # Each agent on its own, and small variations the loader reports on.
    for a in s["agents"]:
        one = dict(s, agents=[a])
        c.add(jdump(one, 2), "demo-" + a["name"])
    b = json.loads(basic)
    m = b["agents"][0]["modules"][0]
    variants = [
        ("lm-options", dict(b, lm=dict(b["lm"], temperature=0.7, max_tokens=500, timeout_s=30,
                                        max_retries=2, rpm=60, tpm=100000,
                                        price_per_mtok={"input": 0.15, "output": 0.6}))),
        ("predict", dict(b, agents=[dict(b["agents"][0], modules=[dict(m, predictor="Predict")])])),
        ("program-key", dict(b, agents=[dict(b["agents"][0], modules=[dict(m, program_key="predict")])])),
        ("recompile", dict(b, agents=[dict(b["agents"][0], modules=[dict(m, recompile={
            "optimizer": "native", "auto": "light", "min_cases": 20, "cooldown_hours": 24,
            "promote_margin": 0.02, "max_drop": 5})])])),
        ("unknown-key", dict(b, concurency=4)),
        ("bad-bar", dict(b, agents=[dict(b["agents"][0], modules=[dict(m, bar="high")])])),
        ("two-agents", dict(b, agents=[b["agents"][0], dict(b["agents"][0], name="other")])),
        ("dup-agent", dict(b, agents=[b["agents"][0], b["agents"][0]])),
        ("types", dict(b, agents=[dict(b["agents"][0], modules=[dict(m, signature=dict(
            m["signature"], outputs={"a": "list[str]", "b": "Literal['x', 'y']", "c": "float",
                                     "d": "bool", "e": "Optional[list[int]]"}))])])),
        ("template", dict(b, agents=[dict(b["agents"][0], modules=[dict(m, inputs={
            "transcript": "Call on {call_date}:\n{transcript}", "call_date": "{context.site}"})])])),
        ("no-agents", {"agents": []}),
    ]
    for tag, v in variants:
        c.add(jdump(v, 2), tag)
    c.add(b"{", "truncated")
    c.add(b"[]", "array")
    c.write()


# --- transcript --------------------------------------------------------------
def seeds_transcript():
    c = Corpus("transcript")
    c.add(rd("tests/fixtures/basic/transcripts/booking/calls.jsonl"), "basic-calls.jsonl")
    c.add(rd("tests/fixtures/basic/transcripts/booking/more.json"), "basic-more.json")
    lines = transcript_lines()
    for agent, ls in sorted(lines.items()):
        for i, l in enumerate(ls[:30]):
            c.add(l + "\n", "%s-%d" % (agent, i))
        c.add("\n".join(ls[30:34]) + "\n", agent + "-4lines")
        c.add("[" + ",\n".join(ls[34:37]) + "]", agent + "-array")
        c.add(ls[0] + "\n\n" + ls[0] + "\n", agent + "-dup-id")
        t = json.loads(ls[1])
        c.add(jdump(t, 2), agent + "-pretty")
        # Expected-value forms: null, any_of, a list.
        exp = dict(t.get("expected", {}))
        keys = sorted(exp)
        if keys:
            exp[keys[0]] = None
        if len(keys) > 1:
            exp[keys[1]] = {"any_of": [str(t["expected"][keys[1]]), "tomorrow"]}
        c.add(jdump(dict(t, expected=exp)) + "\n", agent + "-forms")
    c.write()


# --- rules -------------------------------------------------------------------
def seeds_rules():
    c = Corpus("rules")
    c.add(rd("tests/fixtures/basic/assertions/booking.json"), "basic-booking")
    for f in sorted(glob.glob(os.path.join(ROOT, "assertions", "*.json"))):
        c.add(open(f, "rb").read(), os.path.basename(f))
    every = {"fields": {
        "d": {"type": "date", "tolerance_days": 1},
        "t": {"type": "time", "tolerance_minutes": 15, "default_meridiem": "pm"},
        "i": {"type": "integer", "tolerance": 1},
        "n": {"type": "number", "tolerance": 0.5},
        "m": {"type": "money"},
        "p": {"type": "phone", "region": "GB"},
        "b": {"type": "boolean"},
        "a": {"type": "address", "max_name_edits": 1},
        "e": {"type": "enum", "values": {"UnitedHealthcare": ["UHC"], "Aetna": []}},
        "l": {"type": "label", "values": ["covered", "denied"]},
        "x": {"type": "text", "min_similarity": 0.9},
        "r": {"type": "regex", "pattern": "(?i)^[a-z]+\\s\\d+$"},
        "ld": {"type": "list", "items": {"type": "date"}, "ordered": True},
        "le": {"type": "list", "items": {"type": "enum", "values": {"a": ["x"]}}}},
        "case_passes": 0.5}
    c.add(jdump(every, 2), "every-type")
    for mode in ("any", "all", 0.75, "most", 2):
        c.add(jdump({"fields": {"d": {"type": "date"}}, "case_passes": mode}), "case-%s" % mode)
    for tag, rule in [
        ("bad-type", {"type": "datetime"}), ("typo", {"type": "time", "tolerence_minutes": 5}),
        ("bad-regex", {"type": "regex", "pattern": "(abc"}),
        ("redos", {"type": "regex", "pattern": "(a+)+$"}),
        ("dup-alias", {"type": "enum", "values": {"A": ["x"], "B": ["x"]}}),
        ("nested-list", {"type": "list", "items": {"type": "list", "items": {"type": "integer"}}}),
        ("meridiem-am", {"type": "time", "default_meridiem": "am"}),
        ("neg-tol", {"type": "integer", "tolerance": -1}),
    ]:
        c.add(jdump({"fields": {"f": rule}}), tag)
    c.write()


# --- program -----------------------------------------------------------------
# Selector byte: bits 0-2 signature (0 booking, 1 clinic, 2 eligibility,
# 3 showing, 4 every type), bit 3 ChainOfThought, bit 4 key "predict".
MODULES = [("booking_extractor.json", 0, True), ("appointment_extractor.json", 1, False),
           ("eligibility_router.json", 2, True), ("showing_extractor.json", 3, False)]


def predictor_state(j):
    """The saved state of a module's one predictor, whatever the layout."""
    if "signature" in j:
        return {k: v for k, v in j.items() if k != "metadata"}
    return next(v for k, v in j.items() if k != "metadata")


def seeds_program():
    c = Corpus("program")

    def add(sel, data, tag):
        c.add(bytes([sel]) + (data if isinstance(data, bytes) else data.encode("utf-8")), tag)

    add(0 | 8, rd("tests/fixtures/basic/modules/booking_extractor.json"), "basic-booking-cot")
    for f, sig, cot in MODULES:
        raw = rd("modules/" + f)
        sel = sig | (8 if cot else 0)
        add(sel, raw, f + "-ok")
        add(sel | 16, raw, f + "-key")
        add(sel ^ 8, raw, f + "-wrong-cot")
        j = json.loads(raw)
        state = predictor_state(j)
        md = j.get("metadata")
        add(sel, jdump(dict(state, metadata=md), 2), f + "-flat")
        add(sel, jdump({"generate_answer.predict": state, "metadata": md}, 2), f + "-named")
        add(sel, jdump({"a.predict": state, "b.predict": state, "metadata": md}), f + "-two")
        add(sel, jdump({"predict": state}), f + "-no-metadata")
        short = dict(state, signature=dict(state["signature"], fields=state["signature"]["fields"][:-1]))
        add(sel, jdump({"predict": short, "metadata": md}), f + "-short")
        nodemos = dict(state, demos=[])
        add(sel, jdump({"predict": nodemos, "metadata": md}), f + "-no-demos")
    # Parity fixtures' saved states, on the every-type signature (counts differ:
    # the loader's messages) and with metadata added.
    md = json.loads(rd("modules/booking_extractor.json"))["metadata"]
    for f in sorted(glob.glob(os.path.join(ROOT, "tests", "parity", "fixtures", "*.json"))):
        j = json.load(open(f, encoding="utf-8"))
        if "program" in j:
            add(4 | (8 if j.get("predictor") == "ChainOfThought" else 0),
                jdump({"predict": j["program"], "metadata": md}), os.path.basename(f))
    c.write()


# --- reply -------------------------------------------------------------------
def chat(fields):
    return "\n\n".join("[[ ## %s ## ]]\n%s" % (k, v) for k, v in fields) + "\n\n[[ ## completed ## ]]"


def seeds_reply():
    c = Corpus("reply")
    every = [("reasoning", "Step by step."), ("answer", "Gloria"), ("n", "3"), ("x", "2.5"),
             ("b", "True"), ("decision", "needs_pa"), ("tags", '["a", "b"]'), ("nums", "[1, 2, 3]"),
             ("kinds", "['x', 'y']"), ("o", "None"), ("maybe", "7"), ("choice", "'yes'"),
             ("scores", "[0.5, 1e-05]"), ("grid", "[[1, 2], [3]]")]
    c.add(chat(every), "chat-every")
    c.add(chat(every[1:]), "chat-every-predict")
    obj = {k: v for k, v in every}
    c.add(jdump(obj, 2), "json-every-strings")
    typed = {"reasoning": "r", "answer": "a", "n": 3, "x": 2.5, "b": True, "decision": "denied",
             "tags": ["a"], "nums": [1], "kinds": ["x"], "o": None, "maybe": None,
             "choice": "no", "scores": None, "grid": [[1], [2, 3]]}
    c.add(jdump(typed), "json-every-typed")
    c.add("```json\n" + jdump(typed, 2) + "\n```", "json-fenced")
    c.add("Sure! " + jdump(typed).replace('"', "'") + " Done.", "json-single-quotes")
    c.add(jdump(typed).replace("true", "True").replace("null", "None")[:-1] + ",}", "json-python")
    for v in ("42", "-1_000", "0x1F", "3.0", "true", "no", "'covered'", "Literal['a b']",
              "[1, 2]", "['x', 'y']", "[[1]]", "None", "", "  7  ", "1e400", "nan"):
        c.add(chat([("answer", v)]), "chat-answer-" + v)
        c.add('{"answer": %s}' % (v if v and v[0] in "[-0123456789tn" else jdump(v)), "json-answer-" + v)
    # The demo modules' demos as replies.
    for f, _, _ in MODULES:
        j = json.loads(rd("modules/" + f))
        state = predictor_state(j)
        for i, d in enumerate(state.get("demos", [])[:2]):
            outs = [(k, v if isinstance(v, str) else jdump(v)) for k, v in d.items()
                    if k not in ("transcript", "call_date", "augmented")]
            c.add(chat(outs), "%s-demo%d-chat" % (f[:8], i))
            c.add(jdump({k: v for k, v in d.items() if k not in ("transcript", "call_date")}),
                  "%s-demo%d-json" % (f[:8], i))
    # The parity fixtures' completions (their field names differ from the
    # target's; the fuzzer finds its way).
    for f in sorted(glob.glob(os.path.join(ROOT, "tests", "parity", "fixtures", "*.json"))):
        j = json.load(open(f, encoding="utf-8"))
        for i, comp in enumerate(j.get("completions", [])):
            c.add(comp["text"], "%s-%d" % (os.path.basename(f)[:2], i))
    c.write()


# --- normalize -----------------------------------------------------------------
# Byte 0: low nibble 0 date, 1 time, 2 integer, 3 money, 4 number, 5 phone,
# 6 boolean, 7 address, 8 text, 9+ check_field; bits 4-5 reference date
# (0 = 2026-03-02, 3 = unknown), bit 6 meridiem 'p', bit 7 region GB.
# check_field: byte 1 = rule index in fuzz_normalize.c's RULES.
RULE_INDEX = {"date": 0, "date1": 1, "time": 2, "time0": 3, "integer": 4, "number": 5,
              "money": 6, "phone": 7, "boolean": 8, "address": 9, "enum": 10, "label": 11,
              "text": 12, "text1": 13, "regex": 14, "dates": 15, "enums": 16}
KIND_NORM = {"money": 3, "date": 0, "time": 1, "address": 7, "name": 8, "place": 8, "other": 8,
             "duration": 1}
KIND_RULE = {"money": "money", "date": "date", "time": "time", "address": "address",
             "name": "text", "place": "text", "other": "text", "duration": "time"}


def c_strings(path, macro_re):
    out = []
    for line in open(os.path.join(ROOT, path), encoding="utf-8"):
        m = re.match(r'\s*(?:%s)\((?:[A-Z_]+,\s*)?"((?:[^"\\]|\\.)*)"' % macro_re, line)
        if not m:
            m = re.match(r'\s*\{"((?:[^"\\]|\\.)*)",', line)
        if m:
            s = m.group(1)
            s = re.sub(r'\\(["\\])', r"\1", s).replace("\\n", "\n").replace("\\t", "\t")
            out.append(s)
    return out


def seeds_normalize():
    c = Corpus("normalize")

    def norm(i, text, ctx=0):
        c.add(bytes([i | ctx]) + text.encode("utf-8"), "n%d-%s" % (i, text[:24]))

    def check(rule, exp, act, ctx=0):
        c.add(bytes([9 | ctx, RULE_INDEX[rule]]) + ("%s\n%s" % (exp, act)).encode("utf-8"),
              "c-%s-%s" % (rule, exp[:20]))

    # The unit tests' own inputs, a few per normaliser.
    srcs = [(0, "tests/check_norm_date.c", r"[A-Z_]+"), (1, "tests/check_norm_time.c", r"[A-Z_]+"),
            (2, "tests/check_norm_number.c", "INT_OK|INT_NO"),
            (3, "tests/check_norm_number.c", "MONEY_OK|MONEY_NO"),
            (4, "tests/check_norm_number.c", "NUM_OK|NUM_NO"),
            (5, "tests/check_norm_phone.c", "OK|NO"), (6, "tests/check_norm_boolean.c", "YES|NO|REFUSED"),
            (7, "tests/check_norm_address.c", r"[A-Z_]+"), (8, "tests/check_norm_text.c", r"[A-Z_]+")]
    for i, path, mre in srcs:
        got = [s for s in c_strings(path, mre) if s and "%" not in s]
        for k, s in enumerate(got[:: max(1, len(got) // 8)][:8]):
            norm(i, s, (k % 4) << 4 if i in (0, 1) else 0)
    # SGD surfaces (CC BY-SA 4.0; see corpus/README.md): normaliser seeds and
    # (canonical, surface) pairs for the engine.
    pairs_path = os.path.join(SHARED, "data", "sgd", "pairs_dev.jsonl")
    if os.path.exists(pairs_path):
        by_kind = {}
        for line in open(pairs_path, encoding="utf-8"):
            p = json.loads(line)
            by_kind.setdefault(p["kind"], []).append(p)
        for kind in sorted(by_kind):
            ps = by_kind[kind]
            step = max(1, len(ps) // 10)
            for p in ps[::step][:10]:
                norm(KIND_NORM[kind], p["surface"])
            for p in ps[1::step][:5]:
                check(KIND_RULE[kind], p["canonical"], p["surface"])
    else:
        print("note: %s not found; no SGD seeds" % pairs_path, file=sys.stderr)
    for rule, exp, act in [
        ("phone", "+14155550123", "(415) 555-0123"), ("boolean", "true", "yes, I am"),
        ("integer", "12", "twelve"), ("number", "0.5", "1/2"), ("enum", "UnitedHealthcare", "UHC"),
        ("label", "needs_pa", "'needs_pa'"), ("regex", "abc 12", "xyz 99"),
        ("dates", '["2026-03-14", "2026-03-15"]', '["March 14", "the 15th"]'),
        ("enums", '["a", "b"]', '["b", "a"]'), ("time", '{"any_of": ["7 pm", "19:30"]}', "7:30 in the evening"),
        ("date1", "null", "tomorrow"), ("text1", '"n/a"', ""), ("date", "next Tuesday", "2026-03-10"),
    ]:
        check(rule, exp, act)
    c.write()


if __name__ == "__main__":
    os.chdir(ROOT)
    seeds_suite()
    seeds_transcript()
    seeds_rules()
    seeds_program()
    seeds_reply()
    seeds_normalize()
