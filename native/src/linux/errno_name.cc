#include "errno_name.h"

#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "proc_reader.h"

namespace snapscope::procfs {

// A table of our own rather than glibc's strerrorname_np (2.32+), which would stop the addon
// loading on older distributions.
std::string errnoName(int err) {
  switch (err) {
#define SNAPSCOPE_ERRNO(name) \
  case name:                  \
    return #name;
    SNAPSCOPE_ERRNO(EPERM)
    SNAPSCOPE_ERRNO(ENOENT)
    SNAPSCOPE_ERRNO(ESRCH)
    SNAPSCOPE_ERRNO(EINTR)
    SNAPSCOPE_ERRNO(EIO)
    SNAPSCOPE_ERRNO(ENXIO)
    SNAPSCOPE_ERRNO(E2BIG)
    SNAPSCOPE_ERRNO(EBADF)
    SNAPSCOPE_ERRNO(ECHILD)
    SNAPSCOPE_ERRNO(EAGAIN)
    SNAPSCOPE_ERRNO(ENOMEM)
    SNAPSCOPE_ERRNO(EACCES)
    SNAPSCOPE_ERRNO(EFAULT)
    SNAPSCOPE_ERRNO(EBUSY)
    SNAPSCOPE_ERRNO(EEXIST)
    SNAPSCOPE_ERRNO(ENODEV)
    SNAPSCOPE_ERRNO(ENOTDIR)
    SNAPSCOPE_ERRNO(EISDIR)
    SNAPSCOPE_ERRNO(EINVAL)
    SNAPSCOPE_ERRNO(ENFILE)
    SNAPSCOPE_ERRNO(EMFILE)
    SNAPSCOPE_ERRNO(EFBIG)
    SNAPSCOPE_ERRNO(ENOSPC)
    SNAPSCOPE_ERRNO(EROFS)
    SNAPSCOPE_ERRNO(ERANGE)
    SNAPSCOPE_ERRNO(ENAMETOOLONG)
    SNAPSCOPE_ERRNO(ENOSYS)
    SNAPSCOPE_ERRNO(ELOOP)
    SNAPSCOPE_ERRNO(EOVERFLOW)
    SNAPSCOPE_ERRNO(EOPNOTSUPP)
    SNAPSCOPE_ERRNO(ETIMEDOUT)
#undef SNAPSCOPE_ERRNO
    default:
      return "E" + std::to_string(err);
  }
}

std::string accessAdvice(int pid) {
  const std::string who = "process " + std::to_string(pid);
  const std::string fix = "run the inspector as root (or give node CAP_SYS_PTRACE)";
  struct stat st {};
  const std::string dir = "/proc/" + std::to_string(pid);
  const unsigned me = ::geteuid();
  if (::stat(dir.c_str(), &st) != 0) return "only its own user or root may read " + who + ": " + fix;
  StatFields stat;
  if (readStatFile(dir + "/stat", stat) == 0 && (stat.flags & kKernelThreadFlag)) {
    return who + " is a kernel thread: it has no user memory, and no one may read or stop it";
  }
  if (me == 0) {
    return who + " is refused even to root: it may belong to another user namespace (a container), or a security "
                 "module (SELinux, AppArmor, Yama) forbids it";
  }
  if (st.st_uid != me) {
    return who + " belongs to uid " + std::to_string(st.st_uid) + " and this inspector runs as uid " + std::to_string(me) +
           ": run it as that user, or " + fix;
  }
  // The same user and still refused: a setuid/non-dumpable process, or ptrace restrictions (Yama).
  return who + " is this user's but the kernel refuses access (a setuid or non-dumpable program, or "
               "/proc/sys/kernel/yama/ptrace_scope): " + fix;
}

std::string describeErrno(const std::string& what, int err) {
  char buf[128];
  // GNU strerror_r: thread-safe, returns a pointer that may or may not be buf.
  const char* text = strerror_r(err, buf, sizeof buf);
  return what + ": " + text + " (" + errnoName(err) + ")";
}

}  // namespace snapscope::procfs
