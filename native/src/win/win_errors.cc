#include "win_errors.h"

#include "text.h"

namespace snapscope::win {
namespace {

struct NamedCode {
  DWORD code;
  const char* name;
};

// The codes the Tool Help, PSAPI, process and memory APIs give, plus what NTSTATUS values map to
// through RtlNtStatusToDosError.
constexpr NamedCode kNames[] = {
    {ERROR_SUCCESS, "ERROR_SUCCESS"},
    {ERROR_INVALID_FUNCTION, "ERROR_INVALID_FUNCTION"},
    {ERROR_FILE_NOT_FOUND, "ERROR_FILE_NOT_FOUND"},
    {ERROR_PATH_NOT_FOUND, "ERROR_PATH_NOT_FOUND"},
    {ERROR_ACCESS_DENIED, "ERROR_ACCESS_DENIED"},
    {ERROR_INVALID_HANDLE, "ERROR_INVALID_HANDLE"},
    {ERROR_NOT_ENOUGH_MEMORY, "ERROR_NOT_ENOUGH_MEMORY"},
    {ERROR_OUTOFMEMORY, "ERROR_OUTOFMEMORY"},
    {ERROR_NO_MORE_FILES, "ERROR_NO_MORE_FILES"},
    {ERROR_BAD_LENGTH, "ERROR_BAD_LENGTH"},
    {ERROR_GEN_FAILURE, "ERROR_GEN_FAILURE"},
    {ERROR_NOT_SUPPORTED, "ERROR_NOT_SUPPORTED"},
    {ERROR_INVALID_PARAMETER, "ERROR_INVALID_PARAMETER"},
    {ERROR_CALL_NOT_IMPLEMENTED, "ERROR_CALL_NOT_IMPLEMENTED"},
    {ERROR_INSUFFICIENT_BUFFER, "ERROR_INSUFFICIENT_BUFFER"},
    {ERROR_PROC_NOT_FOUND, "ERROR_PROC_NOT_FOUND"},
    {ERROR_MORE_DATA, "ERROR_MORE_DATA"},
    {ERROR_NO_MORE_ITEMS, "ERROR_NO_MORE_ITEMS"},
    {ERROR_PARTIAL_COPY, "ERROR_PARTIAL_COPY"},
    {ERROR_INVALID_ADDRESS, "ERROR_INVALID_ADDRESS"},
    {ERROR_NOACCESS, "ERROR_NOACCESS"},
    {ERROR_NO_TOKEN, "ERROR_NO_TOKEN"},
    {ERROR_NOT_FOUND, "ERROR_NOT_FOUND"},
    {ERROR_CANCELLED, "ERROR_CANCELLED"},
    {ERROR_PRIVILEGE_NOT_HELD, "ERROR_PRIVILEGE_NOT_HELD"},
    {ERROR_NONE_MAPPED, "ERROR_NONE_MAPPED"},
    {ERROR_TIMEOUT, "ERROR_TIMEOUT"},
    {ERROR_INVALID_STATE, "ERROR_INVALID_STATE"},
    {ERROR_MR_MID_NOT_FOUND, "ERROR_MR_MID_NOT_FOUND"},
};

// The system's text for a code (English where installed, else the user's language), without the
// trailing ".\r\n".
std::string systemText(DWORD code) {
  for (DWORD language : {static_cast<DWORD>(MAKELANGID(LANG_ENGLISH, SUBLANG_ENGLISH_US)), DWORD{0}}) {
    wchar_t* buffer = nullptr;
    const DWORD length = ::FormatMessageW(
        FORMAT_MESSAGE_ALLOCATE_BUFFER | FORMAT_MESSAGE_FROM_SYSTEM | FORMAT_MESSAGE_IGNORE_INSERTS, nullptr, code,
        language, reinterpret_cast<wchar_t*>(&buffer), 0, nullptr);
    if (length == 0) continue;
    std::string text = toUtf8(std::wstring_view(buffer, length));
    ::LocalFree(buffer);
    while (!text.empty() && (text.back() == '\n' || text.back() == '\r' || text.back() == ' ' || text.back() == '.'))
      text.pop_back();
    return text;
  }
  return {};
}

}  // namespace

std::string winErrorName(DWORD code) {
  for (const NamedCode& named : kNames)
    if (named.code == code) return named.name;
  return "ERROR_" + std::to_string(code);
}

std::string describeWinError(const std::string& what, DWORD code) {
  std::string text = systemText(code);
  return what + ": " + (text.empty() ? "error " + std::to_string(code) : text) + " (" + winErrorName(code) + ")";
}

OsError winError(DWORD code, int pid, const std::string& scope, const std::string& what) {
  return OsError(winErrorName(code), pid, scope, describeWinError(what, code));
}

}  // namespace snapscope::win
