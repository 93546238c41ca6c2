// The one-pass heap query's entries (RTL_HEAP_ENTRY as ntdll writes them) turned into blocks.
#include "../../src/win/rtl_heap_query.h"
#include "check.h"

using namespace snapscope;
using namespace snapscope::win;

namespace {

rtl::HeapEntry segment(uint64_t firstBlock, uint64_t size) {
  rtl::HeapEntry e{};
  e.size = size;
  e.flags = rtl::kSegment;
  e.segment.committedSize = size;
  e.segment.firstBlock = reinterpret_cast<PVOID>(firstBlock);
  return e;
}

rtl::HeapEntry entry(uint64_t size, USHORT flags) {
  rtl::HeapEntry e{};
  e.size = size;
  e.flags = flags;
  return e;
}

}  // namespace

TEST(rtl_heap_entries_addresses_follow_the_segment) {
  const unsigned overhead = 16;  // x64 HEAP_ENTRY
  std::vector<rtl::HeapEntry> entries = {
      segment(0x10000, 0x100000),
      entry(0x30, rtl::kBusy),                        // header 0x10000
      entry(0x20, 0),                                 // free, header 0x10030
      entry(0x30, rtl::kBusy | rtl::kSettableFlag1),  // moveable, header 0x10050
      entry(0x1000, rtl::kUncommittedRange),          // 0x10080..0x11080: no block
      entry(0x50, rtl::kBusy | 0x10),                 // settable value only: fixed, header 0x11080
      segment(0x200000, 0x10000),
      entry(0x40, rtl::kBusy),                        // header 0x200000
  };
  std::vector<RawBlock> blocks;
  rtl::appendHeapBlocks(entries.data(), entries.size(), overhead, blocks);
  CHECK_EQ(blocks.size(), size_t{5});
  if (blocks.size() != 5) return;
  CHECK_EQ(blocks[0].address, uint64_t{0x10010});
  CHECK_EQ(blocks[0].size, uint64_t{0x20});
  CHECK(blocks[0].flag == BlockFlag::Fixed);
  CHECK_EQ(blocks[1].address, uint64_t{0x10040});
  CHECK_EQ(blocks[1].size, uint64_t{0x10});
  CHECK(blocks[1].flag == BlockFlag::Free);
  CHECK_EQ(blocks[2].address, uint64_t{0x10060});
  CHECK(blocks[2].flag == BlockFlag::Moveable);
  CHECK_EQ(blocks[3].address, uint64_t{0x11090});
  CHECK_EQ(blocks[3].size, uint64_t{0x40});
  CHECK(blocks[3].flag == BlockFlag::Fixed);
  CHECK_EQ(blocks[4].address, uint64_t{0x200010});
  CHECK_EQ(blocks[4].size, uint64_t{0x30});
}

TEST(rtl_heap_entries_before_any_segment_have_no_address) {
  std::vector<rtl::HeapEntry> entries = {entry(0x40, rtl::kBusy), segment(0x5000, 0x1000), entry(0x20, rtl::kBusy)};
  std::vector<RawBlock> blocks;
  rtl::appendHeapBlocks(entries.data(), entries.size(), 16, blocks);
  CHECK_EQ(blocks.size(), size_t{1});
  CHECK_EQ(blocks[0].address, uint64_t{0x5010});
}

TEST(rtl_heap_structure_layouts_match_ntdll) {
  // static_asserts in rtl_heap_query.h check the x64 sizes; here the answer's shape as a whole:
  // RTL_DEBUG_INFORMATION.Heaps -> RTL_PROCESS_HEAPS -> RTL_HEAP_INFORMATION.Entries.
  std::vector<rtl::HeapEntry> entries = {segment(0x9000, 0x1000), entry(0x100, rtl::kBusy)};
  rtl::ProcessHeaps heaps{};
  heaps.numberOfHeaps = 1;
  heaps.heaps[0].baseAddress = reinterpret_cast<PVOID>(0x9000);
  heaps.heaps[0].entryOverhead = 16;
  heaps.heaps[0].numberOfEntries = static_cast<ULONG>(entries.size());
  heaps.heaps[0].entries = entries.data();
  rtl::DebugInformation info{};
  info.heaps = &heaps;
  std::vector<RawBlock> blocks;
  const rtl::HeapInformation& heap = info.heaps->heaps[0];
  rtl::appendHeapBlocks(heap.entries, heap.numberOfEntries, heap.entryOverhead, blocks);
  CHECK_EQ(blocks.size(), size_t{1});
  CHECK_EQ(blocks[0].address, uint64_t{0x9010});
  CHECK_EQ(blocks[0].size, uint64_t{0xf0});
}
