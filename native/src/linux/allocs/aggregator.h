// What heaptrack counts, per call stack, from the stream of allocations and frees in time order:
// allocations, bytes requested, frees, temporary allocations, live blocks and bytes, and the peak of
// live bytes; the live map (address -> stack, size) gives what is leaked at the end.
//
// Temporary: freed by the thread that allocated it with no other allocation by that thread in
// between (heaptrack's definition, per thread here since events of different threads interleave
// in no meaningful order; heaptrack's single-threaded traces count the same).
#pragma once

#include <cstdint>
#include <unordered_map>
#include <vector>

#include "../../backend.h"

namespace snapscope::procfs::allocs {

class Aggregator {
 public:
  explicit Aggregator(uint64_t maxLiveBlocks) : maxLive_(maxLiveBlocks) {}

  void allocated(uint32_t tid, uint32_t stack, uint64_t address, uint64_t size);
  void freed(uint32_t tid, uint64_t address);
  void threadExited(uint32_t tid) { lastAllocation_.erase(tid); }

  // Moves the per-stack deltas into `batch` (columns) and the running totals.
  void take(AllocBatch& batch);
  AllocLeaks leaks() const;

 private:
  struct Counts {
    uint64_t allocations = 0, bytes = 0, frees = 0, freedBytes = 0, temporary = 0;
  };
  struct Stack {
    Counts delta;
    uint64_t liveBlocks = 0, liveBytes = 0, peakBytes = 0;
    bool touched = false;
  };
  struct Block {
    uint32_t stack;
    uint64_t size;
  };

  Stack& stack(uint32_t id);

  uint64_t maxLive_;
  std::vector<Stack> stacks_;
  std::vector<uint32_t> touched_;
  std::unordered_map<uint64_t, Block> live_;
  std::unordered_map<uint32_t, uint64_t> lastAllocation_;  // per thread: its latest block, 0 = none since
  AllocTotals totals_;
};

}  // namespace snapscope::procfs::allocs
