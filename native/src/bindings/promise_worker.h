// The shape every promise-returning binding shares: work on a libuv pool thread (never on the JS
// thread), then settle a promise on the JS thread. An OsError rejects with its code, pid and scope;
// any other failure, including one while converting the result, rejects with a plain Error —
// nothing escapes to crash the process.
#pragma once

#include <napi.h>

#include <optional>
#include <string>

#include "bindings.h"

namespace snapscope {

template <typename Result>
class PromiseWorker : public Napi::AsyncWorker {
 public:
  Napi::Promise promise() const { return deferred_.Promise(); }

  /** Queues the work and hands back its promise; the worker deletes itself once the promise settles. */
  Napi::Promise start() {
    Napi::Promise settled = promise();
    Queue();
    return settled;
  }

 protected:
  PromiseWorker(Napi::Env env, const char* name)
      : Napi::AsyncWorker(env, name), deferred_(Napi::Promise::Deferred::New(env)), name_(name) {}

  virtual Result run() = 0;                                   // pool thread: no N-API here
  virtual Napi::Value convert(Napi::Env env, Result& result) = 0;  // JS thread
  virtual void afterRun() {}                                  // pool thread, on every path
  virtual void beforeSettle() {}                              // JS thread, before the promise settles

 private:
  void Execute() final {
    try {
      result_ = run();
    } catch (const OsError& e) {
      osError_ = e;
    } catch (const std::exception& e) {
      failure_ = e.what();
    } catch (...) {
      failure_ = std::string("unknown native error in ") + name_;
    }
    afterRun();
  }

  // Errors are settled here rather than through SetError so that an OsError keeps its fields.
  void OnOK() final {
    beforeSettle();
    Napi::Env env = Env();
    try {
      if (osError_) {
        deferred_.Reject(toJsError(env, *osError_).Value());
      } else if (failure_) {
        deferred_.Reject(Napi::Error::New(env, *failure_).Value());
      } else {
        deferred_.Resolve(convert(env, result_));
      }
    } catch (const Napi::Error& e) {
      deferred_.Reject(e.Value());
    } catch (const std::exception& e) {
      deferred_.Reject(Napi::Error::New(env, e.what()).Value());
    }
  }

  Napi::Promise::Deferred deferred_;
  const char* name_;
  Result result_{};
  std::optional<OsError> osError_;
  std::optional<std::string> failure_;
};

}  // namespace snapscope
