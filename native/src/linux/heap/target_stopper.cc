#include "target_stopper.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <elf.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/ptrace.h>
#include <sys/uio.h>
#include <sys/user.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cerrno>
#include <cstddef>
#include <cstdlib>
#include <algorithm>
#include <cstring>
#include <string>

#include "../errno_name.h"

#ifndef SYS_close_range
#define SYS_close_range 436
#endif

namespace snapscope::procfs::heap {
namespace {

constexpr int kStopTimeoutMs = 2000;      // per thread: one in uninterruptible sleep may take a while
constexpr int kMaxListRounds = 1000;      // threads born faster than they are stopped
constexpr size_t kMaxThreads = 1 << 16;
constexpr int kReportTimeoutMs = 60000;   // the helper's own timeouts end well before this
constexpr long kSpinMs = 2;               // poll without sleeping this long first
constexpr long kCancelSliceMs = 50;       // the walk's cancel flag is checked this often while stopping
constexpr long kTracedWithoutReportMs = 50;
constexpr int kSeizeRetries = 5;          // EPERM from a thread caught in an exec (see seizeAll)

// What the helper reports through its pipe (plain data: written and read in one piece).
struct Report {
  enum Outcome : int32_t { kStopped = 0, kSeizeFailed = 1, kGone = 2, kListFailed = 3, kTooManyThreads = 4 };
  int32_t outcome = kStopped;
  int32_t err = 0;            // kSeizeFailed / kListFailed: the errno
  int32_t tid = 0;            // kSeizeFailed: the thread
  int32_t goneAtStart = 0;    // kGone: the process was gone before anything was seized
  int32_t threads = 0;        // kStopped: threads in a ptrace-stop
  int32_t notStopped = 0;     // kStopped: a thread that did not stop in time (0: none)
  int32_t keptAppearing = 0;  // kStopped: the thread list never settled
  int32_t captured = 0;       // register slots written (captureRegisters)
};

// One thread's registers, written by the helper into memory shared with the inspector.
struct RegisterSlot {
  int32_t tid;
  int32_t bytes;  // what PTRACE_GETREGSET filled in
  uint64_t words[64];
};
#if defined(__x86_64__)
constexpr size_t kSpWord = offsetof(user_regs_struct, rsp) / 8;
#elif defined(__aarch64__)
constexpr size_t kSpWord = 31;  // user_pt_regs: regs[31], sp, pc, pstate
#else
#error "the stack pointer's place in NT_PRSTATUS is not known for this architecture"
#endif
constexpr size_t kRegisterMapBytes = kMaxThreads * sizeof(RegisterSlot);

struct Tracee {
  pid_t tid;
  int32_t stopped;
  int32_t gone;
  int32_t signal;  // of a signal-delivery-stop: handed back at detach, or it would be lost
};

// Everything the helper touches, allocated before fork(): after a fork of a multi-threaded
// process the child may only make system calls (and it does nothing else).
struct HelperMemory {
  std::vector<Tracee> tracees = std::vector<Tracee>(kMaxThreads);
  std::vector<pid_t> listed = std::vector<pid_t>(kMaxThreads);
  std::vector<char> dirBuffer = std::vector<char>(32 * 1024);
  size_t count = 0;
  RegisterSlot* registers = nullptr;  // shared with the inspector (captureRegisters), else null
};

// ---- the helper (system calls only from here to runHelper) ----

long nowMs() {
  timespec t;
  ::clock_gettime(CLOCK_MONOTONIC, &t);
  return t.tv_sec * 1000 + t.tv_nsec / 1000000;
}

void sleepUs(long us) {
  timespec t{0, us * 1000};
  ::nanosleep(&t, nullptr);
}

char* appendText(char* at, const char* text) {
  while (*text) *at++ = *text++;
  return at;
}

char* appendNumber(char* at, long value) {
  char digits[24];
  int n = 0;
  do {
    digits[n++] = static_cast<char>('0' + value % 10);
    value /= 10;
  } while (value > 0);
  while (n > 0) *at++ = digits[--n];
  return at;
}

// /proc/PID/task[/TID/stat]
void taskPath(char* out, int pid, pid_t tid) {
  char* at = appendNumber(appendText(out, "/proc/"), pid);
  at = appendText(at, "/task");
  if (tid > 0) at = appendText(appendNumber(appendText(at, "/"), tid), "/stat");
  *at = '\0';
}

// The state letter of a thread, 0 when it is gone.
char taskState(int pid, pid_t tid) {
  char path[96];
  taskPath(path, pid, tid);
  int fd = ::open(path, O_RDONLY | O_CLOEXEC);
  if (fd < 0) return 0;
  char text[1024];
  ssize_t n = ::read(fd, text, sizeof text);
  ::close(fd);
  for (ssize_t i = n - 1; i >= 0; --i) {
    if (text[i] == ')') return i + 2 < n ? text[i + 2] : 0;
  }
  return 0;
}

bool isDead(char state) { return state == 0 || state == 'Z' || state == 'X'; }

// Lists /proc/PID/task into m.listed; returns 0 or an errno value.
int listTasks(int pid, HelperMemory& m, size_t& n) {
  char path[64];
  taskPath(path, pid, 0);
  int fd = ::open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return errno;
  n = 0;
  int err = 0;
  for (;;) {
    long got = ::syscall(SYS_getdents64, fd, m.dirBuffer.data(), m.dirBuffer.size());
    if (got < 0 && errno == EINTR) continue;
    if (got < 0) err = errno;
    if (got <= 0) break;
    for (long pos = 0; pos < got;) {
      auto* entry = reinterpret_cast<const struct dirent64*>(m.dirBuffer.data() + pos);
      pos += entry->d_reclen;
      long tid = 0;
      const char* c = entry->d_name;
      for (; *c >= '0' && *c <= '9'; ++c) tid = tid * 10 + (*c - '0');
      if (*c == '\0' && tid > 0 && n < m.listed.size()) m.listed[n++] = static_cast<pid_t>(tid);
    }
  }
  ::close(fd);
  return n == 0 && err != 0 ? err : 0;
}

// Waits for the ptrace-stop PTRACE_INTERRUPT asked for (or for the thread to die).
bool waitForStop(int pid, Tracee& t, long timeoutMs) {
  const long start = nowMs();
  for (;;) {
    siginfo_t info;
    std::memset(&info, 0, sizeof info);
    int rc = ::waitid(P_PID, static_cast<id_t>(t.tid), &info, WSTOPPED | __WALL | WNOHANG);
    if (rc == 0 && info.si_pid == t.tid) {
      // si_status: the signal, and the ptrace event in bits 8-15 (PTRACE_EVENT_STOP for the
      // interrupt and for group-stops). Event 0 is a signal-delivery-stop.
      int signal = info.si_status & 0xff;
      int event = (info.si_status >> 8) & 0xff;
      if (info.si_code == CLD_TRAPPED && event == 0 && signal > 0 && signal < NSIG) t.signal = signal;
      t.stopped = 1;
      return true;
    }
    if (rc < 0 && errno == EINTR) continue;
    if (rc < 0) {  // ECHILD: not our tracee any more (it exited)
      t.gone = 1;
      return false;
    }
    const long elapsed = nowMs() - start;
    if (elapsed < kSpinMs) continue;
    char state = taskState(pid, t.tid);
    if (isDead(state)) {
      t.gone = 1;
      return false;
    }
    if (state == 't' && elapsed > kTracedWithoutReportMs) {  // stopped; its report went elsewhere
      t.stopped = 1;
      return true;
    }
    if (elapsed >= timeoutMs) return false;
    sleepUs(500);
  }
}

Report seizeAll(int pid, HelperMemory& m) {
  Report r;
  for (int round = 0;; ++round) {
    if (round >= kMaxListRounds) {
      r.keptAppearing = 1;
      break;
    }
    size_t n = 0;
    int err = listTasks(pid, m, n);
    if (err == ENOENT || err == ESRCH) {
      r.outcome = Report::kGone;
      r.goneAtStart = m.count == 0;
      return r;
    }
    if (err != 0) {
      r.outcome = Report::kListFailed;
      r.err = err;
      return r;
    }
    bool added = false;
    for (size_t i = 0; i < n; ++i) {
      const pid_t tid = m.listed[i];
      bool known = false;
      for (size_t k = 0; k < m.count && !known; ++k) known = m.tracees[k].tid == tid;
      if (known) continue;
      if (m.count >= m.tracees.size()) {
        r.outcome = Report::kTooManyThreads;
        return r;
      }
      long seized = ::ptrace(PTRACE_SEIZE, tid, nullptr, nullptr);
      // EPERM also comes from a thread that is exiting (exit_state set) while its tid is still
      // listed as alive: an exec from another thread takes the pid of the leader it replaces
      // (de_thread), and the old leader answers EPERM meanwhile. Found by the exec race test
      // (native/test/races.test.ts): ~1 stopped walk in 20 of a process that execs failed with EPERM.
      // A few retries tell that apart from "not permitted", which stays EPERM.
      for (int retry = 0; seized != 0 && errno == EPERM && retry < kSeizeRetries; ++retry) {
        sleepUs(1000);
        seized = ::ptrace(PTRACE_SEIZE, tid, nullptr, nullptr);
      }
      if (seized != 0) {
        int e = errno;
        if (e == ESRCH || isDead(taskState(pid, tid))) continue;  // exited: it runs no more
        r.outcome = Report::kSeizeFailed;
        r.err = e;
        r.tid = tid;
        return r;
      }
      m.tracees[m.count++] = Tracee{tid, 0, 0, 0};
      added = true;
      ::ptrace(PTRACE_INTERRUPT, tid, nullptr, nullptr);  // ESRCH: exiting; waitForStop sees it
    }
    if (!added) break;  // every listed thread is seized and stopped: none can start another
    // Wait for these before listing again: a stopped thread creates no threads.
    for (size_t k = 0; k < m.count; ++k) {
      Tracee& t = m.tracees[k];
      if (t.stopped || t.gone) continue;
      if (!waitForStop(pid, t, kStopTimeoutMs) && !t.gone && r.notStopped == 0) r.notStopped = t.tid;
    }
  }
  for (size_t k = 0; k < m.count; ++k) r.threads += m.tracees[k].stopped ? 1 : 0;
  if (r.threads == 0 && r.notStopped == 0) r.outcome = Report::kGone;
  return r;
}

void closeOtherFds(int a, int b) {
  if (a > b) std::swap(a, b);
  if (a > 0) ::syscall(SYS_close_range, 0u, static_cast<unsigned>(a - 1), 0u);
  if (b > a + 1) ::syscall(SYS_close_range, static_cast<unsigned>(a + 1), static_cast<unsigned>(b - 1), 0u);
  ::syscall(SYS_close_range, static_cast<unsigned>(b + 1), ~0u, 0u);
}

[[noreturn]] void runHelper(int pid, int reportFd, int controlFd, HelperMemory& m, pid_t parent) {
  sigset_t all;
  ::sigfillset(&all);
  ::sigprocmask(SIG_SETMASK, &all, nullptr);  // no inherited handler (libuv's) may run here
  ::prctl(PR_SET_PDEATHSIG, SIGKILL);         // the forking thread ends: die, and so detach all
  if (::getppid() != parent) ::_exit(1);
  closeOtherFds(reportFd, controlFd);         // hold none of the inspector's pipes and sockets open

  Report report = seizeAll(pid, m);
  if (report.outcome == Report::kStopped && m.registers) {
    for (size_t k = 0; k < m.count; ++k) {
      const Tracee& t = m.tracees[k];
      if (!t.stopped || t.gone) continue;
      RegisterSlot& slot = m.registers[report.captured];
      iovec io{slot.words, sizeof slot.words};
      if (::ptrace(PTRACE_GETREGSET, t.tid, reinterpret_cast<void*>(NT_PRSTATUS), &io) != 0) continue;
      slot.tid = t.tid;
      slot.bytes = static_cast<int32_t>(io.iov_len);
      ++report.captured;
    }
  }
  const char* out = reinterpret_cast<const char*>(&report);
  for (size_t done = 0; done < sizeof report;) {
    ssize_t n = ::write(reportFd, out + done, sizeof report - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    done += static_cast<size_t>(n);
  }
  if (report.outcome == Report::kStopped) {
    char byte;
    ssize_t n;
    do {
      n = ::read(controlFd, &byte, 1);  // EOF: the walk is over (or the inspector is gone)
    } while (n > 0 || (n < 0 && errno == EINTR));
  }
  for (size_t k = 0; k < m.count; ++k) {
    const Tracee& t = m.tracees[k];
    if (t.stopped && !t.gone) ::ptrace(PTRACE_DETACH, t.tid, nullptr, reinterpret_cast<void*>(static_cast<long>(t.signal)));
  }
  ::_exit(0);  // detaches whatever is still attached (a thread that never stopped, say)
}

// ---- the inspector's side ----

// TracerPid of a thread (0 when untraced or unreadable).
int tracerOf(int pid, int tid) {
  const std::string path = "/proc/" + std::to_string(pid) + "/task/" + std::to_string(tid) + "/status";
  Fd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
  if (!fd) return 0;
  char text[4096];
  ssize_t n = ::read(fd.get(), text, sizeof text - 1);
  if (n <= 0) return 0;
  text[n] = '\0';
  const char* at = std::strstr(text, "TracerPid:");
  return at ? std::atoi(at + 10) : 0;
}

// Reads the report; false when the helper ended (or hung) without one. Waits in slices, checking
// `cancel` (which throws) between them: stopping a process with many threads can take seconds.
bool readReport(int fd, Report& report, const Cancel& cancel) {
  char* in = reinterpret_cast<char*>(&report);
  size_t done = 0;
  const long deadline = nowMs() + kReportTimeoutMs;
  while (done < sizeof report) {
    cancel.check();
    pollfd p{fd, POLLIN, 0};
    long left = deadline - nowMs();
    if (left <= 0) return false;
    int rc = ::poll(&p, 1, static_cast<int>(std::min(left, kCancelSliceMs)));
    if (rc < 0 && errno == EINTR) continue;
    if (rc == 0) continue;
    if (rc < 0) return false;
    ssize_t n = ::read(fd, in + done, sizeof report - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;
    done += static_cast<size_t>(n);
  }
  return true;
}

// The shared mapping the helper writes registers into (pages touched only for the threads there are).
class RegisterMap {
 public:
  explicit RegisterMap(bool wanted) {
    if (!wanted) return;
    void* at = ::mmap(nullptr, kRegisterMapBytes, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    if (at != MAP_FAILED) slots_ = static_cast<RegisterSlot*>(at);
  }
  ~RegisterMap() {
    if (slots_) ::munmap(slots_, kRegisterMapBytes);
  }
  RegisterMap(const RegisterMap&) = delete;
  RegisterMap& operator=(const RegisterMap&) = delete;
  RegisterSlot* slots() const { return slots_; }

 private:
  RegisterSlot* slots_ = nullptr;
};

}  // namespace

TargetStopper::TargetStopper(int pid, const Cancel& cancel, bool captureRegisters) : pid_(pid) {
  const std::string who = "process " + std::to_string(pid);
  if (pid == static_cast<int>(::getpid())) {
    throw OsError("EPERM", pid, "heap", "stopTarget is impossible for the inspector's own process (it would stop itself); walk it without stopTarget");
  }
  if (::kill(pid, 0) != 0 && errno == ESRCH) throw OsError("ESRCH", pid, "heap", who + " does not exist");

  HelperMemory memory;
  RegisterMap registerMap(captureRegisters);
  if (captureRegisters && !registerMap.slots())
    throw OsError("ENOMEM", pid, "heap", "cannot map memory for the registers of " + who);
  memory.registers = registerMap.slots();
  int reportPipe[2], controlPipe[2];
  if (::pipe2(reportPipe, O_CLOEXEC) != 0) {
    int err = errno;
    throw OsError(errnoName(err), pid, "heap", describeErrno("cannot stop " + who + ": pipe2", err));
  }
  Fd reportRead(reportPipe[0]), reportWrite(reportPipe[1]);
  if (::pipe2(controlPipe, O_CLOEXEC) != 0) {
    int err = errno;
    throw OsError(errnoName(err), pid, "heap", describeErrno("cannot stop " + who + ": pipe2", err));
  }
  Fd controlRead(controlPipe[0]), controlWrite(controlPipe[1]);

  const pid_t parent = ::getpid();
  const pid_t child = ::fork();
  if (child < 0) {
    int err = errno;
    throw OsError(errnoName(err), pid, "heap", describeErrno("cannot start the helper that stops " + who, err));
  }
  if (child == 0) runHelper(pid, reportWrite.get(), controlRead.get(), memory, parent);

  helper_ = child;
  control_ = std::move(controlWrite);
  reportWrite.reset();
  controlRead.reset();

  Report report;
  bool reported = false;
  try {
    reported = readReport(reportRead.get(), report, cancel);
  } catch (const OsError&) {  // cancelled
    ::kill(helper_, SIGKILL);  // its exit detaches every thread
    release();
    throw;
  }
  if (!reported) {
    ::kill(helper_, SIGKILL);
    release();
    throw OsError("EIO", pid, "heap", "the helper that stops " + who + " ended or hung without a report; walk it without stopTarget");
  }
  switch (report.outcome) {
    case Report::kStopped:
      allStopped_ = report.notStopped == 0 && report.keptAppearing == 0;
      for (int32_t i = 0; captureRegisters && i < report.captured && i < static_cast<int32_t>(kMaxThreads); ++i) {
        const RegisterSlot& slot = registerMap.slots()[i];
        ThreadRegisters regs;
        regs.tid = slot.tid;
        regs.words.assign(slot.words, slot.words + std::min<size_t>(slot.bytes / 8, sizeof slot.words / 8));
        regs.sp = kSpWord < regs.words.size() ? regs.words[kSpWord] : 0;
        registers_.push_back(std::move(regs));
      }
      if (report.notStopped != 0) {
        problem_ = "thread " + std::to_string(report.notStopped) + " of " + who + " did not stop within " +
                   std::to_string(kStopTimeoutMs / 1000) + " s";
      } else if (report.keptAppearing) {
        problem_ = "threads of " + who + " kept appearing while they were being stopped";
      }
      return;
    case Report::kSeizeFailed: {
      release();
      const int err = report.err;
      // Why: traced by someone else already (a debugger: then a walk without stopTarget works), or
      // not ours to trace (then it doesn't either: say what would allow it).
      const int tracer = tracerOf(pid, report.tid);
      const std::string why = tracer > 0 ? "it is traced by process " + std::to_string(tracer) + " already (a debugger?); walk it without stopTarget"
                                         : accessAdvice(pid) + " (a walk without stopTarget needs the same)";
      throw OsError(err == EPERM || err == EACCES ? "EPERM" : errnoName(err), pid, "heap",
                    describeErrno("cannot stop " + who + " for a consistent walk: ptrace(PTRACE_SEIZE) of thread " +
                                      std::to_string(report.tid) + " failed",
                                  err) +
                        "; " + why);
    }
    case Report::kGone:
      release();
      throw OsError("ESRCH", pid, "heap", who + (report.goneAtStart ? " does not exist" : " exited during the heap walk"));
    case Report::kListFailed:
      release();
      throw OsError(errnoName(report.err), pid, "heap", describeErrno("cannot list the threads of " + who, report.err));
    default:
      release();
      throw OsError("E2BIG", pid, "heap", who + " has more than " + std::to_string(kMaxThreads) + " threads: it can't be stopped");
  }
}

TargetStopper::~TargetStopper() { release(); }

// Closing the control pipe tells the helper to detach and exit; then it is reaped (it is a child
// of this process that node's child-process bookkeeping does not know about).
void TargetStopper::release() noexcept {
  control_.reset();
  if (helper_ > 0) {
    int status;
    while (::waitpid(helper_, &status, 0) < 0 && errno == EINTR) {
    }
    helper_ = -1;
  }
}

}  // namespace snapscope::procfs::heap
