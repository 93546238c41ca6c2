// Rust symbol names: the v0 mangling (_R…, the standard library's since 2025) demangled as
// rustc-demangle's alternate form prints them (no crate hashes), and legacy names (_ZN…17h<hash>E,
// which __cxa_demangle reads) cleaned of their hash and $…$ escapes.
#pragma once

#include <optional>
#include <string>

namespace snapscope::procfs::symbols {

// The demangled v0 name; nullopt when `name` is no valid v0 symbol (or too deep or long to print).
std::optional<std::string> demangleRustV0(const std::string& name);

// A legacy Rust name as __cxa_demangle printed it ("a::_$LT$b..C$GT$::f::h0123456789abcdef"), as
// Rust writes it ("a::<b::C>::f"); nullopt when it carries no Rust hash (then it is C++).
std::optional<std::string> cleanRustLegacy(const std::string& demangled);

}  // namespace snapscope::procfs::symbols
