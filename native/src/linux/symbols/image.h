// One ELF image (executable, shared object) open in libdwfl at a fixed place, with the answers it
// has given so far. Shared by every process that maps the same file (see image_cache.h).
#pragma once

#include <elfutils/libdwfl.h>

#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "../../backend.h"
#include "../fd.h"
#include "symbol_index.h"

namespace snapscope::procfs::symbols {

// The frames inlined at each address, gathered image by image and put in address order at the end.
struct PendingInlines {
  explicit PendingInlines(size_t n) : first(n), count(n) {}
  std::vector<uint32_t> first, count;         // per address: into `frames`
  std::vector<uint32_t> frames;               // function, file, line: three per frame
};

// Puts images' pooled strings into a batch by pointer, without copying them: each image hands the
// batch its pool to keep (Image::resolve), so within a batch a pointer is one string for good. A flat
// table (open addressing), sized to the batch: a probe or two per field, no allocation per string.
class PooledStrings {
 public:
  PooledStrings(SymbolBatch& batch, size_t expected);
  uint32_t add(const std::string* pooled) {
    if (pooled == nullptr) return 0;
    for (size_t at = slotOf(pooled);; at = (at + 1) & mask_) {
      Slot& slot = slots_[at];
      if (slot.key == pooled) return slot.id;
      if (slot.key != nullptr) continue;
      slot = {pooled, static_cast<uint32_t>(batch_.strings.size())};
      batch_.strings.push_back(*pooled);
      if (++used_ * 2 > slots_.size()) grow();
      return static_cast<uint32_t>(batch_.strings.size() - 1);
    }
  }

 private:
  struct Slot {
    const std::string* key = nullptr;
    uint32_t id = 0;
  };
  size_t slotOf(const std::string* key) const {
    return static_cast<size_t>((reinterpret_cast<uintptr_t>(key) >> 3) * 0x9E3779B97F4A7C15ull >> shift_) & mask_;
  }
  void grow();
  void size(size_t slots);  // a power of two

  SymbolBatch& batch_;
  std::vector<Slot> slots_;
  size_t mask_ = 0, used_ = 0;
  unsigned shift_ = 0;
};

class Image {
 public:
  // Opens the ELF file `fd` (consumed). `fileName`: its path as this process reaches it (ROOT + the
  // path the target maps), for the .gnu_debuglink folders; `root`: "" or /proc/PID/root when the
  // target lives in another mount namespace. nullptr when libdwfl cannot read it as ELF.
  static std::shared_ptr<Image> open(Fd fd, const std::string& fileName, const std::string& root);
  ~Image();
  Image(const Image&) = delete;
  Image& operator=(const Image&) = delete;

  const std::string& buildId() const { return buildId_; }  // raw bytes; "" when it has none

  // A file-backed PT_LOAD: file bytes [offset, offset + size) are ELF addresses from `address`.
  struct Segment {
    uint64_t offset, size, address;
  };
  // Where the byte at `fileOffset` of the file lies from the image's base (its first page as loaded):
  // the module offset of an address in ANY mapping of the file (a program may map its code again
  // elsewhere, as node does), through the PT_LOAD segment that holds that file offset.
  // `mappingOffset`: the file offset of the mapping holding the address; `fromBase`: the address minus
  // the image's first mapping, which is the answer when a segment maps that place to that file offset
  // (a file page shared by two segments is mapped twice at one offset: only the address tells which).
  uint64_t moduleOffsetOf(uint64_t fileOffset, uint64_t mappingOffset, uint64_t fromBase) const;

  // For each i of `indices`: batch.moduleOffset[i] (moduleOffsetOf) lies in this image; fills the
  // batch's function, offset, file, line, source and exact at i, and its inlined frames into `inlines`.
  void resolve(const std::vector<uint32_t>& indices, SymbolBatch& batch, PooledStrings& strings,
               PendingInlines& inlines);

 private:
  // An answer; its strings live in pool_ (nullptr = "").
  struct Frame {
    const std::string* function = nullptr;
    const std::string* file = nullptr;
    uint32_t line = 0;
  };
  struct Entry {
    Frame at;                           // the function holding the address, and where in it
    uint64_t offset = 0;
    std::vector<Frame> inlined;
    uint8_t source = 0;                 // symbolSourceCode
    bool exact = false;
  };

  Image() = default;
  Entry compute(uint64_t moduleOffset);
  const std::string* pooled(std::string text);

  // libdwfl is not thread-safe: one caller at a time per image (per Dwfl).
  std::mutex mutex_;
  std::string root_;                  // the module's userdata for findLocalDebuginfo
  std::string debugPath_;
  char* debugPathPointer_ = nullptr;  // Dwfl_Callbacks::debuginfo_path points here
  Dwfl_Callbacks callbacks_{};
  Dwfl* dwfl_ = nullptr;
  Dwfl_Module* module_ = nullptr;
  uint64_t loadAddress_ = 0;          // the ELF address of the image's first page (its base)
  std::vector<Segment> segments_;
  std::string buildId_;
  std::unique_ptr<SymbolIndex> symbols_;             // built on the first lookup
  std::unordered_map<uint64_t, Entry> answers_;       // by offset from the base
  // The answers' strings, each once; batches keep a pool alive, so a full one is replaced, not cleared.
  std::shared_ptr<std::unordered_set<std::string>> pool_ = std::make_shared<std::unordered_set<std::string>>();
};

}  // namespace snapscope::procfs::symbols
