#include "image_cache.h"

#include <elfutils/libdwelf.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstring>

#include <unordered_map>

namespace snapscope::procfs::symbols {
namespace {

constexpr size_t kMaxImages = 256;

struct FileId {
  dev_t device;
  ino_t inode;
  off_t size;
  int64_t mtimeNs;
  bool operator==(const FileId& other) const {
    return device == other.device && inode == other.inode && size == other.size && mtimeNs == other.mtimeNs;
  }
};

struct FileIdHash {
  size_t operator()(const FileId& id) const {
    uint64_t h = static_cast<uint64_t>(id.inode) * 0x9E3779B97F4A7C15ull;
    h ^= static_cast<uint64_t>(id.device) + 0x632BE59BD9B4E019ull + (h << 6) + (h >> 2);
    h ^= static_cast<uint64_t>(id.size) + (static_cast<uint64_t>(id.mtimeNs) << 1) + (h << 6) + (h >> 2);
    return static_cast<size_t>(h);
  }
};

class ImageCache {
 public:
  // `open` makes the image on a miss; it runs outside the lock, so other lookups go on meanwhile
  // (two threads may both open a new file; the first one in wins).
  template <typename Open>
  std::shared_ptr<Image> get(const FileId& id, Open open) {
    {
      std::lock_guard<std::mutex> lock(mutex_);
      auto found = byFile_.find(id);
      if (found != byFile_.end()) {
        found->second.lastUse = ++clock_;
        return found->second.image;
      }
    }
    std::shared_ptr<Image> image = open();
    std::lock_guard<std::mutex> lock(mutex_);
    if (image && !image->buildId().empty()) {
      auto same = byBuildId_.find(image->buildId());
      if (same != byBuildId_.end()) {
        if (std::shared_ptr<Image> existing = same->second.lock()) image = std::move(existing);
      }
      byBuildId_[image->buildId()] = image;
    }
    auto [slot, added] = byFile_.emplace(id, Slot{image, ++clock_});
    if (added) evict();
    return slot->second.image;
  }

 private:
  struct Slot {
    std::shared_ptr<Image> image;
    uint64_t lastUse;
  };

  void evict() {
    while (byFile_.size() > kMaxImages) {
      auto oldest = byFile_.begin();
      for (auto it = byFile_.begin(); it != byFile_.end(); ++it) {
        if (it->second.lastUse < oldest->second.lastUse) oldest = it;
      }
      byFile_.erase(oldest);
    }
    for (auto it = byBuildId_.begin(); it != byBuildId_.end();) it = it->second.expired() ? byBuildId_.erase(it) : std::next(it);
  }

  std::mutex mutex_;
  uint64_t clock_ = 0;
  std::unordered_map<FileId, Slot, FileIdHash> byFile_;
  std::unordered_map<std::string, std::weak_ptr<Image>> byBuildId_;
};

ImageCache& cache() {
  static ImageCache* cache = new ImageCache();  // never destroyed: worker threads may outlive statics
  return *cache;
}

}  // namespace

std::shared_ptr<Image> cachedImage(Fd fd, const std::string& fileName, const std::string& root) {
  struct stat st;
  if (::fstat(fd.get(), &st) != 0) return nullptr;
  const FileId id{st.st_dev, st.st_ino, st.st_size, st.st_mtim.tv_sec * 1000000000LL + st.st_mtim.tv_nsec};
  return cache().get(id, [&] { return Image::open(std::move(fd), fileName, root); });
}

std::shared_ptr<Image> cachedMemoryImage(const std::string& bytes, const std::string& name) {
  Elf* elf = elf_memory(const_cast<char*>(bytes.data()), bytes.size());
  if (elf == nullptr) return nullptr;
  const void* bits = nullptr;
  const ssize_t length = dwelf_elf_gnu_build_id(elf, &bits);
  std::string buildId = length > 0 ? std::string(static_cast<const char*>(bits), static_cast<size_t>(length)) : "";
  elf_end(elf);
  if (buildId.size() < 16) return nullptr;
  // No file: the identity is made of the build-id (device 0 is no filesystem's).
  FileId id{0, 0, static_cast<off_t>(bytes.size()), 0};
  std::memcpy(&id.inode, buildId.data(), sizeof id.inode);
  std::memcpy(&id.mtimeNs, buildId.data() + 8, sizeof id.mtimeNs);
  return cache().get(id, [&]() -> std::shared_ptr<Image> {
    Fd fd(::memfd_create("snapscope-image", MFD_CLOEXEC));
    if (!fd || ::write(fd.get(), bytes.data(), bytes.size()) != static_cast<ssize_t>(bytes.size())) return nullptr;
    return Image::open(std::move(fd), name, "");
  });
}

}  // namespace snapscope::procfs::symbols
