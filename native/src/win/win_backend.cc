// The Windows backend: Tool Help for the lists, HeapWalk / the heap debug query for heaps, PSAPI's
// working-set watch for faults, dbghelp for symbols. Under Wine, what Wine lacks fails with
// ERROR_CALL_NOT_IMPLEMENTED instead of reaching one of its stubs.
#include "parts.h"
#include "win_errors.h"

namespace snapscope::win {
namespace {

class WindowsBackend final : public Backend {
 public:
  SystemSnapshot snapshot(const SnapshotRequest& request) override {
    SystemSnapshot snap = readProcessesAndThreads(request, accounts_);
    if (!request.modules && !request.heapLists) return snap;
    // Per-process lists cover the target, or this process when there is none (as in Tool Help),
    // from one snapshot of that process.
    const int pid = request.pid >= 0 ? request.pid : static_cast<int>(::GetCurrentProcessId());
    const bool heapsFromSnapshot = request.heapLists && heapListNeedsSnapshot(pid);
    const DWORD flags = (request.modules ? TH32CS_SNAPMODULE | TH32CS_SNAPMODULE32 : 0) |
                        (heapsFromSnapshot ? TH32CS_SNAPHEAPLIST : 0);
    ToolhelpSnapshot lists;
    const DWORD error = flags ? lists.open(flags, static_cast<DWORD>(pid)) : 0;
    const auto requireSnapshot = [&](const char* scope) {
      if (error)
        throw winError(error, pid, scope, "cannot take a Tool Help snapshot of process " + std::to_string(pid));
    };
    if (request.modules) readPerProcessList(snap, pid, "modules", [&] {
      requireSnapshot("modules");
      snap.modules = readModules(lists, pid);
    });
    if (request.heapLists) readPerProcessList(snap, pid, "heaplist", [&] {
      if (heapsFromSnapshot) requireSnapshot("heaplist");
      snap.heapLists = listHeaps(lists, pid);
    });
    return snap;
  }

  HostInfo host() override { return windowsHostInfo(); }
  bool elevated() override { return processIsElevated(); }

  std::vector<MemoryRegion> memoryRegions(int pid) override { return readMemoryRegions(pid); }
  ProcessMemory processMemory(int pid) override { return readProcessMemory(pid); }
  MemoryMap memoryMap(int pid) override { return readMemoryMap(pid); }

  HeapWalkResult walkHeaps(const HeapWalkRequest& request, const ProgressFn& progress,
                           const std::atomic<bool>& cancel) override {
    return win::walkHeaps(request, progress, cancel);
  }

  std::unique_ptr<WsWatch> startWatch(const WatchRequest& request) override { return win::startWatch(request); }

  std::vector<SymbolInfo> symbolize(int pid, const std::vector<uint64_t>& addresses) override {
    return win::symbolize(pid, addresses);
  }

  // The Windows path is ETW heap tracing (Microsoft-Windows-Heap provider, stack walks per event);
  // not built yet.
  std::unique_ptr<AllocTrace> startAllocTrace(const AllocTraceRequest& request) override {
    throw winError(ERROR_NOT_SUPPORTED, request.pid, "allocs",
                   "cannot trace the allocations of process " + std::to_string(request.pid) +
                       ": on Windows that would be ETW heap tracing, which Snapscope does not have yet");
  }

 private:
  AccountNames accounts_;  // shared by concurrent snapshots; guarded inside
};

}  // namespace
}  // namespace snapscope::win

namespace snapscope {

std::unique_ptr<Backend> makeBackend() { return std::make_unique<win::WindowsBackend>(); }

}  // namespace snapscope
