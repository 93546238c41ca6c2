// The block-by-block part of a heap walk: chunks read through a streaming window, classified,
// counted, and kept only when they fall in the requested page.
#pragma once

#include <atomic>
#include <cstdint>
#include <string>
#include <vector>

#include "../../backend.h"
#include "cancel.h"
#include "free_lists.h"
#include "heap_layout.h"
#include "remote_memory.h"

namespace snapscope::procfs::heap {

// Counts every block of one heap (summary + histogram) and keeps blocks [offset, offset + limit).
class BlockSink {
 public:
  BlockSink(HeapWalk& out, uint64_t offset, uint64_t limit) : out_(out), offset_(offset), limit_(limit) {}

  void add(uint64_t address, uint64_t size, bool free) {
    const uint64_t index = count_++;
    if (free) {
      ++freeBlocks_;
      freeBytes_ += size;
    } else {
      ++usedBlocks_;
      usedBytes_ += size;
    }
    const unsigned bucket = bucketOf(size);
    ++histCount_[bucket];
    histBytes_[bucket] += size;
    if (bucket > maxBucket_) maxBucket_ = bucket;
    if (index >= offset_ && index - offset_ < limit_) out_.blocks.push_back({address, size, free ? BlockFlag::Free : BlockFlag::Fixed});
  }

  // Writes the summary, the histogram and `truncated` into the HeapWalk.
  void finish();

  // Power-of-two size classes: [0,16], [17,32], [33,64], ...
  static unsigned bucketOf(uint64_t size) {
    return size <= 16 ? 0 : static_cast<unsigned>(64 - __builtin_clzll(size - 1)) - 4;
  }

 private:
  static constexpr unsigned kBuckets = 61;
  HeapWalk& out_;
  uint64_t offset_, limit_;
  uint64_t count_ = 0, usedBlocks_ = 0, usedBytes_ = 0, freeBlocks_ = 0, freeBytes_ = 0;
  uint64_t histCount_[kBuckets] = {}, histBytes_[kBuckets] = {};
  unsigned maxBucket_ = 0;
};

// Shared by every heap of one walk: the window buffer, progress and cancellation.
class WalkContext {
 public:
  WalkContext(const RemoteMemory& memory, const ProgressFn& progress, const Cancel& cancel, uint64_t totalBytes);

  const RemoteMemory& memory() const { return memory_; }
  const Cancel& cancel() const { return cancel_; }
  std::vector<char>& buffer() { return buffer_; }

  // Called every kTickBlocks blocks: reports progress, throws OsError ECANCELED when cancelled.
  void tick(uint64_t scannedInHeap);
  void checkCancel() const { cancel_.check(); }
  // Adds a finished range's bytes to the total scanned.
  void scanned(uint64_t bytes) { scannedBytes_ += bytes; }
  void report(uint64_t extra);
  uint64_t blocks = 0;
  uint64_t nextTick;
  uint64_t candidatesDropped = 0;  // tcache candidates past kMaxTcacheCandidates

  static constexpr uint64_t kTickBlocks = 64 * 1024;
  // A thread has one tcache; this many candidates (copies of 0x280 bytes each) are kept at most, so
  // a heap made of look-alikes costs bounded memory and work.
  static constexpr size_t kMaxTcacheCandidates = 4096;

 private:
  const RemoteMemory& memory_;
  const ProgressFn& progress_;
  const Cancel& cancel_;
  std::vector<char> buffer_;
  uint64_t totalBytes_;
  uint64_t scannedBytes_ = 0;
};

// An in-use chunk of a tcache's size that may be a tcache_perthread_struct (checked after the walk).
struct TcacheCandidate {
  uint64_t chunk = 0;
  std::vector<char> content;
};

struct SegmentOutcome {
  uint64_t walkedEnd = 0;  // chunks below this address were counted
  std::string error;       // non-empty: corruption (or an unreadable part) stopped the walk here
};

// Walks one segment's chunks into `sink`. `cached` (sorted) holds chunks that are free although
// their successor says in use. `knownTcaches` (sorted) are the chunks already taken as tcache structs.
// Every chunk counted as in use is added to `inUse` (a tcache found later may free only those).
SegmentOutcome walkSegment(WalkContext& ctx, const Segment& segment, const std::vector<uint64_t>& cached,
                           const std::vector<uint64_t>& knownTcaches, BlockSink& sink,
                           std::vector<TcacheCandidate>& candidates, ChunkSet& inUse);

}  // namespace snapscope::procfs::heap
