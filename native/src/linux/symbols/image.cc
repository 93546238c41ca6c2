#include "image.h"

#include <gelf.h>

#include "debuginfo.h"
#include "demangle.h"
#include "dwarf_frames.h"

namespace snapscope::procfs::symbols {
namespace {

constexpr uint64_t kPage = 4096;
// Answers kept per image before they are dropped (and recomputed on demand): bounds the memory of a
// long session that symbolizes ever new addresses.
constexpr size_t kMaxAnswers = 1 << 18;

// The image arrives as an open file (find_elf is never asked); nothing is looked up on the network.
int noElf(Dwfl_Module*, void**, const char*, Dwarf_Addr, char**, Elf**) { return -1; }

// The page-aligned address of the first PT_LOAD: what the base (the file's offset-0 mapping) maps.
uint64_t firstLoad(Elf* elf) {
  size_t count = 0;
  if (elf == nullptr || elf_getphdrnum(elf, &count) != 0) return 0;
  uint64_t lowest = UINT64_MAX;
  for (size_t i = 0; i < count; ++i) {
    GElf_Phdr header;
    if (gelf_getphdr(elf, static_cast<int>(i), &header) != nullptr && header.p_type == PT_LOAD)
      lowest = std::min<uint64_t>(lowest, header.p_vaddr & ~(kPage - 1));
  }
  return lowest == UINT64_MAX ? 0 : lowest;
}

bool hasSection(Elf* elf, GElf_Word type) {
  for (Elf_Scn* section = nullptr; (section = elf_nextscn(elf, section)) != nullptr;) {
    GElf_Shdr header;
    if (gelf_getshdr(section, &header) != nullptr && header.sh_type == type) return true;
  }
  return false;
}

}  // namespace

std::shared_ptr<Image> Image::open(Fd fd, const std::string& fileName, const std::string& root) {
  std::shared_ptr<Image> image(new Image());
  image->root_ = root;
  image->debugPath_ = root + "/usr/lib/debug";
  image->debugPathPointer_ = image->debugPath_.data();
  image->callbacks_.find_elf = noElf;
  image->callbacks_.find_debuginfo = findLocalDebuginfo;
  image->callbacks_.section_address = dwfl_offline_section_address;
  image->callbacks_.debuginfo_path = &image->debugPathPointer_;
  image->dwfl_ = dwfl_begin(&image->callbacks_);
  if (image->dwfl_ == nullptr) return nullptr;
  dwfl_report_begin(image->dwfl_);
  // Reported at its own link-time addresses (bias 0): the same image is the same Dwfl for every
  // process, whatever address each loaded it at.
  const int raw = fd.get();
  image->module_ = dwfl_report_elf(image->dwfl_, fileName.c_str(), fileName.c_str(), raw, 0, true);
  dwfl_report_end(image->dwfl_, nullptr, nullptr);
  if (image->module_ == nullptr) return nullptr;  // fd still ours: closed by `fd`
  fd.release();                                   // consumed by libdwfl
  void** userdata = nullptr;
  dwfl_module_info(image->module_, &userdata, nullptr, nullptr, nullptr, nullptr, nullptr, nullptr);
  if (userdata != nullptr) *userdata = &image->root_;
  GElf_Addr bias = 0;
  image->loadAddress_ = firstLoad(dwfl_module_getelf(image->module_, &bias));
  const unsigned char* bits = nullptr;
  GElf_Addr where;
  const int length = dwfl_module_build_id(image->module_, &bits, &where);
  if (length > 0) image->buildId_.assign(reinterpret_cast<const char*>(bits), static_cast<size_t>(length));
  // Find the debug file now, while the path that names its folder (ROOT/…) is sure to be there.
  dwfl_module_getdwarf(image->module_, &bias);
  return image;
}

Image::~Image() {
  if (dwfl_ != nullptr) dwfl_end(dwfl_);
}

const char* Image::symbolTable(Elf* elf) {
  for (const auto& [file, table] : tables_) {
    if (file == elf) return table;
  }
  const char* table = hasSection(elf, SHT_SYMTAB) ? "symtab" : "dynsym";
  tables_.emplace_back(elf, table);
  return table;
}

Image::Entry Image::compute(uint64_t moduleOffset) {
  Entry entry;
  const Dwarf_Addr address = loadAddress_ + moduleOffset;
  GElf_Sym symbol;
  GElf_Off symbolOffset = 0;
  Elf* symbolFile = nullptr;
  Dwarf_Addr symbolBias = 0;
  const char* name = dwfl_module_addrinfo(module_, address, &symbolOffset, &symbol, nullptr, &symbolFile, &symbolBias);
  DwarfFrames frames;
  dwarfFrames(module_, address, frames);
  entry.file = std::move(frames.file);
  entry.line = frames.line;
  entry.inlined = std::move(frames.inlined);
  // A symbol never lies: a sized one holds the address (libdwfl only returns those that do); a
  // sizeless one (an assembly label, the last symbol before a gap) only when DWARF's function
  // starts right there.
  const uint64_t symbolStart = address - symbolOffset;
  const bool symbolHolds = name != nullptr && (symbol.st_size > 0 || (frames.hasStart && frames.start == symbolStart));
  // The symbol's name first (what dladdr, perf and the exports say: malloc, not DWARF's
  // __GI___libc_malloc); DWARF's for code no symbol holds (a stripped .symtab without debug file).
  if (symbolHolds) {
    entry.function = demangle(name);
    entry.source = symbolTable(symbolFile);
    entry.offset = symbolOffset;
    entry.exact = true;
  } else if (!frames.function.empty()) {
    entry.function = std::move(frames.function);
    entry.source = "debuginfo";
    entry.offset = frames.hasStart && address >= frames.start ? address - frames.start : 0;
    entry.exact = true;
  }
  return entry;
}

void Image::resolve(const std::vector<uint64_t>& addresses, const std::vector<uint32_t>& indices, uint64_t base,
                    std::vector<SymbolInfo>& out) {
  std::lock_guard<std::mutex> lock(mutex_);
  for (const uint32_t i : indices) {
    const uint64_t offset = addresses[i] - base;
    auto found = answers_.find(offset);
    if (found == answers_.end()) {
      if (answers_.size() >= kMaxAnswers) answers_.clear();
      found = answers_.emplace(offset, compute(offset)).first;
    }
    const Entry& entry = found->second;
    SymbolInfo& info = out[i];
    info.function = entry.function;
    info.offset = entry.offset;
    info.file = entry.file;
    info.line = entry.line;
    info.inlined = entry.inlined;
    info.source = entry.source;
    info.exact = entry.exact;
  }
}

}  // namespace snapscope::procfs::symbols
