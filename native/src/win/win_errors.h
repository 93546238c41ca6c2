// Win32 error codes as the data contract reports them: by name ("ERROR_ACCESS_DENIED"), with the
// system's own text in messages.
#pragma once

#include <string>

#include "../backend.h"
#include "win32.h"

namespace snapscope::win {

// The symbolic name of a Win32 error code; "ERROR_<number>" for codes it does not know.
std::string winErrorName(DWORD code);

// "cannot open process 42: Access is denied. (ERROR_ACCESS_DENIED)"
std::string describeWinError(const std::string& what, DWORD code);

// An OsError for a failed call whose code is `code` (usually GetLastError()).
OsError winError(DWORD code, int pid, const std::string& scope, const std::string& what);

}  // namespace snapscope::win
