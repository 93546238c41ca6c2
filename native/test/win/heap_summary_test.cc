#include "../../src/win/heap_blocks.h"
#include "check.h"

using namespace snapscope;
using namespace snapscope::win;

TEST(heap_summary_sorts_pages_and_counts_every_block) {
  std::vector<RawBlock> blocks = {
      {0x3000, 24, BlockFlag::Fixed}, {0x1000, 0, BlockFlag::Free}, {0x2000, 100, BlockFlag::Moveable},
      {0x4000, 4096, BlockFlag::Free}, {0x5000, 16, BlockFlag::Fixed},
  };
  snapscope::HeapWalk walk = summarizeHeap("0x1000", blocks.data(), blocks.data() + blocks.size(), 1, 2);
  CHECK_EQ(walk.heapId, std::string("0x1000"));
  CHECK_EQ(walk.blocks.size(), size_t{2});
  CHECK_EQ(walk.blocks[0].address, uint64_t{0x2000});  // address order, after skipping one
  CHECK_EQ(walk.blocks[1].address, uint64_t{0x3000});
  CHECK(walk.blocks[0].flag == BlockFlag::Moveable);
  CHECK(walk.truncated);
  const HeapSummary& s = walk.summary;
  CHECK_EQ(s.blockCount, uint64_t{5});
  CHECK_EQ(s.usedBlocks, uint64_t{3});  // moveable blocks are in use
  CHECK_EQ(s.usedBytes, uint64_t{140});
  CHECK_EQ(s.freeBlocks, uint64_t{2});
  CHECK_EQ(s.freeBytes, uint64_t{4096});
  // classes: 0 -> [0,1], 16 and 24 -> [16,31], 100 -> [64,127], 4096 -> [4096,8191]
  CHECK_EQ(s.histogram.size(), size_t{4});
  if (s.histogram.size() != 4) return;
  CHECK_EQ(s.histogram[0].minSize, uint64_t{0});
  CHECK_EQ(s.histogram[0].maxSize, uint64_t{1});
  CHECK_EQ(s.histogram[1].minSize, uint64_t{16});
  CHECK_EQ(s.histogram[1].maxSize, uint64_t{31});
  CHECK_EQ(s.histogram[1].count, uint64_t{2});
  CHECK_EQ(s.histogram[1].bytes, uint64_t{40});
  CHECK_EQ(s.histogram[3].minSize, uint64_t{4096});
}

TEST(heap_summary_offset_past_the_end_is_an_empty_page) {
  std::vector<RawBlock> blocks = {{0x1000, 8, BlockFlag::Fixed}};
  snapscope::HeapWalk walk = summarizeHeap("0x1", blocks.data(), blocks.data() + 1, 5, 10);
  CHECK(walk.blocks.empty());
  CHECK(!walk.truncated);
  CHECK_EQ(walk.summary.blockCount, uint64_t{1});
  snapscope::HeapWalk all = summarizeHeap("0x1", blocks.data(), blocks.data() + 1, 0, UINT64_MAX);
  CHECK_EQ(all.blocks.size(), size_t{1});
  CHECK(!all.truncated);
}
