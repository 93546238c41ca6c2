// snapscope_win_tests.exe: the src/win sources without node, under Wine here (on Windows as well).
// Run with --child, it is the idle child process the process tests look at.
#include <cstdio>
#include <cstring>
#include <exception>

#include "../../src/win/win32.h"
#include "check.h"

namespace wintest {
namespace {

const char* current = nullptr;
int currentFailures = 0;

}  // namespace

std::vector<Case>& cases() {
  static std::vector<Case> all;
  return all;
}

void fail(const char* file, int line, const std::string& what) {
  const char* name = std::strrchr(file, '/');
  std::printf("  %s:%d: %s\n", name ? name + 1 : file, line, what.c_str());
  ++currentFailures;
}

}  // namespace wintest

int main(int argc, char** argv) {
  if (argc > 1 && std::strcmp(argv[1], "--child") == 0) {
    ::Sleep(INFINITE);  // ended by the test that started it
    return 0;
  }
  const char* only = argc > 1 ? argv[1] : nullptr;  // a substring of the case names to run
  int passed = 0, failed = 0;
  for (const wintest::Case& c : wintest::cases()) {
    if (only && !std::strstr(c.name, only)) continue;
    wintest::current = c.name;
    wintest::currentFailures = 0;
    try {
      c.run();
    } catch (const snapscope::OsError& e) {
      wintest::fail(__FILE__, __LINE__, "OsError " + e.code + ": " + e.what());
    } catch (const std::exception& e) {
      wintest::fail(__FILE__, __LINE__, std::string("exception: ") + e.what());
    }
    std::printf("%s %s\n", wintest::currentFailures ? "FAIL" : "ok  ", c.name);
    std::fflush(stdout);
    (wintest::currentFailures ? failed : passed)++;
  }
  std::printf("%d passed, %d failed\n", passed, failed);
  return failed ? 1 : 0;
}
