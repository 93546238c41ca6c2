// LinuxBackend::symbolize: which image of the process holds each address, then that image's answer.
#include <sys/stat.h>

#include <algorithm>
#include <cstdio>
#include <unordered_map>

#include "../maps.h"
#include "../parts.h"
#include "image_cache.h"
#include "perf_map.h"

namespace snapscope::procfs {
namespace {

// Which mappings are one image: each one's group is the offset-0 mapping of the same file at or below
// it (a loader maps an image's first page first), else itself; -1 for a mapping of no file. An
// address's place in the image comes from its own mapping (Image::moduleOffsetOf): a file may be
// mapped again elsewhere (node remaps its code).
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

// "" when the target sees the files we see (the same mount namespace and root); else
// /proc/PID/root, through which its files (another mount namespace, a chroot) are reached. Both
// are read through a live thread when the main one has exited (memoryFile).
std::string rootOf(int pid) {
  const std::string root = memoryFile(pid, "root");
  struct stat theirs, ours;
  const bool sameNamespace = ::stat(memoryFile(pid, "ns/mnt").c_str(), &theirs) == 0 &&
                             ::stat("/proc/self/ns/mnt", &ours) == 0 && theirs.st_ino == ours.st_ino &&
                             theirs.st_dev == ours.st_dev;
  const bool sameRoot = ::stat(root.c_str(), &theirs) == 0 && ::stat("/", &ours) == 0 &&
                        theirs.st_ino == ours.st_ino && theirs.st_dev == ours.st_dev;
  return sameNamespace && sameRoot ? "" : root;
}

std::string baseName(const std::string& path) {
  const size_t slash = path.rfind('/');
  return slash == std::string::npos ? path : path.substr(slash + 1);
}

// The file behind mapping `m`: through map_files (deleted files and other namespaces too; root
// only, and not once the main thread has exited: threads have no map_files), else by path through
// the target's root when that is still the mapped file (its inode).
Fd openImage(int pid, const Mapping& m, const std::string& root) {
  char file[80];
  std::snprintf(file, sizeof file, "/proc/%d/map_files/%lx-%lx", pid, static_cast<unsigned long>(m.start),
                static_cast<unsigned long>(m.end));
  Fd fd = openAt(AT_FDCWD, file, O_RDONLY);
  if (fd || m.deleted) return fd;
  fd = openAt(AT_FDCWD, (root + m.path).c_str(), O_RDONLY);
  struct stat st;
  if (fd && (::fstat(fd.get(), &st) != 0 || st.st_ino != m.inode)) fd.reset();  // replaced since
  return fd;
}

// The vdso has no file: its image is read from the process (a page or two).
std::shared_ptr<symbols::Image> vdsoImage(int pid, const Mapping& m) {
  constexpr uint64_t kMaxVdso = 1 << 20;
  if (m.end - m.start > kMaxVdso) return nullptr;
  std::string bytes(m.end - m.start, '\0');
  if (!readRemote(memoryTask(pid), m.start, bytes.data(), bytes.size())) return nullptr;
  return symbols::cachedMemoryImage(bytes, m.path);
}

// Addresses in no image, named by the process's perf map. The map's addresses are absolute: its
// module is the map file (perf-PID.map, as perf reports JIT code) at base 0.
void namePerfMapped(int pid, const std::vector<uint32_t>& indices, SymbolBatch& batch, BatchStrings& strings) {
  const symbols::PerfMapFile perf = symbols::perfMapOf(pid);
  if (!perf.map) return;
  const uint32_t module = strings.add(baseName(perf.path));
  const uint32_t modulePath = strings.add(perf.path);
  const uint8_t source = symbolSourceCode("perf-map");
  for (const uint32_t i : indices) {
    const uint64_t address = batch.address[i];
    const symbols::PerfMap::Entry* entry = perf.map->find(address);
    if (entry == nullptr) continue;
    batch.module[i] = module;
    batch.modulePath[i] = modulePath;
    batch.moduleOffset[i] = address;
    batch.function[i] = strings.add(std::string(perf.map->name(*entry)));
    batch.offset[i] = address - entry->start;
    batch.source[i] = source;
    batch.exact[i] = 1;
  }
}

}  // namespace

SymbolBatch symbolizeBatch(int pid, const std::vector<uint64_t>& addresses) {
  const std::vector<Mapping> maps = readMaps(pid, "symbols");
  const std::vector<int> bases = imageBases(maps);
  SymbolBatch batch(addresses.size());
  batch.address = addresses;
  std::vector<std::vector<uint32_t>> byImage(maps.size());  // group mapping -> indices of its addresses
  std::vector<uint32_t> mappingOf(addresses.size());       // the mapping holding each address
  std::vector<uint32_t> outside;                            // in no image: JIT code, perhaps
  for (uint32_t i = 0; i < addresses.size(); ++i) {
    const uint64_t address = addresses[i];
    auto after = std::upper_bound(maps.begin(), maps.end(), address,
                                  [](uint64_t a, const Mapping& m) { return a < m.start; });
    const size_t at = static_cast<size_t>(after - maps.begin()) - 1;
    if (after == maps.begin() || address >= maps[at].end || bases[at] < 0) {
      outside.push_back(i);
      continue;
    }
    byImage[static_cast<size_t>(bases[at])].push_back(i);
    mappingOf[i] = static_cast<uint32_t>(at);
  }
  BatchStrings strings(batch);
  if (!outside.empty()) namePerfMapped(pid, outside, batch, strings);
  symbols::PooledStrings pooled(batch, addresses.size());
  symbols::PendingInlines inlines(addresses.size());
  const std::string root = outside.size() == addresses.size() ? "" : rootOf(pid);
  for (size_t baseIndex = 0; baseIndex < maps.size(); ++baseIndex) {
    const std::vector<uint32_t>& indices = byImage[baseIndex];
    if (indices.empty()) continue;
    const Mapping& first = maps[baseIndex];
    const bool vdso = first.inode == 0;
    const uint32_t module = strings.add(vdso ? first.path : baseName(first.path));
    const uint32_t modulePath = strings.add(vdso ? "" : first.path);
    std::shared_ptr<symbols::Image> image = vdso ? vdsoImage(pid, first) : nullptr;
    if (!vdso) {
      Fd fd = openImage(pid, first, root);
      if (fd) image = symbols::cachedImage(std::move(fd), root + first.path, root);
    }
    for (const uint32_t i : indices) {
      const Mapping& m = maps[mappingOf[i]];
      batch.module[i] = module;
      batch.modulePath[i] = modulePath;
      // Unreadable image: its offset from the group's first mapping is all there is.
      batch.moduleOffset[i] = image ? image->moduleOffsetOf(addresses[i] - m.start + m.offset, m.offset, addresses[i] - first.start)
                                    : addresses[i] - first.start;
    }
    if (image) image->resolve(indices, batch, pooled, inlines);
  }
  for (size_t i = 0; i < addresses.size(); ++i) {
    const uint32_t* frame = inlines.frames.data() + 3 * static_cast<size_t>(inlines.first[i]);
    for (uint32_t k = 0; k < inlines.count[i]; ++k, frame += 3) {
      batch.inlineFunction.push_back(frame[0]);
      batch.inlineFile.push_back(frame[1]);
      batch.inlineLine.push_back(frame[2]);
    }
    batch.inlineStart.push_back(static_cast<uint32_t>(batch.inlineFunction.size()));
  }
  return batch;
}

}  // namespace snapscope::procfs
