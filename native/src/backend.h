// The one interface between the Node-API layer (addon.cc) and an OS backend (src/linux, src/win).
// Plain C++ only: a backend never sees N-API, so it can be tested and reused without Node.
#pragma once

#include <cstdint>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

namespace snapscope {

struct ProcessInfo {
  int pid = 0;
  int parentPid = 0;
  std::string exeFile;               // basename of the executable (the comm when it can't be read)
  std::string exePath;               // full path, "" when unreadable (kernel threads)
  std::string name;                  // the kernel's short name (comm)
  std::vector<std::string> cmdline;
  std::string user;                  // user name, or the uid as a string when it has no name
  uint32_t uid = 0;
  double startTimeMs = 0;            // ms since the Unix epoch
  int threadCount = 0;
  int basePriority = 0;
  uint64_t workingSetBytes = 0;
  uint64_t pageFaultCount = 0;
  std::string state;                 // one letter, e.g. "S"
};

struct ThreadInfo {
  int tid = 0;
  int ownerPid = 0;
  int basePriority = 0;              // the owning process's priority
  int deltaPriority = 0;             // thread priority - basePriority
};

// Something that could not be read for one process; the snapshot goes on without it.
struct SnapshotErrorInfo {
  int pid = 0;
  std::string scope;                 // what was being read: "process", "threads", "exePath", "cmdline"
  std::string code;                  // the OS code's name: "ESRCH", "EACCES", ...
  std::string message;
};

struct SnapshotRequest {
  bool processes = false;
  bool threads = false;
  int pid = -1;                      // -1 = none; otherwise it must exist
};

struct SystemSnapshot {
  std::vector<ProcessInfo> processes;
  std::vector<ThreadInfo> threads;
  std::vector<SnapshotErrorInfo> errors;
};

struct HostInfo {
  std::string os;                    // "linux", "win32" (as node's process.platform)
  std::string hostname;
  std::string arch;                  // "x64", "arm64", ... (as node's process.arch)
  std::string backend;               // e.g. "linux-procfs"
};

// A failure of the whole call (not of one process), e.g. the requested pid does not exist.
class OsError : public std::runtime_error {
 public:
  OsError(std::string code, int pid, std::string scope, const std::string& message)
      : std::runtime_error(message), code(std::move(code)), pid(pid), scope(std::move(scope)) {}

  std::string code;
  int pid;                           // -1 when no single process is concerned
  std::string scope;
};

// Implementations must be reentrant: snapshot() runs concurrently on several worker threads.
class Backend {
 public:
  virtual ~Backend() = default;
  virtual SystemSnapshot snapshot(const SnapshotRequest& request) = 0;
  virtual HostInfo host() = 0;
};

std::unique_ptr<Backend> makeBackend();

}  // namespace snapscope
