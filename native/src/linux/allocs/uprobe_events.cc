#include "uprobe_events.h"

#include <fcntl.h>
#include <linux/perf_event.h>
#include <sys/ioctl.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <string>

#include "user_regs.h"

namespace snapscope::procfs::allocs {
namespace {

bool needsStack(AllocFn fn, bool isReturn) {
  // Entries carry the stack to unwind; posix_memalign's return carries it too, to read the pointer
  // it stored through its first argument.
  return isReturn ? fn == AllocFn::PosixMemalign : fn != AllocFn::Free;
}

}  // namespace

UprobeEvents::UprobeEvents(int pid, const AllocatorImage& image, uint64_t ringBytes, uint32_t stackBytes)
    : pid_(pid), image_(image), probes_(pid, image), stackBytes_(stackBytes), ringBytes_(ringBytes), cpus_(watch::onlineCpus()) {
  // One ring per CPU, owned by a dummy event of our own thread that is never enabled (see the
  // watch's createRings: no target event waits, disabled, while a ring is allocated).
  for (int cpu : cpus_) {
    perf_event_attr attr;
    std::memset(&attr, 0, sizeof attr);
    attr.size = sizeof attr;
    attr.type = PERF_TYPE_SOFTWARE;
    attr.config = PERF_COUNT_SW_DUMMY;
    attr.disabled = 1;
    attr.use_clockid = 1;
    attr.clockid = CLOCK_MONOTONIC;
    attr.watermark = 1;
    attr.wakeup_watermark = static_cast<uint32_t>(std::max<uint64_t>(ringBytes_ / 4, 64));
    long fd = ::syscall(SYS_perf_event_open, &attr, 0, cpu, -1, PERF_FLAG_FD_CLOEXEC);
    if (fd < 0) {
      if (errno == ENODEV) continue;
      watch::throwSys(errno, "perf_event_open(ring of cpu " + std::to_string(cpu) + ")");
    }
    rings_.emplace_back(Fd(static_cast<int>(fd)), ringBytes_);
  }
  if (rings_.empty()) watch::throwSys(ENODEV, "perf_event_open: no online CPU");
}

long UprobeEvents::open(size_t index, bool isReturn, bool task, int tid, int cpu) {
  const ProbeSite& site = image_.sites[index];
  for (;;) {
    perf_event_attr attr;
    std::memset(&attr, 0, sizeof attr);
    attr.size = sizeof attr;
    attr.type = PERF_TYPE_TRACEPOINT;
    attr.config = probes_.id(index, isReturn);
    attr.sample_period = 1;
    attr.sample_type = PERF_SAMPLE_IDENTIFIER | PERF_SAMPLE_TID | PERF_SAMPLE_TIME | PERF_SAMPLE_REGS_USER;
    if (isReturn) {
      attr.sample_regs_user = kReturnRegsMask;
    } else if (site.fn == AllocFn::Free) {
      attr.sample_regs_user = (1ull << 5) | (1ull << 7);  // DI (the pointer), SP
    } else {
      attr.sample_regs_user = kEntryRegsMask;
    }
    if (needsStack(site.fn, isReturn)) {
      attr.sample_type |= PERF_SAMPLE_STACK_USER;
      attr.sample_stack_user = stackBytes_;
    }
    attr.disabled = 1;
    attr.inherit = 1;
    attr.inherit_thread = inheritThread_ ? 1 : 0;
    attr.task = task ? 1 : 0;
    attr.use_clockid = 1;
    attr.clockid = CLOCK_MONOTONIC;
    long fd = ::syscall(SYS_perf_event_open, &attr, tid, cpu, -1, PERF_FLAG_FD_CLOEXEC);
    if (fd >= 0) return fd;
    if (errno == EINVAL && inheritThread_) {
      inheritThread_ = false;  // before Linux 5.13: child processes inherit too (their samples are dropped)
      continue;
    }
    return -errno;
  }
}

bool UprobeEvents::openThread(int tid) {
  for (size_t r = 0; r < rings_.size(); ++r) {
    bool first = true;
    for (const bool isReturn : {true, false}) {
      for (size_t index = 0; index < image_.sites.size(); ++index) {
        const ProbeSite& site = image_.sites[index];
        if (isReturn && site.fn == AllocFn::Free) continue;
        long result = open(index, isReturn, first, tid, cpus_[r]);
        if (result < 0) {
          const int err = static_cast<int>(-result);
          if (err == ESRCH) return false;
          if (err == ENODEV) break;
          watch::throwSys(err, std::string("perf_event_open(uprobe on ") + kAllocFunctions[static_cast<int>(site.fn)] +
                                   (isReturn ? " return" : "") + " in " + image_.path + ", tid " +
                                   std::to_string(tid) + ")");
        }
        first = false;
        Fd fd(static_cast<int>(result));
        if (::ioctl(fd.get(), PERF_EVENT_IOC_SET_OUTPUT, rings_[r].fd()) != 0) {
          watch::throwSys(errno, "PERF_EVENT_IOC_SET_OUTPUT");
        }
        uint64_t id = 0;
        if (::ioctl(fd.get(), PERF_EVENT_IOC_ID, &id) != 0) watch::throwSys(errno, "PERF_EVENT_IOC_ID");
        kinds_[id] = ProbeKind{site.fn, isReturn};
        if (::ioctl(fd.get(), PERF_EVENT_IOC_ENABLE, 0) != 0) watch::throwSys(errno, "PERF_EVENT_IOC_ENABLE");
        events_.push_back(std::move(fd));
      }
    }
  }
  return true;
}

void UprobeEvents::disable() {
  for (const Fd& fd : events_) ::ioctl(fd.get(), PERF_EVENT_IOC_DISABLE, 0);
}

std::optional<uint64_t> UprobeEvents::counted() const {
  uint64_t total = 0;
  for (const Fd& fd : events_) {
    uint64_t count = 0;
    ssize_t n;
    do {
      n = ::read(fd.get(), &count, sizeof count);
    } while (n < 0 && errno == EINTR);
    if (n != static_cast<ssize_t>(sizeof count)) return std::nullopt;
    total += count;
  }
  return total;
}

}  // namespace snapscope::procfs::allocs
