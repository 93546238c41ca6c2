// The Linux backend: processes and threads from procfs, read in one pass so the two lists agree.
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <string>
#include <string_view>
#include <vector>

#include "../backend.h"
#include "errno_name.h"
#include "fd.h"
#include "host_info.h"
#include "proc_reader.h"
#include "thread_priority.h"
#include "user_names.h"

namespace snapscope {
namespace procfs {
namespace {

constexpr std::string_view kDeletedSuffix = " (deleted)";

// A process that exits between readdir and our reads shows up as one of these.
bool isGone(int err) { return err == ENOENT || err == ESRCH; }

// A /proc entry name as a pid, or -1 for the entries that are not processes ("self", "sys", ...).
int parseId(const char* name) {
  if (*name < '1' || *name > '9') return -1;
  int id = 0;
  for (const char* p = name; *p != '\0'; ++p) {
    if (*p < '0' || *p > '9') return -1;
    id = id * 10 + (*p - '0');
  }
  return id;
}

std::string_view baseName(std::string_view path) {
  std::size_t slash = path.rfind('/');
  return slash == std::string_view::npos ? path : path.substr(slash + 1);
}

// `name` is the start of the longer `full`.
bool cutFrom(std::string_view full, std::string_view name) {
  return full.size() > name.size() && full.substr(0, name.size()) == name;
}

std::string procPath(int pid, const char* file = nullptr) {
  std::string path = "/proc/" + std::to_string(pid);
  if (file != nullptr) (path += '/') += file;
  return path;
}

// One snapshot call. It owns all its buffers, so concurrent calls share nothing but the user cache.
class SnapshotPass {
 public:
  SnapshotPass(const SnapshotRequest& request, UserNames& users) : request_(request), users_(users) {}

  SystemSnapshot run() {
    Fd proc = openAt(AT_FDCWD, "/proc", O_RDONLY | O_DIRECTORY);
    if (!proc) {
      int err = errno;
      throw OsError(errnoName(err), -1, "process", describeErrno("cannot open /proc", err));
    }
    if (request_.pid >= 0) requireProcess(proc.get(), request_.pid);
    if (!request_.processes && !request_.threads) return std::move(out_);

    readClock(proc.get());
    // Sized for a busy desktop so that the common case never reallocates.
    out_.processes.reserve(request_.processes ? 1024 : 0);
    out_.threads.reserve(request_.threads ? 4096 : 0);

    std::vector<char> listing(32 * 1024);
    DirReader entries(proc.get(), listing);
    while (const char* name = entries.next()) {
      int pid = parseId(name);
      if (pid > 0) readProcess(proc.get(), name, pid);
    }
    if (entries.error() != 0) {
      throw OsError(errnoName(entries.error()), -1, "process",
                    describeErrno("cannot list /proc", entries.error()));
    }
    return std::move(out_);
  }

 private:
  void requireProcess(int procFd, int pid) {
    struct stat st {};
    std::string name = std::to_string(pid);
    if (::fstatat(procFd, name.c_str(), &st, 0) == 0) return;
    int err = errno;
    if (isGone(err)) {
      throw OsError("ESRCH", pid, "process",
                    "process " + name + " does not exist (ESRCH): /proc/" + name + " not found");
    }
    throw OsError(errnoName(err), pid, "process", describeErrno("cannot read " + procPath(pid), err));
  }

  // Boot time and tick length turn stat's starttime (ticks after boot) into ms since the epoch.
  void readClock(int procFd) {
    std::string_view text;
    int err = reader_.read(procFd, "stat", text);
    uint64_t bootSeconds = err == 0 ? parseBootTime(text) : 0;
    if (bootSeconds == 0) {
      if (err == 0) err = EINVAL;
      throw OsError(errnoName(err), -1, "process", describeErrno("cannot read btime from /proc/stat", err));
    }
    bootMs_ = static_cast<double>(bootSeconds) * 1000.0;
    msPerTick_ = 1000.0 / static_cast<double>(::sysconf(_SC_CLK_TCK));
    pageSize_ = static_cast<uint64_t>(::sysconf(_SC_PAGESIZE));
  }

  void readProcess(int procFd, const char* name, int pid) {
    // Every read goes through this one directory fd: if the pid is reused meanwhile, the reads
    // fail instead of describing a different process.
    Fd dir = openAt(procFd, name, O_RDONLY | O_DIRECTORY);
    if (!dir) return failProcess(pid, errno, procPath(pid));

    std::string_view text;
    int err = reader_.read(dir.get(), "stat", text);
    if (err == 0 && text.empty()) err = ESRCH;
    if (err != 0) return failProcess(pid, err, procPath(pid, "stat"));
    StatFields stat;
    if (!parseStat(text, stat)) {
      return addError(pid, "process", "EINVAL", "unexpected format of " + procPath(pid, "stat"));
    }

    ProcessInfo info;
    info.pid = pid;
    info.parentPid = stat.ppid;
    const bool kernelThread = (stat.flags & kKernelThreadFlag) != 0;
    info.name.assign(stat.comm);  // copied now: the next read reuses the buffer
    if (!kernelThread && info.name.size() == kCommBytes) {
      // Cut inside a character: keep the bytes that decode (JS would show U+FFFD for the rest).
      const std::size_t whole = withoutCutUtf8(info.name);
      info.nameTruncated = whole < info.name.size();
      info.name.resize(whole);
    }
    info.state.assign(1, stat.state);
    info.basePriority = stat.priority;
    info.threadCount = stat.numThreads;
    info.startTimeMs = bootMs_ + static_cast<double>(stat.startTicks) * msPerTick_;
    info.pageFaultCount = stat.minflt + stat.majflt;

    // A kernel thread has no user memory: its statm is all zeros, not worth the read.
    if (!kernelThread) {
      err = reader_.read(dir.get(), "statm", text);
      if (err != 0) return failProcess(pid, err, procPath(pid, "statm"));  // 0444: only an exit fails it
      info.workingSetBytes = parseStatmResident(text) * pageSize_;
    }
    if (request_.processes) {
      if (!readProcessExtras(dir.get(), info, kernelThread)) return;
      if (!kernelThread && info.name.size() == kCommBytes && !info.nameTruncated) {
        // A full 15 bytes was cut if the file it was named after (exec names a process after the
        // file it runs) has a longer name that begins with it.
        info.nameTruncated = cutFrom(info.exeFile, info.name) ||
                             (!info.cmdline.empty() && cutFrom(baseName(info.cmdline.front()), info.name));
      }
    }

    threads_.clear();
    if (request_.threads) {
      if (stat.numThreads == 1) {
        // The only thread is the main one: no task listing needed.
        threads_.push_back(ThreadInfo{pid, pid, stat.priority, 0});
      } else {
        switch (listThreads(dir.get(), pid, stat.priority)) {
          case Listing::kGone:
            return;
          case Listing::kFailed:  // reported; threadCount stays stat's num_threads
            break;
          case Listing::kListed:
            if (threads_.empty()) return failProcess(pid, ESRCH, procPath(pid, "task"));  // all exited
            info.threadCount = static_cast<int>(threads_.size());
            break;
        }
      }
      out_.threads.insert(out_.threads.end(), threads_.begin(), threads_.end());
    }
    if (request_.processes) out_.processes.push_back(std::move(info));
  }

  // uid, user, exe and cmdline. Returns false when the process exited meanwhile (already reported).
  bool readProcessExtras(int dirFd, ProcessInfo& info, bool kernelThread) {
    const int pid = info.pid;
    struct stat st {};
    if (::fstat(dirFd, &st) != 0) {
      failProcess(pid, errno, procPath(pid));
      return false;
    }
    info.uid = st.st_uid;  // procfs gives a process's directory its effective uid
    info.user = users_.lookup(info.uid);
    if (kernelThread) {
      // No executable and no cmdline: skipping both reads saves ~8 us per kernel thread.
      info.exeFile = info.name;
      return true;
    }

    std::string_view target;
    int err = reader_.readLink(dirFd, "exe", target);
    if (err == 0) {
      info.exePath.assign(target);
      std::string_view file = target;
      if (file.size() > kDeletedSuffix.size() &&
          file.substr(file.size() - kDeletedSuffix.size()) == kDeletedSuffix) {
        file.remove_suffix(kDeletedSuffix.size());
      }
      info.exeFile.assign(baseName(file));
    } else if (err == ESRCH) {
      failProcess(pid, err, procPath(pid, "exe"));
      return false;
    } else {
      // ENOENT: zombies and exiting processes have no executable any more; that is not an error.
      info.exeFile = info.name;
      if (err != ENOENT) {
        addError(pid, "exePath", errnoName(err), describeErrno("cannot read " + procPath(pid, "exe"), err));
      }
    }

    std::string_view args;
    err = reader_.read(dirFd, "cmdline", args);
    if (err == 0) {
      splitCmdline(args, info.cmdline);
    } else if (isGone(err)) {
      failProcess(pid, err, procPath(pid, "cmdline"));
      return false;
    } else {
      addError(pid, "cmdline", errnoName(err), describeErrno("cannot read " + procPath(pid, "cmdline"), err));
    }
    return true;
  }

  enum class Listing { kListed, kGone, kFailed };

  // Fills threads_ from /proc/PID/task. kGone and kFailed are already reported as errors.
  Listing listThreads(int dirFd, int pid, int basePriority) {
    Fd task = openAt(dirFd, "task", O_RDONLY | O_DIRECTORY);
    if (!task) {
      int err = errno;
      if (isGone(err)) {
        failProcess(pid, err, procPath(pid, "task"));
        return Listing::kGone;
      }
      addError(pid, "threads", errnoName(err), describeErrno("cannot list " + procPath(pid, "task"), err));
      return Listing::kFailed;
    }

    DirReader entries(task.get(), taskListing_);
    int priorityError = 0;
    while (const char* name = entries.next()) {
      int tid = parseId(name);
      if (tid <= 0) continue;
      int priority = basePriority;  // the main thread's priority is the process's (stat field 18)
      if (tid != pid) {
        int err = threadPriority(tid, priority);
        if (err == ESRCH) continue;  // exited since the listing
        if (err != 0) {
          priorityError = err;
          priority = basePriority;
        }
      }
      threads_.push_back(ThreadInfo{tid, pid, basePriority, priority - basePriority});
    }
    if (entries.error() != 0) {
      threads_.clear();
      if (isGone(entries.error())) {
        failProcess(pid, entries.error(), procPath(pid, "task"));
        return Listing::kGone;
      }
      addError(pid, "threads", errnoName(entries.error()),
               describeErrno("cannot list " + procPath(pid, "task"), entries.error()));
      return Listing::kFailed;
    }
    if (priorityError != 0) {
      addError(pid, "threads", errnoName(priorityError),
               describeErrno("cannot read the thread priorities of " + procPath(pid), priorityError));
    }
    return Listing::kListed;
  }

  // A read of the process itself failed: it exited (the usual case) or it is unreadable.
  void failProcess(int pid, int err, const std::string& what) {
    if (isGone(err)) {
      addError(pid, "process", "ESRCH",
               "process " + std::to_string(pid) + " exited during the snapshot");
    } else {
      addError(pid, "process", errnoName(err), describeErrno("cannot read " + what, err));
    }
  }

  void addError(int pid, const char* scope, std::string code, std::string message) {
    out_.errors.push_back(SnapshotErrorInfo{pid, scope, std::move(code), std::move(message)});
  }

  const SnapshotRequest& request_;
  UserNames& users_;
  ProcReader reader_;
  std::vector<char> taskListing_ = std::vector<char>(8 * 1024);
  std::vector<ThreadInfo> threads_;  // the current process's threads until it is fully read
  SystemSnapshot out_;
  double bootMs_ = 0;
  double msPerTick_ = 10;
  uint64_t pageSize_ = 4096;
};

}  // namespace

SystemSnapshot readProcessesAndThreads(const SnapshotRequest& request, UserNames& users) {
  return SnapshotPass(request, users).run();
}

}  // namespace procfs
}  // namespace snapscope
