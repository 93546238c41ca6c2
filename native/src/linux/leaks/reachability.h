// Which used blocks the roots reach, and how, with memcheck's rules (mc_leakcheck.c):
//  - a start pointer from a root or from a reachable block makes a block reachable;
//  - any other pointer (an interior one, or any pointer from a possibly-reachable block) makes an
//    unreached block possibly reachable;
//  - then, in address order, each block still unreached leads a "clique": every unreached block it
//    reaches (start or interior pointer) is indirectly lost, and stays in the leader's clique;
//    leaders that no other lost block reaches are the definitely lost ones. A lost cycle has one
//    leader (its lowest block): one definitely lost block, the rest indirectly lost.
//
// Blocks are read in batches of up to RemoteMemory::kMaxPieces ranges per process_vm_readv, so a
// million small blocks cost about a thousand system calls; memory is one byte of state and two words
// of contents (for the type namer) per block, plus a mark stack of at most one entry per state change.
#pragma once

#include <cstdint>
#include <vector>

#include "../../backend.h"
#include "../heap/cancel.h"
#include "../heap/remote_memory.h"
#include "block_index.h"

namespace snapscope::procfs::leaks {

enum class Reach : uint8_t { kUnreached = 0, kIndirect = 1, kPossible = 2, kReachable = 3 };

// The verdict of a block in the end state.
inline LeakKind verdict(Reach r) {
  switch (r) {
    case Reach::kReachable: return LeakKind::Reachable;
    case Reach::kPossible: return LeakKind::PossiblyLost;
    case Reach::kIndirect: return LeakKind::IndirectlyLost;
    default: return LeakKind::DefinitelyLost;
  }
}

class Reachability {
 public:
  Reachability(const BlockIndex& index, const heap::RemoteMemory& memory, const heap::Cancel& cancel, const ProgressFn& progress,
               uint64_t totalBytes);

  // Root words: the registers (`base` 0), or memory at `base` already read.
  void scanRootWords(const uint64_t* words, size_t count, uint64_t base, ReferrerSource source);
  // A root range of the target, read in windows.
  void scanRootRange(uint64_t start, uint64_t end, ReferrerSource source);
  // Every word found pointing into these blocks (sorted block indexes) is kept, up to `most`.
  void watch(std::vector<uint32_t> blocks, size_t most) {
    watched_ = std::move(blocks);
    mostReferrers_ = most;
  }
  std::vector<LeakReferrer>& referrers() { return referrers_; }
  uint64_t referrersDropped() const { return referrersDropped_; }
  // Follows everything the roots reached, then forms the cliques of what is left.
  void finish();

  Reach state(uint32_t block) const { return static_cast<Reach>(state_[block]); }
  // The first two words of each block (0 where it is shorter or could not be read).
  // All of them, block i's at [2 i, 2 i + 2) (moved out: the scan is over).
  std::vector<uint64_t> takeHeads() { return std::move(heads_); }
  uint64_t scannedBytes() const { return scanned_; }
  uint64_t unreadableBlocks() const { return unreadable_; }

 private:
  // `from`: the word's address (0 for a register); the source is source_.
  void markWord(uint64_t word, bool definite, uint64_t from);
  void cliqueWord(uint64_t word, uint32_t leader, uint64_t from);
  void noteReferrer(uint32_t block, uint64_t word, uint64_t from);
  // Scans the blocks on the stack until it is empty; `leader` = kNone for the marking from roots.
  void drain(uint32_t leader);
  void scanBlock(uint32_t block, const char* data, size_t size, uint32_t leader);
  // words[i] is at `base` + 8 i of `block`.
  void scanWords(uint32_t block, const uint64_t* words, size_t count, uint32_t leader, uint64_t base);
  void tick();
  // Reads a prefix of `batch` (blocks in address order, none bigger than the buffer) into `buffer`,
  // neighbours merged into one range; returns how many blocks it took, offsets[k] = where block k is.
  size_t readBatch(const std::vector<uint32_t>& batch, std::vector<char>& buffer, std::vector<size_t>& offsets);
  // A block bigger than the buffer, window by window.
  void scanLarge(uint32_t block, uint32_t leader);

  const BlockIndex& index_;
  const heap::RemoteMemory& memory_;
  const heap::Cancel& cancel_;
  const ProgressFn& progress_;
  uint64_t total_;
  std::vector<uint8_t> state_;
  std::vector<uint64_t> heads_;
  std::vector<uint32_t> stack_;
  std::vector<char> buffer_;
  std::vector<uint32_t> watched_;
  std::vector<LeakReferrer> referrers_;
  size_t mostReferrers_ = 0;
  uint64_t referrersDropped_ = 0;
  ReferrerSource source_ = ReferrerSource::Register;
  uint32_t sourceBlock_ = BlockIndex::kNone;
  std::vector<uint64_t> addresses_;  // readBatch's ranges
  std::vector<size_t> sizes_;
  uint64_t scanned_ = 0, nextTick_ = 0, blocksScanned_ = 0, unreadable_ = 0;
};

}  // namespace snapscope::procfs::leaks
