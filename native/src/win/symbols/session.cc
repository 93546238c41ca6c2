#include "session.h"

#include <algorithm>
#include <set>

#include "../text.h"
#include "../toolhelp_snapshot.h"
#include "../win_errors.h"
#include "dbghelp_api.h"

namespace snapscope::win::symbols {

const std::vector<FunctionRange>& LoadedModule::functions(HANDLE process) {
  if (!functionTableRead) {
    functionTable = readFunctionTable(process, base, header);
    functionTableRead = true;
  }
  return functionTable;
}

Session::Session(UniqueHandle process, int pid) : process_(std::move(process)), pid_(pid) {
  configureDbghelp();
  // fInvadeProcess FALSE: the modules are loaded from the Tool Help list, with their paths. The
  // search path is set to the modules' own folders once they are known (setSearchPath).
  if (!::SymInitializeW(process_.get(), L"", FALSE))
    throw winError(::GetLastError(), pid, "symbols", "cannot start dbghelp for process " + std::to_string(pid));
}

Session::~Session() { ::SymCleanup(process_.get()); }

void Session::refreshModules() {
  ToolhelpSnapshot snapshot;
  DWORD error = snapshot.open(TH32CS_SNAPMODULE | TH32CS_SNAPMODULE32, static_cast<DWORD>(pid_));
  std::vector<LoadedModule> listed;
  if (!error) error = snapshot.forEachModule([&](const MODULEENTRY32W& m) {
    LoadedModule module;
    module.base = reinterpret_cast<uintptr_t>(m.modBaseAddr);
    module.size = m.modBaseSize;
    module.name = toUtf8(m.szModule);
    module.widePath = m.szExePath;
    module.path = toUtf8(m.szExePath);
    listed.push_back(std::move(module));
  });
  if (error)
    throw winError(error, pid_, "symbols", "cannot list the modules of process " + std::to_string(pid_));
  std::sort(listed.begin(), listed.end(), [](const LoadedModule& a, const LoadedModule& b) { return a.base < b.base; });

  // An image is the same one when its path, base and size are: then what dbghelp and this session
  // learnt about it is kept.
  const auto same = [](const LoadedModule& a, const LoadedModule& b) {
    return a.base == b.base && a.size == b.size && a.widePath == b.widePath;
  };
  for (const LoadedModule& old : modules_) {
    const bool kept = std::any_of(listed.begin(), listed.end(), [&](const LoadedModule& m) { return same(m, old); });
    if (!kept && old.symbols) ::SymUnloadModule64(process_.get(), old.base);
  }
  for (LoadedModule& module : listed) {
    auto old = std::find_if(modules_.begin(), modules_.end(), [&](const LoadedModule& m) { return same(m, module); });
    if (old != modules_.end()) {
      module = std::move(*old);
      continue;
    }
    readPeHeader(process_.get(), module.base, module.header);
    // Deferred: this only records the module; its symbols are read on the first lookup in it.
    ::SetLastError(ERROR_SUCCESS);
    module.symbols = ::SymLoadModuleExW(process_.get(), nullptr, module.widePath.c_str(), nullptr, module.base,
                                        static_cast<DWORD>(module.size), nullptr, 0) != 0 ||
                     ::GetLastError() == ERROR_SUCCESS;  // 0 and ERROR_SUCCESS: it was loaded already
  }
  modules_ = std::move(listed);
  setSearchPath();
}

// A PDB next to its image is found; no other folder is searched, and no symbol server.
void Session::setSearchPath() {
  std::set<std::wstring> dirs;
  std::wstring path;
  for (const LoadedModule& m : modules_) {
    const size_t slash = m.widePath.find_last_of(L"\\/");
    if (slash == std::wstring::npos) continue;
    std::wstring dir = m.widePath.substr(0, slash);
    if (!dirs.insert(dir).second) continue;
    if (!path.empty()) path += L';';
    path += dir;
  }
  ::SymSetSearchPathW(process_.get(), path.c_str());
}

LoadedModule* Session::moduleAt(uint64_t address) {
  auto after = std::upper_bound(modules_.begin(), modules_.end(), address,
                                [](uint64_t a, const LoadedModule& m) { return a < m.base; });
  if (after == modules_.begin()) return nullptr;
  LoadedModule& m = *(after - 1);
  return m.contains(address) ? &m : nullptr;
}

}  // namespace snapscope::win::symbols
