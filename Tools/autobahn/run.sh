#!/usr/bin/env bash
# Autobahn|Testsuite conformance of our WebSocket server and client (see ../shared/autobahn/README.md).
#
#   Tools/autobahn/run.sh [--quick] [--only server|client] BIN_DIR
#
# Server side: wstest fuzzingclient against wire-echo-server (permessage-deflate on).
# Client side: wstest fuzzingserver, wire-autobahn-client run once per case.
# Prints each suite's `autobahn: N passed, M failed` line; exits non-zero if either suite fails.
# Reports are kept in $AUTOBAHN_OUT (default .build/autobahn/{server,client}[-quick]).
set -euo pipefail
cd "$(dirname "$0")/../.."
QUICK=()
ONLY=""
while [ $# -gt 1 ]; do
    case "$1" in
        --quick) QUICK=(--quick); shift ;;
        --only) ONLY="$2"; shift 2 ;;
        *) break ;;
    esac
done
BIN="${1:?usage: run.sh [--quick] [--only server|client] BIN_DIR}"
HARNESS="${AUTOBAHN_DIR:-${SWIFTBOKEH_SHARED:-../shared}/autobahn}"
[ -f "$HARNESS/run_server_suite.sh" ] || { echo "autobahn: harness not found at $HARNESS (set AUTOBAHN_DIR)" >&2; exit 3; }
SUFFIX="${QUICK:+-quick}"
OUT="${AUTOBAHN_OUT:-.build/autobahn}"
mkdir -p "$OUT"
bash "$HARNESS/install.sh" > "$OUT/install.log" 2>&1 || { cat "$OUT/install.log" >&2; exit 3; }

status=0
if [ "$ONLY" != client ]; then
    rm -rf "$OUT/server$SUFFIX"
    "$BIN/wire-echo-server" --port 0 > "$OUT/echo-server.log" 2>&1 &
    SERVER=$!
    trap 'kill $SERVER 2>/dev/null || true' EXIT
    for _ in $(seq 1 100); do grep -q listening "$OUT/echo-server.log" && break; sleep 0.1; done
    PORT="$(sed -n 's/.*:\([0-9]*\)$/\1/p' "$OUT/echo-server.log")"
    echo "autobahn: server suite${SUFFIX:+ (quick)} against wire-echo-server on port $PORT"
    bash "$HARNESS/run_server_suite.sh" "ws://127.0.0.1:$PORT" "${QUICK[@]}" --agent wire --outdir "$OUT/server$SUFFIX" \
        > "$OUT/server$SUFFIX.log" 2>&1 || status=1
    grep -E "^(  behavior|  by group|autobahn: [0-9]+ passed)" "$OUT/server$SUFFIX.log" || tail -5 "$OUT/server$SUFFIX.log"
    kill $SERVER 2>/dev/null || true
    wait $SERVER 2>/dev/null || true
    trap - EXIT
fi
if [ "$ONLY" != server ]; then
    rm -rf "$OUT/client$SUFFIX"
    echo "autobahn: client suite${SUFFIX:+ (quick)} with wire-autobahn-client"
    bash "$HARNESS/run_client_suite.sh" "${QUICK[@]}" --agent wire --outdir "$OUT/client$SUFFIX" -- "$BIN/wire-autobahn-client" '{url}' \
        > "$OUT/client$SUFFIX.log" 2>&1 || status=1
    grep -E "^(  behavior|  by group|autobahn: [0-9]+ passed)" "$OUT/client$SUFFIX.log" || tail -5 "$OUT/client$SUFFIX.log"
fi
exit $status
