// Module list: one entry per loaded ELF image, sized from the image's own program headers (the
// span of its PT_LOAD segments, like SizeOfImage) — not from a min..max of its mappings, because
// a process may map part of a file again far away (node does, making a 140 TB "module").
#include <elf.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include "fd.h"
#include "maps.h"
#include "parts.h"

namespace snapscope::procfs {
namespace {

constexpr uint64_t kPage = 4096;

// Where the headers of an image can be read: the target's memory first (the truth, even for a
// replaced file), then the file on disk.
class HeaderSource {
 public:
  HeaderSource(pid_t pid, uint64_t base, const std::string& path, bool fileUsable)
      : pid_(pid), base_(base), path_(path), fileUsable_(fileUsable) {}

  bool read(uint64_t offset, void* out, size_t size) {
    if (readRemote(pid_, base_ + offset, out, size)) return true;
    if (!fileUsable_) return false;
    if (!file_) file_ = openAt(AT_FDCWD, path_.c_str(), O_RDONLY);
    return file_ && ::pread(file_.get(), out, size, static_cast<off_t>(offset)) == static_cast<ssize_t>(size);
  }

 private:
  pid_t pid_;
  uint64_t base_;
  const std::string& path_;
  bool fileUsable_;
  Fd file_;
};

// What the program headers say about an image: the page-rounded span of its PT_LOAD segments, and
// where each executable segment lies relative to the image's first page.
struct ImageHeaders {
  uint64_t span = 0;  // 0 when the headers can't be read or make no sense
  struct Code {
    uint64_t start, end;  // page-rounded, relative to the base
    uint64_t fileOffset;  // page-rounded offset in the file of `start`
  };
  std::vector<Code> code;
};

template <typename Ehdr, typename Phdr>
ImageHeaders readHeaders(HeaderSource& src) {
  Ehdr eh;
  if (!src.read(0, &eh, sizeof eh) || eh.e_phentsize != sizeof(Phdr) || eh.e_phnum == 0 || eh.e_phnum > 512) return {};
  std::vector<Phdr> ph(eh.e_phnum);
  if (!src.read(eh.e_phoff, ph.data(), ph.size() * sizeof(Phdr))) return {};
  uint64_t lo = UINT64_MAX, hi = 0;
  for (const Phdr& p : ph) {
    if (p.p_type != PT_LOAD) continue;
    lo = std::min<uint64_t>(lo, p.p_vaddr & ~(kPage - 1));
    hi = std::max<uint64_t>(hi, (p.p_vaddr + p.p_memsz + kPage - 1) & ~(kPage - 1));
  }
  if (hi <= lo) return {};
  ImageHeaders out;
  out.span = hi - lo;
  for (const Phdr& p : ph) {
    if (p.p_type != PT_LOAD || !(p.p_flags & PF_X)) continue;
    const uint64_t start = (p.p_vaddr & ~(kPage - 1)) - lo;
    out.code.push_back({start, ((p.p_vaddr + p.p_memsz + kPage - 1) & ~(kPage - 1)) - lo, p.p_offset & ~(kPage - 1)});
  }
  return out;
}

enum class Headers { Elf, NotElf, Unreadable };

// The image's program headers; `kind` says whether there were any to read.
ImageHeaders elfHeaders(HeaderSource& src, Headers& kind) {
  unsigned char ident[EI_NIDENT];
  kind = Headers::Unreadable;
  if (!src.read(0, ident, sizeof ident)) return {};
  kind = Headers::NotElf;
  if (std::memcmp(ident, ELFMAG, SELFMAG) != 0) return {};
  kind = Headers::Elf;
  if (ident[EI_CLASS] == ELFCLASS64) return readHeaders<Elf64_Ehdr, Elf64_Phdr>(src);
  if (ident[EI_CLASS] == ELFCLASS32) return readHeaders<Elf32_Ehdr, Elf32_Phdr>(src);
  return {};
}

bool sameFile(const Mapping& a, const Mapping& b) {
  return a.inode == b.inode && a.devMajor == b.devMajor && a.devMinor == b.devMinor && a.path == b.path;
}

// A loader maps an image's code where its headers put it: some executable mapping of the same file
// overlaps an executable segment at the segment's place (the same file offset for the same distance
// from the base). A file mapped as data (a program reading an ELF file with mmap) has none.
bool codeInPlace(const std::vector<Mapping>& maps, const Mapping& first, const ImageHeaders& headers) {
  for (const Mapping& m : maps) {
    if (m.perms[2] != 'x' || m.start < first.start || !sameFile(m, first)) continue;
    const uint64_t at = m.start - first.start;
    for (const ImageHeaders::Code& code : headers.code) {
      if (at < code.end && m.end - first.start > code.start && at - m.offset == code.start - code.fileOffset) return true;
    }
  }
  return false;
}

// When no header can be read (no ptrace access and the file is gone): the run of mappings of the
// same file that starts at the base (up to the next load's), if one of them is executable; 0 otherwise.
uint64_t contiguousSpan(const std::vector<Mapping>& maps, const Mapping& first) {
  uint64_t end = first.start;
  bool executable = false;
  for (const Mapping& m : maps) {
    if (m.start < first.start || !sameFile(m, first)) continue;
    if (m.start != end || (m.offset == 0 && &m != &first)) break;
    end = m.end;
    executable |= m.perms[2] == 'x';
  }
  return executable ? end - first.start : 0;
}

std::string baseName(const std::string& path) {
  size_t slash = path.rfind('/');
  return slash == std::string::npos ? path : path.substr(slash + 1);
}

// Replaced on disk since it was mapped (an upgrade in place): the inode differs.
bool replacedOnDisk(const Mapping& m) {
  struct stat st;
  return ::stat(m.path.c_str(), &st) != 0 || st.st_ino != m.inode;
}

}  // namespace

std::vector<ModuleInfo> readModules(int pid) {
  std::vector<Mapping> maps = readMaps(pid, "modules");
  const int memory = memoryTask(pid);  // process_vm_readv through a live thread if the main one has exited
  std::vector<ModuleInfo> modules;
  // Each offset-0 mapping may begin a load: a file loaded twice (dlmopen into another namespace)
  // is two modules.
  for (const Mapping& m : maps) {
    const bool vdso = m.inode == 0 && m.path == "[vdso]";
    if (m.offset != 0 || (m.inode == 0 && !vdso) || m.path.empty()) continue;
    const bool deleted = !vdso && (m.deleted || replacedOnDisk(m));
    HeaderSource src(memory, m.start, m.path, !vdso && !deleted);
    Headers kind;
    const ImageHeaders headers = elfHeaders(src, kind);
    uint64_t size = headers.span;
    if (kind == Headers::Unreadable) size = contiguousSpan(maps, m);
    else if (!codeInPlace(maps, m, headers)) size = 0;
    if (size == 0) continue;  // a mapped data file (fonts, locale archives, an ELF file read as data …)
    ModuleInfo info;
    info.pid = pid;
    info.moduleName = vdso ? m.path : baseName(m.path);
    info.exePath = vdso ? "" : m.path;
    info.baseAddress = m.start;
    info.baseSize = size;
    info.deleted = deleted;
    modules.push_back(std::move(info));
  }
  return modules;
}

}  // namespace snapscope::procfs
