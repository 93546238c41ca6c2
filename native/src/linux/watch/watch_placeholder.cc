// Placeholder until the working-set watch lands (replaced by the watch/ sources).
#include "../parts.h"

namespace snapscope::procfs {
std::unique_ptr<WsWatch> startWatch(const WatchRequest& r) {
  throw OsError("ENOTSUP", r.pid, "watch", "the working-set watch is not implemented yet");
}
}  // namespace snapscope::procfs
