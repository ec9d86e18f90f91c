#!/usr/bin/env bash
# make fuzz: builds bokeh-fuzz with AddressSanitizer and coverage linked against libFuzzer, seeds each target's
# corpus from the shared vectors, fuzzes every target for FUZZ_SECONDS (default 180) and prints executions per
# second and coverage per target. A crash is kept in Tools/Fuzz/crashes/TARGET/ (replayed by make test from then on)
# and fails the run. Usage: run_fuzz.sh SHARED_DIR [TARGET ...]
set -u
cd "$(dirname "$0")/../.."
SHARED=$1
shift
SECONDS_EACH=${FUZZ_SECONDS:-180}
SCRATCH=.build/fuzz
TOOLCHAIN="$(cd "$(dirname "$(command -v swiftc)")/.." && pwd)"
RUNTIME=$(find "$TOOLCHAIN/lib" -name 'libclang_rt.fuzzer_no_main-x86_64.a' 2>/dev/null | head -1)
if [ -z "$RUNTIME" ]; then echo "fuzz: libFuzzer's runtime (libclang_rt.fuzzer_no_main) is not in $TOOLCHAIN/lib"; exit 1; fi
echo "fuzz: building bokeh-fuzz with -sanitize=address and edge coverage (scratch $SCRATCH)"
swift build --product bokeh-fuzz --scratch-path "$SCRATCH" --sanitize address \
  -Xswiftc -sanitize-coverage=edge,inline-8bit-counters,pc-table,trace-cmp -Xswiftc -DSWIFTBOKEH_FUZZING \
  -Xlinker "$RUNTIME" -Xlinker -lstdc++ >"$SCRATCH-build.log" 2>&1 || { tail -30 "$SCRATCH-build.log"; exit 1; }
BIN="$(swift build --scratch-path "$SCRATCH" --show-bin-path)/bokeh-fuzz"
python3 Tools/Fuzz/make_corpus.py "$SHARED" .build/fuzz-corpus >/dev/null
targets=("$@")
if [ ${#targets[@]} -eq 0 ]; then mapfile -t targets < <("$BIN" list | cut -f1); fi
status=0
report=()
for t in "${targets[@]}"; do
  work=.build/fuzz-work/$t
  artifacts=.build/fuzz-artifacts/$t
  rm -rf "$artifacts"
  mkdir -p "$work" "$artifacts" "Tools/Fuzz/crashes/$t"
  log=.build/fuzz-$t.log
  ASAN_OPTIONS=detect_leaks=1:malloc_context_size=120 LSAN_OPTIONS="suppressions=$PWD/Tools/Fuzz/lsan.supp" "$BIN" fuzz "$t" -max_total_time="$SECONDS_EACH" -print_final_stats=1 -rss_limit_mb=2048 \
    -max_len=65536 -timeout=10 -artifact_prefix="$artifacts/" "$work" ".build/fuzz-corpus/$t" "Tools/Fuzz/crashes/$t" \
    >"$log" 2>&1
  rc=$?
  execs=$(grep -o 'stat::average_exec_per_sec: *[0-9]*' "$log" | grep -o '[0-9]*$' | tail -1)
  units=$(grep -o 'stat::number_of_executed_units: *[0-9]*' "$log" | grep -o '[0-9]*$' | tail -1)
  cov=$(grep -oE 'cov: [0-9]+' "$log" | tail -1 | grep -o '[0-9]*')
  ft=$(grep -oE 'ft: [0-9]+' "$log" | tail -1 | grep -o '[0-9]*')
  corp=$(ls "$work" | wc -l)
  crashes=$(ls "$artifacts" 2>/dev/null | wc -l)
  if [ "$rc" != 0 ] || [ "$crashes" != 0 ]; then
    status=1
    for f in "$artifacts"/*; do [ -f "$f" ] && cp "$f" "Tools/Fuzz/crashes/$t/"; done
    echo "fuzz: $t FAILED (rc $rc); inputs copied to Tools/Fuzz/crashes/$t; log $log:"
    grep -A25 "ERROR\|Fatal error\|deadly signal" "$log" | head -40
  fi
  report+=("$(printf '%-14s %8s s %10s execs %8s exec/s  cov %6s  ft %7s  corpus %6s  crashes %s' \
    "$t" "$SECONDS_EACH" "${units:-?}" "${execs:-?}" "${cov:-?}" "${ft:-?}" "$corp" "$crashes")")
done
echo
echo "fuzz results (libFuzzer, AddressSanitizer; cov = covered edges, ft = features):"
for line in "${report[@]}"; do echo "  $line"; done
exit $status
