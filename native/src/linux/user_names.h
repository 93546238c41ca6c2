// uid -> user name, cached: getpwuid_r may parse /etc/passwd or ask NSS on every call, and a
// snapshot asks once per process for a handful of distinct uids.
#pragma once

#include <cstdint>
#include <mutex>
#include <string>
#include <unordered_map>

namespace snapscope::procfs {

class UserNames {
 public:
  // The user's name, or the uid as a decimal string when it has none. Thread-safe.
  std::string lookup(uint32_t uid);

 private:
  std::mutex mutex_;
  std::unordered_map<uint32_t, std::string> names_;
};

}  // namespace snapscope::procfs
