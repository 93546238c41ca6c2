// The ntdll entry points the backend needs beyond the documented Win32 API, resolved once with
// GetProcAddress (none is in the import table, so the addon loads wherever kernel32 does), and
// Wine detection: Wine exports unimplemented functions as stubs that kill the caller, so code
// paths that would reach one ask runningUnderWine() first.
#pragma once

#include <cstdint>
#include <string>

#include "win32.h"

namespace snapscope::win::nt {

using NTSTATUS = LONG;
constexpr NTSTATUS kStatusSuccess = 0;

// NtQueryInformationProcess / NtQueryInformationThread classes used here.
constexpr ULONG kProcessBasicInformation = 0;
constexpr ULONG kProcessVmCounters = 3;
constexpr ULONG kProcessCommandLineInformation = 60;  // Windows 8.1+; not in Wine 8
constexpr ULONG kThreadBasicInformation = 0;

struct ProcessBasicInformation {
  NTSTATUS exitStatus;
  PVOID pebBaseAddress;
  ULONG_PTR affinityMask;
  LONG basePriority;
  ULONG_PTR uniqueProcessId;
  ULONG_PTR inheritedFromUniqueProcessId;
};

// VM_COUNTERS_EX, the process's memory counters (GetProcessMemoryInfo copies all but the virtual sizes
// into PROCESS_MEMORY_COUNTERS_EX).
struct VmCountersEx {
  SIZE_T peakVirtualSize;
  SIZE_T virtualSize;
  ULONG pageFaultCount;
  SIZE_T peakWorkingSetSize;
  SIZE_T workingSetSize;
  SIZE_T quotaPeakPagedPoolUsage;
  SIZE_T quotaPagedPoolUsage;
  SIZE_T quotaPeakNonPagedPoolUsage;
  SIZE_T quotaNonPagedPoolUsage;
  SIZE_T pagefileUsage;
  SIZE_T peakPagefileUsage;
  SIZE_T privateUsage;
};

struct ThreadBasicInformation {
  NTSTATUS exitStatus;
  PVOID tebBaseAddress;
  HANDLE uniqueProcess, uniqueThread;
  ULONG_PTR affinityMask;
  LONG priority;
  LONG basePriority;
};

struct UnicodeString {
  USHORT length;         // bytes, without a terminator
  USHORT maximumLength;
  PWSTR buffer;
};

using NtQueryInformationProcessFn = NTSTATUS(NTAPI*)(HANDLE, ULONG, PVOID, ULONG, PULONG);
using NtQueryInformationThreadFn = NTSTATUS(NTAPI*)(HANDLE, ULONG, PVOID, ULONG, PULONG);
using RtlNtStatusToDosErrorFn = ULONG(NTAPI*)(NTSTATUS);
using RtlCreateQueryDebugBufferFn = PVOID(NTAPI*)(ULONG maximumCommit, BOOLEAN useEventPair);
using RtlQueryProcessDebugInformationFn = NTSTATUS(NTAPI*)(HANDLE processId, ULONG flags, PVOID buffer);
using RtlDestroyQueryDebugBufferFn = NTSTATUS(NTAPI*)(PVOID buffer);
using WineGetVersionFn = const char*(__cdecl*)();

// Any of these may be null (older Windows, Wine).
struct Ntdll {
  NtQueryInformationProcessFn queryInformationProcess = nullptr;
  NtQueryInformationThreadFn queryInformationThread = nullptr;
  RtlNtStatusToDosErrorFn statusToDosError = nullptr;
  RtlCreateQueryDebugBufferFn createQueryDebugBuffer = nullptr;
  RtlQueryProcessDebugInformationFn queryProcessDebugInformation = nullptr;
  RtlDestroyQueryDebugBufferFn destroyQueryDebugBuffer = nullptr;
  WineGetVersionFn wineGetVersion = nullptr;
};

const Ntdll& ntdll();

// ntdll exports wine_get_version only under Wine.
bool runningUnderWine();
std::string wineVersion();  // "" on Windows

// An NTSTATUS as the Win32 code it corresponds to (ERROR_MR_MID_NOT_FOUND when it has none).
DWORD statusToWin32(NTSTATUS status);

}  // namespace snapscope::win::nt
