#!/usr/bin/env bash
# Interop with a real peer: Python `websockets` against our server (ws:// and wss://), and our client
# against a `websockets` server (ws:// and wss://). Loopback only.
#
#   Tools/interop/run.sh [BIN_DIR]    (default .build/debug; needs wire-echo-server and wire-autobahn-client)
#
# Makes a Python 3.12 venv in .build/interop-venv with websockets on first use.
set -euo pipefail
cd "$(dirname "$0")/../.."
BIN="${1:-.build/debug}"
HERE=Tools/interop
VENV=.build/interop-venv
WEBSOCKETS_VERSION=17.4

if [ ! -x "$VENV/bin/python" ] || ! "$VENV/bin/python" -c "import websockets" 2>/dev/null; then
    PY=""
    for cand in python3.12 "$HOME"/.pyenv/versions/3.12*/bin/python3; do
        if "$cand" -c 'import sys; assert sys.version_info[:2] == (3, 12)' 2>/dev/null; then PY="$cand"; break; fi
    done
    [ -n "$PY" ] || { echo "interop: no Python 3.12 found" >&2; exit 3; }
    "$PY" -m venv "$VENV"
    "$VENV/bin/pip" install -q --disable-pip-version-check "websockets==$WEBSOCKETS_VERSION"
fi
PYTHON="$VENV/bin/python"

WORK="$(mktemp -d "${TMPDIR:-/tmp}/wire-interop.XXXXXX")"
PIDS=()
cleanup() { for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done; rm -rf "$WORK"; }
trap cleanup EXIT

openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 2 -subj /CN=localhost \
    -addext "subjectAltName=DNS:localhost,IP:127.0.0.1" -keyout "$WORK/key.pem" -out "$WORK/cert.pem" 2>/dev/null

wait_for() {  # wait_for FILE PATTERN
    for _ in $(seq 1 100); do grep -q "$2" "$1" 2>/dev/null && return 0; sleep 0.1; done
    echo "interop: timed out waiting for $1" >&2; return 1
}
port_of() { sed -n 's/.*:\([0-9]*\)$/\1/p' "$1"; }

passed=0; failed=0
check() {  # check NAME CMD...
    local name="$1"; shift
    if timeout 60 "$@" > "$WORK/out" 2>&1; then
        passed=$((passed + 1)); echo "interop: PASS $name"
    else
        failed=$((failed + 1)); echo "interop: FAIL $name"; sed 's/^/    /' "$WORK/out"
    fi
}

# 1. websockets client -> our server
"$BIN/wire-echo-server" --port 0 > "$WORK/ws.out" 2>&1 & PIDS+=($!)
"$BIN/wire-echo-server" --port 0 --tls-cert "$WORK/cert.pem" --tls-key "$WORK/key.pem" > "$WORK/wss.out" 2>&1 & PIDS+=($!)
wait_for "$WORK/ws.out" listening; wait_for "$WORK/wss.out" listening
check "python websockets client -> wire server, ws://, deflate" \
    "$PYTHON" "$HERE/client.py" "ws://127.0.0.1:$(port_of "$WORK/ws.out")/interop"
check "python websockets client -> wire server, ws://, no deflate" \
    "$PYTHON" "$HERE/client.py" "ws://127.0.0.1:$(port_of "$WORK/ws.out")/interop" --no-deflate
check "python websockets client -> wire server, wss://" \
    "$PYTHON" "$HERE/client.py" "wss://localhost:$(port_of "$WORK/wss.out")/interop" --cafile "$WORK/cert.pem"

# 2. our client -> websockets server
"$PYTHON" "$HERE/server.py" "$WORK/py-ws.port" & PIDS+=($!)
"$PYTHON" "$HERE/server.py" "$WORK/py-wss.port" --cert "$WORK/cert.pem" --key "$WORK/key.pem" & PIDS+=($!)
for f in py-ws.port py-wss.port; do
    for _ in $(seq 1 100); do [ -s "$WORK/$f" ] && break; sleep 0.1; done
done
check "wire client -> python websockets server, ws://, deflate" \
    "$BIN/wire-autobahn-client" --probe "ws://127.0.0.1:$(cat "$WORK/py-ws.port")/"
check "wire client -> python websockets server, ws://, no deflate" \
    "$BIN/wire-autobahn-client" --no-deflate --probe "ws://127.0.0.1:$(cat "$WORK/py-ws.port")/"
check "wire client -> python websockets server, wss://" \
    "$BIN/wire-autobahn-client" --cafile "$WORK/cert.pem" --probe "wss://localhost:$(cat "$WORK/py-wss.port")/"

echo "interop: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
