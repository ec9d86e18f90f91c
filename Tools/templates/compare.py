"""Renders every case of cases.py with real Jinja2 and with ServerCore's template engine (the harness binary that
`make template-interop` compiles from Modules/ServerCore/Front/Template and main.swift), and diffs byte for byte.
Bokeh's own templates come from the installed bokeh package (its get_env(): trim_blocks, lstrip_blocks).

Usage: python compare.py HARNESS_BINARY WORK_DIR
"""
import json, os, subprocess, sys
import jinja2
from jinja2 import Environment, DictLoader, FileSystemLoader
from markupsafe import Markup

import bokeh  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
BOKEH_DIR = os.path.join(os.path.dirname(bokeh.__file__), "core", "_templates")
sys.path.insert(0, HERE)
from cases import CASES  # noqa: E402

# Bokeh's bokeh.core.templates.get_env()
bokeh_env = Environment(loader=FileSystemLoader(BOKEH_DIR), trim_blocks=True, lstrip_blocks=True)


def embed(obj):
    s = f'<div id="{obj["elementid"]}"'
    if obj.get("id"):
        s += f' data-root-id="{obj["id"]}"'
    return s + ' style="display: contents;"></div>'


def convert(v, env):
    if isinstance(v, list):
        return [convert(x, env) for x in v]
    if isinstance(v, dict):
        if len(v) == 1:
            (k, x), = v.items()
            if k == "$float": return float(x)
            if k == "$markup": return Markup(x)
            if k == "$bokeh": return bokeh_env.get_template(x)
            if k == "$template": return env.get_template(x)
            if k == "$function": return {"embed": embed, "upper": lambda a: str(a).upper()}[x]
        return {k: convert(x, env) for k, x in v.items()}
    return v


def render_jinja(case):
    opts = case.get("options", {})
    env = Environment(loader=DictLoader(case["files"]), **opts)
    try:
        vars = {k: convert(v, env) for k, v in case["vars"].items()}
        if case["main"].startswith("$bokeh:"):
            t = bokeh_env.get_template(case["main"][7:])
        else:
            t = env.get_template(case["main"])
        return t.render(vars)
    except Exception as e:  # noqa: BLE001
        return f"ERROR: {type(e).__name__}: {e}"


def main():
    for c in CASES:
        c.setdefault("vars", {})
    names = [c["name"] for c in CASES]
    assert len(set(names)) == len(names), "duplicate case names"
    harness, work = sys.argv[1], sys.argv[2]
    cases_path = os.path.join(work, "cases.json")
    with open(cases_path, "w") as f:
        json.dump(CASES, f, indent=1, sort_keys=True)
    out = subprocess.run([harness, cases_path, BOKEH_DIR], capture_output=True, check=True)
    swift = json.loads(out.stdout.decode("utf-8"))
    equal = 0
    failed = []
    for c in CASES:
        want = render_jinja(c)
        got = swift.get(c["name"])
        if want.startswith("ERROR"):
            failed.append(c["name"])
            print(f"--- {c['name']}: Jinja2 itself failed: {want}")
        elif got is not None and got.encode("utf-8") == want.encode("utf-8"):
            equal += 1
        else:
            failed.append(c["name"])
            print(f"--- {c['name']}: MISMATCH")
            print("jinja2:", repr(want))
            print("swift: ", repr(got))
    print(f"template-interop: {equal} passed, {len(failed)} failed (byte-equal with Jinja2 {jinja2.__version__})")
    return 0 if not failed else 1


if __name__ == "__main__":
    sys.exit(main())
