// errno values as their symbolic names ("ESRCH"), the form the data contract reports OS codes in.
#pragma once

#include <string>

namespace snapscope::procfs {

// The symbolic name of an errno value; "E<number>" for values it does not know.
std::string errnoName(int err);

// "cannot read /proc/42/exe: Permission denied" style text for an error entry.
std::string describeErrno(const std::string& what, int err);

}  // namespace snapscope::procfs
