#include "debuginfo.h"

#include <elfutils/libdwelf.h>
#include <unistd.h>

#include <array>
#include <cstring>
#include <string>

#include "../fd.h"

namespace snapscope::procfs::symbols {
namespace {

// The CRC-32 (IEEE) that .gnu_debuglink records of the debug file.
uint32_t crc32File(int fd) {
  static const std::array<uint32_t, 256> table = [] {
    std::array<uint32_t, 256> t{};
    for (uint32_t i = 0; i < 256; ++i) {
      uint32_t c = i;
      for (int k = 0; k < 8; ++k) c = (c & 1) ? 0xEDB88320u ^ (c >> 1) : c >> 1;
      t[i] = c;
    }
    return t;
  }();
  uint32_t crc = 0xFFFFFFFFu;
  char buffer[64 * 1024];
  off_t at = 0;
  for (ssize_t n; (n = ::pread(fd, buffer, sizeof buffer, at)) > 0; at += n) {
    for (ssize_t i = 0; i < n; ++i) crc = table[(crc ^ static_cast<unsigned char>(buffer[i])) & 0xFF] ^ (crc >> 8);
  }
  return crc ^ 0xFFFFFFFFu;
}

bool belongsTo(int fd, Dwfl_Module* module, GElf_Word crc) {
  const unsigned char* bits = nullptr;
  GElf_Addr vaddr;
  const int length = dwfl_module_build_id(module, &bits, &vaddr);
  if (length <= 0) return crc32File(fd) == crc;
  Elf* elf = elf_begin(fd, ELF_C_READ_MMAP, nullptr);
  if (elf == nullptr) return false;
  const void* id = nullptr;
  const ssize_t idLength = dwelf_elf_gnu_build_id(elf, &id);
  const bool same = idLength == length && std::memcmp(id, bits, static_cast<size_t>(length)) == 0;
  elf_end(elf);
  return same;
}

}  // namespace

int findLocalDebuginfo(Dwfl_Module* module, void** userdata, const char* moduleName, Dwarf_Addr base,
                       const char* fileName, const char* debuglink, GElf_Word debuglinkCrc, char** debugFileName) {
  const int byId = dwfl_build_id_find_debuginfo(module, userdata, moduleName, base, fileName, debuglink,
                                                debuglinkCrc, debugFileName);
  if (byId >= 0 || debuglink == nullptr || fileName == nullptr || std::strchr(debuglink, '/') != nullptr) return byId;
  const std::string root = *userdata ? *static_cast<const std::string*>(*userdata) : std::string();
  const std::string image(fileName);
  const size_t slash = image.rfind('/');
  const std::string dir = slash == std::string::npos ? "." : image.substr(0, slash);
  // The folder as the process names it (without ROOT), for the /usr/lib/debug mirror of it.
  const std::string ownDir = dir.compare(0, root.size(), root) == 0 ? dir.substr(root.size()) : dir;
  for (const std::string& candidate : {dir + "/" + debuglink, dir + "/.debug/" + debuglink,
                                       root + "/usr/lib/debug" + ownDir + "/" + debuglink}) {
    if (candidate == image) continue;  // an image may name itself (objcopy --add-gnu-debuglink of a copy)
    Fd fd = openAt(AT_FDCWD, candidate.c_str(), O_RDONLY);
    if (!fd || !belongsTo(fd.get(), module, debuglinkCrc)) continue;
    *debugFileName = ::strdup(candidate.c_str());
    return fd.release();
  }
  return -1;
}

}  // namespace snapscope::procfs::symbols
