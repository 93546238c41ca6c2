// The Linux backend: procfs for lists, process_vm_readv for heaps, perf events for the watch.
#include <unistd.h>

#include "errno_name.h"
#include "host_info.h"
#include "parts.h"

namespace snapscope {
namespace procfs {
namespace {

class LinuxBackend final : public Backend {
 public:
  SystemSnapshot snapshot(const SnapshotRequest& request) override {
    SystemSnapshot snap = readProcessesAndThreads(request, users_);
    // Per-process lists cover the target, or this process when there is none (as in Tool Help).
    const int pid = request.pid >= 0 ? request.pid : static_cast<int>(::getpid());
    if (request.modules) readPerProcessList(snap, pid, "modules", [&] { snap.modules = readModules(pid); });
    if (request.heapLists) readPerProcessList(snap, pid, "heaplist", [&] { snap.heapLists = listHeaps(pid); });
    return snap;
  }

  HostInfo host() override { return linuxHostInfo(); }
  bool elevated() override { return ::geteuid() == 0; }

  std::vector<MemoryRegion> memoryRegions(int pid) override { return readMemoryRegions(pid); }
  ProcessMemory processMemory(int pid) override { return readProcessMemory(pid); }
  MemoryMap memoryMap(int pid) override { return readMemoryMap(pid); }

  HeapWalkResult walkHeaps(const HeapWalkRequest& request, const ProgressFn& progress,
                           const std::atomic<bool>& cancel) override {
    return procfs::walkHeaps(request, progress, cancel);
  }

  std::unique_ptr<WsWatch> startWatch(const WatchRequest& request) override { return procfs::startWatch(request); }
  std::unique_ptr<AllocTrace> startAllocTrace(const AllocTraceRequest& request) override {
    return procfs::allocs::startAllocTrace(request);
  }

  std::vector<SymbolInfo> symbolize(int pid, const std::vector<uint64_t>& addresses) override {
    return fromSymbolBatch(procfs::symbolizeBatch(pid, addresses));
  }
  LeakScanResult scanLeaks(const LeakScanRequest& request, const ProgressFn& progress, const std::atomic<bool>& cancel) override {
    return procfs::scanLeaks(request, progress, cancel);
  }
  std::vector<uint8_t> readMemory(int pid, uint64_t address, size_t size) override { return procfs::readMemory(pid, address, size); }
  SymbolBatch symbolizeBatch(int pid, const std::vector<uint64_t>& addresses) override {
    return procfs::symbolizeBatch(pid, addresses);
  }

 private:
  UserNames users_;  // shared by concurrent snapshots; guarded inside
};

}  // namespace
}  // namespace procfs

std::unique_ptr<Backend> makeBackend() { return std::make_unique<procfs::LinuxBackend>(); }

}  // namespace snapscope
