// startWatch(options, onBatch, onEnd) -> {mechanism, stop()}: the working-set watch, OS-neutral (it
// only talks to Backend::startWatch and WsWatch).
//
// Starting is synchronous (opening perf events or a first pagemap scan takes milliseconds) and
// throws a JS Error with .code/.pid/.scope when no mechanism can watch the pid. Then a worker thread
// loops on WsWatch::poll and hands records to the JS thread through one thread-safe function, at
// most one call in flight: records wait in an outbox that the JS side empties in one go, as one batch
// of typed arrays (never one call per record), every `batchMs`.
//
// Ends, each exactly one onEnd after the last batch (no batch ever follows onEnd):
//   stop() from JS           -> the records up to now, then {reason: 'stopped'}
//   the target exits         -> what was left, then {reason: 'target-exited'}
//   a failure while polling  -> {reason: 'error', code, message}
// The watch's fds and mappings are closed and its thread joined before onEnd runs.
//
// Lifetime: a running watch keeps node's event loop alive (the thread-safe function is ref'd) until
// it is stopped or its target exits, whether or not the JS handle is still referenced; losing the
// handle does not stop it. When the environment goes away anyway (process exit with the watch
// running, a worker_thread terminated, Electron quitting), an env cleanup hook stops the watch and
// joins its thread so teardown never waits on, or races with, a live watch.
#include <napi.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <climits>
#include <cmath>
#include <memory>
#include <mutex>
#include <new>
#include <optional>
#include <string>
#include <system_error>
#include <thread>
#include <vector>

#include "bindings.h"

namespace snapscope {
namespace {

// Records waiting for JS are capped; beyond it they are dropped and counted in `lost`. Those are
// lost by us (the JS thread did not keep up), not by the OS, but a consumer sees one `lost` count
// either way. 4 M records = 128 MiB.
constexpr size_t kMaxQueuedRecords = size_t{1} << 22;
constexpr double kDefaultBatchMs = 50;
constexpr double kMaxBatchMs = 60'000;

struct EndInfo {
  std::string reason;  // "stopped" | "target-exited" | "error"
  std::string code;
  std::string message;
};

class WatchSession;
void deliverToJs(Napi::Env env, Napi::Function, WatchSession* session, void*);
using DeliveryFn = Napi::TypedThreadSafeFunction<WatchSession, void, deliverToJs>;

bool earlier(const FaultRecord& a, const FaultRecord& b) { return a.tMs < b.tMs; }

class WatchSession {
 public:
  WatchSession(std::unique_ptr<WsWatch> watch, double batchMs)
      : watch_(std::move(watch)), mechanism_(watch_->mechanism()), batchMs_(batchMs) {}

  // The worker is joined by close() before the last owner lets go (the delivery function's finalizer
  // runs after close(), and close() runs on every end and at env teardown), so this finds it joined.
  ~WatchSession() {
    if (worker_.joinable()) {
      requestStop();
      if (worker_.get_id() != std::this_thread::get_id()) worker_.join();
      else worker_.detach();  // unreachable by the above; better than std::terminate if it ever were
    }
  }

  const std::string& mechanism() const { return mechanism_; }

  // JS thread, once. Throws (a JS Error) when the worker can't be started; the watch is closed then.
  void launch(Napi::Env env, const std::shared_ptr<WatchSession>& self, Napi::Function onBatch, Napi::Function onEnd) {
    env_ = env;
    onBatch_ = Napi::Persistent(onBatch);
    onEnd_ = Napi::Persistent(onEnd);
    // Created before the cleanup hook is added, so node runs our hook first (hooks run in reverse
    // order) while the thread-safe function still exists.
    delivery_ = DeliveryFn::New(env, "snapscope.watch", 0, 1, this,
                                [](Napi::Env, void*, WatchSession* session) {
                                  // The last JS-side owner: the session may be freed here.
                                  std::shared_ptr<WatchSession> release = std::move(session->self_);
                                });
    self_ = self;
    if (napi_add_env_cleanup_hook(env, &WatchSession::onEnvCleanup, this) != napi_ok) {
      close(env);  // without the hook nothing would stop and join the worker at teardown
      throw Napi::Error::New(env, "cannot register the watch's cleanup hook");
    }
    hookAdded_ = true;
    try {
      worker_ = std::thread([self] { self->run(); });
    } catch (const std::system_error& e) {
      close(env);
      throw Napi::Error::New(env, std::string("cannot start the watch thread: ") + e.what());
    }
  }

  // Any thread. The worker wakes, takes what is left and ends with {reason: 'stopped'}.
  void requestStop() {
    stopRequested_.store(true);
    std::lock_guard<std::mutex> lock(watchMutex_);
    if (watch_) watch_->stop();
  }

  // JS thread: the thread-safe function's call. Hands the outbox to onBatch, then the end to onEnd.
  void deliver(Napi::Env env) {
    std::vector<FaultRecord> records;
    uint64_t lost = 0;
    std::optional<EndInfo> end;
    {
      std::lock_guard<std::mutex> lock(mutex_);
      notifyPending_ = false;
      records.swap(outbox_);
      lost = outboxLost_;
      outboxLost_ = 0;
      end.swap(end_);
    }
    if (closed_) return;  // the env cleanup hook already ended it

    std::optional<Napi::Error> thrown;  // a callback's exception, rethrown once the end is handled
    if (!records.empty() || lost) {
      try {
        onBatch_.Call({makeBatch(env, records, lost)});
      } catch (const Napi::Error& e) {
        thrown = e;
      }
    }
    if (end) {
      Napi::FunctionReference onEnd = std::move(onEnd_);
      close(env);
      Napi::Object info = Napi::Object::New(env);
      info.Set("reason", end->reason);
      if (end->reason == "error") {
        info.Set("code", end->code);
        info.Set("message", end->message);
      }
      try {
        onEnd.Call({info});
      } catch (const Napi::Error& e) {
        if (!thrown) thrown = e;
      }
    }
    if (thrown) throw *thrown;
  }

 private:
  // The worker: poll, collect, publish every batchMs.
  void run() {
    using Clock = std::chrono::steady_clock;
    const auto period = std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double, std::milli>(batchMs_));
    std::vector<FaultRecord> chunk;
    uint64_t lost = 0;
    EndInfo end;
    auto due = Clock::now() + period;
    try {
      for (;;) {
        auto now = Clock::now();
        const auto waitMs =
            now >= due ? 0 : std::chrono::ceil<std::chrono::milliseconds>(due - now).count();
        const bool alive = watch_->poll(chunk, lost, static_cast<int>(std::min<long long>(waitMs, INT_MAX)));
        if (!alive) {
          end.reason = stopRequested_.load() ? "stopped" : "target-exited";
          break;
        }
        now = Clock::now();
        const bool notify = now >= due;
        if (notify) due = now + period;
        publish(chunk, lost, notify, nullptr);
        lost = 0;
      }
    } catch (const OsError& e) {
      end = {"error", e.code, e.what()};
    } catch (const std::bad_alloc&) {
      end = {"error", "ENOMEM", "out of memory while watching"};
    } catch (const std::exception& e) {
      end = {"error", "EIO", e.what()};
    }
    // Close the watch's fds and rings before JS hears of the end.
    std::unique_ptr<WsWatch> finished;
    {
      std::lock_guard<std::mutex> lock(watchMutex_);
      finished = std::move(watch_);
    }
    finished.reset();
    publish(chunk, lost, true, &end);
  }

  // Worker thread: moves `chunk` into the outbox (in time order, capped) and, when asked to and no
  // call is already queued, wakes the JS thread.
  void publish(std::vector<FaultRecord>& chunk, uint64_t lost, bool notify, const EndInfo* end) {
    bool call = false;
    if (!std::is_sorted(chunk.begin(), chunk.end(), earlier)) std::stable_sort(chunk.begin(), chunk.end(), earlier);
    {
      std::lock_guard<std::mutex> lock(mutex_);
      const size_t room = kMaxQueuedRecords - std::min(kMaxQueuedRecords, outbox_.size());
      const size_t kept = std::min(room, chunk.size());
      const size_t middle = outbox_.size();
      outbox_.insert(outbox_.end(), chunk.begin(), chunk.begin() + static_cast<std::ptrdiff_t>(kept));
      if (middle > 0 && kept > 0 && earlier(outbox_[middle], outbox_[middle - 1])) {
        std::inplace_merge(outbox_.begin(), outbox_.begin() + static_cast<std::ptrdiff_t>(middle), outbox_.end(),
                           earlier);
      }
      outboxLost_ += lost + (chunk.size() - kept);  // dropped by us: see kMaxQueuedRecords
      if (end) end_ = *end;
      const bool anything = !outbox_.empty() || outboxLost_ > 0 || end_.has_value();
      if ((notify || end) && anything && !notifyPending_) {
        notifyPending_ = true;
        call = true;
      }
    }
    chunk.clear();
    if (chunk.capacity() > (size_t{1} << 20)) chunk.shrink_to_fit();
    // Fails only while node tears the environment down: there is no one to deliver to then.
    if (call) delivery_.NonBlockingCall();
  }

  Napi::Object makeBatch(Napi::Env env, const std::vector<FaultRecord>& records, uint64_t lost) {
    const size_t n = records.size();
    Napi::BigUint64Array pc = Napi::BigUint64Array::New(env, n);
    Napi::BigUint64Array va = Napi::BigUint64Array::New(env, n);
    Napi::Uint32Array tid = Napi::Uint32Array::New(env, n);
    Napi::Float64Array t = Napi::Float64Array::New(env, n);
    uint64_t* pcs = pc.Data();
    uint64_t* vas = va.Data();
    uint32_t* tids = tid.Data();
    double* times = t.Data();
    for (size_t i = 0; i < n; ++i) {
      pcs[i] = records[i].pc;
      vas[i] = records[i].va;
      tids[i] = records[i].tid;
      times[i] = records[i].tMs;
    }
    Napi::Object batch = Napi::Object::New(env);
    batch.Set("pc", pc);
    batch.Set("va", va);
    batch.Set("tid", tid);
    batch.Set("t", t);
    batch.Set("lost", Napi::Number::New(env, static_cast<double>(lost)));
    return batch;
  }

  // JS thread; idempotent. Stops the watch, joins the worker, and lets go of everything JS-side.
  void close(Napi::Env env) {
    if (closed_) return;
    closed_ = true;
    requestStop();  // nothing to stop when the worker has ended on its own
    if (worker_.joinable()) worker_.join();
    if (hookAdded_) {
      napi_remove_env_cleanup_hook(env, &WatchSession::onEnvCleanup, this);
      hookAdded_ = false;
    }
    onBatch_.Reset();
    onEnd_.Reset();
    delivery_.Release();  // its finalizer drops self_
  }

  static void onEnvCleanup(void* arg) {
    auto* session = static_cast<WatchSession*>(arg);
    session->hookAdded_ = false;  // a hook is gone once it has run
    session->close(Napi::Env(session->env_));
  }

  // Shared with the worker (guarded by watchMutex_ where the worker may reset it).
  std::unique_ptr<WsWatch> watch_;
  std::mutex watchMutex_;
  const std::string mechanism_;
  const double batchMs_;
  std::atomic<bool> stopRequested_{false};
  std::thread worker_;
  DeliveryFn delivery_;

  // The outbox, shared between the worker and the JS thread.
  std::mutex mutex_;
  std::vector<FaultRecord> outbox_;
  uint64_t outboxLost_ = 0;
  std::optional<EndInfo> end_;
  bool notifyPending_ = false;

  // JS thread only.
  napi_env env_ = nullptr;
  Napi::FunctionReference onBatch_, onEnd_;
  bool closed_ = false;
  bool hookAdded_ = false;
  std::shared_ptr<WatchSession> self_;  // keeps the session alive until the delivery function is finalized
};

void deliverToJs(Napi::Env env, Napi::Function, WatchSession* session, void*) {
  // env is null when node drops queued calls while tearing the environment down.
  if (env == nullptr || session == nullptr) return;
  session->deliver(env);
}

WatchRequest parseRequest(const Napi::CallbackInfo& info, double& batchMs) {
  Napi::Env env = info.Env();
  if (info.Length() < 3 || !info[0].IsObject() || !info[1].IsFunction() || !info[2].IsFunction()) {
    throw Napi::TypeError::New(env, "startWatch(options, onBatch, onEnd): options must be an object and "
                                    "onBatch, onEnd functions");
  }
  Napi::Object options = info[0].As<Napi::Object>();
  Napi::Value pid = options.Get("pid");
  double pidNumber = pid.IsNumber() ? pid.As<Napi::Number>().DoubleValue() : NAN;
  if (!(pidNumber >= 1 && pidNumber <= INT_MAX) || std::floor(pidNumber) != pidNumber) {
    throw Napi::TypeError::New(env, "options.pid must be a positive integer");
  }
  WatchRequest request;
  request.pid = static_cast<int>(pidNumber);
  request.ringBytes = static_cast<uint64_t>(optionalNumber(options, "ringBytes", 0, 0, 1ull << 40, true));
  Napi::Value mechanism = options.Get("mechanism");
  if (!mechanism.IsUndefined() && !mechanism.IsNull()) {
    if (!mechanism.IsString()) throw Napi::TypeError::New(env, "options.mechanism must be a string");
    request.mechanism = mechanism.As<Napi::String>().Utf8Value();
  }
  batchMs = optionalNumber(options, "batchMs", kDefaultBatchMs, 1, kMaxBatchMs, false);
  return request;
}

}  // namespace

Napi::Value startWatchBinding(const Napi::CallbackInfo& info, const std::shared_ptr<Backend>& backend) {
  Napi::Env env = info.Env();
  double batchMs = kDefaultBatchMs;
  WatchRequest request = parseRequest(info, batchMs);
  std::unique_ptr<WsWatch> watch;
  try {
    watch = backend->startWatch(request);
  } catch (const OsError& e) {
    throw toJsError(env, e);
  }

  auto session = std::make_shared<WatchSession>(std::move(watch), batchMs);
  session->launch(env, session, info[1].As<Napi::Function>(), info[2].As<Napi::Function>());

  std::weak_ptr<WatchSession> weak = session;
  Napi::Object handle = Napi::Object::New(env);
  handle.Set("mechanism", session->mechanism());
  handle.Set("stop", Napi::Function::New(
                         env,
                         [weak](const Napi::CallbackInfo& call) -> Napi::Value {
                           if (auto live = weak.lock()) live->requestStop();
                           return call.Env().Undefined();
                         },
                         "stop"));
  return handle;
}

}  // namespace snapscope
