// heapWalk(options, onProgress?) -> {result: Promise<NativeHeapWalkResult>, cancel(): void}
//
// The walk runs on one libuv pool thread from start to end (with stopTarget it is the ptrace
// tracer, so it must be a single thread). Progress reaches onProgress through a thread-safe
// function, at most ~10 times a second; cancel() sets a flag the walk checks every 64 k blocks,
// and the promise then rejects with code ECANCELED.
#include <atomic>
#include <chrono>
#include <climits>
#include <cmath>
#include <memory>
#include <optional>

#include "bindings.h"
#include "walk_worker.h"

namespace snapscope {
namespace {

constexpr double kMaxSafeInteger = 9007199254740991.0;  // 2^53 - 1

const char* const kUsage = "heapWalk(options, onProgress?): options is {pid, heapId, offset, limit, stopTarget}";

double requireCount(const Napi::Object& options, const char* name, double fallback, bool allowInfinity) {
  Napi::Value value = options.Get(name);
  if (value.IsUndefined()) return fallback;
  double number = value.IsNumber() ? value.As<Napi::Number>().DoubleValue() : -1;
  if (allowInfinity && number == INFINITY) return number;
  if (!(number >= 0 && number <= kMaxSafeInteger && std::floor(number) == number)) {
    throw Napi::TypeError::New(options.Env(), std::string("heapWalk: options.") + name + " must be a non-negative integer" +
                                                  (allowInfinity ? " (or Infinity)" : ""));
  }
  return number;
}

HeapWalkRequest parseRequest(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (info.Length() < 1 || !info[0].IsObject()) throw Napi::TypeError::New(env, kUsage);
  Napi::Object options = info[0].As<Napi::Object>();
  HeapWalkRequest request;

  request.pid = pidOption(options, "heapWalk");

  Napi::Value heapId = options.Get("heapId");
  if (heapId.IsString()) {
    request.heapId = heapId.As<Napi::String>().Utf8Value();
    if (request.heapId.empty() || request.heapId.size() > 64)
      throw Napi::TypeError::New(env, "heapWalk: options.heapId must be a heap's id (\"0x…\" or \"mmapped\") or null");
  } else if (!heapId.IsNull() && !heapId.IsUndefined()) {
    throw Napi::TypeError::New(env, "heapWalk: options.heapId must be a string or null");
  }

  request.offset = static_cast<uint64_t>(requireCount(options, "offset", 0, false));
  double limit = requireCount(options, "limit", INFINITY, true);
  request.limit = limit >= kMaxSafeInteger ? UINT64_MAX : static_cast<uint64_t>(limit);

  Napi::Value stop = options.Get("stopTarget");
  if (!stop.IsUndefined() && !stop.IsBoolean()) throw Napi::TypeError::New(env, "heapWalk: options.stopTarget must be a boolean");
  request.stopTarget = stop.IsBoolean() && stop.As<Napi::Boolean>().Value();
  return request;
}

Napi::Object convertWalk(Napi::Env env, const HeapWalk& walk) {
  const size_t n = walk.blocks.size();
  Napi::Float64Array addresses = Napi::Float64Array::New(env, n);
  Napi::Float64Array sizes = Napi::Float64Array::New(env, n);
  Napi::Uint8Array flags = Napi::Uint8Array::New(env, n);
  double* a = addresses.Data();
  double* s = sizes.Data();
  uint8_t* f = flags.Data();
  for (size_t i = 0; i < n; ++i) {
    const HeapBlock& b = walk.blocks[i];
    a[i] = static_cast<double>(b.address);  // user-space addresses are < 2^47: exact
    s[i] = static_cast<double>(b.size);
    f[i] = static_cast<uint8_t>(b.flag);
  }

  const HeapSummary& sum = walk.summary;
  Napi::Array histogram = Napi::Array::New(env, sum.histogram.size());
  for (uint32_t i = 0; i < sum.histogram.size(); ++i) {
    const HistogramBucket& h = sum.histogram[i];
    Napi::Object bucket = Napi::Object::New(env);
    bucket.Set("minSize", static_cast<double>(h.minSize));
    bucket.Set("maxSize", static_cast<double>(h.maxSize));
    bucket.Set("count", static_cast<double>(h.count));
    bucket.Set("bytes", static_cast<double>(h.bytes));
    histogram.Set(i, bucket);
  }
  Napi::Object summary = Napi::Object::New(env);
  summary.Set("blockCount", static_cast<double>(sum.blockCount));
  summary.Set("usedBlocks", static_cast<double>(sum.usedBlocks));
  summary.Set("usedBytes", static_cast<double>(sum.usedBytes));
  summary.Set("freeBlocks", static_cast<double>(sum.freeBlocks));
  summary.Set("freeBytes", static_cast<double>(sum.freeBytes));
  summary.Set("histogram", histogram);

  Napi::Object o = Napi::Object::New(env);
  o.Set("heapId", walk.heapId);
  o.Set("kind", walk.kind);
  o.Set("addresses", addresses);
  o.Set("sizes", sizes);
  o.Set("flags", flags);
  o.Set("summary", summary);
  o.Set("truncated", walk.truncated);
  return o;
}

Napi::Object convertResult(Napi::Env env, const HeapWalkResult& result) {
  Napi::Array heaps = Napi::Array::New(env, result.heaps.size());
  for (uint32_t i = 0; i < result.heaps.size(); ++i) heaps.Set(i, convertWalk(env, result.heaps[i]));
  Napi::Array errors = Napi::Array::New(env, result.errors.size());
  for (uint32_t i = 0; i < result.errors.size(); ++i) errors.Set(i, convertError(env, result.errors[i]));
  Napi::Object o = Napi::Object::New(env);
  o.Set("pid", result.pid);
  o.Set("heaps", heaps);
  o.Set("stopped", result.stopped);
  o.Set("errors", errors);
  return o;
}

Napi::Object convertWalkResult(Napi::Env env, const HeapWalkResult& result, const HeapWalkRequest&) { return convertResult(env, result); }

const WalkCalls<HeapWalkRequest, HeapWalkResult> kHeapWalk{
    "heapWalk", [](Backend& backend, const HeapWalkRequest& request, const ProgressFn& progress, const std::atomic<bool>& cancel) {
      return backend.walkHeaps(request, progress, cancel);
    },
    convertWalkResult};

}  // namespace

Napi::Object convertError(Napi::Env env, const SnapshotErrorInfo& e) {
  Napi::Object o = Napi::Object::New(env);
  o.Set("pid", e.pid);
  o.Set("scope", e.scope);
  o.Set("code", e.code);
  o.Set("message", e.message);
  return o;
}

Napi::Value heapWalkBinding(const Napi::CallbackInfo& info, const std::shared_ptr<Backend>& backend) {
  return startWalk(info, kHeapWalk, backend, parseRequest(info));
}

}  // namespace snapscope
