// scanLeaks and readMemory (parts.h): the leak scan of a stopped target, and the bytes of a block.
//
// Memory is bounded by the blocks: at most about 45 bytes per used block (the walk's 24 and the
// index's 16 while it is built; then the index, two words of each block, one byte of verdict and the
// mark stack's 4 per pushed block), the heap walk's chunk bit sets (1/64 of the heap's bytes) and
// 2 MiB of read buffers; --blocks adds 21 bytes per block. bench/leaks.bench.ts checks the peak
// against 64 bytes per block + heap/64 + 8 MiB (1 M blocks of 448 bytes: 64 MB measured). Time is linear in the bytes: each
// block is read at most three times (possibly reachable, reachable, then in a clique), roots once.
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <map>
#include <optional>
#include <tuple>

#include "../parts.h"
#include "../heap/target_stopper.h"
#include "../heap/walk_heaps.h"
#include "block_index.h"
#include "block_types.h"
#include "reachability.h"
#include "root_set.h"

namespace snapscope::procfs {

using namespace heap;
using namespace leaks;

namespace {

using Clock = std::chrono::steady_clock;

constexpr uint64_t kMaxBlocks = uint64_t{1} << 28;  // BlockIndex uses 32-bit indexes
constexpr size_t kExamples = 5;

// The used blocks of the walk, without the allocator's own (tcache structs), merged into address
// order: each heap's blocks are in order already, and heaps may interleave (an mmapped chunk between
// two heaps of an arena), so a k-way merge over the few heaps, with no copy of the blocks to sort.
BlockIndex indexBlocks(HeapWalkResult& walked, const std::vector<uint64_t>& tcaches) {
  size_t used = 0;
  for (const HeapWalk& w : walked.heaps) used += w.summary.usedBlocks;
  if (used >= kMaxBlocks)
    throw OsError("E2BIG", walked.pid, "leaks", "process " + std::to_string(walked.pid) + " has " + std::to_string(used) +
                                                    " used heap blocks: more than a leak scan takes (" + std::to_string(kMaxBlocks) + ")");
  std::vector<uint64_t> starts, sizes;
  starts.reserve(used);
  sizes.reserve(used);
  std::vector<size_t> at(walked.heaps.size(), 0);
  for (;;) {
    size_t best = SIZE_MAX;
    for (size_t h = 0; h < walked.heaps.size(); ++h) {
      const std::vector<HeapBlock>& blocks = walked.heaps[h].blocks;
      if (at[h] < blocks.size() && (best == SIZE_MAX || blocks[at[h]].address < walked.heaps[best].blocks[at[best]].address)) best = h;
    }
    if (best == SIZE_MAX) break;
    const HeapBlock& b = walked.heaps[best].blocks[at[best]++];
    if (b.flag == BlockFlag::Free || std::binary_search(tcaches.begin(), tcaches.end(), b.address - glibc::kChunkHdr)) continue;
    starts.push_back(b.address);
    sizes.push_back(b.size);
  }
  for (HeapWalk& w : walked.heaps) w.blocks = {};
  return BlockIndex(std::move(starts), std::move(sizes));
}

ReferrerSource sourceOf(RootRange::Kind kind) {
  return kind == RootRange::kStack ? ReferrerSource::Stack : kind == RootRange::kStatic ? ReferrerSource::Static : ReferrerSource::Other;
}

// The blocks holding the addresses asked about (an address in no block is left out).
std::vector<uint32_t> watchedBlocks(const BlockIndex& index, const std::vector<uint64_t>& addresses) {
  std::vector<uint32_t> blocks;
  for (uint64_t a : addresses) {
    const uint32_t b = index.find(a);
    if (b != BlockIndex::kNone) blocks.push_back(b);
  }
  std::sort(blocks.begin(), blocks.end());
  blocks.erase(std::unique(blocks.begin(), blocks.end()), blocks.end());
  return blocks;
}

// By target and address, each once (a block scanned twice, as possibly then definitely reached, sees its words twice).
std::vector<LeakReferrer> referrersOf(Reachability& reach) {
  std::vector<LeakReferrer> r = std::move(reach.referrers());
  auto key = [](const LeakReferrer& x) { return std::make_tuple(x.target, x.from, x.fromBlock, static_cast<int>(x.source)); };
  std::sort(r.begin(), r.end(), [&](const LeakReferrer& a, const LeakReferrer& b) { return key(a) < key(b); });
  r.erase(std::unique(r.begin(), r.end(), [&](const LeakReferrer& a, const LeakReferrer& b) { return key(a) == key(b); }), r.end());
  return r;
}

void groupLost(LeakScanResult& out, const std::vector<uint32_t>& lost, const BlockIndex& index, const std::vector<uint8_t>& kinds,
               const std::vector<uint32_t>& types) {
  // Key: kind, type, and the size for untyped blocks (0 for typed ones: their sizes may differ).
  std::map<std::tuple<uint8_t, uint32_t, uint64_t>, size_t> slots;
  for (size_t k = 0; k < lost.size(); ++k) {
    const uint32_t b = lost[k];
    const uint64_t size = index.bytes(b);
    auto [slot, added] = slots.emplace(std::make_tuple(kinds[k], types[k], types[k] ? 0 : size), out.groups.size());
    if (added) {
      LeakGroup g;
      g.kind = static_cast<LeakKind>(kinds[k]);
      g.type = types[k];
      g.blockSize = size;
      out.groups.push_back(g);
    }
    LeakGroup& g = out.groups[slot->second];
    if (g.blockSize != size) g.blockSize = 0;
    ++g.count;
    g.bytes += size;
    if (g.examples.size() < kExamples) g.examples.push_back(index.start(b));
  }
  std::stable_sort(out.groups.begin(), out.groups.end(), [](const LeakGroup& a, const LeakGroup& b) { return a.bytes > b.bytes; });
}

}  // namespace

LeakScanResult scanLeaks(const LeakScanRequest& request, const ProgressFn& progress, const std::atomic<bool>& cancel) {
  const int pid = request.pid;
  const Cancel cancelled(cancel, pid);
  cancelled.check();
  if (pid == static_cast<int>(::getpid()))
    throw OsError("EPERM", pid, "leaks", "a leak scan stops its target, so it can't scan the inspector's own process " + std::to_string(pid) + "; scan another process");
  requireHeaps(pid, "leaks");

  LeakScanResult out;
  out.pid = pid;
  RemoteMemory memory(pid, "leaks", "during the leak scan");
  std::vector<Mapping> maps;
  std::vector<uint8_t> states;
  std::vector<uint64_t> heads;
  std::optional<BlockIndex> index;
  {
    // Everything between here and the end of this scope sees the target stopped; the stopper lets
    // it go on every path out (and the kernel does, should the inspector die).
    const Clock::time_point stopAt = Clock::now();
    TargetStopper stopper(pid, cancelled, true);
    out.stopped = stopper.allStopped();
    if (!out.stopped) out.errors.push_back({pid, "leaks", "ETIMEDOUT", stopper.problem() + ": the scan went on, and may be wrong"});

    HeapWalkRequest walkRequest;
    walkRequest.pid = pid;
    HeapWalkResult walked;
    walked.pid = pid;
    walked.stopped = out.stopped;  // words the walk's errors
    WalkDetail detail;
    walkHeapsOf(walkRequest, progress, cancelled, memory, walked, detail);
    out.errors.insert(out.errors.end(), walked.errors.begin(), walked.errors.end());
    index.emplace(indexBlocks(walked, detail.tcaches));

    RootPlan roots = planRoots(detail.maps, detail.layout, stopper.registers());
    out.roots = roots.counts;
    uint64_t total = out.roots.stackBytes + out.roots.staticBytes + out.roots.otherBytes;
    for (uint32_t i = 0; i < index->size(); ++i) total += index->bytes(i);
    Reachability reach(*index, memory, cancelled, progress, total);
    if (!request.referrersOf.empty()) reach.watch(watchedBlocks(*index, request.referrersOf), LeakScanResult::kMaxReferrers);
    reach.scanRootWords(roots.registerWords.data(), roots.registerWords.size(), 0, ReferrerSource::Register);
    for (const RootRange& r : roots.ranges) reach.scanRootRange(r.start, r.end, sourceOf(r.kind));
    reach.finish();
    out.referrers = referrersOf(reach);
    if (reach.referrersDropped() > 0)
      out.errors.push_back({pid, "leaks", "E2BIG", std::to_string(reach.referrersDropped()) + " more referrers than the " +
                                                       std::to_string(LeakScanResult::kMaxReferrers) + " listed"});
    if (reach.unreadableBlocks() > 0)
      out.errors.push_back({pid, "leaks", "EFAULT", std::to_string(reach.unreadableBlocks()) +
                                                        " used blocks could not be read in full: what they point at may be reported lost"});
    states.resize(index->size());
    for (uint32_t i = 0; i < index->size(); ++i) states[i] = static_cast<uint8_t>(verdict(reach.state(i)));
    heads = reach.takeHeads();
    maps = std::move(detail.maps);
    out.stoppedMs = std::chrono::duration<double, std::milli>(Clock::now() - stopAt).count();
  }

  // Types, after the target runs again: they come from read-only image data and from lost blocks,
  // which nothing in the target can reach to change.
  TypeNamer namer(pid, memory, maps, out.types);
  std::vector<uint32_t> lost;
  for (uint32_t i = 0; i < index->size(); ++i) {
    LeakTotals& t = out.totals[states[i]];
    ++t.blocks;
    t.bytes += index->bytes(i);
    if (states[i] != static_cast<uint8_t>(LeakKind::Reachable)) lost.push_back(i);
    if (request.blocks || states[i] != static_cast<uint8_t>(LeakKind::Reachable)) namer.consider(&heads[2 * size_t{i}]);
  }
  namer.resolve();
  std::vector<uint8_t> lostKinds(lost.size());
  std::vector<uint32_t> lostTypes(lost.size());
  for (size_t k = 0; k < lost.size(); ++k) {
    lostKinds[k] = states[lost[k]];
    lostTypes[k] = namer.typeOf(&heads[2 * size_t{lost[k]}], index->bytes(lost[k]));
  }
  groupLost(out, lost, *index, lostKinds, lostTypes);
  if (request.blocks) {
    const size_t n = index->size();
    out.address.resize(n);
    out.size.resize(n);
    out.kind = states;
    out.type.resize(n);
    for (uint32_t i = 0; i < n; ++i) {
      out.address[i] = index->start(i);
      out.size[i] = index->bytes(i);
      out.type[i] = namer.typeOf(&heads[2 * size_t{i}], index->bytes(i));
    }
  }
  return out;
}

std::vector<uint8_t> readMemory(int pid, uint64_t address, size_t size) {
  if (pid <= 0 || !hasUserMemory(pid, "memory")) throw OsError("ESRCH", pid, "memory", "process " + std::to_string(pid) + " has no user memory to read");
  RemoteMemory memory(pid, "memory", "while its memory was read");
  std::vector<uint8_t> bytes(size);
  bytes.resize(memory.readSome(address, bytes.data(), size, "a block preview"));
  return bytes;
}

}  // namespace snapscope::procfs
