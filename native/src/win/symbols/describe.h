// What dbghelp says one address of a loaded module is: function, file and line, the frames inlined
// there, and where the name came from. Use with dbghelpMutex() held.
#pragma once

#include "../../backend.h"
#include "session.h"

namespace snapscope::win::symbols {

// Fills function, offset, file, line, inlined, source and exact of `info` (address and the module
// fields are the caller's). A symbol never lies: a name is given only when its symbol covers the
// address, by its size or by the .pdata range that starts where it does; else module+offset only.
void describe(Session& session, LoadedModule& module, uint64_t address, SymbolInfo& info);

}  // namespace snapscope::win::symbols
