// The walk's cancel flag, checked inside every loop whose length the target's memory decides (the
// chunk walk, free lists, the mmapped-chunk scan, the search for main_arena): a cancelled or
// abandoned walk stops within one step of any of them, however hostile the heap.
#pragma once

#include <atomic>
#include <string>

#include "../../backend.h"

namespace snapscope::procfs::heap {

class Cancel {
 public:
  Cancel(const std::atomic<bool>& flag, int pid) : flag_(flag), pid_(pid) {}

  // Throws OsError ECANCELED once the flag is set.
  void check() const {
    if (flag_.load(std::memory_order_relaxed))
      throw OsError("ECANCELED", pid_, "heap", "the heap walk of process " + std::to_string(pid_) + " was cancelled");
  }

 private:
  const std::atomic<bool>& flag_;
  int pid_;
};

}  // namespace snapscope::procfs::heap
