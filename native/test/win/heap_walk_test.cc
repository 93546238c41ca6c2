// Heap walks: this process's heaps with HeapWalk (real, under Wine too); another process's under
// Wine only as the refusal that keeps the Wine stubs from being called.
#include <atomic>

#include "../../src/win/ntdll.h"
#include "../../src/win/parts.h"
#include "../../src/win/text.h"
#include "check.h"

using namespace snapscope;
using namespace snapscope::win;

namespace {

// A private heap with known blocks, destroyed after the test.
struct PrivateHeap {
  HANDLE heap = ::HeapCreate(0, 0, 0);
  ~PrivateHeap() { ::HeapDestroy(heap); }
  std::string id() const { return hexAddress(reinterpret_cast<uintptr_t>(heap)); }
};

const HeapBlock* findBlock(const snapscope::HeapWalk& walk, const void* address) {
  for (const HeapBlock& b : walk.blocks)
    if (b.address == reinterpret_cast<uintptr_t>(address)) return &b;
  return nullptr;
}

}  // namespace

TEST(heap_walk_of_own_private_heap_finds_its_blocks) {
  PrivateHeap heap;
  void* kept[3] = {::HeapAlloc(heap.heap, 0, 200), ::HeapAlloc(heap.heap, 0, 4000), ::HeapAlloc(heap.heap, 0, 24)};
  void* freed = ::HeapAlloc(heap.heap, 0, 512);
  ::HeapFree(heap.heap, 0, freed);

  auto backend = makeBackend();
  std::atomic<bool> cancel{false};
  HeapWalkRequest request;
  request.pid = static_cast<int>(::GetCurrentProcessId());
  request.heapId = heap.id();
  std::vector<WalkProgress> progress;
  HeapWalkResult result = backend->walkHeaps(request, [&](const WalkProgress& p) { progress.push_back(p); }, cancel);
  CHECK(result.errors.empty());
  CHECK_EQ(result.heaps.size(), size_t{1});
  if (result.heaps.size() != 1) return;
  const snapscope::HeapWalk& walk = result.heaps[0];
  CHECK_EQ(walk.heapId, heap.id());
  CHECK_EQ(walk.kind, std::string("nt-heap"));
  const uint64_t sizes[3] = {200, 4000, 24};
  for (int i = 0; i < 3; ++i) {
    const HeapBlock* block = findBlock(walk, kept[i]);
    CHECK(block != nullptr);
    if (block) {
      CHECK(block->flag == BlockFlag::Fixed);
      CHECK(block->size >= sizes[i]);
    }
  }
  const HeapBlock* gone = findBlock(walk, freed);
  CHECK(gone == nullptr || gone->flag == BlockFlag::Free);
  CHECK(walk.summary.usedBlocks >= 3);
  CHECK(walk.summary.usedBytes >= 4224);
  CHECK(walk.summary.freeBlocks >= 1);
  CHECK_EQ(walk.summary.blockCount, walk.summary.usedBlocks + walk.summary.freeBlocks);
  for (size_t i = 1; i < walk.blocks.size(); ++i) CHECK(walk.blocks[i - 1].address < walk.blocks[i].address);
  CHECK(!progress.empty());
  if (!progress.empty()) CHECK_EQ(progress.back().scannedBytes, progress.back().totalBytes);
}

TEST(heap_walk_of_all_own_heaps_pages_each_heap) {
  auto backend = makeBackend();
  std::atomic<bool> cancel{false};
  HeapWalkRequest request;
  request.pid = static_cast<int>(::GetCurrentProcessId());
  request.limit = 5;
  HeapWalkResult result = backend->walkHeaps(request, nullptr, cancel);
  CHECK_EQ(result.heaps.size(), ownHeapHandles().size());
  CHECK(!result.stopped);
  bool sawDefault = false;
  for (const snapscope::HeapWalk& walk : result.heaps) {
    CHECK(walk.blocks.size() <= 5);
    CHECK_EQ(walk.truncated, walk.summary.blockCount > 5);
    sawDefault |= walk.heapId == hexAddress(reinterpret_cast<uintptr_t>(::GetProcessHeap()));
  }
  CHECK(sawDefault);
}

TEST(heap_walk_errors_cancel_bad_id_unknown_heap) {
  auto backend = makeBackend();
  HeapWalkRequest request;
  request.pid = static_cast<int>(::GetCurrentProcessId());
  std::atomic<bool> cancel{true};
  CHECK_OS_ERROR(backend->walkHeaps(request, nullptr, cancel), "ECANCELED");
  cancel = false;
  request.heapId = "heap";
  CHECK_OS_ERROR(backend->walkHeaps(request, nullptr, cancel), "ERROR_INVALID_PARAMETER");
  request.heapId = "0x10";
  CHECK_OS_ERROR(backend->walkHeaps(request, nullptr, cancel), "ERROR_NOT_FOUND");
}

TEST(heap_walk_of_another_process_under_wine_is_refused_before_any_stub) {
  if (!nt::runningUnderWine()) return;  // on Windows the remote paths run instead (not verifiable here)
  // The parent (wine's start-up process or a shell) is another process that exists.
  auto backend = makeBackend();
  SystemSnapshot s = backend->snapshot(SnapshotRequest{true, false, false, false, -1});
  int other = 0;
  for (const ProcessInfo& p : s.processes)
    if (p.pid != static_cast<int>(::GetCurrentProcessId()) && p.pid != 0) other = p.pid;
  CHECK(other != 0);
  std::atomic<bool> cancel{false};
  HeapWalkRequest request;
  request.pid = other;
  CHECK_OS_ERROR(backend->walkHeaps(request, nullptr, cancel), "ERROR_CALL_NOT_IMPLEMENTED");
}
