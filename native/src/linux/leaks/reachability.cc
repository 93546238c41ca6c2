#include "reachability.h"

#include <algorithm>
#include <cstring>

namespace snapscope::procfs::leaks {
namespace {

// 256 KiB per read of a root range (the bench's copy baseline is fastest at 256 KiB-1 MiB here).
constexpr size_t kWindow = 256 << 10;
// A batch of blocks is read into one buffer of at most this size; a larger block is read alone, in windows.
constexpr size_t kBatchBytes = 1 << 20;
// Blocks this close are read as one range, gap included (the 8-byte chunk header between two
// neighbours, small free chunks): a heap of small blocks costs a few ranges per batch, not one each.
constexpr uint64_t kMergeGap = 256;
constexpr size_t kMaxBatchBlocks = 64 * 1024;
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

void Reachability::noteReferrer(uint32_t block, uint64_t word, uint64_t from) {
  if (!std::binary_search(watched_.begin(), watched_.end(), block)) return;
  if (referrers_.size() >= mostReferrers_) {
    ++referrersDropped_;
    return;
  }
  LeakReferrer r;
  r.target = index_.start(block);
  r.from = from;
  r.fromBlock = sourceBlock_ == BlockIndex::kNone ? 0 : index_.start(sourceBlock_);
  r.source = source_;
  r.interior = word != r.target;
  referrers_.push_back(r);
}

void Reachability::markWord(uint64_t word, bool definite, uint64_t from) {
  const uint32_t j = index_.find(word);
  if (j == BlockIndex::kNone) return;
  if (!watched_.empty()) noteReferrer(j, word, from);
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

void Reachability::cliqueWord(uint64_t word, uint32_t leader, uint64_t from) {
  const uint32_t j = index_.find(word);
  if (j == BlockIndex::kNone) return;
  if (!watched_.empty()) noteReferrer(j, word, from);
  if (j == leader || state_[j] != static_cast<uint8_t>(Reach::kUnreached)) return;
  state_[j] = static_cast<uint8_t>(Reach::kIndirect);
  stack_.push_back(j);
}

void Reachability::scanRootWords(const uint64_t* words, size_t count, uint64_t base, ReferrerSource source) {
  source_ = source;
  sourceBlock_ = BlockIndex::kNone;
  const uint64_t lo = index_.lo(), span = index_.span();
  for (size_t i = 0; i < count; ++i) {
    if (words[i] - lo < span) markWord(words[i], true, base ? base + 8 * i : 0);
  }
}

void Reachability::scanRootRange(uint64_t start, uint64_t end, ReferrerSource source) {
  for (uint64_t at = start; at < end;) {
    const size_t want = static_cast<size_t>(std::min<uint64_t>(kWindow, end - at));
    const size_t got = memory_.readSome(at, buffer_.data(), want, "roots");
    // An unreadable page (a guard page inside a writable mapping, PROT_NONE'd since the maps were read) is skipped.
    const size_t used = got == 0 ? std::min<size_t>(want, 4096 - (at & 4095)) : got;
    scanRootWords(reinterpret_cast<const uint64_t*>(buffer_.data()), got / 8, at, source);
    at += used;
    scanned_ += used;
    tick();
  }
}

void Reachability::scanBlock(uint32_t block, const char* data, size_t size, uint32_t leader) {
  if (size >= 8) std::memcpy(&heads_[2 * size_t{block}], data, std::min<size_t>(size, 16) & ~size_t{7});
  scanWords(block, reinterpret_cast<const uint64_t*>(data), size / 8, leader, index_.start(block));
}

void Reachability::scanWords(uint32_t block, const uint64_t* words, size_t n, uint32_t leader, uint64_t base) {
  source_ = ReferrerSource::Block;
  sourceBlock_ = block;
  const uint64_t lo = index_.lo(), span = index_.span();
  if (leader == BlockIndex::kNone) {
    const bool definite = state_[block] == static_cast<uint8_t>(Reach::kReachable);
    for (size_t i = 0; i < n; ++i) {
      if (words[i] - lo < span) markWord(words[i], definite, base + 8 * i);
    }
  } else {
    for (size_t i = 0; i < n; ++i) {
      if (words[i] - lo < span) cliqueWord(words[i], leader, base + 8 * i);
    }
  }
}

size_t Reachability::readBatch(const std::vector<uint32_t>& batch, std::vector<char>& buffer, std::vector<size_t>& offsets) {
  addresses_.clear();
  sizes_.clear();
  offsets.clear();
  size_t used = 0, taken = 0;
  for (; taken < batch.size(); ++taken) {
    const uint64_t start = index_.start(batch[taken]);
    const size_t n = static_cast<size_t>(index_.bytes(batch[taken]));
    const uint64_t end = addresses_.empty() ? 0 : addresses_.back() + sizes_.back();
    const bool merge = !addresses_.empty() && start >= end && start - end <= kMergeGap;
    const size_t grow = merge ? static_cast<size_t>(start + n - end) : n;
    if (used + grow > buffer.size() || (!merge && addresses_.size() == heap::RemoteMemory::kMaxPieces)) break;
    if (merge) {
      sizes_.back() += grow;
    } else {
      addresses_.push_back(start);
      sizes_.push_back(n);
    }
    offsets.push_back(used + grow - n);
    used += grow;
  }
  const size_t got = memory_.readRanges(addresses_.data(), sizes_.data(), addresses_.size(), buffer.data(), "heap blocks");
  if (got < used) {  // the read stopped early (a block freed and unmapped?): read the rest block by block
    for (size_t k = 0; k < taken; ++k) {
      const size_t n = static_cast<size_t>(index_.bytes(batch[k]));
      if (offsets[k] + n <= got) continue;
      const size_t one = memory_.readSome(index_.start(batch[k]), buffer.data() + offsets[k], n, "heap blocks");
      if (one < n) {
        ++unreadable_;
        std::memset(buffer.data() + offsets[k] + one, 0, n - one);
      }
    }
  }
  scanned_ += used;
  return taken;
}

void Reachability::scanLarge(uint32_t block, uint32_t leader) {
  const uint64_t base = index_.start(block), bytes = index_.bytes(block);
  for (uint64_t off = 0; off < bytes; off += buffer_.size()) {
    const size_t want = static_cast<size_t>(std::min<uint64_t>(buffer_.size(), bytes - off));
    const size_t got = memory_.readSome(base + off, buffer_.data(), want, "heap blocks");
    if (got < want) ++unreadable_;
    // The head is the block's first words: only the first window has them.
    if (off == 0) scanBlock(block, buffer_.data(), got, leader);
    else scanWords(block, reinterpret_cast<const uint64_t*>(buffer_.data()), got / 8, leader, base + off);
    scanned_ += want;
  }
  ++blocksScanned_;
  tick();
}

void Reachability::drain(uint32_t leader) {
  std::vector<uint32_t> batch;
  std::vector<size_t> offsets;  // each block's place in the buffer
  while (!stack_.empty()) {
    cancel_.check();
    if (index_.bytes(stack_.back()) > kBatchBytes) {  // a big block: alone, in windows (its own buffer would be unbounded)
      const uint32_t top = stack_.back();
      stack_.pop_back();
      scanLarge(top, leader);
      continue;
    }
    // A batch of small blocks in one system call: sorted, neighbours merged into one range.
    batch.clear();
    size_t bytes = 0;
    while (!stack_.empty() && batch.size() < kMaxBatchBlocks) {
      const uint64_t n = index_.bytes(stack_.back());
      if (n > kBatchBytes || bytes + n > kBatchBytes) break;
      batch.push_back(stack_.back());
      stack_.pop_back();
      bytes += static_cast<size_t>(n);
    }
    std::sort(batch.begin(), batch.end());  // block order is address order
    const size_t taken = readBatch(batch, buffer_, offsets);
    for (size_t k = batch.size(); k > taken; --k) stack_.push_back(batch[k - 1]);  // for the next batch
    for (size_t k = 0; k < taken; ++k) scanBlock(batch[k], buffer_.data() + offsets[k], static_cast<size_t>(index_.bytes(batch[k])), leader);
    blocksScanned_ += taken;
    tick();
  }
}

// The cliques, leader by leader in address order. The unreached blocks are read ahead in batches
// (their contents do not change): a leader that reaches nothing costs no system call of its own.
void Reachability::finish() {
  drain(BlockIndex::kNone);
  std::vector<uint32_t> ahead;
  std::vector<size_t> offsets;
  std::vector<char> leaders(kBatchBytes);  // drain() reuses buffer_ meanwhile
  const uint32_t n = static_cast<uint32_t>(index_.size());
  for (uint32_t i = 0; i < n;) {
    ahead.clear();
    size_t bytes = 0;
    for (; i < n && ahead.size() < heap::RemoteMemory::kMaxPieces; ++i) {
      if (state_[i] != static_cast<uint8_t>(Reach::kUnreached)) continue;
      const uint64_t size = index_.bytes(i);
      if (size > kBatchBytes) {
        if (!ahead.empty()) break;  // after this batch
        scanLarge(i, i);  // the leader itself; then what it reached
        drain(i);
        continue;
      }
      if (bytes + size > kBatchBytes) break;
      ahead.push_back(i);
      bytes += size;
    }
    const size_t taken = readBatch(ahead, leaders, offsets);
    if (taken < ahead.size()) i = ahead[taken];  // the rest in the next round
    for (size_t k = 0; k < taken; ++k) {
      const uint32_t b = ahead[k];
      if (state_[b] != static_cast<uint8_t>(Reach::kUnreached)) continue;  // an earlier leader took it in
      scanBlock(b, leaders.data() + offsets[k], static_cast<size_t>(index_.bytes(b)), b);
      drain(b);
    }
    blocksScanned_ += taken;
    tick();
  }
  if (progress_) progress_({total_, total_, blocksScanned_});
}

}  // namespace snapscope::procfs::leaks
