// The details pane's memory figures of one process: the lines of /proc/PID/status that say them.
#include <fcntl.h>

#include <cerrno>
#include <string>
#include <string_view>

#include "errno_name.h"
#include "maps.h"
#include "parts.h"
#include "proc_reader.h"

namespace snapscope::procfs {

ProcessMemory readProcessMemory(int pid) {
  ProcessMemory memory;
  memory.pid = pid;
  // ESRCH for a process that does not exist or is a zombie; a kernel thread has no figures at all.
  if (!hasUserMemory(pid, "process")) return memory;
  // A zombie leader's own status has no memory lines; a live thread's has the memory they all share.
  const std::string path = memoryFile(pid, "status");
  const std::string who = "process " + std::to_string(pid);
  ProcReader reader;
  std::string_view text;
  const int err = reader.read(AT_FDCWD, path.c_str(), text);
  if (err == ENOENT || err == ESRCH) throw OsError("ESRCH", pid, "process", who + " has exited");
  if (err != 0) {
    const bool denied = err == EACCES || err == EPERM;
    throw OsError(errnoName(err), pid, "process",
                  describeErrno("cannot read " + path, err) + (denied ? "; " + accessAdvice(pid) : ""));
  }
  parseStatusMemory(text, memory);
  // The lines go with the memory: it exited between the check and the read.
  if (!memory.virtualBytes) throw OsError("ESRCH", pid, "process", who + " has exited");
  return memory;
}

}  // namespace snapscope::procfs
