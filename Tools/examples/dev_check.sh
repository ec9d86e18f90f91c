#!/usr/bin/env bash
# `swift-bokeh dev` in an app package (the one `swift-bokeh init` made): it serves the app, rebuilds and restarts
# when a source changes, keeps the old server when a build fails, and stops its server when it is stopped.
# A page opened before a change reconnects by itself and shows the rebuilt app (reconnect_check.py).
# Usage: dev_check.sh SWIFT_BOKEH PYTHON PACKAGE_DIR SCRATCH STATIC_DIR LOG SHARED_BROWSER_DIR
set -u
SWIFT_BOKEH=$1
PY=$2
PKG=$3
SCRATCH=$4
STATIC=$5
LOG=$6
SHARED=$7
HERE=$(cd "$(dirname "$0")" && pwd)
MAIN="$PKG/Sources/demo/main.swift"
PORT=$("$PY" -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()')
(cd "$PKG" && exec "$SWIFT_BOKEH" dev --scratch-path "$SCRATCH" --poll-ms 200 --address 127.0.0.1 --port "$PORT" \
  --static-dir "$STATIC") >"$LOG" 2>&1 &
DEV=$!
passed=0
failed=0
check() { if "$@"; then passed=$((passed + 1)); else failed=$((failed + 1)); fi; }
title() { "$PY" -c "
import re, sys, urllib.request
try:
    page = urllib.request.urlopen('http://127.0.0.1:$PORT/', timeout=2).read().decode()
    m = re.search(r'<title>(.*?)</title>', page)
    print(m.group(1) if m else '')
except Exception:
    print('')"; }
wait_title() {  # wait_title EXPECTED SECONDS WHAT
  for _ in $(seq 1 $(($2 * 5))); do
    [ "$(title)" = "$1" ] && { echo "[PASS] $3 (title '$1')"; return 0; }
    sleep 0.2
  done
  echo "[FAIL] $3: title is '$(title)', expected '$1'"; tail -20 "$LOG"; return 1
}
wait_log() {  # wait_log TEXT SECONDS WHAT
  for _ in $(seq 1 $(($2 * 5))); do
    grep -q "$1" "$LOG" && { echo "[PASS] $3"; return 0; }
    sleep 0.2
  done
  echo "[FAIL] $3: no '$1' in the dev log"; tail -20 "$LOG"; return 1
}
check wait_title demo 300 "dev serves the app"
READY="$LOG.ready"
rm -f "$READY"
timeout 300 "$PY" "$HERE/reconnect_check.py" --url "http://127.0.0.1:$PORT/" --harness-dir "$SHARED" \
  --ready-file "$READY" --expect-title "demo v2" &
BROWSER=$!
for _ in $(seq 1 300); do [ -e "$READY" ] && break; kill -0 "$BROWSER" 2>/dev/null || break; sleep 0.2; done
sed -i 's/document.title = "demo"/document.title = "demo v2"/' "$MAIN"
check wait_title "demo v2" 180 "a saved change is rebuilt and served"
check wait "$BROWSER"
echo 'let broken: Int = "not an int"' >>"$MAIN"
check wait_log "build failed: the previous server keeps serving" 180 "a build error is reported"
check wait_title "demo v2" 5 "the previous server keeps serving after a failed build"
sed -i '/let broken: Int/d; s/document.title = "demo v2"/document.title = "demo v3"/' "$MAIN"
check wait_title "demo v3" 180 "the fixed source is served"
kill "$DEV"
for _ in $(seq 1 100); do kill -0 "$DEV" 2>/dev/null || break; sleep 0.1; done
if kill -0 "$DEV" 2>/dev/null; then kill -9 "$DEV"; fi
wait "$DEV" 2>/dev/null
sleep 0.5
if [ -z "$(title)" ]; then echo "[PASS] stopping dev stops its server"; passed=$((passed + 1)); else
  echo "[FAIL] the server outlived swift-bokeh dev"; failed=$((failed + 1)); pkill -f "demo --address 127.0.0.1 --port $PORT"; fi
echo "dev: $passed passed, $failed failed"
[ "$failed" = 0 ]
