#include "free_lists.h"

#include <algorithm>
#include <cstring>
#include <new>

namespace snapscope::procfs::heap {
namespace {

using namespace glibc;

struct TcacheView {
  uint16_t counts[kTcacheBins];
  uint64_t entries[kTcacheBins];
};

TcacheView view(const char* content) {
  TcacheView v;
  std::memcpy(v.counts, content + kTcacheCounts, sizeof v.counts);
  std::memcpy(v.entries, content + kTcacheEntries, sizeof v.entries);
  return v;
}

}  // namespace

ChunkSet::ChunkSet(const HeapLayout& layout) {
  for (const HeapPlan& plan : layout.heaps) {
    if (plan.arena == 0) continue;
    for (const Segment& s : plan.segments) segments_.emplace_back(s.start, s.end);
  }
  std::sort(segments_.begin(), segments_.end());
  uint64_t bits = 0;
  for (auto [start, end] : segments_) {
    firstBit_.push_back(bits);
    bits += (end - start + kAlign - 1) / kAlign;
  }
  bits_.reset(static_cast<uint64_t*>(std::calloc(static_cast<size_t>(bits / 64 + 1), sizeof(uint64_t))));
  if (!bits_) throw std::bad_alloc();
}

bool ChunkSet::locate(uint64_t chunk, uint64_t size, uint64_t& bit) const {
  // The last segment starting at or before `chunk`.
  auto it = std::upper_bound(segments_.begin(), segments_.end(), std::make_pair(chunk, UINT64_MAX));
  if (it == segments_.begin()) return false;
  --it;
  if (chunk < it->first || chunk + size > it->second || (chunk & (kAlign - 1)) != 0) return false;
  bit = firstBit_[static_cast<size_t>(it - segments_.begin())] + (chunk - it->first) / kAlign;
  return true;
}

uint64_t ChunkSet::base(uint64_t start) const {
  auto it = std::lower_bound(segments_.begin(), segments_.end(), std::make_pair(start, uint64_t{0}));
  return it != segments_.end() && it->first == start ? firstBit_[static_cast<size_t>(it - segments_.begin())] : UINT64_MAX;
}

FreeLists::FreeLists(const RemoteMemory& memory, const HeapLayout& layout, const Cancel& cancel)
    : reader_(memory),
      cancel_(cancel),
      tcacheCount_(layout.params.tcacheCount),
      tcacheBins_(layout.params.tcacheBins),
      seen_(layout) {}

std::string FreeLists::check(uint64_t chunk, uint64_t expected, uint64_t& bit) {
  uint64_t size = 0;
  if (!seen_.locate(chunk, expected, bit)) return "points outside the arenas' heaps, at " + hex(chunk);
  if (!reader_.u64(chunk + kSizeSz, size, "free-list chunks") || (size & ~kSizeBits) != expected)
    return "holds a chunk of the wrong size at " + hex(chunk);
  if (seen_.test(bit)) return "comes back to the chunk at " + hex(chunk) + " (a cycle, or a chunk listed twice)";
  return "";
}

void FreeLists::add(uint64_t chunk) {
  if (!chunks_.empty() && chunk < chunks_.back()) sorted_ = false;
  chunks_.push_back(chunk);
}

void FreeLists::problem(std::string text) {
  if (problems_.size() < kMaxProblems) problems_.push_back(std::move(text));
  else ++problemsDropped_;
}

std::vector<std::string> FreeLists::problems() const {
  std::vector<std::string> out = problems_;
  if (overfull_ > 0)
    out.push_back(std::to_string(overfull_) + " in-use blocks of a tcache's size look like tcaches but claim more entries than glibc puts in a bin (" +
                  std::to_string(tcacheCount_) + "): they count as the program's data");
  if (problemsDropped_ > 0) out.push_back("and " + std::to_string(problemsDropped_) + " more problems with the free lists");
  return out;
}

void FreeLists::addFastbins(const ArenaState& arena) {
  for (int i = 0; i < kFastbinCount; ++i) {
    const uint64_t expected = binChunkSize(i);
    uint64_t chunk = arena.fastbins[i];
    while (chunk != 0) {
      cancel_.check();
      uint64_t bit = 0, stored = 0;
      std::string bad = check(chunk, expected, bit);
      if (bad.empty() && !reader_.u64(chunk + kChunkHdr, stored, "fastbin links")) bad = "can't be followed past " + hex(chunk);
      if (!bad.empty()) {
        problem("fastbin " + std::to_string(i) + " of arena " + hex(arena.address) + " " + bad +
                " (corrupt, or changing during the walk): the rest of it counts as in use");
        break;
      }
      seen_.set(bit);
      add(chunk);
      chunk = reveal(chunk + kChunkHdr, stored);
    }
  }
}

bool FreeLists::looksLikeTcache(const char* content) {
  TcacheView v = view(content);
  bool any = false;
  for (int i = 0; i < kTcacheBins; ++i) {
    if ((v.counts[i] == 0) != (v.entries[i] == 0)) return false;
    if ((v.entries[i] & (kAlign - 1)) != 0) return false;
    any = any || v.entries[i] != 0;
  }
  return any;
}

// Each bin i is a list of counts[i] entries (user pointers) of chunks of size 32 + 16 i; the last
// entry's next reveals to 0. A candidate with a bin fuller than glibc fills one, or whose lists
// fail at their first entry, is not a tcache (a user block of the same size); a failure further
// down is reported and the rest of that list is left out (it counts as in use).
bool FreeLists::addTcache(uint64_t chunk, const char* content, std::vector<CachedChunk>* added) {
  if (std::find(tcaches_.begin(), tcaches_.end(), chunk) != tcaches_.end()) return true;
  TcacheView v = view(content);
  for (int i = 0; i < kTcacheBins; ++i) {
    if ((v.counts[i] == 0) != (v.entries[i] == 0) || (v.entries[i] & (kAlign - 1)) != 0) return false;
  }
  for (int i = 0; i < kTcacheBins; ++i) {
    if (v.counts[i] > tcacheCount_ || (static_cast<uint64_t>(i) >= tcacheBins_ && v.counts[i] != 0)) {
      ++overfull_;
      return false;
    }
  }
  for (int i = 0; i < kTcacheBins; ++i) {
    uint64_t bit = 0;
    if (v.counts[i] != 0 && !check(v.entries[i] - kChunkHdr, binChunkSize(i), bit).empty()) return false;
  }
  tcaches_.push_back(chunk);
  std::string broken;
  int brokenBins = 0;
  for (int i = 0; i < kTcacheBins; ++i) {
    const uint64_t expected = binChunkSize(i);
    uint64_t entry = v.entries[i];
    for (uint32_t k = 0; k < v.counts[i]; ++k) {
      cancel_.check();
      const uint64_t c = entry - kChunkHdr;
      uint64_t bit = 0, stored = 0;
      std::string bad = check(c, expected, bit);
      if (bad.empty() && !reader_.u64(entry, stored, "tcache links")) bad = "can't be followed past " + hex(entry);
      if (!bad.empty()) {
        if (brokenBins++ == 0)
          broken = "bin " + std::to_string(i) + " breaks off after " + std::to_string(k) + " of " + std::to_string(v.counts[i]) +
                   " entries: it " + bad;
        break;
      }
      seen_.set(bit);
      add(c);
      if (added) added->push_back({c, expected});
      entry = reveal(entry, stored);
    }
  }
  if (brokenBins > 0)
    problem("tcache " + hex(chunk + kChunkHdr) + ": " + std::to_string(brokenBins) + (brokenBins == 1 ? " bin is" : " bins are") +
            " corrupt (or changed during the walk), the first: " + broken + "; the rest counts as in use");
  return true;
}

const std::vector<uint64_t>& FreeLists::sorted() {
  if (!sorted_) {
    std::sort(chunks_.begin(), chunks_.end());
    sorted_ = true;
  }
  chunks_.erase(std::unique(chunks_.begin(), chunks_.end()), chunks_.end());
  return chunks_;
}

}  // namespace snapscope::procfs::heap
