#!/usr/bin/env bash
# Holds N idle WebSocket connections (default 10,000) against wire-echo-server on loopback and reports the
# connection rate and the server's resident memory per connection.
#
#   Tools/bench/idle-connections.sh [N] [BIN_DIR]     (default 10000 .build/release)
set -euo pipefail
cd "$(dirname "$0")/../.."
N="${1:-10000}"
BIN="${2:-.build/release}"

# Each side needs one descriptor per connection plus a few: raise the soft limit as far as allowed.
want=$((N + 1024))
hard="$(ulimit -Hn)"
if [ "$hard" != unlimited ] && [ "$hard" -lt "$want" ]; then
    echo "idle-connections: hard descriptor limit $hard is below $want; run with a higher limit" >&2
    exit 3
fi
ulimit -n "$want"

OUT="$(mktemp "${TMPDIR:-/tmp}/wire-idle.XXXXXX")"
"$BIN/wire-echo-server" --port 0 > "$OUT" 2>&1 &
SERVER=$!
trap 'kill $SERVER 2>/dev/null || true; rm -f "$OUT"' EXIT
for _ in $(seq 1 100); do grep -q listening "$OUT" && break; sleep 0.1; done
PORT="$(sed -n 's/.*:\([0-9]*\)$/\1/p' "$OUT")"
echo "idle-connections: server pid $SERVER on port $PORT, opening $N connections"
"$BIN/wire-idle-load" --url "ws://127.0.0.1:$PORT/" --connections "$N" --concurrency 256 --hold 5 --server-pid "$SERVER"
