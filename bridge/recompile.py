#!/usr/bin/env python3
"""bridge/recompile.py: recompile one harness module with DSPy's own MIPROv2.

`harness recompile` (harness/recompile.c) runs this script as a child
process, with an argv and no shell, a time limit, and its stdout and stderr
written to reports/recompile/<trigger id>/optimizer.log. It can also be run
by hand with the same arguments.

It does what a DSPy user would do by hand, and nothing the harness could get
wrong on its own:
  * it rebuilds the module from the suite: a dspy.Signature with the suite's
    field names, types (str, int, float, bool, Literal[...], list[...],
    Optional[...]) and descriptions; a dspy.Predict or dspy.ChainOfThought;
    a wrapper module when the program file keeps the predictor under a
    dotted name. It then loads the current program with `program.load()`;
  * it reads the trainset and valset the harness exported (JSONL lines of
    {"id", "inputs", "expected", "call_date"}) as dspy.Example objects with
    `.with_inputs(...)`;
  * its metric is the harness's own assertion engine, called through ctypes
    in libharness.so (harness/metric.h). The optimizer therefore optimises
    exactly the checks the module is judged by;
  * it points dspy.LM at the suite's OpenAI-compatible endpoint. The API key
    comes from the environment variable the suite names and is never
    printed or saved;
  * it runs dspy.MIPROv2(metric=..., auto=...).compile(...) and saves the
    result with `.save(path)`, the JSON format the harness reads.

It also writes a small JSON summary (--stats): the scores MIPROv2 saw, the
number of LM requests it sent and the new instructions. Exit status: 0 when
a candidate was written, 2 on bad arguments or input, 1 on any other error.
"""

import argparse
import ast
import ctypes
import json
import os
import sys
import tempfile
import threading
import time
import typing

HX_METRIC_ABI = 1  # harness/metric.h


def die(msg, code=2):
    print("recompile.py: " + msg, file=sys.stderr, flush=True)
    sys.exit(code)


# --- the suite ----------------------------------------------------------------


def find_module(suite, spec):
    """The (agent, module) dicts named by "module" or "agent/module"."""
    agent_name, _, mod_name = spec.rpartition("/")
    hits = [(a, m) for a in suite.get("agents", []) for m in a.get("modules", [])
            if m.get("name") == mod_name and (not agent_name or a.get("name") == agent_name)]
    if not hits:
        die('no module "%s" in the suite' % spec)
    if len(hits) > 1:
        die('module "%s" is in several agents; name it as agent/module' % spec)
    return hits[0]


def effective_lm(suite, module):
    """The suite's LM settings with the module's overrides on top."""
    lm = dict(suite.get("lm", {}))
    lm.update(module.get("lm", {}))
    for key in ("model", "base_url"):
        if not lm.get(key):
            die('the suite\'s lm has no "%s"' % key)
    return lm


# --- types: "Literal['a', 'b']", "Optional[list[str]]" ... -------------------

SIMPLE_TYPES = {"str": str, "int": int, "float": float, "bool": bool}


def _type_name(node):
    """"list", "Optional", "typing.Literal" -> the last part."""
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name) and node.value.id == "typing":
        return node.attr
    raise ValueError("unsupported type expression")


def _to_type(node):
    if isinstance(node, (ast.Name, ast.Attribute)):
        name = _type_name(node)
        if name in SIMPLE_TYPES:
            return SIMPLE_TYPES[name]
        raise ValueError("unknown type %r" % name)
    if not isinstance(node, ast.Subscript):
        raise ValueError("unsupported type expression")
    name = _type_name(node.value)
    args = node.slice.elts if isinstance(node.slice, ast.Tuple) else [node.slice]
    if name == "Literal":
        if not args or not all(isinstance(a, ast.Constant) and isinstance(a.value, (str, int, bool)) for a in args):
            raise ValueError("Literal takes string, int or bool values")
        return typing.Literal[tuple(a.value for a in args)]
    if len(args) != 1:
        raise ValueError("%s takes one type" % name)
    if name in ("list", "List"):
        return list[_to_type(args[0])]
    if name == "Optional":
        return typing.Optional[_to_type(args[0])]
    raise ValueError("unknown type %r" % name)


def parse_type(text):
    """The suite's annotations (str, int, float, bool, Literal[...], list[...],
    Optional[...]) as Python types. The text is parsed, never evaluated:
    the suite is data."""
    try:
        return _to_type(ast.parse(text.strip(), mode="eval").body)
    except (ValueError, SyntaxError) as e:
        die('type "%s": %s' % (text, e))


def field_spec(spec):
    """A suite field is "type" or {"type": ..., "desc": ...}."""
    if isinstance(spec, str):
        return parse_type(spec), None
    return parse_type(spec["type"]), spec.get("desc")


def build_signature(dspy, module):
    sig = module["signature"]
    fields = {}
    for name, spec in sig["inputs"].items():
        t, desc = field_spec(spec)
        fields[name] = (t, dspy.InputField(desc=desc) if desc else dspy.InputField())
    for name, spec in sig["outputs"].items():
        t, desc = field_spec(spec)
        fields[name] = (t, dspy.OutputField(desc=desc) if desc else dspy.OutputField())
    return dspy.Signature(fields, sig.get("instructions"))


# --- the program --------------------------------------------------------------


def predictor_key(state, key):
    """Which entry of the saved state is the module's predictor: "" = flat."""
    if key:
        if key not in state:
            die('the program has no predictor "%s"' % key)
        return key
    if "signature" in state:
        return ""
    names = [k for k, v in state.items() if k != "metadata" and isinstance(v, dict) and "signature" in v]
    if len(names) != 1:
        die("the program has %d predictors; the suite must name one with program_key" % len(names))
    return names[0]


def build_program(dspy, module, state):
    """A dspy module whose named_parameters() has the program's predictor
    under the very name the file uses, so load() and save() line up."""
    sig = build_signature(dspy, module)
    cot = module.get("predictor", "Predict") == "ChainOfThought"
    leaf = dspy.ChainOfThought(sig) if cot else dspy.Predict(sig)
    key = predictor_key(state, module.get("program_key"))
    if key == "":
        if cot:
            die("a ChainOfThought program cannot be saved flat; its state is under \"predict\"")
        return leaf, key
    path = key.split(".")
    if cot:
        if path[-1] != "predict":
            die('a ChainOfThought predictor\'s name ends in ".predict", not "%s"' % key)
        path = path[:-1]
        if not path:
            return leaf, key  # a bare ChainOfThought: {"predict": ...}
    if any(not p.isidentifier() for p in path):
        die('predictor name "%s": only dotted attribute names are supported' % key)
    wrapper = wrapper_class(dspy)
    root = wrapper(path)
    node = root
    for p in path[:-1]:
        child = wrapper([])
        setattr(node, p, child)
        node = child
    setattr(node, path[-1], leaf)
    return root, key


def wrapper_class(dspy):
    """A module that holds the predictor at the attribute path the saved
    program names (e.g. self.extract.predict for "extract.predict")."""

    class Wrapper(dspy.Module):
        def __init__(self, path):
            super().__init__()
            self.path = list(path)

        def forward(self, **kwargs):
            node = self
            for p in self.path:
                node = getattr(node, p)
            return node(**kwargs)

    return Wrapper


def save_program(program, key, original_state, out_path):
    """program.save(out); when the file held more than this predictor, the
    new predictor state is put back into a copy of the original file."""
    import orjson
    program.save(out_path)
    if key in ("", "predict"):
        return
    others = [k for k in original_state if k not in ("metadata", key)]
    if not others:
        return
    with open(out_path, "rb") as f:
        saved = orjson.loads(f.read())
    merged = dict(original_state)
    merged[key] = saved[key]
    merged["metadata"] = saved["metadata"]
    with open(out_path, "wb") as f:
        f.write(orjson.dumps(merged, option=orjson.OPT_INDENT_2 | orjson.OPT_APPEND_NEWLINE))


def instructions_of(program):
    return [p.signature.instructions for _, p in program.named_predictors()]


# --- data and metric ------------------------------------------------------------


def label(v):
    """The value a labeled demo shows for an expected value."""
    if isinstance(v, dict) and isinstance(v.get("any_of"), list) and v["any_of"]:
        return v["any_of"][0]
    return v


def load_examples(dspy, path, input_names, output_names, truth):
    out = []
    with open(path, encoding="utf-8") as f:
        for n, line in enumerate(f, 1):
            if not line.strip():
                continue
            try:
                rec = json.loads(line)
                inputs, expected = rec["inputs"], rec["expected"]
            except (ValueError, KeyError, TypeError) as e:
                die("%s:%d: not an exported example (%s)" % (path, n, e))
            missing = [k for k in input_names if k not in inputs]
            if missing:
                die("%s:%d: no input %s" % (path, n, ", ".join(missing)))
            labels = {k: label(expected[k]) for k in output_names if k in expected}
            ex = dspy.Example(**{k: inputs[k] for k in input_names}, **labels).with_inputs(*input_names)
            truth[tuple(inputs[k] for k in input_names)] = (
                json.dumps(expected, ensure_ascii=False), rec.get("call_date") or "")
            out.append(ex)
    return out


class HarnessMetric:
    """metric(example, prediction, trace=None) backed by libharness.

    Evaluation gets the fraction of checked fields that pass: a smooth signal
    for the search. Bootstrapping (trace is not None) gets whether the case
    passes as `harness run` counts it, so only fully correct traces become
    demos.
    """

    def __init__(self, lib_path, rules, input_names, output_names, truth):
        try:
            lib = ctypes.CDLL(lib_path)
        except OSError as e:
            die("cannot load %s: %s" % (lib_path, e))
        lib.hx_metric_abi.restype = ctypes.c_int
        if lib.hx_metric_abi() != HX_METRIC_ABI:
            die("%s has metric ABI %d; this bridge needs %d" % (lib_path, lib.hx_metric_abi(), HX_METRIC_ABI))
        for fn, res in (("hx_metric", ctypes.c_double), ("hx_metric_case", ctypes.c_int)):
            getattr(lib, fn).restype = res
            getattr(lib, fn).argtypes = [ctypes.c_char_p] * 4
        lib.hx_metric_error.restype = ctypes.c_char_p
        self.lib, self.rules = lib, rules.encode()
        self.inputs, self.outputs, self.truth = input_names, output_names, truth
        self.calls = 0
        self._lock = threading.Lock()

    def __call__(self, example, pred, trace=None):
        key = tuple(example[k] for k in self.inputs)
        expected, call_date = self.truth[key]
        outputs = {}
        for k in self.outputs:
            try:
                outputs[k] = pred[k]
            except (KeyError, AttributeError):
                pass
        args = (self.rules, expected.encode(), json.dumps(outputs, default=str).encode(), call_date.encode())
        with self._lock:
            self.calls += 1
        if trace is not None:
            r = self.lib.hx_metric_case(*args)
        else:
            r = self.lib.hx_metric(*args)
        if r < 0:
            raise ValueError("harness metric: " + self.lib.hx_metric_error().decode(errors="replace"))
        return bool(r) if trace is not None else float(r)


class RequestCounter:
    """Counts the requests that reached the LM (DSPy's cache hits do not)."""

    def __init__(self):
        self.n = 0
        self._lock = threading.Lock()

    def __call__(self, *args, **kwargs):
        with self._lock:
            self.n += 1


# --- main ---------------------------------------------------------------------------


def parse_args(argv):
    p = argparse.ArgumentParser(description="Recompile a harness module with dspy.MIPROv2.")
    p.add_argument("--suite", required=True, help="the suite file")
    p.add_argument("--module", required=True, help='"module" or "agent/module"')
    p.add_argument("--train", required=True, help="trainset JSONL exported by the harness")
    p.add_argument("--val", required=True, help="valset JSONL exported by the harness")
    p.add_argument("--out", required=True, help="where to save the candidate program (.json)")
    p.add_argument("--lib", required=True, help="libharness.so (the metric)")
    p.add_argument("--program", help="the current program (default: the suite's)")
    p.add_argument("--rules", help="the assertion rules (default: the suite's)")
    p.add_argument("--auto", default=None, choices=["light", "medium", "heavy"],
                   help="MIPROv2 budget (default: the suite's recompile.auto, else light)")
    p.add_argument("--seed", type=int, default=9, help="MIPROv2 seed (default 9, DSPy's)")
    p.add_argument("--threads", type=int, default=8, help="evaluation threads (default 8)")
    p.add_argument("--stats", help="write a JSON summary here")
    p.add_argument("--cache-dir", help="DSPy's disk cache (default: a temporary folder)")
    return p.parse_args(argv)


def resolve(base, path):
    return path if os.path.isabs(path) else os.path.join(base, path)


def main(argv):
    a = parse_args(argv)
    t0 = time.monotonic()
    # Before dspy is imported: LiteLLM would fetch its price list from the
    # internet, and DSPy would create its disk cache under $HOME.
    os.environ.setdefault("LITELLM_LOCAL_MODEL_COST_MAP", "True")
    cache_dir = a.cache_dir or tempfile.mkdtemp(prefix="hx-dspy-cache-")
    os.environ["DSPY_CACHEDIR"] = cache_dir
    try:
        import dspy
        import litellm
        import optuna  # noqa: F401  (MIPROv2's search; not installed with dspy)
    except ImportError as e:
        die("%s in %s; 'make recompile-venv' installs bridge/requirements.txt into .venv" % (e, sys.prefix))

    with open(a.suite, encoding="utf-8") as f:
        suite = json.load(f)
    base = os.path.dirname(os.path.abspath(a.suite))
    agent, module = find_module(suite, a.module)
    program_path = a.program or resolve(base, module["program"])
    rules = a.rules or resolve(base, module["assertions"])
    auto = a.auto or module.get("recompile", {}).get("auto") or "light"
    input_names = list(module["signature"]["inputs"])
    output_names = list(module["signature"]["outputs"])

    with open(program_path, "rb") as f:
        state = json.loads(f.read())
    program, key = build_program(dspy, module, state)
    program.load(program_path)

    truth = {}
    train = load_examples(dspy, a.train, input_names, output_names, truth)
    val = load_examples(dspy, a.val, input_names, output_names, truth)
    if len(train) < 2 or len(val) < 1:
        die("MIPROv2 needs at least 2 training and 1 validation example (got %d and %d)" % (len(train), len(val)))

    metric = HarnessMetric(a.lib, rules, input_names, output_names, truth)
    lmc = effective_lm(suite, module)
    model = lmc["model"] if "/" in lmc["model"] else "openai/" + lmc["model"]
    key_env = lmc.get("api_key_env")
    api_key = os.environ.get(key_env, "") if key_env else ""
    lm = dspy.LM(model, api_base=lmc["base_url"].rstrip("/"),
                 # LiteLLM refuses an OpenAI call without a key; a local
                 # server without auth accepts any.
                 api_key=api_key or "no-key",
                 temperature=lmc.get("temperature", 0.0), max_tokens=lmc.get("max_tokens", 1000),
                 num_retries=lmc.get("max_retries", 3), timeout=lmc.get("timeout_s", 60))
    counter = RequestCounter()
    litellm.success_callback = [counter]
    litellm.failure_callback = [counter]
    dspy.configure(lm=lm)
    dspy.configure_cache(enable_disk_cache=False, enable_memory_cache=True)

    print("recompile.py: %s/%s, %s, %d train / %d val, MIPROv2 auto=%s seed=%d, LM %s at %s"
          % (agent["name"], module["name"], type(program).__name__, len(train), len(val), auto, a.seed,
             model, lmc["base_url"]), flush=True)
    print("recompile.py: current instructions: %r" % instructions_of(program), flush=True)
    # requires_permission_to_run is not passed: 3.3.1 removed the prompt it
    # guarded (False only logs a deprecation warning, True raises).
    opt = dspy.MIPROv2(metric=metric, auto=auto, seed=a.seed, num_threads=a.threads, verbose=False)
    best = opt.compile(program, trainset=train, valset=val)
    save_program(best, key, state, a.out)
    new_instr = instructions_of(best)
    print("recompile.py: candidate instructions: %r" % new_instr, flush=True)
    print("recompile.py: saved %s" % a.out, flush=True)

    if a.stats:
        scores = [c.get("score") for c in getattr(best, "candidate_programs", []) or []]
        stats = {
            "module": "%s/%s" % (agent["name"], module["name"]),
            "optimizer": "dspy.MIPROv2", "dspy": dspy.__version__, "auto": auto, "seed": a.seed,
            "train": len(train), "val": len(val),
            "best_val_score": getattr(best, "score", None),
            "val_scores": scores,
            "lm_requests": counter.n,
            "metric_calls": metric.calls,
            "instructions": new_instr,
            "demos": [len(p.demos) for _, p in best.named_predictors()],
            "wall_s": round(time.monotonic() - t0, 3),
        }
        with open(a.stats, "w", encoding="utf-8") as f:
            json.dump(stats, f, indent=2)
            f.write("\n")
    return 0


if __name__ == "__main__":
    try:
        sys.exit(main(sys.argv[1:]))
    except SystemExit:
        raise
    except Exception as e:  # the log shows the traceback; the harness the line
        import traceback
        traceback.print_exc()
        print("recompile.py: failed: %s: %s" % (type(e).__name__, e), file=sys.stderr, flush=True)
        sys.exit(1)
