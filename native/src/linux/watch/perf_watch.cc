#include "perf_watch.h"

#include <fcntl.h>
#include <linux/perf_event.h>
#include <sys/ioctl.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <optional>
#include <string>
#include <unordered_map>
#include <utility>

#include "../errno_name.h"
#include "../fd.h"

namespace snapscope::procfs::watch {
namespace {

constexpr uint64_t kDefaultRingBytes = 8ull << 20;      // per CPU: no loss in the probe's 24 runs
constexpr uint64_t kDefaultTotalBytes = 64ull << 20;    // the default never maps more than this
constexpr uint64_t kSmallestDefaultRing = 64ull << 10;
constexpr uint64_t kLargestRing = 256ull << 20;         // a larger request is clamped to this
constexpr uint64_t kSmallestHalvedRing = 16ull << 10;   // halving on EPERM/ENOMEM stops here
// Setup lists the threads again until no new one shows up; a process that creates threads without
// pause gets this many passes (the threads it creates afterwards are followed through inherit).
// What remains racy is a window of microseconds: a thread created by its creator between the
// creator's event being opened and enabled (it inherits, but no FORK record says so, and it is
// counted twice), or one whose creator is preempted between making it visible in /proc and writing
// its FORK record (the same).
constexpr int kMaxThreadPasses = 16;
// How long setup waits, at most, for an exiting leader to end or be replaced (see leader()).
constexpr int kMaxSettlingMs = 200;

// The records' bodies for the sample_type below (fields in the order perf writes them).
struct SampleBody {
  uint64_t ip;    // PERF_SAMPLE_IP
  uint32_t pid;   // PERF_SAMPLE_TID
  uint32_t tid;
  uint64_t time;  // PERF_SAMPLE_TIME
  uint64_t addr;  // PERF_SAMPLE_ADDR
};
struct LostBody {
  uint64_t id;
  uint64_t lost;
};
struct ForkBody {
  uint32_t pid, ppid, tid, ptid;
  uint64_t time;
};

uint64_t pageSize() { return static_cast<uint64_t>(::sysconf(_SC_PAGESIZE)); }

// A power-of-two number of pages holding at least `bytes`, within [1 page, kLargestRing].
uint64_t roundRingBytes(uint64_t bytes) {
  uint64_t ring = pageSize();
  while (ring < bytes && ring < kLargestRing) ring <<= 1;
  return ring;
}

// An mmap of a ring that failed: the one failure that is retried with a smaller ring.
class RingMapError : public SysError {
 public:
  using SysError::SysError;
};

class PerfWatch final : public WsWatch {
 public:
  PerfWatch(const PerfWatchOptions& options, std::vector<int> cpus, uint64_t ringBytes)
      : options_(options), cpus_(std::move(cpus)), ringBytes_(ringBytes), rings_(cpus_.size()) {
    createRings();
    setUp();
  }

  std::string mechanism() const override {
    return options_.userOnly ? "perf-page-faults-user" : "perf-page-faults";
  }

  bool poll(std::vector<FaultRecord>& out, uint64_t& lost, int timeoutMs) override {
    if (!pending_.empty() || pendingLost_) {
      std::stable_sort(pending_.begin(), pending_.end(), byTime);
      out.insert(out.end(), pending_.begin(), pending_.end());
      lost += pendingLost_;
      pending_.clear();
      pending_.shrink_to_fit();
      pendingLost_ = 0;
    }
    if (finished_) return false;
    if (wait(timeoutMs < 0 ? 0 : timeoutMs) == Wake::Timeout) {
      drainAll(out, lost);
      if (!counting_) checkCounting();
      return true;
    }
    finish(out, lost);
    return false;
  }

  void stop() override {
    stopRequested_.store(true);
    wake_.signal();
  }

 private:
  struct Event {
    Fd fd;
    bool hung;  // POLLHUP seen: its thread and every thread it created have exited
  };
  enum class Wake { Timeout, Stopped, Exited };
  using EventRange = std::pair<size_t, size_t>;  // [first, last) of events_

  static bool byTime(const FaultRecord& a, const FaultRecord& b) { return a.tMs < b.tMs; }

  void setUp() {
    pidfd_ = openPidfd(options_.pid);
    startNs_ = monotonicNs();  // before the first event is enabled: every sample's t is >= 0
    cover();
    if (events_.empty()) {
      throw SysError(ESRCH, "cannot watch pid " + std::to_string(options_.pid) + ": no such process");
    }
    settingUp_ = false;
    faultsAtCover_ = processFaults(options_.pid);
  }

  // At each wake-up until the events have counted a first fault (a few reads): when the process has faulted since the threads
  // were covered and not one event counted it, the events are on tasks that are gone or never run
  // (an exec raced with the start in a way leader() does not tell): cover the threads again. Their
  // old events count nothing, so nothing is counted twice. Not for user-only events, which rightly
  // miss faults taken in the kernel.
  void checkCounting() {
    if (samples_ > 0 || reportedLost_ > 0 || eventsCount() > 0) {
      counting_ = true;
      return;
    }
    if (options_.userOnly || processFaults(options_.pid) <= faultsAtCover_) return;
    covered_.clear();
    inherited_.clear();
    settingUp_ = true;
    cover();
    settingUp_ = false;
    faultsAtCover_ = processFaults(options_.pid);
  }

  // What the events have counted so far (their inherited children included).
  uint64_t eventsCount() const {
    uint64_t total = 0;
    for (const Event& event : events_) {
      uint64_t count = 0;
      if (::read(event.fd.get(), &count, sizeof count) == static_cast<ssize_t>(sizeof count)) total += count;
    }
    return total;
  }

  // Opens events for every thread not covered yet, pass after pass until no new one shows up.
  void cover() {
    int settling = 0;
    for (int pass = 0; pass < kMaxThreadPasses; ++pass) {
      drainAll(pending_, pendingLost_);  // collects PERF_RECORD_FORK: threads that inherited
      std::vector<int> tids = listThreads(options_.pid);
      // A thread becomes visible in /proc a moment before its creator writes its FORK record.
      drainAll(pending_, pendingLost_);
      bool opened = false;
      for (int tid : tids) {
        if (covered_.count(tid) || inherited_.count(tid)) continue;
        const size_t first = events_.size();
        openThread(tid);       // false when it exited meanwhile: nothing to watch then either
        covered_[tid] = {first, events_.size()};
        opened = true;
      }
      switch (leader()) {
        case Leader::Replaced:
          covered_.erase(options_.pid);  // the next pass opens events for the task that holds the pid now
          opened = true;
          break;
        case Leader::Exiting:
          // Until it is a zombie (it exited alone) or gone (an exec replaced it), nothing tells.
          if (++settling < kMaxSettlingMs) {
            ::usleep(1000);
            --pass;
            opened = true;
          }
          break;
        case Leader::Watched:
          break;
      }
      if (!opened) break;
    }
  }

  // An exec from a thread other than the leader ends the leader (and every other thread) and gives
  // that thread the pid. The task at the pid then carries our events only if it had them under its
  // old tid; when it did not (it exec'd before its events were opened, or it was created between two
  // passes and exec'd before the next one listed it), nothing it or its new threads do would be seen,
  // yet the pid is marked covered. Telling the cases apart without a race, in this order:
  //   1. the events opened for the pid are hung up (or none could be opened): the kernel hangs an
  //      event up once its task and every thread that inherited it are gone, and an exec gets that
  //      far before the exec'ing thread takes the pid;
  //   2. the task at the pid runs, neither exiting nor a zombie: so that has happened (a leader
  //      that merely exited stays a zombie) and the listing below is of the new image. While it is
  //      still exiting, its events may not be hung up yet: Exiting, ask again;
  //   3. no thread watched under another tid could be the one that took the pid: a tid gone from
  //      the listing whose events still live (its task lives on under another tid), or one that
  //      inherited events.
  enum class Leader { Watched, Replaced, Exiting };
  Leader leader() {
    const TaskState state = taskState(options_.pid);
    if (state == TaskState::Ended) return Leader::Watched;  // gone, or a zombie whose threads run on
    if (state == TaskState::Exiting) return Leader::Exiting;
    if (!allHung(covered_.count(options_.pid) ? covered_[options_.pid] : EventRange{0, 0})) return Leader::Watched;
    // Hung up: was it exiting only a moment ago? Read the state again, now that the hang-up is seen.
    if (taskState(options_.pid) != TaskState::Runs) return Leader::Exiting;
    const std::vector<int> now = listThreads(options_.pid);
    const std::unordered_set<int> present(now.begin(), now.end());
    for (const auto& [tid, range] : covered_) {
      if (tid != options_.pid && !present.count(tid) && !allHung(range)) return Leader::Watched;
    }
    for (int tid : inherited_) {
      if (!present.count(tid)) return Leader::Watched;
    }
    return Leader::Replaced;
  }

  // True when every event of [first, last) of events_ is hung up (true for none).
  bool allHung(EventRange range) const {
    for (size_t i = range.first; i < range.second; ++i) {
      pollfd p{events_[i].fd.get(), POLLIN, 0};
      if (::poll(&p, 1, 0) < 0 || !(p.revents & POLLHUP)) return false;
    }
    return true;
  }

  perf_event_attr attributes(bool dummy) const {
    perf_event_attr attr;
    std::memset(&attr, 0, sizeof attr);
    attr.size = sizeof attr;
    attr.type = PERF_TYPE_SOFTWARE;
    attr.disabled = 1;
    attr.exclude_kernel = options_.userOnly ? 1 : 0;
    attr.exclude_hv = options_.userOnly ? 1 : 0;
    attr.use_clockid = 1;  // the same clock on every event of a ring (SET_OUTPUT requires it)
    attr.clockid = CLOCK_MONOTONIC;
    attr.watermark = 1;  // wake poll() when a quarter of the ring is full
    attr.wakeup_watermark = static_cast<uint32_t>(std::max<uint64_t>(ringBytes_ / 4, 64));
    if (dummy) {
      attr.config = PERF_COUNT_SW_DUMMY;
      return attr;
    }
    attr.config = PERF_COUNT_SW_PAGE_FAULTS;
    attr.sample_period = 1;
    attr.sample_type = PERF_SAMPLE_IP | PERF_SAMPLE_TID | PERF_SAMPLE_TIME | PERF_SAMPLE_ADDR;
    attr.inherit = 1;
    attr.inherit_thread = inheritThread_ ? 1 : 0;  // threads, not child processes
    attr.task = 1;                                 // PERF_RECORD_FORK: which new threads inherited
    return attr;
  }

  // perf_event_open of a page-fault event for `tid` on `cpu`: the fd, or -errno.
  long perfOpen(int tid, int cpu) {
    for (;;) {
      perf_event_attr attr = attributes(false);
      long fd = ::syscall(SYS_perf_event_open, &attr, tid, cpu, -1, PERF_FLAG_FD_CLOEXEC);
      if (fd >= 0) return fd;
      if (errno == EINVAL && inheritThread_) {
        // Before Linux 5.13: plain inherit also follows child processes; their samples are dropped.
        inheritThread_ = false;
        continue;
      }
      return -errno;
    }
  }

  // One ring per CPU, each owned by a dummy event of our own thread that is never enabled: every
  // page-fault event of that CPU, whatever its thread, writes into it (PERF_EVENT_IOC_SET_OUTPUT).
  // Rings first means no target event waits, disabled, while a ring is being allocated: a thread
  // created in such a window would inherit a disabled event without a FORK record to tell.
  void createRings() {
    bool any = false;
    for (size_t i = 0; i < cpus_.size(); ++i) {
      perf_event_attr attr = attributes(true);
      long fd = ::syscall(SYS_perf_event_open, &attr, 0, cpus_[i], -1, PERF_FLAG_FD_CLOEXEC);
      if (fd < 0) {
        const int err = errno;
        if (err == ENODEV) continue;  // the CPU went offline
        throwSys(err, "perf_event_open(ring of cpu " + std::to_string(cpus_[i]) + ")");
      }
      try {
        rings_[i].emplace(Fd(static_cast<int>(fd)), ringBytes_);
      } catch (const SysError& e) {
        throw RingMapError(e.err, e.what());
      }
      any = true;
    }
    if (!any) throwSys(ENODEV, "perf_event_open: no online CPU");
  }

  // One event per CPU for `tid`, each opened, pointed at its CPU's ring and enabled back to back.
  // Returns false when the thread exited meanwhile.
  bool openThread(int tid) {
    for (size_t i = 0; i < cpus_.size(); ++i) {
      if (!rings_[i]) continue;
      long result = perfOpen(tid, cpus_[i]);
      if (result < 0) {
        const int err = static_cast<int>(-result);
        // ESRCH: the thread exited meanwhile, or it is the main thread of a process that lives on
        // without it (its perf context is gone); events_ stays empty only when every thread is gone.
        if (err == ESRCH) return false;
        if (err == ENODEV) continue;  // the CPU went offline
        throwSys(err, "perf_event_open(tid " + std::to_string(tid) + ", cpu " + std::to_string(cpus_[i]) + ")");
      }
      Fd fd(static_cast<int>(result));
      if (::ioctl(fd.get(), PERF_EVENT_IOC_SET_OUTPUT, rings_[i]->fd()) != 0) {
        throwSys(errno, "PERF_EVENT_IOC_SET_OUTPUT");
      }
      if (::ioctl(fd.get(), PERF_EVENT_IOC_ENABLE, 0) != 0) throwSys(errno, "PERF_EVENT_IOC_ENABLE");
      events_.push_back({std::move(fd), false});
    }
    return true;
  }

  Wake wait(int timeoutMs) {
    pollFds_.clear();
    pollEvents_.clear();
    pollFds_.push_back({wake_.fd(), POLLIN, 0});
    if (pidfd_) pollFds_.push_back({pidfd_.get(), POLLIN, 0});
    const size_t fixed = pollFds_.size();
    for (size_t i = 0; i < events_.size(); ++i) {
      if (events_[i].hung) continue;  // POLLHUP is reported forever: keep it out of the set
      pollFds_.push_back({events_[i].fd.get(), POLLIN, 0});
      pollEvents_.push_back(i);
    }
    if (stopRequested_.load()) return Wake::Stopped;
    int n = ::poll(pollFds_.data(), pollFds_.size(), timeoutMs);
    if (n < 0) {
      if (errno == EINTR) return Wake::Timeout;
      const int err = errno;
      throw OsError(errnoName(err), options_.pid, "watch", describeErrno("poll on the perf events", err));
    }
    if (stopRequested_.load() || pollFds_[0].revents) return Wake::Stopped;
    // The pidfd turns readable once every thread has exited (their samples are in the rings by then).
    if (pidfd_ && pollFds_[1].revents) return confirmExited(options_.pid) ? Wake::Exited : Wake::Timeout;
    bool allHung = true;
    for (size_t k = fixed; k < pollFds_.size(); ++k) {
      if (pollFds_[k].revents & (POLLHUP | POLLERR | POLLNVAL)) events_[pollEvents_[k - fixed]].hung = true;
    }
    for (const Event& event : events_) allHung = allHung && event.hung;
    return allHung && confirmExited(options_.pid) ? Wake::Exited : Wake::Timeout;
  }

  void drainAll(std::vector<FaultRecord>& out, uint64_t& lost) {
    runs_.clear();
    for (auto& ring : rings_) {
      if (!ring) continue;
      runs_.push_back(out.size());
      ring->drain([&](const perf_event_header& header, const unsigned char* record) {
        take(header, record, out, lost);
      });
    }
    runs_.push_back(out.size());
    mergeRuns(out);
  }

  // Each ring is one CPU's and is in time order; merging the rings' runs puts the batch in order.
  void mergeRuns(std::vector<FaultRecord>& out) {
    auto at = [&](size_t index) { return out.begin() + static_cast<std::ptrdiff_t>(index); };
    for (size_t k = 0; k + 1 < runs_.size(); ++k) {
      if (!std::is_sorted(at(runs_[k]), at(runs_[k + 1]), byTime)) std::stable_sort(at(runs_[k]), at(runs_[k + 1]), byTime);
    }
    while (runs_.size() > 2) {
      std::vector<size_t> next;
      size_t k = 0;
      for (; k + 2 < runs_.size(); k += 2) {
        std::inplace_merge(at(runs_[k]), at(runs_[k + 1]), at(runs_[k + 2]), byTime);
        next.push_back(runs_[k]);
      }
      if (k + 1 < runs_.size()) next.push_back(runs_[k]);
      next.push_back(runs_.back());
      runs_.swap(next);
    }
  }

  void take(const perf_event_header& header, const unsigned char* record, std::vector<FaultRecord>& out,
            uint64_t& lost) {
    const unsigned char* body = record + sizeof header;
    const size_t bodySize = header.size - sizeof header;
    switch (header.type) {
      case PERF_RECORD_SAMPLE: {
        if (bodySize < sizeof(SampleBody)) return;
        SampleBody sample;
        std::memcpy(&sample, body, sizeof sample);
        ++samples_;
        // Another process's: a child that inherited because inherit_thread is unavailable.
        if (static_cast<int>(sample.pid) != options_.pid) return;
        FaultRecord fault;
        fault.pc = sample.ip;
        fault.va = sample.addr;
        fault.tid = sample.tid;
        fault.tMs = sample.time > startNs_ ? static_cast<double>(sample.time - startNs_) / 1e6 : 0.0;
        out.push_back(fault);
        return;
      }
      case PERF_RECORD_LOST: {
        if (bodySize < sizeof(LostBody)) return;
        LostBody body16;
        std::memcpy(&body16, body, sizeof body16);
        reportedLost_ += body16.lost;
        lost += body16.lost;
        return;
      }
      case PERF_RECORD_LOST_SAMPLES: {
        if (bodySize < sizeof(uint64_t)) return;
        uint64_t count;
        std::memcpy(&count, body, sizeof count);
        reportedLost_ += count;
        lost += count;
        return;
      }
      case PERF_RECORD_FORK: {
        if (!settingUp_ || bodySize < sizeof(ForkBody)) return;
        ForkBody fork;
        std::memcpy(&fork, body, sizeof fork);
        if (static_cast<int>(fork.pid) == options_.pid) inherited_.insert(static_cast<int>(fork.tid));
        return;
      }
      default:
        return;  // PERF_RECORD_EXIT, THROTTLE, UNTHROTTLE: nothing to report
    }
  }

  // The end (stop or exit): disable, take what is left, and settle the lost count with the
  // kernel's own count of faults.
  void finish(std::vector<FaultRecord>& out, uint64_t& lost) {
    finished_ = true;
    for (const Event& event : events_) ::ioctl(event.fd.get(), PERF_EVENT_IOC_DISABLE, 0);
    drainAll(out, lost);
    uint64_t total = 0;
    for (const Event& event : events_) {
      uint64_t count = 0;
      ssize_t n;
      do {
        n = ::read(event.fd.get(), &count, sizeof count);
      } while (n < 0 && errno == EINTR);
      if (n != static_cast<ssize_t>(sizeof count)) return;  // can't settle: keep the reported losses
      total += count;
    }
    // Faults the kernel counted but never delivered, without a LOST record (written only when
    // space frees up, so the last overflow before the end is never reported by one).
    if (total > samples_ + reportedLost_) {
      const uint64_t unreported = total - samples_ - reportedLost_;
      reportedLost_ += unreported;
      lost += unreported;
    }
  }

  PerfWatchOptions options_;
  std::vector<int> cpus_;
  uint64_t ringBytes_;
  std::vector<std::optional<PerfRing>> rings_;  // one per entry of cpus_
  std::vector<Event> events_;
  Fd pidfd_;
  WakeEvent wake_;
  std::atomic<bool> stopRequested_{false};
  bool finished_ = false;
  bool settingUp_ = true;
  bool counting_ = false;          // an event has counted a fault: the threads are covered
  uint64_t faultsAtCover_ = 0;     // the process's own fault count when its threads were last covered
  bool inheritThread_ = true;
  uint64_t startNs_ = 0;
  uint64_t samples_ = 0;       // every sample read, including dropped ones of other processes
  uint64_t reportedLost_ = 0;  // from LOST records and the final settling
  std::unordered_map<int, EventRange> covered_;  // threads with events of their own, and which they are
  std::unordered_set<int> inherited_;  // threads whose creator's events they inherited
  std::vector<FaultRecord> pending_;   // read during setup; handed out by the first poll()
  uint64_t pendingLost_ = 0;
  std::vector<pollfd> pollFds_;
  std::vector<size_t> pollEvents_;
  std::vector<size_t> runs_;
};

}  // namespace

uint64_t defaultPerfRingBytes(size_t cpus) {
  uint64_t ring = kDefaultRingBytes;
  while (ring * std::max<size_t>(cpus, 1) > kDefaultTotalBytes && ring > kSmallestDefaultRing) ring /= 2;
  return ring;
}

std::unique_ptr<WsWatch> openPerfWatch(const PerfWatchOptions& options) {
  std::vector<int> cpus = onlineCpus();
  uint64_t ring = options.ringBytes ? roundRingBytes(options.ringBytes) : defaultPerfRingBytes(cpus.size());
  const uint64_t smallest = std::min(ring, kSmallestHalvedRing);
  for (;;) {
    try {
      return std::make_unique<PerfWatch>(options, cpus, ring);
    } catch (const RingMapError& e) {
      // Locked-memory limits (RLIMIT_MEMLOCK beyond perf_event_mlock_kb per CPU): a smaller ring.
      if ((e.err == EPERM || e.err == ENOMEM) && ring / 2 >= smallest) {
        ring /= 2;
        continue;
      }
      throw;
    }
  }
}

}  // namespace snapscope::procfs::watch
