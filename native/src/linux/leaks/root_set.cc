#include "root_set.h"

#include <algorithm>
#include <string_view>

#include "../heap/glibc_layout.h"

namespace snapscope::procfs::leaks {
namespace {

using Interval = std::pair<uint64_t, uint64_t>;

bool isFileBacked(const Mapping& m) { return !m.path.empty() && m.path[0] == '/'; }

// Device memory (GPU apertures, framebuffers) holds no program pointers, and reading it can fail or
// have effects; shared memory files and /dev/zero are ordinary memory.
bool isDevice(const Mapping& m) {
  std::string_view path = m.path;
  return path.rfind("/dev/", 0) == 0 && path.rfind("/dev/shm/", 0) != 0 && path != "/dev/zero";
}

// The heaps being scanned and the allocator's own state: never roots.
std::vector<Interval> exclusions(const heap::HeapLayout& layout) {
  using namespace glibc;
  std::vector<Interval> out;
  for (const heap::HeapPlan& plan : layout.heaps) {
    for (const heap::Segment& s : plan.segments) {
      // A thread arena's heap begins with its heap_info and (first heap) the arena's malloc_state.
      const uint64_t start = plan.info.kind == "thread-arena" ? s.start & ~(kHeapMax - 1) : s.start;
      out.push_back({start, s.end});
    }
    for (const heap::MmappedChunk& c : plan.chunks) out.push_back({c.chunk, c.chunk + c.size});
  }
  if (layout.mainArena) out.push_back({layout.mainArena, layout.mainArena + kArenaSize});
  if (layout.params.found) out.push_back({layout.params.address, layout.params.address + kMpSize});
  std::sort(out.begin(), out.end());
  return out;
}

// [start, end) minus the exclusions, appended to `out`.
void addMinus(std::vector<RootRange>& out, uint64_t start, uint64_t end, RootRange::Kind kind, const std::vector<Interval>& excluded) {
  auto it = std::upper_bound(excluded.begin(), excluded.end(), Interval{start, UINT64_MAX});
  if (it != excluded.begin()) --it;
  for (; it != excluded.end() && it->first < end && start < end; ++it) {
    if (it->second <= start) continue;
    if (it->first > start) out.push_back({start, it->first, kind});
    start = std::max(start, it->second);
  }
  if (start < end) out.push_back({start, end, kind});
}

}  // namespace

RootPlan planRoots(const std::vector<Mapping>& maps, const heap::HeapLayout& layout, const std::vector<heap::ThreadRegisters>& threads) {
  RootPlan plan;
  const std::vector<Interval> excluded = exclusions(layout);

  // Each mapping that holds a thread's stack pointer is scanned from the lowest one down there.
  std::vector<uint64_t> lowestSp(maps.size(), UINT64_MAX);
  for (const heap::ThreadRegisters& t : threads) {
    plan.registerWords.insert(plan.registerWords.end(), t.words.begin(), t.words.end());
    auto it = std::upper_bound(maps.begin(), maps.end(), t.sp, [](uint64_t sp, const Mapping& m) { return sp < m.start; });
    if (it == maps.begin()) continue;
    const size_t i = static_cast<size_t>(it - maps.begin()) - 1;
    if (t.sp < maps[i].end) lowestSp[i] = std::min(lowestSp[i], t.sp);
  }
  plan.counts.threads = threads.size();
  plan.counts.registers = plan.registerWords.size();

  for (size_t i = 0; i < maps.size(); ++i) {
    const Mapping& m = maps[i];
    if (m.perms.size() < 2 || m.perms[0] != 'r' || m.perms[1] != 'w' || isDevice(m)) continue;
    if (lowestSp[i] != UINT64_MAX) {
      const uint64_t from = std::max(m.start, (lowestSp[i] - kRedZone) & ~uint64_t{7});
      addMinus(plan.ranges, from, m.end, RootRange::kStack, excluded);
      continue;
    }
    // Image data: a writable segment of a file, and the anonymous .bss tail right after one.
    const bool image = isFileBacked(m) || (m.path.empty() && i > 0 && maps[i - 1].end == m.start && isFileBacked(maps[i - 1]) &&
                                           maps[i - 1].perms.size() > 1 && maps[i - 1].perms[1] == 'w');
    addMinus(plan.ranges, m.start, m.end, image ? RootRange::kStatic : RootRange::kOther, excluded);
  }
  for (const RootRange& r : plan.ranges) {
    const uint64_t bytes = r.end - r.start;
    (r.kind == RootRange::kStack ? plan.counts.stackBytes : r.kind == RootRange::kStatic ? plan.counts.staticBytes : plan.counts.otherBytes) += bytes;
  }
  return plan;
}

}  // namespace snapscope::procfs::leaks
