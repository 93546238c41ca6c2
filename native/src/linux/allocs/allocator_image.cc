#include "allocator_image.h"

#include <gelf.h>
#include <libelf.h>

#include <algorithm>
#include <array>
#include <cstdio>
#include <cstring>

#include <unistd.h>
#include <optional>

#include "../../backend.h"
#include "../errno_name.h"
#include "../fd.h"
#include "../maps.h"

namespace snapscope::procfs::allocs {
namespace {

constexpr size_t kFunctionCount = static_cast<size_t>(AllocFn::Count);

std::string baseName(const std::string& path) {
  const size_t slash = path.rfind('/');
  return slash == std::string::npos ? path : path.substr(slash + 1);
}

// The virtual address of each allocator function an ELF file defines (0 = not defined), and the
// file offset of a virtual address through its PT_LOAD headers.
class ElfSymbols {
 public:
  explicit ElfSymbols(int fd) {
    elf_version(EV_CURRENT);
    elf_ = elf_begin(fd, ELF_C_READ_MMAP, nullptr);
  }
  ~ElfSymbols() {
    if (elf_) elf_end(elf_);
  }
  ElfSymbols(const ElfSymbols&) = delete;
  ElfSymbols& operator=(const ElfSymbols&) = delete;

  bool isElf() const { return elf_ && elf_kind(elf_) == ELF_K_ELF; }

  // From .dynsym, else (a static binary) .symtab: the first table that defines malloc.
  std::array<uint64_t, kFunctionCount> functions() const {
    std::array<uint64_t, kFunctionCount> found{};
    for (const Elf64_Word type : {SHT_DYNSYM, SHT_SYMTAB}) {
      found = table(type);
      if (found[static_cast<size_t>(AllocFn::Malloc)]) break;
    }
    return found;
  }

  std::optional<uint64_t> fileOffset(uint64_t vaddr) const {
    size_t count = 0;
    if (elf_getphdrnum(elf_, &count) != 0) return std::nullopt;
    for (size_t i = 0; i < count; ++i) {
      GElf_Phdr phdr;
      if (!gelf_getphdr(elf_, static_cast<int>(i), &phdr) || phdr.p_type != PT_LOAD) continue;
      if (vaddr >= phdr.p_vaddr && vaddr < phdr.p_vaddr + phdr.p_filesz) return vaddr - phdr.p_vaddr + phdr.p_offset;
    }
    return std::nullopt;
  }

 private:
  std::array<uint64_t, kFunctionCount> table(Elf64_Word type) const {
    std::array<uint64_t, kFunctionCount> found{};
    for (Elf_Scn* scn = elf_nextscn(elf_, nullptr); scn; scn = elf_nextscn(elf_, scn)) {
      GElf_Shdr shdr;
      if (!gelf_getshdr(scn, &shdr) || shdr.sh_type != type || shdr.sh_entsize == 0) continue;
      Elf_Data* data = elf_getdata(scn, nullptr);
      if (!data) continue;
      const size_t n = shdr.sh_size / shdr.sh_entsize;
      for (size_t i = 0; i < n; ++i) {
        GElf_Sym sym;
        if (!gelf_getsym(data, static_cast<int>(i), &sym) || sym.st_shndx == SHN_UNDEF || sym.st_value == 0) continue;
        const int kind = GELF_ST_TYPE(sym.st_info);
        if (kind != STT_FUNC && kind != STT_GNU_IFUNC) continue;
        const int binding = GELF_ST_BIND(sym.st_info);
        if (binding != STB_GLOBAL && binding != STB_WEAK) continue;
        const char* name = elf_strptr(elf_, shdr.sh_link, sym.st_name);
        if (!name) continue;
        for (size_t f = 0; f < kFunctionCount; ++f) {
          if (std::strcmp(name, kAllocFunctions[f]) == 0) found[f] = sym.st_value;
        }
      }
    }
    return found;
  }

  Elf* elf_ = nullptr;
};

struct Candidate {
  const Mapping* first;   // the image's offset-0 mapping
  bool executable;
};

// A path to the file behind `m` that this process (and so the kernel, for the uprobe) can open:
// /proc/PID/map_files/… reaches deleted files and other mount namespaces; the target's root + path
// is the fallback where map_files is not readable.
std::string reachablePath(int pid, const Mapping& m) {
  char range[64];
  std::snprintf(range, sizeof range, "map_files/%lx-%lx", static_cast<unsigned long>(m.start),
                static_cast<unsigned long>(m.end));
  std::string viaMapFiles = memoryFile(pid, range);
  if (Fd(openAt(AT_FDCWD, viaMapFiles.c_str(), O_RDONLY))) return viaMapFiles;
  return "/proc/" + std::to_string(pid) + "/root" + m.path;
}

// Where to place the probe of a function starting at `offset` of the file `fd`: past leading
// instructions that only set flags. The kernel emulates a probed push, jump, call or nop, but
// single-steps any other instruction out of line, a second trap that cost ~45 us per call on the
// machine this was measured on (a VM), against ~1.5 us for an emulated one; glibc's free begins with
// `test %rdi,%rdi` and its memalign family with `cmpb $0,…(%rip)`. Registers and the stack are
// the same there as at the entry, so the arguments, the return address (for the uretprobe) and
// the CFI row are too.
uint64_t probeOffset(int fd, uint64_t offset) {
  unsigned char code[16];
  if (::pread(fd, code, sizeof code, static_cast<off_t>(offset)) != static_cast<ssize_t>(sizeof code)) return offset;
  size_t at = 0;
  for (int skipped = 0; skipped < 2 && at + 8 <= sizeof code; ++skipped) {
    const unsigned char* c = code + at;
    if (c[0] == 0xf3 && c[1] == 0x0f && c[2] == 0x1e && c[3] == 0xfa) {
      at += 4;  // endbr64
    } else if ((c[0] & 0xf0) == 0x40 && c[1] == 0x85 && (c[2] & 0xc0) == 0xc0) {
      at += 3;  // test reg,reg (REX)
    } else if (c[0] == 0x85 && (c[1] & 0xc0) == 0xc0) {
      at += 2;  // test reg,reg
    } else if (c[0] == 0x80 && c[1] == 0x3d) {
      at += 7;  // cmpb $imm8, disp32(%rip)
    } else {
      break;
    }
  }
  return offset + at;
}

bool isLibc(const std::string& path) {
  const std::string name = baseName(path);
  return name.rfind("libc.so", 0) == 0 || name.rfind("libc-", 0) == 0 || name.rfind("ld-musl", 0) == 0;
}

}  // namespace

AllocatorImage findAllocator(int pid) {
  const std::vector<Mapping> maps = readMaps(pid, "allocs");
  if (maps.empty()) {
    throw OsError("ENOTSUP", pid, "allocs", "cannot trace the allocations of pid " + std::to_string(pid) +
                                                ": it has no user memory (a kernel thread)");
  }
  // The executable's path: /proc/PID/exe; its mapping is the first of that path.
  std::string exe;
  {
    char link[4096];
    const std::string path = "/proc/" + std::to_string(pid) + "/exe";
    const ssize_t n = ::readlink(path.c_str(), link, sizeof link - 1);
    if (n > 0) exe.assign(link, static_cast<size_t>(n));
    const std::string deleted = " (deleted)";
    if (exe.size() > deleted.size() && exe.compare(exe.size() - deleted.size(), deleted.size(), deleted) == 0) {
      exe.resize(exe.size() - deleted.size());
    }
  }
  // Search order of the dynamic linker, as far as it matters here: the executable, then any library
  // but libc (a preloaded or linked allocator comes before libc), then libc.
  std::vector<Candidate> order;
  std::vector<const Mapping*> libcs;
  for (const Mapping& m : maps) {
    if (m.offset != 0 || m.inode == 0 || m.path.empty() || m.path[0] != '/') continue;
    if (m.path == exe) {
      order.insert(order.begin(), {&m, true});
    } else if (isLibc(m.path)) {
      libcs.push_back(&m);
    } else {
      order.push_back({&m, false});
    }
  }
  for (const Mapping* m : libcs) order.push_back({m, false});

  std::vector<std::string> unreadable;
  for (const Candidate& candidate : order) {
    const Mapping& m = *candidate.first;
    const std::string path = reachablePath(pid, m);
    Fd fd = openAt(AT_FDCWD, path.c_str(), O_RDONLY);
    if (!fd) {
      unreadable.push_back(m.path + " (" + errnoName(errno) + ")");
      continue;
    }
    ElfSymbols elf(fd.get());
    if (!elf.isElf()) continue;
    const auto functions = elf.functions();
    if (!functions[static_cast<size_t>(AllocFn::Malloc)] || !functions[static_cast<size_t>(AllocFn::Free)]) continue;
    AllocatorImage image;
    image.probePath = path;
    image.path = m.path;
    image.mechanism = candidate.executable ? "uprobes-exe" : isLibc(m.path) && baseName(m.path).rfind("libc", 0) == 0
                                                                 ? "uprobes-glibc"
                                                                 : "uprobes-lib";
    for (size_t f = 0; f < kFunctionCount; ++f) {
      if (!functions[f]) continue;
      std::optional<uint64_t> offset = elf.fileOffset(functions[f]);
      if (!offset) continue;
      offset = probeOffset(fd.get(), *offset);
      const bool alias = std::any_of(image.sites.begin(), image.sites.end(),
                                     [&](const ProbeSite& s) { return s.fileOffset == *offset; });
      if (!alias) image.sites.push_back({static_cast<AllocFn>(f), *offset});
    }
    return image;
  }
  std::string message = "cannot trace the allocations of pid " + std::to_string(pid) +
                        ": no image it maps defines malloc and free in its symbol tables (an allocator with other "
                        "entry points, or a stripped static binary, is not supported)";
  if (!unreadable.empty()) {
    message += "; could not open";
    for (const std::string& u : unreadable) message += " " + u;
  }
  throw OsError("ENOTSUP", pid, "allocs", message);
}

}  // namespace snapscope::procfs::allocs
