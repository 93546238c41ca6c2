#include "perf_map.h"

#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cstring>
#include <list>
#include <mutex>

#include "../fd.h"

namespace snapscope::procfs::symbols {
namespace {

constexpr size_t kCachedMaps = 8;
// Stale entries overlapping newer code are looked past up to this many.
constexpr int kLookBack = 16;

// A hex number with an optional 0x; false when there is none or it overflows.
bool hexNumber(std::string_view& text, uint64_t& value) {
  if (text.size() > 2 && text[0] == '0' && (text[1] | 0x20) == 'x') text.remove_prefix(2);
  size_t digits = 0;
  value = 0;
  for (; digits < text.size(); ++digits) {
    const char c = text[digits];
    const int d = c >= '0' && c <= '9' ? c - '0' : (c | 0x20) >= 'a' && (c | 0x20) <= 'f' ? (c | 0x20) - 'a' + 10 : -1;
    if (d < 0) break;
    if (value >> 60) return false;
    value = value * 16 + static_cast<uint64_t>(d);
  }
  text.remove_prefix(digits);
  return digits > 0;
}

// NSpid's last field in /proc/PID/status: the pid as the process itself sees it (inside a pid
// namespace, a container), which names its perf map file.
int namespacePid(int pid) {
  const std::string path = "/proc/" + std::to_string(pid) + "/status";
  Fd fd = openAt(AT_FDCWD, path.c_str(), O_RDONLY);
  if (!fd) return pid;
  char text[4096];
  const ssize_t n = ::read(fd.get(), text, sizeof text - 1);
  if (n <= 0) return pid;
  text[n] = '\0';
  const char* line = std::strstr(text, "\nNSpid:");
  if (line == nullptr) return pid;
  int last = pid;
  for (const char* p = line + 7; *p != '\0' && *p != '\n';) {
    char* end;
    const long value = std::strtol(p, &end, 10);
    if (end == p) break;
    last = static_cast<int>(value);
    p = end;
  }
  return last;
}

}  // namespace

PerfMap::PerfMap(std::string_view text) {
  // Count lines first so that only the newest kMaxPerfMapEntries are parsed.
  size_t lines = static_cast<size_t>(std::count(text.begin(), text.end(), '\n')) + 1;
  for (; lines > kMaxPerfMapEntries; --lines) text.remove_prefix(std::min(text.size(), text.find('\n') + 1));
  entries_.reserve(std::min(lines, kMaxPerfMapEntries));
  uint32_t number = 0;
  while (!text.empty()) {
    const size_t end = std::min(text.find('\n'), text.size());
    std::string_view line = text.substr(0, end);
    text.remove_prefix(std::min(text.size(), end + 1));
    ++number;
    Entry entry;
    if (!hexNumber(line, entry.start) || line.empty() || line[0] != ' ') continue;
    line.remove_prefix(1);
    if (!hexNumber(line, entry.size) || entry.size == 0 || entry.start + entry.size < entry.start) continue;
    if (line.empty() || line[0] != ' ') continue;
    line.remove_prefix(1);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (line.empty()) continue;
    line = line.substr(0, kMaxPerfMapName);
    entry.nameAt = static_cast<uint32_t>(names_.size());
    entry.nameLength = static_cast<uint32_t>(line.size());
    entry.line = number;
    names_.append(line);
    entries_.push_back(entry);
  }
  std::stable_sort(entries_.begin(), entries_.end(), [](const Entry& a, const Entry& b) { return a.start < b.start; });
}

const PerfMap::Entry* PerfMap::find(uint64_t address) const {
  auto after = std::upper_bound(entries_.begin(), entries_.end(), address,
                                [](uint64_t a, const Entry& e) { return a < e.start; });
  const Entry* best = nullptr;
  for (int k = 0; after != entries_.begin() && k < kLookBack; ++k) {
    const Entry& e = *--after;
    if (address - e.start < e.size && (best == nullptr || e.line > best->line)) best = &e;
  }
  return best;
}

PerfMapFile perfMapOf(int pid) {
  struct Cached {
    std::string file;
    dev_t device;
    ino_t inode;
    off_t size;
    timespec mtime;
    std::shared_ptr<const PerfMap> map;
  };
  static std::mutex mutex;
  static auto* cache = new std::list<Cached>();  // most recently used first; never destroyed

  PerfMapFile out;
  out.path = "/tmp/perf-" + std::to_string(namespacePid(pid)) + ".map";
  const std::string file = "/proc/" + std::to_string(pid) + "/root" + out.path;
  Fd fd = openAt(AT_FDCWD, file.c_str(), O_RDONLY);
  struct stat st;
  if (!fd || ::fstat(fd.get(), &st) != 0 || !S_ISREG(st.st_mode)) return out;
  std::lock_guard<std::mutex> lock(mutex);
  for (auto it = cache->begin(); it != cache->end(); ++it) {
    if (it->file != file) continue;
    if (it->device == st.st_dev && it->inode == st.st_ino && it->size == st.st_size &&
        it->mtime.tv_sec == st.st_mtim.tv_sec && it->mtime.tv_nsec == st.st_mtim.tv_nsec) {
      cache->splice(cache->begin(), *cache, it);
      out.map = it->map;
      return out;
    }
    cache->erase(it);
    break;
  }
  // The tail: a JIT appends, so the newest code is at the end of a file too big to read whole.
  const size_t length = static_cast<size_t>(std::min<off_t>(st.st_size, static_cast<off_t>(kMaxPerfMapBytes)));
  std::string text(length, '\0');
  size_t got = 0;
  const off_t from = st.st_size - static_cast<off_t>(length);
  for (ssize_t n; got < length && (n = ::pread(fd.get(), text.data() + got, length - got, from + static_cast<off_t>(got))) > 0;)
    got += static_cast<size_t>(n);
  text.resize(got);
  std::string_view body(text);
  if (from > 0) body.remove_prefix(std::min(body.size(), body.find('\n') + 1));  // a cut first line
  out.map = std::make_shared<const PerfMap>(body);
  cache->push_front({file, st.st_dev, st.st_ino, st.st_size, st.st_mtim, out.map});
  if (cache->size() > kCachedMaps) cache->pop_back();
  return out;
}

}  // namespace snapscope::procfs::symbols
