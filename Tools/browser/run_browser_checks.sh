#!/usr/bin/env bash
# Starts `swift-bokeh serve demo_app stream_app` on a free loopback port with the local BokehJS copy, runs the
# shared browser check against /demo_app and the streaming check against /stream_app, stops the server by PID.
# Usage: run_browser_checks.sh BIN_DIR PYTHON SHARED_BROWSER_DIR STATIC_DIR [OUT_DIR]
set -u
BIN=$1
PY=$2
SHARED=$3
STATIC=$4
OUT=${5:-}
HERE=$(cd "$(dirname "$0")" && pwd)
if [ ! -x /usr/bin/chromium ] || [ ! -x /usr/bin/chromedriver ]; then
  echo "browser-check needs /usr/bin/chromium and /usr/bin/chromedriver (apt-get install chromium chromium-driver)"
  echo "browser: 0 passed, 1 failed"
  exit 1
fi
keep=1
if [ -z "$OUT" ]; then OUT=$(mktemp -d); keep=0; fi
mkdir -p "$OUT/demo" "$OUT/stream"
PORT=$("$PY" -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()')
LOG="$OUT/server.log"
# The index page embeds demo_app through autoload.js (checked by stream_check.py --autoload-url).
INDEX="$OUT/index.html"
cat >"$INDEX" <<HTML
<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>autoload embedding</title></head>
<body><h1>Embedded</h1><div id="embed"></div>
<script src="/demo_app/autoload.js?bokeh-autoload-element=embed&bokeh-app-path=/demo_app&bokeh-absolute-url=http://127.0.0.1:$PORT/demo_app"></script>
</body></html>
HTML
"$BIN/swift-bokeh" serve demo_app stream_app --address 127.0.0.1 --port "$PORT" --static-dir "$STATIC" \
  --index "$INDEX" --log-level info >"$LOG" 2>&1 &
SPID=$!
stop() {
  kill "$SPID" 2>/dev/null
  for _ in $(seq 1 50); do kill -0 "$SPID" 2>/dev/null || break; sleep 0.1; done
  kill -9 "$SPID" 2>/dev/null
  wait "$SPID" 2>/dev/null
}
ready=0
for _ in $(seq 1 100); do
  if "$PY" -c "import urllib.request; urllib.request.urlopen('http://127.0.0.1:$PORT/demo_app/metadata', timeout=1)" 2>/dev/null; then
    ready=1; break
  fi
  sleep 0.1
done
if [ "$ready" != 1 ]; then
  echo "swift-bokeh did not start:"; cat "$LOG"; stop
  echo "browser: 0 passed, 1 failed"; exit 1
fi
status=0
timeout 180 "$PY" "$SHARED/browser_check.py" --url "http://127.0.0.1:$PORT/demo_app" --screenshot-dir "$OUT/demo" \
  || status=1
timeout 150 "$PY" "$HERE/stream_check.py" --url "http://127.0.0.1:$PORT/stream_app" --harness-dir "$SHARED" \
  --screenshot-dir "$OUT/stream" --autoload-url "http://127.0.0.1:$PORT/" || status=1
stop
if [ "$status" != 0 ]; then echo "server log:"; tail -40 "$LOG"; fi
if [ "$keep" = 0 ]; then rm -rf "$OUT"; else echo "browser artifacts in $OUT"; fi
exit $status
