"""Reference password policy for Python `bokeh serve --auth-module` (Bokeh 3.10.2, Tornado 6.x).

Behaves like `swift-bokeh serve --auth-password-file FILE --cookie-secret SECRET`:

  GET  PFX/login[?next=URL]  200, <form method="post"> with username, password, hidden next and (XSRF on)
                             hidden _xsrf; Tornado sets the _xsrf cookie when the form is rendered
  POST PFX/login             good credentials: 302 to `next` if it is a local path (starts with "/", not "//"),
                             else to PFX/; sets `user` = Tornado secure cookie (v2) of json.dumps(username),
                             HttpOnly, SameSite=Lax, Path=PFX/ (Path=/ without a prefix)
                             bad credentials: 401 and the form again
                             more than 5 failed logins in 60 s from one address: 429 + Retry-After
                             (XSRF on and _xsrf missing/mismatched: 403, done by Tornado before post())
  GET/POST PFX/logout        clears `user`, 302 to PFX/login

Configuration (environment):
  SWIFTBOKEH_AUTH_PASSWORD_FILE   the password file (see passwords.py), required
  BOKEH_COOKIE_SECRET / --cookie-secret   required by Tornado for secure cookies

Usage: bokeh serve --auth-module Tools/auth/reference_auth.py --cookie-secret S [--enable-xsrf-cookies] APP.py
"""
import html
import json
import math
import os
import sys
import threading
import time
from collections import deque

from tornado.web import RequestHandler

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import passwords  # noqa: E402

PASSWORD_FILE = os.environ.get("SWIFTBOKEH_AUTH_PASSWORD_FILE")
if not PASSWORD_FILE:
    raise RuntimeError("reference_auth.py needs SWIFTBOKEH_AUTH_PASSWORD_FILE")

MAX_FAILURES = 5        # failures allowed per window; the next attempt is answered 429
WINDOW_SECONDS = 60.0

login_url = "/login"
logout_url = "/logout"


def get_user(request_handler):
    raw = request_handler.get_secure_cookie("user")  # v1 or v2, max_age_days=31 (Tornado defaults)
    if not raw:
        return None
    try:
        user = json.loads(raw)
    except ValueError:
        return None
    return user if isinstance(user, str) and user else None


def _prefix(handler):
    return getattr(handler.application, "prefix", "") or ""


def _cookie_path(handler):
    return _prefix(handler) + "/"


def _is_local(next_url):
    # The spec: a local path starts with "/" and not "//". "/\" is rejected too: browsers treat
    # a backslash like a slash, so "/\evil.example" is a scheme-relative (open) redirect.
    return next_url.startswith("/") and not next_url.startswith("//") and not next_url.startswith("/\\")


_DUMMY_HASH = passwords.make_hash("not a password", "scrypt")

_failures = {}
_lock = threading.Lock()


def _retry_after(ip, now):
    """Seconds until another attempt is allowed, or 0 when not limited."""
    with _lock:
        q = _failures.get(ip)
        if not q:
            return 0
        while q and now - q[0] >= WINDOW_SECONDS:
            q.popleft()
        if len(q) < MAX_FAILURES:
            return 0
        return max(1, math.ceil(WINDOW_SECONDS - (now - q[0])))


def _record_failure(ip, now):
    with _lock:
        _failures.setdefault(ip, deque()).append(now)


FORM = """<!DOCTYPE html>
<html lang="en">
<head><meta charset="utf-8"><title>Log in</title></head>
<body>
<h1>Log in</h1>
{error}<form method="post">
  <input type="hidden" name="next" value="{next}">
  {xsrf}
  <p><label>Username <input type="text" name="username" autocomplete="username" autofocus></label></p>
  <p><label>Password <input type="password" name="password" autocomplete="current-password"></label></p>
  <p><button type="submit">Log in</button></p>
</form>
</body>
</html>
"""


class LoginHandler(RequestHandler):
    def _form(self, next_url, error=None):
        xsrf = self.xsrf_form_html() if self.settings.get("xsrf_cookies") else ""
        err = f'<p id="error" role="alert">{html.escape(error)}</p>\n' if error else ""
        self.set_header("Content-Type", "text/html; charset=utf-8")
        self.set_header("Cache-Control", "no-store")
        self.write(FORM.format(error=err, next=html.escape(next_url, quote=True), xsrf=xsrf))

    def get(self):
        self._form(self.get_argument("next", ""))

    def post(self):
        now = time.monotonic()
        ip = self.request.remote_ip
        next_url = self.get_argument("next", "")
        wait = _retry_after(ip, now)
        if wait:
            self.set_status(429)
            self.set_header("Retry-After", str(wait))
            self._form(next_url, "Too many failed logins; try again later.")
            return
        username = self.get_argument("username", "")
        password = self.get_argument("password", "")
        encoded = passwords.read_file(PASSWORD_FILE).get(username) if username else None
        # unknown users cost one hash too, so response times do not reveal which names exist
        if passwords.verify_hash(password, encoded or _DUMMY_HASH) and encoded is not None:
            self.set_secure_cookie("user", json.dumps(username), httponly=True, samesite="Lax",
                                   path=_cookie_path(self))
            self.redirect(next_url if _is_local(next_url) else _prefix(self) + "/")
            return
        _record_failure(ip, now)
        self.set_status(401)
        self._form(next_url, "Invalid username or password.")


class LogoutHandler(RequestHandler):
    def _logout(self):
        self.clear_cookie("user", path=_cookie_path(self), httponly=True, samesite="Lax")
        self.redirect(_prefix(self) + "/login")

    def get(self):
        self._logout()

    def post(self):
        self._logout()
