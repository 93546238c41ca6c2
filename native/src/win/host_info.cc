#include "parts.h"
#include "text.h"
#include "unique_handle.h"

namespace snapscope::win {

HostInfo windowsHostInfo() {
  wchar_t name[256];
  DWORD length = 256;
  const std::string hostname = ::GetComputerNameExW(ComputerNameDnsHostname, name, &length) ? toUtf8(name) : "";
  // node's process.arch names the architecture node was built for; the addon is built for the same.
#if defined(_M_ARM64) || defined(__aarch64__)
  const char* arch = "arm64";
#elif defined(_M_X64) || defined(__x86_64__)
  const char* arch = "x64";
#else
  const char* arch = "ia32";
#endif
  return HostInfo{"win32", hostname, arch, "win32-toolhelp"};
}

bool processIsElevated() {
  HANDLE raw = nullptr;
  if (!::OpenProcessToken(::GetCurrentProcess(), TOKEN_QUERY, &raw)) return false;
  UniqueHandle token(raw);
  TOKEN_ELEVATION elevation{};
  DWORD size = 0;
  return ::GetTokenInformation(token.get(), TokenElevation, &elevation, sizeof elevation, &size) && elevation.TokenIsElevated != 0;
}

}  // namespace snapscope::win
