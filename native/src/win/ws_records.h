// What GetWsChangesEx writes, read without trusting it: an array of PSAPI_WS_WATCH_INFORMATION_EX
// ended by a record whose FaultingPc is NULL, whose FaultingVa then holds the number of records
// the system dropped because its buffer was full.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

#include "../backend.h"

namespace snapscope::win {

struct WsParse {
  size_t records = 0;      // appended to `out`
  uint64_t lost = 0;       // from the terminating record
  size_t bytesUsed = 0;    // records and terminator: what the next call must clear before reuse
  bool terminated = false; // false: the data ended before a terminator (the buffer was full)
};

// Pure: parses `bytes` bytes at `data`, appending one FaultRecord per record with t = tMs.
// FaultingVa's low bit is a flag of the kernel's (not part of the page address) and is cleared.
WsParse parseWsChanges(const void* data, size_t bytes, double tMs, std::vector<FaultRecord>& out);

}  // namespace snapscope::win
