#include "../../src/win/command_line.h"
#include "check.h"

using snapscope::win::splitCommandLine;
using Args = std::vector<std::string>;

namespace {
std::string join(const Args& args) {
  std::string out;
  for (const std::string& a : args) out += "[" + a + "]";
  return out;
}
}  // namespace

TEST(command_line_splits_like_the_c_runtime) {
  CHECK_EQ(join(splitCommandLine(L"node.exe  cli.js snapshot")), std::string("[node.exe][cli.js][snapshot]"));
  CHECK_EQ(join(splitCommandLine(L"\"C:\\Program Files\\node\\node.exe\" -e \"a b\"")),
           std::string("[C:\\Program Files\\node\\node.exe][-e][a b]"));
  // Backslashes are literal unless they precede a quote.
  CHECK_EQ(join(splitCommandLine(L"x C:\\dir\\ \"C:\\dir\\\\\" a\\\\\\\"b")),
           std::string("[x][C:\\dir\\][C:\\dir\\][a\\\"b]"));
  // "" inside quotes is a quote; an empty quoted argument is kept.
  CHECK_EQ(join(splitCommandLine(L"x \"a\"\"b\" \"\" c")), std::string("[x][a\"b][][c]"));
  // argv[0] takes no escapes: everything up to the closing quote.
  CHECK_EQ(join(splitCommandLine(L"\"C:\\a\\\"b c")), std::string("[C:\\a\\][b][c]"));
  CHECK(splitCommandLine(L"").empty());
  CHECK_EQ(join(splitCommandLine(L"\u00e9t\u00e9.exe \u65e5\u672c")),
           std::string("[\xc3\xa9t\xc3\xa9.exe][\xe6\x97\xa5\xe6\x9c\xac]"));  // UTF-16 in, UTF-8 out
}
