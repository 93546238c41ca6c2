// symbolize(pid, addresses): names of code addresses, on a worker thread, as one columnar batch
// (typed arrays + a string table interned per call), so 100k addresses cost a few JS objects.
#include <cstring>

#include "promise_worker.h"

namespace snapscope {
namespace {

template <typename Array, typename T>
Array typedArray(Napi::Env env, const std::vector<T>& values) {
  Array array = Array::New(env, values.size());
  if (!values.empty()) std::memcpy(array.Data(), values.data(), values.size() * sizeof(T));
  return array;
}

// Offsets go to JS as doubles: exact below 2^53, far above any module's size.
Napi::Float64Array doubles(Napi::Env env, const std::vector<uint64_t>& values) {
  Napi::Float64Array array = Napi::Float64Array::New(env, values.size());
  for (size_t i = 0; i < values.size(); ++i) array[i] = static_cast<double>(values[i]);
  return array;
}

// Names are nearly all ASCII: made as latin1 (a plain copy, no UTF-8 decoding), the rest as UTF-8.
Napi::Value jsString(Napi::Env env, std::string_view text) {
  bool ascii = true;
  for (const char c : text) ascii &= static_cast<unsigned char>(c) < 0x80;
  if (!ascii) return Napi::String::New(env, text.data(), text.size());
  napi_value value;
  NAPI_THROW_IF_FAILED(env, napi_create_string_latin1(env, text.data(), text.size(), &value), Napi::Value());
  return Napi::Value(env, value);
}

class SymbolsWorker final : public PromiseWorker<SymbolBatch> {
 public:
  SymbolsWorker(Napi::Env env, std::shared_ptr<Backend> backend, int pid, std::vector<uint64_t> addresses)
      : PromiseWorker(env, "snapscope.symbolize"), backend_(std::move(backend)), pid_(pid), addresses_(std::move(addresses)) {}

 protected:
  SymbolBatch run() override { return backend_->symbolizeBatch(pid_, addresses_); }

  Napi::Value convert(Napi::Env env, SymbolBatch& batch) override {
    Napi::Array strings = Napi::Array::New(env, batch.strings.size());
    for (uint32_t i = 0; i < batch.strings.size(); ++i) strings.Set(i, jsString(env, batch.strings[i]));
    Napi::Object out = Napi::Object::New(env);
    out.Set("strings", strings);
    out.Set("module", typedArray<Napi::Uint32Array>(env, batch.module));
    out.Set("modulePath", typedArray<Napi::Uint32Array>(env, batch.modulePath));
    out.Set("moduleOffset", doubles(env, batch.moduleOffset));
    out.Set("function", typedArray<Napi::Uint32Array>(env, batch.function));
    out.Set("offset", doubles(env, batch.offset));
    out.Set("file", typedArray<Napi::Uint32Array>(env, batch.file));
    out.Set("line", typedArray<Napi::Uint32Array>(env, batch.line));
    out.Set("source", typedArray<Napi::Uint8Array>(env, batch.source));
    out.Set("exact", typedArray<Napi::Uint8Array>(env, batch.exact));
    out.Set("inlineStart", typedArray<Napi::Uint32Array>(env, batch.inlineStart));
    out.Set("inlineFunction", typedArray<Napi::Uint32Array>(env, batch.inlineFunction));
    out.Set("inlineFile", typedArray<Napi::Uint32Array>(env, batch.inlineFile));
    out.Set("inlineLine", typedArray<Napi::Uint32Array>(env, batch.inlineLine));
    return out;
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
