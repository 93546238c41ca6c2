// The memory map of a process (VMMap's view): the classified regions of regions.cc (VirtualQueryEx),
// each with the pages of it in the working set (resident) and those of them not shared with another
// process (private), from QueryWorkingSetEx asked about every committed page, a batch at a time.
// The pagefile's share is not known per region: swapBytes stays 0.
#include <algorithm>

#include "win32.h"

#include "parts.h"
#include "process_handle.h"
#include "win_errors.h"

namespace snapscope::win {
namespace {

constexpr size_t kBatchPages = 16 * 1024;  // 256 KiB of answers per call

MemoryKind kindOf(const MemoryRegion& r) {
  if (r.kind == "image") return MemoryKind::Image;
  if (r.kind == "heap") return MemoryKind::Heap;
  if (r.kind == "stack") return MemoryKind::Stack;
  // regions.cc calls a mapped view "other": a file's, or a section backed by the pagefile (no name)
  if (r.kind == "other") return r.path.empty() ? MemoryKind::Anon : MemoryKind::MappedFile;
  return r.perms.size() > 2 && r.perms[2] == 'x' ? MemoryKind::Jit : MemoryKind::Anon;
}

}  // namespace

MemoryMap readMemoryMap(int pid) {
  MemoryMap map;
  map.pid = pid;
  if (pid == 0) return map;  // the System Idle Process has no memory of its own
  const std::vector<MemoryRegion> regions = readMemoryRegions(pid);
  const UniqueHandle process = openProcess(pid, PROCESS_QUERY_INFORMATION | PROCESS_VM_READ, "memorymap");
  // Wine answers the working-set query of its own process only through the pseudo-handle
  // (ERROR_INVALID_PARAMETER for a real handle); Windows takes either.
  const HANDLE target = static_cast<DWORD>(pid) == ::GetCurrentProcessId() ? ::GetCurrentProcess() : process.get();
  SYSTEM_INFO system;
  ::GetSystemInfo(&system);
  const uint64_t page = system.dwPageSize;
  std::vector<PSAPI_WORKING_SET_EX_INFORMATION> batch;
  for (const MemoryRegion& r : regions) {
    MemoryMapRegion out;
    out.start = r.start;
    out.end = r.end;
    out.kind = kindOf(r);
    out.perms = r.perms;
    out.path = r.path;
    // Reserved pages ("---p") are never in the working set: only committed ones are asked about.
    for (uint64_t at = r.perms == "---p" ? r.end : r.start; at < r.end;) {
      const size_t n = static_cast<size_t>(std::min<uint64_t>((r.end - at) / page, kBatchPages));
      batch.assign(n, {});
      for (size_t i = 0; i < n; ++i) batch[i].VirtualAddress = reinterpret_cast<void*>(at + i * page);
      if (!::QueryWorkingSetEx(target, batch.data(), static_cast<DWORD>(n * sizeof batch[0])))
        throw winError(::GetLastError(), pid, "memorymap", "cannot query the working set of process " + std::to_string(pid));
      for (const auto& info : batch) {
        if (!info.VirtualAttributes.Valid) continue;
        out.residentBytes += page;
        if (!info.VirtualAttributes.Shared) out.privateBytes += page;
      }
      at += n * page;
    }
    map.regions.push_back(std::move(out));
  }
  return map;
}

}  // namespace snapscope::win
