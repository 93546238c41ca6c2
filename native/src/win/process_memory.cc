// The details pane's memory figures of one process, from one read of its memory counters:
// NtQueryInformationProcess(ProcessVmCounters) into VM_COUNTERS_EX.
//   private bytes   PrivateUsage: the commit charge of its private memory (Task Manager's "Commit size",
//                   Process Explorer's "Private Bytes")
//   peak / working set   PeakWorkingSetSize / WorkingSetSize
//   virtual size    VirtualSize: the address space reserved or committed, as Linux's VmSize.
// GetProcessMemoryInfo is a wrapper of this query that leaves the virtual sizes out (and PagefileUsage
// is no substitute: it is the commit charge again, the same number as PrivateUsage, not address space).
// Wine 8's wrapper also leaves PrivateUsage out (it answers cb = sizeof(PROCESS_MEMORY_COUNTERS) and
// 0), while its query fills VM_COUNTERS_EX whole: the query is the one source on both.
#include "ntdll.h"
#include "parts.h"
#include "process_handle.h"
#include "win_errors.h"

namespace snapscope::win {

ProcessMemory readProcessMemory(int pid) {
  ProcessMemory memory;
  memory.pid = pid;
  if (pid == 0) return memory;  // the System Idle Process: a placeholder with no memory of its own
  // ProcessVmCounters needs no more than PROCESS_QUERY_LIMITED_INFORMATION, granted for nearly every process.
  const UniqueHandle process = openProcess(pid, PROCESS_QUERY_LIMITED_INFORMATION, "process");
  const std::string what = "cannot read the memory counters of process " + std::to_string(pid);
  auto query = nt::ntdll().queryInformationProcess;
  if (!query) throw winError(ERROR_PROC_NOT_FOUND, pid, "process", what + " (ntdll has no NtQueryInformationProcess)");
  nt::VmCountersEx counters{};
  const nt::NTSTATUS status = query(process.get(), nt::kProcessVmCounters, &counters, sizeof counters, nullptr);
  if (status != nt::kStatusSuccess) throw winError(nt::statusToWin32(status), pid, "process", what);
  memory.privateBytes = counters.privateUsage;
  memory.peakWorkingSetBytes = counters.peakWorkingSetSize;
  memory.workingSetBytes = counters.workingSetSize;
  memory.virtualBytes = counters.virtualSize;
  return memory;
}

}  // namespace snapscope::win
