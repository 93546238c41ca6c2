// One ELF image (executable, shared object) open in libdwfl at a fixed place, with the answers it
// has given so far. Shared by every process that maps the same file (see image_cache.h).
#pragma once

#include <elfutils/libdwfl.h>

#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>
#include <vector>

#include "../../backend.h"
#include "../fd.h"

namespace snapscope::procfs::symbols {

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

  // For each i of `indices`: addresses[i] lies in this image loaded at `base`; fills out[i]'s
  // function, offset, file, line, inlined, source and exact.
  void resolve(const std::vector<uint64_t>& addresses, const std::vector<uint32_t>& indices, uint64_t base,
               std::vector<SymbolInfo>& out);

 private:
  struct Entry {
    std::string function;
    uint64_t offset = 0;
    std::string file;
    uint32_t line = 0;
    std::vector<InlineFrame> inlined;
    const char* source = "";
    bool exact = false;
  };

  Image() = default;
  Entry compute(uint64_t moduleOffset);
  const char* symbolTable(Elf* elf);

  // libdwfl is not thread-safe: one caller at a time per image (per Dwfl).
  std::mutex mutex_;
  std::string root_;                  // the module's userdata for findLocalDebuginfo
  std::string debugPath_;
  char* debugPathPointer_ = nullptr;  // Dwfl_Callbacks::debuginfo_path points here
  Dwfl_Callbacks callbacks_{};
  Dwfl* dwfl_ = nullptr;
  Dwfl_Module* module_ = nullptr;
  uint64_t loadAddress_ = 0;          // the ELF address of the image's first page (its base)
  std::string buildId_;
  std::vector<std::pair<Elf*, const char*>> tables_;  // which symbol table each ELF file has
  std::unordered_map<uint64_t, Entry> answers_;       // by offset from the base
};

}  // namespace snapscope::procfs::symbols
