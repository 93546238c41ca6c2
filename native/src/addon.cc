// The Node-API surface: snapshot() (a Promise, read on the libuv pool, never on the JS thread),
// snapshotSync() (the same on the calling thread, so a benchmark can time the native part alone)
// and host(). Everything OS-specific lives behind Backend.
#include <napi.h>

#include <climits>
#include <cmath>
#include <memory>
#include <optional>
#include <string>

#include "backend.h"
#include "bindings/bindings.h"
#include "bindings/promise_worker.h"

namespace snapscope {
namespace {

bool requireBoolean(const Napi::Object& options, const char* name, bool optional = false) {
  Napi::Value value = options.Get(name);
  if (optional && value.IsUndefined()) return false;
  if (!value.IsBoolean()) {
    throw Napi::TypeError::New(options.Env(), std::string("options.") + name + " must be a boolean");
  }
  return value.As<Napi::Boolean>().Value();
}

SnapshotRequest parseRequest(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (info.Length() < 1 || !info[0].IsObject()) {
    throw Napi::TypeError::New(env, "options must be an object {processes, threads, pid}");
  }
  Napi::Object options = info[0].As<Napi::Object>();
  SnapshotRequest request;
  request.processes = requireBoolean(options, "processes");
  request.threads = requireBoolean(options, "threads");
  request.modules = requireBoolean(options, "modules", true);
  request.heapLists = requireBoolean(options, "heapLists", true);
  Napi::Value pid = options.Get("pid");
  if (!pid.IsNull() && !pid.IsUndefined()) {
    double value = pid.IsNumber() ? pid.As<Napi::Number>().DoubleValue() : -1;
    if (!(value >= 0 && value <= INT_MAX && std::floor(value) == value)) {
      throw Napi::TypeError::New(env, "options.pid must be a non-negative integer or null");
    }
    request.pid = static_cast<int>(value);
  }
  return request;
}

// Builds the JS result. A snapshot has tens of thousands of properties, so the keys are created
// once per conversion, and each object gets all its properties in one napi_define_properties call
// (fewer N-API crossings: ~10% faster than setting them one by one).
class Converter {
 public:
  explicit Converter(Napi::Env env) : env_(env) {}

  Napi::Object snapshot(const SystemSnapshot& snapshot) {
    Napi::Object result = Napi::Object::New(env_);
    Napi::Array processes = Napi::Array::New(env_, snapshot.processes.size());
    for (uint32_t i = 0; i < snapshot.processes.size(); ++i) processes.Set(i, process(snapshot.processes[i]));
    Napi::Array threads = Napi::Array::New(env_, snapshot.threads.size());
    for (uint32_t i = 0; i < snapshot.threads.size(); ++i) threads.Set(i, thread(snapshot.threads[i]));
    Napi::Array errors = Napi::Array::New(env_, snapshot.errors.size());
    for (uint32_t i = 0; i < snapshot.errors.size(); ++i) errors.Set(i, error(snapshot.errors[i]));
    result.Set(key_.processes, processes);
    result.Set(key_.threads, threads);
    result.Set(key_.errors, errors);
    result.Set("modules", list(snapshot.modules, [this](const ModuleInfo& m) { return module(m); }));
    result.Set("heapLists", list(snapshot.heapLists, [this](const HeapListInfo& h) { return heapList(h); }));
    return result;
  }

  template <typename T, typename Convert>
  Napi::Array list(const std::vector<T>& items, Convert convert) {
    Napi::Array array = Napi::Array::New(env_, items.size());
    for (uint32_t i = 0; i < items.size(); ++i) array.Set(i, convert(items[i]));
    return array;
  }

  Napi::Object module(const ModuleInfo& m) {
    Napi::Object o = Napi::Object::New(env_);
    o.Set("pid", m.pid);
    o.Set("moduleName", m.moduleName);
    o.Set("exePath", m.exePath);
    o.Set("baseAddress", hexAddress(m.baseAddress));
    o.Set("baseSize", static_cast<double>(m.baseSize));
    o.Set("deleted", m.deleted);
    return o;
  }

  Napi::Object heapList(const HeapListInfo& h) {
    Napi::Object o = Napi::Object::New(env_);
    o.Set("pid", h.pid);
    o.Set("heapId", h.heapId);
    o.Set("isDefault", h.isDefault);
    o.Set("kind", h.kind);
    o.Set("allocator", h.allocator);
    o.Set("baseAddress", hexAddress(h.baseAddress));
    o.Set("size", static_cast<double>(h.size));
    o.Set("walkable", h.walkable);
    o.Set("note", h.note);
    return o;
  }

 private:
  Napi::Object process(const ProcessInfo& p) {
    Napi::Array cmdline = Napi::Array::New(env_, p.cmdline.size());
    for (uint32_t i = 0; i < p.cmdline.size(); ++i) cmdline.Set(i, string(p.cmdline[i]));
    Napi::Object o = Napi::Object::New(env_);
    o.DefineProperties({
        field(key_.pid, number(p.pid)),
        field(key_.parentPid, number(p.parentPid)),
        field(key_.exeFile, string(p.exeFile)),
        field(key_.exePath, string(p.exePath)),
        field(key_.name, string(p.name)),
        field(key_.nameTruncated, Napi::Boolean::New(env_, p.nameTruncated)),
        field(key_.cmdline, cmdline),
        field(key_.user, string(p.user)),
        field(key_.uid, number(p.uid)),
        field(key_.startTimeMs, number(p.startTimeMs)),
        field(key_.threadCount, number(p.threadCount)),
        field(key_.basePriority, number(p.basePriority)),
        field(key_.workingSetBytes, number(static_cast<double>(p.workingSetBytes))),
        field(key_.pageFaultCount, number(static_cast<double>(p.pageFaultCount))),
        field(key_.state, string(p.state)),
    });
    return o;
  }

  Napi::Object thread(const ThreadInfo& t) {
    Napi::Object o = Napi::Object::New(env_);
    o.DefineProperties({
        field(key_.tid, number(t.tid)),
        field(key_.ownerPid, number(t.ownerPid)),
        field(key_.basePriority, number(t.basePriority)),
        field(key_.deltaPriority, number(t.deltaPriority)),
    });
    return o;
  }

  Napi::Object error(const SnapshotErrorInfo& e) {
    Napi::Object o = Napi::Object::New(env_);
    o.DefineProperties({
        field(key_.pid, number(e.pid)),
        field(key_.scope, string(e.scope)),
        field(key_.code, string(e.code)),
        field(key_.message, string(e.message)),
    });
    return o;
  }

  // An ordinary data property (writable, enumerable, configurable), like one made by assignment.
  static Napi::PropertyDescriptor field(const Napi::String& key, napi_value value) {
    return Napi::PropertyDescriptor::Value(static_cast<napi_value>(key), value, napi_default_jsproperty);
  }

  Napi::Number number(double value) { return Napi::Number::New(env_, value); }
  Napi::String string(const std::string& value) { return Napi::String::New(env_, value); }

  struct Keys {
    explicit Keys(Napi::Env env)
        : processes(Napi::String::New(env, "processes")),
          threads(Napi::String::New(env, "threads")),
          errors(Napi::String::New(env, "errors")),
          pid(Napi::String::New(env, "pid")),
          parentPid(Napi::String::New(env, "parentPid")),
          exeFile(Napi::String::New(env, "exeFile")),
          exePath(Napi::String::New(env, "exePath")),
          name(Napi::String::New(env, "name")),
          nameTruncated(Napi::String::New(env, "nameTruncated")),
          cmdline(Napi::String::New(env, "cmdline")),
          user(Napi::String::New(env, "user")),
          uid(Napi::String::New(env, "uid")),
          startTimeMs(Napi::String::New(env, "startTimeMs")),
          threadCount(Napi::String::New(env, "threadCount")),
          basePriority(Napi::String::New(env, "basePriority")),
          workingSetBytes(Napi::String::New(env, "workingSetBytes")),
          pageFaultCount(Napi::String::New(env, "pageFaultCount")),
          state(Napi::String::New(env, "state")),
          tid(Napi::String::New(env, "tid")),
          ownerPid(Napi::String::New(env, "ownerPid")),
          deltaPriority(Napi::String::New(env, "deltaPriority")),
          scope(Napi::String::New(env, "scope")),
          code(Napi::String::New(env, "code")),
          message(Napi::String::New(env, "message")) {}
    Napi::String processes, threads, errors, pid, parentPid, exeFile, exePath, name, nameTruncated, cmdline, user, uid,
        startTimeMs, threadCount, basePriority, workingSetBytes, pageFaultCount, state, tid, ownerPid,
        deltaPriority, scope, code, message;
  };

  Napi::Env env_;
  Keys key_{env_};
};

class SnapshotWorker final : public PromiseWorker<SystemSnapshot> {
 public:
  SnapshotWorker(Napi::Env env, std::shared_ptr<Backend> backend, SnapshotRequest request)
      : PromiseWorker(env, "snapscope.snapshot"), backend_(std::move(backend)), request_(request) {}

 protected:
  SystemSnapshot run() override { return backend_->snapshot(request_); }
  Napi::Value convert(Napi::Env env, SystemSnapshot& snapshot) override { return Converter(env).snapshot(snapshot); }

 private:
  std::shared_ptr<Backend> backend_;  // shared: it must outlive the addon if the env is torn down
  SnapshotRequest request_;
};

class SnapscopeAddon final : public Napi::Addon<SnapscopeAddon> {
 public:
  SnapscopeAddon(Napi::Env /*env*/, Napi::Object exports) : backend_(makeBackend()) {
    DefineAddon(exports, {
                             InstanceMethod("snapshot", &SnapscopeAddon::Snapshot, napi_enumerable),
                             InstanceMethod("snapshotSync", &SnapscopeAddon::SnapshotSync, napi_enumerable),
                             InstanceMethod("host", &SnapscopeAddon::Host, napi_enumerable),
                             InstanceMethod("elevated", &SnapscopeAddon::Elevated, napi_enumerable),
                             InstanceMethod("memoryRegions", &SnapscopeAddon::MemoryRegions, napi_enumerable),
                             InstanceMethod("processMemory", &SnapscopeAddon::ProcessMemory, napi_enumerable),
                             InstanceMethod("memoryMap", &SnapscopeAddon::MemoryMap, napi_enumerable),
                             InstanceMethod("heapWalk", &SnapscopeAddon::HeapWalk, napi_enumerable),
                             InstanceMethod("leakScan", &SnapscopeAddon::LeakScan, napi_enumerable),
                             InstanceMethod("readMemory", &SnapscopeAddon::ReadMemory, napi_enumerable),
                             InstanceMethod("startWatch", &SnapscopeAddon::StartWatch, napi_enumerable),
                             InstanceMethod("startAllocTrace", &SnapscopeAddon::StartAllocTrace, napi_enumerable),
                             InstanceMethod("symbolize", &SnapscopeAddon::Symbolize, napi_enumerable),
                         });
  }

 private:
  Napi::Value Snapshot(const Napi::CallbackInfo& info) {
    SnapshotRequest request = parseRequest(info);  // bad options throw synchronously
    return (new SnapshotWorker(info.Env(), backend_, request))->start();
  }

  Napi::Value SnapshotSync(const Napi::CallbackInfo& info) {
    SnapshotRequest request = parseRequest(info);
    Napi::Env env = info.Env();
    try {
      return Converter(env).snapshot(backend_->snapshot(request));
    } catch (const OsError& e) {
      throw toJsError(env, e);
    }  // other exceptions become a plain Error (NODE_ADDON_API_CPP_EXCEPTIONS_ALL)
  }

  Napi::Value Host(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    HostInfo host = backend_->host();
    Napi::Object result = Napi::Object::New(env);
    result.Set("os", host.os);
    result.Set("hostname", host.hostname);
    result.Set("arch", host.arch);
    result.Set("backend", host.backend);
    return result;
  }

  Napi::Value Elevated(const Napi::CallbackInfo& info) { return Napi::Boolean::New(info.Env(), backend_->elevated()); }

  Napi::Value MemoryRegions(const Napi::CallbackInfo& info) { return memoryRegionsBinding(info, backend_); }
  Napi::Value ProcessMemory(const Napi::CallbackInfo& info) { return processMemoryBinding(info, backend_); }
  Napi::Value MemoryMap(const Napi::CallbackInfo& info) { return memoryMapBinding(info, backend_); }
  Napi::Value HeapWalk(const Napi::CallbackInfo& info) { return heapWalkBinding(info, backend_); }
  Napi::Value LeakScan(const Napi::CallbackInfo& info) { return leakScanBinding(info, backend_); }
  Napi::Value ReadMemory(const Napi::CallbackInfo& info) { return readMemoryBinding(info, backend_); }
  Napi::Value StartWatch(const Napi::CallbackInfo& info) { return startWatchBinding(info, backend_); }
  Napi::Value StartAllocTrace(const Napi::CallbackInfo& info) { return startAllocTraceBinding(info, backend_); }
  Napi::Value Symbolize(const Napi::CallbackInfo& info) { return symbolizeBinding(info, backend_); }

  std::shared_ptr<Backend> backend_;
};

}  // namespace

// A whole-call failure as a JS Error carrying the OS code, the pid (null when none) and the scope.
Napi::Error toJsError(Napi::Env env, const OsError& error) {
  Napi::Error jsError = Napi::Error::New(env, error.what());
  Napi::Object object = jsError.Value();
  object.Set("code", error.code);
  object.Set("pid", error.pid >= 0 ? Napi::Value(Napi::Number::New(env, error.pid)) : env.Null());
  object.Set("scope", error.scope);
  return jsError;
}

}  // namespace snapscope

// The macro pastes the class name into an identifier, so it needs an unqualified name.
using snapscope::SnapscopeAddon;
NODE_API_NAMED_ADDON(snapscope, SnapscopeAddon)
