// /proc/PID/maps as a list of mappings, and small helpers to read a target's memory.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace snapscope::procfs {

struct Mapping {
  uint64_t start = 0, end = 0, offset = 0, inode = 0;
  unsigned devMajor = 0, devMinor = 0;
  std::string perms;   // "r-xp"
  std::string path;    // as printed, " (deleted)" stripped (see `deleted`)
  bool deleted = false;
};

// One line of /proc/PID/maps (or a mapping's first line in /proc/PID/smaps); false when it is none.
bool parseMapsLine(std::string_view line, Mapping& m);

// All of /proc/PID/<file> (the memory task's, see memoryFile). Throws OsError: ESRCH when the process
// does not exist or exits during the read, EACCES …, EFBIG past `maxBytes`.
std::string readMemoryFile(int pid, const char* file, const char* scope, size_t maxBytes);

// Reads and parses /proc/PID/maps: empty for a kernel thread. Throws OsError (ESRCH when the process
// is gone or a zombie, see hasUserMemory; EACCES …).
std::vector<Mapping> readMaps(int pid, const char* scope);

// The task whose /proc files and process_vm_readv reach the process's memory: `pid` itself, unless its
// main thread has exited while other threads run on (pthread_exit in main). The kernel then keeps the
// leader as a zombie without memory: /proc/PID/maps and /proc/PID/pagemap read empty and
// process_vm_readv(PID) fails with ESRCH, as if the whole process had exited; a live thread's
// /proc/PID/task/TID/... and process_vm_readv(TID) still reach the memory all threads share.
int memoryTask(int pid);

// Whether `pid` has user memory to read: false for a kernel thread, which never has any. Throws
// OsError ESRCH for a process that does not exist, for a zombie (it has exited, its parent has not
// reaped it yet, and no memory remains) and for one that is exiting, saying which.
bool hasUserMemory(int pid, const char* scope);

// "/proc/PID/<file>", or "/proc/PID/task/TID/<file>" when memoryTask(pid) is another thread.
std::string memoryFile(int pid, const char* file);

// process_vm_readv of exactly `size` bytes; false (errno set) when it could not read them all.
bool readRemote(pid_t pid, uint64_t address, void* out, size_t size);

}  // namespace snapscope::procfs
