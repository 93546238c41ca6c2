// memoryRegions(pid): the classified mappings of a process, read on a worker thread.
#include "promise_worker.h"

namespace snapscope {
namespace {

class RegionsWorker final : public PromiseWorker<std::vector<MemoryRegion>> {
 public:
  RegionsWorker(Napi::Env env, std::shared_ptr<Backend> backend, int pid)
      : PromiseWorker(env, "snapscope.memoryRegions"), backend_(std::move(backend)), pid_(pid) {}

 protected:
  std::vector<MemoryRegion> run() override { return backend_->memoryRegions(pid_); }

  Napi::Value convert(Napi::Env env, std::vector<MemoryRegion>& regions) override {
    Napi::Array out = Napi::Array::New(env, regions.size());
    for (uint32_t i = 0; i < regions.size(); ++i) {
      const MemoryRegion& r = regions[i];
      Napi::Object o = Napi::Object::New(env);
      o.Set("start", hexAddress(r.start));
      o.Set("end", hexAddress(r.end));
      o.Set("perms", r.perms);
      o.Set("kind", r.kind);
      o.Set("path", r.path);
      o.Set("tid", r.tid);
      out.Set(i, o);
    }
    return out;
  }

 private:
  std::shared_ptr<Backend> backend_;
  int pid_;
};

}  // namespace

Napi::Value memoryRegionsBinding(const Napi::CallbackInfo& info, const std::shared_ptr<Backend>& backend) {
  return (new RegionsWorker(info.Env(), backend, pidArgument(info, "memoryRegions(pid)")))->start();
}

}  // namespace snapscope
