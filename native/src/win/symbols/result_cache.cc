#include "result_cache.h"

namespace snapscope::win::symbols {
namespace {

// ~400 bytes each with their strings: ~100 MB at most.
constexpr size_t kMaxEntries = 1u << 18;

}  // namespace

ImageResults& ResultCache::image(const std::string& path, uint32_t timeDateStamp, uint64_t size) {
  return images_[Key{path, timeDateStamp, size}];
}

void ResultCache::store(ImageResults& image, uint64_t offset, const SymbolInfo& info) {
  if (entries_ >= kMaxEntries) {
    for (auto& [key, results] : images_) results.clear();
    entries_ = 0;
  }
  entries_ += image.emplace(offset, info).second;
}

}  // namespace snapscope::win::symbols
