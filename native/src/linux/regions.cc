// The classified address space of a process, for attributing faults to a region: images, heap,
// thread stacks (found through each thread's stack pointer), other anonymous and special mappings.
#include <cerrno>
#include <cstddef>
#include <fcntl.h>
#include <cstdlib>
#include <string_view>

#include "fd.h"
#include "maps.h"
#include "parts.h"
#include "proc_reader.h"

namespace snapscope::procfs {
namespace {

// /proc/PID/task/TID/syscall ends with "… sp pc" (or is "running"): the stack pointer is the
// second-to-last field. 0 when unknown.
uint64_t stackPointer(ProcReader& reader, int taskDir, const char* tid) {
  std::string path = std::string(tid) + "/syscall";
  std::string_view text;
  if (reader.read(taskDir, path.c_str(), text) != 0) return 0;
  while (!text.empty() && (text.back() == '\n' || text.back() == ' ')) text.remove_suffix(1);
  size_t last = text.rfind(' ');
  if (last == std::string_view::npos) return 0;
  size_t prev = text.rfind(' ', last - 1);
  if (prev == std::string_view::npos) return 0;
  return std::strtoull(std::string(text.substr(prev + 1, last - prev - 1)).c_str(), nullptr, 16);
}

// The soft RLIMIT_STACK of the target ("Max stack size" in /proc/PID/limits): glibc's default size
// for a thread stack. 8 MiB when unreadable or unlimited.
uint64_t defaultStackSize(ProcReader& reader, int pid) {
  constexpr uint64_t kFallback = 8 << 20;
  std::string_view text;
  std::string path = "/proc/" + std::to_string(pid) + "/limits";
  if (reader.read(AT_FDCWD, path.c_str(), text) != 0) return kFallback;
  size_t at = text.find("Max stack size");
  if (at == std::string_view::npos) return kFallback;
  std::string line(text.substr(at + 14, text.find('\n', at) - at - 14));
  uint64_t value = std::strtoull(line.c_str(), nullptr, 10);
  return value > 0 ? value : kFallback;
}

const char* classify(const Mapping& m) {
  if (m.path == "[heap]") return "heap";
  if (m.path == "[stack]") return "stack";
  if (m.path == "[vdso]") return "image";
  if (m.inode != 0) return "image";
  if (m.path.empty() || m.path.rfind("[anon", 0) == 0) return "anon";
  return "other";
}

}  // namespace

std::vector<MemoryRegion> readMemoryRegions(int pid) {
  std::vector<Mapping> maps = readMaps(pid, "regions");
  std::vector<MemoryRegion> regions;
  regions.reserve(maps.size());
  for (const Mapping& m : maps) {
    MemoryRegion r;
    r.start = m.start;
    r.end = m.end;
    r.perms = m.perms;
    r.kind = classify(m);
    r.path = m.deleted ? m.path + " (deleted)" : m.path;
    if (r.kind == std::string("stack")) r.tid = pid;
    regions.push_back(std::move(r));
  }
  // Thread stacks are plain anonymous mappings; the one holding a thread's stack pointer is its stack.
  std::string taskPath = "/proc/" + std::to_string(pid) + "/task";
  Fd task = openAt(AT_FDCWD, taskPath.c_str(), O_RDONLY | O_DIRECTORY);
  if (!task) return regions;  // gone meanwhile: the maps we have still stand
  std::vector<char> listing(8 * 1024);
  DirReader dir(task.get(), listing);
  ProcReader reader;
  const uint64_t stackSize = defaultStackSize(reader, pid);
  while (const char* name = dir.next()) {
    if (name[0] < '0' || name[0] > '9') continue;
    uint64_t sp = stackPointer(reader, task.get(), name);
    if (sp == 0) continue;
    for (size_t i = 0; i < regions.size(); ++i) {
      MemoryRegion& r = regions[i];
      if (sp < r.start || sp >= r.end || r.kind != std::string("anon")) continue;
      // The kernel merges a thread stack with anonymous memory mapped right above it into one
      // mapping: claim only a default-sized stack from its bottom (above the guard page) when the
      // stack pointer lies inside that, and leave the rest anonymous.
      uint64_t top = r.start + stackSize;
      if (sp < top && top < r.end) {
        MemoryRegion rest = r;
        rest.start = top;
        r.end = top;
        r.kind = "stack";
        r.tid = std::atoi(name);
        regions.insert(regions.begin() + static_cast<std::ptrdiff_t>(i) + 1, std::move(rest));
      } else {
        r.kind = "stack";
        r.tid = std::atoi(name);
      }
      break;
    }
  }
  return regions;
}

}  // namespace snapscope::procfs
