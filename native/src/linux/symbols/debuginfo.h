// Finding an image's separate debug information on this machine only — never the network
// (debuginfod), whatever DEBUGINFOD_URLS says.
#pragma once

#include <elfutils/libdwfl.h>

namespace snapscope::procfs::symbols {

// Dwfl_Callbacks::find_debuginfo. Looks in DEBUGINFO_PATH/.build-id/xx/rest.debug by build-id
// (dwfl_build_id_find_debuginfo, which also finds dwz's .gnu_debugaltlink files), then for the
// .gnu_debuglink name next to the image, in its .debug/ folder and under ROOT/usr/lib/debug/ (ROOT:
// the module's userdata, a const std::string*: "" or /proc/PID/root for another mount namespace).
// A file found by name is used only when its build-id (or, lacking one, CRC) matches.
int findLocalDebuginfo(Dwfl_Module* module, void** userdata, const char* moduleName, Dwarf_Addr base,
                       const char* fileName, const char* debuglink, GElf_Word debuglinkCrc, char** debugFileName);

}  // namespace snapscope::procfs::symbols
