// The user registers sampled with each entry probe (PERF_SAMPLE_REGS_USER), and where they sit in
// the DWARF register numbering of x86-64 that the unwinder takes.
#pragma once

#include <cstdint>

namespace snapscope::procfs::allocs {

// perf's x86 register indexes (arch/x86/include/uapi/asm/perf_regs.h): AX BX CX DX SI DI BP SP IP
// = 0..8, R8..R15 = 16..23. A sample carries the selected ones in increasing index order.
inline constexpr uint64_t kEntryRegsMask = 0x1ffull | (0xffull << 16);
inline constexpr int kEntryRegCount = 17;
// Return probes need the return value and the stack pointer (to pair a return with its entry).
inline constexpr uint64_t kReturnRegsMask = (1ull << 0) | (1ull << 7);

// Index into a sample's entry registers.
enum EntryReg : int { AX = 0, BX, CX, DX, SI, DI, BP, SP, IP, R8, R9, R10, R11, R12, R13, R14, R15 };

// DWARF x86-64 numbering: rax rdx rcx rbx rsi rdi rbp rsp r8..r15 (0..15); 16 is the return
// address column (rip).
inline constexpr int kDwarfFromEntry[16] = {AX, DX, CX, BX, SI, DI, BP, SP, R8, R9, R10, R11, R12, R13, R14, R15};

}  // namespace snapscope::procfs::allocs
