// Opening a process by pid, with the contract's error for a pid that does not exist: what
// OpenProcess and CreateToolhelp32Snapshot give for it, ERROR_INVALID_PARAMETER.
#pragma once

#include <string>

#include "unique_handle.h"

namespace snapscope::win {

// Opens `pid` with `access` (which must include PROCESS_QUERY_LIMITED_INFORMATION or more).
// Throws OsError with `scope`: ERROR_INVALID_PARAMETER when there is no such process (or it has
// exited), else the code OpenProcess failed with (ERROR_ACCESS_DENIED …).
UniqueHandle openProcess(int pid, DWORD access, const std::string& scope);

// Throws OsError ERROR_INVALID_PARAMETER when `pid` does not exist. A process that exists but
// can't be opened (ERROR_ACCESS_DENIED) passes: the lists it was asked for report that themselves.
void requireProcess(int pid, const std::string& scope);

}  // namespace snapscope::win
