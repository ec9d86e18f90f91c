#!/usr/bin/env python3
"""A page left open across a `swift-bokeh dev` restart reconnects and shows the new app.

Opens --url in headless Chromium (the shared harness), waits until the document renders, touches --ready-file,
then waits (without reloading) until the page's title is --expect-title: BokehJS reconnects its WebSocket to
the restarted server and pulls the new document. Prints `reconnect: N passed, M failed`.
"""
import argparse
import os
import shutil
import sys
import tempfile


def main():
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--url", required=True)
    ap.add_argument("--harness-dir", required=True)
    ap.add_argument("--ready-file", required=True)
    ap.add_argument("--expect-title", required=True)
    ap.add_argument("--timeout", type=float, default=240.0)
    args = ap.parse_args()
    sys.path.insert(0, os.path.abspath(args.harness_dir))
    import browser_check as bc  # noqa: E402

    args.chromium, args.chromedriver, args.window_size = "/usr/bin/chromium", "/usr/bin/chromedriver", "1000,700"
    args.profile_dir = tempfile.mkdtemp(prefix="bk-chrome-profile-")
    args.screenshot_dir = tempfile.mkdtemp(prefix="bk-reconnect-")
    h = bc.Harness(args)
    h.args.timeout = 30
    ok = False
    try:
        h.start()
        h.driver.get(args.url)
        h.wait_for("const d = window.__bkh.doc(); return !!d && d.roots().length > 0;", what="document roots")
        open(args.ready_file, "w").close()
        h.wait_for(f"return document.title === {args.expect_title!r};", timeout=args.timeout,
                   what=f"the reconnected page titled {args.expect_title!r}")
        ok = True
        print(f"[PASS] the open page reconnected and shows {args.expect_title!r}", file=sys.stderr)
    except Exception as e:
        print(f"[FAIL] reconnect: {e}", file=sys.stderr)
    finally:
        h.stop()
        shutil.rmtree(args.profile_dir, ignore_errors=True)
        shutil.rmtree(args.screenshot_dir, ignore_errors=True)
    print(f"reconnect: {1 if ok else 0} passed, {0 if ok else 1} failed")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
