#include "user_names.h"

#include <pwd.h>
#include <unistd.h>

#include <cerrno>
#include <vector>

namespace snapscope::procfs {

namespace {

std::string resolve(uint32_t uid) {
  long hint = ::sysconf(_SC_GETPW_R_SIZE_MAX);
  std::vector<char> buf(hint > 0 ? static_cast<std::size_t>(hint) : 4096);
  for (;;) {
    passwd entry;
    passwd* found = nullptr;
    int rc = ::getpwuid_r(static_cast<uid_t>(uid), &entry, buf.data(), buf.size(), &found);
    if (rc == ERANGE && buf.size() < (1u << 20)) {
      buf.resize(buf.size() * 2);
      continue;
    }
    if (rc == 0 && found != nullptr && found->pw_name != nullptr) return found->pw_name;
    return std::to_string(uid);
  }
}

}  // namespace

std::string UserNames::lookup(uint32_t uid) {
  std::lock_guard<std::mutex> lock(mutex_);
  auto it = names_.find(uid);
  if (it == names_.end()) it = names_.emplace(uid, resolve(uid)).first;
  return it->second;
}

}  // namespace snapscope::procfs
