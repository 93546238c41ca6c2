// The perf_event working-set watch: software page-fault events sampled at every fault
// (sample_period 1) with the faulting IP, tid, CLOCK_MONOTONIC time and address.
//
// Coverage of every thread: a perf event watches one task (thread), and `inherit` extends it only to
// threads that task creates AFTER the event exists. So each thread that already runs gets one event
// per online CPU (inherit, inherit_thread), and every event of a CPU writes into that CPU's single
// ring (PERF_EVENT_IOC_SET_OUTPUT): threads × CPUs fds, CPUs rings. Threads created later inherit
// their creator's events and need nothing more. Setup lists the threads again until no new one
// appears; a thread that appeared meanwhile gets events of its own unless a PERF_RECORD_FORK shows
// it inherited them (it was created by a thread already watched), so no thread is counted twice.
// An exec from a thread other than the leader hands that thread the pid: when it exec'd before its
// events were opened, the pid looks covered but its task carries none, so each pass checks the
// leader's events for a hang-up (see leader()) and opens the pid again. A rarer start during execs
// leaves every event on tasks that never count (cause not found); until the events count a first
// fault, each wake-up compares with the process's own fault count and covers the threads again if
// it grew (checkCounting). Once set up, every thread carries events (its own or inherited), and they
// survive its execs.
// CPUs brought online after the start are not watched.
//
// Lost records are counted from the kernel's PERF_RECORD_LOST records as they come, and when the
// watch ends the events are disabled and their counts read: the kernel counted every fault, so
// count − samples − reported losses is what was dropped without a LOST record ever being written
// (the kernel writes LOST only once space frees up again). Delivered + lost = the true count.
#pragma once

#include <poll.h>

#include <atomic>
#include <cstdint>
#include <memory>
#include <string>
#include <unordered_set>
#include <vector>

#include "../../backend.h"
#include "perf_ring.h"
#include "watch_util.h"

namespace snapscope::procfs::watch {

struct PerfWatchOptions {
  int pid = -1;
  // exclude_kernel + exclude_hv: what perf_event_paranoid 2 still allows an unprivileged user. It
  // hides the faults taken while the kernel touches user memory on the process's behalf (read()
  // into a fresh buffer, futexes, …): only faults raised by user-mode instructions are seen.
  bool userOnly = false;
  uint64_t ringBytes = 0;  // per ring (per CPU); 0 = default
};

// Opens the events and maps the rings, halving the ring size while mmap fails with EPERM/ENOMEM
// (RLIMIT_MEMLOCK, perf_event_mlock_kb). Throws SysError (perf_event_open's or mmap's errno).
std::unique_ptr<WsWatch> openPerfWatch(const PerfWatchOptions& options);

// The ring size (bytes of data per CPU) used when none is asked for: 8 MiB (enough for any burst
// seen on the probe machine) while the total stays within 64 MiB, never below 64 KiB.
uint64_t defaultPerfRingBytes(size_t cpus);

}  // namespace snapscope::procfs::watch
