// The details pane's memory figures of one process: its memory counters.
//   private bytes   PROCESS_MEMORY_COUNTERS_EX.PrivateUsage: the commit charge of its private memory
//                   (what Task Manager calls "Commit size" and Process Explorer "Private Bytes")
//   peak / working set   PeakWorkingSetSize / WorkingSetSize
//   virtual size    VM_COUNTERS.VirtualSize (NtQueryInformationProcess ProcessVmCounters): the address
//                   space reserved or committed, as Linux's VmSize. GetProcessMemoryInfo leaves it out,
//                   and its PagefileUsage is no substitute: that is the commit charge again (the same
//                   number as PrivateUsage), not the address space.
#include "ntdll.h"
#include "parts.h"
#include "process_handle.h"
#include "win_errors.h"

namespace snapscope::win {

ProcessMemory readProcessMemory(int pid) {
  ProcessMemory memory;
  memory.pid = pid;
  if (pid == 0) return memory;  // the System Idle Process: a placeholder with no memory of its own
  // Both queries need no more than PROCESS_QUERY_LIMITED_INFORMATION, granted for nearly every process.
  const UniqueHandle process = openProcess(pid, PROCESS_QUERY_LIMITED_INFORMATION, "process");
  const std::string what = "cannot read the memory counters of process " + std::to_string(pid);

  PROCESS_MEMORY_COUNTERS_EX counters{};
  counters.cb = sizeof counters;
  if (!::GetProcessMemoryInfo(process.get(), reinterpret_cast<PROCESS_MEMORY_COUNTERS*>(&counters), sizeof counters))
    throw winError(::GetLastError(), pid, "process", what);
  memory.privateBytes = counters.PrivateUsage;
  memory.peakWorkingSetBytes = counters.PeakWorkingSetSize;
  memory.workingSetBytes = counters.WorkingSetSize;

  auto query = nt::ntdll().queryInformationProcess;
  if (!query) throw winError(ERROR_PROC_NOT_FOUND, pid, "process", what + " (no NtQueryInformationProcess)");
  nt::VmCounters vm{};
  const nt::NTSTATUS status = query(process.get(), nt::kProcessVmCounters, &vm, sizeof vm, nullptr);
  if (status != nt::kStatusSuccess) throw winError(nt::statusToWin32(status), pid, "process", what);
  memory.virtualBytes = vm.virtualSize;
  return memory;
}

}  // namespace snapscope::win
