// RAII file descriptors and a getdents64 directory reader: every fd is closed on every path,
// and every fd is O_CLOEXEC so a fork+exec elsewhere in the app never inherits one.
#pragma once

#include <dirent.h>
#include <fcntl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>
#include <cstddef>
#include <utility>
#include <vector>

namespace snapscope::procfs {

class Fd {
 public:
  Fd() = default;
  explicit Fd(int fd) noexcept : fd_(fd) {}
  Fd(Fd&& other) noexcept : fd_(std::exchange(other.fd_, -1)) {}
  Fd& operator=(Fd&& other) noexcept {
    if (this != &other) {
      reset();
      fd_ = std::exchange(other.fd_, -1);
    }
    return *this;
  }
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;
  ~Fd() { reset(); }

  int get() const noexcept { return fd_; }
  explicit operator bool() const noexcept { return fd_ >= 0; }

  // Hands the fd to a new owner (a library that closes it itself).
  int release() noexcept { return std::exchange(fd_, -1); }

  void reset() noexcept {
    if (fd_ >= 0) {
      // Never retry close on EINTR: on Linux the fd is released either way.
      ::close(fd_);
      fd_ = -1;
    }
  }

 private:
  int fd_ = -1;
};

// openat that always sets O_CLOEXEC. On failure the Fd is empty and errno is set.
inline Fd openAt(int dirfd, const char* path, int flags) {
  int fd;
  do {
    fd = ::openat(dirfd, path, flags | O_CLOEXEC);
  } while (fd < 0 && errno == EINTR);
  return Fd(fd);
}

// Lists a directory with getdents64 into a caller-owned buffer. Unlike opendir/readdir it allocates
// nothing per directory, and the caller keeps owning the fd. The raw syscall (not glibc's wrapper,
// added in 2.30) keeps the addon loadable on older distributions.
class DirReader {
 public:
  DirReader(int dirfd, std::vector<char>& buffer) noexcept : fd_(dirfd), buf_(buffer) {}

  // The next entry's name (including "." and ".."), or nullptr at the end or on error (see error()).
  const char* next() noexcept {
    while (pos_ >= len_) {
      long n = ::syscall(SYS_getdents64, fd_, buf_.data(), buf_.size());
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) {
        error_ = n < 0 ? errno : 0;
        return nullptr;
      }
      len_ = static_cast<std::size_t>(n);
      pos_ = 0;
    }
    auto* entry = reinterpret_cast<const struct dirent64*>(buf_.data() + pos_);
    pos_ += entry->d_reclen;
    return entry->d_name;
  }

  int error() const noexcept { return error_; }

 private:
  int fd_;
  std::vector<char>& buf_;
  std::size_t pos_ = 0;
  std::size_t len_ = 0;
  int error_ = 0;
};

}  // namespace snapscope::procfs
