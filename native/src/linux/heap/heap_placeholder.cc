// Placeholder until the heap walker lands (replaced by the heap/ sources).
#include "../parts.h"

namespace snapscope::procfs {
std::vector<HeapListInfo> listHeaps(int pid) { throw OsError("ENOTSUP", pid, "heaplist", "heap lists are not implemented yet"); }
HeapWalkResult walkHeaps(const HeapWalkRequest& r, const ProgressFn&, const std::atomic<bool>&) {
  throw OsError("ENOTSUP", r.pid, "heap", "heap walks are not implemented yet");
}
}  // namespace snapscope::procfs
