#include "heap_layout.h"

#include "../fd.h"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cstring>
#include <optional>
#include <string_view>

namespace snapscope::procfs::heap {
namespace {

using namespace glibc;

constexpr size_t kMaxArenas = 1024;          // glibc's own limit is 8 per core
constexpr int kMaxHeapsPerArena = 4096;      // 4096 x 64 MiB = 256 GiB
constexpr int kMaxArenaChainHops = 64;       // when validating a main_arena candidate
constexpr uint64_t kMaxArenaChainHopsTotal = 1 << 16;  // over all candidates
constexpr uint64_t kMaxScannedPages = 4ull << 20;       // 16 GiB of anonymous memory searched for mmapped chunks
constexpr uint64_t kRegionMin = 1 << 20;     // anonymous regions listed for allocators we can't walk
constexpr uint64_t kMaxScan = 32ull << 20;   // bytes of one libc mapping read when looking for things

std::string mib(uint64_t bytes) {
  char text[32];
  std::snprintf(text, sizeof text, "%.1f MiB", static_cast<double>(bytes) / (1 << 20));
  return text;
}

std::string_view baseName(const std::string& path) {
  size_t slash = path.rfind('/');
  return slash == std::string::npos ? std::string_view(path) : std::string_view(path).substr(slash + 1);
}

bool startsWith(std::string_view text, std::string_view prefix) { return text.substr(0, prefix.size()) == prefix; }

uint64_t word(const std::vector<char>& buffer, uint64_t offset) {
  uint64_t value;
  std::memcpy(&value, buffer.data() + offset, 8);
  return value;
}

uint32_t word32(const std::vector<char>& buffer, uint64_t offset) {
  uint32_t value;
  std::memcpy(&value, buffer.data() + offset, 4);
  return value;
}

// ---- which allocator ----

struct AllocatorGuess {
  std::string allocator;  // HeapListInfo::allocator
  std::string why;        // when it can't be walked
  std::string libcPath;   // glibc: the libc.so.6 mapped
};

bool isGlibcLibc(std::string_view name) {
  return name == "libc.so.6" || (startsWith(name, "libc-2.") && name.size() > 10 && name.substr(name.size() - 3) == ".so");
}

// By the libraries mapped. An allocator library wins over the libc it replaces.
AllocatorGuess identifyAllocator(const std::vector<Mapping>& maps) {
  bool jemalloc = false, tcmalloc = false, mimalloc = false, musl = false;
  std::string glibcPath;
  for (const Mapping& m : maps) {
    if (m.path.empty() || m.path[0] != '/') continue;
    std::string_view name = baseName(m.path);
    if (startsWith(name, "libjemalloc")) jemalloc = true;
    else if (startsWith(name, "libtcmalloc")) tcmalloc = true;
    else if (startsWith(name, "libmimalloc")) mimalloc = true;
    else if (startsWith(name, "ld-musl-") || startsWith(name, "libc.musl-")) musl = true;
    else if (glibcPath.empty() && isGlibcLibc(name)) glibcPath = m.path;
  }
  const std::string listed = ": blocks can't be walked; the regions are listed";
  if (jemalloc) return {"jemalloc", "jemalloc is not supported" + listed, ""};
  if (tcmalloc) return {"tcmalloc", "tcmalloc is not supported" + listed, ""};
  if (mimalloc) return {"unknown", "mimalloc is not supported" + listed, ""};
  if (musl) return {"musl", "musl's malloc is not supported" + listed, ""};
  if (!glibcPath.empty()) return {"glibc", "", glibcPath};
  return {"unknown", "no libc.so is mapped (a static binary?): the allocator can't be identified and blocks can't be walked; the regions are listed", ""};
}

// ---- glibc version ----

bool parseVersion(std::string_view text, int& major, int& minor) {
  size_t i = 0;
  auto number = [&](int& out) {
    size_t start = i;
    out = 0;
    while (i < text.size() && text[i] >= '0' && text[i] <= '9' && i - start < 4) out = out * 10 + (text[i++] - '0');
    return i > start;
  };
  if (!number(major) || i >= text.size() || text[i] != '.') return false;
  ++i;
  return number(minor);
}

// "2.36": from the file name (libc-2.31.so on older distributions), else from the banner that
// gnu_get_libc_version's library carries in its read-only data ("GNU C Library (Debian GLIBC
// 2.36-9+deb12u14) stable release version 2.36."), read from the target's own mapping so that a
// libc upgraded on disk since the target started does not mislead.
std::string readGlibcVersion(const RemoteMemory& memory, const std::vector<Mapping>& maps, const std::string& libcPath) {
  int major = 0, minor = 0;
  std::string_view name = baseName(libcPath);
  if (startsWith(name, "libc-") && parseVersion(name.substr(5), major, minor)) {
    return std::to_string(major) + "." + std::to_string(minor);
  }
  static constexpr std::string_view kMarker = "release version ";
  std::vector<char> buffer;
  for (const Mapping& m : maps) {
    if (m.path != libcPath || m.perms[0] != 'r' || m.perms[1] == 'w' || m.perms[2] == 'x') continue;
    buffer.resize(static_cast<size_t>(std::min(m.end - m.start, kMaxScan)));
    size_t got = memory.readSome(m.start, buffer.data(), buffer.size(), "libc's version string");
    const char* at = static_cast<const char*>(::memmem(buffer.data(), got, kMarker.data(), kMarker.size()));
    if (!at) continue;
    size_t offset = static_cast<size_t>(at - buffer.data()) + kMarker.size();
    if (parseVersion(std::string_view(buffer.data() + offset, got - offset), major, minor)) {
      return std::to_string(major) + "." + std::to_string(minor);
    }
  }
  return "";
}

bool versionSupported(const std::string& version) {
  int major = 0, minor = 0;
  if (!parseVersion(version, major, minor)) return false;
  auto key = [](int a, int b) { return a * 1000 + b; };
  return key(major, minor) >= key(kGlibcMin[0], kGlibcMin[1]) && key(major, minor) <= key(kGlibcMax[0], kGlibcMax[1]);
}

// ---- main_arena ----

// [heap], as one range even if mprotect split it into several VMAs.
std::optional<Mapping> findHeapMapping(const std::vector<Mapping>& maps) {
  std::optional<Mapping> heap;
  for (const Mapping& m : maps) {
    if (m.path != "[heap]") continue;
    if (!heap) heap = m;
    else if (m.start == heap->end) heap->end = m.end;
  }
  return heap;
}

bool isThreadArenaAddress(uint64_t a) { return a >= kHeapMax && (a & (kHeapMax - 1)) == kHeapInfoSize; }

// libc's writable data: its rw-p mappings, each with the anonymous .bss continuation right after it.
std::vector<std::pair<uint64_t, uint64_t>> libcDataRanges(const std::vector<Mapping>& maps, const std::string& libcPath) {
  std::vector<std::pair<uint64_t, uint64_t>> ranges;
  for (size_t i = 0; i < maps.size(); ++i) {
    if (maps[i].path != libcPath || maps[i].perms != "rw-p") continue;
    uint64_t start = maps[i].start, end = maps[i].end;
    for (size_t j = i + 1; j < maps.size() && maps[j].start == end && maps[j].path.empty() && maps[j].perms == "rw-p"; ++j)
      end = maps[j].end;
    ranges.emplace_back(start, std::min(end, start + kMaxScan));
  }
  return ranges;
}

// main_arena is a static in libc's .data and is not exported (Debian strips .symtab, and it is not
// in .dynsym), so it is recognised by its contents among libc's writable data (+ the anonymous
// .bss continuation right after it):
//   - next (0x870) is main_arena itself (no other arena) or a thread arena, which always sits at
//     heap_info + 0x30 in a 64 MiB-aligned heap; following next returns to main_arena in <= 64 hops;
//   - top (0x60) is inside [heap] (16-aligned), or 0 / &top itself (malloc never ran: initial_top
//     is the unsorted bin's header, whose address is main_arena + 0x60);
//   - mutex, flags, have_fastchunks hold small values; fastbin heads are 16-aligned;
//   - system_mem is 0 before the first sbrk, else at most the span of [heap].
// (The probe's shortcut, "the qword equal to the top chunk found by walking [heap], minus 0x60",
// is the same idea restricted to a heap that has a top chunk already.)
uint64_t findMainArena(const RemoteMemory& memory, const std::vector<std::pair<uint64_t, uint64_t>>& ranges,
                       const std::optional<Mapping>& heapMap, const Cancel& cancel, std::string& why) {
  if (ranges.empty()) {
    why = "libc's writable data is not mapped";
    return 0;
  }
  // Following candidates' arena lists is bounded in all: the target writes that memory (and can
  // fill an anonymous continuation with candidates).
  uint64_t hopsLeft = kMaxArenaChainHopsTotal;

  struct Candidate {
    uint64_t address;
    bool topInHeap;
  };
  std::vector<Candidate> found;
  std::vector<char> buffer;
  for (auto [start, end] : ranges) {
    buffer.resize(static_cast<size_t>(end - start));
    size_t got = memory.readSome(start, buffer.data(), buffer.size(), "libc's data (looking for main_arena)");
    for (uint64_t off = 0; off + kArenaSize <= got; off += 8) {
      if ((off & 0xffff) == 0) cancel.check();
      const uint64_t cand = start + off;
      const uint64_t next = word(buffer, off + kArenaNext);
      if (next != cand && !isThreadArenaAddress(next)) continue;
      const uint64_t top = word(buffer, off + kArenaTop);
      const bool fresh = top == 0 || top == cand + kArenaTop;
      const bool topInHeap = heapMap && top >= heapMap->start && top + kChunkHdr <= heapMap->end && (top & (kAlign - 1)) == 0;
      if (!fresh && !topInHeap) continue;
      if (word32(buffer, off + kArenaMutex) > 2 || word32(buffer, off + kArenaFlags) > 7 ||
          word32(buffer, off + kArenaHaveFastchunks) > 1)
        continue;
      const uint64_t systemMem = word(buffer, off + kArenaSystemMem);
      if (fresh ? systemMem != 0 : (systemMem == 0 || systemMem > heapMap->end - heapMap->start)) continue;
      if (word(buffer, off + kArenaAttachedThreads) > (1u << 22)) continue;
      bool fastbinsOk = true;
      for (int i = 0; i < kFastbinCount && fastbinsOk; ++i) fastbinsOk = (word(buffer, off + kArenaFastbins + 8 * i) & (kAlign - 1)) == 0;
      if (!fastbinsOk) continue;
      // The arena list must come back round to the candidate.
      uint64_t a = next;
      int hops = 0;
      while (a != cand && hops++ < kMaxArenaChainHops && isThreadArenaAddress(a)) {
        if (hopsLeft-- == 0) {
          why = "too many structures in libc's data look like main_arena";
          return 0;
        }
        if (!memory.readU64(a + kArenaNext, a, "the arena list")) break;
      }
      if (a != cand) continue;
      found.push_back({cand, topInHeap});
    }
  }
  if (found.size() > 1) {
    // Prefer candidates whose top chunk ends exactly at the end of [heap] (the program break).
    std::vector<Candidate> exact;
    for (const Candidate& c : found) {
      uint64_t top = 0, size = 0;
      if (c.topInHeap && memory.readU64(c.address + kArenaTop, top, "main_arena.top") &&
          memory.readU64(top + kSizeSz, size, "the top chunk") && top + (size & ~kSizeBits) == heapMap->end)
        exact.push_back(c);
    }
    if (exact.size() == 1) found = exact;
  }
  if (found.size() == 1) return found[0].address;
  why = found.empty() ? "no structure in libc's data looks like main_arena"
                      : std::to_string(found.size()) + " structures in libc's data look like main_arena";
  return 0;
}

bool readArena(const RemoteMemory& memory, uint64_t address, ArenaState& out, uint64_t& next) {
  std::vector<char> buffer(kArenaSize);
  if (!memory.read(address, buffer.data(), buffer.size(), "an arena (malloc_state)")) return false;
  out.address = address;
  out.top = word(buffer, kArenaTop);
  for (int i = 0; i < kFastbinCount; ++i) out.fastbins[i] = word(buffer, kArenaFastbins + 8 * i);
  next = word(buffer, kArenaNext);
  return true;
}

// mp_, recognised by its contents like main_arena (glibc_layout.h): the tcache parameters within
// their tunables' bounds (tcache_bins and arena_test are at least 1, which rules out zeroed memory), the mmap counters consistent with each other and page-sized, the mmap
// threshold at most its maximum, sbrk_base 0 or inside [heap]. Only a unique match is taken.
MallocParams findMallocPar(const RemoteMemory& memory, const std::vector<std::pair<uint64_t, uint64_t>>& ranges,
                           const std::optional<Mapping>& heapMap, const Cancel& cancel) {
  const uint64_t page = static_cast<uint64_t>(::sysconf(_SC_PAGESIZE));
  const auto pow2 = [](uint64_t v) { return (v & (v - 1)) == 0; };
  MallocParams out;
  int matches = 0;
  std::vector<char> buffer;
  for (auto [start, end] : ranges) {
    buffer.resize(static_cast<size_t>(end - start));
    size_t got = memory.readSome(start, buffer.data(), buffer.size(), "libc's data (looking for mp_)");
    for (uint64_t off = 0; off + kMpSize <= got; off += 8) {
      if ((off & 0xffff) == 0) cancel.check();
      const uint64_t bins = word(buffer, off + kMpTcacheBins), count = word(buffer, off + kMpTcacheCount);
      if (bins == 0 || bins > kTcacheBins || count > kTcacheMaxCount || word(buffer, off + kMpTcacheMaxBytes) > kTcacheMaxBytes) continue;
      const int32_t mmaps = static_cast<int32_t>(word32(buffer, off + kMpNMmaps));
      const int32_t maxMmaps = static_cast<int32_t>(word32(buffer, off + kMpMaxNMmaps));
      const int32_t mmapsMax = static_cast<int32_t>(word32(buffer, off + kMpNMmapsMax));
      const uint64_t mem = word(buffer, off + kMpMmappedMem), maxMem = word(buffer, off + kMpMaxMmappedMem);
      if (mmaps < 0 || maxMmaps < mmaps || mmapsMax < 0 || mem > maxMem || mem % page != 0 || maxMem % page != 0 ||
          (mmaps == 0) != (mem == 0) || mem < static_cast<uint64_t>(mmaps) * page)
        continue;
      if (word(buffer, off + kMpArenaTest) == 0 || word(buffer, off + kMpMmapThreshold) > kMmapThresholdMax || word32(buffer, off + kMpNoDynThreshold) > 1 ||
          word32(buffer, off + kMpHpFlags) > (1u << 16) || !pow2(word(buffer, off + kMpThpPagesize)) ||
          !pow2(word(buffer, off + kMpHpPagesize)))
        continue;
      const uint64_t sbrkBase = word(buffer, off + kMpSbrkBase);
      if (sbrkBase != 0 && !(heapMap && sbrkBase >= heapMap->start && sbrkBase <= heapMap->end)) continue;
      if (++matches > 1) return {};
      out.found = true;
      out.address = start + off;
      out.mmaps = static_cast<uint64_t>(mmaps);
      out.mmappedBytes = mem;
      out.tcacheCount = count;
      out.tcacheBins = bins;
    }
  }
  return out;
}

// ---- plans ----

HeapListInfo baseInfo(int pid, const std::string& allocator) {
  HeapListInfo info;
  info.pid = pid;
  info.allocator = allocator;
  return info;
}

void setProblem(HeapPlan& plan, const std::string& problem) {
  plan.problem = problem;
  plan.info.walkable = false;
  plan.info.note = problem;
}

HeapPlan mainArenaPlan(int pid, const ArenaState& arena, const std::optional<Mapping>& heapMap, const std::string& version) {
  HeapPlan plan;
  plan.arena = arena.address;
  plan.info = baseInfo(pid, "glibc");
  plan.info.heapId = hex(arena.address);
  plan.info.isDefault = true;
  plan.info.kind = "main-arena";
  plan.info.walkable = true;
  const bool fresh = arena.top == 0 || arena.top == arena.address + kArenaTop;
  if (fresh) {
    plan.info.note = "glibc " + version + " main arena: no memory yet";
    return plan;
  }
  if (!heapMap || arena.top < heapMap->start || arena.top + kChunkHdr > heapMap->end) {
    // glibc falls back to mmap'ed memory when brk fails ("non-contiguous" main arena): not walked.
    plan.info.note = "glibc " + version + " main arena";
    setProblem(plan, "the main arena's top chunk " + hex(arena.top) + " is outside [heap] (a non-contiguous main arena is not supported)");
    return plan;
  }
  // The sbrk heap starts at [heap] (page-aligned, so the first chunk's user pointer is 16-aligned).
  Segment s;
  s.start = heapMap->start;
  s.end = heapMap->end;
  s.top = arena.top;
  plan.segments.push_back(s);
  plan.info.baseAddress = heapMap->start;
  plan.info.size = heapMap->end - heapMap->start;
  plan.info.note = "glibc " + version + " main arena: sbrk heap " + hex(heapMap->start) + "-" + hex(heapMap->end);
  return plan;
}

// A thread arena's heaps: from the one holding top (the newest) back through heap_info.prev to the
// one holding the arena itself (arena - 0x30).
HeapPlan threadArenaPlan(int pid, const RemoteMemory& memory, const ArenaState& arena, const std::string& version) {
  HeapPlan plan;
  plan.arena = arena.address;
  plan.info = baseInfo(pid, "glibc");
  plan.info.heapId = hex(arena.address);
  plan.info.kind = "thread-arena";
  plan.info.walkable = true;
  const uint64_t firstHeap = arena.address - kHeapInfoSize;
  uint64_t h = arena.top & ~(kHeapMax - 1);
  uint64_t total = 0;
  std::string problem;
  for (int n = 0;; ++n) {
    if (n >= kMaxHeapsPerArena) {
      problem = "its heap_info chain does not end (a cycle?)";
      break;
    }
    uint64_t info[4];
    if (!memory.read(h, info, sizeof info, "heap_info")) {
      problem = "heap_info at " + hex(h) + " can't be read";
      break;
    }
    const uint64_t owner = info[0], prev = info[1], size = info[2], mprotectSize = info[3];
    if (owner != arena.address) {
      problem = "heap_info at " + hex(h) + " names arena " + hex(owner);
      break;
    }
    if (size > kHeapMax || size < kHeapInfoSize + kMinChunk || (mprotectSize != 0 && size > mprotectSize)) {
      problem = "heap_info at " + hex(h) + " has an impossible size " + hex(size);
      break;
    }
    Segment s;
    s.start = h == firstHeap ? firstChunkAfterArena(arena.address) : h + kHeapInfoSize;
    s.end = h + size;
    if (s.start + kChunkHdr > s.end) {
      problem = "heap " + hex(h) + " is too small to hold a chunk";
      break;
    }
    s.top = arena.top >= s.start && arena.top < s.end ? arena.top : 0;
    plan.segments.push_back(s);
    total += size;
    if (h == firstHeap) break;
    if (prev == 0 || (prev & (kHeapMax - 1)) != 0) {
      problem = "heap_info at " + hex(h) + " links to " + hex(prev) + ", not back to the arena's first heap";
      break;
    }
    h = prev;
  }
  if (problem.empty() && std::none_of(plan.segments.begin(), plan.segments.end(), [](const Segment& s) { return s.top != 0; }))
    problem = "its top chunk " + hex(arena.top) + " is in none of its heaps";
  std::sort(plan.segments.begin(), plan.segments.end(), [](const Segment& a, const Segment& b) { return a.start < b.start; });
  if (!plan.segments.empty()) plan.info.baseAddress = plan.segments.front().start & ~(kHeapMax - 1);
  plan.info.size = total;
  plan.info.note = "glibc " + version + " thread arena: " + std::to_string(plan.segments.size()) +
                   (plan.segments.size() == 1 ? " heap" : " heaps") + " (64 MiB-aligned), " + mib(total) + " in use";
  if (!problem.empty()) setProblem(plan, "thread arena " + hex(arena.address) + " can't be walked: " + problem);
  return plan;
}

// Chunks above the mmap threshold get a mapping each, starting with a chunk header {prev_size 0,
// size | IS_MMAPPED}, size a whole number of pages. The kernel merges neighbouring anonymous
// mappings of the same protection into one VMA, so a chunk can sit anywhere in a VMA shared with
// other chunks or with other data (python's pymalloc arenas): every present page of the anonymous
// rw-p memory outside the arenas' heaps is tried as a chunk start (pagemap says which pages are
// present or swapped, so untouched reservations cost nothing and are not faulted in; the headers
// are read 1024 pages per system call), a chunk found is skipped over, and the search stops once
// it has found what mp_ counts (n_mmaps chunks, mmapped_mem bytes). Best-effort where mp_ is not
// known; a chunk whose header is not at a page start (memalign with a large alignment) is found
// by the header glibc left at its mapping's start.
std::vector<MmappedChunk> findMmappedChunks(int pid, const RemoteMemory& memory, const std::vector<Mapping>& maps,
                                            const std::vector<std::pair<uint64_t, uint64_t>>& reserved,
                                            const MallocParams& params, const Cancel& cancel, std::vector<std::string>& warnings) {
  const uint64_t page = static_cast<uint64_t>(::sysconf(_SC_PAGESIZE));
  std::vector<MmappedChunk> out;
  uint64_t foundBytes = 0;
  const auto complete = [&] { return params.found && out.size() == params.mmaps && foundBytes == params.mmappedBytes; };
  if (params.found && params.mmaps == 0) return out;

  // The ranges to search: anonymous rw-p mappings minus the reserved heaps.
  std::vector<std::pair<uint64_t, uint64_t>> ranges;
  for (const Mapping& m : maps) {
    if (!m.path.empty() || m.perms != "rw-p") continue;
    uint64_t lo = m.start;
    for (auto [rlo, rhi] : reserved) {  // sorted, disjoint
      if (rhi <= lo || rlo >= m.end) continue;
      if (rlo > lo) ranges.emplace_back(lo, rlo);
      lo = std::max(lo, rhi);
    }
    if (lo < m.end) ranges.emplace_back(lo, m.end);
  }
  // Smallest first: a huge reservation (a sanitizer's shadow, a VM's heap) is searched last, once
  // the chunks in ordinary mappings are found, and it is what the budget cuts off.
  std::stable_sort(ranges.begin(), ranges.end(), [](const auto& a, const auto& b) { return a.second - a.first < b.second - b.first; });

  const std::string pagemapPath = "/proc/" + std::to_string(pid) + "/pagemap";
  Fd pagemap = openAt(AT_FDCWD, pagemapPath.c_str(), O_RDONLY);  // none: every page is tried
  constexpr size_t kEntries = 4096;
  std::vector<uint64_t> entries(kEntries);
  std::vector<uint64_t> batch;
  batch.reserve(RemoteMemory::kMaxPieces);
  std::vector<uint64_t> headers(2 * RemoteMemory::kMaxPieces);
  uint64_t budget = kMaxScannedPages;
  uint64_t skipUntil = 0;  // inside the last chunk found

  // Tries the batched page starts as chunk headers; `limit` is the end of their range.
  const auto flush = [&](uint64_t limit) {
    size_t done = 0;
    while (done < batch.size()) {
      size_t got = memory.readPieces(batch.data() + done, batch.size() - done, 16, headers.data(), "mmapped chunk headers");
      for (size_t i = 0; i < got; ++i) {
        const uint64_t p = batch[done + i];
        const uint64_t prevSize = headers[2 * i], raw = headers[2 * i + 1], size = raw & ~kSizeBits;
        if (p < skipUntil || prevSize != 0 || (raw & kSizeBits) != kIsMmapped || size < page || size % page != 0 ||
            size > limit - p)
          continue;
        out.push_back({p, size});
        foundBytes += size;
        skipUntil = p + size;
      }
      done += got + 1;  // past the unreadable one (unmapped since the maps were read)
    }
    batch.clear();
  };

  bool exhausted = false;
  for (auto [lo, hi] : ranges) {
    if (complete() || exhausted) break;
    skipUntil = 0;
    for (uint64_t block = lo; block < hi && !complete();) {
      cancel.check();
      const uint64_t pages = std::min<uint64_t>((hi - block) / page, kEntries);
      if (pages == 0) break;
      if (budget < pages) {
        exhausted = true;
        break;
      }
      budget -= pages;
      bool known = false;
      if (pagemap) {
        const ssize_t n = ::pread(pagemap.get(), entries.data(), pages * 8, static_cast<off_t>(block / page * 8));
        known = n == static_cast<ssize_t>(pages * 8);
      }
      for (uint64_t i = 0; i < pages; ++i) {
        const uint64_t p = block + i * page;
        if (p < skipUntil) continue;
        constexpr uint64_t kPresentOrSwapped = 3ull << 62;
        if (known && (entries[i] & kPresentOrSwapped) == 0) continue;
        batch.push_back(p);
        if (batch.size() == RemoteMemory::kMaxPieces) flush(hi);
      }
      flush(hi);
      block += pages * page;
    }
  }
  std::sort(out.begin(), out.end(), [](const MmappedChunk& a, const MmappedChunk& b) { return a.chunk < b.chunk; });
  if (exhausted)
    warnings.push_back("anonymous memory past the first " + mib(kMaxScannedPages * page) +
                       " was not searched for blocks above the mmap threshold");
  else if (params.found && !complete())
    warnings.push_back("found " + std::to_string(out.size()) + " blocks above the mmap threshold (" + std::to_string(foundBytes) +
                       " bytes) where glibc counts " + std::to_string(params.mmaps) + " (" + std::to_string(params.mmappedBytes) +
                       " bytes): the mmapped heap is not complete");
  return out;
}

// For allocators that can't be walked: [heap] and the large anonymous read-write mappings (but not
// thread stacks, which sit right above a ---p guard page).
void listRegions(HeapLayout& layout, int pid, const std::vector<Mapping>& maps) {
  for (size_t i = 0; i < maps.size(); ++i) {
    const Mapping& m = maps[i];
    const bool brk = m.path == "[heap]";
    const bool guarded = i > 0 && maps[i - 1].end == m.start && maps[i - 1].perms == "---p";
    const bool bigAnon = m.path.empty() && m.perms == "rw-p" && m.end - m.start >= kRegionMin && !guarded;
    if (!brk && !bigAnon) continue;
    HeapPlan plan;
    plan.info = baseInfo(pid, layout.allocator);
    plan.info.heapId = hex(m.start);
    plan.info.kind = "region";
    plan.info.baseAddress = m.start;
    plan.info.size = m.end - m.start;
    plan.info.walkable = false;
    plan.info.note = (brk ? "[heap]: " : "anonymous region: ") + layout.why;
    layout.heaps.push_back(std::move(plan));
  }
}

}  // namespace

HeapLayout discoverHeaps(int pid, const RemoteMemory& memory, const std::vector<Mapping>& maps, const Cancel& cancel) {
  HeapLayout layout;
  AllocatorGuess guess = identifyAllocator(maps);
  layout.allocator = guess.allocator;
  if (guess.allocator != "glibc") {
    layout.why = guess.why;
    listRegions(layout, pid, maps);
    return layout;
  }

  layout.glibcVersion = readGlibcVersion(memory, maps, guess.libcPath);
  if (layout.glibcVersion.empty()) {
    layout.why = "the glibc version can't be read from " + guess.libcPath + ": blocks can't be walked; the regions are listed";
  } else if (!versionSupported(layout.glibcVersion)) {
    layout.why = "glibc " + layout.glibcVersion + " is not supported (" + std::to_string(kGlibcMin[0]) + "." +
                 std::to_string(kGlibcMin[1]) + " to " + std::to_string(kGlibcMax[0]) + "." + std::to_string(kGlibcMax[1]) +
                 " are): blocks can't be walked; the regions are listed";
  }
  if (!layout.why.empty()) {
    listRegions(layout, pid, maps);
    return layout;
  }

  std::string why;
  const std::optional<Mapping> heapMap = findHeapMapping(maps);
  const std::vector<std::pair<uint64_t, uint64_t>> libcData = libcDataRanges(maps, guess.libcPath);
  layout.mainArena = findMainArena(memory, libcData, heapMap, cancel, why);
  ArenaState mainState;
  uint64_t next = 0;
  if (layout.mainArena == 0 || !readArena(memory, layout.mainArena, mainState, next)) {
    layout.mainArenaMissed = true;
    layout.why = "glibc " + layout.glibcVersion + "'s main_arena can't be located (" + (why.empty() ? "unreadable" : why) +
                 "): blocks can't be walked; the regions are listed";
    listRegions(layout, pid, maps);
    return layout;
  }
  layout.walkable = true;
  layout.arenas.push_back(mainState);
  while (next != layout.mainArena) {
    if (layout.arenas.size() >= kMaxArenas || !isThreadArenaAddress(next)) {
      layout.warnings.push_back("the arena list breaks off at " + hex(next) + ": arenas past it are not listed");
      break;
    }
    ArenaState state;
    uint64_t following = 0;
    if (!readArena(memory, next, state, following)) {
      layout.warnings.push_back("the arena at " + hex(next) + " can't be read: it and the arenas after it are not listed");
      break;
    }
    layout.arenas.push_back(state);
    next = following;
  }

  layout.params = findMallocPar(memory, libcData, heapMap, cancel);
  layout.heaps.push_back(mainArenaPlan(pid, mainState, heapMap, layout.glibcVersion));
  std::vector<std::pair<uint64_t, uint64_t>> reserved;
  if (heapMap) reserved.emplace_back(heapMap->start, heapMap->end);
  for (size_t i = 1; i < layout.arenas.size(); ++i) {
    cancel.check();
    HeapPlan plan = threadArenaPlan(pid, memory, layout.arenas[i], layout.glibcVersion);
    for (const Segment& s : plan.segments) {
      uint64_t heapStart = s.start & ~(kHeapMax - 1);
      reserved.emplace_back(heapStart, heapStart + kHeapMax);
    }
    layout.heaps.push_back(std::move(plan));
  }

  std::sort(reserved.begin(), reserved.end());
  std::vector<MmappedChunk> chunks = findMmappedChunks(pid, memory, maps, reserved, layout.params, cancel, layout.warnings);
  if (!chunks.empty()) {
    HeapPlan plan;
    plan.info = baseInfo(pid, "glibc");
    plan.info.heapId = "mmapped";
    plan.info.kind = "mmapped";
    plan.info.walkable = true;
    plan.info.baseAddress = chunks.front().chunk;
    for (const MmappedChunk& c : chunks) plan.info.size += c.size;
    const bool complete = layout.params.found && chunks.size() == layout.params.mmaps && plan.info.size == layout.params.mmappedBytes;
    plan.info.note = std::to_string(chunks.size()) + (chunks.size() == 1 ? " block" : " blocks") +
                     " above the mmap threshold, each in a mapping of its own (found by their headers" +
                     (complete ? ", as many as glibc counts)" : ": best-effort)");
    plan.chunks = std::move(chunks);
    layout.heaps.push_back(std::move(plan));
  }
  return layout;
}

}  // namespace snapscope::procfs::heap
