// The working-set watch: InitializeProcessForWsWatch once, then GetWsChangesEx polled. The system
// keeps one record buffer per process; each call empties it, and when it fills up new faults are
// only counted (the terminating record's lost count), so poll() drains often, in short slices.
#include <algorithm>
#include <chrono>
#include <cstring>

#include "ntdll.h"
#include "parts.h"
#include "process_handle.h"
#include "win_errors.h"
#include "ws_records.h"

namespace snapscope::win {
namespace {

constexpr const char* kMechanism = "psapi-ws-watch";
constexpr size_t kDefaultBufferBytes = 1 << 20;  // 32 Ki records
constexpr size_t kMinBufferBytes = 64 << 10;
constexpr size_t kMaxBufferBytes = 64 << 20;
constexpr DWORD kSliceMs = 5;  // how long the system buffer fills unattended while poll() waits

// The documented prototype. mingw-w64's psapi.h declares the third parameter as a DWORD instead of
// a PDWORD, so the function is taken from kernel32 by name (K32*: PSAPI version 2, Windows 7+).
using GetWsChangesExFn = BOOL(WINAPI*)(HANDLE process, PPSAPI_WS_WATCH_INFORMATION_EX records, PDWORD bytes);

class PsapiWsWatch final : public WsWatch {
 public:
  PsapiWsWatch(int pid, UniqueHandle process, UniqueHandle stopEvent, GetWsChangesExFn getChanges, size_t bufferBytes)
      : pid_(pid),
        process_(std::move(process)),
        stop_(std::move(stopEvent)),
        getChanges_(getChanges),
        buffer_(bufferBytes),
        start_(std::chrono::steady_clock::now()) {}

  std::string mechanism() const override { return kMechanism; }

  bool poll(std::vector<FaultRecord>& out, uint64_t& lost, int timeoutMs) override {
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(std::max(timeoutMs, 0));
    for (;;) {
      const size_t before = out.size();
      const uint64_t lostBefore = lost;
      if (DWORD error = drain(out, lost))
        throw winError(error, pid_, "watch", "GetWsChangesEx(process " + std::to_string(pid_) + ")");
      if (out.size() != before || lost != lostBefore) return true;

      const auto left =
          std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
      const HANDLE waits[2] = {stop_.get(), process_.get()};
      const DWORD slice = static_cast<DWORD>(std::clamp<long long>(left.count(), 0, kSliceMs));
      const DWORD woken = ::WaitForMultipleObjects(2, waits, FALSE, slice);
      if (woken == WAIT_OBJECT_0 || woken == WAIT_OBJECT_0 + 1) {
        drain(out, lost);  // what was recorded before the stop or the exit; a failure now changes nothing
        return false;
      }
      if (woken == WAIT_FAILED) throw winError(::GetLastError(), pid_, "watch", "WaitForMultipleObjects");
      if (left.count() <= 0) return true;
    }
  }

  void stop() override { ::SetEvent(stop_.get()); }

 private:
  // Empties the system's buffer into `out`. Returns 0 or a Win32 code.
  DWORD drain(std::vector<FaultRecord>& out, uint64_t& lost) {
    for (;;) {
      // Records of the previous call must not be read again if this one writes fewer.
      std::memset(buffer_.data(), 0, used_);
      DWORD bytes = static_cast<DWORD>(buffer_.size());
      if (getChanges_(process_.get(), reinterpret_cast<PPSAPI_WS_WATCH_INFORMATION_EX>(buffer_.data()), &bytes)) {
        const WsParse parse = parseWsChanges(buffer_.data(), buffer_.size(), elapsedMs(), out);
        used_ = parse.bytesUsed;
        lost += parse.lost;
        if (!parse.terminated) grow(buffer_.size() * 2);  // filled to the brim: room for the next burst
        return 0;
      }
      const DWORD error = ::GetLastError();
      // The records did not fit and the buffer came back empty: grow it and ask again.
      if (error == ERROR_INSUFFICIENT_BUFFER && buffer_.size() < kMaxBufferBytes) {
        grow(std::max<size_t>(bytes, buffer_.size() * 2));
        continue;
      }
      // Nothing new, or another thread's query was emptying the buffer at the same moment.
      if (error == ERROR_NO_MORE_ITEMS) return 0;
      return error;
    }
  }

  void grow(size_t bytes) {
    buffer_.assign(std::min(bytes, kMaxBufferBytes), 0);
    used_ = 0;
  }

  double elapsedMs() const {
    return std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start_).count();
  }

  const int pid_;
  UniqueHandle process_;
  UniqueHandle stop_;  // manual-reset: once stopped, every later poll returns at once
  GetWsChangesExFn getChanges_;
  std::vector<unsigned char> buffer_;
  size_t used_ = 0;
  std::chrono::steady_clock::time_point start_;
};

}  // namespace

std::unique_ptr<WsWatch> startWatch(const WatchRequest& request) {
  const int pid = request.pid;
  const std::string id = std::to_string(pid);
  if (request.mechanism != "auto" && request.mechanism != kMechanism) {
    throw OsError(winErrorName(ERROR_NOT_SUPPORTED), pid, "watch",
                  "mechanism \"" + request.mechanism + "\" is not available on Windows (it has " + kMechanism + ")");
  }
  UniqueHandle process = openProcess(pid, PROCESS_QUERY_INFORMATION | SYNCHRONIZE, "watch");
  if (nt::runningUnderWine()) {
    // Never called under Wine: its GetWsChangesEx is unimplemented (ERROR_CALL_NOT_IMPLEMENTED).
    throw OsError(winErrorName(ERROR_CALL_NOT_IMPLEMENTED), pid, "watch",
                  "the working-set watch needs InitializeProcessForWsWatch and GetWsChangesEx, which Wine " +
                      nt::wineVersion() + " does not implement (ERROR_CALL_NOT_IMPLEMENTED)");
  }
  auto getChanges = reinterpret_cast<GetWsChangesExFn>(
      reinterpret_cast<void*>(::GetProcAddress(::GetModuleHandleW(L"kernel32.dll"), "K32GetWsChangesEx")));
  if (!getChanges)
    throw winError(ERROR_PROC_NOT_FOUND, pid, "watch", "kernel32 has no K32GetWsChangesEx (Windows 7 or later needed)");
  // Starts recording and empties what an earlier watch of this process left behind.
  if (!::InitializeProcessForWsWatch(process.get()))
    throw winError(::GetLastError(), pid, "watch", "InitializeProcessForWsWatch(process " + id + ")");
  UniqueHandle stopEvent(::CreateEventW(nullptr, TRUE, FALSE, nullptr));
  if (!stopEvent) throw winError(::GetLastError(), pid, "watch", "CreateEvent");
  const size_t bytes = request.ringBytes ? std::clamp<uint64_t>(request.ringBytes, kMinBufferBytes, kMaxBufferBytes)
                                         : kDefaultBufferBytes;
  return std::make_unique<PsapiWsWatch>(pid, std::move(process), std::move(stopEvent), getChanges, bytes);
}

}  // namespace snapscope::win
