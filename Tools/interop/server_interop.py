"""Real bokeh.client (Bokeh 3.10.2) sessions against `swift-bokeh serve`.

Usage: server_interop.py BASE_URL   (e.g. http://127.0.0.1:5006; the server serves /demo)
Prints one line per check and `N passed, M failed`; exits non-zero on any failure.
"""
import math
import sys
import time
import traceback

import numpy as np
from bokeh.client import pull_session, push_session
from bokeh.document import Document
from bokeh.events import ButtonClick
from bokeh.models import (Button, ColumnDataSource, DataTable, Div, Range1d, Select, Slider, TableColumn,
                          TextInput)
from bokeh.plotting import figure
from bokeh.util.token import generate_session_id

BASE = sys.argv[1].rstrip("/")
DEMO = BASE + "/demo"
TIMEOUT = 5.0
results = []


def check(name):
    def wrap(fn):
        try:
            fn()
            results.append((name, None))
            print(f"PASS {name}", flush=True)
        except Exception as e:  # noqa: BLE001
            results.append((name, e))
            print(f"FAIL {name}: {e!r}", flush=True)
            traceback.print_exc()
        return fn
    return wrap


def pump(session, cond, timeout=TIMEOUT):
    """Run the client's loop (applying incoming PATCH-DOCs) until cond() or the timeout.

    bokeh.client drops PATCH-DOCs that arrive while it waits for a reply, so instead of a round trip
    we drive its loop; a SERVER-INFO-REQ sent after the deadline guarantees the loop wakes up.
    """
    c = session._connection
    deadline = time.time() + timeout
    wake = c._loop.call_later(timeout + 0.05, lambda: c._loop.add_callback(
        c.send_message, c._protocol.create("SERVER-INFO-REQ")))
    c._loop_until(lambda: cond() or time.time() > deadline)
    c._loop.remove_timeout(wake)
    return cond()


def expect(session, cond, what):
    if not pump(session, cond):
        raise AssertionError(f"timed out waiting for {what}")


def flush(session):
    """Send queued local changes (they go out when the client's loop runs)."""
    pump(session, lambda: False, timeout=0.3)


def same(a, b):
    if isinstance(a, np.ndarray) or isinstance(b, np.ndarray):
        a, b = np.asarray(a), np.asarray(b)
        if a.dtype.kind in "fc" or b.dtype.kind in "fc":
            return a.shape == b.shape and bool(np.array_equal(a, b, equal_nan=True))
        return a.shape == b.shape and bool(np.array_equal(a, b))
    if isinstance(a, float) and isinstance(b, float) and math.isnan(a) and math.isnan(b):
        return True
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(same(a[k], b[k]) for k in a)
    if isinstance(a, (list, tuple)) and isinstance(b, (list, tuple)):
        return len(a) == len(b) and all(same(x, y) for x, y in zip(a, b))
    if hasattr(a, "id") and hasattr(b, "id") and hasattr(a, "properties_with_values"):
        return a.id == b.id and type(a) is type(b)
    return a == b


def assert_documents_equal(d1, d2):
    m1 = {m.id: m for m in d1.models}
    m2 = {m.id: m for m in d2.models}
    assert set(m1) == set(m2), f"model ids differ: {set(m1) ^ set(m2)}"
    assert d1.title == d2.title, (d1.title, d2.title)
    assert [r.id for r in d1.roots] == [r.id for r in d2.roots]
    for mid, a in m1.items():
        b = m2[mid]
        assert type(a) is type(b), (mid, type(a), type(b))
        pa = a.properties_with_values(include_defaults=False)
        pb = b.properties_with_values(include_defaults=False)
        assert set(pa) == set(pb), (mid, set(pa) ^ set(pb))
        for k in pa:
            assert same(pa[k], pb[k]), (mid, k, pa[k], pb[k])


@check("pull the demo document")
def _():
    s = pull_session(url=DEMO)
    try:
        d = s.document
        assert d.title == "Bokeh browser harness demo", d.title
        assert [r.name for r in d.roots] == ["layout"]
        for name in ["plot", "points", "source", "slider", "button", "status"]:
            assert d.select_one({"name": name}) is not None, name
        src = d.select_one({"name": "source"})
        assert list(src.data["x"]) == [1, 2, 3, 4, 5] and list(src.data["y"]) == [6, 7, 2, 4, 5]
        assert d.select_one({"name": "slider"}).value == 1
        assert d.select_one({"name": "status"}).text == "ready"
        assert d.select_one({"name": "plot"}).title.text == "demo"
    finally:
        s.close()


@check("slider change runs the server callback")
def _():
    s = pull_session(url=DEMO)
    try:
        d = s.document
        status = d.select_one({"name": "status"})
        d.select_one({"name": "slider"}).value = 7
        expect(s, lambda: status.text == "slider=7", "status.text == 'slider=7'")
    finally:
        s.close()


@check("button click streams a point and counts")
def _():
    s = pull_session(url=DEMO)
    try:
        d = s.document
        button, status, src = (d.select_one({"name": n}) for n in ["button", "status", "source"])
        d.callbacks.send_event(ButtonClick(button))
        expect(s, lambda: status.text == "clicks=1" and len(src.data["x"]) == 6, "first click")
        assert (list(src.data["x"])[-1], list(src.data["y"])[-1]) == (6, 4)
        d.callbacks.send_event(ButtonClick(button))
        expect(s, lambda: status.text == "clicks=2" and len(src.data["x"]) == 7, "second click")
        assert (list(src.data["x"])[-1], list(src.data["y"])[-1]) == (7, 7)
    finally:
        s.close()


def rich_document():
    doc = Document()
    doc.title = "Riche — 文書 ✓"
    data = dict(
        f64=np.array([0.5, np.nan, np.inf, -np.inf, 1e300, -0.0], dtype=np.float64),
        f32=np.array([1.5, np.nan, np.inf, -2.25, 3.0, 0.0], dtype=np.float32),
        i32=np.array([1, -2, 2**31 - 1, -(2**31), 0, 7], dtype=np.int32),
        text=["α", "β", "γ", "日本", "emoji 🎉", ""],
        nums=[1, 2.5, float("nan"), float("inf"), -float("inf"), None],
    )
    source = ColumnDataSource(data=data, name="rich_source")
    p = figure(title="Überschrift", x_range=Range1d(-1, 10), width=400, height=300, name="rich_plot")
    p.line("i32", "f64", source=source, line_width=2, color="firebrick")
    p.scatter("i32", "f32", source=source, size=8, marker="triangle", fill_color="#ff8800")
    table = DataTable(source=source, columns=[TableColumn(field="text", title="Texte"),
                                              TableColumn(field="i32", title="Entier")], name="table")
    widgets = [
        Slider(start=-1.5, end=1e6, value=float("inf") if False else 2.5, step=0.5, title="ß", name="w_slider"),
        Select(options=["ä", "ö", "ü"], value="ö", name="w_select"),
        TextInput(value="naïve café", title="Ünïcödé", name="w_text"),
        Div(text="<b>ünïcode</b> \u2603 \U0001F600", name="w_div"),
        Button(label="Knöpfchen", name="w_button"),
    ]
    doc.add_root(p)
    doc.add_root(table)
    for w in widgets:
        doc.add_root(w)
    return doc


@check("push a rich document and pull it back equal")
def _():
    sid = generate_session_id()
    doc = rich_document()
    s = push_session(doc, session_id=sid, url=DEMO)
    try:
        s2 = pull_session(session_id=sid, url=DEMO)
        try:
            assert_documents_equal(doc, s2.document)
        finally:
            s2.close()
    finally:
        s.close()


def two_clients():
    sid = generate_session_id()
    a = pull_session(session_id=sid, url=DEMO)
    b = pull_session(session_id=sid, url=DEMO)
    return a, b


@check("two clients see each other's property changes")
def _():
    a, b = two_clients()
    try:
        sa = a.document.select_one({"name": "slider"})
        sb = b.document.select_one({"name": "slider"})
        sa.title = "changed by A ✓"
        flush(a)
        expect(b, lambda: sb.title == "changed by A ✓", "B sees A's title")
        sb.end = 42
        flush(b)
        expect(a, lambda: sa.end == 42, "A sees B's end")
        # the server's callback result reaches both clients
        sb.value = 3
        flush(b)
        expect(a, lambda: a.document.select_one({"name": "status"}).text == "slider=3", "A sees status")
        expect(b, lambda: b.document.select_one({"name": "status"}).text == "slider=3", "B sees status")
    finally:
        a.close()
        b.close()


@check("two clients see streams, column patches and binary replacements")
def _():
    a, b = two_clients()
    try:
        ra = a.document.select_one({"name": "source"})
        rb = b.document.select_one({"name": "source"})
        ra.stream(dict(x=[10, 11], y=[1, 2]))
        flush(a)
        expect(b, lambda: list(rb.data["x"]) == [1, 2, 3, 4, 5, 10, 11], "stream")
        ra.patch(dict(y=[(0, 99)]))
        flush(a)
        expect(b, lambda: list(rb.data["y"])[0] == 99, "patch")
        new = dict(x=np.arange(8, dtype=np.float64), y=np.linspace(0, 1, 8).astype(np.float32))
        rb.data = new
        flush(b)
        expect(a, lambda: len(ra.data["x"]) == 8 and isinstance(ra.data["y"], np.ndarray)
               and ra.data["y"].dtype == np.float32, "binary replacement")
        assert same(ra.data["x"], new["x"]) and same(ra.data["y"], new["y"])
    finally:
        a.close()
        b.close()


@check("two clients see root additions and removals")
def _():
    a, b = two_clients()
    try:
        extra = Div(text="new root — ✓", name="extra_div")
        a.document.add_root(extra)
        flush(a)
        expect(b, lambda: b.document.select_one({"name": "extra_div"}) is not None, "root added")
        got = b.document.select_one({"name": "extra_div"})
        assert got.text == "new root — ✓" and got.id == extra.id
        nested = ColumnDataSource(data=dict(q=[1, 2, 3]), name="nested_src")
        b.document.add_root(Slider(start=0, end=1, value=0.5, name="s2", tags=[nested]))
        flush(b)
        expect(a, lambda: a.document.select_one({"name": "nested_src"}) is not None, "nested model in full")
        assert list(a.document.select_one({"name": "nested_src"}).data["q"]) == [1, 2, 3]
        b.document.remove_root(got)
        flush(b)
        expect(a, lambda: a.document.select_one({"name": "extra_div"}) is None, "root removed")
    finally:
        a.close()
        b.close()


@check("sessions are independent")
def _():
    s1 = pull_session(url=DEMO)
    s2 = pull_session(url=DEMO)
    try:
        assert s1.id != s2.id
        s1.document.select_one({"name": "slider"}).value = 9
        expect(s1, lambda: s1.document.select_one({"name": "status"}).text == "slider=9", "own callback")
        s2.request_server_info()
        pump(s2, lambda: False, timeout=0.5)
        assert s2.document.select_one({"name": "status"}).text == "ready"
        assert s2.document.select_one({"name": "slider"}).value == 1
        s3 = pull_session(session_id=s2.id, url=DEMO)
        try:
            assert s3.document.select_one({"name": "slider"}).value == 1
        finally:
            s3.close()
    finally:
        s1.close()
        s2.close()


passed = sum(1 for _, e in results if e is None)
failed = len(results) - passed
print(f"{passed} passed, {failed} failed")
sys.exit(1 if failed else 0)
