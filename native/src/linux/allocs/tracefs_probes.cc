#include "tracefs_probes.h"

#include <fcntl.h>
#include <signal.h>
#include <sched.h>
#include <stdlib.h>
#include <sys/mount.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstring>
#include <functional>
#include <sstream>
#include <thread>

#include "../fd.h"
#include "../watch/watch_util.h"

namespace snapscope::procfs::allocs {
namespace {

std::atomic<unsigned> counter{0};

// Where tracefs is mounted in our namespace, "" when nowhere.
std::string mountedTracefs() {
  for (const char* dir : {"/sys/kernel/tracing", "/sys/kernel/debug/tracing"}) {
    const std::string probe = std::string(dir) + "/uprobe_events";
    if (::access(probe.c_str(), F_OK) == 0) return dir;
  }
  return "";
}

// Runs `work(tracefsDir)`; without a mounted tracefs, on a thread of its own that mounts one in a
// private mount namespace (gone with the thread). Returns 0 or the errno that kept it from running.
int withTracefs(const std::function<int(const std::string&)>& work) {
  const std::string mounted = mountedTracefs();
  if (!mounted.empty()) return work(mounted);
  int result = 0;
  std::thread helper([&] {
    // CLONE_FS too: a thread has its own root and cwd only once unshared from the process.
    if (::unshare(CLONE_FS | CLONE_NEWNS) != 0) {
      result = errno;
      return;
    }
    if (::mount("none", "/", nullptr, MS_REC | MS_PRIVATE, nullptr) != 0) {
      result = errno;
      return;
    }
    char dir[] = "/tmp/snapscope-tracefs-XXXXXX";
    if (!::mkdtemp(dir)) {
      result = errno;
      return;
    }
    if (::mount("nodev", dir, "tracefs", 0, nullptr) != 0) {
      result = errno;
    } else {
      result = work(dir);
      ::umount2(dir, MNT_DETACH);
    }
    ::rmdir(dir);
  });
  helper.join();
  return result;
}

int writeText(const std::string& path, const std::string& text) {
  Fd fd = openAt(AT_FDCWD, path.c_str(), O_WRONLY | O_APPEND);
  if (!fd) return errno;
  if (::write(fd.get(), text.data(), text.size()) != static_cast<ssize_t>(text.size())) return errno ? errno : EIO;
  return 0;
}

std::string readText(const std::string& path) {
  Fd fd = openAt(AT_FDCWD, path.c_str(), O_RDONLY);
  std::string text;
  if (!fd) return text;
  char buf[4096];
  ssize_t n;
  while ((n = ::read(fd.get(), buf, sizeof buf)) > 0) text.append(buf, static_cast<size_t>(n));
  return text;
}

// Our groups are snapscope_OWNERPID_N: those of an owner that is gone are removed.
void removeStale(const std::string& dir) {
  std::istringstream lines(readText(dir + "/uprobe_events"));
  std::string line;
  while (std::getline(lines, line)) {
    const size_t colon = line.find(':'), space = line.find(' ');
    if (colon == std::string::npos || space == std::string::npos) continue;
    const std::string event = line.substr(colon + 1, space - colon - 1);  // group/name
    if (event.rfind("snapscope_", 0) != 0) continue;
    const int owner = std::atoi(event.c_str() + std::strlen("snapscope_"));
    if (owner > 0 && (::kill(owner, 0) == 0 || errno != ESRCH)) continue;
    writeText(dir + "/uprobe_events", "-:" + event + "\n");
  }
}

}  // namespace

TracefsProbes::TracefsProbes(int pid, const AllocatorImage& image) {
  group_ = "snapscope_" + std::to_string(::getpid()) + "_" + std::to_string(counter++) + "_" + std::to_string(pid);
  std::string definitions;
  for (const ProbeSite& site : image.sites) {
    const std::string name = kAllocFunctions[static_cast<int>(site.fn)];
    char offset[32];
    std::snprintf(offset, sizeof offset, "0x%llx", static_cast<unsigned long long>(site.fileOffset));
    definitions += "p:" + group_ + "/" + name + " " + image.probePath + ":" + offset + "\n";
    names_.push_back(name);
    if (site.fn == AllocFn::Free) continue;
    definitions += "r:" + group_ + "/" + name + "_return " + image.probePath + ":" + offset + "\n";
    names_.push_back(name + "_return");
  }
  ids_.assign(2 * image.sites.size(), 0);
  const int err = withTracefs([&](const std::string& dir) {
    removeStale(dir);
    // One write per definition: the kernel parses a write as one command.
    std::istringstream lines(definitions);
    std::string line;
    while (std::getline(lines, line)) {
      if (int e = writeText(dir + "/uprobe_events", line + "\n")) return e;
    }
    for (size_t s = 0; s < image.sites.size(); ++s) {
      for (const bool isReturn : {false, true}) {
        if (isReturn && image.sites[s].fn == AllocFn::Free) continue;
        const std::string name = std::string(kAllocFunctions[static_cast<int>(image.sites[s].fn)]) + (isReturn ? "_return" : "");
        const std::string text = readText(dir + "/events/" + group_ + "/" + name + "/id");
        if (text.empty()) return errno ? errno : ENOENT;
        ids_[2 * s + (isReturn ? 1 : 0)] = std::strtoull(text.c_str(), nullptr, 10);
      }
    }
    return 0;
  });
  if (err) {
    remove();  // whatever was defined before the failure
    watch::throwSys(err, "defining the uprobes in tracefs's uprobe_events (" + image.path + ")");
  }
}

TracefsProbes::~TracefsProbes() { remove(); }

void TracefsProbes::remove() {
  if (names_.empty()) return;
  withTracefs([&](const std::string& dir) {
    for (const std::string& name : names_) writeText(dir + "/uprobe_events", "-:" + group_ + "/" + name + "\n");
    return 0;
  });
  names_.clear();
}

}  // namespace snapscope::procfs::allocs
