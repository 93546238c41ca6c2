#include "free_lists.h"

#include <algorithm>
#include <cstring>

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

FreeLists::FreeLists(const RemoteMemory& memory, const HeapLayout& layout) : reader_(memory) {
  uint64_t bytes = 0;
  for (const HeapPlan& plan : layout.heaps) {
    if (plan.arena == 0) continue;
    for (const Segment& s : plan.segments) {
      arenaMemory_.emplace_back(s.start, s.end);
      bytes += s.end - s.start;
    }
  }
  std::sort(arenaMemory_.begin(), arenaMemory_.end());
  maxChunks_ = bytes / kMinChunk + 1;
}

bool FreeLists::inArenaMemory(uint64_t chunk, uint64_t size) const {
  // The first range starting after `chunk`, then the one before it.
  auto it = std::upper_bound(arenaMemory_.begin(), arenaMemory_.end(), std::make_pair(chunk, UINT64_MAX));
  if (it == arenaMemory_.begin()) return false;
  --it;
  return chunk >= it->first && chunk + size <= it->second;
}

void FreeLists::addFastbins(const ArenaState& arena) {
  for (int i = 0; i < kFastbinCount; ++i) {
    const uint64_t expected = binChunkSize(i);
    uint64_t chunk = arena.fastbins[i];
    uint64_t count = 0;
    while (chunk != 0) {
      std::string bad;
      uint64_t size = 0, stored = 0;
      if ((chunk & (kAlign - 1)) != 0 || !inArenaMemory(chunk, expected)) {
        bad = "points outside the arenas' heaps, at " + hex(chunk);
      } else if (!reader_.u64(chunk + kSizeSz, size, "fastbin chunks") || (size & ~kSizeBits) != expected) {
        bad = "holds a chunk of the wrong size at " + hex(chunk);
      } else if (++count > maxChunks_) {
        bad = "has a cycle";
      } else if (!reader_.u64(chunk + kChunkHdr, stored, "fastbin links")) {
        bad = "can't be followed past " + hex(chunk);
      }
      if (!bad.empty()) {
        problems_.push_back("fastbin " + std::to_string(i) + " of arena " + hex(arena.address) + " " + bad +
                            " (corrupt, or changing during the walk): the rest of it counts as in use");
        break;
      }
      if (!chunks_.empty() && chunk < chunks_.back()) sorted_ = false;
      chunks_.push_back(chunk);
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

bool FreeLists::isKnownTcache(uint64_t chunk) const {
  return std::find(tcaches_.begin(), tcaches_.end(), chunk) != tcaches_.end();
}

// Each bin i is a list of counts[i] entries (user pointers) of chunks of size 32 + 16 i; the last
// entry's next reveals to 0. A candidate whose lists fail at their first entry is not a tcache (a
// user block of the same size); a failure further down is reported and the rest of that list is
// left out (it counts as in use).
bool FreeLists::addTcache(uint64_t chunk, const char* content, std::vector<CachedChunk>* added) {
  if (isKnownTcache(chunk)) return true;
  TcacheView v = view(content);
  for (int i = 0; i < kTcacheBins; ++i) {
    if ((v.counts[i] == 0) != (v.entries[i] == 0) || (v.entries[i] & (kAlign - 1)) != 0) return false;
  }
  std::vector<CachedChunk> found;
  std::vector<std::string> problems;
  for (int i = 0; i < kTcacheBins; ++i) {
    const uint64_t expected = binChunkSize(i);
    uint64_t entry = v.entries[i];
    for (uint32_t k = 0; k < v.counts[i]; ++k) {
      const uint64_t c = entry - kChunkHdr;
      uint64_t size = 0, stored = 0;
      const bool ok = entry != 0 && (entry & (kAlign - 1)) == 0 && inArenaMemory(c, expected) &&
                      reader_.u64(c + kSizeSz, size, "tcache chunks") && (size & ~kSizeBits) == expected &&
                      reader_.u64(entry, stored, "tcache links");
      if (!ok) {
        if (k == 0) return false;
        problems.push_back("tcache " + hex(chunk + kChunkHdr) + " bin " + std::to_string(i) + " breaks off after " +
                           std::to_string(k) + " of " + std::to_string(v.counts[i]) +
                           " entries (corrupt, or changing during the walk): the rest counts as in use");
        break;
      }
      found.push_back({c, expected});
      entry = reveal(entry, stored);
    }
  }
  tcaches_.push_back(chunk);
  for (const CachedChunk& f : found) {
    if (!chunks_.empty() && f.chunk < chunks_.back()) sorted_ = false;
    chunks_.push_back(f.chunk);
  }
  if (added) added->insert(added->end(), found.begin(), found.end());
  problems_.insert(problems_.end(), problems.begin(), problems.end());
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
