"""whoami_app: the reference of swift-bokeh's built-in `whoami_app` (run with `bokeh serve`).

One Div named "whoami" whose text is json.dumps({"user", "logout_url", "headers", "cookies", "arguments"},
sort_keys=True): headers = sorted lowercase names in session_context.request.headers, cookies = sorted cookie
names, arguments = sorted argument names.

user: the `user` Tornado secure cookie from session_context.request.cookies, verified with the secret in
BOKEH_COOKIE_SECRET and JSON-decoded (null if absent or invalid). With SWIFTBOKEH_AUTH_HEADER set (trusted-header
policy, see reference_header_auth.py) it is that header of the underlying request when it comes from a
trusted proxy address.
"""
import json
import os
import sys

from bokeh.io import curdoc
from bokeh.models import Div
from tornado.web import decode_signed_value


def _user(req):
    if req is None:
        return None
    header = os.environ.get("SWIFTBOKEH_AUTH_HEADER")
    if header:
        sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
        import reference_header_auth as rha
        raw = getattr(req, "_request", None)
        if raw is not None and rha.trusted(getattr(raw, "remote_ip", "")):
            return raw.headers.get(header) or None
        return None
    secret = os.environ.get("BOKEH_COOKIE_SECRET")
    value = (req.cookies or {}).get("user")
    if not secret or not value:
        return None
    raw = decode_signed_value(secret, "user", value)  # max_age_days=31, as get_secure_cookie
    if not raw:
        return None
    try:
        user = json.loads(raw)
    except ValueError:
        return None
    return user if isinstance(user, str) else None


ctx = curdoc().session_context
req = ctx.request if ctx is not None else None
info = {
    "user": _user(req),
    "logout_url": ctx.logout_url if ctx is not None else None,
    "headers": sorted({k.lower() for k in (req.headers if req is not None else {})}),
    "cookies": sorted((req.cookies if req is not None else {}).keys()),
    "arguments": sorted((req.arguments if req is not None else {}).keys()),
}
curdoc().add_root(Div(text=json.dumps(info, sort_keys=True), name="whoami"))
curdoc().title = "whoami"
