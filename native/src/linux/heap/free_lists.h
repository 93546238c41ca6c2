// The chunks that are free although the heap says they are in use: a chunk cached in a tcache or
// a fastbin keeps its successor's PREV_INUSE bit set, so only these lists tell that it is free.
//
// Every list is the target's own memory, which a hostile (or corrupt) process can shape at will:
// fake tcaches claiming 65,535 entries per bin, lists that loop. So the walk is bounded: a tcache
// bin holds at most mp_.tcache_count entries (a struct claiming more is not a tcache), each chunk
// may be listed once over all lists (a ChunkSet over the arenas' memory, one bit per 16 bytes: a
// list that comes back to a chunk has a cycle and ends there, reported), and the cancel flag is
// checked at every step. The work is at most one step per chunk of the heaps plus one per list.
#pragma once

#include <cstdint>
#include <cstdlib>
#include <memory>
#include <string>
#include <vector>

#include "cancel.h"
#include "heap_layout.h"
#include "remote_memory.h"

namespace snapscope::procfs::heap {

// One bit per 16 bytes of the arenas' heaps: a set of chunks, bounded by the heaps' size (1/128 of
// it, calloc'ed: only the pages of bits set are ever touched).
class ChunkSet {
 public:
  explicit ChunkSet(const HeapLayout& layout);
  // The bit of `chunk` when [chunk, chunk + size) lies in one segment and chunk is 16-aligned.
  bool locate(uint64_t chunk, uint64_t size, uint64_t& bit) const;
  // The first bit of the segment starting at `start` (UINT64_MAX: no such segment).
  uint64_t base(uint64_t start) const;
  bool test(uint64_t bit) const { return (bits_.get()[bit / 64] >> (bit % 64)) & 1; }
  void set(uint64_t bit) { bits_.get()[bit / 64] |= uint64_t{1} << (bit % 64); }
  void clear(uint64_t bit) { bits_.get()[bit / 64] &= ~(uint64_t{1} << (bit % 64)); }

 private:
  std::vector<std::pair<uint64_t, uint64_t>> segments_;  // [first chunk, end), sorted
  std::vector<uint64_t> firstBit_;
  std::unique_ptr<uint64_t, void (*)(void*)> bits_{nullptr, std::free};
};

struct CachedChunk {
  uint64_t chunk = 0;
  uint64_t size = 0;  // chunk size (header included)
};

class FreeLists {
 public:
  FreeLists(const RemoteMemory& memory, const HeapLayout& layout, const Cancel& cancel);

  // Follows an arena's fastbins (safe-linked).
  void addFastbins(const ArenaState& arena);

  // `content` holds the 0x280 bytes of a candidate tcache_perthread_struct. True when it is one
  // (possibly empty); its entries are then added, and also appended to `added` when given.
  bool addTcache(uint64_t chunk, const char* content, std::vector<CachedChunk>* added = nullptr);

  // Cheap test on the struct alone: counts and entries agree, pointers are aligned, at least one
  // entry. Used to pick candidates out of the in-use chunks of a tcache's size during the walk.
  static bool looksLikeTcache(const char* content);

  const std::vector<uint64_t>& tcaches() const { return tcaches_; }

  // All cached chunks so far, sorted by address, unique.
  const std::vector<uint64_t>& sorted();

  // What was wrong with the lists, at most kMaxProblems messages (then one that counts the rest).
  std::vector<std::string> problems() const;

 private:
  static constexpr size_t kMaxProblems = 16;

  // Why the chunk can't be the next entry of a list of `expected`-byte chunks ("" when it can).
  std::string check(uint64_t chunk, uint64_t expected, uint64_t& bit);
  void add(uint64_t chunk);
  void problem(std::string text);

  CachedReader reader_;
  const Cancel& cancel_;
  uint64_t tcacheCount_;  // mp_.tcache_count, or its tunable's maximum when mp_ is not known
  uint64_t tcacheBins_;
  ChunkSet seen_;  // every chunk listed so far
  std::vector<uint64_t> chunks_;
  bool sorted_ = true;
  std::vector<uint64_t> tcaches_;
  uint64_t overfull_ = 0;  // candidates claiming more entries than a tcache holds
  std::vector<std::string> problems_;
  uint64_t problemsDropped_ = 0;
};

}  // namespace snapscope::procfs::heap
