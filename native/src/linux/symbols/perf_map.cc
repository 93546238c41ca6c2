#include "perf_map.h"

#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cstring>
#include <list>
#include <mutex>

#include "../fd.h"
#include "../maps.h"

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

size_t PerfMap::append(std::string_view text) {
  const size_t taken = text.rfind('\n') + 1;  // 0 when there is no complete line
  text = text.substr(0, taken);
  // Count lines first so that only the newest kMaxPerfMapEntries are parsed.
  size_t count = static_cast<size_t>(std::count(text.begin(), text.end(), '\n'));
  for (; count > kMaxPerfMapEntries; --count, ++lines_) text.remove_prefix(text.find('\n') + 1);
  const size_t before = entries_.size();
  entries_.reserve(before + count);
  while (!text.empty()) {
    const size_t end = text.find('\n');
    std::string_view line = text.substr(0, end);
    text.remove_prefix(end + 1);
    ++lines_;
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
    entry.line = lines_;
    names_.append(line);
    entries_.push_back(entry);
  }
  const auto byStart = [](const Entry& a, const Entry& b) { return a.start < b.start; };
  std::stable_sort(entries_.begin() + static_cast<ptrdiff_t>(before), entries_.end(), byStart);
  std::inplace_merge(entries_.begin(), entries_.begin() + static_cast<ptrdiff_t>(before), entries_.end(), byStart);
  if (entries_.size() > kMaxPerfMapEntries) {
    // The oldest go; their names too, once they are most of the text kept.
    const uint32_t oldest = lines_ - static_cast<uint32_t>(kMaxPerfMapEntries);
    entries_.erase(std::remove_if(entries_.begin(), entries_.end(), [&](const Entry& e) { return e.line <= oldest; }), entries_.end());
    size_t live = 0;
    for (const Entry& e : entries_) live += e.nameLength;
    if (names_.size() > 2 * live) {
      std::string kept;
      kept.reserve(live);
      for (Entry& e : entries_) {
        kept.append(names_, e.nameAt, e.nameLength);
        e.nameAt = static_cast<uint32_t>(kept.size() - e.nameLength);
      }
      names_ = std::move(kept);
    }
  }
  return taken;
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

namespace {

// Reads [from, from + length) of the file; fewer bytes when it is shorter.
std::string readAt(int fd, off_t from, size_t length) {
  std::string text(length, '\0');
  size_t got = 0;
  for (ssize_t n; got < length && (n = ::pread(fd, text.data() + got, length - got, from + static_cast<off_t>(got))) > 0;)
    got += static_cast<size_t>(n);
  text.resize(got);
  return text;
}

struct CachedMap {
  std::string file;
  dev_t device;
  ino_t inode;
  off_t size;       // as it was last read
  timespec mtime;
  off_t parsed;     // bytes up to the end of the last complete line read
  std::shared_ptr<const PerfMap> map;
};

bool sameTime(const timespec& a, const timespec& b) { return a.tv_sec == b.tv_sec && a.tv_nsec == b.tv_nsec; }

// The map of the file open at `fd`: the cached one, the cached one with the lines appended since,
// or the file read anew (its last kMaxPerfMapBytes).
std::shared_ptr<const PerfMap> refresh(CachedMap& cached, bool known, int fd, const struct stat& st) {
  const bool sameFile = known && cached.device == st.st_dev && cached.inode == st.st_ino;
  if (sameFile && cached.size == st.st_size && sameTime(cached.mtime, st.st_mtim)) return cached.map;
  const off_t grown = st.st_size - cached.parsed;
  // Grown, and still a line's end where the last read stopped: appended to, not rewritten.
  const bool appended = sameFile && st.st_size > cached.size && grown <= static_cast<off_t>(kMaxPerfMapBytes) &&
                        (cached.parsed == 0 || readAt(fd, cached.parsed - 1, 1) == "\n");
  if (appended) {
    // Appended to: only the new lines are read (a copy keeps the old map whole for its readers).
    auto extended = std::make_shared<PerfMap>(*cached.map);
    cached.parsed += static_cast<off_t>(extended->append(readAt(fd, cached.parsed, static_cast<size_t>(grown))));
    cached.map = std::move(extended);
  } else {
    // The tail: a JIT appends, so the newest code is at the end of a file too big to read whole.
    const off_t from = std::max<off_t>(0, st.st_size - static_cast<off_t>(kMaxPerfMapBytes));
    const std::string text = readAt(fd, from, static_cast<size_t>(st.st_size - from));
    std::string_view body(text);
    const size_t cut = from > 0 ? std::min(body.size(), body.find('\n') + 1) : 0;  // a cut first line
    auto fresh = std::make_shared<PerfMap>();
    cached.parsed = from + static_cast<off_t>(cut + fresh->append(body.substr(cut)));
    cached.map = std::move(fresh);
  }
  cached.device = st.st_dev;
  cached.inode = st.st_ino;
  cached.size = st.st_size;
  cached.mtime = st.st_mtim;
  return cached.map;
}

}  // namespace

PerfMapFile perfMapOf(int pid) {
  static std::mutex mutex;
  static auto* cache = new std::list<CachedMap>();  // most recently used first; never destroyed

  PerfMapFile out;
  out.path = "/tmp/perf-" + std::to_string(namespacePid(pid)) + ".map";
  const std::string file = memoryFile(pid, "root") + out.path;
  Fd fd = openAt(AT_FDCWD, file.c_str(), O_RDONLY);
  struct stat st;
  if (!fd || ::fstat(fd.get(), &st) != 0 || !S_ISREG(st.st_mode)) return out;
  std::lock_guard<std::mutex> lock(mutex);
  auto it = std::find_if(cache->begin(), cache->end(), [&](const CachedMap& c) { return c.file == file; });
  const bool known = it != cache->end();
  if (known) {
    cache->splice(cache->begin(), *cache, it);
  } else {
    cache->push_front(CachedMap{file, 0, 0, 0, {}, 0, nullptr});
    if (cache->size() > kCachedMaps) cache->pop_back();
  }
  out.map = refresh(cache->front(), known, fd.get(), st);
  return out;
}

}  // namespace snapscope::procfs::symbols
