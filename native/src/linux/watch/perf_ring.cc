#include "perf_ring.h"

#include <sys/mman.h>
#include <unistd.h>

#include <cerrno>
#include <string>

namespace snapscope::procfs::watch {

PerfRing::PerfRing(Fd fd, size_t dataBytes) : fd_(std::move(fd)) {
  const size_t page = static_cast<size_t>(::sysconf(_SC_PAGESIZE));
  const size_t length = page + dataBytes;
  // PROT_WRITE: a writable mapping is what tells the kernel we move data_tail (no overwriting).
  void* address = ::mmap(nullptr, length, PROT_READ | PROT_WRITE, MAP_SHARED, fd_.get(), 0);
  if (address == MAP_FAILED) {
    throwSys(errno, "mmap of a " + std::to_string(dataBytes / 1024) + " KiB perf ring");
  }
  mapping_ = Mapping(address, length);
  meta_ = static_cast<perf_event_mmap_page*>(address);
  // data_offset/data_size exist since Linux 4.1; before that the data follows the first page.
  const size_t offset = meta_->data_offset ? static_cast<size_t>(meta_->data_offset) : page;
  size_ = meta_->data_size ? static_cast<size_t>(meta_->data_size) : dataBytes;
  data_ = static_cast<const unsigned char*>(address) + offset;
}

void PerfRing::copyOut(uint64_t position, void* to, size_t length) const noexcept {
  const size_t offset = static_cast<size_t>(position & (size_ - 1));
  const size_t first = length < size_ - offset ? length : size_ - offset;
  std::memcpy(to, data_ + offset, first);
  if (first < length) std::memcpy(static_cast<unsigned char*>(to) + first, data_, length - first);
}

}  // namespace snapscope::procfs::watch
