// The JS-facing functions beyond the snapshot, one file each under bindings/; addon.cc registers them.
#pragma once

#include <napi.h>

#include <cinttypes>
#include <climits>
#include <cmath>
#include <cstdio>
#include <memory>
#include <string>

#include "../backend.h"

namespace snapscope {

// "0x…" lowercase hex, as the data contract writes addresses.
inline std::string hexAddress(uint64_t value) {
  char text[19];
  std::snprintf(text, sizeof text, "0x%" PRIx64, value);
  return text;
}

// info[0] as a pid; a TypeError naming `call` ("memoryRegions(pid)") when it is no non-negative integer.
inline int pidArgument(const Napi::CallbackInfo& info, const char* call) {
  double pid = info.Length() > 0 && info[0].IsNumber() ? info[0].As<Napi::Number>().DoubleValue() : -1;
  if (!(pid >= 0 && pid <= INT_MAX && std::floor(pid) == pid))
    throw Napi::TypeError::New(info.Env(), std::string(call) + ": pid must be a non-negative integer");
  return static_cast<int>(pid);
}

// options[name] as a number in [min, max] (an integer when asked), `fallback` when absent; a TypeError
// saying the range otherwise.
inline double optionalNumber(const Napi::Object& options, const char* name, double fallback, double min, double max,
                      bool integer) {
  Napi::Value value = options.Get(name);
  if (value.IsUndefined() || value.IsNull()) return fallback;
  double number = value.IsNumber() ? value.As<Napi::Number>().DoubleValue() : NAN;
  if (!(number >= min && number <= max) || (integer && std::floor(number) != number)) {
    throw Napi::TypeError::New(options.Env(), std::string("options.") + name + " must be a number from " +
                                                  std::to_string(static_cast<long long>(min)) + " to " +
                                                  std::to_string(static_cast<long long>(max)));
  }
  return number;
}

// options.pid of a call's options object; a TypeError "<call>: options.pid must be …" otherwise.
inline int pidOption(const Napi::Object& options, const char* call) {
  Napi::Value pid = options.Get("pid");
  double value = pid.IsNumber() ? pid.As<Napi::Number>().DoubleValue() : -1;
  if (!(value >= 0 && value <= INT_MAX && std::floor(value) == value))
    throw Napi::TypeError::New(options.Env(), std::string(call) + ": options.pid must be a non-negative integer");
  return static_cast<int>(value);
}

// A whole-call failure as a JS Error carrying the OS code, the pid (null when none) and the scope.
Napi::Error toJsError(Napi::Env env, const OsError& error);

// One entry of a result's `errors` (heap_binding.cc).
Napi::Object convertError(Napi::Env env, const SnapshotErrorInfo& e);

// memoryRegions(pid) -> Promise<[{start, end, perms, kind, path, tid}]> (regions_binding.cc)
Napi::Value memoryRegionsBinding(const Napi::CallbackInfo& info, const std::shared_ptr<Backend>& backend);

// processMemory(pid) -> Promise<{pid, workingSetBytes?, privateBytes?, peakWorkingSetBytes?, virtualBytes?}>
// (memory_binding.cc)
Napi::Value processMemoryBinding(const Napi::CallbackInfo& info, const std::shared_ptr<Backend>& backend);

// memoryMap(pid) -> Promise<NativeMemoryMap>: the regions as columns (memory_map_binding.cc)
Napi::Value memoryMapBinding(const Napi::CallbackInfo& info, const std::shared_ptr<Backend>& backend);

// heapWalk(options, onProgress?) -> {result: Promise<…>, cancel(): void} (heap_binding.cc)
Napi::Value heapWalkBinding(const Napi::CallbackInfo& info, const std::shared_ptr<Backend>& backend);

// leakScan(options, onProgress?) -> {result: Promise<…>, cancel(): void}; readMemory(pid, address, length)
// -> Promise<Uint8Array> (leaks_binding.cc)
Napi::Value leakScanBinding(const Napi::CallbackInfo& info, const std::shared_ptr<Backend>& backend);
Napi::Value readMemoryBinding(const Napi::CallbackInfo& info, const std::shared_ptr<Backend>& backend);

// startWatch(options, onBatch, onEnd) -> {mechanism, stop(): void} (watch_binding.cc)
Napi::Value startWatchBinding(const Napi::CallbackInfo& info, const std::shared_ptr<Backend>& backend);

// startAllocTrace(options, onBatch, onEnd) -> {mechanism, stop(): void} (allocs_binding.cc)
Napi::Value startAllocTraceBinding(const Napi::CallbackInfo& info, const std::shared_ptr<Backend>& backend);

// symbolize(pid, BigUint64Array) -> Promise<NativeSymbolBatch> (symbols_binding.cc)
Napi::Value symbolizeBinding(const Napi::CallbackInfo& info, const std::shared_ptr<Backend>& backend);

}  // namespace snapscope
