#include "block_types.h"

#include <algorithm>
#include <cstring>

#include "../parts.h"
#include "../symbols/demangle.h"

namespace snapscope::procfs::leaks {
namespace {

constexpr size_t kMaxTypeName = 512;
constexpr size_t kMinText = 4;

bool isMangledTypeChar(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_'; }
bool isText(unsigned char c) { return (c >= 0x20 && c < 0x7f) || c == '\t' || c == '\n' || c == '\r'; }

// "vtable for Widget" -> "Widget"; "" for any other name.
std::string classOfVtableName(const std::string& name) {
  static const std::string kPrefix = "vtable for ";
  return name.compare(0, kPrefix.size(), kPrefix) == 0 && name.size() > kPrefix.size() ? name.substr(kPrefix.size()) : "";
}

}  // namespace

TypeNamer::TypeNamer(int pid, const heap::RemoteMemory& memory, const std::vector<Mapping>& maps, std::vector<std::string>& names)
    : pid_(pid), memory_(memory), names_(names) {
  for (const Mapping& m : maps) {
    if (!m.path.empty() && m.path[0] == '/' && !m.perms.empty() && m.perms[0] == 'r') images_.push_back({m.start, m.end});
  }
  for (uint32_t i = 0; i < names_.size(); ++i) nameIndex_.emplace(names_[i], i);
}

bool TypeNamer::inImage(uint64_t address) const {
  auto it = std::upper_bound(images_.begin(), images_.end(), std::make_pair(address, UINT64_MAX));
  return it != images_.begin() && address < std::prev(it)->second;
}

uint32_t TypeNamer::intern(const std::string& name) {
  auto [slot, added] = nameIndex_.emplace(name, static_cast<uint32_t>(names_.size()));
  if (added) names_.push_back(name);
  return slot->second;
}

void TypeNamer::consider(const uint64_t* head) {
  const uint64_t word = head[0];
  if ((word & 7) != 0 || vtables_.size() >= kMaxCandidates || !inImage(word)) return;
  vtables_.emplace(word, 0);
}

// The Itanium ABI: vtable[-1] is the typeinfo, whose second word is its mangled name ("6Widget").
std::string TypeNamer::classFromRtti(uint64_t vtablePointer) const {
  uint64_t typeinfo = 0, name = 0;
  if (!memory_.readU64(vtablePointer - 8, typeinfo, "a vtable") || (typeinfo & 7) != 0 || !inImage(typeinfo) ||
      !memory_.readU64(typeinfo + 8, name, "a typeinfo") || !inImage(name))
    return "";
  char text[kMaxTypeName + 1];
  const size_t got = memory_.readSome(name, text, kMaxTypeName, "a type name");
  size_t n = 0;
  while (n < got && isMangledTypeChar(text[n])) ++n;
  if (n == 0 || n == got || text[n] != '\0') return "";
  text[n] = '\0';
  return classOfVtableName(symbols::demangle(("_ZTV" + std::string(text)).c_str()));
}

void TypeNamer::resolve() {
  std::vector<uint64_t> unnamed;
  for (auto& [word, type] : vtables_) {
    const std::string name = classFromRtti(word);
    if (!name.empty()) type = intern(name);
    else unnamed.push_back(word);
  }
  if (unnamed.empty()) return;
  // Without RTTI (-fno-rtti) vtable[-1] is 0: the symbol table may still name the vtable.
  try {
    std::sort(unnamed.begin(), unnamed.end());
    const SymbolBatch batch = symbolizeBatch(pid_, unnamed);
    for (size_t i = 0; i < batch.size(); ++i) {
      const std::string name = classOfVtableName(std::string(batch.strings[batch.function[i]]));
      if (!name.empty()) vtables_[batch.address[i]] = intern(name);
    }
  } catch (const OsError&) {
    // The process is gone: the blocks keep the types RTTI gave them.
  }
}

uint32_t TypeNamer::typeOf(const uint64_t* head, uint64_t blockSize) {
  auto it = vtables_.find(head[0]);
  if (it != vtables_.end() && it->second != 0) return it->second;
  unsigned char bytes[16];
  std::memcpy(bytes, head, sizeof bytes);
  const size_t limit = static_cast<size_t>(std::min<uint64_t>(blockSize, sizeof bytes));
  size_t n = 0;
  while (n < limit && isText(bytes[n])) ++n;
  if (n >= kMinText && (n == limit || bytes[n] == 0)) {
    if (string_ == 0) string_ = intern(kStringType);
    return string_;
  }
  return 0;
}

}  // namespace snapscope::procfs::leaks
