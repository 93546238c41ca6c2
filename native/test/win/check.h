// A minimal test harness for snapscope_win_tests.exe (no framework in a mingw cross build): TEST
// registers a case, CHECK* record failures and go on. main() (test_main.cc) prints one line per case
// and ends with "N passed, N failed".
#pragma once

#include <sstream>
#include <string>
#include <vector>

#include "../../src/backend.h"

namespace wintest {

struct Case {
  const char* name;
  void (*run)();
};

std::vector<Case>& cases();
void fail(const char* file, int line, const std::string& what);

struct Register {
  Register(const char* name, void (*run)()) { cases().push_back({name, run}); }
};

template <typename T>
std::string show(const T& value) {
  std::ostringstream out;
  out << value;
  return out.str();
}

}  // namespace wintest

#define TEST(name)                                         \
  static void name();                                      \
  static const wintest::Register name##_case(#name, name); \
  static void name()

#define CHECK(cond)                                             \
  do {                                                          \
    if (!(cond)) wintest::fail(__FILE__, __LINE__, #cond);      \
  } while (0)

#define CHECK_EQ(actual, expected)                                                                  \
  do {                                                                                              \
    const auto& actual_ = (actual);                                                                 \
    const auto& expected_ = (expected);                                                             \
    if (!(actual_ == expected_))                                                                    \
      wintest::fail(__FILE__, __LINE__,                                                             \
                    std::string(#actual " == " #expected ": got ") + wintest::show(actual_) +       \
                        ", expected " + wintest::show(expected_));                                  \
  } while (0)

// `expr` must throw snapscope::OsError with this code.
#define CHECK_OS_ERROR(expr, expectedCode)                                                          \
  do {                                                                                              \
    try {                                                                                           \
      (void)(expr);                                                                                 \
      wintest::fail(__FILE__, __LINE__, std::string("no OsError from ") + #expr);                   \
    } catch (const snapscope::OsError& e) {                                                         \
      if (e.code != (expectedCode))                                                                 \
        wintest::fail(__FILE__, __LINE__, std::string(#expr " threw ") + e.code + ": " + e.what()); \
    }                                                                                               \
  } while (0)
