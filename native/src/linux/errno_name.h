// errno values as their symbolic names ("ESRCH"), the form the data contract reports OS codes in.
#pragma once

#include <string>

namespace snapscope::procfs {

// The symbolic name of an errno value; "E<number>" for values it does not know.
std::string errnoName(int err);

// "cannot read /proc/42/exe: Permission denied" style text for an error entry.
std::string describeErrno(const std::string& what, int err);

// Why reading a process's memory (maps, process_vm_readv, ptrace) was refused, and what would allow
// it: "process 42 belongs to uid 0 and this inspector runs as uid 65534: run it as that user or as
// root (or give node CAP_SYS_PTRACE)". Appended to EACCES / EPERM messages.
std::string accessAdvice(int pid);

}  // namespace snapscope::procfs
