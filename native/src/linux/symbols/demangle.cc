#include "demangle.h"

#include <cxxabi.h>

#include <cstdlib>
#include <cstring>
#include <memory>

namespace snapscope::procfs::symbols {
namespace {

bool isHex(char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'); }

// "core::fmt::write::h0123456789abcdef" -> "core::fmt::write" (legacy Rust symbols end with a hash).
void dropRustHash(std::string& name) {
  constexpr size_t kHash = 3 + 16;  // "::h" + 16 hex digits
  if (name.size() <= kHash) return;
  const size_t at = name.size() - kHash;
  if (name.compare(at, 3, "::h") != 0) return;
  for (size_t i = at + 3; i < name.size(); ++i) {
    if (!isHex(name[i])) return;
  }
  name.resize(at);
}

}  // namespace

std::string demangle(const char* name) {
  if (std::strncmp(name, "_Z", 2) != 0) return name;
  int status = 0;
  std::unique_ptr<char, decltype(&std::free)> out(abi::__cxa_demangle(name, nullptr, nullptr, &status), &std::free);
  if (status != 0 || !out) return name;
  std::string result(out.get());
  // Legacy Rust mangling is _ZN…17h<hash>E: only Rust puts that hash last.
  if (std::strncmp(name, "_ZN", 3) == 0) dropRustHash(result);
  return result;
}

}  // namespace snapscope::procfs::symbols
