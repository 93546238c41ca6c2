#include "pagemap_watch.h"

#include <fcntl.h>
#include <poll.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

#include "../errno_name.h"
#include "../fd.h"
#include "../maps.h"
#include "watch_util.h"

namespace snapscope::procfs::watch {
namespace {

// Scans are at least this far apart, and further when a scan is slow: the pause after a scan is
// four times its duration (a target with a large resident set costs the inspector <= 20% of a
// CPU), capped at one second.
constexpr uint64_t kMinIntervalNs = 50'000'000;
constexpr uint64_t kMaxIntervalNs = 1'000'000'000;
constexpr size_t kEntriesPerRead = 64 * 1024;  // 512 KiB of pagemap per pread
constexpr uint64_t kPresent = 1ull << 63;
// Kernel addresses ([vsyscall]) are listed in maps but have no pagemap entries.
constexpr uint64_t kFirstKernelAddress = 0xffff800000000000ull;

// The PAGEMAP_SCAN ioctl (Linux 6.7, include/uapi/linux/fs.h; defined here because distributions'
// headers predate it: Debian 12 ships 6.1's). The kernel walks the page tables and returns only the
// runs of present pages, skipping unpopulated page tables wholesale, where reading pagemap costs 8
// bytes per page of address space, populated or not. That matters for sparse mappings: a process
// built with AddressSanitizer has ~16 TiB of read-write shadow, and one pread scan of it took ~30 s
// (found by the sanitizer suite: a pagemap watch of the ASan-loaded inspector); the ioctl scans it in
// milliseconds. Older kernels answer ENOTTY/EINVAL and the scan falls back to reading pagemap.
struct PageRegion {
  uint64_t start, end, categories;
};
struct PmScanArg {
  uint64_t size, flags, start, end, walkEnd, vec, vecLen, maxPages, categoryInverted, categoryMask, categoryAnyofMask,
      returnMask;
};
constexpr unsigned long kPagemapScan = _IOWR('f', 16, PmScanArg);
constexpr uint64_t kPageIsPresent = 1 << 3;
constexpr size_t kRegionsPerScan = 4096;

// /proc/PID/<file> of the process's memory (memoryFile). ENOENT: the thread it went through (its
// leader being a zombie) is gone, as when an exec from another thread ends it: ask again, and say
// ESRCH if the process is gone too.
Fd openMemory(int pid, const char* file) {
  for (int attempt = 0;; ++attempt) {
    const std::string path = memoryFile(pid, file);
    Fd fd = openAt(AT_FDCWD, path.c_str(), O_RDONLY);
    if (fd) return fd;
    const int err = errno;
    if (err != ENOENT) throwSys(err, "open " + path);
    if (attempt == 10) throwSys(ESRCH, "open " + path);
  }
}

class PagemapWatch final : public WsWatch {
 public:
  explicit PagemapWatch(int pid)
      : pid_(pid), pageSize_(static_cast<uint64_t>(::sysconf(_SC_PAGESIZE))), entries_(kEntriesPerRead) {
    // Both fds stay bound to this process's memory: a reused pid can never be read by mistake, and
    // they keep working if the thread they were opened through (memoryFile) exits.
    maps_ = openMemory(pid, "maps");
    pagemap_ = openMemory(pid, "pagemap");
    pidfd_ = openPidfd(pid);
    startNs_ = monotonicNs();
    if (!scan(previous_)) throw SysError(ESRCH, "cannot watch pid " + std::to_string(pid) + ": it has exited");
    nextScanNs_ = monotonicNs() + kMinIntervalNs;
  }

  std::string mechanism() const override { return "pagemap-diff"; }

  bool poll(std::vector<FaultRecord>& out, uint64_t& /*lost: never known*/, int timeoutMs) override {
    if (finished_) return false;
    const uint64_t now = monotonicNs();
    const uint64_t untilScanMs = nextScanNs_ > now ? (nextScanNs_ - now + 999'999) / 1'000'000 : 0;
    const int waitMs = static_cast<int>(std::min<uint64_t>(untilScanMs, timeoutMs < 0 ? 0 : timeoutMs));
    switch (wait(waitMs)) {
      case Wake::Exited:
        finished_ = true;  // nothing left to read: its memory is gone
        return false;
      case Wake::Stopped:
        finished_ = true;
        scanAndDiff(out);  // the pages that came since the last scan
        return false;
      case Wake::Timeout:
        break;
    }
    if (monotonicNs() >= nextScanNs_ && !scanAndDiff(out)) {
      finished_ = true;
      return false;
    }
    return true;
  }

  void stop() override {
    stopRequested_.store(true);
    wake_.signal();
  }

 private:
  enum class Wake { Timeout, Stopped, Exited };

  Wake wait(int timeoutMs) {
    if (stopRequested_.load()) return Wake::Stopped;
    pollfd fds[2] = {{wake_.fd(), POLLIN, 0}, {pidfd_.get(), POLLIN, 0}};
    const nfds_t count = pidfd_ ? 2 : 1;
    if (::poll(fds, count, timeoutMs) < 0) {
      if (errno == EINTR) return Wake::Timeout;
      const int err = errno;
      throw OsError(errnoName(err), pid_, "watch", describeErrno("poll", err));
    }
    if (stopRequested_.load() || fds[0].revents) return Wake::Stopped;
    if (count == 2 && fds[1].revents && confirmExited(pid_)) return Wake::Exited;
    return Wake::Timeout;
  }

  // Scans, then reports the pages present now but not at the previous scan. False: the process
  // has exited.
  bool scanAndDiff(std::vector<FaultRecord>& out) {
    const uint64_t began = monotonicNs();
    if (!scan(current_)) return false;
    const uint64_t ended = monotonicNs();
    const double tMs = static_cast<double>(ended - startNs_) / 1e6;  // the latest a fault can have been
    auto prev = previous_.begin();
    for (uint64_t page : current_) {
      while (prev != previous_.end() && *prev < page) ++prev;
      if (prev != previous_.end() && *prev == page) continue;
      FaultRecord fault;
      fault.va = page * pageSize_;
      fault.tMs = tMs;
      out.push_back(fault);
    }
    previous_.swap(current_);
    const uint64_t interval = std::clamp<uint64_t>(4 * (ended - began), kMinIntervalNs, kMaxIntervalNs);
    nextScanNs_ = ended + interval;
    return true;
  }

  // The page numbers (address / page size) present now, in ascending order. False: the process has
  // exited (its maps read empty once its memory is gone).
  bool scan(std::vector<uint64_t>& present) {
    present.clear();
    if (!readMaps() || mapsText_.empty()) return false;
    const char* p = mapsText_.data();
    const char* end = p + mapsText_.size();
    while (p < end) {
      const char* lineEnd = static_cast<const char*>(std::memchr(p, '\n', static_cast<size_t>(end - p)));
      if (!lineEnd) lineEnd = end;
      char* cursor;
      const uint64_t start = std::strtoull(p, &cursor, 16);
      const uint64_t stop = (*cursor == '-') ? std::strtoull(cursor + 1, &cursor, 16) : 0;
      const bool reservation = cursor + 4 <= lineEnd && cursor[1] == '-' && cursor[2] == '-' && cursor[3] == '-';
      if (stop > start && !reservation && start < kFirstKernelAddress) {
        if (!scanRange(start, stop, present)) return false;
      }
      p = lineEnd + 1;
    }
    return true;
  }

  // Appends the present pages of [start, stop) through PAGEMAP_SCAN. False when the kernel lacks
  // the ioctl (scanIoctl_ is cleared: every later scan reads pagemap instead); `exited` when the
  // process is gone.
  bool scanRangeIoctl(uint64_t start, uint64_t stop, std::vector<uint64_t>& present, bool& exited) {
    regions_.resize(kRegionsPerScan);
    uint64_t from = start;
    while (from < stop) {
      PmScanArg arg{};
      arg.size = sizeof arg;
      arg.start = from;
      arg.end = stop;
      arg.vec = reinterpret_cast<uint64_t>(regions_.data());
      arg.vecLen = regions_.size();
      arg.categoryMask = kPageIsPresent;
      arg.returnMask = kPageIsPresent;
      const int n = ::ioctl(pagemap_.get(), kPagemapScan, &arg);
      if (n < 0 && errno == EINTR) continue;
      if (n < 0 && (errno == ENOTTY || errno == EINVAL || errno == EOPNOTSUPP) && from == start) {
        scanIoctl_ = false;
        return false;
      }
      if (n < 0) {
        exited = errno == ESRCH;
        return true;  // the mapping went away meanwhile (or can't be read): skip it, as below
      }
      for (int i = 0; i < n; ++i) {
        for (uint64_t page = regions_[i].start / pageSize_; page < regions_[i].end / pageSize_; ++page) present.push_back(page);
      }
      if (arg.walkEnd <= from) break;  // no progress: never loop forever
      from = arg.walkEnd;
    }
    return true;
  }

  bool scanRange(uint64_t start, uint64_t stop, std::vector<uint64_t>& present) {
    if (scanIoctl_) {
      bool exited = false;
      const size_t before = present.size();
      if (scanRangeIoctl(start, stop, present, exited)) return !exited;
      present.resize(before);
    }
    uint64_t page = start / pageSize_;
    const uint64_t lastPage = stop / pageSize_;
    while (page < lastPage) {
      const size_t want = static_cast<size_t>(std::min<uint64_t>(lastPage - page, entries_.size()));
      ssize_t n = ::pread(pagemap_.get(), entries_.data(), want * sizeof(uint64_t),
                          static_cast<off_t>(page * sizeof(uint64_t)));
      if (n < 0 && errno == EINTR) continue;
      if (n < 0 && errno == ESRCH) return false;
      if (n <= 0) return true;  // the mapping went away meanwhile (or can't be read): skip it
      const size_t got = static_cast<size_t>(n) / sizeof(uint64_t);
      for (size_t i = 0; i < got; ++i) {
        if (entries_[i] & kPresent) present.push_back(page + i);
      }
      page += got;
    }
    return true;
  }

  bool readMaps() {
    mapsText_.clear();
    if (::lseek(maps_.get(), 0, SEEK_SET) < 0) return false;
    char buffer[64 * 1024];
    for (;;) {
      ssize_t n = ::read(maps_.get(), buffer, sizeof buffer);
      if (n < 0 && errno == EINTR) continue;
      if (n < 0) return false;
      if (n == 0) return true;
      mapsText_.append(buffer, static_cast<size_t>(n));
    }
  }

  int pid_;
  uint64_t pageSize_;
  Fd maps_, pagemap_, pidfd_;
  WakeEvent wake_;
  std::atomic<bool> stopRequested_{false};
  bool finished_ = false;
  uint64_t startNs_ = 0;
  uint64_t nextScanNs_ = 0;
  std::string mapsText_;
  std::vector<uint64_t> entries_;
  std::vector<PageRegion> regions_;
  bool scanIoctl_ = true;  // PAGEMAP_SCAN works here (until it says otherwise)
  std::vector<uint64_t> previous_, current_;
};

}  // namespace

std::unique_ptr<WsWatch> openPagemapWatch(int pid) { return std::make_unique<PagemapWatch>(pid); }

}  // namespace snapscope::procfs::watch
