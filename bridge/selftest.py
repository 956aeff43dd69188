#!/usr/bin/env python3
"""bridge/selftest.py: checks of bridge/recompile.py's pieces against real DSPy.

Run by tests/e2e/loop.sh with the venv's Python:
    .venv/bin/python bridge/selftest.py --suite suite.json --lib bin/libharness.so

It checks that every suite type becomes the Python type DSPy expects, that
every module of the suite is rebuilt with the file's predictor names and the
suite's field names, types and order, and that program.load() reads the
module's program. It also checks that a predictor kept under a dotted name
is saved back into its file without dropping the file's other predictors,
and that the metric reaches libharness. It prints one line per check and
exits 1 if any fails.
"""

import argparse
import ctypes
import json
import os
import sys
import tempfile
import typing

os.environ.setdefault("LITELLM_LOCAL_MODEL_COST_MAP", "True")
os.environ.setdefault("DSPY_CACHEDIR", tempfile.mkdtemp(prefix="hx-selftest-cache-"))
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import dspy  # noqa: E402

import recompile as rc  # noqa: E402

failures = []


def check(name, cond, detail=""):
    print("%s - %s%s" % ("ok" if cond else "not ok", name, "" if cond else ": " + str(detail)))
    if not cond:
        failures.append(name)


def refused(text):
    try:
        rc.parse_type(text)
    except SystemExit:
        return True
    return False


def test_types():
    cases = {
        "str": str, "int": int, "float": float, "bool": bool, "list[str]": list[str],
        "Optional[str]": typing.Optional[str], "Optional[list[str]]": typing.Optional[list[str]],
        "Literal['covered', 'needs_pa', 'denied']": typing.Literal["covered", "needs_pa", "denied"],
        "Literal['a]b', \"c'd\"]": typing.Literal["a]b", "c'd"],
        "typing.Optional[int]": typing.Optional[int],
    }
    for text, want in cases.items():
        got = rc.parse_type(text)
        check("type %s" % text, got == want, got)
    for text in ("dict[str, str]", "Literal[x]", "__import__('os')", "list[str, int]", "Optional"):
        check("type %s refused" % text, refused(text))


def test_suite_modules(suite_path):
    suite = json.load(open(suite_path))
    base = os.path.dirname(os.path.abspath(suite_path))
    for agent in suite["agents"]:
        for m in agent["modules"]:
            path = rc.resolve(base, m["program"])
            state = json.load(open(path))
            program, key = rc.build_program(dspy, m, state)
            program.load(path)
            names = [n for n, _ in program.named_predictors()]
            check("%s: predictor name" % m["name"], names == [key] or (key == "" and names == ["self"]), (names, key))
            pred = program.predictors()[0]
            sig = pred.signature
            ins, outs = list(sig.input_fields), list(sig.output_fields)
            want_outs = list(m["signature"]["outputs"])
            if m.get("predictor") == "ChainOfThought":
                want_outs = ["reasoning"] + want_outs
            check("%s: fields" % m["name"], ins == list(m["signature"]["inputs"]) and outs == want_outs,
                  (ins, outs))
            for name, spec in m["signature"]["outputs"].items():
                want, _ = rc.field_spec(spec)
                check("%s.%s: type" % (m["name"], name), sig.output_fields[name].annotation == want,
                      sig.output_fields[name].annotation)
            st = state[key] if key else state
            check("%s: instructions loaded" % m["name"], sig.instructions == st["signature"]["instructions"])


def test_dotted_key_keeps_other_predictors():
    module = {"name": "x", "predictor": "ChainOfThought", "program_key": "extract.predict",
              "signature": {"instructions": "Extract.", "inputs": {"text": "str"},
                            "outputs": {"when": {"type": "Optional[str]", "desc": "the date"}}}}
    pstate = {"traces": [], "train": [], "demos": [],
              "signature": {"instructions": "Saved instructions.",
                            "fields": [{"prefix": "Text:", "description": "${text}"},
                                       {"prefix": "Reasoning:", "description": "${reasoning}"},
                                       {"prefix": "When:", "description": "the date"}]},
              "lm": None}
    other = dict(pstate, signature={"instructions": "Another predictor.", "fields": []})
    state = {"extract.predict": pstate, "other": other,
             "metadata": {"dependency_versions": {"python": "3.11", "dspy": "3.3.1", "cloudpickle": "3.1"}}}
    with tempfile.TemporaryDirectory() as d:
        src, out = os.path.join(d, "p.json"), os.path.join(d, "out.json")
        json.dump(state, open(src, "w"))
        program, key = rc.build_program(dspy, module, state)
        program.load(src)
        check("dotted: loads", program.predictors()[0].signature.instructions == "Saved instructions.")
        program.predictors()[0].signature = program.predictors()[0].signature.with_instructions("New.")
        rc.save_program(program, key, state, out)
        saved = json.load(open(out))
        check("dotted: other predictor kept", saved.get("other") == other, list(saved))
        check("dotted: new instructions saved", saved["extract.predict"]["signature"]["instructions"] == "New.")


def test_metric(lib, suite_path):
    suite = json.load(open(suite_path))
    base = os.path.dirname(os.path.abspath(suite_path))
    m = suite["agents"][0]["modules"][0]
    rules = rc.resolve(base, m["assertions"])
    ins, outs = list(m["signature"]["inputs"]), list(m["signature"]["outputs"])
    first = outs[0]
    ex = dspy.Example(**{k: "v-" + k for k in ins}).with_inputs(*ins)
    truth = {tuple("v-" + k for k in ins): (json.dumps({first: "2026-11-26"}), "2026-11-25")}
    metric = rc.HarnessMetric(lib, rules, ins, outs, truth)
    right = dspy.Prediction(**{first: "tomorrow" if "date" in first else "2026-11-26"})
    wrong = dspy.Prediction(**{first: "2026-12-26"})
    check("metric: right answer scores 1", metric(ex, right) == 1.0, metric(ex, right))
    check("metric: wrong answer scores 0", metric(ex, wrong) == 0.0, metric(ex, wrong))
    check("metric: bootstrapping gets a bool", metric(ex, wrong, trace=[]) is False)
    check("metric: label of any_of is its first value", rc.label({"any_of": ["Dana", "D"]}) == "Dana")
    ctypes.CDLL(lib)  # loadable on its own, too


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--suite", required=True)
    p.add_argument("--lib", required=True)
    a = p.parse_args()
    test_types()
    test_suite_modules(a.suite)
    test_dotted_key_keeps_other_predictors()
    test_metric(a.lib, a.suite)
    print("bridge selftest: %d failed" % len(failures))
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
