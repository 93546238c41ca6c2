// Stops every thread of a process for a consistent heap walk, and lets them all go again.
//
// Why ptrace and not SIGSTOP: a SIGSTOP'ed process stays stopped if the inspector crashes or is
// killed before it sends SIGCONT. A ptrace tracee is detached by the kernel when its tracer exits,
// so whatever happens, the target resumes by itself (PTRACE_O_EXITKILL is deliberately not set).
// PTRACE_SEIZE + PTRACE_INTERRUPT (rather than PTRACE_ATTACH) send no signal, so nothing is left
// pending for the target to see, and a group-stopped target stays group-stopped after the detach.
//
// Why the tracer is a helper process and not the walking thread: when the tracer is a thread of
// the target's real parent (the inspector spawned the target, as the tests and a "launch and
// inspect" flow do), the kernel reports the target's ptrace-stops to any wait() of the parent's
// thread group. Node's own SIGCHLD handling (libuv: waitpid(child, WNOHANG)) then takes the
// leader's stop before the tracer thread does, and reports it to JS as the child's exit. Measured
// here: it won every time. A tracer in a process of its own is "reparented" from the target's
// point of view, so its stops are invisible to node. The helper is fork()ed from the walking thread,
// runs only system calls on memory allocated before the fork, seizes/interrupts/waits for every
// thread, reports, then sleeps until the walk is over (its control pipe closes) and detaches. If the
// helper or the inspector dies, the helper's exit detaches every tracee (PR_SET_PDEATHSIG kills the
// helper when the thread that forked it ends).
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <string>
#include <vector>

#include "../../backend.h"
#include "../fd.h"
#include "cancel.h"

namespace snapscope::procfs::heap {

// One thread's general registers as the kernel saves them (PTRACE_GETREGSET NT_PRSTATUS).
struct ThreadRegisters {
  pid_t tid = 0;
  std::vector<uint64_t> words;  // user_regs_struct (x86-64) / user_pt_regs (arm64), word by word
  uint64_t sp = 0;              // the stack pointer among them
};

class TargetStopper {
 public:
  // Returns once every thread of `pid` is in a ptrace-stop (or could not be stopped in time: see
  // allStopped). Throws OsError: EPERM when the process can't be traced (traced by a debugger
  // already, not ours, or the inspector itself), ESRCH when it is gone, ECANCELED when `cancel`
  // is set meanwhile (every thread stopped so far is let go).
  // With `captureRegisters`, the helper (the tracer: only it may) also reads every stopped thread's
  // registers before it reports, for registers() (the roots of a leak scan).
  TargetStopper(int pid, const Cancel& cancel, bool captureRegisters = false);
  ~TargetStopper();  // every thread is detached and runs on

  TargetStopper(const TargetStopper&) = delete;
  TargetStopper& operator=(const TargetStopper&) = delete;

  // Every thread is in a ptrace-stop (false when one could not be stopped in time).
  bool allStopped() const { return allStopped_; }
  // Why allStopped() is false ("" when it is true).
  const std::string& problem() const { return problem_; }
  // The registers of every stopped thread (empty without captureRegisters).
  const std::vector<ThreadRegisters>& registers() const { return registers_; }

 private:
  void release() noexcept;

  int pid_;
  pid_t helper_ = -1;
  Fd control_;       // write end: closing it tells the helper to detach and exit
  bool allStopped_ = false;
  std::string problem_;
  std::vector<ThreadRegisters> registers_;
};

}  // namespace snapscope::procfs::heap
