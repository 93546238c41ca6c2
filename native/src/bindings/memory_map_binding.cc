// memoryMap(pid): every region of a process's address space with its resident, private and swapped
// bytes, read on a worker thread and handed over as columns (tens of thousands of regions make as
// many objects otherwise); each distinct path and perms string once.
#include <unordered_map>

#include "promise_worker.h"

namespace snapscope {
namespace {

class MemoryMapWorker final : public PromiseWorker<MemoryMap> {
 public:
  MemoryMapWorker(Napi::Env env, std::shared_ptr<Backend> backend, int pid)
      : PromiseWorker(env, "snapscope.memoryMap"), backend_(std::move(backend)), pid_(pid) {}

 protected:
  MemoryMap run() override { return backend_->memoryMap(pid_); }

  Napi::Value convert(Napi::Env env, MemoryMap& map) override {
    const size_t n = map.regions.size();
    auto start = Napi::BigUint64Array::New(env, n), end = Napi::BigUint64Array::New(env, n);
    auto resident = Napi::Float64Array::New(env, n), priv = Napi::Float64Array::New(env, n), swap = Napi::Float64Array::New(env, n);
    auto kind = Napi::Uint8Array::New(env, n);
    auto path = Napi::Uint32Array::New(env, n), perms = Napi::Uint32Array::New(env, n);
    Napi::Array strings = Napi::Array::New(env);
    std::unordered_map<std::string, uint32_t> index;
    const auto intern = [&](const std::string& text) {
      auto [slot, added] = index.emplace(text, static_cast<uint32_t>(index.size()));
      if (added) strings.Set(slot->second, text);
      return slot->second;
    };
    for (size_t i = 0; i < n; ++i) {
      const MemoryMapRegion& r = map.regions[i];
      start[i] = r.start;
      end[i] = r.end;
      resident[i] = static_cast<double>(r.residentBytes);
      priv[i] = static_cast<double>(r.privateBytes);
      swap[i] = static_cast<double>(r.swapBytes);
      kind[i] = static_cast<uint8_t>(r.kind);
      path[i] = intern(r.path);
      perms[i] = intern(r.perms);
    }
    Napi::Object o = Napi::Object::New(env);
    o.Set("pid", map.pid);
    o.Set("strings", strings);
    o.Set("start", start);
    o.Set("end", end);
    o.Set("kind", kind);
    o.Set("perms", perms);
    o.Set("path", path);
    o.Set("residentBytes", resident);
    o.Set("privateBytes", priv);
    o.Set("swapBytes", swap);
    return o;
  }

 private:
  std::shared_ptr<Backend> backend_;
  int pid_;
};

}  // namespace

Napi::Value memoryMapBinding(const Napi::CallbackInfo& info, const std::shared_ptr<Backend>& backend) {
  return (new MemoryMapWorker(info.Env(), backend, pidArgument(info, "memoryMap(pid)")))->start();
}

}  // namespace snapscope
