// The shape of the long walks' bindings (heapWalk, leakScan): `binding(options, onProgress?)` returns
// {result: Promise, cancel()}. The walk runs on one libuv pool thread from start to end (it is the
// thread that forks the ptrace helper); progress goes through WalkProgressPoster; cancel() sets the
// flag the walk checks, and the promise then rejects with code ECANCELED.
#pragma once

#include <napi.h>

#include <atomic>
#include <memory>

#include "promise_worker.h"
#include "walk_progress.h"

namespace snapscope {

template <typename Request, typename Result>
struct WalkCalls {
  const char* name;  // "heapWalk": names the worker and the progress function
  Result (*run)(Backend& backend, const Request& request, const ProgressFn& progress, const std::atomic<bool>& cancel);
  Napi::Object (*convert)(Napi::Env env, const Result& result, const Request& request);
};

template <typename Request, typename Result>
class WalkWorker final : public PromiseWorker<Result> {
 public:
  WalkWorker(Napi::Env env, const WalkCalls<Request, Result>& calls, std::shared_ptr<Backend> backend, Request request,
             std::shared_ptr<std::atomic<bool>> cancel, Napi::Value onProgress)
      : PromiseWorker<Result>(env, calls.name),
        calls_(calls),
        backend_(std::move(backend)),
        request_(std::move(request)),
        cancel_(std::move(cancel)),
        progress_(env, onProgress, calls.name) {}

 protected:
  Result run() override { return calls_.run(*backend_, request_, progress_.fn(), *cancel_); }
  void afterRun() override { progress_.release(); }      // no more calls from this thread
  void beforeSettle() override { progress_.settle(); }   // progress still queued is not delivered after the result
  Napi::Value convert(Napi::Env env, Result& result) override {
    Napi::Object converted = calls_.convert(env, result, request_);
    result = Result();  // the blocks can be large: let go of them now
    return converted;
  }

 private:
  const WalkCalls<Request, Result>& calls_;
  std::shared_ptr<Backend> backend_;
  Request request_;
  std::shared_ptr<std::atomic<bool>> cancel_;
  WalkProgressPoster progress_;
};

// Starts the walk of `request` (already parsed: bad options threw synchronously) and returns its handle.
template <typename Request, typename Result>
Napi::Object startWalk(const Napi::CallbackInfo& info, const WalkCalls<Request, Result>& calls, const std::shared_ptr<Backend>& backend,
                       Request request) {
  Napi::Env env = info.Env();
  auto cancel = std::make_shared<std::atomic<bool>>(false);
  Napi::Object handle = Napi::Object::New(env);
  handle.Set("cancel", Napi::Function::New(env, [cancel](const Napi::CallbackInfo&) { cancel->store(true); }, "cancel"));
  auto* worker = new WalkWorker<Request, Result>(env, calls, backend, std::move(request), cancel, info.Length() > 1 ? info[1] : env.Undefined());
  handle.Set("result", worker->start());
  return handle;
}

}  // namespace snapscope
