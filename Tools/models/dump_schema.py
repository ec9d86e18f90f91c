"""Dump every Bokeh model's name, bases, properties, property types and defaults to JSON.

Run with Python Bokeh 3.10.2 (`make models DUMP_SCHEMA=1` does it in the repository's venv):

    python Tools/models/dump_schema.py Tools/models/schema.json

The output is deterministic (ids in default instances are renumbered from p1000 per model), so
regenerating gives identical files.
"""

import json
import sys

import bokeh
import bokeh.core.enums as enums
import bokeh.events as events
import bokeh.models  # noqa: F401  (registers the models)
import bokeh.plotting  # noqa: F401  (registers Figure, GMap)
from bokeh.core import properties as p
from bokeh.core.has_props import is_abstract
from bokeh.core.property.dataspec import DataSpec
from bokeh.core.property.instance import InstanceDefault
from bokeh.core.property.singletons import Undefined
from bokeh.core.serialization import Serializer
from bokeh.model import Model

ENUMERATIONS = {
    name: value for name, value in vars(enums).items() if isinstance(value, enums.Enumeration) and not name.startswith("_")
}


def enum_name(values):
    for name in sorted(ENUMERATIONS):
        if list(ENUMERATIONS[name]._values) == list(values):
            return name
    return None


def describe(prop):
    """A JSON description of a property type."""
    if isinstance(prop, DataSpec):
        result = {"kind": "spec", "spec": type(prop).__name__, "value": describe(prop.value_type)}
        return result
    if isinstance(prop, p.Enum):
        values = list(prop._enum._values)
        return {"kind": "enum", "name": enum_name(values), "values": values}
    if isinstance(prop, p.Color):
        return {"kind": "color"}
    wrappers = (p.Nullable,)
    if isinstance(prop, wrappers):
        return {"kind": "nullable", "inner": describe(prop.type_param)}
    if isinstance(prop, (p.Readonly, p.Required, p.NotSerialized, p.NonNegative, p.Positive)):
        return describe(prop.type_param)
    if isinstance(prop, p.Interval):
        return describe(prop.type_params[0])
    if isinstance(prop, p.Either):
        return {"kind": "either", "options": [describe(t) for t in prop.type_params]}
    if isinstance(prop, p.Instance):
        target = prop.instance_type
        if isinstance(target, type) and issubclass(target, Model):
            return {"kind": "instance", "model": target.__qualified_model__}
        return {"kind": "any", "bokeh": str(prop)}
    if isinstance(prop, p.ColumnData):
        return {"kind": "columnData"}
    if isinstance(prop, p.Set):
        return {"kind": "set", "item": describe(prop.item_type)}
    if isinstance(prop, p.Seq):
        return {"kind": "list", "item": describe(prop.item_type)}
    if isinstance(prop, p.Dict):
        return {"kind": "dict", "key": describe(prop.keys_type), "value": describe(prop.values_type)}
    if isinstance(prop, p.Tuple):
        return {"kind": "tuple", "items": [describe(t) for t in prop.type_params]}
    if isinstance(prop, p.Bool):
        return {"kind": "bool"}
    if isinstance(prop, p.Int):
        return {"kind": "int"}
    if isinstance(prop, p.Float):
        return {"kind": "float"}
    if isinstance(prop, p.String):
        return {"kind": "string"}
    if isinstance(prop, p.Null):
        return {"kind": "null"}
    return {"kind": "any", "bokeh": type(prop).__name__}


def renumber(rep, ids):
    """Replaces model ids with p1000, p1001, … in order of appearance (deterministic output)."""
    if isinstance(rep, list):
        return [renumber(item, ids) for item in rep]
    if isinstance(rep, dict):
        out = {}
        for key, value in rep.items():
            if key == "id" and isinstance(value, str):
                out[key] = ids.setdefault(value, f"p{1000 + len(ids)}")
            else:
                out[key] = renumber(value, ids)
        return out
    return rep


def encode(value):
    return Serializer(deferred=False).encode(value)


def default_of(cls, name, descriptor):
    """The class default as {"value": JSON} or {"factory": True} for per-instance defaults."""
    raw = descriptor.property._default
    if callable(raw) or isinstance(raw, InstanceDefault):
        return {"factory": True}
    try:
        value = descriptor.class_default(cls)
    except Exception:  # noqa: BLE001  (required properties have no default)
        return {"required": True}
    if value is Undefined:
        return {"required": True}
    return {"value": renumber(encode(value), {})}


def theme_lineage(cls):
    """The classes a theme's `attrs` are looked up by, in the order `Theme._for_class` applies them (the MRO
    reversed, HasProps classes only), each with the glyph defaults (`line_defaults`, …) applied at its level."""
    from bokeh.core.has_props import HasProps
    from bokeh.models.glyph import Glyph
    lineage = []
    for base in cls.__mro__[-2::-1]:
        if not (isinstance(base, type) and issubclass(base, HasProps)):
            continue
        flags = ""
        if issubclass(base, Glyph):
            flags += "l" if hasattr(base, "line_alpha") else ""
            flags += "f" if hasattr(base, "fill_alpha") else ""
            flags += "t" if hasattr(base, "text_alpha") else ""
        lineage.append([base.__name__, flags] if flags else base.__name__)
    return lineage


def dump_model(cls):
    own = cls.__dict__.get("__properties__", {})
    properties = []
    for name in own:
        descriptor = cls.lookup(name)
        prop = descriptor.property
        if not prop.serialized:
            continue
        entry = {"name": name, "type": describe(prop), "readonly": bool(prop.readonly)}
        entry.update(default_of(cls, name, descriptor))
        properties.append(entry)
    overrides = []
    for name in cls.__dict__.get("__overridden_defaults__", {}):
        descriptor = cls.lookup(name)
        if not descriptor.property.serialized:
            continue
        entry = {"name": name}
        entry.update(default_of(cls, name, descriptor))
        overrides.append(entry)
    result = {
        "name": cls.__qualified_model__,
        "class": cls.__name__,
        "module": cls.__module__,
        "bases": [b.__qualified_model__ for b in cls.__bases__ if isinstance(b, type) and issubclass(b, Model)],
        "abstract": is_abstract(cls),
        "mixin": not issubclass(cls, Model),
        "properties": properties,
        "overrides": overrides,
        "theme_lineage": theme_lineage(cls),
    }
    if not is_abstract(cls):
        try:
            instance = cls()
            serializer = Serializer(deferred=False)
            values = instance.properties_with_values(include_defaults=False, include_undefined=True)
            encoded = {key: serializer.encode(value) for key, value in values.items() if value is not Undefined}
            result["initial"] = json.dumps(renumber(encoded, {}), separators=(",", ":"))
        except Exception as error:  # noqa: BLE001
            result["initialError"] = f"{type(error).__name__}: {error}"
    return result


def main():
    out = sys.argv[1] if len(sys.argv) > 1 else "Tools/models/schema.json"
    reverse = Model.model_class_reverse_map
    models = [dump_model(reverse[name]) for name in sorted(reverse)]
    event_names = sorted(
        cls.event_name for cls in vars(events).values()
        if isinstance(cls, type) and issubclass(cls, events.Event) and getattr(cls, "event_name", None))
    schema = {
        "bokeh": bokeh.__version__,
        "modelCount": len(models),
        "models": models,
        "enums": {name: list(e._values) for name, e in sorted(ENUMERATIONS.items())},
        "events": event_names,
    }
    with open(out, "w", encoding="utf-8") as f:
        json.dump(schema, f, indent=1, sort_keys=False)
        f.write("\n")
    print(f"{out}: {len(models)} models")


if __name__ == "__main__":
    main()
