// Small pieces the working-set watch mechanisms share: a failure carrying errno, a wake-up eventfd
// for stop(), a pidfd that turns readable when the target exits, the monotonic clock, the online
// CPU list and an RAII memory mapping.
#pragma once

#include <sys/types.h>

#include <cstddef>
#include <cstdint>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include "../fd.h"

namespace snapscope::procfs::watch {

// A failed system call while setting a mechanism up: the start logic decides from `err` whether to
// fall back to another mechanism (EACCES, EPERM) or give up (ESRCH).
class SysError : public std::runtime_error {
 public:
  SysError(int err, const std::string& what) : std::runtime_error(what), err(err) {}
  int err;
};

// "what: strerror (ENAME)" and throws it as a SysError.
[[noreturn]] void throwSys(int err, const std::string& what);

// CLOCK_MONOTONIC in nanoseconds: the clock perf samples are stamped with (use_clockid).
uint64_t monotonicNs();

// An eventfd that stop() writes and poll() waits on, so a blocked poll() wakes at once.
class WakeEvent {
 public:
  WakeEvent();  // throws SysError
  void signal() noexcept;
  int fd() const noexcept { return fd_.get(); }

 private:
  Fd fd_;
};

// pidfd_open(pid): readable once every thread of the process has exited. An empty Fd when the
// kernel has no pidfds (before 5.3); the mechanisms then notice the exit by other means.
Fd openPidfd(int pid);

// CPUs listed in /sys/devices/system/cpu/online ("0-3,6"); 0..nprocs-1 when it can't be read.
std::vector<int> onlineCpus();

// What /proc/PID/status says about a pid before any mechanism is tried.
// Throws OsError: ESRCH (no such process, or it has already exited), EINVAL (a thread id that is
// not a process id).
void checkTarget(int pid);

// True once /proc says the process is gone (or only its zombie leader is left). The pidfd and the
// events' hang-ups can fire a moment early, while an exec replaces every thread: then it waits 1 ms and
// says false, so the caller polls again without spinning.
bool confirmExited(int pid);

// What /proc/PID/stat says of the task that holds the pid: it runs, it is exiting (PF_EXITING: in
// do_exit, not a zombie yet), or it is a zombie or gone.
enum class TaskState { Runs, Exiting, Ended };
TaskState taskState(int pid);

// The page faults of the whole process so far (minflt + majflt of /proc/PID/stat), 0 when unreadable.
uint64_t processFaults(int pid);

// The tids in /proc/PID/task, the leader first. Empty when the process is gone.
std::vector<int> listThreads(int pid);

// /proc/sys/kernel/perf_event_paranoid, or INT32_MIN when it can't be read.
int perfParanoid();

// An mmap'ed range, unmapped on destruction.
class Mapping {
 public:
  Mapping() = default;
  Mapping(void* address, size_t length) noexcept : address_(address), length_(length) {}
  Mapping(Mapping&& other) noexcept
      : address_(std::exchange(other.address_, nullptr)), length_(std::exchange(other.length_, 0)) {}
  Mapping& operator=(Mapping&& other) noexcept;
  Mapping(const Mapping&) = delete;
  Mapping& operator=(const Mapping&) = delete;
  ~Mapping() { reset(); }

  void* get() const noexcept { return address_; }
  size_t size() const noexcept { return length_; }
  void reset() noexcept;

 private:
  void* address_ = nullptr;
  size_t length_ = 0;
};

}  // namespace snapscope::procfs::watch
