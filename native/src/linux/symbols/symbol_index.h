// A module's symbols sorted by address, built once per image: a lookup is a binary search (libdwfl's
// dwfl_module_addrinfo scans the whole table for every address), and aliases are ranked as perf and
// dladdr name them (malloc, not __libc_malloc).
#pragma once

#include <elfutils/libdwfl.h>

#include <cstdint>
#include <vector>

namespace snapscope::procfs::symbols {

class SymbolIndex {
 public:
  struct Symbol {
    uint64_t start = 0;
    uint64_t size = 0;                 // 0: a sizeless symbol (an assembly label)
    const char* name = nullptr;        // mangled; owned by libelf (lives as long as the module)
    const char* table = nullptr;       // "symtab" or "dynsym"
    uint64_t sectionEnd = 0;           // where its section ends: a sizeless symbol reaches no further
    int rank = 0;                      // among aliases at one address, the highest wins
  };

  // The symbols of the table libdwfl chose for the module: .symtab of the file or of its debug file,
  // else .dynsym (with .gnu_debugdata's mini symbol table where there is one).
  explicit SymbolIndex(Dwfl_Module* module);

  // The innermost sized symbol holding `address`; else the nearest symbol below it when that one is
  // sizeless, in the address's section and not a label inside a sized symbol (the caller decides
  // whether it holds the address); else nullptr.
  const Symbol* find(uint64_t address) const;

 private:
  std::vector<Symbol> symbols_;  // by start, one per address
};

}  // namespace snapscope::procfs::symbols
