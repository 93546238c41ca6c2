// The dbghelp sessions of the processes symbolized last, so that repeated calls for a process do
// not initialise dbghelp and reload its modules again. Keyed by pid and creation time: a pid reused
// by a new process gets a new session. Bounded (least recently used goes). Use with dbghelpMutex() held.
#pragma once

#include <cstdint>
#include <list>
#include <memory>

#include "session.h"

namespace snapscope::win::symbols {

class SessionCache {
 public:
  // The session of `pid`, opening the process (throws OsError: ERROR_INVALID_PARAMETER when there is
  // no such process, ERROR_ACCESS_DENIED …). `fresh` is set when it was just created.
  Session& get(int pid, bool& fresh);

 private:
  struct Entry {
    int pid;
    uint64_t created;  // FILETIME of the process's creation
    std::unique_ptr<Session> session;
  };
  std::list<Entry> entries_;  // most recently used first
};

}  // namespace snapscope::win::symbols
