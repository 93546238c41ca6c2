#include <algorithm>
#include <array>

#include "heap_blocks.h"

namespace snapscope::win {
namespace {

// Size class k holds sizes [2^k, 2^(k+1)); class 0 also holds 0.
int sizeClass(uint64_t size) {
  int k = 0;
  while (k < 63 && (size >> (k + 1)) != 0) ++k;
  return k;
}

}  // namespace

HeapWalk summarizeHeap(const std::string& heapId, RawBlock* begin, RawBlock* end, uint64_t offset, uint64_t limit) {
  std::sort(begin, end, [](const RawBlock& a, const RawBlock& b) { return a.address < b.address; });
  HeapWalk walk;
  walk.heapId = heapId;
  walk.kind = "nt-heap";
  const uint64_t total = static_cast<uint64_t>(end - begin);
  const uint64_t first = std::min(offset, total);
  const uint64_t count = std::min(limit, total - first);
  walk.blocks.reserve(count);
  for (const RawBlock* b = begin + first; b != begin + first + count; ++b)
    walk.blocks.push_back(HeapBlock{b->address, b->size, b->flag});
  walk.truncated = first + count < total;

  std::array<HistogramBucket, 64> classes{};
  HeapSummary& s = walk.summary;
  for (const RawBlock* b = begin; b != end; ++b) {
    ++s.blockCount;
    if (b->flag == BlockFlag::Free) {
      ++s.freeBlocks;
      s.freeBytes += b->size;
    } else {
      ++s.usedBlocks;
      s.usedBytes += b->size;
    }
    HistogramBucket& bucket = classes[sizeClass(b->size)];
    ++bucket.count;
    bucket.bytes += b->size;
  }
  for (int k = 0; k < 64; ++k) {
    if (classes[k].count == 0) continue;
    HistogramBucket bucket = classes[k];
    bucket.minSize = k == 0 ? 0 : uint64_t{1} << k;
    bucket.maxSize = k == 63 ? UINT64_MAX : (uint64_t{1} << (k + 1)) - 1;
    s.histogram.push_back(bucket);
  }
  return walk;
}

}  // namespace snapscope::win
