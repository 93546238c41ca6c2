// What the symbolizer reads from a module's PE image in the target's memory: its link timestamp (the
// image's identity next to its path) and its x64 function table (.pdata), which bounds every
// non-leaf function exactly and so decides whether an export with no size covers an address.
#pragma once

#include <cstdint>
#include <vector>

#include "../win32.h"

namespace snapscope::win::symbols {

// One RUNTIME_FUNCTION: [begin, end) relative to the image base.
struct FunctionRange {
  uint32_t begin = 0;
  uint32_t end = 0;
  uint32_t unwindInfo = 0;
};

struct PeHeader {
  uint32_t timeDateStamp = 0;  // IMAGE_FILE_HEADER::TimeDateStamp (0 when unreadable)
  uint32_t exceptionRva = 0;   // the exception directory of a PE32+ image (0: none, or a 32-bit image)
  uint32_t exceptionSize = 0;
};

// false when the image at `base` can't be read or is not a PE image.
bool readPeHeader(HANDLE process, uint64_t base, PeHeader& header);

// The image's function table, sorted by begin as the PE format requires; empty when it has none
// or it can't be read.
std::vector<FunctionRange> readFunctionTable(HANDLE process, uint64_t base, const PeHeader& header);

// The entry whose [begin, end) holds `rva`, or nullptr (a leaf function, or no code).
const FunctionRange* functionContaining(const std::vector<FunctionRange>& table, uint32_t rva);

}  // namespace snapscope::win::symbols
