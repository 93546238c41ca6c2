// The loaded images of one process, from a TH32CS_SNAPMODULE | TH32CS_SNAPMODULE32 snapshot
// (the 32-bit modules of a WOW64 process included). baseSize is the image's SizeOfImage.
#include "parts.h"
#include "text.h"
#include "win_errors.h"

namespace snapscope::win {

std::vector<ModuleInfo> readModules(const ToolhelpSnapshot& snapshot, int pid) {
  std::vector<ModuleInfo> modules;
  modules.reserve(128);
  DWORD error = snapshot.forEachModule([&](const MODULEENTRY32W& m) {
    ModuleInfo module;
    module.pid = pid;
    module.moduleName = toUtf8(m.szModule);
    module.exePath = toUtf8(m.szExePath);
    module.baseAddress = reinterpret_cast<uintptr_t>(m.modBaseAddr);
    module.baseSize = m.modBaseSize;
    modules.push_back(std::move(module));
  });
  if (error) throw winError(error, pid, "modules", "cannot list the modules of process " + std::to_string(pid));
  return modules;
}

}  // namespace snapscope::win
