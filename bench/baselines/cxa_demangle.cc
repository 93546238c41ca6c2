// The symbols benchmark's demangler: each line of stdin (a symbol name) demangled by the C++ ABI's
// abi::__cxa_demangle, the one the addon and eu-addr2line -C use (c++filt's libiberty writes some names
// differently: std::basic_string<char, …> for std::string), or as it came when it is no C++ name.
#include <cxxabi.h>

#include <cstdlib>
#include <iostream>
#include <string>

int main() {
  std::ios::sync_with_stdio(false);
  std::string name;
  while (std::getline(std::cin, name)) {
    int status = 0;
    char* out = abi::__cxa_demangle(name.c_str(), nullptr, nullptr, &status);
    std::cout << (status == 0 && out ? out : name) << '\n';
    std::free(out);
  }
  return 0;
}
