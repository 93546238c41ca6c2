#!/usr/bin/env bash
# `npm run test:wine`: the Windows backend, cross-built here and run under Wine (headless, no X):
#   1. snapscope_win_tests.exe    C++ tests of src/win without node (parsers, RAII, real snapshots)
#   2. native/test/win/wine.test.js  the addon in a Windows node.exe (node:test)
#   3. `snapscope snapshot` (out/main/cli.js) in that node.exe: the same JSON document as on Linux
# Ends with the line "N passed, N failed" and exits non-zero when anything failed.
# Under Wine a program's console output must go to a file (to a Linux pipe node.exe throws EBADF):
# every run writes to test-results/wine/, which is printed afterwards.
set -uo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
cd "$ROOT"
# shellcheck source=wine-env.sh
source scripts/wine-env.sh

RESULTS="$ROOT/test-results/wine"
mkdir -p "$RESULTS"
passed=0
failed=0
pass() { passed=$((passed + $1)); }
fail() { failed=$((failed + $1)); }
finish() {
  echo
  echo "$passed passed, $failed failed"
  ((failed == 0))
  exit
}

for tool in wine wineserver winepath x86_64-w64-mingw32-g++-posix; do
  if ! command -v "$tool" >/dev/null; then
    echo "test-wine: $tool not found; install wine64 wine g++-mingw-w64-x86-64-posix mingw-w64-x86-64-dev binutils-mingw-w64-x86-64 (apt), or run .ci/run"
    fail 1
    finish
  fi
done
if [ ! -f out/main/cli.js ]; then
  echo "test-wine: out/main/cli.js is missing: run npm run build first"
  fail 1
  finish
fi

bash scripts/build-win.sh || { fail 1; finish; }
wine_env_fetch_node || { echo "test-wine: cannot fetch node.exe"; fail 1; finish; }
wine_env_prefix

# A persistent wineserver makes each run ~0.3 s instead of ~1 s. Exit status 2: one already runs
# for this prefix, and it is left running.
wineserver -p
[ $? -eq 0 ] && trap 'wineserver -k 2>/dev/null' EXIT

ADDON=$(winepath -w native/build-win/snapscope.node)
# node.exe under another name, as Electron's host is: napi_* must resolve to whatever exe loaded the addon.
RENAMED_HOST="$(dirname "$NODE_EXE")/snapscope-host.exe"
ln -f "$NODE_EXE" "$RENAMED_HOST" 2>/dev/null || cp "$NODE_EXE" "$RENAMED_HOST"
run() {  # run NAME COMMAND...: stdout and stderr to files, at most 5 minutes
  local name=$1
  shift
  timeout 300 "$@" >"$RESULTS/$name.out" 2>"$RESULTS/$name.err"
}

echo "=== wine $(wine --version 2>/dev/null), node.exe $NODE_WIN_VERSION"

# The symbolizer's independent oracle: mingw's addr2line on every instruction of the fixture's own
# functions (main included), with the image base the addresses are relative to (symbols_test.cc reads it).
FIXTURE=native/build-win/symbols_fixture.exe
ORACLE="$RESULTS/symbols-oracle.txt"
{
  x86_64-w64-mingw32-objdump -p "$FIXTURE" | awk '$1 == "ImageBase" { print "imagebase 0x" $2 }'
  x86_64-w64-mingw32-objdump -d "$FIXTURE" |
    awk '/^[0-9a-f]+ <(fixture_[a-z_]+|main)>:$/ { inside = 1; next } /^[0-9a-f]+ </ { inside = 0 }
         inside && /^ +[0-9a-f]+:/ { sub(":", "", $1); print "0x" $1 }' |
    x86_64-w64-mingw32-addr2line -a -f -i -e "$FIXTURE"
} >"$ORACLE"

echo "=== 1. snapscope_win_tests.exe (C++, no node)"
SNAPSCOPE_SYMBOLS_ORACLE="$(winepath -w "$ORACLE")" run cxx wine native/build-win/snapscope_win_tests.exe
status=$?
tr -d '\r' <"$RESULTS/cxx.out"  # a Windows console program writes CRLF to files
summary=$(tr -d '\r' <"$RESULTS/cxx.out" | grep -E '^[0-9]+ passed, [0-9]+ failed$' | tail -1)
if [ -n "$summary" ]; then
  read -r p _ f _ <<<"$summary"
  pass "$p"
  fail "$f"
  ((status != 0 && f == 0)) && fail 1
else
  echo "test-wine: snapscope_win_tests.exe ended without a summary (exit $status):"
  grep -v -e '^$' -e 'wine32 is missing' -e 'multiarch needs' -e 'dpkg --add-architecture' -e 'apt-get install wine32' \
    "$RESULTS/cxx.err" | tail -20
  fail 1
fi

echo "=== 2. native/test/win/wine.test.js (node.exe + snapscope.node)"
TAP="$RESULTS/wine-suite.tap"
rm -f "$TAP"
SNAPSCOPE_ADDON="$ADDON" SNAPSCOPE_UNDER_WINE=1 SNAPSCOPE_RENAMED_HOST="$(winepath -w "$RENAMED_HOST")" run suite wine "$NODE_EXE" --test-reporter=tap \
  --test-reporter-destination="$(winepath -w "$TAP")" native/test/win/wine.test.js
status=$?
if [ -f "$TAP" ]; then
  # The verdicts, and the details of failures (TAP YAML blocks after "not ok").
  awk '/^(not )?ok / { print; detail = /^not ok/; next } /^# (tests|pass|fail|skipped)/ { print; next } detail { print }' "$TAP"
  p=$(sed -n 's/^# pass //p' "$TAP")
  f=$(sed -n 's/^# fail //p' "$TAP")
  pass "${p:-0}"
  fail "${f:-0}"
  ((status != 0 && ${f:-0} == 0)) && { echo "test-wine: node.exe exited with $status"; fail 1; }
else
  echo "test-wine: the suite wrote no results (exit $status):"
  tail -20 "$RESULTS/suite.err"
  fail 1
fi

echo "=== 3. snapscope snapshot --include process,thread (out/main/cli.js in node.exe)"
SNAPSCOPE_ADDON="$ADDON" run cli wine "$NODE_EXE" out/main/cli.js snapshot --include process,thread
status=$?
if node -e '
  const fs = require("fs")
  const doc = JSON.parse(fs.readFileSync(process.argv[1], "utf8"))
  const problems = []
  if (doc.format !== "snapscope.snapshot/1") problems.push(`format ${doc.format}`)
  if (doc.host?.os !== "win32" || doc.host?.backend !== "win32-toolhelp") problems.push(`host ${JSON.stringify(doc.host)}`)
  if (JSON.stringify(doc.include) !== JSON.stringify(["process", "thread"])) problems.push(`include ${doc.include}`)
  const nodes = (doc.processes ?? []).filter((p) => p.exeFile.toLowerCase() === "node.exe")
  if (!nodes.length) problems.push("no node.exe in processes")
  for (const p of nodes) {
    const threads = doc.threads.filter((t) => t.ownerPid === p.pid).length
    if (threads !== p.threadCount) problems.push(`node.exe ${p.pid}: threadCount ${p.threadCount}, ${threads} threads listed`)
    if (Number.isNaN(Date.parse(p.startTime))) problems.push(`startTime ${p.startTime}`)
  }
  if (problems.length) { console.log(problems.join("\n")); process.exit(1) }
  console.log(`ok: ${doc.processes.length} processes, ${doc.threads.length} threads, host ${doc.host.hostname}`)
' "$RESULTS/cli.out" && ((status == 0)); then
  pass 1
else
  echo "test-wine: snapscope snapshot failed (exit $status):"
  head -c 2000 "$RESULTS/cli.err"
  fail 1
fi

finish
