// What DWARF says about one code address: the function holding it, its source line, and the frames
// inlined there — the same walk eu-addr2line -f -i does, so the answers compare one to one.
#pragma once

#include <elfutils/libdwfl.h>

#include <cstdint>
#include <string>
#include <vector>

#include "../../backend.h"

namespace snapscope::procfs::symbols {

struct DwarfFrames {
  std::string function;              // the outermost (out-of-line) function, demangled; "" when none
  bool hasStart = false;             // `start` is known (the function's entry)
  uint64_t start = 0;
  std::string file;                  // where in `function` the address is (for inlined code: the call)
  uint32_t line = 0;
  std::vector<InlineFrame> inlined;  // innermost first
};

// Fills `out` for `address` (in the module's own address space); file/line come from the line
// table even when no DIE holds the address.
void dwarfFrames(Dwfl_Module* module, Dwarf_Addr address, DwarfFrames& out);

}  // namespace snapscope::procfs::symbols
