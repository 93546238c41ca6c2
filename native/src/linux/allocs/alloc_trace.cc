#include "alloc_trace.h"

#include <linux/perf_event.h>
#include <poll.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <climits>
#include <cstring>
#include <string>
#include <unordered_map>
#include <vector>

#include "../errno_name.h"
#include "../maps.h"
#include "../watch/perf_ring.h"
#include "../watch/watch_util.h"
#include "aggregator.h"
#include "allocator_image.h"
#include "stack_table.h"
#include "uprobe_events.h"
#include "unwinder.h"
#include "user_regs.h"

namespace snapscope::procfs::allocs {
namespace {

constexpr uint64_t kDefaultRingBytes = 8ull << 20;
constexpr uint64_t kDefaultTotalRingBytes = 64ull << 20;
// How far behind the start of a read an event must be to be processed in it (see alloc_trace.h):
// a sample is stamped a few microseconds before it is written; this covers a writer preempted there.
constexpr uint64_t kHorizonNs = 20'000'000;

// A decoded sample: what the pairing needs, never the stack itself (entries are unwound on decode).
struct Event {
  uint64_t time;
  uint32_t tid;
  AllocFn fn;
  bool isReturn;
  uint64_t sp;
  uint64_t a[3];      // entry: the arguments (DI, SI, DX); return: a[0] = the return value
  uint32_t stack;     // entry: its stack id
  uint32_t copy;      // posix_memalign return: index + 1 into copies_ of its stack, 0 = none
};

struct Pending {
  AllocFn fn;
  uint64_t sp;
  uint64_t a[3];
  uint32_t stack;
  bool nested;
};

uint64_t roundRing(uint64_t bytes) {
  uint64_t ring = 4096;
  while (ring < bytes && ring < (256ull << 20)) ring <<= 1;
  return ring;
}

class UprobeTrace final : public AllocTrace {
 public:
  UprobeTrace(const AllocTraceRequest& request, AllocatorImage image)
      : pid_(request.pid),
        mechanism_(image.mechanism),
        stackBytes_(request.stackBytes),
        stacks_(request.maxStacks),
        aggregator_(request.maxLiveBlocks),
        unwinder_(request.pid, stacks_),
        events_(request.pid, image, ringBytesFor(request), request.stackBytes),
        pidfd_(watch::openPidfd(request.pid)) {
    settingUp_ = true;
    events_.cover([&] { drain(); });
    settingUp_ = false;
    if (events_.eventCount() == 0) watch::throwSys(ESRCH, "no thread of the process could be probed");
  }

  std::string mechanism() const override { return mechanism_; }

  bool poll(int timeoutMs) override {
    if (finished_) return false;
    pollfd fds[2] = {{wake_.fd(), POLLIN, 0}, {pidfd_.get(), POLLIN, 0}};
    std::vector<pollfd> all(fds, fds + (pidfd_ ? 2 : 1));
    for (auto& ring : events_.rings()) all.push_back({ring.fd(), POLLIN, 0});
    if (!stopRequested_.load()) {
      const int n = ::poll(all.data(), all.size(), std::max(timeoutMs, 0));
      if (n < 0 && errno != EINTR) {
        throw OsError(errnoName(errno), pid_, "allocs", describeErrno("poll on the uprobe events", errno));
      }
    }
    const bool exited = pidfd_ && (all[1].revents & POLLIN) && watch::confirmExited(pid_);
    if (stopRequested_.load() || exited) {
      finish();
      return false;
    }
    drain();
    process(watch::monotonicNs());
    return true;
  }

  void take(AllocBatch& batch) override {
    batch = AllocBatch{};
    for (uint32_t id = announced_; id < stacks_.size(); ++id) batch.newStacks.push_back({id, stacks_.frames(id)});
    announced_ = static_cast<uint32_t>(stacks_.size());
    aggregator_.take(batch);
    batch.totals.unwinds = unwinder_.stats().walks;
    batch.totals.unwindCacheHits = unwinder_.stats().hits;
    batch.lost = lost_;
    lost_ = 0;
  }

  AllocLeaks leaks() const override { return aggregator_.leaks(); }

  void stop() override {
    stopRequested_.store(true);
    wake_.signal();
  }

 private:
  static uint64_t ringBytesFor(const AllocTraceRequest& request) {
    if (request.ringBytes) return roundRing(request.ringBytes);
    uint64_t ring = kDefaultRingBytes;
    const size_t cpus = std::max<size_t>(watch::onlineCpus().size(), 1);
    while (ring * cpus > kDefaultTotalRingBytes && ring > (64ull << 10)) ring /= 2;
    return ring;
  }

  // The end: no more events, everything read and processed, and the kernel's own counts settle
  // what was dropped without a LOST record (written only once space frees up again).
  void finish() {
    finished_ = true;
    events_.disable();
    drain();
    process(UINT64_MAX);
    if (auto counted = events_.counted(); counted && *counted > samples_ + reportedLost_) {
      lost_ += *counted - samples_ - reportedLost_;
    }
  }

  void drain() {
    for (auto& ring : events_.rings()) {
      ring.drain([&](const perf_event_header& header, const unsigned char* record) { decode(header, record); });
    }
  }

  void decode(const perf_event_header& header, const unsigned char* record) {
    const unsigned char* p = record + sizeof header;
    const unsigned char* end = record + header.size;
    auto word = [&](uint64_t& out) {
      if (p + 8 > end) return false;
      std::memcpy(&out, p, 8);
      p += 8;
      return true;
    };
    switch (header.type) {
      case PERF_RECORD_SAMPLE:
        break;
      case PERF_RECORD_LOST: {
        uint64_t id, lost;
        if (word(id) && word(lost)) {
          lost_ += lost;
          reportedLost_ += lost;
        }
        return;
      }
      case PERF_RECORD_FORK:
      case PERF_RECORD_EXIT: {
        uint32_t ids[4];  // pid, ppid, tid, ptid
        if (p + sizeof ids > end) return;
        std::memcpy(ids, p, sizeof ids);
        if (header.type == PERF_RECORD_FORK && settingUp_) events_.noteFork(static_cast<int>(ids[0]), static_cast<int>(ids[2]));
        if (header.type == PERF_RECORD_EXIT) exits_.push_back(ids[2]);
        return;
      }
      default:
        return;
    }
    ++samples_;
    uint64_t id, pidTid, time, abi;
    if (!word(id) || !word(pidTid) || !word(time) || !word(abi)) return;
    const ProbeKind* kind = events_.kindOf(id);
    if (!kind || static_cast<int>(pidTid & 0xffffffffu) != pid_) return;  // another process's (no inherit_thread)
    Event e{};
    e.time = time;
    e.tid = static_cast<uint32_t>(pidTid >> 32);
    e.fn = kind->fn;
    e.isReturn = kind->isReturn;
    if (abi == PERF_SAMPLE_REGS_ABI_NONE) return;  // no user registers: a kernel thread
    if (kind->isReturn) {
      if (!word(e.a[0]) || !word(e.sp)) return;  // AX, SP
    } else if (kind->fn == AllocFn::Free) {
      if (!word(e.a[0]) || !word(e.sp)) return;  // DI, SP
    } else {
      uint64_t regs[kEntryRegCount];
      for (uint64_t& r : regs) {
        if (!word(r)) return;
      }
      e.sp = regs[SP];
      e.a[0] = regs[DI];
      e.a[1] = regs[SI];
      e.a[2] = regs[DX];
      uint64_t size = 0;
      if (!word(size) || p + size + 8 > end) return;
      uint64_t dynamic = 0;
      std::memcpy(&dynamic, p + size, 8);
      e.stack = unwinder_.stackOf(regs, p, std::min(size, dynamic));
    }
    if (kind->isReturn && kind->fn == AllocFn::PosixMemalign) {
      uint64_t size = 0;
      if (word(size) && p + size + 8 <= end) {
        uint64_t dynamic = 0;
        std::memcpy(&dynamic, p + size, 8);
        copies_.emplace_back(p, p + std::min(size, dynamic));
        e.copy = static_cast<uint32_t>(copies_.size());
      }
    }
    pending_.push_back(e);
  }

  // Feeds the events stamped before `now - kHorizonNs` (all when now is UINT64_MAX) in time order.
  void process(uint64_t now) {
    const uint64_t horizon = now == UINT64_MAX ? UINT64_MAX : now - std::min(now, kHorizonNs);
    std::stable_sort(pending_.begin(), pending_.end(), [](const Event& a, const Event& b) { return a.time < b.time; });
    size_t done = 0;
    while (done < pending_.size() && pending_[done].time <= horizon) apply(pending_[done++]);
    pending_.erase(pending_.begin(), pending_.begin() + static_cast<std::ptrdiff_t>(done));
    if (pending_.empty()) copies_.clear();
    if (now == UINT64_MAX || pending_.empty()) {
      for (uint32_t tid : exits_) {
        calls_.erase(tid);
        aggregator_.threadExited(tid);
      }
      exits_.clear();
    }
  }

  void apply(const Event& e) {
    std::vector<Pending>& calls = calls_[e.tid];
    if (!e.isReturn) {
      // Calls whose frames lie below this one's have returned (their returns were lost). At the
      // same stack pointer: a tail call from another allocator function (glibc's reallocarray jumps
      // to realloc) is nested in it; the same function again means the first call's return was lost.
      while (!calls.empty() && (calls.back().sp < e.sp || (calls.back().sp == e.sp && calls.back().fn == e.fn))) {
        calls.pop_back();
      }
      if (e.fn == AllocFn::Free) {
        if (calls.empty()) aggregator_.freed(e.tid, e.a[0]);
        return;
      }
      calls.push_back({e.fn, e.sp, {e.a[0], e.a[1], e.a[2]}, e.stack, !calls.empty()});
      return;
    }
    const uint64_t entrySp = e.sp - 8;
    while (!calls.empty() && calls.back().sp < entrySp) calls.pop_back();
    if (calls.empty() || calls.back().sp != entrySp || calls.back().fn != e.fn) return;  // entered before the trace
    const Pending call = calls.back();
    calls.pop_back();
    if (!call.nested) completed(e, call);
  }

  void completed(const Event& e, const Pending& call) {
    const uint64_t result = e.a[0];
    switch (call.fn) {
      case AllocFn::Malloc:
      case AllocFn::Valloc:
      case AllocFn::Pvalloc:
        aggregator_.allocated(e.tid, call.stack, result, call.a[0]);
        return;
      case AllocFn::Calloc:
        aggregator_.allocated(e.tid, call.stack, result, call.a[0] * call.a[1]);
        return;
      case AllocFn::AlignedAlloc:
      case AllocFn::Memalign:
        aggregator_.allocated(e.tid, call.stack, result, call.a[1]);
        return;
      case AllocFn::Realloc:
      case AllocFn::Reallocarray: {
        const uint64_t size = call.fn == AllocFn::Realloc ? call.a[1] : call.a[1] * call.a[2];
        // As heaptrack counts it: a free of the old block, then an allocation (moved or not). A
        // realloc that fails leaves the old block; glibc's realloc(p, 0) frees p and returns NULL.
        if (result != 0 || size == 0) aggregator_.freed(e.tid, call.a[0]);
        aggregator_.allocated(e.tid, call.stack, result, size);
        return;
      }
      case AllocFn::PosixMemalign: {
        if (result != 0) return;  // an error code: nothing allocated
        const uint64_t memptr = call.a[0];
        uint64_t block = 0;
        const std::vector<unsigned char>* copy = e.copy ? &copies_[e.copy - 1] : nullptr;
        if (copy && memptr >= e.sp && memptr - e.sp + 8 <= copy->size()) {
          std::memcpy(&block, copy->data() + (memptr - e.sp), 8);
        } else if (!readRemote(pid_, memptr, &block, sizeof block)) {
          block = 0;  // gone: the allocation is counted nowhere rather than at a wrong address
        }
        aggregator_.allocated(e.tid, call.stack, block, call.a[2]);
        return;
      }
      case AllocFn::Free:
      case AllocFn::Count:
        return;
    }
  }

  const int pid_;
  const std::string mechanism_;
  const uint32_t stackBytes_;
  StackTable stacks_;
  Aggregator aggregator_;
  Unwinder unwinder_;
  UprobeEvents events_;
  Fd pidfd_;
  watch::WakeEvent wake_;
  std::atomic<bool> stopRequested_{false};
  bool finished_ = false;
  bool settingUp_ = false;
  uint32_t announced_ = 0;
  uint64_t samples_ = 0, reportedLost_ = 0, lost_ = 0;
  std::vector<Event> pending_;
  std::vector<std::vector<unsigned char>> copies_;
  std::vector<uint32_t> exits_;
  std::unordered_map<uint32_t, std::vector<Pending>> calls_;
};

bool notAllowed(int err) { return err == EACCES || err == EPERM; }

// What would allow a refused trace (the reason itself is in the message before it).
std::string advice() {
  const int paranoid = watch::perfParanoid();
  const std::string now = paranoid == INT_MIN ? "" : "; perf_event_paranoid is " + std::to_string(paranoid);
  return "tracing allocations needs root, or CAP_SYS_ADMIN (to define uprobes in tracefs) with CAP_PERFMON (to "
         "sample them, or perf_event_paranoid <= 1 for a process of your own user)" + now;
}

}  // namespace

std::unique_ptr<AllocTrace> startAllocTrace(const AllocTraceRequest& request) {
  const int pid = request.pid;
  const std::string what = "cannot trace the allocations of pid " + std::to_string(pid);
  if (pid <= 0) throw OsError("EINVAL", pid, "allocs", what + ": not a process id");
  try {
    watch::checkTarget(pid);
  } catch (const OsError& e) {
    throw OsError(e.code, pid, "allocs", what + (e.code == "ESRCH" ? ": no such process" : std::string(": ") + e.what()));
  }
  AllocatorImage image;
  try {
    image = findAllocator(pid);
  } catch (const OsError& e) {
    if (e.code != "EACCES" && e.code != "EPERM") throw;
    throw OsError(e.code, pid, "allocs", what + ": " + e.what() + ". " + advice());
  }
  try {
    return std::make_unique<UprobeTrace>(request, std::move(image));
  } catch (const watch::SysError& e) {
    if (e.err == ESRCH) throw OsError("ESRCH", pid, "allocs", what + ": no such process (it exited)");
    std::string message = what + ": " + e.what();
    if (notAllowed(e.err)) message += ". " + advice();
    throw OsError(errnoName(e.err == ENOTSUP ? ENOTSUP : e.err), pid, "allocs", message);
  }
}

}  // namespace snapscope::procfs::allocs
