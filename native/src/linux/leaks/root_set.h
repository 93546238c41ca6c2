// The roots of a leak scan, as memcheck takes them: every thread's registers, every thread's stack
// from its stack pointer up, and every other writable mapping that is not a heap being scanned.
//
// Thread-local storage needs no range of its own: glibc puts a thread's static TLS block and its
// struct pthread at the top of the thread's stack mapping, above the stack pointer, so the stack
// range covers it; the main thread's TLS is allocated by ld.so in anonymous memory (an "other"
// root); dynamic TLS blocks (dlopen'ed libraries) are malloc'ed, reached from those through the DTV.
//
// Allocator metadata is not a root: glibc's main_arena and mp_ (in libc's .data) and each thread
// arena's malloc_state (in its heap mapping) hold bins that point at free chunks, whose headers lie
// inside the used block before them: as roots they would keep lost blocks "possibly" reachable.
#pragma once

#include <cstdint>
#include <vector>

#include "../../backend.h"
#include "../heap/heap_layout.h"
#include "../heap/target_stopper.h"
#include "../maps.h"

namespace snapscope::procfs::leaks {

struct RootRange {
  enum Kind : uint8_t { kStack, kStatic, kOther };
  uint64_t start = 0, end = 0;
  Kind kind = kOther;
};

struct RootPlan {
  std::vector<RootRange> ranges;       // in address order, not overlapping
  std::vector<uint64_t> registerWords; // every stopped thread's general registers
  LeakRoots counts;                    // what the ranges and registers add up to
};

// x86-64 leaf functions may keep values in the 128 bytes below the stack pointer (the red zone).
constexpr uint64_t kRedZone = 128;

RootPlan planRoots(const std::vector<Mapping>& maps, const heap::HeapLayout& layout,
                   const std::vector<heap::ThreadRegisters>& threads);

}  // namespace snapscope::procfs::leaks
