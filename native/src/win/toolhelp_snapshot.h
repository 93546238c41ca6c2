// One Tool Help snapshot (CreateToolhelp32Snapshot), owned: the handle is closed on every path.
// The walks return the Win32 code that ended them: 0 when the list was read to its end.
#pragma once

#include "unique_handle.h"
#include "win32.h"

namespace snapscope::win {

class ToolhelpSnapshot {
 public:
  // Takes a snapshot of `flags` (TH32CS_*) for `pid` (0 = this process, for the per-process lists).
  // ERROR_BAD_LENGTH (the target's module list changed while it was read) is retried, as the
  // documentation asks. Returns 0, or the Win32 code of the failure (the snapshot is then empty).
  DWORD open(DWORD flags, DWORD pid);

  template <typename Visit>  // Visit(const PROCESSENTRY32W&)
  DWORD forEachProcess(Visit visit) const {
    PROCESSENTRY32W entry{};
    entry.dwSize = sizeof entry;
    return walk(::Process32FirstW, ::Process32NextW, entry, visit);
  }

  template <typename Visit>  // Visit(const THREADENTRY32&)
  DWORD forEachThread(Visit visit) const {
    THREADENTRY32 entry{};
    entry.dwSize = sizeof entry;
    return walk(::Thread32First, ::Thread32Next, entry, visit);
  }

  template <typename Visit>  // Visit(const MODULEENTRY32W&)
  DWORD forEachModule(Visit visit) const {
    MODULEENTRY32W entry{};
    entry.dwSize = sizeof entry;
    return walk(::Module32FirstW, ::Module32NextW, entry, visit);
  }

  // Heap32ListNext is an unimplemented stub in Wine that kills the process: callers check
  // nt::runningUnderWine() before asking for TH32CS_SNAPHEAPLIST at all.
  template <typename Visit>  // Visit(const HEAPLIST32&)
  DWORD forEachHeapList(Visit visit) const {
    HEAPLIST32 entry{};
    entry.dwSize = sizeof entry;
    return walk(::Heap32ListFirst, ::Heap32ListNext, entry, visit);
  }

 private:
  template <typename Entry, typename First, typename Next, typename Visit>
  DWORD walk(First first, Next next, Entry& entry, Visit& visit) const {
    if (!handle_) return ERROR_INVALID_HANDLE;
    for (BOOL more = first(handle_.get(), &entry); more; more = next(handle_.get(), &entry)) {
      visit(static_cast<const Entry&>(entry));
      entry.dwSize = sizeof entry;  // the API may shrink it to what it filled in
    }
    const DWORD end = ::GetLastError();
    return end == ERROR_NO_MORE_FILES ? 0 : end;
  }

  UniqueHandle handle_;
};

}  // namespace snapscope::win
