"""Hostile-input smoke test: randomly mutated tokens, PATCH-DOCs, frames and HTTP requests against a running
server, then checks that the process is alive and a witness session still works.

    python3 Tools/hostile/smoke.py --port PORT --pid PID [--seed N] [--cases 300] [--max-seconds 90]
        [--app demo_app] [--signed-port PORT --signed-pid PID]

Seeded: the same seed sends the same inputs (the seed is printed; re-run with it to reproduce). Bounded by
case count and time. Exit 0 when the server survived every case and the witness works, 1 otherwise, with
the case that preceded the failure. Standard library only.
"""

import argparse
import base64
import json
import os
import random
import re
import socket
import sys
import time
import zlib

from bokehws import BokehSocket, Closed, b64url, http_request, session_id, status_of, token

INTERESTING_NUMBERS = [
    "1e300", "-1e300", "1e19", "9.3e18", "-9.3e18", "100000000000000000000", "-100000000000000000000",
    "9223372036854775807", "9223372036854775808", "-9223372036854775808", "-9223372036854775809",
    "4294967296", "2147483648", "-1", "0", "-0.0", "1.5", "1e-300", "65536", "18446744073709551616",
    "1e999", "NaN", "Infinity", "-Infinity",
]
INTERESTING_VALUES = INTERESTING_NUMBERS + [
    "null", "true", "[]", "{}", '""', '"x"', "[[[[[[[[[[]]]]]]]]]]", '{"type": "map"}', '{"type": "slice"}',
    '{"type": "ndarray", "array": [], "shape": [4294967296, 4294967296], "dtype": "float64", "order": "little"}',
    '{"type": "ndarray", "array": [], "shape": [0, 9223372036854775807], "dtype": "float64", "order": "little"}',
    '{"type": "bytes", "data": {"id": "nope"}}', '{"id": "nope"}', '{"type": "object", "name": "Div", "id": "x"}',
    '{"type": "number", "value": "nan"}', '{"type": "typed_array", "array": [1], "dtype": "int64", "order": "big"}',
]


VALUE = re.compile(r'(?<=[:\[,])\s*(-?\d[\d.eE+-]*|true|false|null|"(?:[^"\\]|\\.)*")')


def deep(n, open_, close):
    return open_ * n + "1" + close * n


class Mutator:
    def __init__(self, rng):
        self.rng = rng

    def text(self, s):
        """Mutates a JSON text: numbers and values swapped for interesting ones, structure broken, depth added."""
        r = self.rng
        choice = r.random()
        if choice < 0.45:
            # Replace one scalar value (after ':', '[' or ','), keeping the JSON well-formed.
            spans = [m.span(1) for m in VALUE.finditer(s)]
            if spans:
                i, j = r.choice(spans)
                return s[:i] + r.choice(INTERESTING_VALUES) + s[j:]
        if choice < 0.6:
            return self.bytes(s.encode()).decode("utf-8", "replace")
        if choice < 0.7:
            i = r.randrange(len(s) + 1)
            return s[:i] + r.choice([deep(r.choice([100, 400, 511, 600]), "[", "]"),
                                     deep(r.choice([100, 400, 511]), '{"a": ', "}")]) + s[i:]
        if choice < 0.8:
            return s[: r.randrange(len(s) + 1)]  # truncated
        if choice < 0.9:
            i = r.randrange(len(s) + 1)
            return s[:i] + s[i:] * r.choice([2, 3])
        return s.replace(":", r.choice([": ", ":-", ":[", ":{"]), 1)

    def bytes(self, b):
        r = self.rng
        b = bytearray(b)
        for _ in range(r.choice([1, 1, 2, 4, 8])):
            op = r.random()
            if not b or op < 0.3:
                b[r.randrange(len(b) + 1):r.randrange(len(b) + 1)] = bytes(r.randrange(256) for _ in range(r.randrange(1, 8)))
            elif op < 0.6:
                i = r.randrange(len(b))
                b[i] = r.choice([0, 0xFF, 0x7F, 0x80, r.randrange(256)])
            elif op < 0.8:
                i = r.randrange(len(b))
                del b[i:i + r.randrange(1, 8)]
            else:
                i = r.randrange(len(b))
                b[i] ^= 1 << r.randrange(8)
        return bytes(b)


class Smoke:
    def __init__(self, args):
        self.args = args
        self.rng = random.Random(args.seed)
        self.mutate = Mutator(self.rng)
        self.counts = {}
        self.last = ""
        self.server_errors = []
        self.empty_id = False

    def alive(self, pid):
        try:
            os.kill(pid, 0)
        except OSError:
            return False
        with open(f"/proc/{pid}/stat") as f:
            return f.read().split()[2] != "Z"

    def count(self, kind, outcome):
        key = f"{kind}:{outcome}"
        self.counts[key] = self.counts.get(key, 0) + 1
        if (outcome.startswith("5") and "as Python" not in outcome) or "1011" in outcome:
            self.server_errors.append(f"{key} after {self.last}")

    # Cases

    def token_text(self):
        r = self.rng
        sid = r.choice([session_id(r), "", "x" * r.choice([1, 44, 5000]), "a.b", "\u00e9\u0000"])
        expiry = r.choice(INTERESTING_NUMBERS + [str(int(time.time()) + 300)])
        extra = ""
        if r.random() < 0.3:
            payload = r.choice([b'{"headers": {"a": "b"}}', b"[1]", b"not json", b'{"arguments": {"rows": ["1e300"]}}',
                                json.dumps({"cookies": {"x": "y" * 1000}}).encode()])
            data = zlib.compress(payload) if r.random() < 0.8 else self.mutate.bytes(zlib.compress(payload))
            extra = ', "__bk__zlib_": "%s"' % b64url(data)
        self.empty_id = sid == ""
        body = '{"session_id": %s, "session_expiry": %s%s}' % (json.dumps(sid), expiry, extra)
        if r.random() < 0.4:
            body = self.mutate.text(body)
        text = b64url(body.encode("utf-8", "replace"))
        if r.random() < 0.2:
            text += "." + r.choice(["", "sig", b64url(os.urandom(32))])
        if r.random() < 0.1:
            text = self.mutate.bytes(text.encode()).decode("latin-1")
        return text

    def case_token(self, port):
        tok = self.token_text()
        self.last = f"token {tok[:120]!r}"
        if self.rng.random() < 0.5:
            try:
                ws = BokehSocket("127.0.0.1", port, self.args.app, protocols="bokeh, " + tok.replace("\r", "").replace("\n", ""),
                                 timeout=3)
                try:
                    ws.recv_until("ACK")
                    ws.pull()
                    self.count("token-ws", "accepted")
                finally:
                    ws.close()
            except (Closed, OSError, ValueError, KeyError) as e:
                self.count("token-ws", "refused")
        else:
            target = f"/{self.args.app}?bokeh-token={tok}"
            raw = f"GET {target} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nConnection: close\r\n\r\n".encode("latin-1", "replace")
            status = status_of(http_request("127.0.0.1", port, raw, timeout=3))
            # An empty session id is a 500 in Python's server too (create_session_if_needed raises).
            self.count("token-http", "500 (empty session id, as Python)" if status == 500 and self.empty_id else str(status))

    def base_patches(self, ids):
        slider, status, source = ids.get("Slider"), ids.get("Div"), ids.get("ColumnDataSource")
        patches = []
        if slider:
            patches.append({"kind": "ModelChanged", "model": {"id": slider}, "attr": "value", "new": 5})
        if status:
            patches.append({"kind": "ModelChanged", "model": {"id": status}, "attr": "text", "new": "x"})
            chain = [{"type": "object", "name": "Div", "id": "c0"}] + [
                {"type": "object", "name": "Div", "id": f"c{i}", "attributes": {"tags": [{"id": f"c{i - 1}"}]}}
                for i in range(1, self.rng.choice([50, 150, 3000]))]
            patches.append({"kind": "ModelChanged", "model": {"id": status}, "attr": "tags", "new": chain})
        if source:
            patches.append({"kind": "ColumnsStreamed", "model": {"id": source}, "attr": "data",
                            "data": {"type": "map", "entries": [["x", [1.0]], ["y", [2.0]]]}, "rollover": 10})
            patches.append({"kind": "ColumnsPatched", "model": {"id": source}, "attr": "data",
                            "patches": {"type": "map", "entries": [["x", [[0, 1.0], [{"type": "slice", "start": 0, "stop": 2, "step": 1}, [1, 2]]]]]}})
            patches.append({"kind": "ColumnDataChanged", "model": {"id": source}, "attr": "data",
                            "data": {"type": "map", "entries": [["x", {"type": "ndarray", "array": [1, 2], "shape": [2], "dtype": "int32", "order": "little"}]]},
                            "cols": ["x"]})
        patches.append({"kind": "RootAdded", "model": {"type": "object", "name": "Div", "id": "new-root"}})
        patches.append({"kind": "TitleChanged", "title": "t"})
        patches.append({"kind": "MessageSent", "msg_type": "bokeh_event", "msg_data": {"type": "event", "name": "button_click", "values": {"type": "map", "entries": [["model", {"id": slider or "x"}]]}}})
        return patches

    def open_session(self, port):
        ws = BokehSocket("127.0.0.1", port, self.args.app, tok=token(session_id(self.rng)), timeout=5)
        ws.recv_until("ACK")
        _, content, _ = ws.pull()
        doc = json.loads(content)["doc"]
        ids = {}

        def walk(v):
            if isinstance(v, dict):
                if v.get("type") == "object" and "id" in v:
                    ids.setdefault(v.get("name"), v["id"])
                for x in v.values():
                    walk(x)
            elif isinstance(v, list):
                for x in v:
                    walk(x)
        walk(doc)
        return ws, ids

    def case_patch(self, port):
        r = self.rng
        ws, ids = self.open_session(port)
        try:
            for _ in range(r.choice([1, 2, 4])):
                events = r.sample(self.base_patches(ids), r.choice([1, 1, 2]))
                content = json.dumps({"events": events})
                if r.random() < 0.8:
                    content = self.mutate.text(content)
                header = {"msgid": f"m{r.randrange(1000)}", "msgtype": "PATCH-DOC"}
                buffers = []
                if r.random() < 0.2:
                    header["num_buffers"] = r.choice([1, 2, -1, 2 ** 31, 1e300, "2"])
                    buffers = [("0", os.urandom(r.choice([0, 3, 8, 64])))]
                header_text = json.dumps(header)
                if r.random() < 0.2:
                    header_text = self.mutate.text(header_text)
                self.last = f"patch header={header_text[:200]!r} content={content[:300]!r}"
                ws.send_frame(0x1, header_text.encode("utf-8", "replace"))
                ws.send_frame(0x1, b"{}" if r.random() < 0.9 else self.mutate.bytes(b"{}"))
                ws.send_frame(0x1, content.encode("utf-8", "replace"))
                for bid, data in buffers:
                    ws.send_frame(0x1, json.dumps({"id": bid}).encode())
                    ws.send_frame(0x2, data)
                ws.sock.settimeout(3)
                try:
                    h, _, _, _ = ws.recv_until(None)
                    self.count("patch", h.get("msgtype", "?"))
                except Closed as e:
                    self.count("patch", f"closed {e.code}")
                    return
                except (OSError, ValueError):
                    self.count("patch", "no reply")
                    return
            if r.random() < 0.5:
                ws.pull()
                self.count("patch-then-pull", "ok")
        finally:
            ws.close()

    def case_frames(self, port):
        r = self.rng
        ws, _ = self.open_session(port)
        try:
            pull = [json.dumps({"msgid": "p", "msgtype": "PULL-DOC-REQ"}).encode(), b"{}", b"{}"]
            kind = r.random()
            if kind < 0.4:
                raw = b"".join(self.frame_bytes(0x1, p) for p in pull)
                raw = self.mutate.bytes(raw)
            elif kind < 0.7:
                # A header announcing an absurd payload length, then some bytes.
                length = r.choice([126, 65535, 65536, 2 ** 31, 2 ** 32, 2 ** 63 - 1, 2 ** 64 - 1])
                raw = self.frame_header(r.choice([0x1, 0x2, 0x0, 0x8, 0x9, 0x3]), length, r.random() < 0.9) + os.urandom(r.randrange(64))
            else:
                raw = os.urandom(r.randrange(1, 256))
            self.last = f"frames {raw[:80].hex()}"
            ws.send_raw(raw)
            ws.sock.settimeout(2)
            try:
                ws.recv_until(None)
                self.count("frames", "reply")
            except Closed as e:
                self.count("frames", f"closed {e.code}")
            except (OSError, ValueError, KeyError):
                self.count("frames", "silent")
        finally:
            ws.close()

    def frame_header(self, opcode, n, mask=True):
        b0 = bytes([0x80 | opcode])
        m = 0x80 if mask else 0
        if n < 126:
            h = b0 + bytes([m | n])
        elif n < 65536:
            h = b0 + bytes([m | 126]) + n.to_bytes(2, "big")
        else:
            h = b0 + bytes([m | 127]) + (n % 2 ** 64).to_bytes(8, "big")
        return h + (os.urandom(4) if mask else b"")

    def frame_bytes(self, opcode, payload):
        """A well-formed masked frame (the starting point for byte mutations)."""
        key = os.urandom(4)
        header = bytearray(self.frame_header(opcode, len(payload), False))
        header[1] |= 0x80
        return bytes(header) + key + bytes(c ^ key[i % 4] for i, c in enumerate(payload))

    def http_text(self, port):
        r = self.rng
        app = self.args.app
        targets = [f"/{app}", f"/{app}/autoload.js?bokeh-autoload-element=x", f"/{app}/metadata", "/static/js/bokeh.min.js",
                   f"/{app}?bokeh-session-id={session_id(r)}", f"/{app}?rows=1e300", f"/{app}?rows=-5", "/favicon.ico",
                   f"/{app}/ws", "/%ff%fe", "/" + "a" * r.choice([10, 9000]), f"/{app}?" + "&".join(["a=b"] * 500)]
        target = r.choice(targets)
        method = r.choice(["GET", "GET", "HEAD", "POST", "OPTIONS", "PUT", "G\x00T", "get"])
        headers = [f"Host: 127.0.0.1:{port}"]
        extra = r.random()
        if extra < 0.15:
            headers.append(f"Content-Length: {r.choice(['999999999999999999', '-1', '1e3', '18446744073709551616', '5'])}")
        elif extra < 0.25:
            headers.append("Transfer-Encoding: chunked")
        elif extra < 0.35:
            headers.append("Range: bytes=" + r.choice(["0-", "-0", "99999999999999999999-", "5-1", "0-1,2-3", "-9223372036854775808"]))
        elif extra < 0.45:
            headers.append("Cookie: " + "; ".join(f"k{i}=" + "v" * r.randrange(100) for i in range(r.randrange(1, 50))))
        elif extra < 0.5:
            headers.append("X-Long: " + "x" * r.choice([60000, 70000]))
        headers.append("Connection: close")
        text = f"{method} {target} HTTP/1.1\r\n" + "\r\n".join(headers) + "\r\n\r\n"
        if "chunked" in text:
            text += r.choice(["5\r\nhello\r\n0\r\n\r\n", "fffffffffffffffff\r\n", "-1\r\n", "5;" + "x" * 2000 + "\r\n"])
        data = text.encode("latin-1", "replace")
        if r.random() < 0.3:
            data = self.mutate.bytes(data)
        return data

    def case_http(self, port):
        data = self.http_text(port)
        self.last = f"http {data[:200]!r}"
        status = status_of(http_request("127.0.0.1", port, data, timeout=3))
        self.count("http", str(status))

    def witness(self, port):
        ws, ids = self.open_session(port)
        try:
            slider, status = ids.get("Slider"), ids.get("Div")
            if not slider or not status:
                return True  # the app has no slider: the pull above is the witness
            msgid = ws.send_message("PATCH-DOC", content={"events": [
                {"kind": "ModelChanged", "model": {"id": slider}, "attr": "value", "new": 7}]})
            while True:
                h, _, content, _ = ws.recv_message()
                if h.get("reqid") == msgid:
                    break
            _, content, _ = ws.pull()
            return "slider=7" in content.decode()
        finally:
            ws.close()

    def run(self):
        a = self.args
        started = time.monotonic()
        servers = [(a.port, a.pid, [self.case_token, self.case_patch, self.case_frames, self.case_http])]
        if a.signed_port:
            servers.append((a.signed_port, a.signed_pid, [self.case_token, self.case_http]))
        done = 0
        for i in range(a.cases):
            if time.monotonic() - started > a.max_seconds:
                break
            port, pid, cases = servers[i % len(servers)]
            case = self.rng.choice(cases)
            try:
                case(port)
            except (OSError, Closed, ValueError, KeyError, json.JSONDecodeError) as e:
                self.count(case.__name__, f"client error {type(e).__name__}")
            done += 1
            if not self.alive(pid):
                print(f"FAIL: server pid {pid} died after case {i} (seed {a.seed}): {self.last}")
                return 1
        ok = True
        for port, pid, _ in servers:
            if not self.alive(pid):
                print(f"FAIL: server pid {pid} is gone (seed {a.seed})")
                return 1
        try:
            ok = self.witness(a.port)
        except (OSError, Closed, ValueError, KeyError) as e:
            print(f"FAIL: witness session: {e} (seed {a.seed})")
            return 1
        if not ok:
            print(f"FAIL: witness session's callback did not run (seed {a.seed})")
            return 1
        elapsed = time.monotonic() - started
        summary = ", ".join(f"{k} {v}" for k, v in sorted(self.counts.items()))
        print(f"hostile smoke: {done} cases in {elapsed:.1f} s (seed {a.seed}); servers alive; witness ok")
        print(f"  outcomes: {summary}")
        for e in self.server_errors[:10]:
            print(f"  server error (not a crash, but worth a look): {e[:300]}")
        return 0


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--port", type=int, required=True)
    ap.add_argument("--pid", type=int, required=True)
    ap.add_argument("--signed-port", type=int)
    ap.add_argument("--signed-pid", type=int)
    ap.add_argument("--app", default="demo_app")
    ap.add_argument("--seed", type=int, default=int(os.environ.get("SMOKE_SEED", "20261202")))
    ap.add_argument("--cases", type=int, default=300)
    ap.add_argument("--max-seconds", type=float, default=90)
    return Smoke(ap.parse_args()).run()


if __name__ == "__main__":
    sys.exit(main())
