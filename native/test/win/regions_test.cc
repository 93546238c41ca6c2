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

TEST(memory_map_of_self_counts_the_pages_touched_in_a_fresh_allocation) {
  constexpr size_t kPages = 64, kTouched = 16, kPage = 4096;
  auto* block = static_cast<char*>(::VirtualAlloc(nullptr, kPages * kPage, MEM_COMMIT | MEM_RESERVE, PAGE_READWRITE));
  CHECK(block != nullptr);
  for (size_t i = 0; i < kTouched; ++i) block[i * kPage] = 1;
  const MemoryMap map = makeBackend()->memoryMap(static_cast<int>(::GetCurrentProcessId()));
  CHECK(map.regions.size() > 10);
  const MemoryMapRegion* mine = nullptr;
  for (const MemoryMapRegion& r : map.regions)
    if (r.start <= reinterpret_cast<uintptr_t>(block) && reinterpret_cast<uintptr_t>(block) < r.end) mine = &r;
  CHECK(mine != nullptr);
  if (mine) {
    CHECK(mine->kind == MemoryKind::Anon);
    CHECK_EQ(mine->residentBytes, static_cast<uint64_t>(kTouched * kPage));
    CHECK_EQ(mine->privateBytes, static_cast<uint64_t>(kTouched * kPage));
  }
  // ntdll's code is an image, resident (it runs), and shared with every other process
  const auto ntClose = reinterpret_cast<uintptr_t>(::GetProcAddress(::GetModuleHandleW(L"ntdll.dll"), "NtClose"));
  bool ntdll = false, stack = false;
  int local = 0;
  for (const MemoryMapRegion& r : map.regions) {
    if (r.start <= ntClose && ntClose < r.end) ntdll = r.kind == MemoryKind::Image && r.residentBytes > 0;
    if (r.start <= reinterpret_cast<uintptr_t>(&local) && reinterpret_cast<uintptr_t>(&local) < r.end)
      stack = r.kind == MemoryKind::Stack && r.residentBytes > 0;
  }
  CHECK(ntdll);
  CHECK(stack);
  ::VirtualFree(block, 0, MEM_RELEASE);
}
