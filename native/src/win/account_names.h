// User names for SIDs, cached: LookupAccountSid may ask the LSA (or a domain controller) and is by
// far the slowest call of a snapshot, while a machine has only a handful of distinct users.
#pragma once

#include <cstdint>
#include <mutex>
#include <string>
#include <unordered_map>

#include "win32.h"

namespace snapscope::win {

struct Account {
  std::string name;   // "DOMAIN\\user", or the SID ("S-1-5-…") when it has no name
  uint32_t rid = 0;   // the SID's last sub-authority (500 Administrator, 18 SYSTEM, 1001 …): the uid analogue
};

// Shared by concurrent snapshots; guarded inside.
class AccountNames {
 public:
  Account lookup(PSID sid);

 private:
  std::mutex mutex_;
  std::unordered_map<std::string, Account> cache_;  // by SID string
};

}  // namespace snapscope::win
