#!/usr/bin/env python3
"""Builds the fuzz seed corpora: one directory per target under OUT, from the shared reference vectors
(documents, messages, transcripts, tokens), the template comparison cases, and hand-written requests and frames.
Usage: make_corpus.py SHARED_DIR OUT_DIR"""
import hashlib
import json
import os
import struct
import sys
import zlib

HERE = os.path.dirname(os.path.abspath(__file__))
shared, out = sys.argv[1], sys.argv[2]
vectors = os.path.join(shared, "vectors")
counts = {}


def add(target, data):
    if isinstance(data, str):
        data = data.encode()
    d = os.path.join(out, target)
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, hashlib.sha1(data).hexdigest()[:16]), "wb") as f:
        f.write(data)
    counts[target] = counts.get(target, 0) + 1


def load(name):
    with open(os.path.join(vectors, name)) as f:
        return json.load(f)


def walk_strings(value):
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for v in value.values():
            yield from walk_strings(v)
    elif isinstance(value, list):
        for v in value:
            yield from walk_strings(v)


def frame(opcode, payload, fin=True, rsv1=False, mask=b"\x01\x02\x03\x04"):
    head = bytes([(0x80 if fin else 0) | (0x40 if rsv1 else 0) | opcode])
    n = len(payload)
    if n < 126:
        head += bytes([0x80 | n])
    elif n < 65536:
        head += bytes([0x80 | 126]) + struct.pack("!H", n)
    else:
        head += bytes([0x80 | 127]) + struct.pack("!Q", n)
    return head + mask + bytes(b ^ mask[i % 4] for i, b in enumerate(payload))


def deflate(data):
    c = zlib.compressobj(6, zlib.DEFLATED, -15)
    return (c.compress(data) + c.flush(zlib.Z_SYNC_FLUSH))[:-4]


messages = []
for name in sorted(os.listdir(vectors)):
    if not name.endswith(".json"):
        continue
    text = open(os.path.join(vectors, name)).read()
    add("json", text)
    data = load(name)
    if name.startswith("doc_"):
        doc = data.get("doc", data) if isinstance(data, dict) else data
        add("document", json.dumps(doc).encode())
    for s in walk_strings(data):
        if s.startswith("{") and len(s) < 200_000:
            add("json", s)
    frames = []
    for m in ([data] if isinstance(data, dict) else []) + (data.get("messages", []) if isinstance(data, dict) else []):
        if isinstance(m, dict) and isinstance(m.get("frames"), list):
            frames.append([f.get("text", "") for f in m["frames"] if isinstance(f, dict)])
    for fs in frames:
        messages.append(fs)
        add("assembler", b"\xff".join(x.encode() for x in fs))
        # the content of a PATCH-DOC against a document
        if len(fs) >= 3 and '"events"' in fs[2]:
            for doc_name in ("doc_scatter.json", "doc_widgets.json"):
                doc = load(doc_name)
                doc = doc.get("doc", doc)
                body = json.dumps(doc).encode()
                add("document", body + b"\xff" + fs[2].encode())
        payload = "".join(fs).encode()
        add("websocket", b"\x00" + frame(1, payload))
        add("websocket", b"\x01" + frame(1, deflate(payload), rsv1=True))
        add("deflate", deflate(payload))

tokens = load("tokens.json")
for s in walk_strings(tokens):
    add("tokens", s)
add("tokens", "2|1:0|10:1700000000|4:user|12:ImFsaWNlIg==|fef00b9a4cb21db448673cb31cd93c2ce60dcffe5c96b588d2650a7820462edc")
add("tokens", "2|01020304|0103010705070503090b090f0d0f0d0b|1700000000")
add("tokens", "scrypt$1024$8$1$MDEyMzQ1Njc4OWFiY2RlZg==$ZO/gT8OGTuuyHxcBV+7DkfE2nXK0EIuQrBe9nC+TunU=")
add("tokens", 'a=1; b="quoted\\"value"; c=\\101')
add("tokens", "bokeh-session-id=x&bokeh-autoload-element=e%20f&a=1&a=2&b")

requests = [
    "GET /app HTTP/1.1\r\nHost: localhost:5006\r\nCookie: user=x; _xsrf=y\r\n\r\n",
    "GET /app/ws HTTP/1.1\r\nHost: localhost\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
    "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Protocol: bokeh, t\r\n"
    "Sec-WebSocket-Extensions: permessage-deflate; client_max_window_bits\r\n\r\n",
    "POST /login HTTP/1.1\r\nHost: x\r\nContent-Length: 11\r\nContent-Type: application/x-www-form-urlencoded\r\n\r\n"
    "username=a&",
    "POST /x HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\nTrailer: 1\r\n\r\n",
    "GET /a HTTP/1.1\r\nHost: x\r\n\r\nGET /b HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n",
    "POST /x HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n",
    "GET /x HTTP/1.1\r\nHost: x\r\nX-Folded: a\r\n b\r\n\r\n",
    "GET /static/..%2f..%2fetc/passwd?v=1 HTTP/1.0\r\n\r\n",
]
for r in requests:
    add("http-request", b"\x05" + r.encode())
responses = [
    "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
    "Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\n\r\n",
    "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello",
    "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\n",
    "HTTP/1.0 404 Not Found\r\n\r\nnot found",
]
for r in responses:
    add("http-response", b"\x04" + r.encode())
for payload in [b"", b"\x03\xe8bye", b"x" * 200]:
    add("websocket", b"\x00" + frame(8, payload))
    add("websocket", b"\x00" + frame(9, payload[:125]) + frame(1, b"hi", fin=False) + frame(0, b"!"))

# template cases
sys.path.insert(0, os.path.join(HERE, "..", "templates"))
try:
    import cases  # noqa: E402

    for case in getattr(cases, "CASES", []):
        files = case.get("files", {}) if isinstance(case, dict) else {}
        for source in files.values():
            if isinstance(source, str):
                add("template", source)
except Exception as error:  # the template cases are optional seeds
    print(f"template cases not read: {error}", file=sys.stderr)
for source in [
    "<html><title>{{ title }}</title>{{ bokeh_js }}{% for r in roots %}{{ embed(r) }}{% endfor %}{{ plot_script }}</html>",
    "{% extends base %}{% block contents %}{{ super() }}{{ extra | upper }}{% endblock %}",
    "{% set x = [1, 2, 3] %}{% for i in x if i > 1 %}{{ loop.index }}:{{ i * 2 }}{% else %}none{% endfor %}",
    "{{ 'a' ~ 1 }}{{ {'k': 'v'}['k'] }}{% if title is defined and not false %}{{ title | e }}{% endif %}",
    "{% macro m(a, b=2) %}{{ a + b }}{% endmacro %}{{ m(1) }}{# comment #}{% raw %}{{ x }}{% endraw %}",
]:
    add("template", source)

for name, n in sorted(counts.items()):
    print(f"corpus {name}: {n} seeds")
