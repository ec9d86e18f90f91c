#!/usr/bin/env python3
"""Headless-Chromium login check of a Bokeh server app behind authentication.

Reuses the shared harness (browser_check.py, --harness-dir, default /work/shared/browser) for the browser set-up,
logs and the demo_app checks (render, slider, keyboard, button, console, network).

Password policy (default):
  1. redirect : opening --url lands on PFX/login?next=<app path> (the document request got a 302 with that
                Location), with a username/password form; screenshot 00_login.png
  2. login    : fill in --user/--password, submit; the browser lands on --url, the `user` cookie is HttpOnly
                and SameSite=Lax; screenshot 00_logged_in.png
  3. render, slider, keyboard, button : the shared demo_app checks (the Div `status` follows the widgets)
  4. logout   : PFX/logout ends on PFX/login; opening --url again is redirected to the login page
  5. console, network : as in the shared check (no HTTP status >= 400, websocket 101, PULL-DOC/PATCH-DOC)

Trusted-header policy (--header-mode NAME, e.g. X-Forwarded-User):
  1. unauth   : without the header the app page answers 401 (Chrome performance log); screenshot 00_unauth.png
  2. header   : Network.setExtraHTTPHeaders (Chrome DevTools, through driver.execute_cdp_cmd) adds
                NAME: --header-user to every request, the websocket upgrade included
  3. render, slider, keyboard, button, console, network : the shared checks

Prints `browser-auth: N passed, M failed`; exit status 0 only if every check passed.
Artifacts in --screenshot-dir: PNGs, auth_summary.json.
"""
import argparse
import json
import os
import shutil
import signal
import sys
import tempfile
import time
import urllib.parse


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--url", required=True, help="app page URL, e.g. http://127.0.0.1:5006/demo_app")
    ap.add_argument("--user")
    ap.add_argument("--password")
    ap.add_argument("--header-mode", metavar="HEADER", help="trusted-header policy: send this header via CDP")
    ap.add_argument("--header-user", default="carol")
    ap.add_argument("--harness-dir", default="/work/shared/browser", help="directory holding browser_check.py")
    ap.add_argument("--screenshot-dir", default="browser-auth-shots")
    ap.add_argument("--chromium", default="/usr/bin/chromium")
    ap.add_argument("--chromedriver", default="/usr/bin/chromedriver")
    ap.add_argument("--timeout", type=float, default=20.0, help="bound for each individual wait (s)")
    ap.add_argument("--total-timeout", type=int, default=150, help="hard bound for the whole run (s)")
    ap.add_argument("--window-size", default="1000,800")
    ap.add_argument("--slider-value", type=float, default=7)
    ap.add_argument("--no-keyboard", action="store_true")
    ap.add_argument("--ignore-console", action="append")
    args = ap.parse_args()
    u = urllib.parse.urlsplit(args.url)
    if u.hostname not in ("127.0.0.1", "localhost"):
        ap.error("--url must point at 127.0.0.1/localhost")
    if not args.header_mode and not (args.user and args.password is not None):
        ap.error("password mode needs --user and --password")
    app_path = u.path
    pfx = app_path.rsplit("/", 1)[0]          # /pfx/demo_app -> /pfx ; /demo_app -> ""
    origin = f"{u.scheme}://{u.netloc}"
    sys.path.insert(0, os.path.abspath(args.harness_dir))
    os.environ.setdefault("SE_OFFLINE", "true")
    import browser_check as bc  # noqa: E402  (the shared harness)
    from selenium.webdriver.common.by import By  # noqa: E402
    from selenium.webdriver.support.ui import WebDriverWait  # noqa: E402

    os.makedirs(args.screenshot_dir, exist_ok=True)
    args.screenshot_dir = os.path.abspath(args.screenshot_dir)
    args.profile_dir = tempfile.mkdtemp(prefix="bk-chrome-profile-")

    class AuthHarness(bc.Harness):
        def reset_logs(self):
            """Drop logs gathered so far (expected 401s etc. must not fail the shared console/network checks)."""
            self.drain_logs()
            self.pre_events = getattr(self, "pre_events", []) + self.perf_events
            self.pre_console = getattr(self, "pre_console", []) + self.console
            self.perf_events, self.console = [], []

        def document_hops(self, url_path):
            """[(url, status, location)] of the document requests (redirect hops included) for url_path."""
            self.drain_logs()
            hops = []
            for m in self.perf_events:
                meth, p = m.get("method"), m.get("params", {})
                if meth == "Network.requestWillBeSent" and p.get("redirectResponse"):
                    rr = p["redirectResponse"]
                    hops.append((rr["url"], rr["status"], bc._header(rr.get("headers", {}), "Location")))
                elif meth == "Network.responseReceived" and p.get("type") == "Document":
                    hops.append((p["response"]["url"], p["response"]["status"], None))
            return [h for h in hops if urllib.parse.urlsplit(h[0]).path.startswith(url_path) or h[1] in (301, 302)
                    or "/login" in h[0]]

        def wait_path(self, path, what):
            try:
                WebDriverWait(self.driver, self.args.timeout, poll_frequency=0.05).until(
                    lambda d: urllib.parse.urlsplit(d.current_url).path == path)
            except bc.TimeoutException:
                raise AssertionError(f"timed out waiting for {what}: current URL {self.driver.current_url}")

        # ---- password policy -------------------------------------------------------------------------
        def check_redirect(self):
            self.driver.get(self.args.url)
            self.wait_path(pfx + "/login", "the login page")
            q = urllib.parse.parse_qs(urllib.parse.urlsplit(self.driver.current_url).query)
            assert q.get("next") == [app_path], f"next={q.get('next')} != {app_path!r}"
            hops = self.document_hops(app_path)
            first = next((h for h in hops if urllib.parse.urlsplit(h[0]).path == app_path), None)
            assert first and first[1] == 302, f"app page did not answer 302: {hops}"
            for n in ("username", "password"):
                assert self.driver.find_elements(By.NAME, n), f"no input {n} on the login page"
            shot = self.screenshot("00_login.png")
            return {"login_url": self.driver.current_url, "hops": hops, "screenshot": shot}

        def check_login(self):
            d = self.driver
            d.find_element(By.NAME, "username").send_keys(self.args.user)
            pw = d.find_element(By.NAME, "password")
            pw.send_keys(self.args.password)
            buttons = d.find_elements(By.CSS_SELECTOR, "form button, form input[type=submit]")
            (buttons[0].click() if buttons else pw.submit())
            self.wait_path(app_path, "the app after login")
            self.wait_for("const d = window.__bkh.doc(); return !!d && d.roots().length > 0 && !!window.__bkh.view('status');",
                          what="the app's document after login")
            cookies = {c["name"]: c for c in d.get_cookies()}
            uc = cookies.get("user")
            assert uc, f"no user cookie in the browser: {sorted(cookies)}"
            assert uc.get("httpOnly") is True, f"user cookie not HttpOnly: {uc}"
            assert (uc.get("sameSite") or "").lower() == "lax", f"user cookie SameSite={uc.get('sameSite')}"
            js_visible = d.execute_script("return document.cookie;")
            assert "user=" not in js_visible, f"user cookie visible to JS: {js_visible!r}"
            shot = self.screenshot("00_logged_in.png")
            return {"url": d.current_url, "cookie": {k: uc.get(k) for k in ("path", "httpOnly", "sameSite", "secure")},
                    "document.cookie": js_visible, "screenshot": shot}

        def check_logout(self):
            d = self.driver
            d.get(origin + pfx + "/logout")
            self.wait_path(pfx + "/login", "the login page after logout")
            assert "user" not in {c["name"] for c in d.get_cookies()}, "user cookie still in the browser"
            d.get(self.args.url)
            self.wait_path(pfx + "/login", "the login page when opening the app after logout")
            shot = self.screenshot("03_logged_out.png")
            return {"url": d.current_url, "screenshot": shot}

        # ---- trusted-header policy -------------------------------------------------------------------
        def check_unauth(self):
            self.driver.get(self.args.url)
            time.sleep(0.3)
            hops = self.document_hops(app_path)
            st = [h[1] for h in hops if urllib.parse.urlsplit(h[0]).path == app_path]
            assert st and st[-1] == 401, f"app page without {self.args.header_mode} answered {st}: {hops}"
            has_bokeh = self.driver.execute_script("return !!(window.Bokeh && Bokeh.documents && Bokeh.documents.length);")
            assert not has_bokeh, "a Bokeh document was built without authentication"
            shot = self.screenshot("00_unauth.png")
            self.reset_logs()
            return {"status": st[-1], "screenshot": shot}

        def check_header(self):
            self.driver.execute_cdp_cmd("Network.enable", {})
            self.driver.execute_cdp_cmd("Network.setExtraHTTPHeaders",
                                        {"headers": {self.args.header_mode: self.args.header_user}})
            return {"header": self.args.header_mode, "value": self.args.header_user}

    def on_alarm(signum, frame):
        raise TimeoutError(f"total timeout {args.total_timeout}s exceeded")
    signal.signal(signal.SIGALRM, on_alarm)
    signal.alarm(args.total_timeout)

    h = AuthHarness(args)
    t0 = time.monotonic()
    fatal = None
    try:
        h.start()
        if args.header_mode:
            ok = h.check("unauth", h.check_unauth) and h.check("header", h.check_header)
        else:
            ok = h.check("redirect", h.check_redirect) and h.check("login", h.check_login)
        if ok and h.check("render", h.check_render):
            h.check("slider", h.check_slider)
            if not args.no_keyboard:
                h.check("keyboard", h.check_keyboard)
            h.check("button", h.check_button)
        h.check("console", h.check_console)
        h.check("network", h.check_network)
        if ok and not args.header_mode:
            h.check("logout", h.check_logout)
    except BaseException as e:
        fatal = f"{type(e).__name__}: {e}"
        print(f"[FATAL] {fatal}", file=sys.stderr)
        try:
            if h.driver:
                h.screenshot("99_failure.png")
        except BaseException:
            pass
    finally:
        signal.alarm(0)
        h.stop()
        shutil.rmtree(args.profile_dir, ignore_errors=True)
    passed = sum(1 for c in h.checks if c["ok"])
    failed = sum(1 for c in h.checks if not c["ok"]) + (1 if fatal else 0)
    requests, ws, frames, msgtypes = h.network_summary()
    with open(os.path.join(args.screenshot_dir, "auth_summary.json"), "w") as f:
        json.dump({"url": args.url, "mode": "header" if args.header_mode else "password", "passed": passed,
                   "failed": failed, "fatal": fatal, "total_s": round(time.monotonic() - t0, 3), "checks": h.checks,
                   "requests": [f"{r.get('status')} {r.get('url')}" for r in requests], "websockets": ws,
                   "console": h.console}, f, indent=2)
    for c in h.checks:
        print(f"{'PASS' if c['ok'] else 'FAIL'} browser {c['name']} ({c['secs']}s)"
              + ("" if c["ok"] else " " + json.dumps(c["detail"])[:300]))
    print(f"browser-auth: {passed} passed, {failed} failed")
    return 0 if failed == 0 and passed > 0 else 1


if __name__ == "__main__":
    sys.exit(main())
