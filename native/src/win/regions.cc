// The address space of a process (VirtualQueryEx), classified for fault attribution: images (with
// their module paths), heaps (the reservations the heap list starts), thread stacks (each thread's
// TEB says where its stack is), mapped files, and the rest anonymous.
#include <map>
#include <unordered_map>

#include "ntdll.h"
#include "parts.h"
#include "process_handle.h"
#include "text.h"
#include "win_errors.h"

namespace snapscope::win {
namespace {

bool isSelf(int pid) { return static_cast<DWORD>(pid) == ::GetCurrentProcessId(); }

// "rw-p" as in /proc/PID/maps: the last letter is "s" for a shared section mapped without
// copy-on-write, "p" for everything private (images are mapped copy-on-write).
std::string permissions(const MEMORY_BASIC_INFORMATION& m) {
  const DWORD protect = m.State == MEM_COMMIT ? (m.Protect & 0xff) : 0;  // reserved pages have none
  const bool read = protect & (PAGE_READONLY | PAGE_READWRITE | PAGE_WRITECOPY | PAGE_EXECUTE_READ |
                               PAGE_EXECUTE_READWRITE | PAGE_EXECUTE_WRITECOPY);
  const bool write = protect & (PAGE_READWRITE | PAGE_WRITECOPY | PAGE_EXECUTE_READWRITE | PAGE_EXECUTE_WRITECOPY);
  const bool execute = protect & (PAGE_EXECUTE | PAGE_EXECUTE_READ | PAGE_EXECUTE_READWRITE | PAGE_EXECUTE_WRITECOPY);
  const bool copyOnWrite = protect & (PAGE_WRITECOPY | PAGE_EXECUTE_WRITECOPY);
  const bool shared = m.Type == MEM_MAPPED && !copyOnWrite;
  return {read ? 'r' : '-', write ? 'w' : '-', execute ? 'x' : '-', shared ? 's' : 'p'};
}

// GetMappedFileName answers with NT paths: "\Device\HarddiskVolume3\…" on Windows, "\??\C:\…"
// under Wine. Both become "C:\…", the form Tool Help gives module paths in.
class DosPaths {
 public:
  DosPaths() {
    wchar_t drive[] = L"A:";
    wchar_t target[MAX_PATH];
    for (wchar_t letter = L'A'; letter <= L'Z'; ++letter) {
      drive[0] = letter;
      if (::QueryDosDeviceW(drive, target, MAX_PATH)) devices_.emplace_back(target, drive);
    }
  }

  std::wstring convert(std::wstring path) const {
    if (path.rfind(L"\\??\\", 0) == 0) return path.substr(4);
    for (const auto& [device, drive] : devices_) {
      if (path.size() > device.size() && path.compare(0, device.size(), device) == 0 && path[device.size()] == L'\\')
        return drive + path.substr(device.size());
    }
    return path;
  }

 private:
  std::vector<std::pair<std::wstring, std::wstring>> devices_;  // "\Device\HarddiskVolume3" -> "C:"
};

std::string mappedFileName(HANDLE process, const void* address, const DosPaths& dos) {
  wchar_t name[MAX_PATH * 2];
  DWORD length = ::GetMappedFileNameW(process, const_cast<void*>(address), name, MAX_PATH * 2);
  while (length > 0 && name[length - 1] == L'\0') --length;  // Wine counts the terminator
  return length ? toUtf8(dos.convert(std::wstring(name, length))) : std::string();
}

struct StackBounds {
  int tid;
  uint64_t limit, base;  // [limit, base): the committed part; the reservation below it is found by address
};

bool readPointers(HANDLE process, uint64_t address, void* out, size_t bytes) {
  SIZE_T done = 0;
  return ::ReadProcessMemory(process, reinterpret_cast<const void*>(address), out, bytes, &done) && done == bytes;
}

// Each thread's stack from its TEB: NT_TIB.StackBase / StackLimit (and for a 32-bit process on
// 64-bit Windows also the 32-bit TEB's, 0x2000 after the 64-bit one). One TH32CS_SNAPTHREAD
// snapshot (system-wide) and, per thread, OpenThread + NtQueryInformationThread + two reads.
std::vector<StackBounds> threadStacks(HANDLE process, int pid) {
  std::vector<StackBounds> stacks;
  auto query = nt::ntdll().queryInformationThread;
  ToolhelpSnapshot snapshot;
  if (!query || snapshot.open(TH32CS_SNAPTHREAD, 0)) return stacks;  // stacks stay "anon": not worth failing over
  BOOL wow64 = FALSE;
  ::IsWow64Process(process, &wow64);
  snapshot.forEachThread([&](const THREADENTRY32& t) {
    if (t.th32OwnerProcessID != static_cast<DWORD>(pid)) return;
    UniqueHandle thread(::OpenThread(THREAD_QUERY_INFORMATION, FALSE, t.th32ThreadID));
    if (!thread) thread.reset(::OpenThread(THREAD_QUERY_LIMITED_INFORMATION, FALSE, t.th32ThreadID));
    nt::ThreadBasicInformation basic{};
    if (!thread) return;
    if (query(thread.get(), nt::kThreadBasicInformation, &basic, sizeof basic, nullptr) != nt::kStatusSuccess) return;
    const uint64_t teb = reinterpret_cast<uintptr_t>(basic.tebBaseAddress);
    const int tid = static_cast<int>(t.th32ThreadID);
    uintptr_t tib[3] = {};  // ExceptionList, StackBase, StackLimit
    if (teb && readPointers(process, teb, tib, sizeof tib)) stacks.push_back({tid, tib[2], tib[1]});
    uint32_t tib32[3] = {};
    if (wow64 && teb && readPointers(process, teb + 0x2000, tib32, sizeof tib32))
      stacks.push_back({tid, tib32[2], tib32[1]});
  });
  return stacks;
}

}  // namespace

uint64_t reservationSpan(HANDLE process, uint64_t base) {
  uint64_t span = 0;
  MEMORY_BASIC_INFORMATION m;
  for (uint64_t address = base; ::VirtualQueryEx(process, reinterpret_cast<const void*>(address), &m, sizeof m);
       address += m.RegionSize) {
    if (m.State == MEM_FREE || reinterpret_cast<uintptr_t>(m.AllocationBase) != base) break;
    span += m.RegionSize;
  }
  return span;
}

std::vector<MemoryRegion> readMemoryRegions(int pid) {
  // VM_READ is for the TEBs (stacks); without it the regions are still listed.
  UniqueHandle process;
  try {
    process = openProcess(pid, PROCESS_QUERY_INFORMATION | PROCESS_VM_READ, "regions");
  } catch (const OsError& e) {
    if (e.code != winErrorName(ERROR_ACCESS_DENIED)) throw;
    process = openProcess(pid, PROCESS_QUERY_INFORMATION, "regions");
  }

  // Module paths by base, and heap bases, from one per-process snapshot. A failed snapshot (a
  // process still starting gives ERROR_PARTIAL_COPY) leaves GetMappedFileName to name images.
  std::map<uint64_t, std::string> modulePaths;
  std::unordered_map<uint64_t, bool> heapBases;
  ToolhelpSnapshot snapshot;
  const bool heapsFromSnapshot = heapListNeedsSnapshot(pid);
  const DWORD flags = TH32CS_SNAPMODULE | TH32CS_SNAPMODULE32 | (heapsFromSnapshot ? TH32CS_SNAPHEAPLIST : 0);
  if (snapshot.open(flags, static_cast<DWORD>(pid)) == 0) {
    snapshot.forEachModule([&](const MODULEENTRY32W& m) {
      modulePaths[reinterpret_cast<uintptr_t>(m.modBaseAddr)] = toUtf8(m.szExePath);
    });
    if (heapsFromSnapshot) snapshot.forEachHeapList([&](const HEAPLIST32& h) { heapBases[h.th32HeapID] = true; });
  }
  if (isSelf(pid)) {
    for (HANDLE heap : ownHeapHandles()) heapBases[reinterpret_cast<uintptr_t>(heap)] = true;
  }

  const DosPaths dos;
  std::vector<MemoryRegion> regions;
  std::vector<uint64_t> allocationBases;  // parallel to regions: how stacks find their reservation
  std::unordered_map<uint64_t, std::string> mappedNames;  // by allocation base: one query per view
  MEMORY_BASIC_INFORMATION m;
  for (uint64_t address = 0; ::VirtualQueryEx(process.get(), reinterpret_cast<const void*>(address), &m, sizeof m);
       address = reinterpret_cast<uintptr_t>(m.BaseAddress) + m.RegionSize) {
    if (m.State == MEM_FREE) continue;
    const uint64_t allocationBase = reinterpret_cast<uintptr_t>(m.AllocationBase);
    MemoryRegion r;
    r.start = reinterpret_cast<uintptr_t>(m.BaseAddress);
    r.end = r.start + m.RegionSize;
    r.perms = permissions(m);
    if (m.Type == MEM_IMAGE || m.Type == MEM_MAPPED) {
      r.kind = m.Type == MEM_IMAGE ? "image" : "other";
      auto module = modulePaths.find(allocationBase);
      if (module != modulePaths.end()) {
        r.path = module->second;
      } else {
        auto cached = mappedNames.find(allocationBase);
        if (cached == mappedNames.end())
          cached = mappedNames.emplace(allocationBase, mappedFileName(process.get(), m.AllocationBase, dos)).first;
        r.path = cached->second;
      }
    } else {
      r.kind = heapBases.count(allocationBase) ? "heap" : "anon";
    }
    regions.push_back(std::move(r));
    allocationBases.push_back(allocationBase);
  }

  // A stack is its whole reservation (committed part, guard page and the reserve below).
  for (const StackBounds& stack : threadStacks(process.get(), pid)) {
    uint64_t reservation = 0;
    for (size_t i = 0; i < regions.size(); ++i)
      if (stack.base > regions[i].start && stack.base <= regions[i].end) reservation = allocationBases[i];
    if (reservation == 0) continue;
    for (size_t i = 0; i < regions.size(); ++i) {
      if (allocationBases[i] != reservation || regions[i].kind == "image") continue;
      regions[i].kind = "stack";
      regions[i].tid = stack.tid;
    }
  }
  return regions;
}

}  // namespace snapscope::win
