#include "../../src/win/parts.h"
#include "check.h"

using namespace snapscope;
using namespace snapscope::win;

namespace {

const MemoryRegion* regionOf(const std::vector<MemoryRegion>& regions, const void* address) {
  const auto a = reinterpret_cast<uintptr_t>(address);
  for (const MemoryRegion& r : regions)
    if (a >= r.start && a < r.end) return &r;
  return nullptr;
}

}  // namespace

TEST(regions_of_self_classify_image_heap_and_stack) {
  auto regions = makeBackend()->memoryRegions(static_cast<int>(::GetCurrentProcessId()));
  CHECK(regions.size() > 10);
  for (size_t i = 1; i < regions.size(); ++i) CHECK(regions[i - 1].end <= regions[i].start);

  const auto* ntClose = reinterpret_cast<const void*>(::GetProcAddress(::GetModuleHandleW(L"ntdll.dll"), "NtClose"));
  const MemoryRegion* ntdll = regionOf(regions, ntClose);
  CHECK(ntdll != nullptr);
  if (ntdll) {
    CHECK_EQ(ntdll->kind, std::string("image"));
    CHECK(ntdll->path.find("ntdll.dll") != std::string::npos);
    CHECK_EQ(ntdll->perms.substr(0, 3), std::string("r-x"));
  }
  const MemoryRegion* heap = regionOf(regions, ::GetProcessHeap());
  CHECK(heap != nullptr);
  if (heap) CHECK_EQ(heap->kind, std::string("heap"));

  int local = 0;
  const MemoryRegion* stack = regionOf(regions, &local);
  CHECK(stack != nullptr);
  if (stack) {
    CHECK_EQ(stack->kind, std::string("stack"));
    CHECK_EQ(stack->tid, static_cast<int>(::GetCurrentThreadId()));
    CHECK_EQ(stack->perms, std::string("rw-p"));
  }
}
