#!/usr/bin/env python3
"""Real-browser check of a streaming app (`swift-bokeh serve stream_app`).

Reuses the shared harness (`browser_check.py`, found with --harness-dir) for the browser set-up, logs,
console and network checks, and adds:

  1. render : the page builds a document with the models `source` and `status`, and the scatter is painted
  0. autoload (with --autoload-url): a page embedding an app with <script src=".../autoload.js?..."> renders it
  2. stream : the browser-side `source` grows by at least --min-rows rows streamed by the server's periodic
              callback, each row is the server's formula (x = (n mod 120) / 10, y = 6 + 5 sin(n / 8)), and the
              `status` Div's DOM text follows (`streamed=<n>`); screenshot 02_streamed.png
  3. console, 4. network : as in the shared check

Prints `browser-stream: N passed, M failed`; exit status 0 only if every check passed.
"""
import argparse
import json
import math
import os
import shutil
import signal
import sys
import tempfile
import time
import urllib.parse


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--url", required=True, help="app page URL, e.g. http://127.0.0.1:5006/stream_app")
    ap.add_argument("--harness-dir", required=True, help="directory holding the shared browser_check.py")
    ap.add_argument("--screenshot-dir", default="browser-stream-shots")
    ap.add_argument("--chromium", default="/usr/bin/chromium")
    ap.add_argument("--chromedriver", default="/usr/bin/chromedriver")
    ap.add_argument("--timeout", type=float, default=20.0, help="bound for each individual wait (s)")
    ap.add_argument("--total-timeout", type=int, default=120, help="hard bound for the whole run (s)")
    ap.add_argument("--window-size", default="1000,800")
    ap.add_argument("--min-rows", type=int, default=10, help="streamed rows the browser must receive")
    ap.add_argument("--ignore-console", action="append")
    ap.add_argument("--autoload-url", help="a page embedding an app through its autoload.js (checked first)")
    args = ap.parse_args()
    if urllib.parse.urlsplit(args.url).hostname not in ("127.0.0.1", "localhost"):
        ap.error("--url must point at 127.0.0.1/localhost")
    sys.path.insert(0, os.path.abspath(args.harness_dir))
    import browser_check as bc  # noqa: E402  (the shared harness)

    os.makedirs(args.screenshot_dir, exist_ok=True)
    args.screenshot_dir = os.path.abspath(args.screenshot_dir)
    args.profile_dir = tempfile.mkdtemp(prefix="bk-chrome-profile-")

    class StreamHarness(bc.Harness):
        def check_autoload(self):
            self.driver.get(self.args.autoload_url)
            self.wait_for("""
                const d = window.__bkh.doc();
                return !!d && d.roots().length > 0 && !!window.__bkh.view('status') && !!document.getElementById('embed');
            """, what="document embedded by autoload.js")
            self.wait_for("return window.__bkh.pixels().blue > 50;", what="embedded scatter painted")
            self.screenshot("00_autoload.png")
            return {"title": self.driver.title, "models": self.js("return window.__bkh.doc().roots().length;")}

        def check_render(self):
            self.driver.get(self.args.url)
            self.wait_for("""
                const d = window.__bkh.doc();
                return !!d && d.roots().length > 0 && !!window.__bkh.model('source') && !!window.__bkh.view('status');
            """, what="document with models source and status")
            self.wait_for("return window.__bkh.pixels().blue > 50;", what="scatter pixels painted")
            self.screenshot("01_loaded.png")
            return {"title": self.driver.title}

        def rows(self):
            return self.js("const s = window.__bkh.model('source'); "
                           "return {x: Array.from(s.data.get ? s.data.get('x') : s.data.x), "
                           "y: Array.from(s.data.get ? s.data.get('y') : s.data.y)};")

        def check_stream(self):
            first = len(self.rows()["x"])
            self.wait_for(
                "const s = window.__bkh.model('source'); const x = s.data.get ? s.data.get('x') : s.data.x; "
                f"return x.length >= {first + self.args.min_rows};",
                what=f"{self.args.min_rows} streamed rows")
            rows = self.rows()
            n = len(rows["x"])
            if n >= 100:
                raise AssertionError(f"rollover reached too early: {n} rows")
            for k in range(n):
                ex, ey = (k % 120) / 10, 6 + 5 * math.sin(k / 8)
                if abs(rows["x"][k] - ex) > 1e-9 or abs(rows["y"][k] - ey) > 1e-9:
                    raise AssertionError(f"row {k} is ({rows['x'][k]}, {rows['y'][k]}), expected ({ex}, {ey})")
            self.wait_for(
                "const v = window.__bkh.view('status'); const m = /streamed=(\\d+)/.exec(window.__bkh.deepText(v.el)); "
                f"return !!m && Number(m[1]) >= {n - 1};",
                what=f"status Div DOM text streamed>={n - 1}")
            self.screenshot("02_streamed.png")
            return {"rows_before": first, "rows_after": n, "last": [rows["x"][-1], rows["y"][-1]]}

    def on_alarm(signum, frame):
        raise TimeoutError(f"total timeout {args.total_timeout}s exceeded")
    signal.signal(signal.SIGALRM, on_alarm)
    signal.alarm(args.total_timeout)

    h = StreamHarness(args)
    fatal = None
    try:
        h.start()
        if args.autoload_url:
            h.check("autoload", h.check_autoload)
        if h.check("render", h.check_render):
            h.check("stream", h.check_stream)
        h.check("console", h.check_console)
        h.check("network", h.check_network)
    except BaseException as e:
        fatal = f"{type(e).__name__}: {e}"
        print(f"[FATAL] {fatal}", file=sys.stderr)
    finally:
        signal.alarm(0)
        h.stop()
        shutil.rmtree(args.profile_dir, ignore_errors=True)
    passed = sum(1 for c in h.checks if c["ok"])
    failed = sum(1 for c in h.checks if not c["ok"]) + (1 if fatal else 0)
    with open(os.path.join(args.screenshot_dir, "stream_summary.json"), "w") as f:
        json.dump({"url": args.url, "passed": passed, "failed": failed, "fatal": fatal, "checks": h.checks,
                   "console": h.console}, f, indent=2)
    print(f"browser-stream: {passed} passed, {failed} failed")
    return 0 if failed == 0 and passed > 0 else 1


if __name__ == "__main__":
    sys.exit(main())
