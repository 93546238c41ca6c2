// Symbol names as people read them: C++ (Itanium ABI) and Rust demangled.
#pragma once

#include <string>

namespace snapscope::procfs::symbols {

// `name` demangled; `name` itself when it is no mangled name (C) or cannot be demangled. Rust's
// legacy mangling is C++-like with a trailing "::h<16 hex digits>" hash, which is dropped.
std::string demangle(const char* name);

}  // namespace snapscope::procfs::symbols
