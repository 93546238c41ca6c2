// What a block is, from its first words: a C++ object names its class through the vtable pointer in
// its first word (vtable[-1] -> typeinfo -> its mangled name; or, without RTTI, the symbol the
// symbolizer gives the vtable: "vtable for Widget"), and text is recognised as a string.
//
// Runs after the target is resumed: vtables and type names are read-only image data. Bounded: at
// most kMaxCandidates distinct vtable pointers are examined, each with three small reads.
#pragma once

#include <cstdint>
#include <string>
#include <unordered_map>
#include <vector>

#include "../heap/remote_memory.h"
#include "../maps.h"

namespace snapscope::procfs::leaks {

// The type given to a block of text.
inline constexpr const char* kStringType = "string";

class TypeNamer {
 public:
  static constexpr size_t kMaxCandidates = 1 << 16;

  // `names` receives the type names (index 0 must already be "").
  TypeNamer(int pid, const heap::RemoteMemory& memory, const std::vector<Mapping>& maps, std::vector<std::string>& names);

  // Collects the first word of a block to name (call for every block to type, then resolve()).
  void consider(const uint64_t* head);
  // Names the vtables considered.
  void resolve();
  // The type of a block with these first two words and this size: an index into the names, 0 = unknown.
  uint32_t typeOf(const uint64_t* head, uint64_t blockSize);

 private:
  bool inImage(uint64_t address) const;
  std::string classFromRtti(uint64_t vtablePointer) const;
  uint32_t intern(const std::string& name);

  int pid_;
  const heap::RemoteMemory& memory_;
  std::vector<std::pair<uint64_t, uint64_t>> images_;  // readable file-backed mappings, sorted
  std::vector<std::string>& names_;
  std::unordered_map<std::string, uint32_t> nameIndex_;
  std::unordered_map<uint64_t, uint32_t> vtables_;     // first word -> type (0 = not a vtable)
  uint32_t string_ = 0;
};

}  // namespace snapscope::procfs::leaks
