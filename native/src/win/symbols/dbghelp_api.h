// dbghelp, as every part of the symbolizer uses it. dbghelp is single-threaded (Microsoft: "all
// DbgHelp functions are single threaded"), and its options are process-wide: every call goes
// through one lock, and the options are set once, before the first session starts.
#pragma once

#include <mutex>

#include "../win32.h"
// dbghelp.h needs windows.h first.
#include <dbghelp.h>

namespace snapscope::win::symbols {

// Held around every dbghelp call (and around the caches, which are only used next to them).
std::mutex& dbghelpMutex();

// SYMOPT_*: undecorated names, symbols loaded on first use, line numbers; never a prompt, a symbol
// server, a dialog or _NT_SYMBOL_PATH (a symbolizer must not reach the network). Call with the lock held.
void configureDbghelp();

// The inline-frame functions (dbghelp 6.2+, Windows 8; Wine >= 7). mingw-w64's dbghelp.h does not
// declare them, and an older dbghelp.dll lacks them: looked up by name, null when missing.
struct InlineApi {
  DWORD(WINAPI* addrIncludeInlineTrace)(HANDLE process, DWORD64 address) = nullptr;
  BOOL(WINAPI* queryInlineTrace)(HANDLE process, DWORD64 startAddress, DWORD startContext, DWORD64 startRetAddress,
                                 DWORD64 curAddress, LPDWORD curContext, LPDWORD curFrameIndex) = nullptr;
  BOOL(WINAPI* fromInlineContext)(HANDLE process, DWORD64 address, ULONG inlineContext, PDWORD64 displacement,
                                  PSYMBOL_INFOW symbol) = nullptr;
  BOOL(WINAPI* lineFromInlineContext)(HANDLE process, DWORD64 address, ULONG inlineContext, DWORD64 moduleBase,
                                      PDWORD displacement, PIMAGEHLP_LINEW64 line) = nullptr;
  bool available() const {
    return addrIncludeInlineTrace && queryInlineTrace && fromInlineContext && lineFromInlineContext;
  }
};
const InlineApi& inlineApi();

// SymTagEnum of the DIA SDK's cvconst.h (not part of the Windows SDK or mingw-w64): SYMBOL_INFOW::Tag.
constexpr ULONG kSymTagFunction = 5;
constexpr ULONG kSymTagPublicSymbol = 10;

}  // namespace snapscope::win::symbols
