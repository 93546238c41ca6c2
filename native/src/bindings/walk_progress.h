// Progress of a long native walk (heap walk, leak scan) to a JS callback: through a thread-safe
// function, at most one call per kInterval, none after the result has settled.
#pragma once

#include <napi.h>

#include <atomic>
#include <chrono>
#include <memory>
#include <optional>

#include "../backend.h"

namespace snapscope {

class WalkProgressPoster {
 public:
  static constexpr auto kInterval = std::chrono::milliseconds(100);

  // `callback` may be undefined/null (no progress); anything else but a function is a TypeError.
  WalkProgressPoster(Napi::Env env, Napi::Value callback, const char* name) : settled_(std::make_shared<std::atomic<bool>>(false)) {
    if (callback.IsUndefined() || callback.IsNull()) return;
    if (!callback.IsFunction()) throw Napi::TypeError::New(env, std::string(name) + ": onProgress must be a function");
    tsfn_ = Napi::ThreadSafeFunction::New(env, callback.As<Napi::Function>(), std::string(name) + ".progress", 4 /* queued calls at most */,
                                          1 /* the worker */);
  }

  // A ProgressFn for the backend (empty without a callback). Worker thread only.
  ProgressFn fn() {
    if (!tsfn_) return {};
    return [this](const WalkProgress& p) { post(p); };
  }
  void release() {  // worker thread, when the work is over
    if (tsfn_) tsfn_->Release();
  }
  void settle() { settled_->store(true); }  // JS thread: progress still queued is dropped

 private:
  void post(const WalkProgress& p) {
    const auto now = std::chrono::steady_clock::now();
    if (posted_ && now - lastPost_ < kInterval) return;
    auto* data = new WalkProgress(p);
    napi_status status = tsfn_->NonBlockingCall(data, [settled = settled_](Napi::Env env, Napi::Function callback, WalkProgress* raw) {
      std::unique_ptr<WalkProgress> owned(raw);
      if (env == nullptr || settled->load()) return;
      Napi::Object o = Napi::Object::New(env);
      o.Set("scannedBytes", static_cast<double>(owned->scannedBytes));
      o.Set("totalBytes", static_cast<double>(owned->totalBytes));
      o.Set("blocks", static_cast<double>(owned->blocks));
      try {
        callback.Call({o});
      } catch (const Napi::Error&) {
        // A throwing onProgress must not take the process down; the walk goes on.
      }
    });
    if (status != napi_ok) {
      delete data;  // queue full (the JS thread is busy): this update is dropped
      return;
    }
    posted_ = true;
    lastPost_ = now;
  }

  std::optional<Napi::ThreadSafeFunction> tsfn_;
  std::shared_ptr<std::atomic<bool>> settled_;
  bool posted_ = false;
  std::chrono::steady_clock::time_point lastPost_;
};

}  // namespace snapscope
