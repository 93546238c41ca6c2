#include "aggregator.h"

#include <algorithm>

namespace snapscope::procfs::allocs {

Aggregator::Stack& Aggregator::stack(uint32_t id) {
  if (id >= stacks_.size()) stacks_.resize(id + 1);
  Stack& s = stacks_[id];
  if (!s.touched) {
    s.touched = true;
    touched_.push_back(id);
  }
  return s;
}

void Aggregator::allocated(uint32_t tid, uint32_t id, uint64_t address, uint64_t size) {
  if (address == 0) return;  // a failed allocation
  Stack& s = stack(id);
  ++s.delta.allocations;
  s.delta.bytes += size;
  ++totals_.allocations;
  totals_.bytes += size;
  lastAllocation_[tid] = address;
  if (live_.size() >= maxLive_ && !live_.count(address)) {
    ++totals_.untrackedBlocks;
    return;
  }
  auto [slot, added] = live_.emplace(address, Block{id, size});
  if (!added) {
    // Handed out again without a free we saw (a free lost by the kernel): the old block is gone.
    Stack& old = stacks_[slot->second.stack];
    --old.liveBlocks;
    old.liveBytes -= slot->second.size;
    --totals_.liveBlocks;
    totals_.liveBytes -= slot->second.size;
    slot->second = Block{id, size};
  }
  ++s.liveBlocks;
  s.liveBytes += size;
  s.peakBytes = std::max(s.peakBytes, s.liveBytes);
  ++totals_.liveBlocks;
  totals_.liveBytes += size;
  totals_.peakBytes = std::max(totals_.peakBytes, totals_.liveBytes);
}

void Aggregator::freed(uint32_t tid, uint64_t address) {
  if (address == 0) return;
  auto found = live_.find(address);
  auto last = lastAllocation_.find(tid);
  const bool temporary = last != lastAllocation_.end() && last->second == address;
  if (last != lastAllocation_.end()) last->second = 0;
  if (found == live_.end()) {
    ++totals_.untrackedFrees;
    return;
  }
  const Block block = found->second;
  live_.erase(found);
  Stack& s = stack(block.stack);
  ++s.delta.frees;
  s.delta.freedBytes += block.size;
  --s.liveBlocks;
  s.liveBytes -= block.size;
  ++totals_.frees;
  --totals_.liveBlocks;
  totals_.liveBytes -= block.size;
  if (temporary) {
    ++s.delta.temporary;
    ++totals_.temporary;
  }
}

void Aggregator::take(AllocBatch& batch) {
  const size_t n = touched_.size();
  batch.stackIds.resize(n);
  batch.allocations.resize(n);
  batch.bytes.resize(n);
  batch.frees.resize(n);
  batch.freedBytes.resize(n);
  batch.temporary.resize(n);
  for (size_t i = 0; i < n; ++i) {
    const uint32_t id = touched_[i];
    Stack& s = stacks_[id];
    batch.stackIds[i] = id;
    batch.allocations[i] = static_cast<double>(s.delta.allocations);
    batch.bytes[i] = static_cast<double>(s.delta.bytes);
    batch.frees[i] = static_cast<double>(s.delta.frees);
    batch.freedBytes[i] = static_cast<double>(s.delta.freedBytes);
    batch.temporary[i] = static_cast<double>(s.delta.temporary);
    s.delta = Counts{};
    s.touched = false;
  }
  touched_.clear();
  batch.totals = totals_;
}

AllocLeaks Aggregator::leaks() const {
  AllocLeaks leaks;
  for (uint32_t id = 0; id < stacks_.size(); ++id) {
    const Stack& s = stacks_[id];
    if (s.peakBytes == 0 && s.liveBlocks == 0) continue;
    leaks.stackIds.push_back(id);
    leaks.blocks.push_back(static_cast<double>(s.liveBlocks));
    leaks.bytes.push_back(static_cast<double>(s.liveBytes));
    leaks.peakBytes.push_back(static_cast<double>(s.peakBytes));
  }
  return leaks;
}

}  // namespace snapscope::procfs::allocs
