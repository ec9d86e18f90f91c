#!/usr/bin/env python3
"""Side-by-side table of two auth_check.py --json runs (Python bokeh serve vs swift-bokeh serve).

  auth_compare.py PYTHON.json OURS.json

For every check: the Python and the swift-bokeh observation (status and Location, or the check's compared
fields) and a verdict:
  same        equal
  documented  different, and Python's record is a documented deviation (auth_check.py --server python):
              ours is judged against the spec by its own PASS/FAIL
  info        different, but an INFO record (spec silent): shown, never fails
  DIFF        different: fails
  missing     the check ran on one side only: fails
Exit status 1 if any DIFF or missing.
"""
import json
import sys


def show(rec):
    if rec is None:
        return "-"
    c = rec.get("compare") or {}
    if set(c) <= {"status", "location"}:
        s = "" if c.get("status") is None else str(c.get("status"))
        if c.get("location"):
            s += " " + c["location"]
        return s or "-"
    return json.dumps(c, sort_keys=True, separators=(",", ":"))


def main():
    if len(sys.argv) != 3:
        print(__doc__)
        return 2
    with open(sys.argv[1]) as f:
        py = json.load(f)
    with open(sys.argv[2]) as f:
        ours = json.load(f)
    pr = {r["name"]: r for r in py["records"]}
    orr = {r["name"]: r for r in ours["records"]}
    names = [r["name"] for r in py["records"]] + [n for n in orr if n not in pr]
    w = 54
    cw = 44
    title = f"{py.get('label') or 'python'} vs {ours.get('label') or 'ours'}"
    print(f"== {title} (mode {ours.get('mode')}, prefix {ours.get('prefix') or '-'}, xsrf {ours.get('xsrf')})")
    print(f"{'check':<{w}} {'python':<{cw}} {'ours':<{cw}} verdict")
    bad = 0
    long_rows = []
    for n in names:
        a, b = pr.get(n), orr.get(n)
        sa, sb = show(a), show(b)
        if a is None or b is None:
            verdict = "missing"
            bad += 1
        elif a.get("compare") == b.get("compare"):
            verdict = "same"
        elif a.get("deviation"):
            verdict = "documented"
        elif a.get("ok") is None or b.get("ok") is None:
            verdict = "info"
        else:
            verdict = "DIFF"
            bad += 1
        if b is not None and b.get("ok") is False:
            verdict += " (ours FAIL)"
        cut = lambda s: s if len(s) <= cw else s[:cw - 1] + "…"  # noqa: E731
        print(f"{n[:w]:<{w}} {cut(sa):<{cw}} {cut(sb):<{cw}} {verdict}")
        if verdict.startswith(("DIFF", "info", "documented")) and (len(sa) > cw or len(sb) > cw):
            long_rows.append((n, sa, sb))
    for n, sa, sb in long_rows:
        print(f"  {n}:\n    python: {sa}\n    ours:   {sb}")
    print(f"compare: {len(names)} checks, {bad} differences")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
