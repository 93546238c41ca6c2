// LinuxBackend::symbolize: which image of the process holds each address, then that image's answer.
#include <sys/stat.h>

#include <algorithm>
#include <unordered_map>

#include "../maps.h"
#include "../parts.h"
#include "image_cache.h"

namespace snapscope::procfs {
namespace {

// Where each mapping's image begins: the offset-0 mapping of the same file at or below it (a loader
// maps an image's first page first); -1 for a mapping of no file.
std::vector<int> imageBases(const std::vector<Mapping>& maps) {
  std::vector<int> base(maps.size(), -1);
  std::unordered_map<uint64_t, int> lastStart;  // by inode: the latest offset-0 mapping seen
  for (size_t i = 0; i < maps.size(); ++i) {
    const Mapping& m = maps[i];
    if (m.inode == 0 && m.path != "[vdso]") continue;
    if (m.offset == 0) {
      lastStart[m.inode] = static_cast<int>(i);
      base[i] = static_cast<int>(i);
      continue;
    }
    auto found = lastStart.find(m.inode);
    const bool sameFile = found != lastStart.end() && maps[found->second].path == m.path &&
                          maps[found->second].devMajor == m.devMajor && maps[found->second].devMinor == m.devMinor;
    base[i] = sameFile ? found->second : static_cast<int>(i);
  }
  return base;
}

// "" when the target sees the same root as we do; else /proc/PID/root, through which its files
// (another mount namespace, a chroot) are reached.
std::string rootOf(int pid) {
  const std::string root = "/proc/" + std::to_string(pid) + "/root";
  struct stat theirs, ours;
  if (::stat(root.c_str(), &theirs) != 0 || ::stat("/", &ours) != 0) return "";
  return theirs.st_dev == ours.st_dev && theirs.st_ino == ours.st_ino ? "" : root;
}

std::string baseName(const std::string& path) {
  const size_t slash = path.rfind('/');
  return slash == std::string::npos ? path : path.substr(slash + 1);
}

// The file behind mapping `m`: through map_files (works for deleted files and other namespaces),
// else by path through the target's root.
Fd openImage(int pid, const Mapping& m, const std::string& root) {
  char range[40];
  std::snprintf(range, sizeof range, "map_files/%lx-%lx", static_cast<unsigned long>(m.start),
                static_cast<unsigned long>(m.end));
  Fd fd = openAt(AT_FDCWD, memoryFile(pid, range).c_str(), O_RDONLY);
  if (!fd && !m.deleted) fd = openAt(AT_FDCWD, ((root.empty() ? "" : root) + m.path).c_str(), O_RDONLY);
  return fd;
}

}  // namespace

std::vector<SymbolInfo> symbolize(int pid, const std::vector<uint64_t>& addresses) {
  const std::vector<Mapping> maps = readMaps(pid, "symbols");
  const std::vector<int> bases = imageBases(maps);
  std::vector<SymbolInfo> out(addresses.size());
  std::unordered_map<int, std::vector<uint32_t>> byImage;  // base mapping -> indices of its addresses
  for (uint32_t i = 0; i < addresses.size(); ++i) {
    const uint64_t address = addresses[i];
    out[i].address = address;
    auto after = std::upper_bound(maps.begin(), maps.end(), address,
                                  [](uint64_t a, const Mapping& m) { return a < m.start; });
    if (after == maps.begin()) continue;
    const size_t at = static_cast<size_t>(after - maps.begin()) - 1;
    if (address >= maps[at].end || bases[at] < 0) continue;
    byImage[bases[at]].push_back(i);
  }
  const std::string root = byImage.empty() ? "" : rootOf(pid);
  for (const auto& [baseIndex, indices] : byImage) {
    const Mapping& first = maps[static_cast<size_t>(baseIndex)];
    const bool vdso = first.inode == 0;
    const std::string module = vdso ? first.path : baseName(first.path);
    const std::string modulePath = vdso ? "" : first.path;
    for (const uint32_t i : indices) {
      out[i].module = module;
      out[i].modulePath = modulePath;
      out[i].moduleOffset = addresses[i] - first.start;
    }
    if (vdso) continue;
    Fd fd = openImage(pid, first, root);
    if (!fd) continue;
    std::shared_ptr<symbols::Image> image = symbols::cachedImage(std::move(fd), root + first.path, root);
    if (image) image->resolve(addresses, indices, first.start, out);
  }
  return out;
}

}  // namespace snapscope::procfs
