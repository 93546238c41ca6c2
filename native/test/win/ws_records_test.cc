// GetWsChangesEx buffers as the system writes them: records, a NULL-pc terminator whose
// FaultingVa is the lost count, and what a full buffer looks like.
#include <cstring>

#include "../../src/win/win32.h"
#include "../../src/win/ws_records.h"
#include "check.h"

using snapscope::FaultRecord;
using snapscope::win::parseWsChanges;

namespace {

PSAPI_WS_WATCH_INFORMATION_EX record(uintptr_t pc, uintptr_t va, ULONG_PTR tid) {
  PSAPI_WS_WATCH_INFORMATION_EX r{};
  r.BasicInfo.FaultingPc = reinterpret_cast<PVOID>(pc);
  r.BasicInfo.FaultingVa = reinterpret_cast<PVOID>(va);
  r.FaultingThreadId = tid;
  return r;
}

PSAPI_WS_WATCH_INFORMATION_EX terminator(uintptr_t lost) { return record(0, lost, 0); }

}  // namespace

TEST(ws_records_parse_records_until_the_terminator) {
  std::vector<PSAPI_WS_WATCH_INFORMATION_EX> buffer = {
      record(0x7ff6a0001234, 0x1d0000, 4242), record(0x7ffb10002000, 0x7ff6a0010000, 4243), terminator(0),
      record(0xdead, 0xbeef, 1),  // stale bytes after the terminator: never read
  };
  std::vector<FaultRecord> out;
  auto parse = parseWsChanges(buffer.data(), buffer.size() * sizeof buffer[0], 12.5, out);
  CHECK(parse.terminated);
  CHECK_EQ(parse.records, size_t{2});
  CHECK_EQ(parse.lost, uint64_t{0});
  CHECK_EQ(parse.bytesUsed, 3 * sizeof buffer[0]);
  CHECK_EQ(out.size(), size_t{2});
  CHECK_EQ(out[0].pc, uint64_t{0x7ff6a0001234});
  CHECK_EQ(out[0].va, uint64_t{0x1d0000});
  CHECK_EQ(out[0].tid, uint32_t{4242});
  CHECK_EQ(out[0].tMs, 12.5);
  CHECK_EQ(out[1].tid, uint32_t{4243});
}

TEST(ws_records_lost_count_is_the_terminators_va) {
  // The system's buffer overflowed: it kept what fitted and counted the rest.
  std::vector<PSAPI_WS_WATCH_INFORMATION_EX> buffer;
  for (uintptr_t i = 0; i < 1000; ++i) buffer.push_back(record(0x140001000 + i, 0x20000000 + i * 4096, 7));
  buffer.push_back(terminator(31337));
  std::vector<FaultRecord> out;
  auto parse = parseWsChanges(buffer.data(), buffer.size() * sizeof buffer[0], 0, out);
  CHECK(parse.terminated);
  CHECK_EQ(parse.records, size_t{1000});
  CHECK_EQ(parse.lost, uint64_t{31337});
  CHECK_EQ(out.back().va, uint64_t{0x20000000 + 999 * 4096});
}

TEST(ws_records_va_low_bit_is_a_flag_not_address) {
  std::vector<PSAPI_WS_WATCH_INFORMATION_EX> buffer = {record(0x401000, 0x5000 | 1, 9), terminator(0)};
  std::vector<FaultRecord> out;
  parseWsChanges(buffer.data(), buffer.size() * sizeof buffer[0], 0, out);
  CHECK_EQ(out.size(), size_t{1});
  CHECK_EQ(out[0].va, uint64_t{0x5000});
}

TEST(ws_records_full_buffer_without_terminator_is_bounded) {
  std::vector<PSAPI_WS_WATCH_INFORMATION_EX> buffer(64, record(0x401000, 0x9000, 3));
  std::vector<FaultRecord> out;
  // A byte count that is not a whole number of records: the partial record is not read.
  auto parse = parseWsChanges(buffer.data(), buffer.size() * sizeof buffer[0] - 5, 0, out);
  CHECK(!parse.terminated);
  CHECK_EQ(parse.records, size_t{63});
  CHECK_EQ(parse.lost, uint64_t{0});
}

TEST(ws_records_empty_answer_and_unaligned_buffer) {
  std::vector<FaultRecord> out;
  PSAPI_WS_WATCH_INFORMATION_EX only = terminator(0);
  auto parse = parseWsChanges(&only, sizeof only, 0, out);
  CHECK(parse.terminated);
  CHECK_EQ(parse.records, size_t{0});
  CHECK(out.empty());

  // The records need not be aligned in the caller's buffer.
  std::vector<unsigned char> bytes(1 + 2 * sizeof(PSAPI_WS_WATCH_INFORMATION_EX));
  PSAPI_WS_WATCH_INFORMATION_EX records[2] = {record(0x1000, 0x2000, 5), terminator(2)};
  std::memcpy(bytes.data() + 1, records, sizeof records);
  parse = parseWsChanges(bytes.data() + 1, sizeof records, 0, out);
  CHECK_EQ(parse.records, size_t{1});
  CHECK_EQ(parse.lost, uint64_t{2});
  CHECK_EQ(out[0].pc, uint64_t{0x1000});
}
