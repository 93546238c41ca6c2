// Call stacks interned to small ids (frames innermost first), bounded: past the cap every new stack
// is stack 0, "other stacks".
#pragma once

#include <cstdint>
#include <string>
#include <unordered_map>
#include <vector>

namespace snapscope::procfs::allocs {

class StackTable {
 public:
  explicit StackTable(uint64_t maxStacks) : max_(maxStacks) { frames_.emplace_back(); }

  uint32_t intern(const std::vector<uint64_t>& frames) {
    std::string key(reinterpret_cast<const char*>(frames.data()), frames.size() * sizeof(uint64_t));
    auto found = ids_.find(key);
    if (found != ids_.end()) return found->second;
    if (frames_.size() > max_) {
      ++overflowed_;
      return 0;
    }
    const uint32_t id = static_cast<uint32_t>(frames_.size());
    frames_.push_back(frames);
    ids_.emplace(std::move(key), id);
    return id;
  }

  const std::vector<uint64_t>& frames(uint32_t id) const { return frames_[id]; }
  size_t size() const { return frames_.size(); }      // ids in use, stack 0 included
  uint64_t overflowed() const { return overflowed_; }  // allocations whose stack was not kept

 private:
  uint64_t max_;
  std::vector<std::vector<uint64_t>> frames_;  // by id; [0] = other stacks (no frames)
  std::unordered_map<std::string, uint32_t> ids_;
  uint64_t overflowed_ = 0;
};

}  // namespace snapscope::procfs::allocs
