#!/usr/bin/env bash
# Builds every example app package (Examples/*) and the package `swift-bokeh init` makes, serves each on a free
# loopback port with the local BokehJS copy, and drives it in headless Chromium (example_check.py).
# The packages share one scratch directory, so SwiftBokeh itself is compiled once for all of them.
# Usage: run_examples.sh SWIFT_BOKEH PYTHON SHARED_BROWSER_DIR STATIC_DIR SCRATCH [OUT_DIR]
set -u
SWIFT_BOKEH=$1
PY=$2
SHARED=$3
STATIC=$(cd "$4" && pwd)
mkdir -p "$5"
SCRATCH=$(cd "$5" && pwd)
OUT=${6:-}
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
SWIFT=${SWIFT:-swift}
if [ ! -x /usr/bin/chromium ] || [ ! -x /usr/bin/chromedriver ]; then
  echo "make examples needs /usr/bin/chromium and /usr/bin/chromedriver (apt-get install chromium chromium-driver)"
  echo "examples: 0 passed, 1 failed"
  exit 1
fi
keep=1
if [ -z "$OUT" ]; then OUT=$(mktemp -d); keep=0; fi
mkdir -p "$OUT"
passed=0
failed=0
failures=()

# The offline subcommands (secret, json, info, bokehjs).
echo "== swift-bokeh secret, json, info, bokehjs"
if "$HERE/cli_check.sh" "$SWIFT_BOKEH" "$PY" "$STATIC" "$OUT/cli"; then
  passed=$((passed + 1))
else
  failed=$((failed + 1)); failures+=("cli")
fi

# The package a newcomer makes: swift-bokeh init, in a folder outside the repository.
INIT_DIR="$OUT/init-demo"
rm -rf "$INIT_DIR"
if ! "$SWIFT_BOKEH" init demo --path "$INIT_DIR" >"$OUT/init.log" 2>&1; then
  cat "$OUT/init.log"; echo "examples: 0 passed, 1 failed (swift-bokeh init)"; exit 1
fi

# name  package-dir  kind  app-path  extra serve arguments
run_one() {
  local name=$1 dir=$2 kind=$3 path=$4
  shift 4
  local log="$OUT/$name.log"
  echo "== $name ($dir)"
  if ! "$SWIFT" build --package-path "$dir" --scratch-path "$SCRATCH" --product "$name" >"$OUT/$name-build.log" 2>&1; then
    tail -30 "$OUT/$name-build.log"; echo "$name: build failed"
    failed=$((failed + 1)); failures+=("$name (build)"); return
  fi
  local bin
  bin="$("$SWIFT" build --package-path "$dir" --scratch-path "$SCRATCH" --show-bin-path)/$name"
  local port
  port=$("$PY" -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()')
  (cd "$dir" && exec "$bin" --address 127.0.0.1 --port "$port" --static-dir "$STATIC" "$@") >"$log" 2>&1 &
  local spid=$!
  local ready=0
  for _ in $(seq 1 100); do
    if "$PY" -c "import urllib.request; urllib.request.urlopen('http://127.0.0.1:$port$path', timeout=1)" 2>/dev/null; then
      ready=1; break
    fi
    sleep 0.1
  done
  local status=1
  if [ "$ready" = 1 ]; then
    mkdir -p "$OUT/$name"
    timeout 150 "$PY" "$HERE/example_check.py" --url "http://127.0.0.1:$port$path" --kind "$kind" \
      --harness-dir "$SHARED" --screenshot-dir "$OUT/$name" && status=0
  else
    echo "$name did not start:"; cat "$log"
  fi
  kill "$spid" 2>/dev/null
  for _ in $(seq 1 50); do kill -0 "$spid" 2>/dev/null || break; sleep 0.1; done
  kill -9 "$spid" 2>/dev/null
  wait "$spid" 2>/dev/null
  if [ "$status" = 0 ]; then
    passed=$((passed + 1))
  else
    failed=$((failed + 1)); failures+=("$name"); echo "server log:"; tail -20 "$log"
  fi
}

run_one demo "$INIT_DIR" init /
run_one sliders "$ROOT/Examples/sliders" sliders /
run_one streaming "$ROOT/Examples/streaming" streaming / --args 30
run_one crossfilter "$ROOT/Examples/crossfilter" crossfilter /
run_one dashboard "$ROOT/Examples/dashboard" dashboard /dashboard
# The dev loop, in the init package (after its browser check: this edits its sources).
echo "== swift-bokeh dev ($INIT_DIR)"
if "$HERE/dev_check.sh" "$SWIFT_BOKEH" "$PY" "$INIT_DIR" "$SCRATCH" "$STATIC" "$OUT/dev.log" "$SHARED"; then
  passed=$((passed + 1))
else
  failed=$((failed + 1)); failures+=("dev")
fi
echo "examples: $passed passed, $failed failed${failures:+ (${failures[*]})}"
if [ "$keep" = 0 ]; then rm -rf "$OUT"; else echo "example artifacts in $OUT"; fi
[ "$failed" = 0 ]
