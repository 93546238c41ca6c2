#include "ws_records.h"

#include <cstring>

#include "win32.h"

namespace snapscope::win {

static_assert(sizeof(PSAPI_WS_WATCH_INFORMATION_EX) == 4 * sizeof(void*),
              "PSAPI_WS_WATCH_INFORMATION_EX: FaultingPc, FaultingVa, FaultingThreadId, Flags");

WsParse parseWsChanges(const void* data, size_t bytes, double tMs, std::vector<FaultRecord>& out) {
  WsParse parse;
  const auto* p = static_cast<const unsigned char*>(data);
  const size_t count = bytes / sizeof(PSAPI_WS_WATCH_INFORMATION_EX);
  for (size_t i = 0; i < count; ++i) {
    PSAPI_WS_WATCH_INFORMATION_EX record;
    std::memcpy(&record, p + i * sizeof record, sizeof record);  // the buffer need not be aligned
    parse.bytesUsed += sizeof record;
    const auto pc = reinterpret_cast<uintptr_t>(record.BasicInfo.FaultingPc);
    const auto va = reinterpret_cast<uintptr_t>(record.BasicInfo.FaultingVa);
    if (pc == 0) {
      parse.lost = va;
      parse.terminated = true;
      return parse;
    }
    out.push_back(FaultRecord{pc, va & ~uintptr_t{1}, static_cast<uint32_t>(record.FaultingThreadId), tMs});
    ++parse.records;
  }
  return parse;
}

}  // namespace snapscope::win
