// Heap walks, by the fastest path that works for the target:
// - this process: HeapLock + HeapWalk per heap (local, O(n));
// - another process: one RtlQueryProcessDebugInformation of all its heap entries (O(n));
//   when that query is missing or fails, Heap32First/Heap32Next with a block budget (each call
//   re-reads the whole target: O(n^2));
// - under Wine only the first: the others are unimplemented stubs there that end the caller.
// stopTarget is not applied on Windows: every path reads a heap under its own lock, so each heap
// is consistent, while suspending the target could leave that lock held by a suspended thread and
// hang the query thread the remote paths inject.
#include <cstring>

#include "heap_blocks.h"
#include "ntdll.h"
#include "parts.h"
#include "process_handle.h"
#include "rtl_heap_query.h"
#include "text.h"
#include "win_errors.h"

namespace snapscope::win {
namespace {

// Heap32First/Heap32Next blocks per heap at most: past a few thousand, each further call costs a
// remote thread and a copy of the whole heap's entries.
constexpr uint64_t kHeap32BlockBudget = 4000;

bool isSelf(int pid) { return static_cast<DWORD>(pid) == ::GetCurrentProcessId(); }

// Not an OS code: the addon's own, the same on every OS, so callers can tell a cancel from a failure.
OsError cancelled(int pid) {
  return OsError("ECANCELED", pid, "heap", "the heap walk of process " + std::to_string(pid) + " was cancelled");
}

// Blocks collected while a heap of this process is locked. The walk must not allocate from the
// heap it is walking (the CRT's malloc is the process heap), so the storage comes from VirtualAlloc.
class VirtualBlockBuffer {
 public:
  VirtualBlockBuffer() = default;
  VirtualBlockBuffer(const VirtualBlockBuffer&) = delete;
  VirtualBlockBuffer& operator=(const VirtualBlockBuffer&) = delete;
  ~VirtualBlockBuffer() {
    if (data_) ::VirtualFree(data_, 0, MEM_RELEASE);
  }

  bool push(const RawBlock& block) noexcept {
    if (size_ == capacity_ && !grow()) return false;
    data_[size_++] = block;
    return true;
  }
  RawBlock* data() noexcept { return data_; }
  size_t size() const noexcept { return size_; }

 private:
  bool grow() noexcept {
    const size_t capacity = capacity_ ? capacity_ * 2 : 64 * 1024;
    void* memory = ::VirtualAlloc(nullptr, capacity * sizeof(RawBlock), MEM_COMMIT | MEM_RESERVE, PAGE_READWRITE);
    auto* data = static_cast<RawBlock*>(memory);
    if (!data) return false;
    if (data_) {
      std::memcpy(data, data_, size_ * sizeof(RawBlock));
      ::VirtualFree(data_, 0, MEM_RELEASE);
    }
    data_ = data;
    capacity_ = capacity;
    return true;
  }

  RawBlock* data_ = nullptr;
  size_t size_ = 0, capacity_ = 0;
};

class HeapLockGuard {
 public:
  explicit HeapLockGuard(HANDLE heap) : heap_(heap), locked_(::HeapLock(heap) != 0) {}
  HeapLockGuard(const HeapLockGuard&) = delete;
  HeapLockGuard& operator=(const HeapLockGuard&) = delete;
  ~HeapLockGuard() {
    if (locked_) ::HeapUnlock(heap_);
  }
  bool locked() const { return locked_; }

 private:
  HANDLE heap_;
  bool locked_;
};

// One heap of this process into `out`; nothing here allocates. Returns 0 or a Win32 code.
DWORD walkOwnHeap(HANDLE heap, VirtualBlockBuffer& out, const std::atomic<bool>& cancel) {
  HeapLockGuard lock(heap);
  // A heap that can't be locked (HEAP_NO_SERIALIZE) is not walked: its owner may be changing it.
  if (!lock.locked()) return ::GetLastError();
  PROCESS_HEAP_ENTRY entry{};
  entry.lpData = nullptr;
  size_t seen = 0;
  while (::HeapWalk(heap, &entry)) {
    if (entry.wFlags & (PROCESS_HEAP_REGION | PROCESS_HEAP_UNCOMMITTED_RANGE)) continue;  // address space, not blocks
    const BlockFlag flag = !(entry.wFlags & PROCESS_HEAP_ENTRY_BUSY)       ? BlockFlag::Free
                           : (entry.wFlags & PROCESS_HEAP_ENTRY_MOVEABLE) ? BlockFlag::Moveable
                                                                          : BlockFlag::Fixed;
    if (!out.push(RawBlock{reinterpret_cast<uintptr_t>(entry.lpData), entry.cbData, flag}))
      return ERROR_NOT_ENOUGH_MEMORY;
    if ((++seen & 4095) == 0 && cancel.load(std::memory_order_relaxed)) return ERROR_CANCELLED;
  }
  const DWORD end = ::GetLastError();
  return end == ERROR_NO_MORE_ITEMS ? 0 : end;
}

class Walk {
 public:
  Walk(const HeapWalkRequest& request, const ProgressFn& progress, const std::atomic<bool>& cancel)
      : request_(request), progress_(progress), cancel_(cancel) {
    result_.pid = request.pid;
    if (!request.heapId.empty() && !parseHexAddress(request.heapId, wanted_))
      throw OsError(winErrorName(ERROR_INVALID_PARAMETER), request.pid, "heap",
                    "heap id \"" + request.heapId + "\" is not an address (0x…)");
  }

  HeapWalkResult run() {
    const int pid = request_.pid;
    if (isSelf(pid)) {
      walkOwnHeaps();
    } else {
      requireProcess(pid, "heap");
      if (nt::runningUnderWine()) {
        throw OsError(winErrorName(ERROR_CALL_NOT_IMPLEMENTED), pid, "heap",
                      "walking the heaps of another process needs RtlQueryProcessDebugInformation or "
                      "Heap32First/Heap32Next, which Wine " + nt::wineVersion() +
                      " does not implement (ERROR_CALL_NOT_IMPLEMENTED); the inspector's own heaps can be walked");
      }
      walkOtherProcess();
    }
    if (request_.heapId.size() && result_.heaps.empty() && result_.errors.empty())
      throw OsError(winErrorName(ERROR_NOT_FOUND), pid, "heap",
                    "process " + std::to_string(pid) + " has no heap " + request_.heapId + " (ERROR_NOT_FOUND)");
    return std::move(result_);
  }

 private:
  bool wanted(uint64_t heap) const { return request_.heapId.empty() || heap == wanted_; }

  void checkCancel() const {
    if (cancel_.load(std::memory_order_relaxed)) throw cancelled(request_.pid);
  }

  void report(uint64_t scanned, uint64_t total, uint64_t blocks) const {
    if (progress_) progress_(WalkProgress{scanned, total, blocks});
  }

  void walkOwnHeaps() {
    std::vector<HANDLE> heaps;
    for (HANDLE heap : ownHeapHandles())
      if (wanted(reinterpret_cast<uintptr_t>(heap))) heaps.push_back(heap);
    // Progress in bytes of the heaps' first reservations: known before the walk, and cheap.
    std::vector<uint64_t> spans;
    uint64_t total = 0, scanned = 0;
    for (HANDLE heap : heaps)
      total += spans.emplace_back(reservationSpan(::GetCurrentProcess(), reinterpret_cast<uintptr_t>(heap)));

    VirtualBlockBuffer blocks;
    std::vector<size_t> ends;  // blocks of heap i: [ends[i-1], ends[i])
    ends.reserve(heaps.size());
    for (size_t i = 0; i < heaps.size(); ++i) {
      checkCancel();
      const DWORD error = walkOwnHeap(heaps[i], blocks, cancel_);
      if (error == ERROR_CANCELLED) throw cancelled(request_.pid);
      ends.push_back(blocks.size());
      if (error) {
        result_.errors.push_back(SnapshotErrorInfo{request_.pid, "heap", winErrorName(error),
            describeWinError("cannot walk heap " + hexAddress(reinterpret_cast<uintptr_t>(heaps[i])), error)});
      }
      report(scanned += spans[i], total, blocks.size());
    }
    for (size_t i = 0; i < heaps.size(); ++i) {
      RawBlock* begin = blocks.data() + (i ? ends[i - 1] : 0);
      result_.heaps.push_back(summarizeHeap(hexAddress(reinterpret_cast<uintptr_t>(heaps[i])), begin,
                                            blocks.data() + ends[i], request_.offset, request_.limit));
    }
  }

  void walkOtherProcess() {
    const nt::Ntdll& api = nt::ntdll();
    if (api.createQueryDebugBuffer && api.queryProcessDebugInformation && api.destroyQueryDebugBuffer) {
      try {
        return walkWithDebugQuery(api);
      } catch (const OsError& e) {
        if (e.code == "ECANCELED") throw;
        result_.errors.push_back(SnapshotErrorInfo{request_.pid, "heap", e.code,
                                                   std::string(e.what()) + "; falling back to Heap32First/Heap32Next"});
      }
    }
    walkWithHeap32();
  }

  void walkWithDebugQuery(const nt::Ntdll& api) {
    const int pid = request_.pid;
    struct Buffer {
      const nt::Ntdll& api;
      PVOID data;
      ~Buffer() {
        if (data) api.destroyQueryDebugBuffer(data);
      }
    } buffer{api, api.createQueryDebugBuffer(0, FALSE)};
    if (!buffer.data) throw winError(ERROR_NOT_ENOUGH_MEMORY, pid, "heap", "RtlCreateQueryDebugBuffer");
    const nt::NTSTATUS status = api.queryProcessDebugInformation(
        reinterpret_cast<HANDLE>(static_cast<uintptr_t>(pid)), rtl::kQueryHeapSummary | rtl::kQueryHeapEntries,
        buffer.data);
    if (status != nt::kStatusSuccess) {
      throw winError(nt::statusToWin32(status), pid, "heap",
                     "RtlQueryProcessDebugInformation(process " + std::to_string(pid) + ")");
    }
    const rtl::ProcessHeaps* heaps = static_cast<rtl::DebugInformation*>(buffer.data)->heaps;
    if (!heaps) throw winError(ERROR_PARTIAL_COPY, pid, "heap", "RtlQueryProcessDebugInformation returned no heaps");

    uint64_t total = 0, scanned = 0, blockCount = 0;
    for (ULONG i = 0; i < heaps->numberOfHeaps; ++i) total += heaps->heaps[i].bytesCommitted;
    for (ULONG i = 0; i < heaps->numberOfHeaps; ++i) {
      const rtl::HeapInformation& heap = heaps->heaps[i];
      const uint64_t base = reinterpret_cast<uintptr_t>(heap.baseAddress);
      if (!wanted(base)) continue;
      checkCancel();
      std::vector<RawBlock> blocks;
      blocks.reserve(heap.numberOfEntries);
      if (heap.entries) rtl::appendHeapBlocks(heap.entries, heap.numberOfEntries, heap.entryOverhead, blocks);
      blockCount += blocks.size();
      result_.heaps.push_back(summarizeHeap(hexAddress(base), blocks.data(), blocks.data() + blocks.size(),
                                            request_.offset, request_.limit));
      report(scanned += heap.bytesCommitted, total, blockCount);
    }
  }

  void walkWithHeap32() {
    const int pid = request_.pid;
    std::vector<uint64_t> ids;
    if (!request_.heapId.empty()) {
      ids.push_back(wanted_);
    } else {
      ToolhelpSnapshot snapshot;
      DWORD error = snapshot.open(TH32CS_SNAPHEAPLIST, static_cast<DWORD>(pid));
      if (!error) error = snapshot.forEachHeapList([&](const HEAPLIST32& h) { ids.push_back(h.th32HeapID); });
      if (error) throw winError(error, pid, "heap", "cannot list the heaps of process " + std::to_string(pid));
    }
    // Progress in bytes of the blocks walked; the total is unknown (0) until the walk ends.
    uint64_t blockCount = 0, bytes = 0;
    for (size_t i = 0; i < ids.size(); ++i) {
      std::vector<RawBlock> blocks;
      HEAPENTRY32 entry{};
      entry.dwSize = sizeof entry;
      bool stoppedEarly = false;
      if (::Heap32First(&entry, static_cast<DWORD>(pid), static_cast<ULONG_PTR>(ids[i]))) {
        do {
          const BlockFlag flag = entry.dwFlags == LF32_FREE       ? BlockFlag::Free
                                 : entry.dwFlags == LF32_MOVEABLE ? BlockFlag::Moveable
                                                                  : BlockFlag::Fixed;
          blocks.push_back(RawBlock{static_cast<uint64_t>(entry.dwAddress), entry.dwBlockSize, flag});
          bytes += entry.dwBlockSize;
          checkCancel();
          if ((blocks.size() & 63) == 0) report(bytes, 0, blockCount + blocks.size());
          if (blocks.size() >= kHeap32BlockBudget) {
            stoppedEarly = true;
            break;
          }
        } while (::Heap32Next(&entry));
      } else if (const DWORD error = ::GetLastError(); error != ERROR_NO_MORE_FILES) {
        result_.errors.push_back(SnapshotErrorInfo{
            pid, "heap", winErrorName(error), describeWinError("Heap32First(heap " + hexAddress(ids[i]) + ")", error)});
        continue;
      }
      blockCount += blocks.size();
      HeapWalk walk = summarizeHeap(hexAddress(ids[i]), blocks.data(), blocks.data() + blocks.size(),
                                    request_.offset, request_.limit);
      if (stoppedEarly) {
        walk.truncated = true;
        result_.errors.push_back(SnapshotErrorInfo{pid, "heap", winErrorName(ERROR_MORE_DATA),
            "heap " + hexAddress(ids[i]) + ": the Heap32First/Heap32Next walk stopped after " +
            std::to_string(blocks.size()) +
            " blocks (each call re-reads the whole heap); its summary covers those blocks only"});
      }
      result_.heaps.push_back(std::move(walk));
    }
    report(bytes, bytes, blockCount);
  }

  const HeapWalkRequest& request_;
  const ProgressFn& progress_;
  const std::atomic<bool>& cancel_;
  uint64_t wanted_ = 0;
  HeapWalkResult result_;
};

}  // namespace

HeapWalkResult walkHeaps(const HeapWalkRequest& request, const ProgressFn& progress, const std::atomic<bool>& cancel) {
  return Walk(request, progress, cancel).run();
}

}  // namespace snapscope::win
