#!/usr/bin/env bash
# Starts `swift-bokeh serve demo` on a free loopback port, runs the bokeh.client interop checks
# against it, stops the server by its PID. Usage: run_server_interop.sh BIN_DIR PYTHON
set -u
BIN=$1
PY=$2
HERE=$(cd "$(dirname "$0")" && pwd)
PORT=$("$PY" -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()')
LOG=$(mktemp)
"$BIN/swift-bokeh" serve demo --address 127.0.0.1 --port "$PORT" --log-level warning >"$LOG" 2>&1 &
SPID=$!
stop() {
  kill "$SPID" 2>/dev/null
  for _ in $(seq 1 50); do kill -0 "$SPID" 2>/dev/null || break; sleep 0.1; done
  kill -9 "$SPID" 2>/dev/null
  wait "$SPID" 2>/dev/null
}
ready=0
for _ in $(seq 1 100); do
  if "$PY" -c "import urllib.request,sys; urllib.request.urlopen('http://127.0.0.1:$PORT/demo/metadata', timeout=1)" 2>/dev/null; then ready=1; break; fi
  sleep 0.1
done
if [ "$ready" != 1 ]; then echo "swift-bokeh did not start:"; cat "$LOG"; stop; rm -f "$LOG"; echo "0 passed, 1 failed"; exit 1; fi
timeout 300 "$PY" "$HERE/server_interop.py" "http://127.0.0.1:$PORT"
status=$?
stop
if [ "$status" != 0 ]; then echo "server log:"; tail -40 "$LOG"; fi
rm -f "$LOG"
exit $status
