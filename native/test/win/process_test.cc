// Snapshots of real processes: this one and a child it starts (this exe with --child).
#include "../../src/win/parts.h"
#include "../../src/win/ntdll.h"
#include "../../src/win/unique_handle.h"
#include "check.h"

using namespace snapscope;
using namespace snapscope::win;

namespace {

// The idle child, terminated when the test ends, however it ends.
class Child {
 public:
  Child() {
    wchar_t exe[MAX_PATH];
    ::GetModuleFileNameW(nullptr, exe, MAX_PATH);
    std::wstring command = L"\"" + std::wstring(exe) + L"\" --child";
    STARTUPINFOW startup{};
    startup.cb = sizeof startup;
    PROCESS_INFORMATION info{};
    if (::CreateProcessW(exe, command.data(), nullptr, nullptr, FALSE, 0, nullptr, nullptr, &startup, &info)) {
      process_.reset(info.hProcess);
      UniqueHandle thread(info.hThread);
      pid_ = static_cast<int>(info.dwProcessId);
      ::WaitForInputIdle(info.hProcess, 2000);
      ::Sleep(300);  // its loader has mapped the modules by now
    }
  }
  ~Child() {
    if (process_) {
      ::TerminateProcess(process_.get(), 0);
      ::WaitForSingleObject(process_.get(), 5000);
    }
  }
  int pid() const { return pid_; }

 private:
  UniqueHandle process_;
  int pid_ = 0;
};

const ProcessInfo* find(const SystemSnapshot& s, int pid) {
  for (const ProcessInfo& p : s.processes)
    if (p.pid == pid) return &p;
  return nullptr;
}

int threadsOf(const SystemSnapshot& s, int pid) {
  int n = 0;
  for (const ThreadInfo& t : s.threads) n += t.ownerPid == pid;
  return n;
}

bool hasModule(const std::vector<ModuleInfo>& modules, const char* name, uint64_t* base = nullptr) {
  for (const ModuleInfo& m : modules) {
    if (_stricmp(m.moduleName.c_str(), name) != 0) continue;
    if (base) *base = m.baseAddress;
    return m.baseAddress != 0 && m.baseSize >= 4096 && m.baseSize < (1ull << 32) && !m.exePath.empty();
  }
  return false;
}

}  // namespace

TEST(process_snapshot_sees_itself_and_its_child) {
  Child child;
  CHECK(child.pid() > 0);
  auto backend = makeBackend();
  const int self = static_cast<int>(::GetCurrentProcessId());
  SystemSnapshot s = backend->snapshot(SnapshotRequest{true, true, false, false, -1});
  const ProcessInfo* me = find(s, self);
  const ProcessInfo* kid = find(s, child.pid());
  CHECK(me != nullptr);
  CHECK(kid != nullptr);
  if (!me || !kid) return;
  CHECK_EQ(kid->parentPid, self);
  CHECK_EQ(_stricmp(kid->exeFile.c_str(), "snapscope_win_tests.exe"), 0);
  CHECK_EQ(me->threadCount, threadsOf(s, self));
  CHECK_EQ(kid->threadCount, threadsOf(s, child.pid()));
  CHECK(kid->threadCount >= 1);
  CHECK(kid->exePath.find("snapscope_win_tests.exe") != std::string::npos);
  CHECK_EQ(kid->cmdline.size(), size_t{2});
  if (kid->cmdline.size() == 2) CHECK_EQ(kid->cmdline[1], std::string("--child"));
  CHECK(!kid->user.empty());
  CHECK(kid->startTimeMs > 1.6e12);  // after 2020: a real clock, converted from FILETIME
  CHECK(kid->workingSetBytes > 0);
}

TEST(process_modules_of_self_and_child) {
  Child child;
  auto backend = makeBackend();
  for (int pid : {-1, child.pid()}) {
    SystemSnapshot s = backend->snapshot(SnapshotRequest{false, false, true, false, pid});
    CHECK(s.errors.empty());
    uint64_t ntdll = 0, kernel32 = 0;
    CHECK(hasModule(s.modules, "ntdll.dll", &ntdll));
    CHECK(hasModule(s.modules, "kernel32.dll", &kernel32));
    CHECK(hasModule(s.modules, "snapscope_win_tests.exe"));
    CHECK(ntdll != kernel32);
    CHECK(ntdll < (1ull << 47));  // user space
  }
}

TEST(process_that_does_not_exist_is_error_invalid_parameter) {
  auto backend = makeBackend();
  const int ghost = 0x7ffffff0;
  CHECK_OS_ERROR(backend->snapshot(SnapshotRequest{true, false, false, false, ghost}), "ERROR_INVALID_PARAMETER");
  try {
    backend->snapshot(SnapshotRequest{false, false, true, false, ghost});
  } catch (const OsError& e) {
    CHECK_EQ(e.pid, ghost);
    CHECK(std::string(e.what()).find(std::to_string(ghost)) != std::string::npos);
  }
  CHECK_OS_ERROR(backend->memoryRegions(ghost), "ERROR_INVALID_PARAMETER");
  std::atomic<bool> cancel{false};
  HeapWalkRequest walk;
  walk.pid = ghost;
  CHECK_OS_ERROR(backend->walkHeaps(walk, nullptr, cancel), "ERROR_INVALID_PARAMETER");
  WatchRequest watch;
  watch.pid = ghost;
  CHECK_OS_ERROR(backend->startWatch(watch), "ERROR_INVALID_PARAMETER");
}

TEST(process_heap_lists_of_self_and_child) {
  Child child;
  auto backend = makeBackend();
  SystemSnapshot own = backend->snapshot(SnapshotRequest{false, false, false, true, -1});
  CHECK(own.errors.empty());
  int defaults = 0;
  for (const HeapListInfo& h : own.heapLists) {
    defaults += h.isDefault;
    CHECK(h.walkable);
    CHECK(h.size > 0);
  }
  CHECK_EQ(defaults, 1);
  CHECK(own.heapLists.size() >= 1);

  SystemSnapshot other = backend->snapshot(SnapshotRequest{false, false, true, true, child.pid()});
  if (nt::runningUnderWine()) {
    // Heap32ListNext is a Wine stub: the list is refused, never attempted; the modules still come.
    CHECK_EQ(other.errors.size(), size_t{1});
    if (!other.errors.empty()) {
      CHECK_EQ(other.errors[0].scope, std::string("heaplist"));
      CHECK_EQ(other.errors[0].code, std::string("ERROR_CALL_NOT_IMPLEMENTED"));
    }
    CHECK(!other.modules.empty());
  } else {
    CHECK(other.errors.empty());
    CHECK(!other.heapLists.empty());
  }
}

TEST(host_is_win32_toolhelp) {
  HostInfo host = makeBackend()->host();
  CHECK_EQ(host.os, std::string("win32"));
  CHECK_EQ(host.backend, std::string("win32-toolhelp"));
  CHECK_EQ(host.arch, std::string("x64"));
  CHECK(!host.hostname.empty());
}

namespace {

ProcessMemory memoryOf(int pid) { return makeBackend()->processMemory(pid); }

uint64_t value(const std::optional<uint64_t>& figure) { return figure.value_or(0); }

bool within(uint64_t a, uint64_t b, uint64_t slack) { return (a > b ? a - b : b - a) <= slack; }

// The figures as GetProcessMemoryInfo says them, read right after: PagefileUsage is documented as the
// same commit charge as PrivateUsage (which Wine 8's GetProcessMemoryInfo leaves 0).
void checkAgainstPsapi(const ProcessMemory& memory) {
  UniqueHandle process(::OpenProcess(PROCESS_QUERY_LIMITED_INFORMATION, FALSE, static_cast<DWORD>(memory.pid)));
  PROCESS_MEMORY_COUNTERS counters{};
  CHECK(process && ::GetProcessMemoryInfo(process.get(), &counters, sizeof counters));
  constexpr uint64_t kSlack = 256 << 10;  // what the process may have touched between the two reads
  CHECK(within(value(memory.privateBytes), counters.PagefileUsage, kSlack));
  CHECK(within(value(memory.workingSetBytes), counters.WorkingSetSize, kSlack));
  CHECK(within(value(memory.peakWorkingSetBytes), counters.PeakWorkingSetSize, kSlack));
  CHECK(value(memory.peakWorkingSetBytes) >= value(memory.workingSetBytes));
  CHECK(value(memory.virtualBytes) > value(memory.privateBytes));
}

}  // namespace

TEST(process_memory_of_self_grows_by_what_it_commits_and_touches) {
  const int self = static_cast<int>(::GetCurrentProcessId());
  const ProcessMemory before = memoryOf(self);
  CHECK_EQ(before.pid, self);
  CHECK(value(before.privateBytes) > 0);
  checkAgainstPsapi(before);

  constexpr uint64_t kBytes = 64 << 20;
  auto* block = static_cast<volatile char*>(::VirtualAlloc(nullptr, kBytes, MEM_RESERVE | MEM_COMMIT, PAGE_READWRITE));
  CHECK(block != nullptr);
  if (!block) return;
  for (uint64_t i = 0; i < kBytes; i += 4096) block[i] = 1;
  const ProcessMemory after = memoryOf(self);
  checkAgainstPsapi(after);
  ::VirtualFree(const_cast<char*>(block), 0, MEM_RELEASE);

  // About the block: nothing else is allocated on the way (1 MiB of slack).
  const uint64_t privateGrowth = value(after.privateBytes) - value(before.privateBytes);
  CHECK(privateGrowth >= kBytes && privateGrowth < kBytes + (1 << 20));
  CHECK(value(after.workingSetBytes) - value(before.workingSetBytes) >= kBytes - (1 << 20));
  // The peak holds the grown working set. Not "the peak grew by the block": an earlier test may have
  // peaked higher and freed it (dbghelp reading Wine's DWARF does).
  CHECK(value(after.peakWorkingSetBytes) >= value(after.workingSetBytes));
  CHECK(value(after.peakWorkingSetBytes) >= value(before.peakWorkingSetBytes));
  // Wine's VirtualSize is the VmSize of its Linux process, whose address space it reserved at start:
  // a VirtualAlloc does not change it there.
  if (!nt::runningUnderWine()) {
    const uint64_t virtualGrowth = value(after.virtualBytes) - value(before.virtualBytes);
    CHECK(virtualGrowth >= kBytes && virtualGrowth < kBytes + (1 << 20));
  }
}

TEST(process_memory_of_child_and_of_the_system_idle_process) {
  Child child;
  const ProcessMemory kid = memoryOf(child.pid());
  CHECK_EQ(kid.pid, child.pid());
  CHECK(value(kid.privateBytes) > 0);
  checkAgainstPsapi(kid);
  // The System Idle Process has no memory: no figures, and no error either.
  const ProcessMemory idle = memoryOf(0);
  CHECK(!idle.privateBytes && !idle.workingSetBytes && !idle.peakWorkingSetBytes && !idle.virtualBytes);
}

TEST(process_memory_of_a_pid_that_does_not_exist_or_has_exited) {
  const int ghost = 0x7ffffff0;
  CHECK_OS_ERROR(memoryOf(ghost), "ERROR_INVALID_PARAMETER");
  try {
    memoryOf(ghost);
  } catch (const OsError& e) {
    CHECK_EQ(e.pid, ghost);
    CHECK_EQ(e.scope, std::string("process"));
    CHECK(std::string(e.what()).find(std::to_string(ghost)) != std::string::npos);
  }
  // One that exited while a handle keeps its object: as gone as one that never was.
  int exited = 0;
  UniqueHandle keep;
  {
    Child child;
    exited = child.pid();
    keep = UniqueHandle(::OpenProcess(SYNCHRONIZE, FALSE, static_cast<DWORD>(exited)));
  }
  CHECK(static_cast<bool>(keep));
  CHECK_OS_ERROR(memoryOf(exited), "ERROR_INVALID_PARAMETER");
}
