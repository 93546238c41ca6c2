#!/usr/bin/env bash
# Runs the race suite (native/test/races.test.ts) N times in a row under a concurrent CPU load, and
# stops at the first failure: what "the races pass reliably on a busy machine" means.
#   scripts/race-soak.sh [N=50] [LOAD=1]   (LOAD: stress-ng CPU workers; 0 for none)
# Environment: SNAPSCOPE_RACE_ROUNDS (rounds per test, default 1), SNAPSCOPE_ADDON (another build).
# Each failing run's output is kept in $TMPDIR/race-soak.RUN.log; the last line says how it went.
set -u
runs=${1:-50}
load=${2:-1}
cd "$(dirname "$0")/.."
if ! [[ $runs =~ ^[0-9]+$ && $load =~ ^[0-9]+$ ]]; then
  echo "usage: scripts/race-soak.sh [RUNS] [CPU-LOAD-WORKERS]" >&2
  exit 2
fi
stress=
if [ "$load" -gt 0 ]; then
  command -v stress-ng >/dev/null || { echo "stress-ng is not installed (apt-get install stress-ng), or pass LOAD=0" >&2; exit 2; }
  stress-ng --cpu "$load" --quiet &
  stress=$!
  trap 'kill "$stress" 2>/dev/null; wait "$stress" 2>/dev/null' EXIT
fi
log=${TMPDIR:-/tmp}/race-soak.$$.log
for ((i = 1; i <= runs; i++)); do
  start=$SECONDS
  if npx vitest run native/test/races.test.ts >"$log" 2>&1; then
    echo "run $i/$runs passed ($((SECONDS - start)) s)"
  else
    mv "$log" "${TMPDIR:-/tmp}/race-soak.$i.log"
    grep -E "FAIL|AssertionError|Error:" "${TMPDIR:-/tmp}/race-soak.$i.log" | head -20
    echo "race-soak: run $i of $runs FAILED under $load CPU load worker(s); log: ${TMPDIR:-/tmp}/race-soak.$i.log"
    exit 1
  fi
done
rm -f "$log"
echo "race-soak: $runs of $runs runs passed under $load CPU load worker(s)"
