// Reading and parsing procfs files without iostreams or per-file allocations: one ProcReader per
// snapshot owns a buffer that every read reuses (it only grows, e.g. for a long cmdline).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "../backend.h"

namespace snapscope::procfs {

// The fields of /proc/PID/stat a snapshot uses (field numbers as in proc(5)).
struct StatFields {
  std::string_view comm;   // (2) points into the reader's buffer: copy it before the next read
  char state = '?';        // (3)
  int ppid = 0;            // (4)
  unsigned flags = 0;      // (9) PF_* flags
  uint64_t minflt = 0;     // (10)
  uint64_t majflt = 0;     // (12)
  int priority = 0;        // (18)
  int numThreads = 0;      // (20)
  uint64_t startTicks = 0; // (22) clock ticks after boot
  // Not (24) rss: on kernels with per-CPU RSS counters it is the unsummed estimate, often low by
  // tens of pages. The working set comes from statm (parseStatmResident).
};

class ProcReader {
 public:
  ProcReader();

  // Reads all of dirfd/name. Returns 0 and sets `text`, or an errno value. `text` stays valid
  // until the next call.
  int read(int dirfd, const char* name, std::string_view& text);

  // readlinkat into the buffer. Returns 0 and sets `target`, or an errno value.
  int readLink(int dirfd, const char* name, std::string_view& target);

 private:
  std::vector<char> buf_;
};

// PF_KTHREAD in StatFields::flags: a kernel thread, which has no executable and no cmdline.
constexpr unsigned kKernelThreadFlag = 0x00200000;

// Parses /proc/PID/stat text. comm may hold spaces and ')', so it ends at the LAST ')'.
bool parseStat(std::string_view text, StatFields& out);

// Reads and parses one stat file ("/proc/PID/stat", "/proc/PID/task/TID/stat") on its own, outside a
// snapshot; `comm` is left empty (it would point into a local buffer). Returns 0, or an errno value
// (EINVAL when the text does not parse).
int readStatFile(const std::string& path, StatFields& out);

// The resident field (2) of /proc/PID/statm, in pages: the RSS counters summed over CPUs, as
// /proc/PID/status VmRSS and psutil's rss have it. 0 when absent.
uint64_t parseStatmResident(std::string_view text);

// The memory lines of /proc/PID/status the details pane shows ("VmRSS:\t  1234 kB": VmRSS, RssAnon,
// VmHWM, VmSize), in bytes. A line that is absent leaves its field empty: a kernel thread has none.
void parseStatusMemory(std::string_view text, ProcessMemory& out);

// The kernel keeps the first TASK_COMM_LEN - 1 bytes of a user process's name (comm), cutting it
// wherever that falls, even inside a UTF-8 character. (Kernel threads show their full names.)
constexpr std::size_t kCommBytes = 15;

// The length of `text` without a UTF-8 character cut off at its end (a lead byte short of its
// continuation bytes); text.size() when it ends complete or in bytes that are not UTF-8 at all.
std::size_t withoutCutUtf8(std::string_view text);

// Appends the NUL-separated arguments of /proc/PID/cmdline to `args`.
void splitCmdline(std::string_view text, std::vector<std::string>& args);

// The "btime" line of /proc/stat: boot time in seconds since the epoch; 0 when absent.
uint64_t parseBootTime(std::string_view procStat);

}  // namespace snapscope::procfs
