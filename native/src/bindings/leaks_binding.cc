// leakScan(options, onProgress?) -> {result: Promise<NativeLeakScan>, cancel(): void}
// readMemory(pid, address, length) -> Promise<Uint8Array> (a block's preview)
//
// The scan runs on one libuv pool thread from start to end (it is the thread that forks the ptrace
// helper), as heap walks do; blocks come back as columns (typed arrays), never as objects.
#include <algorithm>
#include <atomic>
#include <climits>
#include <cmath>
#include <memory>

#include "bindings.h"
#include "promise_worker.h"
#include "walk_worker.h"

namespace snapscope {
namespace {

constexpr double kMaxSafeInteger = 9007199254740991.0;
constexpr double kMaxPreview = 64 * 1024;
constexpr uint32_t kMaxReferrersOf = 64;

LeakScanRequest parseRequest(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (info.Length() < 1 || !info[0].IsObject()) throw Napi::TypeError::New(env, "leakScan(options, onProgress?): options is {pid, blocks, referrersOf}");
  Napi::Object options = info[0].As<Napi::Object>();
  LeakScanRequest request;
  request.pid = pidOption(options, "leakScan");
  Napi::Value blocks = options.Get("blocks");
  if (!blocks.IsUndefined() && !blocks.IsBoolean()) throw Napi::TypeError::New(env, "leakScan: options.blocks must be a boolean");
  request.blocks = blocks.IsBoolean() && blocks.As<Napi::Boolean>().Value();
  Napi::Value referrersOf = options.Get("referrersOf");
  if (!referrersOf.IsUndefined()) {
    const char* bad = "leakScan: options.referrersOf must be an array of at most 64 addresses (non-negative integers)";
    if (!referrersOf.IsArray() || referrersOf.As<Napi::Array>().Length() > kMaxReferrersOf) throw Napi::TypeError::New(env, bad);
    Napi::Array list = referrersOf.As<Napi::Array>();
    for (uint32_t i = 0; i < list.Length(); ++i) {
      Napi::Value v = list.Get(i);
      const double a = v.IsNumber() ? v.As<Napi::Number>().DoubleValue() : -1;
      if (!(a >= 0 && a <= kMaxSafeInteger && std::floor(a) == a)) throw Napi::TypeError::New(env, bad);
      request.referrersOf.push_back(static_cast<uint64_t>(a));
    }
  }
  return request;
}

Napi::Float64Array float64s(Napi::Env env, const std::vector<uint64_t>& values) {
  Napi::Float64Array out = Napi::Float64Array::New(env, values.size());
  for (size_t i = 0; i < values.size(); ++i) out[i] = static_cast<double>(values[i]);  // addresses < 2^47: exact
  return out;
}

Napi::Object totals(Napi::Env env, const LeakTotals& t) {
  Napi::Object o = Napi::Object::New(env);
  o.Set("blocks", static_cast<double>(t.blocks));
  o.Set("bytes", static_cast<double>(t.bytes));
  return o;
}

Napi::Object convertScan(Napi::Env env, const LeakScanResult& r, bool withBlocks) {
  Napi::Object o = Napi::Object::New(env);
  o.Set("pid", r.pid);
  o.Set("stopped", r.stopped);
  o.Set("stoppedMs", r.stoppedMs);
  Napi::Object roots = Napi::Object::New(env);
  roots.Set("threads", static_cast<double>(r.roots.threads));
  roots.Set("registers", static_cast<double>(r.roots.registers));
  roots.Set("stackBytes", static_cast<double>(r.roots.stackBytes));
  roots.Set("staticBytes", static_cast<double>(r.roots.staticBytes));
  roots.Set("otherBytes", static_cast<double>(r.roots.otherBytes));
  o.Set("roots", roots);
  Napi::Object summary = Napi::Object::New(env);
  summary.Set("definitelyLost", totals(env, r.totals[0]));
  summary.Set("indirectlyLost", totals(env, r.totals[1]));
  summary.Set("possiblyLost", totals(env, r.totals[2]));
  summary.Set("reachable", totals(env, r.totals[3]));
  o.Set("summary", summary);
  Napi::Array types = Napi::Array::New(env, r.types.size());
  for (uint32_t i = 0; i < r.types.size(); ++i) types.Set(i, r.types[i]);
  o.Set("types", types);
  Napi::Array groups = Napi::Array::New(env, r.groups.size());
  for (uint32_t i = 0; i < r.groups.size(); ++i) {
    const LeakGroup& g = r.groups[i];
    Napi::Object group = Napi::Object::New(env);
    group.Set("kind", static_cast<uint32_t>(g.kind));
    group.Set("type", g.type);
    group.Set("blockSize", static_cast<double>(g.blockSize));
    group.Set("count", static_cast<double>(g.count));
    group.Set("bytes", static_cast<double>(g.bytes));
    group.Set("examples", float64s(env, g.examples));
    groups.Set(i, group);
  }
  o.Set("groups", groups);
  if (withBlocks) {
    Napi::Object blocks = Napi::Object::New(env);
    blocks.Set("addresses", float64s(env, r.address));
    blocks.Set("sizes", float64s(env, r.size));
    Napi::Uint8Array kinds = Napi::Uint8Array::New(env, r.kind.size());
    std::copy(r.kind.begin(), r.kind.end(), kinds.Data());
    Napi::Uint32Array typeOf = Napi::Uint32Array::New(env, r.type.size());
    std::copy(r.type.begin(), r.type.end(), typeOf.Data());
    blocks.Set("kinds", kinds);
    blocks.Set("types", typeOf);
    o.Set("blocks", blocks);
  } else {
    o.Set("blocks", env.Null());
  }
  Napi::Array referrers = Napi::Array::New(env, r.referrers.size());
  for (uint32_t i = 0; i < r.referrers.size(); ++i) {
    const LeakReferrer& f = r.referrers[i];
    Napi::Object referrer = Napi::Object::New(env);
    referrer.Set("target", static_cast<double>(f.target));
    referrer.Set("from", static_cast<double>(f.from));
    referrer.Set("fromBlock", static_cast<double>(f.fromBlock));
    referrer.Set("source", kReferrerSources[static_cast<uint8_t>(f.source)]);
    referrer.Set("interior", f.interior);
    referrers.Set(i, referrer);
  }
  o.Set("referrers", referrers);
  Napi::Array errors = Napi::Array::New(env, r.errors.size());
  for (uint32_t i = 0; i < r.errors.size(); ++i) errors.Set(i, convertError(env, r.errors[i]));
  o.Set("errors", errors);
  return o;
}

Napi::Object convertLeakScan(Napi::Env env, const LeakScanResult& result, const LeakScanRequest& request) {
  return convertScan(env, result, request.blocks);
}

const WalkCalls<LeakScanRequest, LeakScanResult> kLeakScan{
    "leakScan", [](Backend& backend, const LeakScanRequest& request, const ProgressFn& progress, const std::atomic<bool>& cancel) {
      return backend.scanLeaks(request, progress, cancel);
    },
    convertLeakScan};

class ReadMemoryWorker final : public PromiseWorker<std::vector<uint8_t>> {
 public:
  ReadMemoryWorker(Napi::Env env, std::shared_ptr<Backend> backend, int pid, uint64_t address, size_t size)
      : PromiseWorker(env, "snapscope.readMemory"), backend_(std::move(backend)), pid_(pid), address_(address), size_(size) {}

 protected:
  std::vector<uint8_t> run() override { return backend_->readMemory(pid_, address_, size_); }
  Napi::Value convert(Napi::Env env, std::vector<uint8_t>& bytes) override {
    Napi::Uint8Array out = Napi::Uint8Array::New(env, bytes.size());
    std::copy(bytes.begin(), bytes.end(), out.Data());
    return out;
  }

 private:
  std::shared_ptr<Backend> backend_;
  int pid_;
  uint64_t address_;
  size_t size_;
};

}  // namespace

Napi::Value leakScanBinding(const Napi::CallbackInfo& info, const std::shared_ptr<Backend>& backend) {
  return startWalk(info, kLeakScan, backend, parseRequest(info));
}

Napi::Value readMemoryBinding(const Napi::CallbackInfo& info, const std::shared_ptr<Backend>& backend) {
  Napi::Env env = info.Env();
  const int pid = pidArgument(info, "readMemory(pid, address, length)");
  const double address = info.Length() > 1 && info[1].IsNumber() ? info[1].As<Napi::Number>().DoubleValue() : -1;
  const double length = info.Length() > 2 && info[2].IsNumber() ? info[2].As<Napi::Number>().DoubleValue() : -1;
  if (!(address >= 0 && address <= kMaxSafeInteger && std::floor(address) == address))
    throw Napi::TypeError::New(env, "readMemory: address must be a non-negative integer (a number)");
  if (!(length >= 0 && length <= kMaxPreview && std::floor(length) == length))
    throw Napi::TypeError::New(env, "readMemory: length must be an integer from 0 to 65536");
  return (new ReadMemoryWorker(env, backend, pid, static_cast<uint64_t>(address), static_cast<size_t>(length)))->start();
}

}  // namespace snapscope
