#!/usr/bin/env bash
# Builds the tests with a sanitizer (thread or address) in its own scratch path and runs them (all, or the suites
# matching FILTER); fails on any sanitizer report or failed test. Usage: run.sh thread|address [FILTER]
set -u
cd "$(dirname "$0")/../.."
KIND=$1
FILTER=${2:-}
SCRATCH=.build/$([ "$KIND" = thread ] && echo tsan || echo asan)
LOG=$SCRATCH-test.log
echo "sanitize: building the tests with -sanitize=$KIND ($SCRATCH)"
swift build --build-tests --sanitize="$KIND" --scratch-path "$SCRATCH" >"$SCRATCH-build.log" 2>&1 \
  || { tail -30 "$SCRATCH-build.log"; echo "sanitize $KIND: build failed"; exit 1; }
args=(--skip-build --no-parallel --scratch-path "$SCRATCH" --sanitize="$KIND")
if [ -n "$FILTER" ]; then args+=(--filter "$FILTER"); fi
start=$(date +%s)
# halt_on_error=0: report every race, not only the first; the count decides.
TSAN_OPTIONS="halt_on_error=0 second_deadlock_stack=1" ASAN_OPTIONS="detect_leaks=0:halt_on_error=1" \
  timeout 1800 swift test "${args[@]}" >"$LOG" 2>&1
rc=$?
reports=$(grep -c "WARNING: ThreadSanitizer\|ERROR: AddressSanitizer" "$LOG")
summary=$(grep -E "Test run with [0-9]+ tests" "$LOG" | tail -1 | sed 's/^[^A-Za-z]*//')
echo "sanitize $KIND: ${summary:-no summary} ($(( $(date +%s) - start )) s); $reports sanitizer reports"
if [ "$reports" != 0 ]; then
  grep -A20 "WARNING: ThreadSanitizer\|ERROR: AddressSanitizer" "$LOG" | grep -E "WARNING|ERROR|#[0-3] " | cut -c1-200 | head -60
fi
if [ "$rc" != 0 ] || [ "$reports" != 0 ]; then
  grep -E "✘" "$LOG" | cut -c1-300 | head -20
  echo "sanitize $KIND: FAILED (log $LOG)"
  exit 1
fi
