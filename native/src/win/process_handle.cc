#include "process_handle.h"

#include "../backend.h"
#include "win_errors.h"

namespace snapscope::win {
namespace {

OsError noSuchProcess(int pid, const std::string& scope, const char* why) {
  const std::string id = std::to_string(pid);
  return OsError(winErrorName(ERROR_INVALID_PARAMETER), pid, scope,
                 "process " + id + " " + why + " (ERROR_INVALID_PARAMETER): OpenProcess(" + id + ") failed");
}

// A process that has exited but whose object is still referenced (by some handle) can be opened;
// Tool Help no longer lists it, so for the inspector it does not exist.
bool hasExited(HANDLE process) {
  DWORD code = 0;
  // STILL_ACTIVE is also a possible exit code; a process that chose it is listed as running,
  // which is what Tool Help and Task Manager say about it as well.
  return ::GetExitCodeProcess(process, &code) && code != STILL_ACTIVE;
}

}  // namespace

UniqueHandle openProcess(int pid, DWORD access, const std::string& scope) {
  UniqueHandle process(::OpenProcess(access, FALSE, static_cast<DWORD>(pid)));
  if (!process) {
    const DWORD error = ::GetLastError();
    if (error == ERROR_INVALID_PARAMETER) throw noSuchProcess(pid, scope, "does not exist");
    throw winError(error, pid, scope, "cannot open process " + std::to_string(pid));
  }
  if (hasExited(process.get())) throw noSuchProcess(pid, scope, "has exited");
  return process;
}

void requireProcess(int pid, const std::string& scope) {
  if (pid == 0) return;  // the System Idle Process: listed by Tool Help, never openable
  try {
    openProcess(pid, PROCESS_QUERY_LIMITED_INFORMATION, scope);
  } catch (const OsError& e) {
    if (e.code != winErrorName(ERROR_ACCESS_DENIED)) throw;
  }
}

}  // namespace snapscope::win
