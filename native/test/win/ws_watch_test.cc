// The working-set watch end to end. Under Wine its APIs are unimplemented: the watch must refuse
// (ERROR_CALL_NOT_IMPLEMENTED) without calling them; the record parsing is tested in ws_records_test.
#include "../../src/win/ntdll.h"
#include "../../src/win/parts.h"
#include "check.h"

using namespace snapscope;
using namespace snapscope::win;

TEST(ws_watch_of_own_page_faults) {
  WatchRequest request;
  request.pid = static_cast<int>(::GetCurrentProcessId());
  auto backend = makeBackend();
  if (nt::runningUnderWine()) {
    CHECK_OS_ERROR(backend->startWatch(request), "ERROR_CALL_NOT_IMPLEMENTED");
    request.mechanism = "perf-page-faults";
    CHECK_OS_ERROR(backend->startWatch(request), "ERROR_NOT_SUPPORTED");
    return;
  }
  auto watch = backend->startWatch(request);
  CHECK_EQ(watch->mechanism(), std::string("psapi-ws-watch"));
  const size_t pages = 64, page = 4096;
  void* region = ::VirtualAlloc(nullptr, pages * page, MEM_COMMIT | MEM_RESERVE, PAGE_READWRITE);
  auto* memory = static_cast<volatile char*>(region);
  for (size_t i = 0; i < pages; ++i) memory[i * page] = 1;
  std::vector<FaultRecord> faults;
  uint64_t lost = 0;
  for (int i = 0; i < 20 && watch->poll(faults, lost, 50);) ++i;
  size_t inRegion = 0;
  const auto base = reinterpret_cast<uintptr_t>(memory);
  for (const FaultRecord& f : faults) inRegion += f.va >= base && f.va < base + pages * page && f.pc != 0;
  CHECK(inRegion + lost >= pages / 2);
  watch->stop();
  CHECK(!watch->poll(faults, lost, 1000));
  ::VirtualFree(region, 0, MEM_RELEASE);
}
