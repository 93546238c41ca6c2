// memoryRegions(pid): the classified mappings of a process, read on a worker thread.
#include <climits>
#include <cmath>
#include <optional>

#include "bindings.h"

namespace snapscope {
namespace {

class RegionsWorker final : public Napi::AsyncWorker {
 public:
  RegionsWorker(Napi::Env env, std::shared_ptr<Backend> backend, int pid)
      : Napi::AsyncWorker(env, "snapscope.memoryRegions"),
        deferred_(Napi::Promise::Deferred::New(env)),
        backend_(std::move(backend)),
        pid_(pid) {}

  Napi::Promise promise() const { return deferred_.Promise(); }

 protected:
  void Execute() override {
    try {
      regions_ = backend_->memoryRegions(pid_);
    } catch (const OsError& e) {
      osError_ = e;
    } catch (const std::exception& e) {
      failure_ = e.what();
    }
  }

  void OnOK() override {
    Napi::Env env = Env();
    if (osError_) return deferred_.Reject(toJsError(env, *osError_).Value());
    if (failure_) return deferred_.Reject(Napi::Error::New(env, *failure_).Value());
    Napi::Array out = Napi::Array::New(env, regions_.size());
    for (uint32_t i = 0; i < regions_.size(); ++i) {
      const MemoryRegion& r = regions_[i];
      Napi::Object o = Napi::Object::New(env);
      o.Set("start", hexAddress(r.start));
      o.Set("end", hexAddress(r.end));
      o.Set("perms", r.perms);
      o.Set("kind", r.kind);
      o.Set("path", r.path);
      o.Set("tid", r.tid);
      out.Set(i, o);
    }
    deferred_.Resolve(out);
  }

 private:
  Napi::Promise::Deferred deferred_;
  std::shared_ptr<Backend> backend_;
  int pid_;
  std::vector<MemoryRegion> regions_;
  std::optional<OsError> osError_;
  std::optional<std::string> failure_;
};

}  // namespace

Napi::Value memoryRegionsBinding(const Napi::CallbackInfo& info, const std::shared_ptr<Backend>& backend) {
  double pid = info.Length() > 0 && info[0].IsNumber() ? info[0].As<Napi::Number>().DoubleValue() : -1;
  if (!(pid >= 0 && pid <= INT_MAX && std::floor(pid) == pid))
    throw Napi::TypeError::New(info.Env(), "memoryRegions(pid): pid must be a non-negative integer");
  auto* worker = new RegionsWorker(info.Env(), backend, static_cast<int>(pid));
  Napi::Promise promise = worker->promise();
  worker->Queue();
  return promise;
}

}  // namespace snapscope
