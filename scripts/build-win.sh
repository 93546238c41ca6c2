#!/usr/bin/env bash
# `npm run build:win`: cross-compiles the Windows (win32-x64) addon and its C++ test program with
# mingw-w64, on Linux:
#   native/build-win/snapscope.node            the Node-API addon (addon.cc + bindings + src/win)
#   native/build-win/snapscope_win_tests.exe   the same src/win sources + native/test/win/*.cc, no node
#   native/build-win/symbols_fixture*.{exe,dll}  the processes the symbolizer's tests name (test/win/fixtures)
# Both are self-contained (libgcc, libstdc++ and winpthread linked statically): they import only
# Windows DLLs, and the addon the napi_* functions of the node.exe that loads it.
# Incremental: an object is rebuilt when its source or a header it includes changed.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
OUT="$ROOT/native/build-win"
OBJ="$OUT/obj"
CXX=${MINGW_CXX:-x86_64-w64-mingw32-g++-posix}
CC=${MINGW_CC:-x86_64-w64-mingw32-gcc-posix}
DLLTOOL=${MINGW_DLLTOOL:-x86_64-w64-mingw32-dlltool}

for tool in "$CXX" "$CC" "$DLLTOOL"; do
  command -v "$tool" >/dev/null || {
    echo "build-win: $tool not found; install g++-mingw-w64-x86-64-posix and binutils-mingw-w64-x86-64 (apt)" >&2
    exit 1
  }
done
NAPI_HEADERS="$ROOT/node_modules/node-api-headers"
ADDON_API="$ROOT/node_modules/node-addon-api"
[ -d "$NAPI_HEADERS" ] && [ -d "$ADDON_API" ] || { echo "build-win: run npm install first (node-api-headers, node-addon-api)" >&2; exit 1; }
mkdir -p "$OBJ"

# The same definitions as native/CMakeLists.txt; the Windows macros come from src/win/win32.h.
CXXFLAGS=(-std=c++17 -O2 -DNDEBUG -Wall -Wextra -MMD
  -isystem "$NAPI_HEADERS/include" -isystem "$ADDON_API"
  -DNAPI_VERSION=8 -DNODE_ADDON_API_DISABLE_DEPRECATED -DNAPI_CPP_EXCEPTIONS -DNODE_ADDON_API_CPP_EXCEPTIONS_ALL)
# -static: no libstdc++-6.dll / libwinpthread-1.dll next to the .node or the .exe.
LINKFLAGS=(-static-libgcc -static-libstdc++ -static -s -lpsapi -ladvapi32 -ldbghelp)

# The backend's sources are native/CMakeLists.txt's SNAPSCOPE_SOURCES_Windows: one list for both builds.
mapfile -t BACKEND_SOURCES < <(sed -n '/^set(SNAPSCOPE_SOURCES_Windows/,/^)/s#^ *\(src/[^ ]*\.cc\).*#'"$ROOT"'/native/\1#p' \
  "$ROOT/native/CMakeLists.txt")
((${#BACKEND_SOURCES[@]})) || { echo "build-win: no SNAPSCOPE_SOURCES_Windows in native/CMakeLists.txt" >&2; exit 1; }
ADDON_SOURCES=("$ROOT/native/src/addon.cc" "$ROOT"/native/src/bindings/*.cc "$ROOT/native/src/win/mingw/delay_load_hook.cc")
TEST_SOURCES=("$ROOT"/native/test/win/*.cc)

object() {  # source -> object path (flattened, unique per source)
  local rel=${1#"$ROOT/native/"}
  echo "$OBJ/${rel//\//_}.o"
}

stale() {  # the object is missing, or older than its source or any header in its .d file
  local o=$1 d=${1%.o}.d dep
  [[ -f $o && -f $d ]] || return 0
  for dep in $(sed -e 's/^[^:]*://' -e 's/\\$//' "$d"); do
    [[ $dep -nt $o ]] && return 0
  done
  return 1
}

# Compile what changed, as many at once as there are CPUs.
jobs=$(nproc 2>/dev/null || echo 2)
running=0
failed=0
for src in "${BACKEND_SOURCES[@]}" "${ADDON_SOURCES[@]}" "${TEST_SOURCES[@]}"; do
  o=$(object "$src")
  stale "$o" || continue
  echo "build-win: ${src#"$ROOT/"}"
  "$CXX" "${CXXFLAGS[@]}" -c "$src" -o "$o" &
  if ((++running >= jobs)); then
    wait -n || failed=1
    ((running--))
  fi
done
while ((running > 0)); do
  wait -n || failed=1
  ((running--))
done
((failed == 0)) || { echo "build-win: compilation failed" >&2; exit 1; }

objects() { local s; for s in "$@"; do object "$s"; done; }
mapfile -t BACKEND_OBJECTS < <(objects "${BACKEND_SOURCES[@]}")
mapfile -t ADDON_OBJECTS < <(objects "${ADDON_SOURCES[@]}")
mapfile -t TEST_OBJECTS < <(objects "${TEST_SOURCES[@]}")

# napi_* live in the executable that loads the addon. A delay-load import library names node.exe
# as their DLL; src/win/mingw/delay_load_hook.cc resolves that to whichever executable it is.
DEF="$NAPI_HEADERS/def/node_api.def"
if [[ ! -f "$OUT/libnode_api_delay.a" || "$DEF" -nt "$OUT/libnode_api_delay.a" ]]; then
  "$DLLTOOL" -d "$DEF" -D node.exe -y "$OUT/libnode_api_delay.a"
fi

"$CXX" -shared -o "$OUT/snapscope.node" "${ADDON_OBJECTS[@]}" "${BACKEND_OBJECTS[@]}" -L"$OUT" -lnode_api_delay "${LINKFLAGS[@]}"
"$CXX" -o "$OUT/snapscope_win_tests.exe" "${TEST_OBJECTS[@]}" "${BACKEND_OBJECTS[@]}" "${LINKFLAGS[@]}"

# The symbolizer's fixtures: an exe with its DWARF, and a stripped DLL that has nothing but exports.
# DWARF 4: Wine 8's dbghelp reads versions 2-4, not gcc 12's default 5. One line-table row per
# address (no statement frontiers or location views): of several rows at one address, Wine's dbghelp
# keeps the first and addr2line (the oracle) the last.
FIXTURES="$ROOT/native/test/win/fixtures"
fixture() {  # fixture OUTPUT SOURCE FLAGS...: built when missing or older than its source
  local out=$1 src=$2
  shift 2
  [[ -f $out && ! $src -nt $out ]] || "$CC" -O2 -Wall "$@" -o "$out" "$src"
}
fixture "$OUT/symbols_fixture.exe" "$FIXTURES/symbols_fixture.c" -gdwarf-4 -gno-statement-frontiers -gno-variable-location-views
fixture "$OUT/symbols_fixture_dll.dll" "$FIXTURES/symbols_fixture_dll.c" -shared -s -fno-toplevel-reorder
echo "build-win: $OUT/snapscope.node, $OUT/snapscope_win_tests.exe, $OUT/symbols_fixture.exe"
