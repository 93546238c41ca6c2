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
// The life cycle (worker, delivery, cleanup hook, lifetime) is StreamSession's (stream_session.h).
#include <napi.h>

#include <algorithm>
#include <memory>
#include <mutex>
#include <new>
#include <optional>
#include <string>
#include <vector>

#include "bindings.h"
#include "stream_session.h"

namespace snapscope {
namespace {

// Records waiting for JS are capped; beyond it they are dropped and counted in `lost`. Those are
// lost by us (the JS thread did not keep up), not by the OS, but a consumer sees one `lost` count
// either way. 4 M records = 128 MiB.
constexpr size_t kMaxQueuedRecords = size_t{1} << 22;
constexpr double kDefaultBatchMs = 50;

bool earlier(const FaultRecord& a, const FaultRecord& b) { return a.tMs < b.tMs; }

class WatchSession : public StreamSession<WatchSession, WsWatch> {
 public:
  WatchSession(std::unique_ptr<WsWatch> watch, double batchMs) : StreamSession(std::move(watch), batchMs, "watch") {}

 private:
  friend class StreamSession<WatchSession, WsWatch>;

  // JS thread: the thread-safe function's call. Hands the outbox to onBatch, then the end to onEnd.
  void deliver(Napi::Env env) {
    std::vector<FaultRecord> records;
    uint64_t lost = 0;
    std::optional<StreamEnd> end;
    {
      std::lock_guard<std::mutex> lock(mutex_);
      notifyPending_ = false;
      records.swap(outbox_);
      lost = outboxLost_;
      outboxLost_ = 0;
      end.swap(end_);
    }
    if (closed()) return;  // the env cleanup hook already ended it

    std::optional<Napi::Error> thrown;  // a callback's exception, rethrown once the end is handled
    if (!records.empty() || lost) {
      try {
        onBatch().Call({makeBatch(env, records, lost)});
      } catch (const Napi::Error& e) {
        thrown = e;
      }
    }
    if (end) this->end(env, endObject(env, *end), thrown);
    if (thrown) throw *thrown;
  }

  // The worker: poll, collect, publish every batchMs.
  void run() {
    BatchClock clock(batchMs());
    std::vector<FaultRecord> chunk;
    uint64_t lost = 0;
    StreamEnd end;
    try {
      for (;;) {
        const bool alive = source().poll(chunk, lost, clock.waitMs());
        if (!alive) {
          end.reason = stopRequested() ? "stopped" : "target-exited";
          break;
        }
        publish(chunk, lost, clock.takeDue(), nullptr);
        lost = 0;
      }
    } catch (const OsError& e) {
      end = {"error", e.code, e.what()};
    } catch (const std::bad_alloc&) {
      end = {"error", "ENOMEM", "out of memory while watching"};
    } catch (const std::exception& e) {
      end = {"error", "EIO", e.what()};
    }
    takeSource().reset();  // close the watch's fds and rings before JS hears of the end
    publish(chunk, lost, true, &end);
  }
  // Worker thread: moves `chunk` into the outbox (in time order, capped) and, when asked to and no
  // call is already queued, wakes the JS thread.
  void publish(std::vector<FaultRecord>& chunk, uint64_t lost, bool notify, const StreamEnd* end) {
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
    if (call) wake();
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

  // The outbox, shared between the worker and the JS thread.
  std::mutex mutex_;
  std::vector<FaultRecord> outbox_;
  uint64_t outboxLost_ = 0;
  std::optional<StreamEnd> end_;
  bool notifyPending_ = false;
};

}  // namespace

Napi::Value startWatchBinding(const Napi::CallbackInfo& info, const std::shared_ptr<Backend>& backend) {
  Napi::Env env = info.Env();
  const StreamOptions parsed = parseStreamOptions(info, "startWatch(options, onBatch, onEnd)", kDefaultBatchMs);
  WatchRequest request;
  request.pid = parsed.pid;
  request.ringBytes = static_cast<uint64_t>(optionalNumber(parsed.options, "ringBytes", 0, 0, 1ull << 40, true));
  Napi::Value mechanism = parsed.options.Get("mechanism");
  if (!mechanism.IsUndefined() && !mechanism.IsNull()) {
    if (!mechanism.IsString()) throw Napi::TypeError::New(env, "options.mechanism must be a string");
    request.mechanism = mechanism.As<Napi::String>().Utf8Value();
  }
  std::unique_ptr<WsWatch> watch;
  try {
    watch = backend->startWatch(request);
  } catch (const OsError& e) {
    throw toJsError(env, e);
  }
  return WatchSession::start(env, std::make_shared<WatchSession>(std::move(watch), parsed.batchMs),
                             info[1].As<Napi::Function>(), info[2].As<Napi::Function>());
}

}  // namespace snapscope
