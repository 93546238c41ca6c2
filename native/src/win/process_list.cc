// Processes and threads from one system-wide Tool Help snapshot (TH32CS_SNAPPROCESS |
// TH32CS_SNAPTHREAD), so the two lists describe the same instant and agree with each other.
#include "parts.h"
#include "process_handle.h"
#include "text.h"
#include "win_errors.h"

namespace snapscope::win {

SystemSnapshot readProcessesAndThreads(const SnapshotRequest& request, AccountNames& accounts) {
  SystemSnapshot out;
  if (request.pid >= 0) requireProcess(request.pid, "process");
  if (!request.processes && !request.threads) return out;

  // TH32CS_SNAPTHREAD always covers the whole system (its pid argument is ignored), which is what
  // the contract's thread list is anyway.
  const DWORD flags = (request.processes ? TH32CS_SNAPPROCESS : 0) | (request.threads ? TH32CS_SNAPTHREAD : 0);
  ToolhelpSnapshot snapshot;
  if (DWORD error = snapshot.open(flags, 0))
    throw winError(error, -1, "process", "cannot take a Tool Help snapshot of the processes and threads");

  if (request.threads) {
    out.threads.reserve(4096);
    DWORD error = snapshot.forEachThread([&](const THREADENTRY32& t) {
      out.threads.push_back(ThreadInfo{static_cast<int>(t.th32ThreadID), static_cast<int>(t.th32OwnerProcessID),
                                       static_cast<int>(t.tpBasePri), static_cast<int>(t.tpDeltaPri)});
    });
    if (error) throw winError(error, -1, "threads", "cannot read the threads of the Tool Help snapshot");
  }

  if (request.processes) {
    out.processes.reserve(512);
    DWORD error = snapshot.forEachProcess([&](const PROCESSENTRY32W& p) {
      ProcessInfo info;
      info.pid = static_cast<int>(p.th32ProcessID);
      info.parentPid = static_cast<int>(p.th32ParentProcessID);
      info.exeFile = toUtf8(p.szExeFile);
      info.name = info.exeFile;  // Windows has no separate short name
      info.threadCount = static_cast<int>(p.cntThreads);
      info.basePriority = static_cast<int>(p.pcPriClassBase);
      out.processes.push_back(std::move(info));
    });
    if (error) throw winError(error, -1, "process", "cannot read the processes of the Tool Help snapshot");
    // After the walk: the extras open each process, which takes far longer than reading an entry.
    for (ProcessInfo& info : out.processes) readProcessExtras(info, accounts, out.errors);
  }
  return out;
}

}  // namespace snapscope::win
