// One perf_event fd and the ring buffer mapped from it (1 metadata page + 2^n data pages), with a
// reader that follows the kernel's protocol: data_head loaded with acquire, records copied out
// (including the ones that wrap around the end of the ring), then data_tail stored with release so
// the kernel may reuse the space.
#pragma once

#include <linux/perf_event.h>

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <vector>

#include "../fd.h"
#include "watch_util.h"

namespace snapscope::procfs::watch {

class PerfRing {
 public:
  // Maps `dataBytes` of ring (a power-of-two number of pages) for the event `fd`.
  // Throws SysError (mmap's errno: EPERM or ENOMEM when over RLIMIT_MEMLOCK / perf_event_mlock_kb).
  PerfRing(Fd fd, size_t dataBytes);

  int fd() const noexcept { return fd_.get(); }
  size_t dataBytes() const noexcept { return size_; }

  // Hands every complete record between data_tail and data_head to
  // `sink(const perf_event_header& header, const unsigned char* record)`, where `record` points at
  // header.size contiguous bytes (a copy when the record wraps), then frees the space.
  // Returns false when the ring held a malformed header (the rest of it was skipped).
  template <typename Sink>
  bool drain(Sink&& sink);

 private:
  void copyOut(uint64_t position, void* to, size_t length) const noexcept;

  Fd fd_;
  Mapping mapping_;
  perf_event_mmap_page* meta_ = nullptr;
  const unsigned char* data_ = nullptr;
  size_t size_ = 0;  // bytes of data area: a power of two
  std::vector<unsigned char> scratch_;
};

template <typename Sink>
bool PerfRing::drain(Sink&& sink) {
  const uint64_t head = __atomic_load_n(&meta_->data_head, __ATOMIC_ACQUIRE);
  uint64_t tail = meta_->data_tail;  // only this reader writes it
  bool wellFormed = true;
  while (tail != head) {
    const uint64_t available = head - tail;
    perf_event_header header;
    if (available < sizeof header) {
      wellFormed = false;
      break;
    }
    copyOut(tail, &header, sizeof header);
    if (header.size < sizeof header || header.size > available) {
      wellFormed = false;
      break;
    }
    const size_t offset = static_cast<size_t>(tail & (size_ - 1));
    const unsigned char* record;
    if (offset + header.size <= size_) {
      record = data_ + offset;
    } else {
      scratch_.resize(header.size);
      copyOut(tail, scratch_.data(), header.size);
      record = scratch_.data();
    }
    sink(header, record);
    tail += header.size;
  }
  if (!wellFormed) tail = head;  // never seen in practice; skipping beats re-reading garbage forever
  __atomic_store_n(&meta_->data_tail, tail, __ATOMIC_RELEASE);
  return wellFormed;
}

}  // namespace snapscope::procfs::watch
