#include "watch_util.h"

#include <sys/eventfd.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <climits>
#include <cstdlib>
#include <cstring>

#include "../../backend.h"
#include "../errno_name.h"
#include "../maps.h"

#ifndef SYS_pidfd_open
#define SYS_pidfd_open 434  // the same number on every architecture
#endif

namespace snapscope::procfs::watch {
namespace {

// Reads a small procfs/sysfs file whole. Returns false (errno set) when it can't be opened or read.
bool readSmallFile(const char* path, std::string& out) {
  Fd fd = openAt(AT_FDCWD, path, O_RDONLY);
  if (!fd) return false;
  out.clear();
  char buf[4096];
  for (;;) {
    ssize_t n = ::read(fd.get(), buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return false;
    if (n == 0) return true;
    out.append(buf, static_cast<size_t>(n));
  }
}

}  // namespace

void throwSys(int err, const std::string& what) {
  throw SysError(err, what + ": " + std::strerror(err) + " (" + errnoName(err) + ")");
}

uint64_t monotonicNs() {
  timespec ts;
  ::clock_gettime(CLOCK_MONOTONIC, &ts);
  return static_cast<uint64_t>(ts.tv_sec) * 1000000000u + static_cast<uint64_t>(ts.tv_nsec);
}

WakeEvent::WakeEvent() : fd_(::eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK)) {
  if (!fd_) throwSys(errno, "eventfd");
}

void WakeEvent::signal() noexcept {
  const uint64_t one = 1;
  // EAGAIN only when the counter is about to overflow: it is readable then anyway.
  while (::write(fd_.get(), &one, sizeof one) < 0 && errno == EINTR) {
  }
}

Fd openPidfd(int pid) {
  long fd = ::syscall(SYS_pidfd_open, pid, 0);
  if (fd < 0) return Fd();
  // pidfd_open always sets O_CLOEXEC on the new fd.
  return Fd(static_cast<int>(fd));
}

std::vector<int> onlineCpus() {
  std::vector<int> cpus;
  std::string text;
  if (readSmallFile("/sys/devices/system/cpu/online", text)) {
    const char* p = text.c_str();
    while (*p) {
      char* end;
      long first = std::strtol(p, &end, 10);
      if (end == p) break;
      long last = first;
      p = end;
      if (*p == '-') {
        last = std::strtol(p + 1, &end, 10);
        p = end;
      }
      for (long cpu = first; cpu <= last && cpu < 65536; ++cpu) cpus.push_back(static_cast<int>(cpu));
      if (*p == ',') ++p;
      else break;
    }
  }
  if (cpus.empty()) {
    long n = ::sysconf(_SC_NPROCESSORS_ONLN);
    for (long cpu = 0; cpu < (n > 0 ? n : 1); ++cpu) cpus.push_back(static_cast<int>(cpu));
  }
  return cpus;
}

void checkTarget(int pid) {
  const std::string path = "/proc/" + std::to_string(pid) + "/status";
  std::string text;
  if (!readSmallFile(path.c_str(), text)) {
    int err = errno;
    if (err == ENOENT || err == ESRCH) {
      throw OsError("ESRCH", pid, "watch", "cannot watch pid " + std::to_string(pid) + ": no such process");
    }
    throw OsError(errnoName(err), pid, "watch", describeErrno(path, err));
  }
  auto field = [&](const char* name) -> std::string {
    const std::string key = std::string("\n") + name + ":";
    size_t at = text.find(key);
    if (at == std::string::npos) return "";
    at += key.size();
    while (at < text.size() && (text[at] == ' ' || text[at] == '\t')) ++at;
    size_t end = text.find('\n', at);
    return text.substr(at, end == std::string::npos ? std::string::npos : end - at);
  };
  const std::string state = field("State");
  // A zombie main thread alone does not make an exited process: its other threads may run on.
  if (!state.empty() && (state[0] == 'Z' || state[0] == 'X') && memoryTask(pid) == pid) {
    throw OsError("ESRCH", pid, "watch", "cannot watch pid " + std::to_string(pid) + ": it has exited");
  }
  const std::string tgid = field("Tgid");
  if (!tgid.empty() && std::atoi(tgid.c_str()) != pid) {
    throw OsError("EINVAL", pid, "watch",
                  "cannot watch " + std::to_string(pid) + ": it is a thread of process " + tgid +
                      "; watch the process (its threads are all followed)");
  }
}

bool confirmExited(int pid) {
  try {
    checkTarget(pid);
  } catch (const OsError& e) {
    if (e.code == "ESRCH") return true;
  }
  ::usleep(1000);
  return false;
}

namespace {

// The fields of /proc/PID/stat after the command name, from the state on; false when unreadable.
bool statFields(int pid, std::string& fields) {
  std::string text;
  const std::string path = "/proc/" + std::to_string(pid) + "/stat";
  if (!readSmallFile(path.c_str(), text)) return false;
  const size_t paren = text.rfind(')');
  if (paren == std::string::npos || paren + 2 >= text.size()) return false;
  fields = text.substr(paren + 2);
  return true;
}

// Field `n` of proc(5)'s numbering (3 = the state) of statFields' string.
const char* statField(const std::string& fields, int n) {
  const char* p = fields.c_str();
  for (int field = 3; field < n && *p; ++field) {
    while (*p && *p != ' ') ++p;
    while (*p == ' ') ++p;
  }
  return p;
}

}  // namespace

TaskState taskState(int pid) {
  constexpr unsigned long kPfExiting = 0x4;  // include/linux/sched.h
  std::string fields;
  if (!statFields(pid, fields)) return TaskState::Ended;
  const char state = fields[0];
  if (state == 'Z' || state == 'X') return TaskState::Ended;
  return std::strtoul(statField(fields, 9), nullptr, 10) & kPfExiting ? TaskState::Exiting : TaskState::Runs;
}

uint64_t processFaults(int pid) {
  std::string fields;
  if (!statFields(pid, fields)) return 0;
  return std::strtoull(statField(fields, 10), nullptr, 10) + std::strtoull(statField(fields, 12), nullptr, 10);
}

int perfParanoid() {
  std::string text;
  if (!readSmallFile("/proc/sys/kernel/perf_event_paranoid", text) || text.empty()) return INT_MIN;
  return std::atoi(text.c_str());
}

Mapping& Mapping::operator=(Mapping&& other) noexcept {
  if (this != &other) {
    reset();
    address_ = std::exchange(other.address_, nullptr);
    length_ = std::exchange(other.length_, 0);
  }
  return *this;
}

void Mapping::reset() noexcept {
  if (address_) {
    ::munmap(address_, length_);
    address_ = nullptr;
    length_ = 0;
  }
}

// The tids in /proc/PID/task, the leader first. Empty when the process is gone.
std::vector<int> listThreads(int pid) {
  std::vector<int> tids;
  const std::string path = "/proc/" + std::to_string(pid) + "/task";
  Fd dir = openAt(AT_FDCWD, path.c_str(), O_RDONLY | O_DIRECTORY);
  if (!dir) return tids;
  std::vector<char> buffer(32 * 1024);
  DirReader reader(dir.get(), buffer);
  while (const char* name = reader.next()) {
    if (name[0] < '0' || name[0] > '9') continue;
    tids.push_back(std::atoi(name));
  }
  std::sort(tids.begin(), tids.end(), [pid](int a, int b) { return (a == pid) != (b == pid) ? a == pid : a < b; });
  return tids;
}

}  // namespace snapscope::procfs::watch
