// One dbghelp session per target process (SymInitializeW .. SymCleanup), and the modules loaded
// into it from the process's Tool Help module list. Use with dbghelpMutex() held.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "../../backend.h"
#include "../unique_handle.h"
#include "pe_image.h"
#include "result_cache.h"

namespace snapscope::win::symbols {

struct LoadedModule {
  uint64_t base = 0;
  uint64_t size = 0;
  std::string name;        // file name, UTF-8
  std::string path;        // full path, UTF-8
  std::wstring widePath;
  PeHeader header;         // timestamp and .pdata location
  bool symbols = false;    // SymLoadModuleExW took it (else: module+offset only)
  bool functionTableRead = false;
  std::vector<FunctionRange> functionTable;  // read on first need
  ImageResults* results = nullptr;            // this image's answers, set on first lookup

  bool contains(uint64_t address) const { return address - base < size; }
  const std::vector<FunctionRange>& functions(HANDLE process);
};

class Session {
 public:
  // Takes the process handle (PROCESS_QUERY_INFORMATION | PROCESS_VM_READ). Throws OsError when
  // dbghelp refuses the process.
  Session(UniqueHandle process, int pid);
  ~Session();
  Session(const Session&) = delete;
  Session& operator=(const Session&) = delete;

  HANDLE process() const { return process_.get(); }

  // Re-reads the module list (Tool Help): loads what is new, unloads what is gone. Throws OsError
  // when the process's modules can't be listed.
  void refreshModules();

  // The module holding `address`, or nullptr.
  LoadedModule* moduleAt(uint64_t address);

 private:
  void setSearchPath();

  UniqueHandle process_;
  int pid_;
  std::vector<LoadedModule> modules_;  // sorted by base
};

}  // namespace snapscope::win::symbols
