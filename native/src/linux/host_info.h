// What machine and backend a snapshot came from.
#pragma once

#include "../backend.h"

namespace snapscope::procfs {

HostInfo linuxHostInfo();

}  // namespace snapscope::procfs
