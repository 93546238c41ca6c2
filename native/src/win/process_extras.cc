// What Tool Help does not say about a process: its image path, command line, user, start time and
// memory counters. Each needs the process opened; each failure becomes one entry in `errors` and
// the process stays listed with what Tool Help gave.
#include <atomic>
#include <vector>

#include "command_line.h"
#include "ntdll.h"
#include "parts.h"
#include "text.h"
#include "unique_handle.h"
#include "win_errors.h"

namespace snapscope::win {
namespace {

constexpr nt::NTSTATUS kStatusInvalidInfoClass = static_cast<nt::NTSTATUS>(0xC0000003);
constexpr nt::NTSTATUS kStatusNotImplemented = static_cast<nt::NTSTATUS>(0xC0000002);
constexpr nt::NTSTATUS kStatusInfoLengthMismatch = static_cast<nt::NTSTATUS>(0xC0000004);

// The process the kernel itself runs in (pid 4 on every Windows since XP) has no image file and no
// command line: not an error, as kernel threads on Linux.
constexpr int kSystemPid = 4;

// Windows 8.1 answers ProcessCommandLineInformation; Wine and older Windows do not, and then the
// PEB route is taken for every process without asking again.
std::atomic<bool> commandLineClassMissing{false};

// FILETIME (100 ns ticks since 1601) -> ms since the Unix epoch.
double unixMs(const FILETIME& time) {
  const uint64_t ticks = (static_cast<uint64_t>(time.dwHighDateTime) << 32) | time.dwLowDateTime;
  constexpr uint64_t kEpochDelta = 116444736000000000ULL;  // 1601-01-01 -> 1970-01-01 in ticks
  return ticks < kEpochDelta ? 0 : static_cast<double>(ticks - kEpochDelta) / 10000.0;
}

class ExtrasReader {
 public:
  ExtrasReader(ProcessInfo& info, AccountNames& accounts, std::vector<SnapshotErrorInfo>& errors)
      : info_(info), accounts_(accounts), errors_(errors), pid_(static_cast<DWORD>(info.pid)) {}

  void run() {
    // PROCESS_QUERY_LIMITED_INFORMATION is granted for nearly every process, protected ones included.
    UniqueHandle process(::OpenProcess(PROCESS_QUERY_LIMITED_INFORMATION, FALSE, pid_));
    if (!process) {
      const DWORD error = ::GetLastError();
      if (error == ERROR_INVALID_PARAMETER)
        return fail("process", error, "process " + id() + " exited during the snapshot; its details are missing");
      return fail("process", error,
                  describeWinError("cannot open process " + id() + " (its path, command line, user, start time "
                                   "and memory counters are missing)", error));
    }
    if (info_.pid != kSystemPid) {
      readImagePath(process.get());
      readCommandLine(process.get());
    }
    readUser(process.get());
    readTimes(process.get());
    readMemory(process.get());
  }

 private:
  void readImagePath(HANDLE process) {
    // MAX_PATH-sized first; long paths (up to 32767 characters) get a second call.
    for (DWORD capacity : {DWORD{MAX_PATH + 1}, DWORD{32768}}) {
      std::vector<wchar_t> path(capacity);
      DWORD length = capacity;
      if (::QueryFullProcessImageNameW(process, 0, path.data(), &length)) {
        info_.exePath = toUtf8(std::wstring_view(path.data(), length));
        return;
      }
      const DWORD error = ::GetLastError();
      if (error != ERROR_INSUFFICIENT_BUFFER || capacity == 32768)
        return fail("exePath", error, describeWinError("cannot read the image path of process " + id(), error));
    }
  }

  void readCommandLine(HANDLE process) {
    std::wstring line;
    nt::NTSTATUS status = nt::kStatusSuccess;
    if (!commandLineClassMissing.load(std::memory_order_relaxed)) {
      status = commandLineByQuery(process, line);
      if (status == kStatusInvalidInfoClass || status == kStatusNotImplemented) {
        commandLineClassMissing.store(true, std::memory_order_relaxed);
      }
    }
    if (commandLineClassMissing.load(std::memory_order_relaxed)) {
      DWORD error = commandLineFromPeb(line);
      if (error)
        return fail("cmdline", error, describeWinError("cannot read the command line of process " + id(), error));
    } else if (status != nt::kStatusSuccess) {
      const DWORD error = nt::statusToWin32(status);
      return fail("cmdline", error, describeWinError("cannot read the command line of process " + id(), error));
    }
    info_.cmdline = splitCommandLine(line);
  }

  // NtQueryInformationProcess(ProcessCommandLineInformation): a UNICODE_STRING followed by its text.
  static nt::NTSTATUS commandLineByQuery(HANDLE process, std::wstring& line) {
    auto query = nt::ntdll().queryInformationProcess;
    if (!query) return kStatusNotImplemented;
    std::vector<unsigned char> buffer(1024);
    for (;;) {
      ULONG needed = 0;
      nt::NTSTATUS status = query(process, nt::kProcessCommandLineInformation, buffer.data(),
                                  static_cast<ULONG>(buffer.size()), &needed);
      if (status == kStatusInfoLengthMismatch && needed > buffer.size()) {
        buffer.resize(needed);
        continue;
      }
      if (status != nt::kStatusSuccess) return status;
      const auto* text = reinterpret_cast<const nt::UnicodeString*>(buffer.data());
      line.assign(text->buffer, text->length / sizeof(wchar_t));
      return status;
    }
  }

  // The command line as the process's PEB holds it: PEB.ProcessParameters->CommandLine. Needs
  // PROCESS_VM_READ, so a handle of its own. Returns 0 or a Win32 code.
  DWORD commandLineFromPeb(std::wstring& line) {
    UniqueHandle process(::OpenProcess(PROCESS_QUERY_LIMITED_INFORMATION | PROCESS_VM_READ, FALSE, pid_));
    if (!process) return ::GetLastError();
    auto query = nt::ntdll().queryInformationProcess;
    if (!query) return ERROR_PROC_NOT_FOUND;
    nt::ProcessBasicInformation basic{};
    nt::NTSTATUS status = query(process.get(), nt::kProcessBasicInformation, &basic, sizeof basic, nullptr);
    if (status != nt::kStatusSuccess) return nt::statusToWin32(status);
    if (!basic.pebBaseAddress) return ERROR_PARTIAL_COPY;  // not started yet
    // Offsets of the native layout (this addon is built for the machine's own word size):
    // PEB.ProcessParameters, RTL_USER_PROCESS_PARAMETERS.CommandLine.
    constexpr size_t kParametersOffset = sizeof(void*) == 8 ? 0x20 : 0x10;
    constexpr size_t kCommandLineOffset = sizeof(void*) == 8 ? 0x70 : 0x40;
    const auto* peb = static_cast<const unsigned char*>(basic.pebBaseAddress);
    const unsigned char* parameters = nullptr;
    if (!read(process.get(), peb + kParametersOffset, &parameters, sizeof parameters)) return ::GetLastError();
    if (!parameters) return ERROR_PARTIAL_COPY;
    nt::UnicodeString text{};
    if (!read(process.get(), parameters + kCommandLineOffset, &text, sizeof text)) return ::GetLastError();
    line.resize(text.length / sizeof(wchar_t));
    if (!line.empty() && !read(process.get(), text.buffer, line.data(), line.size() * sizeof(wchar_t)))
      return ::GetLastError();
    return 0;
  }

  static bool read(HANDLE process, const void* address, void* out, size_t bytes) {
    SIZE_T done = 0;
    if (!::ReadProcessMemory(process, address, out, bytes, &done)) return false;
    if (done == bytes) return true;
    ::SetLastError(ERROR_PARTIAL_COPY);
    return false;
  }

  void readUser(HANDLE process) {
    HANDLE rawToken = nullptr;
    if (!::OpenProcessToken(process, TOKEN_QUERY, &rawToken)) return failUser(::GetLastError());
    UniqueHandle token(rawToken);
    alignas(TOKEN_USER) unsigned char buffer[sizeof(TOKEN_USER) + SECURITY_MAX_SID_SIZE];
    DWORD length = 0;
    if (!::GetTokenInformation(token.get(), TokenUser, buffer, sizeof buffer, &length))
      return failUser(::GetLastError());
    const Account account = accounts_.lookup(reinterpret_cast<TOKEN_USER*>(buffer)->User.Sid);
    info_.user = account.name;
    info_.uid = account.rid;
  }

  void failUser(DWORD error) {
    fail("process", error, describeWinError("cannot read the user of process " + id(), error));
  }

  void readTimes(HANDLE process) {
    FILETIME created, exited, kernel, user;
    if (::GetProcessTimes(process, &created, &exited, &kernel, &user)) {
      info_.startTimeMs = unixMs(created);
    } else {
      const DWORD error = ::GetLastError();
      fail("process", error, describeWinError("cannot read the start time of process " + id(), error));
    }
  }

  void readMemory(HANDLE process) {
    PROCESS_MEMORY_COUNTERS counters{};
    counters.cb = sizeof counters;
    if (::GetProcessMemoryInfo(process, &counters, sizeof counters)) {
      info_.workingSetBytes = counters.WorkingSetSize;
      info_.pageFaultCount = counters.PageFaultCount;
    } else {
      const DWORD error = ::GetLastError();
      fail("process", error, describeWinError("cannot read the memory counters of process " + id(), error));
    }
  }

  void fail(const char* scope, DWORD error, std::string message) {
    errors_.push_back(SnapshotErrorInfo{info_.pid, scope, winErrorName(error), std::move(message)});
  }

  std::string id() const { return std::to_string(info_.pid); }

  ProcessInfo& info_;
  AccountNames& accounts_;
  std::vector<SnapshotErrorInfo>& errors_;
  DWORD pid_;
};

}  // namespace

void readProcessExtras(ProcessInfo& info, AccountNames& accounts, std::vector<SnapshotErrorInfo>& errors) {
  if (info.pid == 0) return;  // the System Idle Process: a placeholder for idle CPU time, nothing to open
  ExtrasReader(info, accounts, errors).run();
}

}  // namespace snapscope::win
