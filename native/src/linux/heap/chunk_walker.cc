#include "chunk_walker.h"

#include <algorithm>

#include "free_lists.h"
#include "glibc_layout.h"

namespace snapscope::procfs::heap {
namespace {

using namespace glibc;

// 64 KiB: large enough that the syscall cost vanishes, small enough that the copy stays in L2 while
// the headers are parsed (`npm run bench` copies the same heap with process_vm_readv: 64 KiB windows
// copy 2-3x faster than 1 MiB ones).
constexpr size_t kWindowBytes = 64 << 10;

}  // namespace

void BlockSink::finish() {
  HeapSummary& s = out_.summary;
  s.blockCount = count_;
  s.usedBlocks = usedBlocks_;
  s.usedBytes = usedBytes_;
  s.freeBlocks = freeBlocks_;
  s.freeBytes = freeBytes_;
  s.histogram.clear();
  if (count_ > 0) {
    for (unsigned b = 0; b <= maxBucket_; ++b) {
      HistogramBucket bucket;
      bucket.minSize = b == 0 ? 0 : (uint64_t{1} << (b + 3)) + 1;
      bucket.maxSize = b >= 60 ? UINT64_MAX : uint64_t{1} << (b + 4);
      bucket.count = histCount_[b];
      bucket.bytes = histBytes_[b];
      s.histogram.push_back(bucket);
    }
  }
  out_.truncated = count_ > out_.blocks.size();
}

WalkContext::WalkContext(const RemoteMemory& memory, const ProgressFn& progress, const Cancel& cancel, uint64_t totalBytes)
    : nextTick(kTickBlocks), memory_(memory), progress_(progress), cancel_(cancel), buffer_(kWindowBytes), totalBytes_(totalBytes) {}

void WalkContext::report(uint64_t extra) {
  if (progress_) {
    WalkProgress p;
    p.scannedBytes = std::min(scannedBytes_ + extra, totalBytes_);
    p.totalBytes = totalBytes_;
    p.blocks = blocks;
    progress_(p);
  }
}

void WalkContext::tick(uint64_t scannedInHeap) {
  nextTick = blocks + kTickBlocks;
  checkCancel();
  report(scannedInHeap);
}

// A chunk is {prev_size, size | A|M|P}, user memory at chunk + 16, the next chunk at chunk + size.
// It is free when the next chunk's PREV_INUSE bit is clear, or when a tcache / fastbin holds it
// (`cached`: those keep the bit set). The top chunk is free. Fenceposts (16-byte chunks glibc
// writes where a heap ends before its top moved to another heap) are not blocks; a size of 0 after
// them ends an old heap. Every size is checked (16-aligned, >= 32, within the segment and below
// top) so a corrupt or torn heap stops the walk with an error instead of sending it astray.
SegmentOutcome walkSegment(WalkContext& ctx, const Segment& segment, const std::vector<uint64_t>& cached,
                           const std::vector<uint64_t>& knownTcaches, BlockSink& sink,
                           std::vector<TcacheCandidate>& candidates, ChunkSet& inUse) {
  SegmentOutcome out;
  const uint64_t firstBit = inUse.base(segment.start);
  ChunkWindow window(ctx.memory(), ctx.buffer());
  window.setBounds(segment.start, segment.end);
  auto cursor = std::lower_bound(cached.begin(), cached.end(), segment.start);
  const auto cachedEnd = cached.end();
  uint64_t c = segment.start;
  auto fail = [&](const std::string& why) {
    out.walkedEnd = c;
    out.error = why;
    return out;
  };

  uint64_t raw = 0;
  if (!window.u64(c + kSizeSz, raw)) return fail("the chunk at " + hex(c) + " can't be read");
  for (;;) {
    const uint64_t size = raw & ~kSizeBits;
    if (c == segment.top) {
      if (size < kChunkHdr || (size & (kAlign - 1)) != 0 || c + size > segment.end)
        return fail("the top chunk at " + hex(c) + " has an impossible size " + hex(raw));
      sink.add(c + kChunkHdr, size - kSizeSz, true);
      ++ctx.blocks;
      out.walkedEnd = segment.end;
      return out;
    }
    if (size < kMinChunk) {
      if (size == kFencepost) {
        c += kFencepost;
        if (!window.u64(c + kSizeSz, raw)) return fail("the heap ends without its end marker after " + hex(c - kFencepost));
        continue;
      }
      if (size == 0 && segment.top == 0) {  // the end marker of an arena's older heap
        out.walkedEnd = segment.end;
        return out;
      }
      return fail("the chunk at " + hex(c) + " has an impossible size " + hex(raw));
    }
    const uint64_t next = c + size;
    if ((size & (kAlign - 1)) != 0 || (raw & kIsMmapped) != 0 || next + kChunkHdr > segment.end ||
        (segment.top != 0 && c < segment.top && next > segment.top))
      return fail("the chunk at " + hex(c) + " has an impossible size " + hex(raw));
    uint64_t nextRaw = 0;
    if (!window.u64(next + kSizeSz, nextRaw)) return fail("the chunk at " + hex(next) + " can't be read");

    bool free = (nextRaw & kPrevInuse) == 0;
    if (!free) {
      while (cursor != cachedEnd && *cursor < c) ++cursor;
      if (cursor != cachedEnd && *cursor == c) {
        free = true;
      } else if (isTcacheChunkSize(size) && !std::binary_search(knownTcaches.begin(), knownTcaches.end(), c)) {
        const char* content = window.bytes(c + kChunkHdr, kTcacheStructSize);
        if (content && FreeLists::looksLikeTcache(content)) {
          if (candidates.size() < WalkContext::kMaxTcacheCandidates)
            candidates.push_back({c, std::vector<char>(content, content + kTcacheStructSize)});
          else
            ++ctx.candidatesDropped;
        }
      }
    }
    if (!free && firstBit != UINT64_MAX) inUse.set(firstBit + (c - segment.start) / kAlign);
    sink.add(c + kChunkHdr, size - kSizeSz, free);
    if (++ctx.blocks >= ctx.nextTick) ctx.tick(c - segment.start);
    c = next;
    raw = nextRaw;
  }
}

}  // namespace snapscope::procfs::heap
