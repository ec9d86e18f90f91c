#!/usr/bin/env bash
# Starts swift-bokeh on free loopback ports, runs one of the hostile-input tools against it, stops it by PID.
#   Tools/hostile/run.sh smoke|churn|soak|bigpull PATH/TO/swift-bokeh [tool options...]
set -euo pipefail
tool=$1; bin=$2; shift 2
here=$(cd "$(dirname "$0")" && pwd)
logs=$(mktemp -d)
pids=()
cleanup() {
    for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
    for p in "${pids[@]}"; do wait "$p" 2>/dev/null || true; done
    rm -rf "$logs"
}
trap cleanup EXIT

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'; }

# start NAME PORT ARGS... : runs the server, waits until it answers HTTP
start() {
    local name=$1 port=$2; shift 2
    "$bin" serve "$@" --address 127.0.0.1 --port "$port" >"$logs/$name.log" 2>&1 &
    pids+=($!)
    for _ in $(seq 1 100); do
        if python3 -c "import socket,sys; s=socket.create_connection(('127.0.0.1',$port),0.2)" 2>/dev/null; then return 0; fi
        sleep 0.1
    done
    echo "$name server did not start:"; cat "$logs/$name.log"; exit 1
}

case "$tool" in
smoke)
    p1=$(free_port); start unsigned "$p1" demo_app bench_app --log-level critical
    pid1=${pids[-1]}
    p2=$(free_port)
    BOKEH_SECRET_KEY=smoke-secret-key-0123456789abcdefghijklmnopqrstuv start signed "$p2" demo_app --session-ids signed --log-level critical
    pid2=${pids[-1]}
    status=0
    python3 "$here/smoke.py" --port "$p1" --pid "$pid1" --signed-port "$p2" --signed-pid "$pid2" "$@" || status=$?
    if [ $status -ne 0 ]; then echo "--- server logs (tail)"; tail -n 30 "$logs"/*.log; fi
    exit $status
    ;;
churn)
    p=$(free_port); start churn "$p" bench_app --unused-session-lifetime 1000 --check-unused-sessions 1000 --log-level warning
    python3 "$here/churn.py" --port "$p" --pid "${pids[-1]}" "$@"
    ;;
soak)
    p=$(free_port); start soak "$p" bench_app stream_app --unused-session-lifetime 1000 --check-unused-sessions 1000 \
        --log-level warning
    python3 "$here/soak.py" --port "$p" --pid "${pids[-1]}" "$@"
    ;;
bigpull)
    p=$(free_port); start bigpull "$p" bench_app --log-level warning
    python3 "$here/bigpull.py" --port "$p" "$@"
    ;;
*) echo "usage: $0 smoke|churn|soak|bigpull SWIFT_BOKEH [options]"; exit 2 ;;
esac
