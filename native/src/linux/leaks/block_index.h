// The used blocks of every walked heap, sorted by address, and which block a word points into: the
// edges of the leak scan. Blocks fall into runs (a heap, an arena's heap, an mmapped chunk); each run
// has a page table (the first candidate block of each 4 KiB page: 4 bytes per page of heap, 0.1%),
// so a lookup is a search among the few blocks of one page, not over a million starts.
#pragma once

#include <algorithm>
#include <cstdint>
#include <vector>

namespace snapscope::procfs::leaks {

class BlockIndex {
 public:
  static constexpr uint32_t kNone = UINT32_MAX;

  // `starts` sorted, blocks not overlapping.
  BlockIndex(std::vector<uint64_t> starts, std::vector<uint64_t> sizes);

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
    if (word - lo_ >= hi_ - lo_) return kNone;
    auto run = std::upper_bound(runs_.begin(), runs_.end(), word, [](uint64_t w, const Run& r) { return w < r.base; });
    if (run == runs_.begin()) return kNone;
    --run;
    if (word >= run->end) return kNone;
    const uint64_t page = (word - run->base) >> kPageShift;
    const uint32_t* table = &pages_[run->firstPage];
    const uint32_t from = table[page], to = table[page + 1] + 1;  // the blocks that can hold words of this page
    auto it = std::upper_bound(start_.begin() + from, start_.begin() + to, word);
    if (it == start_.begin() + from) return kNone;
    const uint32_t i = static_cast<uint32_t>(it - start_.begin()) - 1;
    return word - start_[i] < size_[i] - 8 ? i : kNone;
  }

 private:
  static constexpr unsigned kPageShift = 12;
  static constexpr uint64_t kRunGap = 1 << 20;  // blocks further apart start a new run

  struct Run {
    uint64_t base = 0, end = 0;  // base: page-aligned
    size_t firstPage = 0;        // its table in pages_: one entry per page, and one past the last
  };

  std::vector<uint64_t> start_, size_;
  std::vector<Run> runs_;
  std::vector<uint32_t> pages_;
  uint64_t lo_ = 0, hi_ = 0;
};

inline BlockIndex::BlockIndex(std::vector<uint64_t> starts, std::vector<uint64_t> sizes) : start_(std::move(starts)), size_(std::move(sizes)) {
  if (start_.empty()) return;
  lo_ = start_.front();
  hi_ = start_.back() + size_.back();
  const uint32_t n = static_cast<uint32_t>(start_.size());
  for (uint32_t first = 0; first < n;) {
    uint32_t last = first;
    uint64_t end = start_[first] + size_[first];
    while (last + 1 < n && start_[last + 1] - end <= kRunGap) {
      ++last;
      end = std::max(end, start_[last] + size_[last]);
    }
    Run run;
    run.base = start_[first] & ~((uint64_t{1} << kPageShift) - 1);
    run.end = end;
    run.firstPage = pages_.size();
    const uint64_t count = ((end - run.base) >> kPageShift) + 1;
    // Entry p: the last block starting at or before page p's start (the one that may run into it),
    // or the run's first block; entry count (one past) is the run's last block.
    uint32_t b = first;
    for (uint64_t p = 0; p < count; ++p) {
      const uint64_t pageStart = run.base + (p << kPageShift);
      while (b < last && start_[b + 1] <= pageStart) ++b;
      pages_.push_back(b);
    }
    pages_.push_back(last);
    runs_.push_back(run);
    first = last + 1;
  }
}

}  // namespace snapscope::procfs::leaks
