#!/usr/bin/env bash
# The offline swift-bokeh subcommands: secret (Bokeh's key format), json (a document file checked and printed,
# a broken one refused), info (local versions; --static follows the BokehJS discovery order), and bokehjs
# (fills a cache from the bokeh 3.10.2 wheel on PyPI; the files equal those of STATIC_DIR).
# Usage: cli_check.sh SWIFT_BOKEH PYTHON STATIC_DIR WORK_DIR
set -u
SWIFT_BOKEH=$1
PY=$(cd "$(dirname "$2")" && pwd)/$(basename "$2")
STATIC=$(cd "$3" && pwd)
WORK=$4
HERE=$(cd "$(dirname "$0")" && pwd)
mkdir -p "$WORK"
passed=0
failed=0
ok() { echo "[PASS] $1"; passed=$((passed + 1)); }
bad() { echo "[FAIL] $1"; failed=$((failed + 1)); }

key=$("$SWIFT_BOKEH" secret)
if [[ "$key" =~ ^[A-Za-z0-9]{44}$ ]] && [ "$key" != "$("$SWIFT_BOKEH" secret)" ]; then ok "secret: 44 letters and digits, new each time"; else bad "secret: '$key'"; fi

DOC="$WORK/doc.json"
"$PY" - "$DOC" <<'PY'
import sys
from bokeh.document import Document
from bokeh.models import Div, Slider
from bokeh.layouts import column
from bokeh.core.json_encoder import serialize_json
doc = Document()
doc.add_root(column(Slider(start=0, end=10, value=3, title="n"), Div(text="hi")))
doc.title = "from python"
open(sys.argv[1], "w").write(serialize_json(doc.to_json()))
PY
if "$SWIFT_BOKEH" json "$DOC" --indent 2 -o "$WORK/out.json" 2>"$WORK/json.err" &&
  "$PY" -c "import json,sys; d=json.load(open(sys.argv[1])); assert d['title']=='from python' and len(d['roots'])==1" "$WORK/out.json"; then
  ok "json: a document Python wrote is read and written back ($(cat "$WORK/json.err"))"
else bad "json: $(cat "$WORK/json.err")"; fi
echo '{"roots": 3}' >"$WORK/broken.json"
if ! "$SWIFT_BOKEH" json "$WORK/broken.json" >/dev/null 2>"$WORK/broken.err" && grep -q "broken.json" "$WORK/broken.err"; then
  ok "json: a broken file is refused ($(head -c 120 "$WORK/broken.err"))"
else bad "json: broken file accepted"; fi

info=$("$SWIFT_BOKEH" info)
if grep -q "^Bokeh version *:  3.10.2" <<<"$info" && grep -q "^BokehJS static path" <<<"$info"; then ok "info: local versions"; else bad "info: $info"; fi
where=$(cd "$WORK" && SWIFTBOKEH_STATIC_DIR="$STATIC" "$SWIFT_BOKEH" info --static)
if [ "$where" = "$STATIC" ]; then ok "info --static: SWIFTBOKEH_STATIC_DIR"; else bad "info --static: '$where'"; fi
where=$(cd "$WORK" && env -u SWIFTBOKEH_STATIC_DIR XDG_CACHE_HOME="$WORK/empty-cache" "$SWIFT_BOKEH" info --static)
if [ "$where" = "https://cdn.bokeh.org/bokeh/release/" ]; then ok "info --static: the CDN without a local copy"; else bad "info --static (none): '$where'"; fi

if (cd "$WORK" && env -u SWIFTBOKEH_STATIC_DIR XDG_CACHE_HOME="$WORK/cache" "$SWIFT_BOKEH" bokehjs --python "$PY") >"$WORK/bokehjs.log" 2>&1 &&
  cmp -s "$WORK/cache/swift-bokeh/bokehjs-3.10.2/js/bokeh.min.js" "$STATIC/js/bokeh.min.js"; then
  where=$(cd "$WORK" && env -u SWIFTBOKEH_STATIC_DIR XDG_CACHE_HOME="$WORK/cache" "$SWIFT_BOKEH" info --static)
  if [ "$where" = "$WORK/cache/swift-bokeh/bokehjs-3.10.2" ]; then ok "bokehjs: the per-user cache is filled and found"; else bad "bokehjs: cache not found ($where)"; fi
else bad "bokehjs: $(tail -3 "$WORK/bokehjs.log")"; fi
echo "cli: $passed passed, $failed failed"
[ "$failed" = 0 ]
