#!/usr/bin/env python3
"""HTTP-level checks of a Bokeh server's authentication (swift-bokeh serve or Python bokeh serve --auth-module).

  auth_check.py BASE_URL [--prefix /pfx] [--xsrf] --password-file F --user U --password PW
                [--cookie-secret S] [--server ours|python] [--json OUT] [filter options]
  auth_check.py BASE_URL --mode header --auth-header X-Forwarded-User --header-user carol [--server ...]

BASE_URL is http://127.0.0.1:PORT (no prefix); the server must serve `whoami_app` (Tools/auth/whoami_app.py for
bokeh serve, the built-in one for swift-bokeh) and have BokehJS static files. Every check prints one line
PASS / FAIL / INFO with the observed status and Location; the last line is `N passed, M failed`; the exit
status is nonzero if anything failed.

--server python: the checks where Python Bokeh 3.10.2 (with Tools/auth/reference_auth.py) is known to differ
from the swift-bokeh spec expect Python's documented behaviour and are marked "python-deviation" (so Python is
a clean reference run that still detects changes in its behaviour). --server ours expects the spec.

The password policy checks finish with the rate-limit check (it leaves 127.0.0.1 limited for a minute: run
browser logins against the same server before this script). --json writes every record for auth_compare.py.
"""
import argparse
import base64
import html.parser
import http.client
import json
import os
import re
import signal
import socket
import sys
import time
import urllib.parse

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

APP = "whoami_app"


# ---------------------------------------------------------------------------------------------------------------
# small HTTP helpers
# ---------------------------------------------------------------------------------------------------------------

class Resp:
    def __init__(self, status, headers, body):
        self.status = status
        self.headers = headers  # list of (name, value)
        self.body = body

    def header(self, name):
        for k, v in self.headers:
            if k.lower() == name.lower():
                return v
        return None

    def all(self, name):
        return [v for k, v in self.headers if k.lower() == name.lower()]

    @property
    def text(self):
        return self.body.decode("utf-8", "replace")


def parse_set_cookie(s):
    parts = [p.strip() for p in s.split(";")]
    name, _, value = parts[0].partition("=")
    attrs = {}
    for p in parts[1:]:
        if not p:
            continue
        k, _, v = p.partition("=")
        attrs[k.strip().lower()] = v.strip()
    return name.strip(), value.strip(), attrs


def unquote_cookie(v):
    if len(v) >= 2 and v[0] == '"' and v[-1] == '"':
        return v[1:-1]
    return v


class FormParser(html.parser.HTMLParser):
    def __init__(self):
        super().__init__()
        self.forms = []  # {"method", "action", "inputs": {name: {"type", "value"}}}

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "form":
            self.forms.append({"method": (a.get("method") or "get").lower(), "action": a.get("action"), "inputs": {}})
        elif tag in ("input", "button", "textarea", "select") and self.forms and a.get("name"):
            self.forms[-1]["inputs"][a["name"]] = {"type": (a.get("type") or "text").lower(), "value": a.get("value")}


def parse_forms(text):
    p = FormParser()
    p.feed(text)
    return p.forms


def cookie_expired(attrs):
    if attrs.get("max-age") is not None:
        try:
            return int(attrs["max-age"]) <= 0
        except ValueError:
            return False
    if attrs.get("expires"):
        import email.utils
        try:
            t = email.utils.parsedate_to_datetime(attrs["expires"]).timestamp()
        except (TypeError, ValueError):
            return False
        return t < time.time()
    return False


# ---------------------------------------------------------------------------------------------------------------
# the checker
# ---------------------------------------------------------------------------------------------------------------

class Checker:
    def __init__(self, a):
        self.a = a
        u = urllib.parse.urlsplit(a.base_url)
        if u.hostname not in ("127.0.0.1", "localhost"):
            raise SystemExit("BASE_URL must be on 127.0.0.1/localhost")
        self.host, self.port = u.hostname, u.port or 80
        self.origin = f"http://{self.host}:{self.port}"
        self.pfx = (a.prefix or "").rstrip("/")
        if self.pfx and not self.pfx.startswith("/"):
            self.pfx = "/" + self.pfx
        self.python = a.server == "python"
        self.records = []
        self.failures = 0   # failed logins sent from 127.0.0.1 (rate-limit accounting)
        self.user_cookie = None  # raw value as set (maybe quoted)
        self.xsrf_cookie = None
        self.xsrf_field = None

    # ---- plumbing ----------------------------------------------------------------------------------------
    def p(self, path):
        return self.pfx + path

    def req(self, method, path, headers=None, body=None, source=None, timeout=15):
        conn = http.client.HTTPConnection(self.host, self.port, timeout=timeout,
                                          source_address=(source, 0) if source else None)
        try:
            conn.request(method, path, body=body, headers=headers or {})
            r = conn.getresponse()
            data = r.read()
            return Resp(r.status, r.getheaders(), data)
        finally:
            conn.close()

    def loc(self, r):
        v = r.header("Location")
        if v and v.startswith(self.origin):
            v = v[len(self.origin):]
        return v

    def record(self, name, ok, status=None, location=None, note="", compare=None, deviation=None):
        """ok: True/False, or None for INFO (recorded, never fails). compare: what auth_compare.py compares
        (default: status and Location)."""
        if compare is None:
            compare = {"status": status, "location": location}
        rec = {"name": name, "ok": ok, "status": status, "location": location, "note": note,
               "compare": compare, "deviation": deviation}
        self.records.append(rec)
        tag = "INFO" if ok is None else ("PASS" if ok else "FAIL")
        parts = [f"status={status}"] if status is not None else []
        if location is not None:
            parts.append(f"location={location}")
        if deviation and self.python:
            parts.append(f"[python-deviation: {deviation}]")
        if note:
            parts.append(note)
        print(f"{tag} {name}: " + " ".join(parts), flush=True)
        return ok

    def expect(self, name, r, status, location=None, ours=None, python=None, deviation=None, note="",
               extra_ok=True, compare=None):
        """Check r.status (and Location when `location` is given). ours/python: (status, location) overriding
        the expectation for that server; `deviation` documents why Python differs."""
        exp_status, exp_loc = status, location
        over = python if self.python else ours
        if over is not None:
            exp_status, exp_loc = over
        got_loc = self.loc(r)
        ok = r.status == exp_status and (exp_loc is None or got_loc == exp_loc) and bool(extra_ok)
        if not ok:
            want = f"want {exp_status}" + (f" {exp_loc}" if exp_loc else "")
            note = (note + "; " if note else "") + want
        return self.record(name, ok, r.status, got_loc, note,
                           compare=compare, deviation=deviation if (python is not None) else None)

    def login_redirect(self, uri):
        return self.p("/login") + "?" + urllib.parse.urlencode({"next": uri})

    def cookie_header(self, **extra):
        jar = {}
        if self.xsrf_cookie is not None:
            jar["_xsrf"] = self.xsrf_cookie
        if self.user_cookie is not None:
            jar["user"] = self.user_cookie
        for k, v in extra.items():
            if v is None:
                jar.pop(k, None)
            else:
                jar[k] = v
        return "; ".join(f"{k}={v}" for k, v in jar.items())

    def auth_headers(self, **extra):
        """Headers of an authenticated request (password policy: the user cookie; header policy: the header)."""
        if self.a.mode == "header":
            h = {self.a.auth_header: self.a.header_user}
        else:
            h = {"Cookie": self.cookie_header()}
        h.update(extra)
        return h

    # ---- websocket ---------------------------------------------------------------------------------------
    def ws_upgrade(self, path, headers=None, source=None, wait=1.5):
        """Raw websocket upgrade with the Bokeh subprotocol; returns (status, after) where after describes
        what followed a 101 within `wait` seconds."""
        from bokeh.util.token import generate_jwt_token, generate_session_id
        token = generate_jwt_token(generate_session_id())
        key = base64.b64encode(os.urandom(16)).decode()
        lines = [f"GET {path} HTTP/1.1", f"Host: {self.host}:{self.port}", "Upgrade: websocket",
                 "Connection: Upgrade", f"Sec-WebSocket-Key: {key}", "Sec-WebSocket-Version: 13",
                 f"Sec-WebSocket-Protocol: bokeh, {token}"]
        for k, v in (headers or {}).items():
            lines.append(f"{k}: {v}")
        s = socket.create_connection((self.host, self.port), timeout=5,
                                     source_address=(source, 0) if source else None)
        try:
            s.sendall(("\r\n".join(lines) + "\r\n\r\n").encode())
            buf = b""
            while b"\r\n\r\n" not in buf:
                d = s.recv(65536)
                if not d:
                    break
                buf += d
            head, _, rest = buf.partition(b"\r\n\r\n")
            m = re.match(rb"HTTP/1\.[01] (\d{3})", head)
            status = int(m.group(1)) if m else None
            if status != 101:
                return status, "http-response"
            s.settimeout(wait)
            data, closed = rest, False
            t0 = time.monotonic()
            try:
                while time.monotonic() - t0 < wait:
                    d = s.recv(65536)
                    if not d:
                        closed = True
                        break
                    data += d
            except socket.timeout:
                pass
            if not data:
                desc = "connection closed without a close frame" if closed else "open, nothing received"
            else:
                op = data[0] & 0x0F
                if op == 8:
                    code = int.from_bytes(data[2:4], "big") if len(data) >= 4 else None
                    desc = f"close frame {code}"
                else:
                    desc = f"frame opcode {op}"
                desc += ", then connection closed" if closed else ", still open"
            return status, desc
        finally:
            s.close()

    # ---- bokeh.client ------------------------------------------------------------------------------------
    def pull_whoami(self, headers, session_id=None):
        """bokeh.client.pull_session with extra headers on the websocket upgrade (Bokeh 3.10.2's pull_session
        has no headers= argument: its ClientConnection builds a bare tornado HTTPRequest, patched here)."""
        import bokeh.client.connection as bcc
        from bokeh.client import pull_session
        orig = bcc.HTTPRequest

        def with_headers(url, *args, **kw):
            kw.setdefault("headers", dict(headers))
            return orig(url, *args, **kw)

        bcc.HTTPRequest = with_headers
        old = signal.signal(signal.SIGALRM, lambda *_: (_ for _ in ()).throw(TimeoutError("pull_session timed out")))
        signal.alarm(20)
        try:
            session = pull_session(session_id=session_id, url=self.origin + self.p("/" + APP))
            try:
                div = session.document.select_one({"name": "whoami"})
                return json.loads(div.text)
            finally:
                session.close()
        finally:
            signal.alarm(0)
            signal.signal(signal.SIGALRM, old)
            bcc.HTTPRequest = orig

    # ---- login helpers -----------------------------------------------------------------------------------
    def fetch_xsrf(self):
        r = self.req("GET", self.p("/login"))
        for sc in r.all("Set-Cookie"):
            n, v, _ = parse_set_cookie(sc)
            if n == "_xsrf":
                self.xsrf_cookie = v
        forms = parse_forms(r.text)
        if forms and "_xsrf" in forms[0]["inputs"]:
            self.xsrf_field = forms[0]["inputs"]["_xsrf"]["value"]
        return r

    def post_login(self, user, password, next_url=None, xsrf=True, source=None, cookie=None):
        fields = {"username": user, "password": password}
        if next_url is not None:
            fields["next"] = next_url
        headers = {"Content-Type": "application/x-www-form-urlencoded"}
        if self.a.xsrf and xsrf:
            if self.xsrf_cookie is None:
                self.fetch_xsrf()
            fields["_xsrf"] = self.xsrf_field or ""
            headers["Cookie"] = f"_xsrf={self.xsrf_cookie}"
        if cookie is not None:
            headers["Cookie"] = cookie
        return self.req("POST", self.p("/login"), headers=headers, body=urllib.parse.urlencode(fields), source=source)

    def user_set_cookie(self, r):
        for sc in r.all("Set-Cookie"):
            n, v, attrs = parse_set_cookie(sc)
            if n == "user":
                return sc, v, attrs
        return None, None, None

    # ---- session-context expectations (bokeh/server/core.py _filtered_headers/_filtered_cookies) ----------
    def expected_context(self, sent_headers, sent_cookies, sent_args):
        a = self.a
        if a.include_headers is None:
            excl = {h.lower() for h in a.exclude_headers or ()}
            hs = [h for h in sent_headers if h.lower() not in excl]
        else:
            hs = [h for h in a.include_headers if h.lower() in {x.lower() for x in sent_headers}]
        inc = {h.lower() for h in a.include_headers or ()}
        if "cookie" not in inc:
            hs = [h for h in hs if h.lower() != "cookie"]
        hs = {h.lower() for h in hs} | {"cookie"}  # Bokeh restores Cookie from the (filtered) cookies
        if a.include_cookies is None:
            cs = [c for c in sent_cookies if c not in set(a.exclude_cookies or ())]
        else:
            cs = [c for c in a.include_cookies if c in sent_cookies]
        return {"headers": sorted(hs), "cookies": sorted(set(cs)), "arguments": sorted(set(sent_args))}

    # -----------------------------------------------------------------------------------------------------
    # password policy
    # -----------------------------------------------------------------------------------------------------
    def run_password(self):
        a = self.a
        app = self.p("/" + APP)

        # 1. unauthenticated requests redirect to the login page with next=<request URI>
        for name, uri in [("unauth GET app page", app),
                          ("unauth GET app page with query", app + "?x=1&y=a%20b"),
                          ("unauth GET autoload.js", app + "/autoload.js?bokeh-autoload-element=e1"),
                          ("unauth GET metadata", app + "/metadata"),
                          ("unauth GET index", self.p("/"))]:
            r = self.req("GET", uri)
            note = "python logs an uncaught TypeError after the redirect" if self.python and "autoload" in uri else ""
            self.expect(name, r, 302, self.login_redirect(uri), note=note)
        for name, uri in [("unauth HEAD app page", app), ("unauth HEAD metadata", app + "/metadata"),
                          ("unauth HEAD index", self.p("/"))]:
            r = self.req("HEAD", uri)
            # Bokeh's handlers define no head(): 405 before any auth check, in both servers.
            self.expect(name, r, 405)
        r = self.req("POST", app, headers={"Content-Type": "application/x-www-form-urlencoded"}, body="a=1")
        # Only get() is @authenticated: a POST is 405, or 403 first when Tornado's XSRF check is on (both servers).
        self.expect("unauth POST app page", r, 403 if a.xsrf else 405)

        # 2. static files stay public
        r = self.req("GET", self.p("/static/js/bokeh.min.js"))
        self.expect("unauth GET static/js/bokeh.min.js", r, 200, note=f"{len(r.body)} bytes")

        # 3. websocket upgrade without auth
        st, after = self.ws_upgrade(app + "/ws")
        self.record("unauth websocket upgrade", (st == 101 and "without a close frame" in after) if self.python else st == 403,
                    st, None, f"after: {after}" + ("" if self.python or st == 403 else "; want 403"),
                    compare={"status": st}, deviation="101, then open() fails (redirect on a websocket) and the "
                    "TCP connection is closed without a close frame")

        # 4. the login page
        nxt = app + "?x=1"
        r = self.req("GET", self.p("/login?") + urllib.parse.urlencode({"next": nxt}))
        forms = parse_forms(r.text)
        f = next((f for f in forms if f["method"] == "post"), None)
        problems = []
        if not f:
            problems.append("no <form method=post>")
        else:
            for n in ("username", "password", "next"):
                if n not in f["inputs"]:
                    problems.append(f"no input {n}")
            if "password" in f["inputs"] and f["inputs"]["password"]["type"] != "password":
                problems.append("password input is not type=password")
            if "next" in f["inputs"] and (f["inputs"]["next"]["type"] != "hidden" or f["inputs"]["next"]["value"] != nxt):
                problems.append(f"next input {f['inputs']['next']} != hidden {nxt!r}")
            if a.xsrf and (f["inputs"].get("_xsrf") or {}).get("type") != "hidden":
                problems.append("no hidden _xsrf input")
            if not a.xsrf and "_xsrf" in f["inputs"]:
                problems.append("_xsrf input although XSRF is off")
        xsrf_sc = [sc for sc in r.all("Set-Cookie") if parse_set_cookie(sc)[0] == "_xsrf"]
        if a.xsrf and not xsrf_sc:
            problems.append("no _xsrf Set-Cookie")
        ctype = r.header("Content-Type") or ""
        if "text/html" not in ctype:
            problems.append(f"Content-Type {ctype!r}")
        self.expect("GET login page (form)", r, 200, extra_ok=not problems,
                    note="; ".join(problems) + (f" _xsrf Set-Cookie: {xsrf_sc[0]}" if xsrf_sc else ""),
                    compare={"status": r.status, "form_inputs": sorted(f["inputs"]) if f else None,
                             "xsrf_cookie": bool(xsrf_sc)})
        if a.xsrf:
            n, v, attrs = parse_set_cookie(xsrf_sc[0]) if xsrf_sc else (None, None, {})
            self.xsrf_cookie = v
            self.xsrf_field = f["inputs"]["_xsrf"]["value"] if f and "_xsrf" in f["inputs"] else None

            # 5. XSRF
            r = self.post_login(a.user, a.password, nxt, xsrf=False)
            self.expect("XSRF: POST login without _xsrf", r, 403)
            r = self.post_login(a.user, a.password, nxt, xsrf=False, cookie="_xsrf=" + (self.xsrf_cookie or ""))
            self.expect("XSRF: POST login with _xsrf cookie, no field", r, 403)
            body = urllib.parse.urlencode({"username": a.user, "password": a.password, "next": nxt,
                                           "_xsrf": self.xsrf_field or ""})
            r = self.req("POST", self.p("/login"), headers={"Content-Type": "application/x-www-form-urlencoded"}, body=body)
            self.expect("XSRF: POST login with _xsrf field, no cookie", r, 403)
            other = self.req("GET", self.p("/login"))  # a fresh token: cookie of another visitor
            oc = [parse_set_cookie(sc)[1] for sc in other.all("Set-Cookie") if parse_set_cookie(sc)[0] == "_xsrf"]
            r2 = self.req("POST", self.p("/login"), headers={"Content-Type": "application/x-www-form-urlencoded",
                                                             "Cookie": "_xsrf=" + (oc[0] if oc else "x")}, body=body)
            self.expect("XSRF: POST login with mismatched _xsrf", r2, 403)
            body = urllib.parse.urlencode({"username": a.user, "password": a.password, "next": nxt})
            r = self.req("POST", self.p("/login"), body=body,
                         headers={"Content-Type": "application/x-www-form-urlencoded",
                                  "Cookie": "_xsrf=" + (self.xsrf_cookie or ""), "X-XSRFToken": self.xsrf_field or ""})
            self.expect("XSRF: token in an X-XSRFToken header instead of the field", r, 302, nxt)

        # 6. wrong credentials
        r = self.post_login(a.user, a.password + "-wrong", nxt)
        self.failures += 1
        forms = parse_forms(r.text)
        self.expect("POST login wrong password", r, 401, extra_ok=bool(forms) and "password" in forms[0]["inputs"],
                    note="" if forms else "no form in the 401 body")
        t1 = time.monotonic()
        r = self.post_login("no-such-user", a.password, nxt)
        t_unknown = time.monotonic() - t1
        self.failures += 1
        self.expect("POST login unknown user", r, 401)
        t1 = time.monotonic()
        r = self.post_login(a.user, a.password + "-wrong2", nxt)
        t_wrong = time.monotonic() - t1
        self.failures += 1
        self.record("timing: unknown user vs wrong password", None,
                    note=f"unknown user {t_unknown * 1000:.0f} ms, wrong password {t_wrong * 1000:.0f} ms "
                    "(a much faster unknown user lets clients enumerate user names)",
                    compare={"status": r.status})

        # 7. good credentials
        r = self.post_login(a.user, a.password, nxt)
        sc, v, attrs = self.user_set_cookie(r)
        problems = []
        if sc is None:
            problems.append("no user Set-Cookie")
        else:
            if "httponly" not in attrs:
                problems.append("no HttpOnly")
            if attrs.get("samesite", "").lower() != "lax":
                problems.append(f"SameSite={attrs.get('samesite')}")
            if attrs.get("path") not in ("/", self.pfx + "/"):
                problems.append(f"Path={attrs.get('path')}")
            if a.cookie_secret:
                from tornado.web import decode_signed_value
                raw = decode_signed_value(a.cookie_secret, "user", unquote_cookie(v))
                try:
                    if raw is None or json.loads(raw) != a.user:
                        problems.append(f"cookie does not decode to json {a.user!r} (got {raw!r})")
                except ValueError:
                    problems.append(f"cookie payload {raw!r} is not JSON")
                if not unquote_cookie(v).startswith("2|"):
                    problems.append("not a v2 secure cookie")
        # Path is not compared: the spec allows Path=/ or Path=PFX/ (reference_auth.py uses PFX/)
        flags = sorted(k for k in attrs if k in ("httponly", "samesite", "secure")) if attrs else None
        self.expect("POST login success (302 to next, Set-Cookie user)", r, 302, nxt, extra_ok=not problems,
                    note="; ".join(problems) + f" Set-Cookie: {sc}",
                    compare={"status": r.status, "location": self.loc(r),
                             "cookie_flags": {k: (attrs.get(k) or "").lower() for k in flags} if flags else None})
        self.user_cookie = v
        self.user_set_cookie_str = sc

        # 8. next handling
        for name, nv, want in [("next=//evil.example/x (scheme-relative) -> PFX/", "//evil.example/x", self.p("/")),
                               ("next=http://evil.example/ (absolute) -> PFX/", "http://evil.example/", self.p("/")),
                               ("next missing -> PFX/", None, self.p("/")),
                               ("next=relative (no leading /) -> PFX/", "whoami_app", self.p("/"))]:
            r = self.post_login(a.user, a.password, nv)
            self.expect("login " + name, r, 302, want)
        r = self.post_login(a.user, a.password, "/\\evil.example/")
        self.record("login next=/\\evil.example/ (browsers read /\\ as //)", None, r.status, self.loc(r),
                    "spec says only '//' is non-local; reference_auth.py also rejects '/\\' (open redirect)")
        for eu in a.extra_user or []:
            u, _, pw = eu.partition(":")
            r = self.post_login(u, pw, app)
            sc2, _, _ = self.user_set_cookie(r)
            self.expect(f"POST login success for {u} (other hash scheme)", r, 302, app, extra_ok=sc2 is not None)

        # 9. authenticated requests
        ah = self.auth_headers()
        r = self.req("GET", app, headers=ah)
        self.expect("auth GET app page", r, 200, extra_ok="text/html" in (r.header("Content-Type") or ""))
        r = self.req("GET", app + "/metadata", headers=ah)
        self.expect("auth GET metadata", r, 200)
        r = self.req("GET", app + "/autoload.js?bokeh-autoload-element=e1&bokeh-app-path=" + app +
                     "&bokeh-absolute-url=" + urllib.parse.quote(self.origin + app, safe=""), headers=ah)
        self.expect("auth GET autoload.js", r, 200)
        r = self.req("GET", self.p("/"), headers=ah)
        self.expect("auth GET index", r, 200)
        r = self.req("HEAD", app, headers=ah)
        self.record("auth HEAD app page", None, r.status, self.loc(r), "spec is silent; python answers 405")
        st, after = self.ws_upgrade(app + "/ws", headers={"Cookie": self.cookie_header()})
        self.record("auth websocket upgrade", st == 101, st, None, f"after: {after}", compare={"status": st})
        if v and v.startswith('"'):
            r = self.req("GET", app, headers={"Cookie": "user=" + unquote_cookie(v)})
            self.expect("auth GET app page, cookie value sent unquoted", r, 200,
                        note="the Set-Cookie value is quoted (it contains '='); browsers send it back quoted")

        # 10. the session context (whoami) through a page token and bokeh.client
        self.check_whoami_password()

        # 11. forged / invalid cookies are refused
        from tornado.web import create_signed_value
        forged = {
            "forged: unsigned user cookie (json)": json.dumps(a.user),
            "forged: unsigned user cookie (plain)": a.user,
            "forged: signed with another secret": create_signed_value("not-the-secret", "user", json.dumps(a.user)).decode(),
        }
        if v:
            raw = unquote_cookie(v)
            fields = raw.split("|")
            if len(fields) == 6:
                evil = base64.b64encode(json.dumps("mallory").encode()).decode()
                fields[4] = f"{len(evil)}:{evil}"
                forged["forged: payload replaced, signature kept"] = '"' + "|".join(fields) + '"'
                forged["forged: signature flipped"] = '"' + raw[:-1] + ("0" if raw[-1] != "0" else "1") + '"'
        if a.cookie_secret:
            forged["stale: signed by the secret 40 days ago"] = '"' + create_signed_value(
                a.cookie_secret, "user", json.dumps(a.user), clock=lambda: time.time() - 40 * 86400).decode() + '"'
            forged["wrong name: valid signature for cookie 'other'"] = '"' + create_signed_value(
                a.cookie_secret, "other", json.dumps(a.user)).decode() + '"'
        for name, val in forged.items():
            r = self.req("GET", app, headers={"Cookie": "user=" + val})
            self.expect(name, r, 302, self.login_redirect(app))
        if a.cookie_secret:
            v1 = create_signed_value(a.cookie_secret, "user", json.dumps(a.user), version=1).decode()
            r = self.req("GET", app, headers={"Cookie": f'user="{v1}"'})
            self.record("v1 secure cookie (Tornado get_secure_cookie accepts v1)", None, r.status, self.loc(r),
                        "spec says v2; informational")

        # 12. logout
        r = self.req("GET", self.p("/logout"), headers={"Cookie": self.cookie_header()})
        sc, cv, attrs = self.user_set_cookie(r)
        cleared = sc is not None and unquote_cookie(cv) == "" and cookie_expired(attrs)
        self.expect("GET logout (302 to PFX/login, user cleared)", r, 302, self.p("/login"), extra_ok=cleared,
                    note=f"Set-Cookie: {sc}")
        jar_after = self.cookie_header(user=None) if cleared else self.cookie_header()
        r = self.req("GET", app, headers={"Cookie": jar_after} if jar_after else {})
        self.expect("app page after logout (cookie jar applied)", r, 302, self.login_redirect(app))
        ph = {"Content-Type": "application/x-www-form-urlencoded", "Cookie": self.cookie_header()}
        body = urllib.parse.urlencode({"_xsrf": self.xsrf_field}) if a.xsrf else ""
        r = self.req("POST", self.p("/logout"), headers=ph, body=body)
        sc, cv, attrs = self.user_set_cookie(r)
        self.expect("POST logout", r, 302, self.p("/login"), extra_ok=sc is not None)
        if a.xsrf:
            r = self.req("POST", self.p("/logout"), headers={"Cookie": self.cookie_header(_xsrf=None)}, body="")
            self.expect("XSRF: POST logout without _xsrf", r, 403)

        # 13. rate limit (last: it leaves 127.0.0.1 limited for up to a minute)
        self.check_rate_limit()

    def check_whoami_password(self):
        a = self.a
        app = self.p("/" + APP)
        probe_cookies = {"probe": "1", "probe_excluded": "2"}
        cookie = self.cookie_header(**probe_cookies)
        sent_headers = {"Cookie": cookie, "X-Probe": "1", "X-Probe-Excluded": "1"}
        r = self.req("GET", app + "?probe_arg=1", headers=sent_headers)
        m = re.search(r'"token"\s*:\s*"([^"]+)"', r.text)
        if r.status != 200 or not m:
            self.record("whoami: page token", False, r.status, self.loc(r), "no session token in the page")
            return
        from bokeh.util.token import get_session_id, get_token_payload
        token = m.group(1)
        sid = get_session_id(token)
        payload = get_token_payload(token)
        names = ["Host", "Accept-Encoding"] + list(sent_headers)
        jar_names = [k for k, _ in (c.split("=", 1) for c in cookie.split("; "))]
        exp = self.expected_context(names, jar_names, ["probe_arg"])
        got_h = sorted({k.lower() for k in payload.get("headers", {})} | ({"cookie"} if "cookies" in payload else set()))
        got_c = sorted(payload.get("cookies", {}))
        self.record("whoami: token payload headers/cookies filtered", got_h == exp["headers"] and got_c == exp["cookies"],
                    r.status, None, f"headers={got_h} cookies={got_c}" +
                    ("" if got_h == exp["headers"] and got_c == exp["cookies"] else f"; want {exp}"),
                    compare={"headers": got_h, "cookies": got_c})
        try:
            info = self.pull_whoami({"Cookie": self.cookie_header()}, session_id=sid)
        except Exception as e:
            self.record("whoami: pull_session of the page's session", False, note=f"{type(e).__name__}: {e}")
            return
        want = dict(exp, user=a.user, logout_url=self.p("/logout"))
        ok = info == want
        self.record("whoami: pull_session of the page's session (user, logout_url, filtered context)", ok,
                    note=json.dumps(info, sort_keys=True) + ("" if ok else f"; want {json.dumps(want, sort_keys=True)}"),
                    compare={"whoami": info})
        try:
            info = self.pull_whoami({"Cookie": self.cookie_header()})
            ok = info.get("user") == a.user and info.get("logout_url") == self.p("/logout")
            self.record("whoami: pull_session, new session over the websocket", ok,
                        note=json.dumps(info, sort_keys=True),
                        compare={"user": info.get("user"), "logout_url": info.get("logout_url")})
            self.record("whoami: new websocket session, context headers/cookies", None,
                        note="Python: a client-made token carries no request, so the context is the upgrade "
                        "request's headers/cookies, unfiltered (no --include/--exclude applied)",
                        compare={"headers": info.get("headers"), "cookies": info.get("cookies")})
        except Exception as e:
            self.record("whoami: pull_session, new session over the websocket", False, note=f"{type(e).__name__}: {e}")
        try:
            info = self.pull_whoami({})
            self.record("pull_session without cookie is refused", False, note=f"got a document: {info}")
        except Exception as e:
            self.record("pull_session without cookie is refused", True, note=f"{type(e).__name__}: {str(e)[:120]}",
                        compare={"refused": True})

    def check_rate_limit(self):
        a = self.a
        seq = []
        limited = None
        for _ in range(8):
            r = self.post_login(a.user, a.password + "-wrong")
            seq.append(r.status)
            if r.status == 429:
                limited = r
                break
            self.failures += 1
        expected = [401] * max(0, 5 - (self.failures - seq.count(401))) + [429]
        ra = limited.header("Retry-After") if limited else None
        ok = seq == expected and ra is not None and ra.isdigit() and 1 <= int(ra) <= 60
        self.record("rate limit: 429 + Retry-After after 5 failed logins", ok, seq[-1], None,
                    f"statuses={seq} Retry-After={ra}" + ("" if ok else f"; want {expected} and Retry-After 1..60"),
                    compare={"statuses": seq, "retry_after": bool(ra)})
        r = self.post_login(a.user, a.password)
        self.record("rate limit: correct password while limited", None, r.status, self.loc(r),
                    "spec is silent; reference_auth.py answers 429 before checking credentials")
        r = self.post_login(a.user, a.password, self.p("/" + APP), source="127.0.0.2")
        self.expect("rate limit is per client address (login from 127.0.0.2)", r, 302, self.p("/" + APP))

    # -----------------------------------------------------------------------------------------------------
    # trusted-header policy
    # -----------------------------------------------------------------------------------------------------
    def run_header(self):
        a = self.a
        app = self.p("/" + APP)
        hn = a.auth_header
        dev401 = "no login URL: get_login_url raises HTTPError(401) (see reference_header_auth.py)"
        for name, uri in [("unauth GET app page", app),
                          ("unauth GET autoload.js", app + "/autoload.js?bokeh-autoload-element=e1"),
                          ("unauth GET metadata", app + "/metadata"),
                          ("unauth GET index", self.p("/"))]:
            r = self.req("GET", uri)
            self.expect(name, r, 401)
        r = self.req("HEAD", app)
        self.expect("unauth HEAD app page", r, 405, python=(401, None),
                    deviation="the reference module's get_login_url raises 401 in prepare(), before the 405")
        r = self.req("POST", app, headers={"Content-Type": "application/x-www-form-urlencoded"}, body="a=1")
        self.expect("unauth POST app page", r, 405)
        r = self.req("GET", self.p("/static/js/bokeh.min.js"))
        self.expect("unauth GET static/js/bokeh.min.js", r, 200)
        r = self.req("GET", self.p("/login"))
        self.expect("no login page (GET PFX/login)", r, 404)
        st, after = self.ws_upgrade(app + "/ws")
        self.record("unauth websocket upgrade", st == 401 if self.python else st == 403, st, None,
                    f"after: {after}" + ("" if self.python or st == 403 else "; want 403"),
                    compare={"status": st}, deviation=dev401 + ", also for the upgrade GET")

        r = self.req("GET", app, headers={hn: a.header_user})
        self.expect(f"{hn} from trusted 127.0.0.1", r, 200)
        r = self.req("GET", app, headers={hn: a.header_user}, source="127.0.0.2")
        self.expect(f"{hn} from untrusted 127.0.0.2", r, 401)
        if a.cidr_source:
            r = self.req("GET", app, headers={hn: a.header_user}, source=a.cidr_source)
            self.expect(f"{hn} from {a.cidr_source} (trusted through a CIDR)", r, 200)
        r = self.req("GET", app, headers={hn: ""})
        self.record(f"empty {hn} from trusted 127.0.0.1", None, r.status, self.loc(r), "spec is silent")
        r = self.req("GET", app + "/metadata", headers={hn: a.header_user})
        self.expect("auth GET metadata", r, 200)
        r = self.req("GET", self.p("/"), headers={hn: a.header_user})
        self.expect("auth GET index", r, 200)
        st, after = self.ws_upgrade(app + "/ws", headers={hn: a.header_user})
        self.record("auth websocket upgrade", st == 101, st, None, f"after: {after}", compare={"status": st})
        st, after = self.ws_upgrade(app + "/ws", headers={hn: a.header_user}, source="127.0.0.2")
        self.record("websocket upgrade with header from untrusted 127.0.0.2", st in ((401,) if self.python else (403,)),
                    st, None, f"after: {after}", compare={"status": st}, deviation=dev401)

        sent = {hn: a.header_user, "X-Probe": "1"}
        r = self.req("GET", app + "?probe_arg=1", headers=sent)
        m = re.search(r'"token"\s*:\s*"([^"]+)"', r.text)
        if not m:
            self.record("whoami: page token", False, r.status, None, "no session token in the page")
            return
        from bokeh.util.token import get_session_id
        try:
            info = self.pull_whoami({hn: a.header_user}, session_id=get_session_id(m.group(1)))
            want = dict(self.expected_context(["Host", "Accept-Encoding"] + list(sent), [], ["probe_arg"]),
                        user=a.header_user, logout_url=None)
            ok = info == want
            self.record("whoami: pull_session of the page's session (user from header, no logout_url)", ok,
                        note=json.dumps(info, sort_keys=True) +
                        ("" if ok else f"; want {json.dumps(want, sort_keys=True)} (Bokeh always restores a "
                         "Cookie header from the cookies dict, even an empty one)"),
                        compare={"whoami": info})
        except Exception as e:
            self.record("whoami: pull_session of the page's session", False, note=f"{type(e).__name__}: {e}")
        try:
            info = self.pull_whoami({})
            self.record("pull_session without header is refused", False, note=f"got a document: {info}")
        except Exception as e:
            self.record("pull_session without header is refused", True, note=f"{type(e).__name__}: {str(e)[:120]}",
                        compare={"refused": True})


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("base_url")
    ap.add_argument("--prefix", default="")
    ap.add_argument("--xsrf", action="store_true", help="the server runs with --enable-xsrf-cookies")
    ap.add_argument("--mode", choices=["password", "header"], default="password")
    ap.add_argument("--password-file")
    ap.add_argument("--user")
    ap.add_argument("--password")
    ap.add_argument("--extra-user", action="append", metavar="USER:PASSWORD",
                    help="another user of the file to log in (e.g. one with the other hash scheme)")
    ap.add_argument("--cookie-secret", default=os.environ.get("BOKEH_COOKIE_SECRET"),
                    help="verify the user cookie's signature, forge a stale one (default $BOKEH_COOKIE_SECRET)")
    ap.add_argument("--auth-header", default="X-Forwarded-User")
    ap.add_argument("--header-user", default="carol")
    ap.add_argument("--cidr-source", default="127.0.0.5",
                    help="a source address trusted only through a CIDR (header mode; '' to skip)")
    ap.add_argument("--server", choices=["ours", "python"], default="ours")
    ap.add_argument("--include-headers", nargs="+")
    ap.add_argument("--exclude-headers", nargs="+")
    ap.add_argument("--include-cookies", nargs="+")
    ap.add_argument("--exclude-cookies", nargs="+")
    ap.add_argument("--json", help="write the records here (for auth_compare.py)")
    ap.add_argument("--label", default="", help="label stored in the JSON")
    a = ap.parse_args()
    if a.mode == "password":
        if not (a.password_file and a.user and a.password is not None):
            ap.error("password mode needs --password-file, --user and --password")
        import passwords
        if not passwords.check_password(a.password_file, a.user, a.password):
            ap.error(f"{a.user}'s password does not verify against {a.password_file}")
    c = Checker(a)
    t0 = time.monotonic()
    try:
        c.run_password() if a.mode == "password" else c.run_header()
    except Exception as e:  # keep the summary line
        import traceback
        traceback.print_exc()
        c.record("harness", False, note=f"aborted: {type(e).__name__}: {e}")
    passed = sum(1 for r in c.records if r["ok"] is True)
    failed = sum(1 for r in c.records if r["ok"] is False)
    if a.json:
        with open(a.json, "w") as f:
            json.dump({"label": a.label, "server": a.server, "mode": a.mode, "prefix": c.pfx, "xsrf": a.xsrf,
                       "passed": passed, "failed": failed, "records": c.records}, f, indent=1)
    print(f"({time.monotonic() - t0:.1f}s)")
    print(f"{passed} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
