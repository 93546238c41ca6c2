#include "dbghelp_api.h"

namespace snapscope::win::symbols {

std::mutex& dbghelpMutex() {
  static std::mutex mutex;
  return mutex;
}

void configureDbghelp() {
  static bool done = false;
  if (done) return;
  ::SymSetOptions(SYMOPT_UNDNAME | SYMOPT_DEFERRED_LOADS | SYMOPT_LOAD_LINES | SYMOPT_FAIL_CRITICAL_ERRORS |
                  SYMOPT_NO_PROMPTS | SYMOPT_IGNORE_NT_SYMPATH | SYMOPT_DISABLE_SYMSRV_AUTODETECT);
  done = true;
}

namespace {

template <typename Fn>
void resolve(HMODULE dbghelp, const char* name, Fn& fn) {
  fn = reinterpret_cast<Fn>(reinterpret_cast<void*>(::GetProcAddress(dbghelp, name)));
}

}  // namespace

const InlineApi& inlineApi() {
  static const InlineApi api = [] {
    InlineApi a;
    // Linked against dbghelp, so it is loaded already.
    if (HMODULE dbghelp = ::GetModuleHandleW(L"dbghelp.dll")) {
      resolve(dbghelp, "SymAddrIncludeInlineTrace", a.addrIncludeInlineTrace);
      resolve(dbghelp, "SymQueryInlineTrace", a.queryInlineTrace);
      resolve(dbghelp, "SymFromInlineContextW", a.fromInlineContext);
      resolve(dbghelp, "SymGetLineFromInlineContextW", a.lineFromInlineContext);
    }
    return a;
  }();
  return api;
}

}  // namespace snapscope::win::symbols
