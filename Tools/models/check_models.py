"""Python Bokeh 3.10.2 loads documents written by DocumentModel's plotting API and finds nothing wrong.

`catalogue.json` (a fresh instance of every concrete model, most lacking required properties) is only
loaded and property-validated, and each root must carry the attributes a fresh Python instance of its
class carries.

    python Tools/models/check_models.py <directory of *.json from ModelsInterop>

For every document: `Document.from_json` succeeds, `doc.validate()` logs no warning or error,
`check_integrity` reports no issue, and every model's attributes are accepted by its Python property.
Each corpus case is also compared with the same document built by Python's `bokeh.plotting` (`corpus.py`):
their canonical forms (`canonical.py`: every property of every model, defaults included, ids ignored) must be
equal, and each model must carry the same attributes on the wire.
"""

import json
from collections import Counter
import logging
import pathlib
import sys
import warnings

from bokeh.core.property.singletons import Undefined
from bokeh.core.serialization import Deserializer
from bokeh.core.validation import check_integrity
from bokeh.document import Document

from canonical import canonical, differences
from corpus import CASES


class Collect(logging.Handler):
    def __init__(self):
        super().__init__(logging.WARNING)
        self.records = []

    def emit(self, record):
        self.records.append(self.format(record))


def shape(doc_json):
    """Multiset of (model type, sorted attribute names) over every full model object: what is on the wire."""
    found = []

    def walk(value):
        if isinstance(value, (list, tuple)):
            for item in value:
                walk(item)
        elif isinstance(value, dict):
            if value.get("type") == "object" and "id" in value:
                found.append((value["name"], tuple(sorted(value.get("attributes", {})))))
            for item in value.values():
                walk(item)

    walk(doc_json["roots"])
    return Counter(found)


def fresh_attributes(model_type):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # deprecated models (ActionItem, DataCube) warn when created
        instance = model_type()
    values = instance.properties_with_values(include_defaults=False, include_undefined=True)
    return sorted(key for key, value in values.items() if value is not Undefined)


def check_catalogue(doc_json):
    problems = []
    try:
        # Not a Document: Python refuses to collect models whose required references are unset.
        roots = Deserializer().deserialize(doc_json["roots"])
        for model in roots:
            values = model.properties_with_values(include_defaults=False, include_undefined=True)
            for name, value in values.items():
                if value is not Undefined:
                    model.lookup(name).property.validate(value)
    except Exception as error:  # noqa: BLE001
        return [f"{type(error).__name__}: {error}"]
    for root, root_json in zip(roots, doc_json["roots"]):
        ours = sorted(root_json.get("attributes", {}))
        theirs = fresh_attributes(type(root))
        if ours != theirs:
            problems.append(f"{root_json['name']}: attributes {ours}, a fresh Python instance has {theirs}")
    print(f"  catalogue: {len(roots)} models loaded")
    return problems


def check(path):
    problems = []
    doc_json = json.loads(path.read_text())
    if path.stem == "catalogue":
        return check_catalogue(doc_json)
    collector = Collect()
    logging.getLogger("bokeh").addHandler(collector)
    try:
        doc = Document.from_json(doc_json)
        doc.validate()
        issues = check_integrity(list(doc.models))
        problems += [f"check_integrity error: {issue}" for issue in issues.error]
        problems += [f"check_integrity warning: {issue}" for issue in issues.warning]
        for model in doc.models:
            for name, value in model.properties_with_values(include_defaults=False).items():
                model.lookup(name).property.validate(value)
        if len(doc.roots) != len(doc_json["roots"]):
            problems.append("Python found another number of roots")
    except Exception as error:  # noqa: BLE001
        problems.append(f"{type(error).__name__}: {error}")
    finally:
        logging.getLogger("bokeh").removeHandler(collector)
    problems += [f"log: {record}" for record in collector.records]
    if path.stem in CASES:
        python = CASES[path.stem]()
        ours_shape, python_shape = shape(doc_json), shape(python)
        if ours_shape != python_shape:
            problems.append(f"sets other attributes than Python: ours only {sorted((ours_shape - python_shape).elements())}, "
                            f"Python only {sorted((python_shape - ours_shape).elements())}")
        try:
            found = differences(canonical(doc_json), canonical(python))
        except Exception as error:  # noqa: BLE001
            found = [f"canonical form failed: {type(error).__name__}: {error}"]
        problems += [f"differs from Python's bokeh.plotting: {difference}" for difference in found]
    return problems


check_failed = {}


def main():
    directory = pathlib.Path(sys.argv[1])
    paths = sorted(directory.glob("*.json"))
    if not paths:
        print(f"no documents in {directory}")
        return 1
    failed = 0
    missing = sorted(set(CASES) - {path.stem for path in paths})
    for name in missing:
        print(f"{name}: FAILED\n  corpus case with no Swift document")
    failed += len(missing)
    for path in paths:
        problems = check(path)
        check_failed[path.stem] = bool(problems)
        status = "ok" if not problems else "FAILED"
        print(f"{path.stem}: {status}")
        for problem in problems:
            print(f"  {problem}")
        failed += bool(problems)
    equal = sum(1 for path in paths if path.stem in CASES) - sum(1 for path in paths if path.stem in CASES and check_failed.get(path.stem))
    print(f"models-interop: {len(paths) + len(missing) - failed} passed, {failed} failed "
          f"(corpus: {equal} of {len(CASES)} documents equal to Python's)")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
