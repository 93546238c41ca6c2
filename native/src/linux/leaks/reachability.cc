#include "reachability.h"

#include <algorithm>
#include <cstring>

namespace snapscope::procfs::leaks {
namespace {

// 64 KiB per read of a root range: the size the heap walker measured as fastest (copies stay in L2).
constexpr size_t kWindow = 64 << 10;
// A batch of blocks is read into one buffer of at most this size; a larger block is read alone, in windows.
constexpr size_t kBatchBytes = 1 << 20;
constexpr uint64_t kTickBytes = 32 << 20;

}  // namespace

Reachability::Reachability(const BlockIndex& index, const heap::RemoteMemory& memory, const heap::Cancel& cancel,
                           const ProgressFn& progress, uint64_t totalBytes)
    : index_(index),
      memory_(memory),
      cancel_(cancel),
      progress_(progress),
      total_(totalBytes),
      state_(index.size(), static_cast<uint8_t>(Reach::kUnreached)),
      heads_(2 * index.size(), 0),
      buffer_(kBatchBytes) {}

void Reachability::tick() {
  if (scanned_ < nextTick_) return;
  nextTick_ = scanned_ + kTickBytes;
  cancel_.check();
  if (progress_) progress_({std::min(scanned_, total_), total_, blocksScanned_});
}

void Reachability::markWord(uint64_t word, bool definite) {
  const uint32_t j = index_.find(word);
  if (j == BlockIndex::kNone) return;
  uint8_t& s = state_[j];
  if (s == static_cast<uint8_t>(Reach::kReachable)) return;
  if (definite && word == index_.start(j)) {
    s = static_cast<uint8_t>(Reach::kReachable);
    stack_.push_back(j);  // (re)scanned: what it points at is now reached definitely
  } else if (s == static_cast<uint8_t>(Reach::kUnreached)) {
    s = static_cast<uint8_t>(Reach::kPossible);
    stack_.push_back(j);
  }
}

void Reachability::cliqueWord(uint64_t word, uint32_t leader) {
  const uint32_t j = index_.find(word);
  if (j == BlockIndex::kNone || j == leader || state_[j] != static_cast<uint8_t>(Reach::kUnreached)) return;
  state_[j] = static_cast<uint8_t>(Reach::kIndirect);
  stack_.push_back(j);
}

void Reachability::scanRootWords(const uint64_t* words, size_t count) {
  for (size_t i = 0; i < count; ++i) markWord(words[i], true);
}

void Reachability::scanRootRange(uint64_t start, uint64_t end) {
  for (uint64_t at = start; at < end;) {
    const size_t want = static_cast<size_t>(std::min<uint64_t>(kWindow, end - at));
    const size_t got = memory_.readSome(at, buffer_.data(), want, "roots");
    // An unreadable page (a guard page inside a writable mapping, PROT_NONE'd since the maps were read) is skipped.
    const size_t used = got == 0 ? std::min<size_t>(want, 4096 - (at & 4095)) : got;
    scanRootWords(reinterpret_cast<const uint64_t*>(buffer_.data()), got / 8);
    at += used;
    scanned_ += used;
    tick();
  }
}

void Reachability::scanBlock(uint32_t block, const char* data, size_t size, uint32_t leader) {
  if (size >= 8) std::memcpy(&heads_[2 * size_t{block}], data, std::min<size_t>(size, 16) & ~size_t{7});
  scanWords(block, reinterpret_cast<const uint64_t*>(data), size / 8, leader);
}

void Reachability::scanWords(uint32_t block, const uint64_t* words, size_t n, uint32_t leader) {
  if (leader == BlockIndex::kNone) {
    const bool definite = state_[block] == static_cast<uint8_t>(Reach::kReachable);
    for (size_t i = 0; i < n; ++i) markWord(words[i], definite);
  } else {
    for (size_t i = 0; i < n; ++i) cliqueWord(words[i], leader);
  }
}

void Reachability::drain(uint32_t leader) {
  std::vector<uint64_t> addresses;
  std::vector<size_t> sizes;
  std::vector<uint32_t> batch;
  while (!stack_.empty()) {
    cancel_.check();
    const uint32_t top = stack_.back();
    const uint64_t topBytes = index_.bytes(top);
    if (topBytes > kBatchBytes) {  // a big block: alone, in windows (its own buffer would be unbounded)
      stack_.pop_back();
      const uint64_t base = index_.start(top);
      for (uint64_t off = 0; off < topBytes; off += kBatchBytes) {
        const size_t want = static_cast<size_t>(std::min<uint64_t>(kBatchBytes, topBytes - off));
        const size_t got = memory_.readSome(base + off, buffer_.data(), want, "heap blocks");
        if (got < want) ++unreadable_;
        // The head is the block's first words: only the first window has them.
        if (off == 0) scanBlock(top, buffer_.data(), got, leader);
        else scanWords(top, reinterpret_cast<const uint64_t*>(buffer_.data()), got / 8, leader);
        scanned_ += want;
      }
      ++blocksScanned_;
      tick();
      continue;
    }
    // A batch of small blocks in one system call.
    addresses.clear();
    sizes.clear();
    batch.clear();
    size_t bytes = 0;
    while (!stack_.empty() && batch.size() < heap::RemoteMemory::kMaxPieces) {
      const uint32_t b = stack_.back();
      const uint64_t n = index_.bytes(b);
      if (n > kBatchBytes || bytes + n > kBatchBytes) break;
      stack_.pop_back();
      batch.push_back(b);
      addresses.push_back(index_.start(b));
      sizes.push_back(static_cast<size_t>(n));
      bytes += static_cast<size_t>(n);
    }
    size_t got = memory_.readRanges(addresses.data(), sizes.data(), batch.size(), buffer_.data(), "heap blocks");
    size_t at = 0;
    for (size_t k = 0; k < batch.size(); ++k) {
      if (at + sizes[k] > got) {  // the read stopped before this block: read the rest one by one
        const size_t one = memory_.readSome(addresses[k], buffer_.data() + at, sizes[k], "heap blocks");
        if (one < sizes[k]) {
          ++unreadable_;
          std::memset(buffer_.data() + at + one, 0, sizes[k] - one);
        }
        got = at + sizes[k];
      }
      scanBlock(batch[k], buffer_.data() + at, sizes[k], leader);
      at += sizes[k];
    }
    scanned_ += bytes;
    blocksScanned_ += batch.size();
    tick();
  }
}

void Reachability::finish() {
  drain(BlockIndex::kNone);
  for (uint32_t i = 0; i < index_.size(); ++i) {
    if (state_[i] != static_cast<uint8_t>(Reach::kUnreached)) continue;
    stack_.push_back(i);
    drain(i);
  }
  if (progress_) progress_({total_, total_, blocksScanned_});
}

}  // namespace snapscope::procfs::leaks
