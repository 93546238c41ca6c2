// The memory map of a process (VMMap's view): /proc/PID/smaps, each mapping with its resident,
// private and swapped bytes, classified by what it holds. The sums over the mappings are what
// /proc/PID/smaps_rollup says (the kernel adds up the same per-mapping counters).
#include <cstdlib>
#include <set>
#include <string_view>
#include <utility>

#include "maps.h"
#include "parts.h"

namespace snapscope::procfs {
namespace {

// smaps is ~1 KiB a mapping; the kernel's default vm.max_map_count (65530) makes ~70 MiB at most.
constexpr size_t kMaxSmapsBytes = size_t{512} << 20;

// "Rss:                 123 kB" -> bytes; the value of a line named `name`, or false.
bool field(std::string_view line, std::string_view name, uint64_t& bytes) {
  if (line.size() <= name.size() || line.compare(0, name.size(), name) != 0 || line[name.size()] != ':') return false;
  bytes = std::strtoull(std::string(line.substr(name.size() + 1)).c_str(), nullptr, 10) * 1024;
  return true;
}

using Ranges = std::vector<std::pair<uint64_t, uint64_t>>;

bool overlaps(const Ranges& ranges, uint64_t start, uint64_t end) {
  for (const auto& [s, e] : ranges)
    if (s < end && start < e) return true;
  return false;
}

MemoryKind classify(const Mapping& m, const std::set<std::pair<unsigned long, uint64_t>>& images,
                    const Ranges& heaps, const Ranges& stacks) {
  if (m.path == "[heap]") return MemoryKind::Heap;
  if (m.path == "[stack]") return MemoryKind::Stack;
  if (m.path == "[vdso]") return MemoryKind::Image;
  if (m.inode != 0) {
    const unsigned long dev = (static_cast<unsigned long>(m.devMajor) << 20) | m.devMinor;
    return images.count({dev, m.inode}) ? MemoryKind::Image : MemoryKind::MappedFile;
  }
  if (!m.path.empty() && m.path.rfind("[anon", 0) != 0) return MemoryKind::Other;
  if (overlaps(stacks, m.start, m.end)) return MemoryKind::Stack;
  if (overlaps(heaps, m.start, m.end)) return MemoryKind::Heap;
  return m.perms[2] == 'x' ? MemoryKind::Jit : MemoryKind::Anon;
}

}  // namespace

MemoryMap readMemoryMap(int pid) {
  MemoryMap map;
  map.pid = pid;
  if (!hasUserMemory(pid, "memorymap")) return map;  // a kernel thread: no user memory
  // The arenas and large blocks of the heap list, and the stacks the threads' stack pointers lie in,
  // read first: finding the arenas reads the target's memory (libc's data), which faults its pages
  // in, and smaps, read after, then counts them as the kernel does from now on. (A mapping made or
  // freed between the reads keeps the kind it looks like.)
  Ranges heaps, stacks;
  try {
    for (const HeapListInfo& h : listHeaps(pid)) heaps.emplace_back(h.baseAddress, h.baseAddress + h.size);
  } catch (const OsError&) {
    // no heap list (its allocator can't be read, or it is exiting): [heap] is still the heap
  }
  try {
    for (const MemoryRegion& r : readMemoryRegions(pid))
      if (r.kind == "stack") stacks.emplace_back(r.start, r.end);
  } catch (const OsError&) {
    // exiting: smaps says so below
  }
  const std::string text = readMemoryFile(pid, "smaps", "memorymap", kMaxSmapsBytes);
  std::vector<Mapping> mappings;
  std::string_view rest(text);
  while (!rest.empty()) {
    const size_t nl = rest.find('\n');
    const std::string_view line = rest.substr(0, nl);
    rest.remove_prefix(nl == std::string_view::npos ? rest.size() : nl + 1);
    // A field line starts with its name ("Rss:"); a mapping's first line with its hex start address.
    Mapping m;
    if (line.find(':') > line.find(' ') && parseMapsLine(line, m)) {
      mappings.push_back(std::move(m));
      MemoryMapRegion r;
      r.start = mappings.back().start;
      r.end = mappings.back().end;
      r.perms = mappings.back().perms;
      r.path = mappings.back().deleted ? mappings.back().path + " (deleted)" : mappings.back().path;
      map.regions.push_back(std::move(r));
      continue;
    }
    if (map.regions.empty()) continue;
    MemoryMapRegion& r = map.regions.back();
    uint64_t bytes = 0;
    if (field(line, "Rss", bytes)) r.residentBytes = bytes;
    else if (field(line, "Private_Clean", bytes) || field(line, "Private_Dirty", bytes)) r.privateBytes += bytes;
    else if (field(line, "Swap", bytes)) r.swapBytes = bytes;
  }
  // Empty: it gave its memory up while exiting (see readMaps).
  if (map.regions.empty()) throw OsError("ESRCH", pid, "memorymap", "process " + std::to_string(pid) + " has exited");

  // An image is a file mapped executable somewhere: its data and read-only parts are the image too.
  std::set<std::pair<unsigned long, uint64_t>> images;
  for (const Mapping& m : mappings)
    if (m.inode != 0 && m.perms[2] == 'x') images.insert({(static_cast<unsigned long>(m.devMajor) << 20) | m.devMinor, m.inode});
  for (size_t i = 0; i < mappings.size(); ++i) map.regions[i].kind = classify(mappings[i], images, heaps, stacks);
  return map;
}

}  // namespace snapscope::procfs
