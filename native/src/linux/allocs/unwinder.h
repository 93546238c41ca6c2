// Call stacks of allocations from the registers and the copy of the user stack sampled at the
// allocator's entry (no frame pointers needed): DWARF CFI (.eh_frame, .debug_frame) through libdwfl.
//
// Why libdwfl and not libunwind: the addon already links elfutils for the symbolizer, so libdwfl
// reads the same CFI (and finds separate .debug_frame the same local-only way) with no second
// library; its Dwfl_Thread_Callbacks take a copied stack and sampled registers directly, where
// libunwind's remote API would need an accessor set of our own plus its own ELF/CFI parser.
//
// Unwinding is the cost (a DWARF walk is microseconds per frame), so results are cached: a repeated
// call chain costs a hash and a few word compares. The key is the pc, the stack-relative position of
// each register that points into the copied stack, and the stack words the unwind read whose value
// is one of the frames' return addresses or a pointer into the stack (a saved frame pointer): those
// are all the inputs the chain of CFAs and return addresses depends on. Other words the unwinder
// reads (saved callee-saved registers holding data) change from call to call without changing the
// chain, so they are not part of the key. A walk that had to read outside the copy is not cached.
#pragma once

#include <elfutils/libdwfl.h>

#include <cstdint>
#include <unordered_map>
#include <vector>

#include "stack_table.h"

namespace snapscope::procfs::allocs {

struct UnwindStats {
  uint64_t walks = 0;      // full DWARF unwinds
  uint64_t hits = 0;       // answered by the cache
  uint64_t refreshes = 0;  // module list re-read (a pc in no module)
};

class Unwinder {
 public:
  // Reports the target's modules (dwfl_linux_proc_report). Throws OsError when libdwfl can't.
  Unwinder(int pid, StackTable& stacks);
  ~Unwinder();
  Unwinder(const Unwinder&) = delete;
  Unwinder& operator=(const Unwinder&) = delete;

  // The stack id of a sample taken at an allocator's entry: `regs` the kEntryRegsMask registers,
  // `stack` the bytes copied from regs[SP] up. Frames: the allocator's caller first, each a return
  // address - 1 (inside the call instruction, as symbolizers want it).
  uint32_t stackOf(const uint64_t* regs, const unsigned char* stack, size_t size);

  const UnwindStats& stats() const { return stats_; }

 private:
  struct Entry {
    uint64_t ip;
    std::vector<uint64_t> registerSig;                  // per DWARF register: offset + 1 into the stack, 0 = outside
    std::vector<std::pair<uint32_t, uint64_t>> checks;  // stack offset -> word
    uint32_t stack;
  };
  struct Sample {
    const uint64_t* regs;
    const unsigned char* stack;
    size_t size;
  };

  static bool memoryRead(Dwfl* dwfl, Dwarf_Addr address, Dwarf_Word* result, void* arg);
  static bool setInitialRegisters(Dwfl_Thread* thread, void* arg);
  static pid_t nextThread(Dwfl* dwfl, void* arg, void** threadArg);
  static bool getThread(Dwfl* dwfl, pid_t tid, void* arg, void** threadArg);

  void report();
  bool walk();  // fills frames_ and reads_; false when the first frame is in no module
  uint64_t keyOf(uint64_t ip, const std::vector<uint64_t>& signature) const;
  const Entry* lookup(uint64_t key, uint64_t ip, const std::vector<uint64_t>& signature) const;

  int pid_;
  StackTable& stacks_;
  Dwfl_Callbacks callbacks_{};
  Dwfl_Thread_Callbacks threadCallbacks_{};
  char* debugPath_ = nullptr;
  Dwfl* dwfl_ = nullptr;
  Sample sample_{};
  bool readOutside_ = false;
  std::vector<uint64_t> frames_;                        // raw pcs of the walk, the entry pc first
  std::vector<bool> activation_;
  std::vector<std::pair<uint32_t, uint64_t>> reads_;    // of the walk: stack offset -> word
  std::vector<uint64_t> signature_;
  std::vector<uint64_t> out_;
  std::unordered_map<uint64_t, std::vector<Entry>> cache_;
  size_t cached_ = 0;
  uint64_t lastRefreshNs_ = 0;
  UnwindStats stats_;
};

}  // namespace snapscope::procfs::allocs
