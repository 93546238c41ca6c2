// Reading another process's memory with process_vm_readv, with the failures sorted into the ones
// that end the whole call (the process is gone, no permission: thrown as OsError) and the ones that
// only mean "nothing readable there" (EFAULT, a short read: returned).
#pragma once

#include <sys/types.h>

#include <cinttypes>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <string>
#include <vector>

namespace snapscope::procfs::heap {

// "0x…" lowercase, as the data contract writes addresses (for messages and heap ids).
inline std::string hex(uint64_t value) {
  char text[19];
  std::snprintf(text, sizeof text, "0x%" PRIx64, value);
  return text;
}

class RemoteMemory {
 public:
  // `scope` and `activity` word the errors: e.g. "heap", "during the heap walk".
  RemoteMemory(int pid, std::string scope, std::string activity);

  int pid() const { return pid_; }
  const std::string& scope() const { return scope_; }

  // Reads up to `size` bytes; returns how many were read (0 when `address` is unmapped). Throws
  // OsError ESRCH when the process is gone, EPERM/EACCES when it may not be read.
  size_t readSome(uint64_t address, void* out, size_t size, const char* what) const;
  // All `size` bytes or false.
  bool read(uint64_t address, void* out, size_t size, const char* what) const {
    return readSome(address, out, size, what) == size;
  }
  bool readU64(uint64_t address, uint64_t& out, const char* what) const { return read(address, &out, 8, what); }
  // `each` bytes from each of `count` addresses (at most kMaxPieces), packed into `out`, in one
  // system call. Returns how many pieces were read in full from the first on: the read stops at
  // the first unreadable one.
  size_t readPieces(const uint64_t* addresses, size_t count, size_t each, void* out, const char* what) const;
  static constexpr size_t kMaxPieces = 1024;  // IOV_MAX
  // The bytes of `count` ranges (at most kMaxPieces), back to back into `out`, in one system call.
  // Returns the bytes read: the read stops at the first unreadable byte.
  size_t readRanges(const uint64_t* addresses, const size_t* sizes, size_t count, void* out, const char* what) const;

  // The error for "the process exited" in this call's words.
  [[noreturn]] void throwExited() const;

 private:
  // After a failed process_vm_readv: throws for a gone or forbidden process, else returns 0.
  size_t failed(uint64_t address, const char* what) const;

  int pid_;
  int task_;  // what process_vm_readv is given: the pid, or a live thread when the main one has exited
  std::string scope_;
  std::string activity_;
};

// A streaming window over one range of the target: the chunk walk reads every header through it,
// refilling a reused buffer (no per-chunk syscalls, no fresh buffers to fault in).
class ChunkWindow {
 public:
  ChunkWindow(const RemoteMemory& memory, std::vector<char>& buffer) : memory_(memory), buf_(buffer) {}

  // Reads are confined to [start, end) from now on; the window is emptied.
  void setBounds(uint64_t start, uint64_t end) {
    boundStart_ = start;
    boundEnd_ = end;
    lo_ = hi_ = 0;
  }

  // The 8 bytes at `address` (8-aligned, inside the bounds). False when they can't be read.
  bool u64(uint64_t address, uint64_t& out) {
    if (address < lo_ || address + 8 > hi_) {
      if (!refill(address, 8)) return false;
    }
    std::memcpy(&out, buf_.data() + (address - lo_), 8);
    return true;
  }

  // `size` bytes at `address`, valid until the next call. nullptr when they can't be read.
  const char* bytes(uint64_t address, size_t size) {
    if (address < lo_ || address + size > hi_) {
      if (size > buf_.size() || !refill(address, size)) return nullptr;
    }
    return buf_.data() + (address - lo_);
  }

  uint64_t bytesRead() const { return bytesRead_; }

 private:
  bool refill(uint64_t address, size_t need);

  const RemoteMemory& memory_;
  std::vector<char>& buf_;
  uint64_t boundStart_ = 0, boundEnd_ = 0;
  uint64_t lo_ = 0, hi_ = 0;
  uint64_t bytesRead_ = 0;
};

// Random 8-byte reads (free-list chains) through a small cache of 64 KiB blocks: chains of chunks
// freed one after another sit close together, so most hops cost no syscall.
class CachedReader {
 public:
  explicit CachedReader(const RemoteMemory& memory);
  bool u64(uint64_t address, uint64_t& out, const char* what);

 private:
  static constexpr uint64_t kBlock = 64 * 1024;
  static constexpr size_t kSlots = 16;
  struct Slot {
    uint64_t base = UINT64_MAX;
    size_t valid = 0;  // bytes read (a block can end at an unmapped page)
  };
  const RemoteMemory& memory_;
  std::vector<char> data_;
  Slot slots_[kSlots];
};

}  // namespace snapscope::procfs::heap
