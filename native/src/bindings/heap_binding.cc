// Placeholder until the heap walk binding lands.
#include "bindings.h"
namespace snapscope {
Napi::Value heapWalkBinding(const Napi::CallbackInfo& info, const std::shared_ptr<Backend>&) {
  throw Napi::Error::New(info.Env(), "heapWalk is not implemented yet");
}
}  // namespace snapscope
