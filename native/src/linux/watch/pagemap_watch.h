// The fallback working-set watch when perf events are not allowed: every 50 ms or so, read the
// present bits of /proc/PID/pagemap over the process's mappings and report each page that became
// present since the previous scan as a fault {pc: 0, va: page, tid: 0, t: scan time}.
//
// What it cannot see: the faulting pc and thread, the order of faults within one interval, and a
// page that became present and went away again between two scans. It never reports `lost`, not
// because nothing was missed but because it cannot know.
#pragma once

#include <memory>

#include "../../backend.h"

namespace snapscope::procfs::watch {

// Opens /proc/PID/maps and /proc/PID/pagemap and takes the baseline scan (pages present now are not
// faults). Throws SysError (EACCES when the process can't be read: another user's, or ptrace
// restrictions; ESRCH when it is gone).
std::unique_ptr<WsWatch> openPagemapWatch(int pid);

}  // namespace snapscope::procfs::watch
