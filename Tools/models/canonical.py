"""Canonical documents: every property of every model, defaults included, with ids replaced by the order in
which a walk from the roots first meets each model. Two documents built by different code are the same
document exactly when their canonical forms are equal.

    canonical(doc_json) -> {"title": ..., "roots": [...], "models": [{"type": ..., "properties": {...}}, ...]}
"""

import base64
import dataclasses
import gzip
import math

import numpy as np

from bokeh.core.serialization import Serializer
from bokeh.document import Document


def _normalize(value, number_of):
    """JSON-like value from Bokeh's serializer -> comparable plain value (refs as ("ref", n))."""
    if isinstance(value, float):
        return "NaN" if math.isnan(value) else value
    if isinstance(value, (list, tuple)):
        return [_normalize(item, number_of) for item in value]
    if isinstance(value, dict):
        kind = value.get("type")
        if set(value) == {"id"}:
            return ("ref", number_of[value["id"]])
        if kind in ("object", "model") and "id" in value:
            return ("ref", number_of[value["id"]])
        if kind == "ndarray":
            return _ndarray(value)
        if kind == "number":
            return {"nan": "NaN", "-inf": "-Infinity", "+inf": "Infinity"}.get(value["value"], value["value"])
        return {key: _normalize(item, number_of) for key, item in sorted(value.items())}
    return value


def _ndarray(rep):
    """An ndarray rep as (dtype kind, shape, values): float64 [1, 2] and a list [1.0, 2.0] stay distinct."""
    array = rep["array"]
    if isinstance(array, dict) and array.get("type") == "bytes":
        data = array["data"]
        raw = base64.b64decode(data) if isinstance(data, str) else bytes(data)
        if raw[:2] == b"\x1f\x8b":
            raw = gzip.decompress(raw)
        values = np.frombuffer(raw, dtype=np.dtype(rep["dtype"]).newbyteorder(
            "<" if rep.get("order", "little") == "little" else ">"))
        values = [None if isinstance(v, float) and math.isnan(v) else v for v in values.tolist()]
    else:
        values = array
    # Computed columns (np.sin next to Foundation's sin) may differ in the last bit: floats compare to 12
    # significant digits.
    values = [float(f"{v:.12g}") if isinstance(v, float) else v for v in values]
    return ("ndarray", rep["dtype"], tuple(rep["shape"]), values)


def canonical(doc_json):
    """The canonical form of a document JSON (`Document.to_json` output)."""
    doc = Document.from_json(doc_json)
    order = []
    number_of = {}
    serializer = Serializer(references=set(doc.models), deferred=False)

    # A deterministic walk: roots in order, then each model's properties by name, depth first.
    def references(value):
        from bokeh.model import Model
        if isinstance(value, Model):
            yield value
        elif isinstance(value, dict):
            for key in value:
                yield from references(key)
                yield from references(value[key])
        elif isinstance(value, (list, tuple, set)):
            for item in (sorted(value, key=repr) if isinstance(value, set) else value):
                yield from references(item)
        elif dataclasses.is_dataclass(value) and not isinstance(value, type):
            # Specs (`Field(field, transform)`, `Expr(Stack(...))`) hold models too.
            for field in dataclasses.fields(value):
                yield from references(getattr(value, field.name))

    def walk(model):
        if model.id in number_of:
            return
        number_of[model.id] = len(order)
        order.append(model)
        values = model.properties_with_values(include_defaults=True)
        for name in sorted(values):
            for ref in references(values[name]):
                walk(ref)

    for root in doc.roots:
        walk(root)
    models = []
    for model in order:
        values = model.properties_with_values(include_defaults=True)
        properties = {}
        for name in sorted(values):
            if name == "id":
                continue
            properties[name] = _normalize(serializer.encode(values[name]), number_of)
        models.append({"type": model.__qualified_model__, "properties": properties})
    return {"title": doc.title, "roots": [number_of[root.id] for root in doc.roots], "models": models}


def differences(ours, theirs, limit=12):
    """Readable differences between two canonical forms, at most `limit`."""
    found = []
    if ours["title"] != theirs["title"]:
        found.append(f"title: ours {ours['title']!r}, Python {theirs['title']!r}")
    if ours["roots"] != theirs["roots"]:
        found.append(f"roots: ours {ours['roots']}, Python {theirs['roots']}")
    a, b = ours["models"], theirs["models"]
    if len(a) != len(b):
        found.append(f"{len(a)} models, Python has {len(b)}")
    for index, (m, n) in enumerate(zip(a, b)):
        if m["type"] != n["type"]:
            found.append(f"model #{index}: ours {m['type']}, Python {n['type']} (the walks diverge here)")
            break
        for name in sorted(set(m["properties"]) | set(n["properties"])):
            x, y = m["properties"].get(name, "<missing>"), n["properties"].get(name, "<missing>")
            if x != y:
                found.append(f"#{index} {m['type']}.{name}: ours {_short(x)}, Python {_short(y)}")
    return found[:limit] + ([f"... {len(found) - limit} more"] if len(found) > limit else [])


def _short(value, width=110):
    text = repr(value)
    return text if len(text) <= width else text[:width] + "..."
