// Placeholder until the watch binding lands.
#include "bindings.h"
namespace snapscope {
Napi::Value startWatchBinding(const Napi::CallbackInfo& info, const std::shared_ptr<Backend>&) {
  throw Napi::Error::New(info.Env(), "startWatch is not implemented yet");
}
}  // namespace snapscope
