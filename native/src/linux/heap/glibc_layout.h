// The parts of glibc's malloc (ptmalloc2, x86_64) that the heap walker reads from another process.
// None of these structures is public ABI. The offsets below are those of glibc 2.36 (Debian 12):
// malloc/malloc.c and malloc/arena.c of 2.36, the probes in /work/shared/probes/linux, and the tests
// (native/test/heap.test.ts), which check the walk against a fixture's own list of live and freed
// pointers. What is read here has been stable from 2.35 (heap_info.pagesize added) through 2.40 as
// far as known; earlier versions differ (2.30: uint16 tcache counts, 2.32: safe-linking, 2.35:
// sizeof(heap_info) 32 -> 48) and later ones reworked the tcache, so anything outside
// [kGlibcMin, kGlibcMax] is refused with ENOTSUP rather than misread. Only 2.36 is tested.
#pragma once

#include <cstdint>

namespace snapscope::procfs::glibc {

// Versions whose layout is taken to match everything below (see the top of this file).
constexpr int kGlibcMin[2] = {2, 35};
constexpr int kGlibcMax[2] = {2, 40};

constexpr uint64_t kSizeSz = 8;             // SIZE_SZ
constexpr uint64_t kAlign = 16;             // MALLOC_ALIGNMENT
constexpr uint64_t kChunkHdr = 16;          // CHUNK_HDR_SZ: prev_size + size; user memory = chunk + 16
constexpr uint64_t kMinChunk = 32;          // MINSIZE
constexpr uint64_t kFencepost = 16;         // the chunks sysmalloc/new_heap write at a heap's end
constexpr uint64_t kPrevInuse = 1;          // size-field bits
constexpr uint64_t kIsMmapped = 2;
constexpr uint64_t kNonMainArena = 4;
constexpr uint64_t kSizeBits = 7;

// struct malloc_state (sizeof 0x898 = 2200):
//   0x000 int mutex; 0x004 int flags; 0x008 int have_fastchunks;
//   0x010 mfastbinptr fastbinsY[10]   (NFASTBINS = 10, chunk sizes 32..176 step 16)
//   0x060 mchunkptr top               (the probe's "top chunk pointer minus 0x60")
//   0x068 mchunkptr last_remainder; 0x070 mchunkptr bins[254]; 0x860 unsigned binmap[4]
//   0x870 struct malloc_state *next   (circular list of all arenas, starting at main_arena)
//   0x878 next_free; 0x880 attached_threads; 0x888 system_mem; 0x890 max_system_mem
constexpr uint64_t kArenaSize = 0x898;
constexpr uint64_t kArenaMutex = 0x000;
constexpr uint64_t kArenaFlags = 0x004;
constexpr uint64_t kArenaHaveFastchunks = 0x008;
constexpr uint64_t kArenaFastbins = 0x010;
constexpr int kFastbinCount = 10;
constexpr uint64_t kArenaTop = 0x060;
constexpr uint64_t kArenaNext = 0x870;
constexpr uint64_t kArenaAttachedThreads = 0x880;
constexpr uint64_t kArenaSystemMem = 0x888;

// A non-main arena lives in heaps: 64 MiB-aligned, 64 MiB-reserved mappings (HEAP_MAX_SIZE =
// 2 * DEFAULT_MMAP_THRESHOLD_MAX; heap_for_ptr(p) = p & ~(HEAP_MAX_SIZE - 1)), each starting with
// struct heap_info (sizeof 48 since 2.35):
//   0x00 mstate ar_ptr; 0x08 heap_info *prev; 0x10 size_t size (bytes in use, read-write);
//   0x18 size_t mprotect_size; 0x20 size_t pagesize; 0x28 pad[8]
// The arena's first heap holds the malloc_state right after heap_info (arena = heap + 0x30), and its
// first chunk follows the malloc_state, aligned so that chunk + 16 is 16-aligned: heap + 0x8d0.
// Later heaps of the arena (chained newest -> oldest by prev) start their first chunk right after
// heap_info: heap + 0x30 (not 0x20 as once assumed: sizeof(heap_info) is 48 since pagesize was added).
constexpr uint64_t kHeapMax = 64ull << 20;
constexpr uint64_t kHeapInfoSize = 0x30;
constexpr uint64_t kHeapInfoArena = 0x00;
constexpr uint64_t kHeapInfoPrev = 0x08;
constexpr uint64_t kHeapInfoHeapSize = 0x10;
constexpr uint64_t kHeapInfoMprotectSize = 0x18;

// struct tcache_perthread_struct (one per thread, malloc'ed in the thread's arena on its first
// malloc: for a thread that created its arena, and for the main thread, it is the arena's first
// chunk): uint16_t counts[64]; tcache_entry *entries[64]; -> 0x280 bytes, a 0x290-byte chunk.
// entries[i] holds chunks of size 32 + 16 * i and points at the user memory (chunk + 16), where a
// tcache_entry {next, key} lives. next is safe-linked (2.32+): stored = next ^ (&entry->next >> 12).
constexpr int kTcacheBins = 64;
constexpr uint64_t kTcacheCounts = 0x000;
constexpr uint64_t kTcacheEntries = 0x080;
constexpr uint64_t kTcacheStructSize = 0x280;
constexpr uint64_t kTcacheChunkSize = 0x290;
constexpr uint64_t kTcacheMaxCount = 65535;  // MAX_TCACHE_COUNT (the tunable's upper bound)
// The chunk a tcache struct can sit in: 0x290, or 0x2a0 when _int_malloc served it from a free
// 0x2a0 chunk, which it hands out whole because the 16-byte rest would be smaller than MINSIZE
// (a thread sharing an arena, glibc.malloc.arena_max=1: seen in 3 of 3 runs).
constexpr bool isTcacheChunkSize(uint64_t size) { return size >= kTcacheChunkSize && size < kTcacheChunkSize + kMinChunk; }

// struct malloc_par mp_ (sizeof 136), a static in libc's .data next to main_arena:
//   0x00 trim_threshold; 0x08 top_pad; 0x10 mmap_threshold; 0x18 arena_test; 0x20 arena_max;
//   0x28 thp_pagesize; 0x30 hp_pagesize; 0x38 int hp_flags; 0x3c int n_mmaps; 0x40 int n_mmaps_max;
//   0x44 int max_n_mmaps; 0x48 int no_dyn_threshold; 0x50 mmapped_mem; 0x58 max_mmapped_mem;
//   0x60 sbrk_base; 0x68 tcache_bins; 0x70 tcache_max_bytes; 0x78 tcache_count; 0x80 tcache_unsorted_limit
// (gdb `ptype /o struct malloc_par` with libc6-dbg 2.36; thp_pagesize and hp_* came in 2.35).
// n_mmaps / mmapped_mem count the chunks that have mappings of their own; tcache_count is the most
// entries a tcache bin ever holds. It is found by its contents (heap_layout.cc) and used only when
// exactly one place matches; without it the walk falls back to the tunables' bounds.
constexpr uint64_t kMpSize = 136;
constexpr uint64_t kMpMmapThreshold = 0x10;
constexpr uint64_t kMpArenaTest = 0x18;
constexpr uint64_t kMpThpPagesize = 0x28;
constexpr uint64_t kMpHpPagesize = 0x30;
constexpr uint64_t kMpHpFlags = 0x38;
constexpr uint64_t kMpNMmaps = 0x3c;
constexpr uint64_t kMpNMmapsMax = 0x40;
constexpr uint64_t kMpMaxNMmaps = 0x44;
constexpr uint64_t kMpNoDynThreshold = 0x48;
constexpr uint64_t kMpMmappedMem = 0x50;
constexpr uint64_t kMpMaxMmappedMem = 0x58;
constexpr uint64_t kMpSbrkBase = 0x60;
constexpr uint64_t kMpTcacheBins = 0x68;
constexpr uint64_t kMpTcacheMaxBytes = 0x70;
constexpr uint64_t kMpTcacheCount = 0x78;
constexpr uint64_t kMmapThresholdMax = 32ull << 20;  // DEFAULT_MMAP_THRESHOLD_MAX (64-bit)
constexpr uint64_t kTcacheMaxBytes = 1032;            // MAX_TCACHE_SIZE

// Fastbin chunks are singly linked through fd (chunk + 16), safe-linked like the tcache:
// stored = next ^ ((chunk + 16) >> 12). The heads in fastbinsY are stored plainly.
inline uint64_t reveal(uint64_t slotAddress, uint64_t stored) { return stored ^ (slotAddress >> 12); }

// Chunk size served by tcache bin / fastbin i.
constexpr uint64_t binChunkSize(int index) { return kMinChunk + kAlign * static_cast<uint64_t>(index); }

// Where the first chunk of an arena's first heap starts (right after the malloc_state, aligned so
// the user pointer is 16-aligned: malloc/arena.c _int_new_arena).
constexpr uint64_t firstChunkAfterArena(uint64_t arena) {
  uint64_t chunk = arena + kArenaSize;
  uint64_t misalign = (chunk + kChunkHdr) & (kAlign - 1);
  return misalign ? chunk + kAlign - misalign : chunk;
}

}  // namespace snapscope::procfs::glibc
