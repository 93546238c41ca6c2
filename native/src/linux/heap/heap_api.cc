// listHeaps and walkHeaps (parts.h): the heap list of a process, and its walk block by block.
#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <optional>
#include <string_view>

#include "../maps.h"
#include "../parts.h"
#include "chunk_walker.h"
#include "free_lists.h"
#include "heap_layout.h"
#include "remote_memory.h"
#include "target_stopper.h"
#include "walk_heaps.h"

namespace snapscope::procfs {

using namespace heap;
using namespace glibc;

namespace {

// The most blocks a walk reserves room for up front (384 MiB of address space); a bigger heap grows.
constexpr uint64_t kMostReservedBlocks = uint64_t{1} << 24;

// /proc/PID/maps (empty for a kernel thread: no heaps at all). readMaps says why there are none for
// a process that is gone, a zombie or exiting (ESRCH).
std::vector<Mapping> readTargetMaps(int pid, const char* scope) {
  if (pid <= 0) throw OsError("ESRCH", pid, scope, "process " + std::to_string(pid) + " does not exist");
  return readMaps(pid, scope);
}

OsError kernelThreadHasNoHeaps(int pid) {
  return OsError("ENOTSUP", pid, "heap", "process " + std::to_string(pid) + " is a kernel thread: it has no user memory, so no heaps to walk");
}

bool matchesHeapId(const HeapPlan& plan, const std::string& wanted) {
  if (wanted == plan.info.heapId) return true;
  if (plan.arena == 0) return false;
  const char* text = wanted.c_str();
  if (text[0] == '0' && (text[1] == 'x' || text[1] == 'X')) text += 2;
  if (*text == '\0') return false;
  char* end = nullptr;
  unsigned long long value = std::strtoull(text, &end, 16);
  return *end == '\0' && value == plan.arena;
}

// The chunks of every tcache that sits where glibc puts one: the first chunk of the main heap (the
// main thread's) and of each thread arena's first heap (the thread that created the arena). Other
// tcaches (threads that reuse an arena) are found during the walk, among the in-use chunks of a
// tcache's size.
void addKnownTcaches(const RemoteMemory& memory, const HeapLayout& layout, FreeLists& lists) {
  std::vector<char> content(kTcacheStructSize);
  for (const HeapPlan& plan : layout.heaps) {
    if (plan.arena == 0 || plan.segments.empty()) continue;
    uint64_t first = plan.info.kind == "main-arena" ? plan.segments.front().start : firstChunkAfterArena(plan.arena);
    // The chunk's size, and the next chunk's (its PREV_INUSE says the struct is in use).
    uint64_t size = 0, nextSize = 0;
    if (!memory.readU64(first + kSizeSz, size, "a tcache")) continue;
    size &= ~kSizeBits;
    if (!isTcacheChunkSize(size) || !memory.readU64(first + size + kSizeSz, nextSize, "a tcache") || !(nextSize & kPrevInuse) ||
        !memory.read(first + kChunkHdr, content.data(), content.size(), "a tcache"))
      continue;
    lists.addTcache(first, content.data());
  }
}

struct HeapRun {
  const HeapPlan* plan;
  HeapWalk walk;
  std::vector<SegmentOutcome> outcomes;  // per segment
};

// A tcache found only during the walk: its entries were counted as in use. Move them to free in the
// heap that holds them (summary counts, and the flag when the block is in the returned page), but
// only those the walk counted as in-use chunks: a fake tcache's entries may point anywhere.
void reclassify(std::vector<HeapRun>& runs, ChunkSet& inUse, const CachedChunk& cached) {
  uint64_t bit = 0;
  if (!inUse.locate(cached.chunk, cached.size, bit) || !inUse.test(bit)) return;
  inUse.clear(bit);
  for (HeapRun& run : runs) {
    const HeapPlan& plan = *run.plan;
    for (size_t i = 0; i < plan.segments.size() && i < run.outcomes.size(); ++i) {
      const Segment& s = plan.segments[i];
      if (cached.chunk < s.start || cached.chunk >= run.outcomes[i].walkedEnd) continue;
      const uint64_t usable = cached.size - kSizeSz;
      HeapSummary& summary = run.walk.summary;
      --summary.usedBlocks;
      summary.usedBytes -= usable;
      ++summary.freeBlocks;
      summary.freeBytes += usable;
      const uint64_t address = cached.chunk + kChunkHdr;
      auto it = std::lower_bound(run.walk.blocks.begin(), run.walk.blocks.end(), address,
                                 [](const HeapBlock& b, uint64_t a) { return b.address < a; });
      if (it != run.walk.blocks.end() && it->address == address) it->flag = BlockFlag::Free;
      return;
    }
  }
}

// discoverHeaps, with the maps read again when a running target moved its heap in between: brk
// grows [heap] and main_arena.top moves past the end of the [heap] just read, so that nothing in
// libc's data passes for main_arena any more. Without this, about 1 walk in 200 of a target that
// allocates non-stop failed with ENOTSUP "main_arena can't be located" (found by the soak).
HeapLayout discoverHeapsSettled(int pid, const RemoteMemory& memory, std::vector<Mapping>& maps, const char* scope,
                                 const Cancel& cancel) {
  constexpr int kAttempts = 4;
  for (int attempt = 1;; ++attempt) {
    HeapLayout layout = discoverHeaps(pid, memory, maps, cancel);
    if (!layout.mainArenaMissed || attempt == kAttempts) return layout;
    maps = readTargetMaps(pid, scope);
    if (maps.empty()) return layout;
  }
}

}  // namespace

std::vector<HeapListInfo> listHeaps(int pid) {
  std::vector<Mapping> maps = readTargetMaps(pid, "heaplist");
  if (maps.empty()) return {};  // a kernel thread
  RemoteMemory memory(pid, "heaplist", "while its heaps were listed");
  static const std::atomic<bool> kNever{false};  // a heap list is not cancellable (its work is bounded)
  HeapLayout layout = discoverHeapsSettled(pid, memory, maps, "heaplist", Cancel(kNever, pid));
  std::vector<HeapListInfo> out;
  out.reserve(layout.heaps.size());
  for (const HeapPlan& plan : layout.heaps) out.push_back(plan.info);
  return out;
}

void heap::requireHeaps(int pid, const char* scope) {
  if (pid <= 0) throw OsError("ESRCH", pid, scope, "process " + std::to_string(pid) + " does not exist");
  // Before stopping: ptrace refuses kernel threads (EPERM) and a zombie has nothing left to walk.
  if (!hasUserMemory(pid, scope)) throw kernelThreadHasNoHeaps(pid);
}

HeapWalkResult walkHeaps(const HeapWalkRequest& request, const ProgressFn& progress, const std::atomic<bool>& cancel) {
  const int pid = request.pid;
  HeapWalkResult result;
  result.pid = pid;
  const Cancel cancelled(cancel, pid);
  cancelled.check();
  requireHeaps(pid, "heap");

  // Stop first, then read the layout: everything below sees one state of the heap. The stopper
  // lets the target go when this function returns or throws.
  std::optional<TargetStopper> stopper;
  if (request.stopTarget) {
    stopper.emplace(pid, cancelled);
    result.stopped = stopper->allStopped();
    if (!result.stopped)
      result.errors.push_back({pid, "heap", "ETIMEDOUT", stopper->problem() + ": the walk went on, and may be torn"});
  }
  RemoteMemory memory(pid, "heap", "during the heap walk");
  WalkDetail detail;
  walkHeapsOf(request, progress, cancelled, memory, result, detail);
  return result;
}

void heap::walkHeapsOf(const HeapWalkRequest& request, const ProgressFn& progress, const Cancel& cancelled, const RemoteMemory& memory,
                 HeapWalkResult& result, WalkDetail& detail) {
  const int pid = request.pid;
  const char* scope = memory.scope().c_str();
  std::vector<Mapping>& maps = detail.maps;
  maps = readTargetMaps(pid, scope);
  if (maps.empty()) throw kernelThreadHasNoHeaps(pid);
  detail.layout = discoverHeapsSettled(pid, memory, maps, scope, cancelled);
  const HeapLayout& layout = detail.layout;
  if (!layout.walkable) throw OsError("ENOTSUP", pid, scope, layout.why);
  for (const std::string& warning : layout.warnings) result.errors.push_back({pid, "heap", "EIO", warning});

  std::vector<const HeapPlan*> selected;
  for (const HeapPlan& plan : layout.heaps) {
    if (!request.heapId.empty() && !matchesHeapId(plan, request.heapId)) continue;
    if (!plan.problem.empty()) {
      result.errors.push_back({pid, "heap", "EIO", plan.problem});
      continue;
    }
    selected.push_back(&plan);
  }
  if (!request.heapId.empty() && selected.empty() &&
      std::none_of(layout.heaps.begin(), layout.heaps.end(), [&](const HeapPlan& p) { return matchesHeapId(p, request.heapId); })) {
    std::string ids;
    for (const HeapPlan& plan : layout.heaps) ids += (ids.empty() ? "" : ", ") + plan.info.heapId;
    throw OsError("ENOENT", pid, "heap", "process " + std::to_string(pid) + " has no heap " + request.heapId + " (its heaps: " + ids + ")");
  }

  // Free lists of every arena (a tcache can hold chunks of any arena), before the walk.
  FreeLists lists(memory, layout, cancelled);
  for (const ArenaState& arena : layout.arenas) lists.addFastbins(arena);
  addKnownTcaches(memory, layout, lists);
  const std::vector<uint64_t> cached = lists.sorted();
  std::vector<uint64_t> knownTcaches = lists.tcaches();
  std::sort(knownTcaches.begin(), knownTcaches.end());

  uint64_t totalBytes = 0;
  for (const HeapPlan* plan : selected) {
    for (const Segment& s : plan->segments) totalBytes += s.end - s.start;
    for (const MmappedChunk& c : plan->chunks) totalBytes += c.size;
  }
  WalkContext ctx(memory, progress, cancelled, totalBytes);
  ctx.report(0);

  std::vector<HeapRun> runs;
  runs.reserve(selected.size());
  std::vector<TcacheCandidate> candidates;
  ChunkSet inUse(layout);
  for (const HeapPlan* plan : selected) {
    ctx.checkCancel();
    HeapRun run{plan, {}, {}};
    run.walk.heapId = plan->info.heapId;
    run.walk.kind = plan->info.kind;
    BlockSink sink(run.walk, request.offset, request.limit);
    // A chunk takes at least kMinChunk bytes, which bounds the count: reserving it (virtual memory,
    // touched only as blocks come) spares a million-block walk ~20 copies and twice the page faults.
    uint64_t mostBlocks = plan->chunks.size();
    for (const Segment& segment : plan->segments) mostBlocks += (segment.end - segment.start) / kMinChunk;
    run.walk.blocks.reserve(static_cast<size_t>(std::min({request.limit, mostBlocks, kMostReservedBlocks})));
    for (const Segment& segment : plan->segments) {
      SegmentOutcome outcome = walkSegment(ctx, segment, cached, knownTcaches, sink, candidates, inUse);
      run.outcomes.push_back(outcome);
      ctx.scanned(segment.end - segment.start);
      if (!outcome.error.empty()) {
        result.errors.push_back({pid, "heap", "EIO", "heap " + plan->info.heapId + ": " + outcome.error +
                                                         (result.stopped ? "" : " (the target was running: it may have changed under the walk)") +
                                                         "; the rest of this heap is not walked"});
        break;
      }
    }
    // Blocks with mappings of their own: one in-use block each. The header is read again: the
    // block may have been freed (unmapped) since the heap list was made.
    for (const MmappedChunk& chunk : plan->chunks) {
      uint64_t header[2];
      if (memory.read(chunk.chunk, header, sizeof header, "mmapped chunk headers") && (header[1] & kSizeBits) == kIsMmapped &&
          (header[1] & ~kSizeBits) == chunk.size) {
        sink.add(chunk.chunk + kChunkHdr, chunk.size - kChunkHdr, false);
      }
      ctx.scanned(chunk.size);
      if (++ctx.blocks >= ctx.nextTick) ctx.tick(0);
    }
    sink.finish();
    runs.push_back(std::move(run));
  }

  // Tcaches of threads that did not create their arena: their entries were counted as in use.
  for (const TcacheCandidate& candidate : candidates) {
    ctx.checkCancel();
    std::vector<CachedChunk> added;
    if (!lists.addTcache(candidate.chunk, candidate.content.data(), &added)) continue;
    for (const CachedChunk& c : added) {
      reclassify(runs, inUse, c);
    }
  }
  if (ctx.candidatesDropped > 0)
    result.errors.push_back({pid, "heap", "EIO", std::to_string(ctx.candidatesDropped) + " more in-use blocks look like tcaches than the " +
                                                     std::to_string(WalkContext::kMaxTcacheCandidates) +
                                                     " examined (a process has one per thread): their entries, if any, count as in use"});
  for (const std::string& problem : lists.problems()) result.errors.push_back({pid, "heap", "EIO", problem});

  ctx.report(totalBytes);
  result.heaps.reserve(runs.size());
  for (HeapRun& run : runs) result.heaps.push_back(std::move(run.walk));
  detail.tcaches = lists.tcaches();
  std::sort(detail.tcaches.begin(), detail.tcaches.end());
}


}  // namespace snapscope::procfs
