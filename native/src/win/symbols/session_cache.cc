#include "session_cache.h"

#include "../process_handle.h"
#include "../win_errors.h"

namespace snapscope::win::symbols {
namespace {

// Each session holds a process handle and dbghelp's tables of that process's modules.
constexpr size_t kMaxSessions = 8;

}  // namespace

Session& SessionCache::get(int pid, bool& fresh) {
  UniqueHandle process = openProcess(pid, PROCESS_QUERY_INFORMATION | PROCESS_VM_READ, "symbols");
  FILETIME created{}, exited{}, kernel{}, user{};
  if (!::GetProcessTimes(process.get(), &created, &exited, &kernel, &user))
    throw winError(::GetLastError(), pid, "symbols", "cannot read the start time of process " + std::to_string(pid));
  const uint64_t createdAt = (uint64_t{created.dwHighDateTime} << 32) | created.dwLowDateTime;
  for (auto it = entries_.begin(); it != entries_.end(); ++it) {
    if (it->pid != pid) continue;
    if (it->created == createdAt) {
      entries_.splice(entries_.begin(), entries_, it);
      fresh = false;
      return *entries_.front().session;
    }
    entries_.erase(it);  // that process has exited; the pid is another one's now
    break;
  }
  auto session = std::make_unique<Session>(std::move(process), pid);
  entries_.push_front(Entry{pid, createdAt, std::move(session)});
  if (entries_.size() > kMaxSessions) entries_.pop_back();
  fresh = true;
  return *entries_.front().session;
}

}  // namespace snapscope::win::symbols
