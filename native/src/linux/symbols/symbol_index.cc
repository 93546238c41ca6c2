#include "symbol_index.h"

#include <gelf.h>

#include <algorithm>
#include <cstring>

namespace snapscope::procfs::symbols {
namespace {

// Nested symbols (a function's local labels inside it) are looked past up to this many entries.
constexpr int kLookBack = 64;

bool hasSymtab(Elf* elf) {
  for (Elf_Scn* section = nullptr; (section = elf_nextscn(elf, section)) != nullptr;) {
    GElf_Shdr header;
    if (gelf_getshdr(section, &header) != nullptr && header.sh_type == SHT_SYMTAB) return true;
  }
  return false;
}

// perf's choice among aliases: sized over sizeless, unversioned over versioned (a compatibility alias:
// foo@GLIBC_2.2), global over weak over local, fewer leading underscores, then the shorter name.
int rankOf(const GElf_Sym& symbol, const char* name) {
  const int binding = GELF_ST_BIND(symbol.st_info);
  const int bindingRank = binding == STB_GLOBAL ? 2 : binding == STB_WEAK ? 1 : 0;
  const int underscores = static_cast<int>(std::strspn(name, "_"));
  const int length = static_cast<int>(std::min<size_t>(std::strlen(name), 4095));
  const int unversioned = std::strchr(name, '@') == nullptr ? 1 : 0;
  return ((symbol.st_size > 0 ? 1 : 0) << 25) | (unversioned << 24) | (bindingRank << 20) |
         ((15 - std::min(underscores, 15)) << 12) | (4095 - length);
}

}  // namespace

SymbolIndex::SymbolIndex(Dwfl_Module* module) {
  const int count = dwfl_module_getsymtab(module);
  std::vector<std::pair<Elf*, const char*>> tables;
  for (int i = 1; i < count; ++i) {
    GElf_Sym symbol;
    GElf_Addr address = 0;
    GElf_Word section = 0;
    Elf* file = nullptr;
    Dwarf_Addr bias = 0;
    const char* name = dwfl_module_getsym_info(module, i, &symbol, &address, &section, &file, &bias);
    if (name == nullptr || name[0] == '\0' || section == SHN_UNDEF || section == SHN_ABS) continue;
    const int type = GELF_ST_TYPE(symbol.st_info);
    if (type == STT_SECTION || type == STT_FILE || type == STT_TLS) continue;
    auto known = std::find_if(tables.begin(), tables.end(), [&](const auto& t) { return t.first == file; });
    if (known == tables.end()) known = tables.insert(tables.end(), {file, hasSymtab(file) ? "symtab" : "dynsym"});
    GElf_Shdr header;
    Elf_Scn* scn = elf_getscn(file, section);
    const uint64_t sectionEnd = scn != nullptr && gelf_getshdr(scn, &header) != nullptr ? header.sh_addr + header.sh_size + bias : 0;
    symbols_.push_back({address, symbol.st_size, name, known->second, sectionEnd, rankOf(symbol, name)});
  }
  std::sort(symbols_.begin(), symbols_.end(), [](const Symbol& a, const Symbol& b) {
    return a.start != b.start ? a.start < b.start : a.rank > b.rank;
  });
  symbols_.erase(std::unique(symbols_.begin(), symbols_.end(), [](const Symbol& a, const Symbol& b) { return a.start == b.start; }),
                 symbols_.end());
  symbols_.shrink_to_fit();
}

const SymbolIndex::Symbol* SymbolIndex::find(uint64_t address) const {
  auto after = std::upper_bound(symbols_.begin(), symbols_.end(), address,
                                [](uint64_t a, const Symbol& s) { return a < s.start; });
  if (after == symbols_.begin()) return nullptr;
  const Symbol* nearest = &*(after - 1);
  const Symbol* first = symbols_.data();
  bool labelInside = false;  // the nearest symbol is sizeless and lies inside a sized one below it
  for (const Symbol* s = nearest; s >= first && nearest - s < kLookBack; --s) {
    if (s->size > 0 && address - s->start < s->size) return s;
    labelInside |= s->size > 0 && s->start + s->size > nearest->start;
  }
  return nearest->size == 0 && !labelInside && address < nearest->sectionEnd ? nearest : nullptr;
}

}  // namespace snapscope::procfs::symbols
