#include "image.h"

#include <gelf.h>

#include <atomic>

#include "debuginfo.h"
#include "demangle.h"
#include "dwarf_frames.h"

namespace snapscope::procfs::symbols {
namespace {

constexpr uint64_t kPage = 4096;
// Answers kept per image, and by all images together, before an image drops its own (they are
// recomputed on demand): bounds the memory of a long session that symbolizes ever new addresses
// (~100 bytes an answer).
constexpr size_t kMaxAnswers = 1 << 18;
constexpr size_t kMaxAllAnswers = 1 << 21;
std::atomic<size_t> allAnswers{0};

// The image arrives as an open file (find_elf is never asked); nothing is looked up on the network.
int noElf(Dwfl_Module*, void**, const char*, Dwarf_Addr, char**, Elf**) { return -1; }

// The PT_LOAD segments, and the page-aligned address of the first: what the base (the file's
// offset-0 mapping) maps.
uint64_t loadSegments(Elf* elf, std::vector<Image::Segment>& segments) {
  size_t count = 0;
  if (elf == nullptr || elf_getphdrnum(elf, &count) != 0) return 0;
  uint64_t lowest = UINT64_MAX;
  for (size_t i = 0; i < count; ++i) {
    GElf_Phdr header;
    if (gelf_getphdr(elf, static_cast<int>(i), &header) == nullptr || header.p_type != PT_LOAD) continue;
    lowest = std::min<uint64_t>(lowest, header.p_vaddr & ~(kPage - 1));
    segments.push_back({header.p_offset, header.p_filesz, header.p_vaddr});
  }
  return lowest == UINT64_MAX ? 0 : lowest;
}

}  // namespace

PooledStrings::PooledStrings(SymbolBatch& batch, size_t expected) : batch_(batch) {
  size_t slots = 64;
  while (slots < 2 * expected) slots *= 2;
  size(slots);
}

void PooledStrings::size(size_t slots) {
  slots_.assign(slots, Slot{});
  mask_ = slots - 1;
  shift_ = 64;
  for (size_t s = slots; s > 1; s /= 2) --shift_;  // the hash's top log2(slots) bits
}

void PooledStrings::grow() {
  std::vector<Slot> old = std::move(slots_);
  size(old.size() * 2);
  for (const Slot& slot : old) {
    if (slot.key == nullptr) continue;
    size_t at = slotOf(slot.key);
    while (slots_[at].key != nullptr) at = (at + 1) & mask_;
    slots_[at] = slot;
  }
}

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
  image->loadAddress_ = loadSegments(dwfl_module_getelf(image->module_, &bias), image->segments_);
  const unsigned char* bits = nullptr;
  GElf_Addr where;
  const int length = dwfl_module_build_id(image->module_, &bits, &where);
  if (length > 0) image->buildId_.assign(reinterpret_cast<const char*>(bits), static_cast<size_t>(length));
  // Find the debug file now, while the path that names its folder (ROOT/…) is sure to be there.
  dwfl_module_getdwarf(image->module_, &bias);
  return image;
}

uint64_t Image::moduleOffsetOf(uint64_t fileOffset, uint64_t mappingOffset, uint64_t fromBase) const {
  for (const Segment& segment : segments_) {
    const uint64_t address = loadAddress_ + fromBase;
    if (address >= segment.address && fileOffset >= segment.offset && address - segment.address == fileOffset - segment.offset)
      return fromBase;  // where the loader put it: the usual case
  }
  // Mapped again elsewhere. A segment's pages hold the file around it too (from the page below p_offset
  // to the page past its end), so neighbours may share a page. Best: the segment that holds the offset
  // itself, the one the loader mapped there (its first page is the mapping's offset) first; then one
  // whose pages do.
  const Segment* best = nullptr;
  int bestRank = 0;
  for (const Segment& segment : segments_) {
    const uint64_t pageStart = segment.offset & ~(kPage - 1);
    const uint64_t pageEnd = (segment.offset + segment.size + kPage - 1) & ~(kPage - 1);
    if (fileOffset < pageStart || fileOffset >= pageEnd) continue;
    const bool holds = fileOffset >= segment.offset && fileOffset - segment.offset < segment.size;
    const int rank = (holds ? 2 : 0) + (pageStart == mappingOffset ? 1 : 0) + 1;
    if (rank > bestRank) best = &segment, bestRank = rank;
  }
  if (best == nullptr) return fileOffset;  // in no segment's pages: as the file lies
  return best->address + fileOffset - best->offset - loadAddress_;
}

Image::~Image() {
  allAnswers -= answers_.size();
  if (dwfl_ != nullptr) dwfl_end(dwfl_);
}

const std::string* Image::pooled(std::string text) {
  return text.empty() ? nullptr : &*pool_->insert(std::move(text)).first;
}

Image::Entry Image::compute(uint64_t moduleOffset) {
  Entry entry;
  const Dwarf_Addr address = loadAddress_ + moduleOffset;
  if (!symbols_) symbols_ = std::make_unique<SymbolIndex>(module_);
  const SymbolIndex::Symbol* symbol = symbols_->find(address);
  DwarfFrames frames;
  dwarfFrames(module_, address, frames);
  entry.at.file = pooled(std::move(frames.file));
  entry.at.line = frames.line;
  for (InlineFrame& frame : frames.inlined)
    entry.inlined.push_back({pooled(std::move(frame.function)), pooled(std::move(frame.file)), frame.line});
  // A symbol never lies: a sized one holds the address (SymbolIndex returns no other); a sizeless
  // one (an assembly label) when DWARF's function starts there. Where DWARF knows no function, the
  // label is named as a guess (exact false): the code after it up to the next symbol is likely its.
  const bool sized = symbol != nullptr && symbol->size > 0;
  const bool confirmed = symbol != nullptr && frames.hasStart && frames.start == symbol->start;
  const bool guess = symbol != nullptr && !sized && frames.function.empty();
  const bool symbolHolds = sized || confirmed;
  // The symbol's name first (what dladdr, perf and the exports say: malloc, not DWARF's
  // __GI___libc_malloc); DWARF's for code no symbol holds (a stripped .symtab without debug file).
  if (symbolHolds) {
    entry.at.function = pooled(demangle(symbol->name));
    entry.source = symbolSourceCode(symbol->table);
    entry.offset = address - symbol->start;
    entry.exact = true;
  } else if (!frames.function.empty()) {
    entry.at.function = pooled(std::move(frames.function));
    entry.source = symbolSourceCode("debuginfo");
    entry.offset = frames.hasStart && address >= frames.start ? address - frames.start : 0;
    entry.exact = true;
  } else if (guess) {
    entry.at.function = pooled(demangle(symbol->name));
    entry.source = symbolSourceCode(symbol->table);
    entry.offset = address - symbol->start;
  }
  return entry;
}

void Image::resolve(const std::vector<uint32_t>& indices, SymbolBatch& batch, PooledStrings& strings,
                    PendingInlines& inlines) {
  std::lock_guard<std::mutex> lock(mutex_);
  if (answers_.size() + indices.size() > kMaxAnswers || allAnswers + indices.size() > kMaxAllAnswers) {
    allAnswers -= answers_.size();
    answers_.clear();
    pool_ = std::make_shared<std::unordered_set<std::string>>();  // the old one lives on in its batches
  }
  batch.pools.push_back(pool_);
  for (const uint32_t i : indices) {
    const uint64_t offset = batch.moduleOffset[i];
    auto found = answers_.find(offset);
    if (found == answers_.end()) {
      found = answers_.emplace(offset, compute(offset)).first;
      ++allAnswers;
    }
    const Entry& entry = found->second;
    batch.function[i] = strings.add(entry.at.function);
    batch.offset[i] = entry.offset;
    batch.file[i] = strings.add(entry.at.file);
    batch.line[i] = entry.at.line;
    batch.source[i] = entry.source;
    batch.exact[i] = entry.exact ? 1 : 0;
    if (entry.inlined.empty()) continue;
    inlines.first[i] = static_cast<uint32_t>(inlines.frames.size() / 3);
    inlines.count[i] = static_cast<uint32_t>(entry.inlined.size());
    for (const Frame& frame : entry.inlined) {
      inlines.frames.push_back(strings.add(frame.function));
      inlines.frames.push_back(strings.add(frame.file));
      inlines.frames.push_back(frame.line);
    }
  }
}

}  // namespace snapscope::procfs::symbols
