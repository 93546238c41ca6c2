// The probes as trace events of tracefs's uprobe_events ("p:GROUP/NAME PATH:0xOFFSET", "r:…" for a
// return probe), opened as PERF_TYPE_TRACEPOINT events.
//
// Why not the uprobe PMU (perf_event_open type /sys/bus/event_source/devices/uprobe/type, the path
// in config1): an inherited event is re-initialised in the context of the thread that creates a new
// thread, and the PMU then reads config1 (a pointer into OUR memory) from the TARGET's memory and
// checks the TARGET's capabilities. Measured here: the target's pthread_create fails with EFAULT
// ("Bad address") once it inherits such an event; for a target that is not root it would fail with
// EACCES. Without inherit, a thread's first allocations would go unseen until it was found. A
// tracepoint event inherits without either check, so threads born during the trace are traced from
// their first instruction.
//
// tracefs need not be mounted: when it is not, each change is made from a short-lived thread that
// mounts it privately in a mount namespace of its own (unshare), so the host's mounts never change.
// The probe definitions are removed when the trace ends (after their perf events are closed, as
// the kernel requires); definitions left by an inspector that died are removed by the next one.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "allocator_image.h"

namespace snapscope::procfs::allocs {

class TracefsProbes {
 public:
  // Defines an entry probe per site and a return probe per site but free's. Throws watch::SysError
  // (EACCES / EPERM when tracefs can't be written: not root).
  TracefsProbes(int pid, const AllocatorImage& image);
  ~TracefsProbes();  // removes the definitions: close every perf event of them first
  TracefsProbes(const TracefsProbes&) = delete;
  TracefsProbes& operator=(const TracefsProbes&) = delete;

  // The tracepoint id of a site's entry or return probe (its perf_event_attr.config).
  uint64_t id(size_t site, bool isReturn) const { return ids_[2 * site + (isReturn ? 1 : 0)]; }
  const std::string& group() const { return group_; }

 private:
  void remove();

  std::string group_;
  std::vector<std::string> names_;
  std::vector<uint64_t> ids_;  // per site: entry, return (0 = none)
};

}  // namespace snapscope::procfs::allocs
