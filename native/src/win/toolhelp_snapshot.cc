#include "toolhelp_snapshot.h"

namespace snapscope::win {

// Enough for a process that is loading DLLs in a burst; after that the error is reported.
constexpr int kBadLengthRetries = 32;

DWORD ToolhelpSnapshot::open(DWORD flags, DWORD pid) {
  for (int attempt = 0;; ++attempt) {
    HANDLE snapshot = ::CreateToolhelp32Snapshot(flags, pid);
    const DWORD error = ::GetLastError();  // read before anything else can change it
    handle_.reset(snapshot);
    if (handle_) return 0;
    if (error != ERROR_BAD_LENGTH || attempt == kBadLengthRetries) return error;
    ::Sleep(0);  // let the target's loader finish what it was changing
  }
}

}  // namespace snapscope::win
