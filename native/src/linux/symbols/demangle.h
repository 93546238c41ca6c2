// Symbol names as people read them: C++ (Itanium ABI) and Rust demangled.
#pragma once

#include <string>

namespace snapscope::procfs::symbols {

// `name` demangled (C++, Rust v0 and legacy: see rust_demangle.h), without a symbol version
// (foo@GLIBC_2.2, _ZNSt…@@GLIBCXX_3.4); `name` itself when it is no mangled name (C) or cannot be
// demangled.
std::string demangle(const char* name);

}  // namespace snapscope::procfs::symbols
