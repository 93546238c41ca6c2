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

// Puts an image's pooled strings into a batch: by pointer (a probe of 8 bytes per field), by content
// once per distinct pointer.
class PooledStrings {
 public:
  explicit PooledStrings(BatchStrings& strings) : strings_(strings) {}
  uint32_t add(const std::string* pooled) {
    if (pooled == nullptr) return 0;
    auto [slot, added] = byPointer_.emplace(pooled, 0);
    if (added) slot->second = strings_.add(*pooled);
    return slot->second;
  }
  // Before another image's strings: a pointer seen earlier may since have been freed and reused.
  void forget() { byPointer_.clear(); }

 private:
  BatchStrings& strings_;
  std::unordered_map<const std::string*, uint32_t> byPointer_;
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
  // `mappingOffset`: the file offset of the mapping holding the address.
  uint64_t moduleOffsetOf(uint64_t fileOffset, uint64_t mappingOffset) const;

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
  std::unordered_set<std::string> pool_;              // the answers' strings, each once
};

}  // namespace snapscope::procfs::symbols
