#include "parts.h"
namespace snapscope::procfs {
std::vector<ModuleInfo> readModules(int pid) { throw OsError("ENOTSUP", pid, "modules", "not yet"); }
std::vector<MemoryRegion> readMemoryRegions(int pid) { throw OsError("ENOTSUP", pid, "regions", "not yet"); }
}  // namespace snapscope::procfs
