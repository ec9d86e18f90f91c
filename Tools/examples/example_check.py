#!/usr/bin/env python3
"""Real-browser check of one example app package (Examples/*, or the package `swift-bokeh init` makes).

Reuses the shared harness (`browser_check.py`, found with --harness-dir) for the browser, its logs and the
network summary. Every kind first checks that the page renders (a document with roots, a painted canvas),
then drives the app as a user would, and ends with the console (no SEVERE entry) and network (loopback only,
every request answered, BokehJS from the server, an accepted WebSocket) checks:

  init, sliders : moving the slider named `frequency` (or, for init, the first slider) makes the server send
                  new `y` values for the ColumnDataSource `source`
  streaming     : `source` grows by streamed rows and stops at the rollover given with --rollover
  crossfilter   : choosing another column in the Select `x` replaces the scatter (new title `X vs Y`)
  dashboard     : the app's own template (a header naming the app, the stats table from template values), its
                  static CSS (served at APP/static/, applied to the header) and its theme (plot background)

Prints `example <kind>: N passed, M failed`; exit status 0 only if every check passed.
"""
import argparse
import json
import os
import shutil
import signal
import sys
import tempfile
import urllib.parse
import urllib.request


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--url", required=True)
    ap.add_argument("--kind", required=True, choices=["init", "sliders", "streaming", "crossfilter", "dashboard"])
    ap.add_argument("--harness-dir", required=True)
    ap.add_argument("--screenshot-dir", default="example-shots")
    ap.add_argument("--screenshot-name", default="screenshot.png")
    ap.add_argument("--chromium", default="/usr/bin/chromium")
    ap.add_argument("--chromedriver", default="/usr/bin/chromedriver")
    ap.add_argument("--timeout", type=float, default=20.0)
    ap.add_argument("--total-timeout", type=int, default=120)
    ap.add_argument("--window-size", default="1100,800")
    ap.add_argument("--rollover", type=int, default=30)
    ap.add_argument("--ignore-console", action="append")
    args = ap.parse_args()
    if urllib.parse.urlsplit(args.url).hostname not in ("127.0.0.1", "localhost"):
        ap.error("--url must point at 127.0.0.1/localhost")
    sys.path.insert(0, os.path.abspath(args.harness_dir))
    import browser_check as bc  # noqa: E402  (the shared harness)

    os.makedirs(args.screenshot_dir, exist_ok=True)
    args.screenshot_dir = os.path.abspath(args.screenshot_dir)
    args.profile_dir = tempfile.mkdtemp(prefix="bk-chrome-profile-")

    class ExampleHarness(bc.Harness):
        def ys(self):
            return self.js("const s = window.__bkh.model('source'); const y = s.data.get ? s.data.get('y') : s.data.y;"
                           " return Array.from(y);")

        def check_render(self):
            self.driver.get(self.args.url)
            self.wait_for("const d = window.__bkh.doc(); return !!d && d.roots().length > 0;", what="document roots")
            self.wait_for("const p = window.__bkh.pixels(); return p.canvases > 0 && p.ink > 500;",
                          what="a painted canvas")
            return {"title": self.driver.title}

        def check_slider(self):
            name = "frequency" if self.args.kind == "sliders" else None
            before = self.ys()
            self.js("""
                const d = window.__bkh.doc();
                let s = arguments[0] ? d.get_model_by_name(arguments[0]) : null;
                if (!s) for (const m of d._all_models.values()) if (m.type === 'Slider') { s = m; break; }
                s.value = 2.5;
            """, name)
            self.wait_for("const s = window.__bkh.model('source'); const y = s.data.get ? s.data.get('y') : s.data.y; "
                          f"return JSON.stringify(Array.from(y)) !== {json.dumps(json.dumps(before))};",
                          what="new y values from the server")
            after = self.ys()
            return {"y0_before": before[1], "y0_after": after[1], "rows": len(after)}

        def check_stream(self):
            n = self.args.rollover
            self.wait_for(f"const s = window.__bkh.model('source'); return (s.data.get ? s.data.get('t') : s.data.t).length >= {n};",
                          timeout=max(self.args.timeout, n * 0.1 + 10), what=f"{n} streamed rows")
            self.wait_for("const v = window.__bkh.view('status'); const m = /streamed=(\\d+)/.exec(window.__bkh.deepText(v.el));"
                          f" return !!m && Number(m[1]) >= {n + 10};", timeout=max(self.args.timeout, 20),
                          what="ten rows past the rollover")
            t = self.js("const s = window.__bkh.model('source'); return Array.from(s.data.get ? s.data.get('t') : s.data.t);")
            assert len(t) == n, f"rollover {n} not kept: {len(t)} rows"
            assert all(b - a == 1 for a, b in zip(t, t[1:])), f"rows are not consecutive: {t[:5]}..."
            assert t[0] >= 10, f"the oldest rows were not dropped: t starts at {t[0]}"
            return {"rows": len(t), "first_t": t[0], "last_t": t[-1]}

        def check_select(self):
            # The plot is the layout's second child (the replaced one may linger in BokehJS's model index).
            plot = "const p = window.__bkh.doc().roots()[0].children[1];"
            title = lambda: self.js(plot + " return p ? p.title.text : null;")
            first = title()
            assert first == "Mpg vs Hp", f"first title {first!r}"
            self.js("window.__bkh.model('x').value = 'weight';")
            self.wait_for(plot + " return !!p && p.title.text === 'Weight vs Hp';",
                          what="a new scatter titled 'Weight vs Hp'")
            self.wait_for("const p = window.__bkh.pixels(); return p.canvases > 0 && p.ink > 500;",
                          what="the new scatter painted")
            return {"before": first, "after": title()}

        def check_template(self):
            header = self.js("const h = document.querySelector('header.dashboard h1'); return h ? h.textContent : null;")
            assert header and "Dashboard" in header, f"template header missing: {header!r}"
            stats = self.js("return Array.from(document.querySelectorAll('.stat')).map(e => e.textContent.trim());")
            assert len(stats) == 3, f"stats from the template's for loop: {stats}"
            colour = self.js("return getComputedStyle(document.querySelector('header.dashboard')).backgroundColor;")
            assert colour == "rgb(47, 47, 47)", f"static CSS not applied: header background {colour}"
            css_url = urllib.parse.urljoin(self.args.url.rstrip("/") + "/", "static/css/dashboard.css")
            with urllib.request.urlopen(css_url, timeout=5) as r:
                assert r.status == 200, f"{css_url}: {r.status}"
            background = self.js("const p = window.__bkh.model('plot'); return p ? p.background_fill_color : null;")
            assert background == "#2F2F2F", f"theme not applied: plot background {background!r}"
            self.js("window.__bkh.model('region').value = 'South';")
            self.wait_for("const p = window.__bkh.model('plot'); return p.title.text === 'Monthly sales: South';",
                          what="the plot retitled by the server after the Select changed")
            return {"header": header, "stats": stats, "css": css_url, "plot_background": background}

    def on_alarm(signum, frame):
        raise TimeoutError(f"total timeout {args.total_timeout}s exceeded")
    signal.signal(signal.SIGALRM, on_alarm)
    signal.alarm(args.total_timeout)

    h = ExampleHarness(args)
    fatal = None
    try:
        h.start()
        if h.check("render", h.check_render):
            step = {"init": h.check_slider, "sliders": h.check_slider, "streaming": h.check_stream,
                    "crossfilter": h.check_select, "dashboard": h.check_template}[args.kind]
            h.check(args.kind, step)
            h.screenshot(args.screenshot_name)
        h.check("console", h.check_console)
        if args.kind != "streaming":
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
    print(f"example {args.kind}: {passed} passed, {failed} failed")
    return 0 if failed == 0 and passed > 0 else 1


if __name__ == "__main__":
    sys.exit(main())
