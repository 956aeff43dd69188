"""dspy_render.py — the DSPy half of the parity test (see run.sh).

For each fixture it builds the same signature and predictor in DSPy 3.3.1,
loads the fixture's program state into it the way Module.load does, and
prints one JSON document: what dspy.ChatAdapter().format() and
dspy.JSONAdapter().format() return, the response_format DSPy hands LiteLLM
(converted the way LiteLLM converts it for the request), and the result of
ChatAdapter.parse / JSONAdapter.parse on each sample completion. render.c
prints the same document from the C implementation.

No LM is called and no network is needed: format() and parse() are pure.
"""

import json
import os
import sys
import tempfile

os.environ.setdefault("LITELLM_LOCAL_MODEL_COST_MAP", "True")
os.environ.setdefault("DSPY_CACHEDIR", os.path.join(tempfile.gettempdir(), "hx-parity-dspy-cache"))

import dspy  # noqa: E402
from typing import List, Literal, Optional  # noqa: E402

from dspy.adapters.json_adapter import _get_structured_outputs_response_format  # noqa: E402

TYPES = {"Literal": Literal, "Optional": Optional, "List": List, "list": list,
         "str": str, "int": int, "float": float, "bool": bool}


def field_spec(spec, make):
    if isinstance(spec, str):
        return eval(spec, {"__builtins__": {}}, TYPES), make()
    desc = spec.get("desc")
    info = make(desc=desc) if desc is not None else make()
    return eval(spec["type"], {"__builtins__": {}}, TYPES), info


def build_signature(spec):
    fields = {}
    for name, s in spec["inputs"].items():
        fields[name] = field_spec(s, dspy.InputField)
    for name, s in spec["outputs"].items():
        fields[name] = field_spec(s, dspy.OutputField)
    return dspy.Signature(fields, spec.get("instructions"))


def response_format(signature):
    from litellm.utils import type_to_response_format_param
    model = _get_structured_outputs_response_format(signature, True)
    return type_to_response_format_param(response_format=model)


def parse_all(signature, completions):
    results = []
    for c in completions:
        adapter_name = c.get("adapter", "chat")
        adapter = dspy.JSONAdapter() if adapter_name == "json" else dspy.ChatAdapter()
        r = {"adapter": adapter_name}
        try:
            if not c["text"]:  # Adapter._call_postprocess refuses before parse()
                raise ValueError("The LM returned an empty or null response.")
            r["ok"] = adapter.parse(signature, c["text"])
        except Exception as e:  # AdapterParseError, ValueError, ValidationError
            if os.environ.get("PARITY_VERBOSE"):
                print(f"parse: {type(e).__name__}: {str(e)[:200]}", file=sys.stderr)
            r["error"] = True
        results.append(r)
    return results


def render(path):
    with open(path, encoding="utf-8") as f:
        fx = json.load(f)
    sig = build_signature(fx["signature"])
    if fx.get("predictor") == "ChainOfThought":
        module = dspy.ChainOfThought(sig)
        predictor = module.predict
    else:
        module = predictor = dspy.Predict(sig)
    if fx.get("program") is not None:
        predictor.load_state(fx["program"])
    signature, demos = predictor.signature, predictor.demos
    inputs = fx.get("inputs", {})
    adapters = fx.get("adapters", ["chat", "json"])
    out = {}
    if "chat" in adapters:
        out["chat"] = dspy.ChatAdapter().format(signature, demos, inputs)
    if "json" in adapters:
        out["json"] = dspy.JSONAdapter().format(signature, demos, inputs)
        out["response_format"] = response_format(signature)
        out["response_format_fallback"] = {"type": "json_object"}
    if "completions" in fx:
        out["parse"] = parse_all(signature, fx["completions"])
    return json.dumps(out, ensure_ascii=False, indent=1) + "\n"


def main():
    """dspy_render.py FIXTURE... prints each document; with --out-dir DIR it
    writes DIR/<fixture name>.py.out instead (one DSPy import for all), and
    DIR/<name>.py.err for a fixture DSPy could not render."""
    args = sys.argv[1:]
    out_dir = None
    if args[:1] == ["--out-dir"]:
        out_dir, args = args[1], args[2:]
    failed = False
    for path in args:
        name = os.path.splitext(os.path.basename(path))[0]
        try:
            text = render(path)
        except Exception as e:  # reported per fixture; the others still run
            failed = True
            msg = f"{type(e).__name__}: {e}\n"
            if out_dir is None:
                sys.stderr.write(f"{path}: {msg}")
            else:
                with open(os.path.join(out_dir, name + ".py.err"), "w", encoding="utf-8") as f:
                    f.write(msg)
            continue
        if out_dir is None:
            sys.stdout.write(text)
        else:
            with open(os.path.join(out_dir, name + ".py.out"), "w", encoding="utf-8") as f:
                f.write(text)
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
