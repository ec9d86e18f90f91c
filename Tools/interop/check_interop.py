"""Loads documents and patches written by SwiftBokeh's DocumentModel (Tools/DocModelInterop) with
Python Bokeh 3.10.2 and checks that Bokeh accepts them and ends in the state the Swift side expects.

Usage: python check_interop.py <dir>   (prints "N passed, M failed"; exit status 1 on any failure)
"""
import base64
import json
import math
import pathlib
import sys
import traceback
import warnings

import numpy as np
from bokeh.core.serialization import Buffer, Serialized
from bokeh.document import Document
from bokeh.model import Model


def buffers(entries):
    return [Buffer(e["id"], base64.b64decode(e["base64"])) for e in entries]


def norm(value):
    """A plain JSON-like rendering matching the Swift side's `plain(_:)`."""
    if isinstance(value, np.ndarray):
        return norm(value.tolist())
    if isinstance(value, Model):
        return {"id": value.id}
    if isinstance(value, bool) or value is None or isinstance(value, str):
        return value
    if isinstance(value, (int, float, np.integer, np.floating)):
        f = float(value)
        if math.isnan(f):
            return "nan"
        if math.isinf(f):
            return "inf" if f > 0 else "-inf"
        return f
    if isinstance(value, dict):
        return {str(k): norm(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [norm(v) for v in value]
    return repr(value)


def check_state(doc, expect):
    problems = []
    if doc.title != expect["title"]:
        problems.append(f"title {doc.title!r} != {expect['title']!r}")
    roots = [r.id for r in doc.roots]
    if roots != expect["roots"]:
        problems.append(f"roots {roots} != {expect['roots']}")
    models = {m.id: m for m in doc.models}
    models.update({m.id: m for m in doc._config.references()})
    for mid, name in expect["models"].items():
        model = models.get(mid)
        if model is None:
            problems.append(f"model {mid} ({name}) missing")
        elif model.__qualified_model__ != name:
            problems.append(f"model {mid} is {model.__qualified_model__}, expected {name}")
    for mid, attr, expected in expect["checks"]:
        model = models.get(mid)
        if model is None:
            continue
        actual = norm(getattr(model, attr))
        if actual != expected:
            problems.append(f"{mid}.{attr} = {actual!r}, expected {expected!r}")
    return problems


def run_case(path):
    case = json.loads(path.read_text())
    doc = Document.from_json(Serialized(json.loads(case["doc_text"]), buffers(case["buffers"])))
    for patch in case.get("patches", []):
        doc.apply_json_patch(Serialized(json.loads(patch["content_text"]), buffers(patch["buffers"])))
    doc.to_json()  # Bokeh can serialize what it loaded
    return check_state(doc, case["expect"])


def main():
    directory = pathlib.Path(sys.argv[1])
    passed = failed = 0
    # A model sent twice in full would make Bokeh warn "reference already known": treat it as a failure.
    warnings.filterwarnings("error", message=".*reference already known.*")
    # The golden special-values document has columns of unequal length on purpose.
    warnings.filterwarnings("ignore", message=".*columns must be of the same length.*")
    for path in sorted(directory.glob("*.json")):
        try:
            problems = run_case(path)
        except Exception:
            problems = [traceback.format_exc(limit=3)]
        if problems:
            failed += 1
            print(f"FAIL {path.stem}")
            for p in problems:
                print(f"    {p}")
        else:
            passed += 1
            print(f"ok   {path.stem}")
    print(f"{passed} passed, {failed} failed")
    sys.exit(1 if failed or not passed else 0)


if __name__ == "__main__":
    main()
