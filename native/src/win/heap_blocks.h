// Heap blocks as every walk path produces them, and the summary the data contract wants of them.
#pragma once

#include <cstdint>
#include <string>

#include "../backend.h"

namespace snapscope::win {

struct RawBlock {
  uint64_t address;  // what the program holds (HeapAlloc's return value)
  uint64_t size;     // usable bytes
  BlockFlag flag;
};

// Sorts [begin, end) by address (in place) and returns the walk of one heap: blocks
// [offset, offset + limit) and a summary (counts, bytes, power-of-two histogram) over all of them.
HeapWalk summarizeHeap(const std::string& heapId, RawBlock* begin, RawBlock* end, uint64_t offset, uint64_t limit);

}  // namespace snapscope::win
