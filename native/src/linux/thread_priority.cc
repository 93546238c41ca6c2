#include "thread_priority.h"

#include <sched.h>
#include <sys/resource.h>

#include <cerrno>

namespace snapscope::procfs {

int threadPriority(int tid, int& priority) {
  // On Linux both calls accept a thread id and address that one thread.
  int policy = ::sched_getscheduler(tid);
  if (policy < 0) return errno;
  switch (policy & ~SCHED_RESET_ON_FORK) {
    case SCHED_FIFO:
    case SCHED_RR: {
      sched_param param{};
      if (::sched_getparam(tid, &param) < 0) return errno;
      priority = -1 - param.sched_priority;
      return 0;
    }
    case SCHED_DEADLINE:
      priority = -101;  // the kernel's prio -1 minus MAX_RT_PRIO, as stat shows it
      return 0;
    default: {
      errno = 0;  // -1 is a valid nice value: only errno tells a failure apart
      int nice = ::getpriority(PRIO_PROCESS, static_cast<id_t>(tid));
      if (nice == -1 && errno != 0) return errno;
      priority = 20 + nice;
      return 0;
    }
  }
}

}  // namespace snapscope::procfs
