// The heap walk in two parts, so that another scan (leaks/) can walk the heaps of a target it has
// stopped itself, and see what the walk read on the way.
#pragma once

#include <cstdint>
#include <vector>

#include "../../backend.h"
#include "../maps.h"
#include "cancel.h"
#include "heap_layout.h"
#include "remote_memory.h"

namespace snapscope::procfs::heap {

// What a walk read besides its blocks.
struct WalkDetail {
  std::vector<Mapping> maps;
  HeapLayout layout;
  std::vector<uint64_t> tcaches;  // chunks holding a tcache_perthread_struct (in use: the allocator's own), sorted
};

// Throws OsError (ESRCH, ENOTSUP for a kernel thread) unless `pid` has heaps to walk: checked before
// a target is stopped (ptrace refuses kernel threads).
void requireHeaps(int pid, const char* scope);

// Walks the heaps of `request.pid` (stopped or not: the caller decides) into result.heaps and
// result.errors. Errors are worded in memory.scope().
void walkHeapsOf(const HeapWalkRequest& request, const ProgressFn& progress, const Cancel& cancel, const RemoteMemory& memory,
                 HeapWalkResult& result, WalkDetail& detail);

}  // namespace snapscope::procfs::heap
