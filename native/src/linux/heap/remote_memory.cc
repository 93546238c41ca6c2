#include "remote_memory.h"

#include <sys/uio.h>

#include <algorithm>
#include <cerrno>

#include "../../backend.h"
#include "../errno_name.h"
#include "../maps.h"

namespace snapscope::procfs::heap {

RemoteMemory::RemoteMemory(int pid, std::string scope, std::string activity)
    : pid_(pid), task_(memoryTask(pid)), scope_(std::move(scope)), activity_(std::move(activity)) {}

void RemoteMemory::throwExited() const {
  throw OsError("ESRCH", pid_, scope_, "process " + std::to_string(pid_) + " exited " + activity_);
}

size_t RemoteMemory::readSome(uint64_t address, void* out, size_t size, const char* what) const {
  if (size == 0) return 0;
  iovec local{out, size};
  iovec remote{reinterpret_cast<void*>(address), size};
  ssize_t n;
  do {
    n = ::process_vm_readv(task_, &local, 1, &remote, 1, 0);
  } while (n < 0 && errno == EINTR);
  if (n >= 0) return static_cast<size_t>(n);
  return failed(address, what);
}

size_t RemoteMemory::readPieces(const uint64_t* addresses, size_t count, size_t each, void* out, const char* what) const {
  count = std::min(count, kMaxPieces);
  if (count == 0 || each == 0) return 0;
  iovec local{out, count * each};
  iovec remote[kMaxPieces];
  for (size_t i = 0; i < count; ++i) remote[i] = {reinterpret_cast<void*>(addresses[i]), each};
  ssize_t n;
  do {
    n = ::process_vm_readv(task_, &local, 1, remote, count, 0);
  } while (n < 0 && errno == EINTR);
  if (n >= 0) return static_cast<size_t>(n) / each;
  return failed(addresses[0], what);
}

size_t RemoteMemory::readRanges(const uint64_t* addresses, const size_t* sizes, size_t count, void* out, const char* what) const {
  count = std::min(count, kMaxPieces);
  if (count == 0) return 0;
  iovec remote[kMaxPieces];
  size_t total = 0;
  for (size_t i = 0; i < count; ++i) {
    remote[i] = {reinterpret_cast<void*>(addresses[i]), sizes[i]};
    total += sizes[i];
  }
  iovec local{out, total};
  ssize_t n;
  do {
    n = ::process_vm_readv(task_, &local, 1, remote, count, 0);
  } while (n < 0 && errno == EINTR);
  if (n >= 0) return static_cast<size_t>(n);
  return failed(addresses[0], what);
}

size_t RemoteMemory::failed(uint64_t address, const char* what) const {
  int err = errno;
  switch (err) {
    case ESRCH:  // gone, or a zombie (no address space left)
      throwExited();
    case EPERM:
    case EACCES:
      throw OsError(errnoName(err), pid_, scope_,
                    describeErrno("cannot read the memory of process " + std::to_string(pid_) + " (" + what + " at " +
                                      hex(address) + ")",
                                  err) +
                        "; " + accessAdvice(pid_));
    default:  // EFAULT (unmapped), ENOMEM, EIO: nothing readable there
      return 0;
  }
}

bool ChunkWindow::refill(uint64_t address, size_t need) {
  if (address < boundStart_ || address + need > boundEnd_) return false;
  // Start a little before `address` so that a walk stepping back a few bytes stays inside.
  uint64_t start = std::max(boundStart_, address & ~uint64_t{15});
  size_t size = static_cast<size_t>(std::min<uint64_t>(buf_.size(), boundEnd_ - start));
  size_t got = memory_.readSome(start, buf_.data(), size, "heap chunks");
  bytesRead_ += got;
  lo_ = start;
  hi_ = start + got;
  return address >= lo_ && address + need <= hi_;
}

CachedReader::CachedReader(const RemoteMemory& memory) : memory_(memory), data_(kBlock * kSlots) {}

bool CachedReader::u64(uint64_t address, uint64_t& out, const char* what) {
  if (address & 7) return false;
  uint64_t base = address & ~(kBlock - 1);
  Slot& slot = slots_[(base / kBlock) % kSlots];
  char* block = data_.data() + ((base / kBlock) % kSlots) * kBlock;
  if (slot.base != base) {
    slot.base = base;
    slot.valid = memory_.readSome(base, block, kBlock, what);
    if (slot.valid == 0) {
      // The block may begin with an unmapped page while `address` is mapped: read just the word.
      slot.base = UINT64_MAX;
      return memory_.readU64(address, out, what);
    }
  }
  uint64_t offset = address - base;
  if (offset + 8 > slot.valid) return memory_.readU64(address, out, what);
  std::memcpy(&out, block + offset, 8);
  return true;
}

}  // namespace snapscope::procfs::heap
