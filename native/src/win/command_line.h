// A Windows command line split into argv the way the C runtime (and CommandLineToArgvW) splits it,
// so `cmdline` has the same shape as on Linux: the arguments the program itself sees.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace snapscope::win {

std::vector<std::string> splitCommandLine(std::wstring_view line);

}  // namespace snapscope::win
