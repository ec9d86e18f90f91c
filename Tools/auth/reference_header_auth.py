"""Reference trusted-header policy for Python `bokeh serve --auth-module` (Bokeh 3.10.2).

Behaves like `swift-bokeh serve --auth-header NAME --auth-trusted-proxy ADDR ...`: a request is authenticated
as the value of header NAME only when `request.remote_ip` is in a trusted proxy address or CIDR.

Configuration (environment):
  SWIFTBOKEH_AUTH_HEADER           header name (default X-Forwarded-User)
  SWIFTBOKEH_AUTH_TRUSTED_PROXIES  comma-separated IPs / CIDRs (default 127.0.0.1)

Python cannot express "no login URL": AuthProvider._validate() demands login_url or get_login_url as soon as
get_user exists, and tornado.web.authenticated always redirects GET/HEAD to it. Instead get_login_url raises
HTTPError(401): Bokeh's AuthRequestHandler.prepare() calls it for unauthenticated GET/HEAD before the handler
runs, so those answer 401 (also the websocket upgrade GET, before any handshake). Other methods on app pages
reach Tornado's default handler method (405) since only get() is @authenticated.
"""
import ipaddress
import os

from tornado.web import HTTPError

HEADER = os.environ.get("SWIFTBOKEH_AUTH_HEADER", "X-Forwarded-User")
TRUSTED = [ipaddress.ip_network(a.strip(), strict=False)
           for a in os.environ.get("SWIFTBOKEH_AUTH_TRUSTED_PROXIES", "127.0.0.1").split(",") if a.strip()]


def trusted(remote_ip):
    try:
        ip = ipaddress.ip_address(remote_ip)
    except ValueError:
        return False
    if getattr(ip, "ipv4_mapped", None):
        ip = ip.ipv4_mapped
    return any(ip.version == n.version and ip in n for n in TRUSTED)


def get_user(request_handler):
    if not trusted(request_handler.request.remote_ip):
        return None
    return request_handler.request.headers.get(HEADER) or None


def get_login_url(request_handler):
    raise HTTPError(401, "authentication required")
