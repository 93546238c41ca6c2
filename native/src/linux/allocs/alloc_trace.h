// The Linux allocation trace: uprobes on the target's allocator (uprobe_events.h), each sample
// decoded as it is read from the rings (entries unwound at once, from the ring's copy of the stack),
// then put in time order across the rings and fed to the aggregator.
//
// Order matters across threads (a block freed by one thread and handed out again to another must be
// seen freed first), and each CPU's ring is in time order but the rings are read one after the
// other: events newer than a horizon just before the read started wait for the next read, when every
// ring has caught up past them.
//
// Entries are paired with their returns per thread by the stack pointer (a return's sp is its
// entry's + 8, the return address popped). An allocator call made inside another (glibc's realloc
// calling malloc or free, memalign calling malloc) is nested: only the outer call counts, as an
// LD_PRELOAD tracer sees it; so is a tail call from one to another (same stack pointer; both
// uretprobes then fire at the one return, the inner first). An entry whose frame is gone (its return was lost) is dropped when a
// call at or above its stack pointer comes.
#pragma once

#include <memory>

#include "../../backend.h"

namespace snapscope::procfs::allocs {

// Throws OsError: ESRCH, EACCES / EPERM (with what would allow it), ENOTSUP, EINVAL.
std::unique_ptr<AllocTrace> startAllocTrace(const AllocTraceRequest& request);

}  // namespace snapscope::procfs::allocs
