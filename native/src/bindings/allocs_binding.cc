// startAllocTrace(options, onBatch, onEnd) -> {mechanism, stop()}: the allocation trace, OS-neutral
// (it only talks to Backend::startAllocTrace and AllocTrace). Attaching is synchronous and throws a JS
// Error with .code/.pid/.scope; the life cycle after that is StreamSession's (stream_session.h), as the
// watch's: exactly one onEnd after the last batch, with the probes removed and the worker joined
// before it runs.
//
// A batch is the trace's aggregate since the last one (per-stack deltas as typed arrays, never an
// object per event). While JS has not taken a batch, the next is not taken from the trace: its
// deltas keep adding up there, so a slow JS thread costs no memory here.
#include <napi.h>

#include <algorithm>
#include <deque>
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

constexpr double kDefaultBatchMs = 250;

struct AllocEnd : StreamEnd {
  AllocLeaks leaks;
};

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

class AllocSession : public StreamSession<AllocSession, AllocTrace> {
 public:
  AllocSession(std::unique_ptr<AllocTrace> trace, double batchMs)
      : StreamSession(std::move(trace), batchMs, "allocation trace") {}

 private:
  friend class StreamSession<AllocSession, AllocTrace>;

  void deliver(Napi::Env env) {
    std::deque<AllocBatch> batches;
    std::optional<AllocEnd> end;
    {
      std::lock_guard<std::mutex> lock(mutex_);
      notifyPending_ = false;
      batches.swap(outbox_);
      end.swap(end_);
    }
    if (closed()) return;
    std::optional<Napi::Error> thrown;
    for (const AllocBatch& batch : batches) {
      try {
        onBatch().Call({makeBatch(env, batch)});
      } catch (const Napi::Error& e) {
        if (!thrown) thrown = e;
      }
    }
    if (end) {
      Napi::Object info = endObject(env, *end);
      Napi::Object leaked = Napi::Object::New(env);
      leaked.Set("stackIds", ids(env, end->leaks.stackIds));
      leaked.Set("blocks", floats(env, end->leaks.blocks));
      leaked.Set("bytes", floats(env, end->leaks.bytes));
      leaked.Set("peakBytes", floats(env, end->leaks.peakBytes));
      info.Set("leaked", leaked);
      this->end(env, info, thrown);
    }
    if (thrown) throw *thrown;
  }

  void run() {
    BatchClock clock(batchMs());
    AllocEnd end;
    try {
      for (;;) {
        if (!source().poll(clock.waitMs())) {
          end.reason = stopRequested() ? "stopped" : "target-exited";
          break;
        }
        if (clock.takeDue()) publish(false, source());
      }
    } catch (const OsError& e) {
      end.reason = "error", end.code = e.code, end.message = e.what();
    } catch (const std::bad_alloc&) {
      end.reason = "error", end.code = "ENOMEM", end.message = "out of memory while tracing allocations";
    } catch (const std::exception& e) {
      end.reason = "error", end.code = "EIO", end.message = e.what();
    }
    std::unique_ptr<AllocTrace> finished = takeSource();
    end.leaks = finished->leaks();
    publish(true, *finished);
    finished.reset();  // the probes are gone before JS hears of the end
    {
      std::lock_guard<std::mutex> lock(mutex_);
      end_ = std::move(end);
    }
    wake();
  }

  // Worker thread: takes a batch from the trace unless JS has one waiting, and wakes the JS thread.
  // At the end (`final`) the last batch is always taken; the end itself follows once the trace is
  // closed.
  void publish(bool final, AllocTrace& from) {
    bool call = false;
    {
      std::lock_guard<std::mutex> lock(mutex_);
      if (!final && notifyPending_) return;
      AllocBatch batch;
      from.take(batch);
      if (batch.empty() && !final) return;
      if (!batch.empty()) outbox_.push_back(std::move(batch));
      if (!final && !notifyPending_) {
        notifyPending_ = true;
        call = true;
      }
    }
    if (call) wake();
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

  std::mutex mutex_;
  std::deque<AllocBatch> outbox_;
  std::optional<AllocEnd> end_;
  bool notifyPending_ = false;
};

}  // namespace

Napi::Value startAllocTraceBinding(const Napi::CallbackInfo& info, const std::shared_ptr<Backend>& backend) {
  Napi::Env env = info.Env();
  const StreamOptions parsed = parseStreamOptions(info, "startAllocTrace(options, onBatch, onEnd)", kDefaultBatchMs);
  const Napi::Object& options = parsed.options;
  AllocTraceRequest request;
  request.pid = parsed.pid;
  optionalNumber(options, "seconds", 0, 0, 1e9, false);  // informational: checked, not used
  request.ringBytes = static_cast<uint64_t>(optionalNumber(options, "ringBytes", 0, 0, 1ull << 30, true));
  request.stackBytes = static_cast<uint32_t>(optionalNumber(options, "stackBytes", 8192, 512, 65528, true));
  if (request.stackBytes % 8 != 0) throw Napi::TypeError::New(env, "options.stackBytes must be a multiple of 8");
  request.maxStacks = static_cast<uint64_t>(optionalNumber(options, "maxStacks", 1e6, 1, 1e8, true));
  request.maxLiveBlocks = static_cast<uint64_t>(optionalNumber(options, "maxLiveBlocks", 16e6, 1, 1e9, true));
  std::unique_ptr<AllocTrace> trace;
  try {
    trace = backend->startAllocTrace(request);
  } catch (const OsError& e) {
    throw toJsError(env, e);
  }
  return AllocSession::start(env, std::make_shared<AllocSession>(std::move(trace), parsed.batchMs),
                             info[1].As<Napi::Function>(), info[2].As<Napi::Function>());
}

}  // namespace snapscope
