// RAII: handles are closed when their owner goes, on every path, and nothing the backend does
// leaves one behind.
#include <atomic>

#include "../../src/win/parts.h"
#include "../../src/win/unique_handle.h"
#include "check.h"

using namespace snapscope;
using namespace snapscope::win;

namespace {

bool isOpen(HANDLE handle) {
  DWORD flags = 0;
  return ::GetHandleInformation(handle, &flags) != 0;
}

// Handle values are reused lowest-first: if calls leaked, a new handle's value would climb.
uintptr_t freshHandleValue() {
  UniqueHandle probe(::CreateEventW(nullptr, TRUE, FALSE, nullptr));
  return reinterpret_cast<uintptr_t>(probe.get());
}

}  // namespace

TEST(unique_handle_closes_on_scope_exit_reset_and_move) {
  HANDLE raw = ::CreateEventW(nullptr, TRUE, FALSE, nullptr);
  {
    UniqueHandle owner(raw);
    CHECK(isOpen(raw));
  }
  CHECK(!isOpen(raw));

  HANDLE a = ::CreateEventW(nullptr, TRUE, FALSE, nullptr);
  HANDLE b = ::CreateEventW(nullptr, TRUE, FALSE, nullptr);
  UniqueHandle first(a);
  UniqueHandle second(b);
  second = std::move(first);  // b closed, a moved
  CHECK(!isOpen(b));
  CHECK(isOpen(a));
  CHECK(!first);
  CHECK_EQ(second.get(), a);
  second.reset();
  CHECK(!isOpen(a));

  try {
    UniqueHandle thrown(::CreateEventW(nullptr, TRUE, FALSE, nullptr));
    raw = thrown.get();
    throw std::runtime_error("unwinding");
  } catch (const std::runtime_error&) {
  }
  CHECK(!isOpen(raw));
}

TEST(unique_handle_treats_both_failure_values_as_empty) {
  CHECK(!UniqueHandle(nullptr));
  CHECK(!UniqueHandle(INVALID_HANDLE_VALUE));  // what CreateToolhelp32Snapshot returns on failure
}

TEST(backend_calls_leave_no_handle_open) {
  auto backend = makeBackend();
  const int self = static_cast<int>(::GetCurrentProcessId());
  // Warm up once: lazily created objects (the ntdll table, caches) are not leaks.
  SnapshotRequest all{true, true, true, true, self};
  backend->snapshot(all);
  backend->memoryRegions(self);
  backend->processMemory(self);
  std::atomic<bool> cancel{false};
  HeapWalkRequest walk;
  walk.pid = self;
  walk.limit = 10;
  backend->walkHeaps(walk, nullptr, cancel);
  const std::vector<uint64_t> code = {reinterpret_cast<uintptr_t>(&::GetProcAddress), reinterpret_cast<uintptr_t>(&freshHandleValue)};
  backend->symbolize(self, code);  // its session (one process handle) is kept for the calls below

  const uintptr_t before = freshHandleValue();
  DWORD countBefore = 0, countAfter = 0;
  ::GetProcessHandleCount(::GetCurrentProcess(), &countBefore);  // 0 under Wine, which does not count
  for (int i = 0; i < 50; ++i) {
    backend->snapshot(all);
    backend->memoryRegions(self);
    backend->processMemory(self);
    backend->walkHeaps(walk, nullptr, cancel);
    backend->symbolize(self, code);
    try {
      backend->snapshot(SnapshotRequest{false, false, true, false, 0x7ffffff0});  // an error path
    } catch (const OsError&) {
    }
    try {
      backend->symbolize(0x7ffffff0, code);
    } catch (const OsError&) {
    }
  }
  const uintptr_t after = freshHandleValue();
  ::GetProcessHandleCount(::GetCurrentProcess(), &countAfter);
  CHECK(after <= before + 4 * sizeof(void*));  // a leak of one handle per call would be 200+ handles
  CHECK(countAfter <= countBefore + 4);
}
