#include "ntdll.h"

namespace snapscope::win::nt {
namespace {

template <typename Fn>
void resolve(HMODULE module, const char* name, Fn& fn) {
  fn = reinterpret_cast<Fn>(reinterpret_cast<void*>(::GetProcAddress(module, name)));
}

Ntdll load() {
  Ntdll api;
  // ntdll is mapped into every process before any other module: no LoadLibrary, nothing to free.
  HMODULE module = ::GetModuleHandleW(L"ntdll.dll");
  if (!module) return api;
  resolve(module, "NtQueryInformationProcess", api.queryInformationProcess);
  resolve(module, "NtQueryInformationThread", api.queryInformationThread);
  resolve(module, "RtlNtStatusToDosError", api.statusToDosError);
  resolve(module, "RtlCreateQueryDebugBuffer", api.createQueryDebugBuffer);
  resolve(module, "RtlQueryProcessDebugInformation", api.queryProcessDebugInformation);
  resolve(module, "RtlDestroyQueryDebugBuffer", api.destroyQueryDebugBuffer);
  resolve(module, "wine_get_version", api.wineGetVersion);
  return api;
}

}  // namespace

const Ntdll& ntdll() {
  static const Ntdll api = load();  // thread-safe initialisation (C++11 statics)
  return api;
}

bool runningUnderWine() { return ntdll().wineGetVersion != nullptr; }

std::string wineVersion() {
  const char* version = runningUnderWine() ? ntdll().wineGetVersion() : nullptr;
  return version ? version : "";
}

DWORD statusToWin32(NTSTATUS status) {
  return ntdll().statusToDosError ? ntdll().statusToDosError(status) : ERROR_MR_MID_NOT_FOUND;
}

}  // namespace snapscope::win::nt
