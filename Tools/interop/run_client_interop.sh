#!/usr/bin/env bash
# Runs the Swift client checks (ClientInterop) against `bokeh serve demo_app.py` (Python Bokeh 3.10.2)
# and against `swift-bokeh serve demo_app`, each on a free loopback port, stopping each server by its PID.
# Usage: run_client_interop.sh BIN_DIR PYTHON DEMO_APP_PY [--bench N]
set -u
BIN=$1
PY=$2
DEMO=$3
shift 3
VENV_BIN=$(dirname "$PY")
total_pass=0
total_fail=0

free_port() { "$PY" -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'; }

# run_against NAME PORT -- SERVER COMMAND...
run_against() {
  local name=$1 port=$2
  shift 3
  local log
  log=$(mktemp)
  "$@" >"$log" 2>&1 &
  local spid=$!
  local ready=0
  for _ in $(seq 1 150); do
    if "$PY" -c "import urllib.request; urllib.request.urlopen('http://127.0.0.1:$port/demo_app', timeout=1)" 2>/dev/null; then ready=1; break; fi
    kill -0 "$spid" 2>/dev/null || break
    sleep 0.1
  done
  local out status
  if [ "$ready" = 1 ]; then
    echo "== client interop against $name (port $port)"
    out=$(timeout 300 "$BIN/ClientInterop" "http://127.0.0.1:$port/demo_app" "$PY" $BENCH 2>&1)
    status=$?
    echo "$out"
  else
    echo "$name did not start:"; cat "$log"
    out="0 passed, 1 failed"
    status=1
  fi
  kill "$spid" 2>/dev/null
  for _ in $(seq 1 50); do kill -0 "$spid" 2>/dev/null || break; sleep 0.1; done
  kill -9 "$spid" 2>/dev/null
  wait "$spid" 2>/dev/null
  if [ "$status" != 0 ]; then echo "server log ($name):"; tail -20 "$log"; fi
  rm -f "$log"
  local counts
  counts=$(echo "$out" | grep -E '^[0-9]+ passed, [0-9]+ failed$' | tail -n 1)
  local p=${counts%% passed*}
  local f=${counts#*, }; f=${f%% failed}
  if [ -z "$counts" ]; then p=0; f=1; fi
  if [ "$status" != 0 ] && [ "$f" = 0 ]; then f=1; fi
  total_pass=$((total_pass + p))
  total_fail=$((total_fail + f))
}

BENCH="${*:-}"
PORT=$(free_port)
run_against "bokeh serve (Python 3.10.2)" "$PORT" -- "$VENV_BIN/bokeh" serve "$DEMO" --address 127.0.0.1 --port "$PORT" \
  --allow-websocket-origin "127.0.0.1:$PORT" --log-level warning
PORT=$(free_port)
run_against "swift-bokeh serve" "$PORT" -- "$BIN/swift-bokeh" serve demo_app --address 127.0.0.1 --port "$PORT" --log-level warning

echo "client-interop: $total_pass passed, $total_fail failed"
[ "$total_fail" = 0 ]
