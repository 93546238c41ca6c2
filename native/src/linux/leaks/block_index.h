// The used blocks of every walked heap, sorted by address, and which block a word points into: the
// edges of the leak scan are found by binary search over the starts (one array, cache-friendly).
#pragma once

#include <algorithm>
#include <cstdint>
#include <vector>

namespace snapscope::procfs::leaks {

class BlockIndex {
 public:
  static constexpr uint32_t kNone = UINT32_MAX;

  // `starts` sorted, blocks not overlapping.
  BlockIndex(std::vector<uint64_t> starts, std::vector<uint64_t> sizes) : start_(std::move(starts)), size_(std::move(sizes)) {
    if (!start_.empty()) {
      lo_ = start_.front();
      hi_ = start_.back() + size_.back();
    }
  }

  size_t size() const { return start_.size(); }
  uint64_t start(uint32_t i) const { return start_[i]; }
  uint64_t bytes(uint32_t i) const { return size_[i]; }

  // Words outside [lo, lo + span) point at no block: the one compare the scan's hot loops make.
  uint64_t lo() const { return lo_; }
  uint64_t span() const { return hi_ - lo_; }

  // The block that holds `word` (its start or inside), kNone when none does.
  //
  // Not its last word: a glibc block's usable size runs 8 bytes into the next chunk's header (its
  // prev_size field), and that is where the allocator's own chunk pointers point (malloc leaves them
  // in registers and stack slots, the bins hold them). memcheck never sees them (it replaces malloc):
  // counted, they would make the block before a freshly allocated one "possibly lost".
  uint32_t find(uint64_t word) const {
    if (word - lo_ >= hi_ - lo_) return kNone;  // one compare rejects most words (not pointers into the heaps)
    auto it = std::upper_bound(start_.begin(), start_.end(), word);
    const uint32_t i = static_cast<uint32_t>(it - start_.begin()) - 1;
    return word - start_[i] < size_[i] - 8 ? i : kNone;
  }

 private:
  std::vector<uint64_t> start_, size_;
  uint64_t lo_ = 0, hi_ = 0;
};

}  // namespace snapscope::procfs::leaks
