#include "rtl_heap_query.h"

namespace snapscope::win::rtl {

void appendHeapBlocks(const HeapEntry* entries, size_t count, unsigned entryOverhead, std::vector<RawBlock>& out) {
  uint64_t header = 0;  // address of the current block's header
  for (size_t i = 0; i < count; ++i) {
    const HeapEntry& e = entries[i];
    if (e.flags & kSegment) {
      header = reinterpret_cast<uintptr_t>(e.segment.firstBlock);
      continue;
    }
    if (!(e.flags & kUncommittedRange) && header != 0) {
      const BlockFlag flag = !(e.flags & kBusy) ? BlockFlag::Free
                             : (e.flags & kSettableFlag1) ? BlockFlag::Moveable
                                                          : BlockFlag::Fixed;
      const uint64_t usable = e.size > entryOverhead ? e.size - entryOverhead : 0;
      out.push_back(RawBlock{header + entryOverhead, usable, flag});
    }
    header += e.size;
  }
}

}  // namespace snapscope::win::rtl
