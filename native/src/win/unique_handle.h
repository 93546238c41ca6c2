// RAII for kernel HANDLEs: every handle the backend opens is closed on every path, exceptions
// included (a Tool Help snapshot that is not closed leaks until the process exits).
#pragma once

#include <utility>

#include "win32.h"

namespace snapscope::win {

class UniqueHandle {
 public:
  UniqueHandle() = default;
  // Takes ownership. Both failure values of the API (NULL from OpenProcess, INVALID_HANDLE_VALUE
  // from CreateToolhelp32Snapshot) make an empty handle. Never wrap GetCurrentProcess(): its
  // pseudo-handle has the value of INVALID_HANDLE_VALUE and must not be closed anyway.
  explicit UniqueHandle(HANDLE handle) noexcept : handle_(isValid(handle) ? handle : nullptr) {}
  UniqueHandle(UniqueHandle&& other) noexcept : handle_(std::exchange(other.handle_, nullptr)) {}
  UniqueHandle& operator=(UniqueHandle&& other) noexcept {
    if (this != &other) reset(std::exchange(other.handle_, nullptr));
    return *this;
  }
  UniqueHandle(const UniqueHandle&) = delete;
  UniqueHandle& operator=(const UniqueHandle&) = delete;
  ~UniqueHandle() { reset(); }

  HANDLE get() const noexcept { return handle_; }
  explicit operator bool() const noexcept { return handle_ != nullptr; }

  void reset(HANDLE handle = nullptr) noexcept {
    if (handle_ != nullptr) ::CloseHandle(handle_);
    handle_ = isValid(handle) ? handle : nullptr;
  }

  static bool isValid(HANDLE handle) noexcept { return handle != nullptr && handle != INVALID_HANDLE_VALUE; }

 private:
  HANDLE handle_ = nullptr;
};

}  // namespace snapscope::win
