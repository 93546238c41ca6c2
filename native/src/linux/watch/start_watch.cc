// startWatch for Linux: the mechanisms in the order of what they can see, each tried only when the
// one before is not allowed (or not available) here.
//   1. perf-page-faults       every fault: pc, va, tid, time (root, CAP_PERFMON, or paranoid <= 1)
//   2. perf-page-faults-user  the same minus faults taken inside the kernel (paranoid 2, own process)
//   3. pagemap-diff           pages that became resident, every ~50 ms; no pc, no tid, no lost count
// Rings are halved while mmap hits the locked-memory limit (inside 1 and 2).
// A named mechanism (not "auto") is tried alone, which is how the tests exercise the fallbacks as root.
#include <cerrno>
#include <climits>
#include <string>
#include <vector>

#include "../errno_name.h"
#include "../parts.h"
#include "pagemap_watch.h"
#include "perf_watch.h"
#include "watch_util.h"

namespace snapscope::procfs {
namespace {

enum class Mechanism { Auto, Perf, PerfUser, Pagemap };

Mechanism parseMechanism(const WatchRequest& request) {
  const std::string& name = request.mechanism;
  if (name.empty() || name == "auto") return Mechanism::Auto;
  if (name == "perf-page-faults") return Mechanism::Perf;
  if (name == "perf-page-faults-user") return Mechanism::PerfUser;
  if (name == "pagemap-diff") return Mechanism::Pagemap;
  throw OsError("EINVAL", request.pid, "watch",
                "unknown watch mechanism \"" + name +
                    "\" (known: auto, perf-page-faults, perf-page-faults-user, pagemap-diff)");
}

struct Failure {
  const char* mechanism;
  int err;
  std::string message;
};

bool notAllowed(int err) { return err == EACCES || err == EPERM; }

// What the user can do about "not allowed".
std::string advice() {
  const int paranoid = watch::perfParanoid();
  std::string now = paranoid == INT_MIN ? "" : " (it is " + std::to_string(paranoid) + " now)";
  return "to watch, run as root (or give node CAP_PERFMON), or lower /proc/sys/kernel/perf_event_paranoid to 2 or "
         "less" + now + " and watch a process of your own user; pagemap-diff also needs a process of your own user "
         "(or CAP_SYS_PTRACE)";
}

}  // namespace

std::unique_ptr<WsWatch> startWatch(const WatchRequest& request) {
  const int pid = request.pid;
  if (pid <= 0) throw OsError("EINVAL", pid, "watch", "cannot watch pid " + std::to_string(pid) + ": not a process id");
  const Mechanism wanted = parseMechanism(request);
  watch::checkTarget(pid);

  std::vector<Failure> failures;
  auto attempt = [&](Mechanism mechanism, const char* name, auto open) -> std::unique_ptr<WsWatch> {
    if (wanted != Mechanism::Auto && wanted != mechanism) return nullptr;
    try {
      return open();
    } catch (const watch::SysError& e) {
      if (e.err == ESRCH) {
        throw OsError("ESRCH", pid, "watch", "cannot watch pid " + std::to_string(pid) + ": no such process");
      }
      failures.push_back({name, e.err, e.what()});
      return nullptr;
    }
  };

  watch::PerfWatchOptions perf;
  perf.pid = pid;
  perf.ringBytes = request.ringBytes;
  perf.userOnly = false;
  if (auto w = attempt(Mechanism::Perf, "perf-page-faults", [&] { return watch::openPerfWatch(perf); })) return w;
  perf.userOnly = true;
  if (auto w = attempt(Mechanism::PerfUser, "perf-page-faults-user", [&] { return watch::openPerfWatch(perf); })) {
    return w;
  }
  if (auto w = attempt(Mechanism::Pagemap, "pagemap-diff", [&] { return watch::openPagemapWatch(pid); })) return w;

  // Nothing worked. The code is "not allowed" when that is why any mechanism failed, since that is
  // what the user can act on; otherwise the last mechanism's.
  int err = failures.empty() ? ENOSYS : failures.back().err;
  bool denied = false;
  for (const Failure& f : failures) {
    if (notAllowed(f.err) && !denied) {
      err = f.err;
      denied = true;
    }
  }
  std::string message = "cannot watch pid " + std::to_string(pid) + ": ";
  for (size_t i = 0; i < failures.size(); ++i) {
    if (i) message += "; ";
    message += failures[i].mechanism;
    message += ": ";
    message += failures[i].message;
  }
  if (denied) message += ". " + advice();
  throw OsError(errnoName(err), pid, "watch", message);
}

}  // namespace snapscope::procfs
