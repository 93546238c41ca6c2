// symbolize(pid, addresses): names of code addresses, on a worker thread, as one columnar batch
// (typed arrays + a string table interned per call), so 100k addresses cost a few JS objects.
#include <string_view>
#include <unordered_map>

#include "promise_worker.h"

namespace snapscope {
namespace {

// SYMBOL_SOURCES of src-common/contract/types.ts, in order: the batch carries index + 1.
constexpr const char* kSources[] = {"symtab", "dynsym", "debuginfo", "perf-map", "exports", "pdb"};

uint8_t sourceCode(const std::string& source) {
  for (uint8_t i = 0; i < sizeof kSources / sizeof kSources[0]; ++i) {
    if (source == kSources[i]) return static_cast<uint8_t>(i + 1);
  }
  return 0;
}

// Each distinct string once; strings[0] is "".
class StringTable {
 public:
  StringTable() { add(kEmpty); }
  uint32_t add(const std::string& text) {
    auto [slot, added] = index_.emplace(std::string_view(text), static_cast<uint32_t>(strings_.size()));
    if (added) strings_.push_back(&text);
    return slot->second;
  }
  Napi::Array toJs(Napi::Env env) const {
    Napi::Array out = Napi::Array::New(env, strings_.size());
    for (uint32_t i = 0; i < strings_.size(); ++i) out.Set(i, Napi::String::New(env, *strings_[i]));
    return out;
  }

 private:
  std::unordered_map<std::string_view, uint32_t> index_;  // views into the batch's strings
  std::vector<const std::string*> strings_;
  static inline const std::string kEmpty;
};

class SymbolsWorker final : public PromiseWorker<std::vector<SymbolInfo>> {
 public:
  SymbolsWorker(Napi::Env env, std::shared_ptr<Backend> backend, int pid, std::vector<uint64_t> addresses)
      : PromiseWorker(env, "snapscope.symbolize"), backend_(std::move(backend)), pid_(pid), addresses_(std::move(addresses)) {}

 protected:
  std::vector<SymbolInfo> run() override { return backend_->symbolize(pid_, addresses_); }

  Napi::Value convert(Napi::Env env, std::vector<SymbolInfo>& symbols) override {
    const size_t n = symbols.size();
    size_t inlinedCount = 0;
    for (const SymbolInfo& s : symbols) inlinedCount += s.inlined.size();
    StringTable strings;
    Napi::Uint32Array module = Napi::Uint32Array::New(env, n), modulePath = Napi::Uint32Array::New(env, n);
    Napi::Float64Array moduleOffset = Napi::Float64Array::New(env, n), offset = Napi::Float64Array::New(env, n);
    Napi::Uint32Array function = Napi::Uint32Array::New(env, n), file = Napi::Uint32Array::New(env, n);
    Napi::Uint32Array line = Napi::Uint32Array::New(env, n);
    Napi::Uint8Array source = Napi::Uint8Array::New(env, n), exact = Napi::Uint8Array::New(env, n);
    Napi::Uint32Array inlineStart = Napi::Uint32Array::New(env, n + 1);
    Napi::Uint32Array inlineFunction = Napi::Uint32Array::New(env, inlinedCount);
    Napi::Uint32Array inlineFile = Napi::Uint32Array::New(env, inlinedCount);
    Napi::Uint32Array inlineLine = Napi::Uint32Array::New(env, inlinedCount);
    uint32_t k = 0;
    for (size_t i = 0; i < n; ++i) {
      const SymbolInfo& s = symbols[i];
      module[i] = strings.add(s.module);
      modulePath[i] = strings.add(s.modulePath);
      moduleOffset[i] = static_cast<double>(s.moduleOffset);
      function[i] = strings.add(s.function);
      offset[i] = static_cast<double>(s.offset);
      file[i] = strings.add(s.file);
      line[i] = s.line;
      source[i] = sourceCode(s.source);
      exact[i] = s.exact ? 1 : 0;
      inlineStart[i] = k;
      for (const InlineFrame& frame : s.inlined) {
        inlineFunction[k] = strings.add(frame.function);
        inlineFile[k] = strings.add(frame.file);
        inlineLine[k] = frame.line;
        ++k;
      }
    }
    inlineStart[n] = k;
    Napi::Object batch = Napi::Object::New(env);
    batch.Set("strings", strings.toJs(env));
    batch.Set("module", module);
    batch.Set("modulePath", modulePath);
    batch.Set("moduleOffset", moduleOffset);
    batch.Set("function", function);
    batch.Set("offset", offset);
    batch.Set("file", file);
    batch.Set("line", line);
    batch.Set("source", source);
    batch.Set("exact", exact);
    batch.Set("inlineStart", inlineStart);
    batch.Set("inlineFunction", inlineFunction);
    batch.Set("inlineFile", inlineFile);
    batch.Set("inlineLine", inlineLine);
    return batch;
  }

 private:
  std::shared_ptr<Backend> backend_;
  int pid_;
  std::vector<uint64_t> addresses_;
};

}  // namespace

Napi::Value symbolizeBinding(const Napi::CallbackInfo& info, const std::shared_ptr<Backend>& backend) {
  const int pid = pidArgument(info, "symbolize(pid, addresses)");
  if (info.Length() < 2 || !info[1].IsTypedArray() ||
      info[1].As<Napi::TypedArray>().TypedArrayType() != napi_biguint64_array) {
    throw Napi::TypeError::New(info.Env(), "symbolize(pid, addresses): addresses must be a BigUint64Array");
  }
  Napi::BigUint64Array array = info[1].As<Napi::BigUint64Array>();
  std::vector<uint64_t> addresses(array.Data(), array.Data() + array.ElementLength());
  return (new SymbolsWorker(info.Env(), backend, pid, std::move(addresses)))->start();
}

}  // namespace snapscope
