"""A small, standard-library-only Bokeh protocol client over raw sockets.

Used by the hostile-input smoke test (`smoke.py`) and the session churn run (`churn.py`): both need to
send bytes a well-behaved client never would (mutated tokens, frames and PATCH-DOCs), so nothing here
validates what it sends.
"""

import base64
import json
import os
import random
import socket
import struct
import time

ALPHABET = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode().rstrip("=")


def session_id(rng=random) -> str:
    return "".join(rng.choice(ALPHABET) for _ in range(44))


def token(sid: str, expiry=None, extra_text: str = "") -> str:
    """An unsigned session token: base64url of `{"session_id": sid, "session_expiry": expiry}`.

    `expiry` is written as given (a Python number, or raw JSON text when a str), so callers can send
    values no Bokeh server would mint.
    """
    if expiry is None:
        expiry = int(time.time()) + 300
    expiry_text = expiry if isinstance(expiry, str) else json.dumps(expiry)
    body = '{"session_id": %s, "session_expiry": %s%s}' % (json.dumps(sid), expiry_text, extra_text)
    return b64url(body.encode())


class Closed(Exception):
    """The server closed the connection (code and reason when a close frame came)."""

    def __init__(self, code=None, reason=""):
        super().__init__(f"closed: code={code} reason={reason!r}")
        self.code = code
        self.reason = reason


def http_request(host, port, raw: bytes, timeout=5.0) -> bytes:
    """Sends raw bytes, returns everything read until the server closes or `timeout` passes."""
    s = socket.create_connection((host, port), timeout=timeout)
    try:
        s.sendall(raw)
        chunks = []
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                b = s.recv(65536)
            except socket.timeout:
                break
            except ConnectionError:
                break
            if not b:
                break
            chunks.append(b)
            data = b"".join(chunks)
            # A complete response without a body length we can see: stop at the end of the head when the
            # server keeps the connection open.
            if b"\r\n\r\n" in data and b"Connection: close" not in data:
                head, _, body = data.partition(b"\r\n\r\n")
                length = None
                for line in head.split(b"\r\n")[1:]:
                    name, _, value = line.partition(b":")
                    if name.strip().lower() == b"content-length":
                        try:
                            length = int(value.strip())
                        except ValueError:
                            pass
                if length is not None and len(body) >= length:
                    break
        return b"".join(chunks)
    finally:
        s.close()


def status_of(response: bytes):
    try:
        return int(response.split(b" ", 2)[1])
    except (IndexError, ValueError):
        return None


class BokehSocket:
    """One WebSocket to `/APP/ws`, with Bokeh message helpers."""

    def __init__(self, host, port, app, tok=None, protocols=None, query="", timeout=10.0, origin=None,
                 extra_headers=""):
        self.sock = socket.create_connection((host, port), timeout=timeout)
        self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.buf = b""
        key = base64.b64encode(os.urandom(16)).decode()
        if protocols is None:
            protocols = "bokeh, " + (tok if tok is not None else token(session_id()))
        origin = origin or f"http://{host}:{port}"
        path = f"/{app}/ws" + (f"?{query}" if query else "")
        request = (
            f"GET {path} HTTP/1.1\r\nHost: {host}:{port}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
            f"Sec-WebSocket-Key: {key}\r\nSec-WebSocket-Version: 13\r\nOrigin: {origin}\r\n"
        )
        if protocols:
            request += f"Sec-WebSocket-Protocol: {protocols}\r\n"
        request += extra_headers + "\r\n"
        self.sock.sendall(request.encode("latin-1"))
        while b"\r\n\r\n" not in self.buf:
            chunk = self.sock.recv(65536)
            if not chunk:
                raise Closed(None, "closed during the handshake")
            self.buf += chunk
        head, _, self.buf = self.buf.partition(b"\r\n\r\n")
        self.status = status_of(head)
        if self.status != 101:
            raise Closed(None, f"handshake answered {self.status}")
        self.counter = 0

    # Frames

    def send_frame(self, opcode: int, payload: bytes, fin=True, rsv=0, mask=True):
        first = (0x80 if fin else 0) | (rsv << 4) | opcode
        n = len(payload)
        header = bytes([first])
        mbit = 0x80 if mask else 0
        if n < 126:
            header += bytes([mbit | n])
        elif n < 65536:
            header += bytes([mbit | 126]) + struct.pack("!H", n)
        else:
            header += bytes([mbit | 127]) + struct.pack("!Q", n)
        if mask:
            key = os.urandom(4)
            masked = bytes(b ^ key[i % 4] for i, b in enumerate(payload)) if n < 4096 else _mask(payload, key)
            self.sock.sendall(header + key + masked)
        else:
            self.sock.sendall(header + payload)

    def send_raw(self, data: bytes):
        self.sock.sendall(data)

    def _read(self, n):
        while len(self.buf) < n:
            chunk = self.sock.recv(1 << 20)
            if not chunk:
                raise Closed(None, "connection closed")
            self.buf += chunk
        out, self.buf = self.buf[:n], self.buf[n:]
        return out

    def recv_frame(self):
        """(opcode, payload) of the next data frame; answers pings; raises Closed on a close frame."""
        while True:
            b0, b1 = self._read(2)
            opcode = b0 & 0x0F
            n = b1 & 0x7F
            if n == 126:
                (n,) = struct.unpack("!H", self._read(2))
            elif n == 127:
                (n,) = struct.unpack("!Q", self._read(8))
            payload = self._read(n)
            if opcode == 0x8:
                code = struct.unpack("!H", payload[:2])[0] if len(payload) >= 2 else None
                raise Closed(code, payload[2:].decode("utf-8", "replace"))
            if opcode == 0x9:
                self.send_frame(0xA, payload)
                continue
            if opcode == 0xA:
                continue
            return opcode, payload

    # Bokeh messages

    def send_message(self, msgtype, content=None, metadata=None, buffers=(), reqid=None, msgid=None):
        self.counter += 1
        header = {"msgid": msgid or f"m{self.counter}", "msgtype": msgtype}
        if reqid is not None:
            header["reqid"] = reqid
        if buffers:
            header["num_buffers"] = len(buffers)
        self.send_frame(0x1, json.dumps(header).encode())
        self.send_frame(0x1, json.dumps(metadata or {}).encode())
        if isinstance(content, bytes):
            body = content
        elif isinstance(content, str):
            body = content.encode()
        else:
            body = json.dumps(content or {}).encode()
        self.send_frame(0x1, body)
        for buffer_id, data in buffers:
            self.send_frame(0x1, json.dumps({"id": buffer_id}).encode())
            self.send_frame(0x2, data)
        return header["msgid"]

    def recv_message(self):
        """(header, metadata, content, buffers); raises Closed."""
        _, h = self.recv_frame()
        header = json.loads(h)
        _, m = self.recv_frame()
        _, c = self.recv_frame()
        buffers = []
        for _ in range(header.get("num_buffers", 0) or 0):
            _, ref = self.recv_frame()
            _, data = self.recv_frame()
            buffers.append((json.loads(ref)["id"], data))
        return header, json.loads(m), c, buffers

    def recv_until(self, msgtype=None, reqid=None, skip_patches=True):
        while True:
            header, metadata, content, buffers = self.recv_message()
            if skip_patches and header["msgtype"] == "PATCH-DOC" and msgtype != "PATCH-DOC":
                continue
            if msgtype is not None and header["msgtype"] != msgtype and header["msgtype"] != "ERROR":
                continue
            if reqid is not None and header.get("reqid") != reqid:
                continue
            return header, metadata, content, buffers

    def pull(self):
        """PULL-DOC-REQ, then the reply's (header, content bytes, buffers)."""
        msgid = self.send_message("PULL-DOC-REQ")
        header, _, content, buffers = self.recv_until("PULL-DOC-REPLY", reqid=msgid)
        return header, content, buffers

    def close(self, code=1000):
        try:
            self.send_frame(0x8, struct.pack("!H", code))
            self.sock.settimeout(2)
            while True:
                self.recv_frame()
        except (Closed, OSError, struct.error, ValueError):
            pass
        finally:
            self.sock.close()


def _mask(payload: bytes, key: bytes) -> bytes:
    n = len(payload)
    k = int.from_bytes(key * ((n + 3) // 4), "little")
    return (int.from_bytes(payload, "little") ^ (k & ((1 << (8 * n)) - 1))).to_bytes(n, "little")


def rss_kb(pid) -> int:
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return 0


def open_fds(pid) -> int:
    return len(os.listdir(f"/proc/{pid}/fd"))
