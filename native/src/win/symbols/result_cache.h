// What an address of an image was found to be, by image and offset: a second lookup in the same
// image (in any process) costs a hash probe, no dbghelp call. An image is its path, PE timestamp
// and size; the entries are base-independent (function, offset, file, line, inlined, source, exact).
// Bounded: emptied when it grows past its limit. Use with dbghelpMutex() held.
#pragma once

#include <cstdint>
#include <string>
#include <unordered_map>

#include "../../backend.h"

namespace snapscope::win::symbols {

// The answers for one image, by offset from its base (the module fields are left empty).
using ImageResults = std::unordered_map<uint64_t, SymbolInfo>;

class ResultCache {
 public:
  // The answers of one image; the reference stays valid as long as the cache does.
  ImageResults& image(const std::string& path, uint32_t timeDateStamp, uint64_t size);
  void store(ImageResults& image, uint64_t offset, const SymbolInfo& info);

 private:
  struct Key {
    std::string path;
    uint32_t timeDateStamp;
    uint64_t size;
    bool operator==(const Key& o) const { return timeDateStamp == o.timeDateStamp && size == o.size && path == o.path; }
  };
  struct Hash {
    size_t operator()(const Key& k) const { return std::hash<std::string>()(k.path) ^ (k.size * 31 + k.timeDateStamp); }
  };
  std::unordered_map<Key, ImageResults, Hash> images_;  // never erased: ImageResults& stay valid
  size_t entries_ = 0;
};

}  // namespace snapscope::win::symbols
