// WindowsBackend::symbolize: one dbghelp session per process (kept for the next call), module+offset
// for every address in a module, names where dbghelp and the image's function table prove them.
#include "../parts.h"
#include "dbghelp_api.h"
#include "describe.h"
#include "result_cache.h"
#include "session_cache.h"

namespace snapscope::win {

std::vector<SymbolInfo> symbolize(int pid, const std::vector<uint64_t>& addresses) {
  using namespace symbols;
  // Never destroyed: at exit that would run SymCleanup from DllMain, under the loader lock; the
  // process's end frees them.
  static SessionCache& sessions = *new SessionCache;
  static ResultCache& results = *new ResultCache;
  std::lock_guard<std::mutex> lock(dbghelpMutex());
  bool fresh = false;
  Session& session = sessions.get(pid, fresh);
  if (fresh) session.refreshModules();
  bool refreshed = fresh;  // the module list is re-read at most once per call, on the first miss
  std::vector<SymbolInfo> out(addresses.size());
  for (size_t i = 0; i < addresses.size(); ++i) {
    const uint64_t address = addresses[i];
    LoadedModule* module = session.moduleAt(address);
    if (!module && !refreshed) {
      session.refreshModules();  // loaded since the list was read?
      refreshed = true;
      module = session.moduleAt(address);
    }
    SymbolInfo& info = out[i];
    if (module) {
      const uint64_t offset = address - module->base;
      if (!module->results) module->results = &results.image(module->path, module->header.timeDateStamp, module->size);
      auto cached = module->results->find(offset);
      if (cached != module->results->end()) {
        info = cached->second;
      } else {
        describe(session, *module, address, info);
        results.store(*module->results, offset, info);
      }
      info.module = module->name;
      info.modulePath = module->path;
      info.moduleOffset = offset;
    }
    info.address = address;
  }
  return out;
}

}  // namespace snapscope::win
