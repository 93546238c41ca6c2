#include "demangle.h"

// libiberty is the demangler of binutils and GCC (Debian: libiberty-dev): C++, legacy Rust and Rust v0
// in one, as c++filt prints them; better kept than a Rust demangler of our own.
// libiberty.h declares basename() its own way unless told that <string.h> already does.
#define HAVE_DECL_BASENAME 1
#include <libiberty/demangle.h>

#include <cctype>
#include <cstdlib>
#include <cstring>
#include <memory>

namespace snapscope::procfs::symbols {

namespace {

// "core[5ebe6a3c1a8e0b1f]::fmt" -> "core::fmt": v0 crate disambiguators tell builds apart, not code.
std::string withoutCrateHashes(const char* text) {
  std::string out;
  for (const char* p = text; *p;) {
    if (*p == '[') {
      const char* q = p + 1;
      while (std::isxdigit(static_cast<unsigned char>(*q))) q++;
      if (*q == ']' && q > p + 1) {
        p = q + 1;
        continue;
      }
    }
    out += *p++;
  }
  return out;
}

using Demangled = std::unique_ptr<char, decltype(&std::free)>;

}  // namespace

std::string demangle(const char* versioned) {
  const std::string name(versioned, std::strcspn(versioned, "@"));
  if (name.compare(0, 2, "_R") == 0) {
    // Verbose, as c++filt prints v0 names: const generics keep their type ("<10: usize>").
    Demangled out(cplus_demangle(name.c_str(), DMGL_PARAMS | DMGL_ANSI | DMGL_VERBOSE | DMGL_RUST), &std::free);
    return out ? withoutCrateHashes(out.get()) : name;
  }
  if (name.compare(0, 2, "_Z") != 0) return name;
  // AUTO tries legacy Rust first (its names are valid C++ names too; printed without their ::h<hash>),
  // then C++ (not verbose: std::string, as eu-addr2line -C and __cxa_demangle print it).
  Demangled out(cplus_demangle(name.c_str(), DMGL_PARAMS | DMGL_ANSI | DMGL_AUTO), &std::free);
  return out ? std::string(out.get()) : name;
}

}  // namespace snapscope::procfs::symbols
