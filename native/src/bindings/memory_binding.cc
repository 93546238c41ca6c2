// processMemory(pid): private bytes, peak working set and virtual size of one process, read on a
// worker thread. A figure the OS does not have for the process is left out of the object.
#include "promise_worker.h"

namespace snapscope {
namespace {

class MemoryWorker final : public PromiseWorker<ProcessMemory> {
 public:
  MemoryWorker(Napi::Env env, std::shared_ptr<Backend> backend, int pid)
      : PromiseWorker(env, "snapscope.processMemory"), backend_(std::move(backend)), pid_(pid) {}

 protected:
  ProcessMemory run() override { return backend_->processMemory(pid_); }

  Napi::Value convert(Napi::Env env, ProcessMemory& memory) override {
    Napi::Object o = Napi::Object::New(env);
    o.Set("pid", memory.pid);
    const auto set = [&](const char* name, const std::optional<uint64_t>& value) {
      if (value) o.Set(name, static_cast<double>(*value));
    };
    set("workingSetBytes", memory.workingSetBytes);
    set("privateBytes", memory.privateBytes);
    set("peakWorkingSetBytes", memory.peakWorkingSetBytes);
    set("virtualBytes", memory.virtualBytes);
    return o;
  }

 private:
  std::shared_ptr<Backend> backend_;
  int pid_;
};

}  // namespace

Napi::Value processMemoryBinding(const Napi::CallbackInfo& info, const std::shared_ptr<Backend>& backend) {
  return (new MemoryWorker(info.Env(), backend, pidArgument(info, "processMemory(pid)")))->start();
}

}  // namespace snapscope
