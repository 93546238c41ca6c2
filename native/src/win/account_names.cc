#include "account_names.h"

#include <sddl.h>

#include "text.h"

namespace snapscope::win {
namespace {

std::string sidString(PSID sid) {
  wchar_t* text = nullptr;
  if (!::ConvertSidToStringSidW(sid, &text)) return {};
  std::string out = toUtf8(text);
  ::LocalFree(text);
  return out;
}

Account resolve(PSID sid, const std::string& fallback) {
  Account account;
  const UCHAR count = *::GetSidSubAuthorityCount(sid);
  if (count > 0) account.rid = *::GetSidSubAuthority(sid, count - 1);
  wchar_t name[256], domain[256];
  DWORD nameLength = 256, domainLength = 256;
  SID_NAME_USE use;
  if (::LookupAccountSidW(nullptr, sid, name, &nameLength, domain, &domainLength, &use)) {
    account.name = domainLength ? toUtf8(domain) + "\\" + toUtf8(name) : toUtf8(name);
  } else {
    account.name = fallback;  // ERROR_NONE_MAPPED: a SID without a name, like a uid without a passwd entry
  }
  return account;
}

}  // namespace

Account AccountNames::lookup(PSID sid) {
  const std::string key = sidString(sid);
  {
    std::lock_guard<std::mutex> lock(mutex_);
    auto found = cache_.find(key);
    if (found != cache_.end()) return found->second;
  }
  Account account = resolve(sid, key);  // outside the lock: it may take a while
  std::lock_guard<std::mutex> lock(mutex_);
  return cache_.emplace(key, std::move(account)).first->second;
}

}  // namespace snapscope::win
