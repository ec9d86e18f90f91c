#!/usr/bin/env bash
# Authentication checks of swift-bokeh serve, side by side with Python `bokeh serve --auth-module` (Bokeh 3.10.2).
# Usage: run_auth_checks.sh BIN_DIR PYTHON STATIC_DIR [OUT_DIR]
#   BIN_DIR     holds swift-bokeh (swift build --show-bin-path)
#   PYTHON      the venv python with bokeh==3.10.2 and selenium (its bin/ holds `bokeh`)
#   STATIC_DIR  BokehJS files for swift-bokeh --static-dir (Vendor/bokehjs)
#   OUT_DIR     keep logs, JSON records and screenshots here (default: a temporary directory, removed)
# Environment: SHARED_BROWSER_DIR (browser_check.py + demo_app.py; default ../shared/browser beside the
# repository), AUTH_BROWSER_PYTHON=1 also drives the browser checks against Python.
#
# Three configurations, each served by swift-bokeh and by Python (one server at a time, free loopback ports,
# stopped by PID):
#   plain   password file, no prefix, no XSRF, --exclude-headers X-Probe-Excluded --exclude-cookies probe_excluded
#   pfx     password file, --prefix /pfx, --enable-xsrf-cookies, --include-headers X-Probe Host
#           --include-cookies user probe
#   header  --auth-header X-Forwarded-User --auth-trusted-proxy 127.0.0.1 --auth-trusted-proxy 127.0.0.4/30
# For swift-bokeh: the headless-browser login check first (it must log in before auth_check.py's rate-limit
# check blocks 127.0.0.1), then auth_check.py; for Python: auth_check.py --server python. Then auth_compare.py
# prints both columns. Exit status nonzero if any swift-bokeh check fails, a comparison differs, or the Python
# reference run fails (then the harness itself is broken).
set -u
BIN=$1
PY=$2
STATIC=$3
OUT=${4:-}
HERE=$(cd "$(dirname "$0")" && pwd)
SHARED_BROWSER=${SHARED_BROWSER_DIR:-$HERE/../../../shared/browser}
VENV_BIN=$(dirname "$PY")
T0=$(date +%s)
keep=1
if [ -z "$OUT" ]; then OUT=$(mktemp -d); keep=0; fi
mkdir -p "$OUT"
OUT=$(cd "$OUT" && pwd)
status=0
ours_pass=0; ours_fail=0; py_pass=0; py_fail=0
summary=()

free_port() { "$PY" -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'; }
counts() { grep -E '^[0-9]+ passed, [0-9]+ failed$|^browser-auth: [0-9]+ passed, [0-9]+ failed$' "$1" | tail -n 1 \
  | sed -E 's/^browser-auth: //; s/ passed, / /; s/ failed$//'; }

SECRET=$("$PY" -c 'import secrets; print(secrets.token_urlsafe(32))')
PWFILE="$OUT/passwords.txt"
ALICE_PW='alice pw: ünïcode & spaces'
BOB_PW='bob-pbkdf2-pw'
DAVE_PW='dave swift scrypt'
ERIN_PW='erin swift pbkdf2'
printf '# written by run_auth_checks.sh\n\n' >"$PWFILE"
printf '%s\n' "$ALICE_PW" | "$PY" "$HERE/passwords.py" add "$PWFILE" alice --scheme scrypt
printf '%s\n' "$BOB_PW" | "$PY" "$HERE/passwords.py" add "$PWFILE" bob --scheme pbkdf2
EXTRA=(--extra-user "bob:$BOB_PW")

have_ours=1
if [ ! -x "$BIN/swift-bokeh" ] || ! "$BIN/swift-bokeh" serve --help 2>&1 | grep -q -- --auth-password-file; then
  echo "== $BIN/swift-bokeh has no --auth-password-file: only the Python reference runs"
  have_ours=0; status=1; ours_fail=1
fi

# swift-bokeh passwd writes hashes that Python's hashlib verifies (both schemes); the servers below read the
# mixed file, so each verifies the other's hashes.
if [ "$have_ours" = 1 ]; then
  p_ok=1
  printf '%s\n' "$DAVE_PW" | "$BIN/swift-bokeh" passwd "$PWFILE" dave --scheme scrypt >"$OUT/passwd.log" 2>&1 || p_ok=0
  printf '%s\n' "$ERIN_PW" | "$BIN/swift-bokeh" passwd "$PWFILE" erin --scheme pbkdf2 >>"$OUT/passwd.log" 2>&1 || p_ok=0
  printf '%s\n' "$DAVE_PW" | "$PY" "$HERE/passwords.py" verify "$PWFILE" dave >>"$OUT/passwd.log" 2>&1 || p_ok=0
  printf '%s\n' "$ERIN_PW" | "$PY" "$HERE/passwords.py" verify "$PWFILE" erin >>"$OUT/passwd.log" 2>&1 || p_ok=0
  printf '%s\n' "$ALICE_PW" | "$PY" "$HERE/passwords.py" verify "$PWFILE" alice >>"$OUT/passwd.log" 2>&1 || p_ok=0
  grep -qE '^dave:scrypt\$' "$PWFILE" && grep -qE '^erin:pbkdf2_sha256\$' "$PWFILE" || p_ok=0
  if [ "$p_ok" = 1 ]; then
    echo "PASS swift-bokeh passwd: scrypt and pbkdf2 entries verify with Python hashlib"
    ours_pass=$((ours_pass + 1))
    EXTRA+=(--extra-user "dave:$DAVE_PW" --extra-user "erin:$ERIN_PW")
  else
    echo "FAIL swift-bokeh passwd (see below)"; cat "$OUT/passwd.log"; cat "$PWFILE"
    ours_fail=$((ours_fail + 1)); status=1
  fi
fi

SPID=
start_server() { # LOG PORT PFX CMD...
  local log=$1 port=$2 pfx=$3
  shift 3
  "$@" >"$log" 2>&1 &
  SPID=$!
  for _ in $(seq 1 150); do
    if "$PY" - "$port" "$pfx" <<'EOF' 2>/dev/null; then return 0; fi
import http.client, sys
c = http.client.HTTPConnection("127.0.0.1", int(sys.argv[1]), timeout=1)
c.request("GET", sys.argv[2] + "/favicon.ico")
c.getresponse().read()
EOF
    kill -0 "$SPID" 2>/dev/null || break
    sleep 0.1
  done
  echo "server did not start: $*"; tail -20 "$log"
  return 1
}
stop_server() {
  [ -n "$SPID" ] || return 0
  kill "$SPID" 2>/dev/null
  for _ in $(seq 1 50); do kill -0 "$SPID" 2>/dev/null || break; sleep 0.1; done
  kill -9 "$SPID" 2>/dev/null
  wait "$SPID" 2>/dev/null
  SPID=
}
trap stop_server EXIT

# add_counts WHO FILE
add_counts() {
  local c p f
  c=$(counts "$2"); p=${c% *}; f=${c#* }
  if [ -z "$c" ]; then p=0; f=1; fi
  if [ "$1" = ours ]; then ours_pass=$((ours_pass + p)); ours_fail=$((ours_fail + f)); else py_pass=$((py_pass + p)); py_fail=$((py_fail + f)); fi
  [ "$f" = 0 ] || status=1
}

# run_config NAME WHO PORT PFX AUTHCHECK_ARGS... -- BROWSER_ARGS... -- SERVER CMD...
run_config() {
  local name=$1 who=$2 port=$3 pfx=$4
  shift 4
  local ac=() br=()
  while [ "$1" != -- ]; do ac+=("$1"); shift; done; shift
  while [ "$1" != -- ]; do br+=("$1"); shift; done; shift
  local tag="$who-$name"
  echo "== $tag: $*" | sed "s/$SECRET/<secret>/g"
  if ! start_server "$OUT/$tag.server.log" "$port" "$pfx" "$@"; then
    summary+=("$tag: server did not start")
    if [ "$who" = ours ]; then ours_fail=$((ours_fail + 1)); else py_fail=$((py_fail + 1)); fi
    status=1; stop_server; return
  fi
  if [ "${#br[@]}" -gt 0 ] && { [ "$who" = ours ] || [ "${AUTH_BROWSER_PYTHON:-0}" = 1 ]; }; then
    timeout 150 "$PY" "$HERE/browser_login_check.py" --harness-dir "$SHARED_BROWSER" \
      --url "http://127.0.0.1:$port$pfx/demo_app" --screenshot-dir "$OUT/$tag.browser" "${br[@]}" \
      >"$OUT/$tag.browser.txt" 2>"$OUT/$tag.browser.err"
    grep -v '^\[' "$OUT/$tag.browser.txt"
    add_counts "$who" "$OUT/$tag.browser.txt"
    summary+=("$tag browser: $(counts "$OUT/$tag.browser.txt" | sed 's/ / passed, /') failed")
  fi
  local server_flag=ours; [ "$who" = python ] && server_flag=python
  timeout 120 "$PY" "$HERE/auth_check.py" "http://127.0.0.1:$port" --server "$server_flag" --json "$OUT/$tag.json" \
    --label "$who" "${ac[@]}" >"$OUT/$tag.txt" 2>&1
  cat "$OUT/$tag.txt"
  add_counts "$who" "$OUT/$tag.txt"
  summary+=("$tag auth_check: $(counts "$OUT/$tag.txt" | sed 's/ / passed, /') failed")
  stop_server
  if [ "$(counts "$OUT/$tag.txt")" != "" ] && grep -q "^FAIL" "$OUT/$tag.txt"; then
    echo "-- $tag server log (tail):"; tail -25 "$OUT/$tag.server.log" | sed "s/$SECRET/<secret>/g"
  fi
}

PW_ARGS=(--password-file "$PWFILE" --user alice --password "$ALICE_PW" --cookie-secret "$SECRET" "${EXTRA[@]}")
PLAIN_FILTERS=(--exclude-headers X-Probe-Excluded --exclude-cookies probe_excluded)
PFX_FILTERS=(--include-headers X-Probe Host --include-cookies user probe)
HDR_TRUST=127.0.0.1,127.0.0.4/30

for who in python ours; do
  [ "$who" = ours ] && [ "$have_ours" = 0 ] && continue
  # plain
  P=$(free_port)
  if [ "$who" = python ]; then
    run_config plain python "$P" "" "${PW_ARGS[@]}" "${PLAIN_FILTERS[@]}" -- --user alice --password "$ALICE_PW" -- \
      env SWIFTBOKEH_AUTH_PASSWORD_FILE="$PWFILE" BOKEH_COOKIE_SECRET="$SECRET" \
      "$VENV_BIN/bokeh" serve "$HERE/whoami_app.py" "$SHARED_BROWSER/demo_app.py" --address 127.0.0.1 --port "$P" \
      --allow-websocket-origin "127.0.0.1:$P" --auth-module "$HERE/reference_auth.py" --cookie-secret "$SECRET" \
      "${PLAIN_FILTERS[@]}" --log-level info
  else
    run_config plain ours "$P" "" "${PW_ARGS[@]}" "${PLAIN_FILTERS[@]}" -- --user alice --password "$ALICE_PW" -- \
      "$BIN/swift-bokeh" serve whoami_app demo_app --address 127.0.0.1 --port "$P" --static-dir "$STATIC" \
      --allow-websocket-origin "127.0.0.1:$P" --auth-password-file "$PWFILE" --cookie-secret "$SECRET" \
      "${PLAIN_FILTERS[@]}" --log-level info
  fi
  # pfx + xsrf
  P=$(free_port)
  if [ "$who" = python ]; then
    run_config pfx python "$P" /pfx --prefix /pfx --xsrf "${PW_ARGS[@]}" "${PFX_FILTERS[@]}" -- --user alice --password "$ALICE_PW" -- \
      env SWIFTBOKEH_AUTH_PASSWORD_FILE="$PWFILE" BOKEH_COOKIE_SECRET="$SECRET" \
      "$VENV_BIN/bokeh" serve "$HERE/whoami_app.py" "$SHARED_BROWSER/demo_app.py" --address 127.0.0.1 --port "$P" \
      --allow-websocket-origin "127.0.0.1:$P" --auth-module "$HERE/reference_auth.py" --cookie-secret "$SECRET" \
      --prefix /pfx --enable-xsrf-cookies "${PFX_FILTERS[@]}" --log-level info
  else
    run_config pfx ours "$P" /pfx --prefix /pfx --xsrf "${PW_ARGS[@]}" "${PFX_FILTERS[@]}" -- --user alice --password "$ALICE_PW" -- \
      "$BIN/swift-bokeh" serve whoami_app demo_app --address 127.0.0.1 --port "$P" --static-dir "$STATIC" \
      --allow-websocket-origin "127.0.0.1:$P" --auth-password-file "$PWFILE" --cookie-secret "$SECRET" \
      --prefix /pfx --enable-xsrf-cookies "${PFX_FILTERS[@]}" --log-level info
  fi
  # trusted header
  P=$(free_port)
  if [ "$who" = python ]; then
    run_config header python "$P" "" --mode header --auth-header X-Forwarded-User --header-user carol \
      -- --header-mode X-Forwarded-User --header-user carol -- \
      env SWIFTBOKEH_AUTH_HEADER=X-Forwarded-User SWIFTBOKEH_AUTH_TRUSTED_PROXIES="$HDR_TRUST" \
      "$VENV_BIN/bokeh" serve "$HERE/whoami_app.py" "$SHARED_BROWSER/demo_app.py" --address 127.0.0.1 --port "$P" \
      --allow-websocket-origin "127.0.0.1:$P" --auth-module "$HERE/reference_header_auth.py" --log-level info
  else
    run_config header ours "$P" "" --mode header --auth-header X-Forwarded-User --header-user carol \
      -- --header-mode X-Forwarded-User --header-user carol -- \
      "$BIN/swift-bokeh" serve whoami_app demo_app --address 127.0.0.1 --port "$P" --static-dir "$STATIC" \
      --allow-websocket-origin "127.0.0.1:$P" --auth-header X-Forwarded-User \
      --auth-trusted-proxy 127.0.0.1 --auth-trusted-proxy 127.0.0.4/30 --log-level info
  fi
done

if [ "$have_ours" = 1 ]; then
  for name in plain pfx header; do
    if [ -f "$OUT/python-$name.json" ] && [ -f "$OUT/ours-$name.json" ]; then
      echo
      "$PY" "$HERE/auth_compare.py" "$OUT/python-$name.json" "$OUT/ours-$name.json" | tee "$OUT/compare-$name.txt"
      [ "${PIPESTATUS[0]}" = 0 ] || status=1
      summary+=("compare $name: $(tail -n 1 "$OUT/compare-$name.txt" | sed 's/^compare: //')")
    else
      summary+=("compare $name: missing records"); status=1
    fi
  done
fi

echo
for s in "${summary[@]}"; do echo "  $s"; done
echo "python reference: $py_pass passed, $py_fail failed"
[ "$py_fail" = 0 ] || echo "  (the Python reference failing means the harness or reference_auth.py is broken)"
echo "($(( $(date +%s) - T0 ))s)"
if [ "$keep" = 0 ]; then rm -rf "$OUT"; else echo "auth artifacts in $OUT"; fi
echo "auth: $ours_pass passed, $ours_fail failed"
exit $status
