#include "demangle.h"

#include "rust_demangle.h"

#include <cxxabi.h>

#include <cstdlib>
#include <cstring>
#include <memory>

namespace snapscope::procfs::symbols {

std::string demangle(const char* versioned) {
  const std::string name(versioned, std::strcspn(versioned, "@"));
  if (name.compare(0, 2, "_R") == 0) return demangleRustV0(name).value_or(name);
  if (name.compare(0, 2, "_Z") != 0) return name;
  int status = 0;
  std::unique_ptr<char, decltype(&std::free)> out(abi::__cxa_demangle(name.c_str(), nullptr, nullptr, &status), &std::free);
  if (status != 0 || !out) return name;
  std::string result(out.get());
  // Legacy Rust mangling is _ZN…17h<hash>E: only Rust puts that hash last.
  if (name.compare(0, 3, "_ZN") == 0) return cleanRustLegacy(result).value_or(result);
  return result;
}

}  // namespace snapscope::procfs::symbols
