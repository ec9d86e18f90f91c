#!/usr/bin/env python3
"""Password-file helpers shared by the auth harness (the format `swift-bokeh serve --auth-password-file` reads).

File format: one `username:HASH` per line, `#` comments and blank lines ignored. HASH is
  scrypt$N$r$p$SALT$DIGEST            or
  pbkdf2_sha256$ITERATIONS$SALT$DIGEST
with SALT and DIGEST in standard base64 with padding.

CLI (mirrors `swift-bokeh passwd FILE USER [--scheme scrypt|pbkdf2]`, password = first line of stdin):
  passwords.py add FILE USER [--scheme scrypt|pbkdf2]
  passwords.py verify FILE USER        (password from stdin; exit 0 if it verifies)
"""
import argparse
import base64
import binascii
import hashlib
import hmac
import os
import sys

SCRYPT_N, SCRYPT_R, SCRYPT_P = 2 ** 15, 8, 1   # the costs `swift-bokeh passwd` uses
PBKDF2_ITERATIONS = 600_000


def _scrypt_maxmem(n, r, p):
    return 128 * r * (n + p + 2) + (1 << 20)


def make_hash(password, scheme="scrypt", salt=None):
    pw = password.encode("utf-8")
    salt = salt if salt is not None else os.urandom(16)
    b64 = lambda b: base64.b64encode(b).decode("ascii")  # noqa: E731
    if scheme == "scrypt":
        d = hashlib.scrypt(pw, salt=salt, n=SCRYPT_N, r=SCRYPT_R, p=SCRYPT_P, dklen=32,
                           maxmem=_scrypt_maxmem(SCRYPT_N, SCRYPT_R, SCRYPT_P))
        return f"scrypt${SCRYPT_N}${SCRYPT_R}${SCRYPT_P}${b64(salt)}${b64(d)}"
    if scheme in ("pbkdf2", "pbkdf2_sha256"):
        d = hashlib.pbkdf2_hmac("sha256", pw, salt, PBKDF2_ITERATIONS, 32)
        return f"pbkdf2_sha256${PBKDF2_ITERATIONS}${b64(salt)}${b64(d)}"
    raise ValueError(f"unknown scheme {scheme!r}")


def verify_hash(password, encoded):
    """True if `password` matches `encoded`; False on mismatch or any malformed hash."""
    pw = password.encode("utf-8")
    parts = encoded.split("$")
    try:
        if parts[0] == "scrypt" and len(parts) == 6:
            n, r, p = int(parts[1]), int(parts[2]), int(parts[3])
            salt = base64.b64decode(parts[4], validate=True)
            digest = base64.b64decode(parts[5], validate=True)
            got = hashlib.scrypt(pw, salt=salt, n=n, r=r, p=p, dklen=len(digest), maxmem=_scrypt_maxmem(n, r, p))
        elif parts[0] == "pbkdf2_sha256" and len(parts) == 4:
            iters = int(parts[1])
            salt = base64.b64decode(parts[2], validate=True)
            digest = base64.b64decode(parts[3], validate=True)
            got = hashlib.pbkdf2_hmac("sha256", pw, salt, iters, len(digest))
        else:
            return False
    except (ValueError, binascii.Error, MemoryError):
        return False
    return len(digest) > 0 and hmac.compare_digest(got, digest)


def read_file(path):
    """{username: HASH} (later lines win)."""
    users = {}
    with open(path, encoding="utf-8") as f:
        for line in f:
            line = line.strip()
            if not line or line.startswith("#") or ":" not in line:
                continue
            user, _, h = line.partition(":")
            users[user] = h
    return users


def check_password(path, username, password):
    h = read_file(path).get(username)
    return h is not None and verify_hash(password, h)


def add_user(path, username, password, scheme="scrypt"):
    if not username or ":" in username or "\n" in username:
        raise ValueError("username must be non-empty and contain no ':'")
    lines = []
    if os.path.exists(path):
        with open(path, encoding="utf-8") as f:
            lines = [ln.rstrip("\n") for ln in f]
    entry = f"{username}:{make_hash(password, scheme)}"
    out, replaced = [], False
    for ln in lines:
        s = ln.strip()
        if s and not s.startswith("#") and s.partition(":")[0] == username:
            if not replaced:
                out.append(entry)
                replaced = True
            continue
        out.append(ln)
    if not replaced:
        out.append(entry)
    with open(path, "w", encoding="utf-8") as f:
        f.write("\n".join(out) + "\n")


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = ap.add_subparsers(dest="cmd", required=True)
    a = sub.add_parser("add")
    a.add_argument("file")
    a.add_argument("user")
    a.add_argument("--scheme", choices=["scrypt", "pbkdf2"], default="scrypt")
    v = sub.add_parser("verify")
    v.add_argument("file")
    v.add_argument("user")
    args = ap.parse_args()
    password = sys.stdin.readline().rstrip("\r\n")
    if args.cmd == "add":
        add_user(args.file, args.user, password, args.scheme)
        return 0
    ok = check_password(args.file, args.user, password)
    print("verified" if ok else "NOT verified")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
