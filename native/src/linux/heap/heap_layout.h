// Where a process's heaps are: which allocator it uses, and for glibc the arenas (found through
// main_arena.next), the heaps of each arena and the chunks that have mappings of their own.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "../../backend.h"
#include "../maps.h"
#include "cancel.h"
#include "glibc_layout.h"
#include "remote_memory.h"

namespace snapscope::procfs::heap {

// A run of chunks: the main arena's sbrk heap, or one heap_info region of a thread arena.
struct Segment {
  uint64_t start = 0;  // the first chunk
  uint64_t end = 0;    // end of the heap's read-write memory
  uint64_t top = 0;    // the arena's top chunk when it lies in this segment, else 0
};

// A chunk above the mmap threshold, alone in its mapping (IS_MMAPPED).
struct MmappedChunk {
  uint64_t chunk = 0;
  uint64_t size = 0;   // chunk size (header included)
};

struct ArenaState {
  uint64_t address = 0;
  uint64_t top = 0;
  uint64_t fastbins[glibc::kFastbinCount] = {};
};

// glibc's mp_ (malloc_par), when it was found in libc's data.
struct MallocParams {
  bool found = false;
  uint64_t address = 0;
  uint64_t mmaps = 0;          // n_mmaps: chunks with mappings of their own
  uint64_t mmappedBytes = 0;   // mmapped_mem: their mappings' bytes
  uint64_t tcacheCount = glibc::kTcacheMaxCount;  // entries a tcache bin holds at most
  uint64_t tcacheBins = glibc::kTcacheBins;       // bins in use
};

struct HeapPlan {
  HeapListInfo info;
  uint64_t arena = 0;                 // the malloc_state, for main and thread arenas
  std::vector<Segment> segments;      // in address order
  std::vector<MmappedChunk> chunks;   // kind "mmapped", in address order
  std::string problem;                // non-empty: the layout is inconsistent, the heap can't be walked
};

struct HeapLayout {
  std::string allocator;              // HeapListInfo::allocator
  bool walkable = false;              // false: `why` says why; `heaps` holds plain regions
  std::string why;
  std::string glibcVersion;           // "2.36", when the allocator is glibc and it could be read
  // glibc of a supported version whose main_arena was not found (or not read) in these maps: in a
  // running target that can be a race (brk moved top past the [heap] just read), worth another try.
  bool mainArenaMissed = false;
  uint64_t mainArena = 0;
  MallocParams params;
  std::vector<ArenaState> arenas;     // main_arena first, then main_arena.next order
  std::vector<HeapPlan> heaps;        // main arena, thread arenas, mmapped chunks (or regions)
  std::vector<std::string> warnings;  // e.g. the arena list ended early: the heaps listed are not all
};

// Reads the layout. Throws OsError only when the process is gone or can't be read at all (or the
// walk is cancelled); an allocator or version it can't walk is reported through walkable/why.
HeapLayout discoverHeaps(int pid, const RemoteMemory& memory, const std::vector<Mapping>& maps, const Cancel& cancel);

}  // namespace snapscope::procfs::heap
