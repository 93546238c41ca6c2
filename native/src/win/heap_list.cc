// The heaps of a process, as HEAPLIST32 describes them (id = the heap's base address, which is
// also its HANDLE inside the process), sized from the reservation their first segment lives in.
#include "ntdll.h"
#include "parts.h"
#include "text.h"
#include "unique_handle.h"
#include "win_errors.h"

namespace snapscope::win {
namespace {

bool isSelf(int pid) { return static_cast<DWORD>(pid) == ::GetCurrentProcessId(); }

HeapListInfo describeHeap(HANDLE process, int pid, uint64_t base, bool isDefault) {
  HeapListInfo heap;
  heap.pid = pid;
  heap.heapId = hexAddress(base);
  heap.isDefault = isDefault;
  heap.kind = "nt-heap";     // the NT heap manager (RtlAllocateHeap): HeapAlloc, malloc of the CRT, new
  heap.allocator = "ntdll";
  heap.baseAddress = base;
  heap.size = process ? reservationSpan(process, base) : 0;
  heap.walkable = true;
  return heap;
}

}  // namespace

std::vector<HANDLE> ownHeapHandles() {
  std::vector<HANDLE> heaps(16);
  for (;;) {
    const DWORD count = ::GetProcessHeaps(static_cast<DWORD>(heaps.size()), heaps.data());
    if (count <= heaps.size()) {
      heaps.resize(count);
      return heaps;
    }
    heaps.resize(count + 8);  // heaps created meanwhile: ask again with room to spare
  }
}

bool heapListNeedsSnapshot(int pid) { return !isSelf(pid) && !nt::runningUnderWine(); }

std::vector<HeapListInfo> listHeaps(const ToolhelpSnapshot& snapshot, int pid) {
  std::vector<HeapListInfo> heaps;
  if (isSelf(pid)) {
    // GetProcessHeaps is exact for this process and needs no snapshot (nor a remote thread).
    const HANDLE defaultHeap = ::GetProcessHeap();
    for (HANDLE heap : ownHeapHandles())
      heaps.push_back(describeHeap(::GetCurrentProcess(), pid, reinterpret_cast<uintptr_t>(heap), heap == defaultHeap));
    return heaps;
  }
  if (nt::runningUnderWine()) {
    throw OsError(winErrorName(ERROR_CALL_NOT_IMPLEMENTED), pid, "heaplist",
                  "the heap list of another process needs Heap32ListFirst/Heap32ListNext, which Wine " +
                      nt::wineVersion() + " does not implement (ERROR_CALL_NOT_IMPLEMENTED); " +
                      "the heaps of the inspector's own process are listed");
  }
  // VirtualQueryEx for the sizes; without it the list still stands, unsized.
  UniqueHandle process(::OpenProcess(PROCESS_QUERY_INFORMATION, FALSE, static_cast<DWORD>(pid)));
  const DWORD openError = process ? 0 : ::GetLastError();
  DWORD error = snapshot.forEachHeapList([&](const HEAPLIST32& entry) {
    HeapListInfo heap = describeHeap(process.get(), pid, entry.th32HeapID, (entry.dwFlags & HF32_DEFAULT) != 0);
    if (openError) heap.note = describeWinError("size unknown: cannot open the process", openError);
    heaps.push_back(std::move(heap));
  });
  if (error) throw winError(error, pid, "heaplist", "cannot list the heaps of process " + std::to_string(pid));
  return heaps;
}

}  // namespace snapscope::win
