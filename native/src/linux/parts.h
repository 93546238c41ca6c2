// The pieces the Linux backend is made of, one file (or folder) each; linux_backend.cc puts them
// behind the Backend interface.
#pragma once

#include <atomic>
#include <memory>
#include <vector>

#include "../backend.h"
#include "user_names.h"

namespace snapscope::procfs {

// process_snapshot.cc
SystemSnapshot readProcessesAndThreads(const SnapshotRequest& request, UserNames& users);

// modules.cc: one entry per loaded image; throws OsError when the maps can't be read.
std::vector<ModuleInfo> readModules(int pid);

// regions.cc: every mapping, classified (image / heap / stack / anon / other).
std::vector<MemoryRegion> readMemoryRegions(int pid);

// process_memory.cc: private bytes, peak working set and virtual size from /proc/PID/status.
ProcessMemory readProcessMemory(int pid);

// memory_map.cc: every mapping with its resident, private and swapped bytes (/proc/PID/smaps), classified.
MemoryMap readMemoryMap(int pid);

// heap/: heap lists and walks (glibc ptmalloc; other allocators listed as regions, not walked).
std::vector<HeapListInfo> listHeaps(int pid);
HeapWalkResult walkHeaps(const HeapWalkRequest& request, const ProgressFn& progress, const std::atomic<bool>& cancel);

// leaks/: the conservative reachability scan of the used heap blocks; a block's bytes for its preview.
LeakScanResult scanLeaks(const LeakScanRequest& request, const ProgressFn& progress, const std::atomic<bool>& cancel);
std::vector<uint8_t> readMemory(int pid, uint64_t address, size_t size);

// symbols/: names of code addresses (libdwfl), cached per image across calls and processes.
SymbolBatch symbolizeBatch(int pid, const std::vector<uint64_t>& addresses);

// watch/: the working-set watch (perf_event page faults, with fallbacks).
std::unique_ptr<WsWatch> startWatch(const WatchRequest& request);

// allocs/: allocation tracing with uprobes on the target's allocator.
namespace allocs {
std::unique_ptr<AllocTrace> startAllocTrace(const AllocTraceRequest& request);
}

}  // namespace snapscope::procfs
