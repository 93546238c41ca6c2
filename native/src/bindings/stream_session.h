// What the streaming bindings (startWatch, startAllocTrace) share: a native source polled on a worker
// thread, batches handed to JS through one thread-safe function with at most one call in flight,
// exactly one onEnd after the last batch, and an env cleanup hook that stops and joins the worker at
// teardown. A session class derives from StreamSession<Self, Source> and gives run() (the worker's
// loop) and deliver(env) (the JS side of one call); the life cycle is here, once.
//
// Lifetime: a running session keeps node's event loop alive (the thread-safe function is ref'd) until
// it is stopped or its source ends, whether or not the JS handle is still referenced. When the
// environment goes away anyway (process exit, a worker_thread terminated, Electron quitting), the
// cleanup hook stops the source and joins the worker so teardown never races with it.
#pragma once

#include <napi.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <climits>
#include <cmath>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <system_error>
#include <thread>

#include "bindings.h"

namespace snapscope {

// How a stream ended: "stopped" | "target-exited" | "error" (with the OS code and a message).
struct StreamEnd {
  std::string reason;
  std::string code;
  std::string message;
};

// {reason, code?, message?} for onEnd.
inline Napi::Object endObject(Napi::Env env, const StreamEnd& end) {
  Napi::Object info = Napi::Object::New(env);
  info.Set("reason", end.reason);
  if (end.reason == "error") {
    info.Set("code", end.code);
    info.Set("message", end.message);
  }
  return info;
}

// The worker's rhythm: how long a poll may wait for the next batch to be due, and whether it is due
// (then the next one is a period from now).
class BatchClock {
 public:
  explicit BatchClock(double batchMs)
      : period_(std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double, std::milli>(batchMs))),
        due_(Clock::now() + period_) {}

  int waitMs() const {
    const auto now = Clock::now();
    const auto ms = now >= due_ ? 0 : std::chrono::ceil<std::chrono::milliseconds>(due_ - now).count();
    return static_cast<int>(std::min<long long>(ms, INT_MAX));
  }

  bool takeDue() {
    const auto now = Clock::now();
    if (now < due_) return false;
    due_ = now + period_;
    return true;
  }

 private:
  using Clock = std::chrono::steady_clock;
  Clock::duration period_;
  Clock::time_point due_;
};

// The options every stream takes: {pid, batchMs?}; a TypeError naming `call` for bad arguments.
struct StreamOptions {
  Napi::Object options;
  int pid = 0;
  double batchMs = 0;
};

inline StreamOptions parseStreamOptions(const Napi::CallbackInfo& info, const char* call, double defaultBatchMs) {
  Napi::Env env = info.Env();
  if (info.Length() < 3 || !info[0].IsObject() || !info[1].IsFunction() || !info[2].IsFunction()) {
    throw Napi::TypeError::New(env, std::string(call) + ": options must be an object and onBatch, onEnd functions");
  }
  StreamOptions parsed;
  parsed.options = info[0].As<Napi::Object>();
  Napi::Value pid = parsed.options.Get("pid");
  const double pidNumber = pid.IsNumber() ? pid.As<Napi::Number>().DoubleValue() : NAN;
  if (!(pidNumber >= 1 && pidNumber <= INT_MAX) || std::floor(pidNumber) != pidNumber) {
    throw Napi::TypeError::New(env, "options.pid must be a positive integer");
  }
  parsed.pid = static_cast<int>(pidNumber);
  parsed.batchMs = optionalNumber(parsed.options, "batchMs", defaultBatchMs, 1, 60'000, false);
  return parsed;
}

template <typename Self, typename Source>
class StreamSession {
 public:
  StreamSession(std::unique_ptr<Source> source, double batchMs, const char* what)
      : source_(std::move(source)), mechanism_(source_->mechanism()), batchMs_(batchMs), what_(what) {}

  // The worker is joined by close() before the last owner lets go (the delivery function's finalizer
  // runs after close(), and close() runs on every end and at env teardown), so this finds it joined.
  ~StreamSession() {
    if (worker_.joinable()) {
      requestStop();
      if (worker_.get_id() != std::this_thread::get_id()) worker_.join();
      else worker_.detach();  // unreachable by the above; better than std::terminate if it ever were
    }
  }

  // Any thread. The worker wakes, takes what is left and ends with {reason: 'stopped'}.
  void requestStop() {
    stopRequested_.store(true);
    std::lock_guard<std::mutex> lock(sourceMutex_);
    if (source_) source_->stop();
  }

  // Starts `session` (JS thread, once) and returns the JS handle {mechanism, stop()}. Throws a JS Error
  // when the worker can't be started; the source is closed then.
  static Napi::Object start(Napi::Env env, const std::shared_ptr<Self>& session, Napi::Function onBatch, Napi::Function onEnd) {
    session->launch(env, session, onBatch, onEnd);
    std::weak_ptr<Self> weak = session;
    Napi::Object handle = Napi::Object::New(env);
    handle.Set("mechanism", session->mechanism_);
    handle.Set("stop", Napi::Function::New(
                           env,
                           [weak](const Napi::CallbackInfo& call) -> Napi::Value {
                             if (auto live = weak.lock()) live->requestStop();
                             return call.Env().Undefined();
                           },
                           "stop"));
    return handle;
  }

 protected:
  // Worker thread only, while it runs.
  Source& source() { return *source_; }
  bool stopRequested() const { return stopRequested_.load(); }
  double batchMs() const { return batchMs_; }
  // The worker's last step with the source: it leaves the session (closed by the caller when it lets go).
  std::unique_ptr<Source> takeSource() {
    std::lock_guard<std::mutex> lock(sourceMutex_);
    return std::move(source_);
  }
  // Wakes the JS thread. Fails only while node tears the environment down: no one to deliver to then.
  void wake() { delivery_.NonBlockingCall(); }

  // JS thread.
  bool closed() const { return closed_; }
  Napi::FunctionReference& onBatch() { return onBatch_; }
  // Closes the session and calls onEnd(info); a callback's exception goes to `thrown` if none is there.
  void end(Napi::Env env, Napi::Object info, std::optional<Napi::Error>& thrown) {
    Napi::FunctionReference onEnd = std::move(onEnd_);
    close(env);
    try {
      onEnd.Call({info});
    } catch (const Napi::Error& e) {
      if (!thrown) thrown = e;
    }
  }

 private:
  static void deliverToJs(Napi::Env env, Napi::Function, Self* session, void*) {
    // env is null when node drops queued calls while tearing the environment down.
    if (env == nullptr || session == nullptr) return;
    session->deliver(env);
  }
  using DeliveryFn = Napi::TypedThreadSafeFunction<Self, void, &StreamSession::deliverToJs>;

  void launch(Napi::Env env, const std::shared_ptr<Self>& self, Napi::Function onBatch, Napi::Function onEnd) {
    env_ = env;
    onBatch_ = Napi::Persistent(onBatch);
    onEnd_ = Napi::Persistent(onEnd);
    // Created before the cleanup hook is added, so node runs our hook first (hooks run in reverse
    // order) while the thread-safe function still exists.
    delivery_ = DeliveryFn::New(env, std::string("snapscope.") + what_, 0, 1, static_cast<Self*>(this),
                                [](Napi::Env, void*, Self* session) {
                                  // The last JS-side owner: the session may be freed here.
                                  std::shared_ptr<Self> release = std::move(session->self_);
                                });
    self_ = self;
    if (napi_add_env_cleanup_hook(env, &StreamSession::onEnvCleanup, this) != napi_ok) {
      close(env);  // without the hook nothing would stop and join the worker at teardown
      throw Napi::Error::New(env, std::string("cannot register the ") + what_ + "'s cleanup hook");
    }
    hookAdded_ = true;
    try {
      worker_ = std::thread([self] { self->run(); });
    } catch (const std::system_error& e) {
      close(env);
      throw Napi::Error::New(env, std::string("cannot start the ") + what_ + " thread: " + e.what());
    }
  }

  // JS thread; idempotent. Stops the source, joins the worker, and lets go of everything JS-side.
  void close(Napi::Env env) {
    if (closed_) return;
    closed_ = true;
    requestStop();  // nothing to stop when the worker has ended on its own
    if (worker_.joinable()) worker_.join();
    if (hookAdded_) {
      napi_remove_env_cleanup_hook(env, &StreamSession::onEnvCleanup, this);
      hookAdded_ = false;
    }
    onBatch_.Reset();
    onEnd_.Reset();
    delivery_.Release();  // its finalizer drops self_
  }

  static void onEnvCleanup(void* arg) {
    auto* session = static_cast<StreamSession*>(arg);
    session->hookAdded_ = false;  // a hook is gone once it has run
    session->close(Napi::Env(session->env_));
  }

  std::unique_ptr<Source> source_;  // shared with the worker, guarded by sourceMutex_
  std::mutex sourceMutex_;
  const std::string mechanism_;
  const double batchMs_;
  const char* const what_;  // "watch", "allocation trace": in names and messages
  std::atomic<bool> stopRequested_{false};
  std::thread worker_;
  DeliveryFn delivery_;

  // JS thread only.
  napi_env env_ = nullptr;
  Napi::FunctionReference onBatch_, onEnd_;
  bool closed_ = false;
  bool hookAdded_ = false;
  std::shared_ptr<Self> self_;  // keeps the session alive until the delivery function is finalized
};

}  // namespace snapscope
