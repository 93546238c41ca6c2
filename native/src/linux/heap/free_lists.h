// The chunks that are free although the heap says they are in use: a chunk cached in a tcache or
// a fastbin keeps its successor's PREV_INUSE bit set, so only these lists tell that it is free.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "heap_layout.h"
#include "remote_memory.h"

namespace snapscope::procfs::heap {

struct CachedChunk {
  uint64_t chunk = 0;
  uint64_t size = 0;  // chunk size (header included)
};

class FreeLists {
 public:
  FreeLists(const RemoteMemory& memory, const HeapLayout& layout);

  // Follows an arena's fastbins (safe-linked), each capped against cycles.
  void addFastbins(const ArenaState& arena);

  // `content` holds the 0x280 bytes of a candidate tcache_perthread_struct (the user memory of a
  // 0x290-byte chunk). True when it is one (possibly empty); its entries are then added, and also
  // appended to `added` when given.
  bool addTcache(uint64_t chunk, const char* content, std::vector<CachedChunk>* added = nullptr);

  // Cheap test on the struct alone: counts and entries agree, pointers are aligned, at least one
  // entry. Used to pick candidates out of the in-use 0x290-byte chunks during the walk.
  static bool looksLikeTcache(const char* content);

  bool isKnownTcache(uint64_t chunk) const;
  const std::vector<uint64_t>& tcaches() const { return tcaches_; }

  // All cached chunks so far, sorted by address, unique.
  const std::vector<uint64_t>& sorted();

  std::vector<std::string>& problems() { return problems_; }

 private:
  bool inArenaMemory(uint64_t chunk, uint64_t size) const;

  CachedReader reader_;
  std::vector<std::pair<uint64_t, uint64_t>> arenaMemory_;  // [first chunk, end) of every arena segment
  uint64_t maxChunks_ = 0;                                  // a list longer than this has a cycle
  std::vector<uint64_t> chunks_;
  bool sorted_ = true;
  std::vector<uint64_t> tcaches_;
  std::vector<std::string> problems_;
};

}  // namespace snapscope::procfs::heap
