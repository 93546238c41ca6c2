// startAllocTrace(options, onBatch, onEnd) -> {mechanism, stop()}: the allocation trace, OS-neutral
// (it only talks to Backend::startAllocTrace and AllocTrace). The same life cycle as the watch
// (watch_binding.cc): attaching is synchronous and throws a JS Error with .code/.pid/.scope; a
// worker thread polls; one thread-safe function, at most one call in flight, hands batches to JS
// every batchMs; exactly one onEnd after the last batch, with the probes removed and the worker
// joined before it runs; an env cleanup hook stops and joins it at teardown.
//
// A batch is the trace's aggregate since the last one (per-stack deltas as typed arrays, never an
// object per event). While JS has not taken a batch, the next is not taken from the trace: its
// deltas keep adding up there, so a slow JS thread costs no memory here.
#include <napi.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <climits>
#include <cmath>
#include <deque>
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

constexpr double kDefaultBatchMs = 250;
constexpr double kMaxBatchMs = 60'000;

struct EndInfo {
  std::string reason;  // "stopped" | "target-exited" | "error"
  std::string code;
  std::string message;
  AllocLeaks leaks;
};

class AllocSession;
void deliverToJs(Napi::Env env, Napi::Function, AllocSession* session, void*);
using DeliveryFn = Napi::TypedThreadSafeFunction<AllocSession, void, deliverToJs>;

template <typename T>
Napi::Float64Array floats(Napi::Env env, const std::vector<T>& values) {
  Napi::Float64Array array = Napi::Float64Array::New(env, values.size());
  std::copy(values.begin(), values.end(), array.Data());
  return array;
}

Napi::Uint32Array ids(Napi::Env env, const std::vector<uint32_t>& values) {
  Napi::Uint32Array array = Napi::Uint32Array::New(env, values.size());
  std::copy(values.begin(), values.end(), array.Data());
  return array;
}

class AllocSession {
 public:
  AllocSession(std::unique_ptr<AllocTrace> trace, double batchMs)
      : trace_(std::move(trace)), mechanism_(trace_->mechanism()), batchMs_(batchMs) {}

  ~AllocSession() {
    if (worker_.joinable()) {
      requestStop();
      if (worker_.get_id() != std::this_thread::get_id()) worker_.join();
      else worker_.detach();
    }
  }

  const std::string& mechanism() const { return mechanism_; }

  void launch(Napi::Env env, const std::shared_ptr<AllocSession>& self, Napi::Function onBatch, Napi::Function onEnd) {
    env_ = env;
    onBatch_ = Napi::Persistent(onBatch);
    onEnd_ = Napi::Persistent(onEnd);
    delivery_ = DeliveryFn::New(env, "snapscope.allocs", 0, 1, this, [](Napi::Env, void*, AllocSession* session) {
      std::shared_ptr<AllocSession> release = std::move(session->self_);
    });
    self_ = self;
    if (napi_add_env_cleanup_hook(env, &AllocSession::onEnvCleanup, this) != napi_ok) {
      close(env);
      throw Napi::Error::New(env, "cannot register the allocation trace's cleanup hook");
    }
    hookAdded_ = true;
    try {
      worker_ = std::thread([self] { self->run(); });
    } catch (const std::system_error& e) {
      close(env);
      throw Napi::Error::New(env, std::string("cannot start the allocation trace thread: ") + e.what());
    }
  }

  void requestStop() {
    stopRequested_.store(true);
    std::lock_guard<std::mutex> lock(traceMutex_);
    if (trace_) trace_->stop();
  }

  void deliver(Napi::Env env) {
    std::deque<AllocBatch> batches;
    std::optional<EndInfo> end;
    {
      std::lock_guard<std::mutex> lock(mutex_);
      notifyPending_ = false;
      batches.swap(outbox_);
      end.swap(end_);
    }
    if (closed_) return;
    std::optional<Napi::Error> thrown;
    for (const AllocBatch& batch : batches) {
      try {
        onBatch_.Call({makeBatch(env, batch)});
      } catch (const Napi::Error& e) {
        if (!thrown) thrown = e;
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
      Napi::Object leaked = Napi::Object::New(env);
      leaked.Set("stackIds", ids(env, end->leaks.stackIds));
      leaked.Set("blocks", floats(env, end->leaks.blocks));
      leaked.Set("bytes", floats(env, end->leaks.bytes));
      leaked.Set("peakBytes", floats(env, end->leaks.peakBytes));
      info.Set("leaked", leaked);
      try {
        onEnd.Call({info});
      } catch (const Napi::Error& e) {
        if (!thrown) thrown = e;
      }
    }
    if (thrown) throw *thrown;
  }

 private:
  void run() {
    using Clock = std::chrono::steady_clock;
    const auto period = std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double, std::milli>(batchMs_));
    EndInfo end;
    auto due = Clock::now() + period;
    try {
      for (;;) {
        auto now = Clock::now();
        const auto waitMs = now >= due ? 0 : std::chrono::ceil<std::chrono::milliseconds>(due - now).count();
        const bool alive = trace_->poll(static_cast<int>(std::min<long long>(waitMs, INT_MAX)));
        if (!alive) {
          end.reason = stopRequested_.load() ? "stopped" : "target-exited";
          break;
        }
        if (Clock::now() >= due) {
          due = Clock::now() + period;
          publish(false, nullptr);
        }
      }
    } catch (const OsError& e) {
      end = {"error", e.code, e.what(), {}};
    } catch (const std::bad_alloc&) {
      end = {"error", "ENOMEM", "out of memory while tracing allocations", {}};
    } catch (const std::exception& e) {
      end = {"error", "EIO", e.what(), {}};
    }
    std::unique_ptr<AllocTrace> finished;
    {
      std::lock_guard<std::mutex> lock(traceMutex_);
      finished = std::move(trace_);
    }
    end.leaks = finished->leaks();
    publish(true, &end, finished.get());
    finished.reset();  // the probes are gone before JS hears of the end
    {
      std::lock_guard<std::mutex> lock(mutex_);
      end_ = std::move(end);
    }
    delivery_.NonBlockingCall();  // fails only while node tears the environment down
  }

  // Worker thread: takes a batch from the trace unless JS has one waiting, and wakes the JS thread.
  // At the end (`final`) the last batch is always taken; the end itself follows once the trace is
  // closed.
  void publish(bool final, const EndInfo*, AllocTrace* trace = nullptr) {
    AllocTrace* from = trace ? trace : trace_.get();
    bool call = false;
    {
      std::lock_guard<std::mutex> lock(mutex_);
      if (!final && notifyPending_) return;
      AllocBatch batch;
      from->take(batch);
      if (batch.empty() && !final) return;
      if (!batch.empty()) outbox_.push_back(std::move(batch));
      if (!final && !notifyPending_) {
        notifyPending_ = true;
        call = true;
      }
    }
    if (call) delivery_.NonBlockingCall();
  }

  Napi::Object makeBatch(Napi::Env env, const AllocBatch& b) {
    Napi::Object batch = Napi::Object::New(env);
    Napi::Array stacks = Napi::Array::New(env, b.newStacks.size());
    for (size_t i = 0; i < b.newStacks.size(); ++i) {
      const auto& [id, frames] = b.newStacks[i];
      Napi::BigUint64Array array = Napi::BigUint64Array::New(env, frames.size());
      std::copy(frames.begin(), frames.end(), array.Data());
      Napi::Object stack = Napi::Object::New(env);
      stack.Set("id", Napi::Number::New(env, id));
      stack.Set("frames", array);
      stacks.Set(static_cast<uint32_t>(i), stack);
    }
    batch.Set("newStacks", stacks);
    batch.Set("stackIds", ids(env, b.stackIds));
    batch.Set("allocations", floats(env, b.allocations));
    batch.Set("bytes", floats(env, b.bytes));
    batch.Set("frees", floats(env, b.frees));
    batch.Set("freedBytes", floats(env, b.freedBytes));
    batch.Set("temporary", floats(env, b.temporary));
    Napi::Object totals = Napi::Object::New(env);
    const AllocTotals& t = b.totals;
    const std::pair<const char*, uint64_t> fields[] = {
        {"allocations", t.allocations}, {"bytes", t.bytes},         {"frees", t.frees},
        {"temporary", t.temporary},     {"liveBlocks", t.liveBlocks}, {"liveBytes", t.liveBytes},
        {"peakBytes", t.peakBytes},     {"untrackedFrees", t.untrackedFrees}, {"untrackedBlocks", t.untrackedBlocks},
        {"unwinds", t.unwinds},         {"unwindCacheHits", t.unwindCacheHits}};
    for (const auto& [name, value] : fields) totals.Set(name, Napi::Number::New(env, static_cast<double>(value)));
    batch.Set("totals", totals);
    batch.Set("lost", Napi::Number::New(env, static_cast<double>(b.lost)));
    return batch;
  }

  void close(Napi::Env env) {
    if (closed_) return;
    closed_ = true;
    requestStop();
    if (worker_.joinable()) worker_.join();
    if (hookAdded_) {
      napi_remove_env_cleanup_hook(env, &AllocSession::onEnvCleanup, this);
      hookAdded_ = false;
    }
    onBatch_.Reset();
    onEnd_.Reset();
    delivery_.Release();
  }

  static void onEnvCleanup(void* arg) {
    auto* session = static_cast<AllocSession*>(arg);
    session->hookAdded_ = false;
    session->close(Napi::Env(session->env_));
  }

  std::unique_ptr<AllocTrace> trace_;
  std::mutex traceMutex_;
  const std::string mechanism_;
  const double batchMs_;
  std::atomic<bool> stopRequested_{false};
  std::thread worker_;
  DeliveryFn delivery_;

  std::mutex mutex_;
  std::deque<AllocBatch> outbox_;
  std::optional<EndInfo> end_;
  bool notifyPending_ = false;

  napi_env env_ = nullptr;
  Napi::FunctionReference onBatch_, onEnd_;
  bool closed_ = false;
  bool hookAdded_ = false;
  std::shared_ptr<AllocSession> self_;
};

void deliverToJs(Napi::Env env, Napi::Function, AllocSession* session, void*) {
  if (env == nullptr || session == nullptr) return;
  session->deliver(env);
}

AllocTraceRequest parseRequest(const Napi::CallbackInfo& info, double& batchMs) {
  Napi::Env env = info.Env();
  if (info.Length() < 3 || !info[0].IsObject() || !info[1].IsFunction() || !info[2].IsFunction()) {
    throw Napi::TypeError::New(env, "startAllocTrace(options, onBatch, onEnd): options must be an object and "
                                    "onBatch, onEnd functions");
  }
  Napi::Object options = info[0].As<Napi::Object>();
  Napi::Value pid = options.Get("pid");
  const double pidNumber = pid.IsNumber() ? pid.As<Napi::Number>().DoubleValue() : NAN;
  if (!(pidNumber >= 1 && pidNumber <= INT_MAX) || std::floor(pidNumber) != pidNumber) {
    throw Napi::TypeError::New(env, "options.pid must be a positive integer");
  }
  AllocTraceRequest request;
  request.pid = static_cast<int>(pidNumber);
  optionalNumber(options, "seconds", 0, 0, 1e9, false);  // informational: checked, not used
  request.ringBytes = static_cast<uint64_t>(optionalNumber(options, "ringBytes", 0, 0, 1ull << 30, true));
  request.stackBytes = static_cast<uint32_t>(optionalNumber(options, "stackBytes", 8192, 512, 65528, true));
  if (request.stackBytes % 8 != 0) throw Napi::TypeError::New(env, "options.stackBytes must be a multiple of 8");
  request.maxStacks = static_cast<uint64_t>(optionalNumber(options, "maxStacks", 1e6, 1, 1e8, true));
  request.maxLiveBlocks = static_cast<uint64_t>(optionalNumber(options, "maxLiveBlocks", 16e6, 1, 1e9, true));
  batchMs = optionalNumber(options, "batchMs", kDefaultBatchMs, 1, kMaxBatchMs, false);
  return request;
}

}  // namespace

Napi::Value startAllocTraceBinding(const Napi::CallbackInfo& info, const std::shared_ptr<Backend>& backend) {
  Napi::Env env = info.Env();
  double batchMs = kDefaultBatchMs;
  AllocTraceRequest request = parseRequest(info, batchMs);
  std::unique_ptr<AllocTrace> trace;
  try {
    trace = backend->startAllocTrace(request);
  } catch (const OsError& e) {
    throw toJsError(env, e);
  }
  auto session = std::make_shared<AllocSession>(std::move(trace), batchMs);
  session->launch(env, session, info[1].As<Napi::Function>(), info[2].As<Napi::Function>());
  std::weak_ptr<AllocSession> weak = session;
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
