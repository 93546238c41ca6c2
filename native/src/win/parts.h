// The pieces the Windows backend is made of, one file each; win_backend.cc puts them behind the
// Backend interface.
#pragma once

#include <atomic>
#include <memory>
#include <vector>

#include "../backend.h"
#include "account_names.h"
#include "toolhelp_snapshot.h"

namespace snapscope::win {

// process_list.cc: processes and threads from one system-wide Tool Help snapshot, plus the extras
// OpenProcess gives (process_extras.cc).
SystemSnapshot readProcessesAndThreads(const SnapshotRequest& request, AccountNames& accounts);
void readProcessExtras(ProcessInfo& info, AccountNames& accounts, std::vector<SnapshotErrorInfo>& errors);

// process_memory.cc: private bytes, peak working set and virtual size (throws OsError).
ProcessMemory readProcessMemory(int pid);

// win_modules.cc: the module list in a TH32CS_SNAPMODULE snapshot of `pid`.
std::vector<ModuleInfo> readModules(const ToolhelpSnapshot& snapshot, int pid);

// heap_list.cc: the heaps of `pid`. This process: GetProcessHeaps. Others: the heap list of a
// TH32CS_SNAPHEAPLIST snapshot (heapListNeedsSnapshot says whether `snapshot` must have one).
bool heapListNeedsSnapshot(int pid);
std::vector<HeapListInfo> listHeaps(const ToolhelpSnapshot& snapshot, int pid);
std::vector<HANDLE> ownHeapHandles();

// regions.cc: the address space of `pid`, classified; reservationSpan is the size of the
// reservation (VirtualAlloc / heap segment) that starts at `base`.
std::vector<MemoryRegion> readMemoryRegions(int pid);
uint64_t reservationSpan(HANDLE process, uint64_t base);

// memory_map.cc: the regions with their working-set pages (resident, private); throws OsError.
MemoryMap readMemoryMap(int pid);

// heap_walker.cc
HeapWalkResult walkHeaps(const HeapWalkRequest& request, const ProgressFn& progress, const std::atomic<bool>& cancel);

// ws_watch.cc
std::unique_ptr<WsWatch> startWatch(const WatchRequest& request);

// symbols/symbolize.cc: dbghelp (see symbols/).
std::vector<SymbolInfo> symbolize(int pid, const std::vector<uint64_t>& addresses);

// host_info.cc
HostInfo windowsHostInfo();
bool processIsElevated();

}  // namespace snapscope::win
