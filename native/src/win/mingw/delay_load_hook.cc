// Lets the mingw-built addon load in any host executable, not only one named node.exe (Electron's
// is electron.exe or the app's name). The import library names node.exe as the DLL of napi_*;
// linked as a delay-load library, the first napi_* call asks this hook, which answers with the
// executable that loaded the addon. cmake-js builds (MSVC) add node-gyp's own equivalent,
// win_delay_load_hook.cc, so this file is only in scripts/build-win.sh's link.
#include <windows.h>
// delayimp.h needs windows.h first.
#include <delayimp.h>

#include <cstring>

namespace {

FARPROC WINAPI loadHostExecutable(unsigned event, PDelayLoadInfo info) {
  if (event != dliNotePreLoadLibrary || _stricmp(info->szDll, "node.exe") != 0) return nullptr;
  return reinterpret_cast<FARPROC>(::GetModuleHandleW(nullptr));
}

}  // namespace

// mingw-w64's delay-load helper reads both hooks; defining both keeps its default definitions out.
extern "C" {
PfnDliHook __pfnDliNotifyHook2 = loadHostExecutable;
PfnDliHook __pfnDliFailureHook2 = nullptr;
}
