// The perf events of an allocation trace: a uprobe (and a uretprobe where the result is needed) on
// each allocator entry point, for every thread of the target, each CPU's events writing into that
// CPU's one ring.
//
// Coverage of every thread, as the working-set watch does it (watch/perf_watch.h): a perf event
// follows one task, and `inherit` extends it to the threads that task creates after the event
// exists; an mmap'ed inherited event must be per CPU. So each thread that already runs gets one
// event per probe and CPU (inherit, inherit_thread), and setup lists the threads again until no new
// one appears; a thread that appeared meanwhile gets events of its own unless a PERF_RECORD_FORK shows
// it inherited them. The uretprobes of a thread are enabled before its uprobes, so an entry seen
// always has its return seen (unless the kernel drops it).
//
// The probes are trace events defined in tracefs (tracefs_probes.h says why not the uprobe PMU).
// Closing the fds takes the breakpoints out of the target (the kernel restores the original
// instructions), then the definitions are removed; nothing is stopped or restarted to attach or
// detach.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "../watch/perf_ring.h"
#include "allocator_image.h"
#include "tracefs_probes.h"

namespace snapscope::procfs::allocs {

// What a sample's id says it is.
struct ProbeKind {
  AllocFn fn;
  bool isReturn;
};

class UprobeEvents {
 public:
  // Maps one ring per online CPU. Throws watch::SysError.
  UprobeEvents(int pid, const AllocatorImage& image, uint64_t ringBytes, uint32_t stackBytes);

  // Opens events for every thread not covered yet; `drain` is called between passes to read the
  // rings (FORK records found there are handed to noteFork). Throws watch::SysError.
  template <typename Drain>
  void cover(Drain&& drain);
  void noteFork(int pid, int tid) {
    if (pid == pid_) inherited_.insert(tid);
  }

  std::vector<watch::PerfRing>& rings() { return rings_; }
  // The probe a sample id belongs to (inherited events report their parent's id), or nullptr.
  const ProbeKind* kindOf(uint64_t id) const {
    auto found = kinds_.find(id);
    return found == kinds_.end() ? nullptr : &found->second;
  }
  size_t eventCount() const { return events_.size(); }
  void disable();
  // What the events counted (children included): hits, delivered or not. nullopt when unreadable.
  std::optional<uint64_t> counted() const;

 private:
  bool openThread(int tid);  // false: it exited meanwhile
  long open(size_t site, bool isReturn, bool task, int tid, int cpu);

  int pid_;
  AllocatorImage image_;
  TracefsProbes probes_;  // declared before the events: removed after they are closed
  uint32_t stackBytes_;
  uint64_t ringBytes_;
  bool inheritThread_ = true;
  std::vector<int> cpus_;
  std::vector<watch::PerfRing> rings_;  // one per entry of cpus_
  std::vector<Fd> events_;
  std::unordered_map<uint64_t, ProbeKind> kinds_;
  std::unordered_set<int> covered_, inherited_;
};

template <typename Drain>
void UprobeEvents::cover(Drain&& drain) {
  // See perf_watch.cc's kMaxThreadPasses: a process creating threads without pause gets this many
  // passes; the threads it creates afterwards are followed through inherit.
  constexpr int kMaxPasses = 16;
  for (int pass = 0; pass < kMaxPasses; ++pass) {
    drain();
    const std::vector<int> tids = watch::listThreads(pid_);
    drain();  // a thread is visible in /proc a moment before its creator writes its FORK record
    bool opened = false;
    for (int tid : tids) {
      if (covered_.count(tid) || inherited_.count(tid)) continue;
      openThread(tid);
      covered_.insert(tid);
      opened = true;
    }
    if (!opened) break;
  }
}

}  // namespace snapscope::procfs::allocs
