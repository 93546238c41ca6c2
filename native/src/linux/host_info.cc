#include "host_info.h"

#include <sys/utsname.h>
#include <unistd.h>

#include <climits>

namespace snapscope::procfs {

namespace {

// node's process.arch is the architecture node was built for; the addon is built for the same one.
std::string nodeArch() {
#if defined(__x86_64__)
  return "x64";
#elif defined(__aarch64__)
  return "arm64";
#elif defined(__i386__)
  return "ia32";
#elif defined(__arm__)
  return "arm";
#elif defined(__riscv) && __riscv_xlen == 64
  return "riscv64";
#else
  utsname names{};
  return ::uname(&names) == 0 ? names.machine : "unknown";
#endif
}

}  // namespace

HostInfo linuxHostInfo() {
  char name[HOST_NAME_MAX + 1] = {};
  if (::gethostname(name, sizeof name - 1) != 0) name[0] = '\0';
  return HostInfo{"linux", name, nodeArch(), "linux-procfs"};
}

}  // namespace snapscope::procfs
