#include "unwinder.h"

#include <elfutils/libdwfl.h>

#include <algorithm>
#include <cstring>
#include <string>

#include "../../backend.h"
#include "../maps.h"
#include "../symbols/debuginfo.h"
#include "../watch/watch_util.h"
#include "user_regs.h"

namespace snapscope::procfs::allocs {
namespace {

constexpr int kMaxFrames = 128;
constexpr size_t kMaxCachedChains = 1 << 20;  // entries kept; beyond it the cache starts over
constexpr size_t kMaxPerKey = 32;             // chains kept per (pc, registers): the oldest go first
constexpr uint64_t kRefreshNs = 250'000'000;  // the module list is re-read at most this often

uint64_t mix(uint64_t h, uint64_t v) {
  h ^= v + 0x9e3779b97f4a7c15ull + (h << 6) + (h >> 2);
  return h;
}

}  // namespace

Unwinder::Unwinder(int pid, StackTable& stacks) : pid_(pid), stacks_(stacks) {
  callbacks_.find_elf = dwfl_linux_proc_find_elf;
  callbacks_.find_debuginfo = symbols::findLocalDebuginfo;  // never debuginfod
  callbacks_.debuginfo_path = &debugPath_;
  dwfl_ = dwfl_begin(&callbacks_);
  if (!dwfl_) throw OsError("EIO", pid, "allocs", std::string("dwfl_begin: ") + dwfl_errmsg(-1));
  report();
  threadCallbacks_.next_thread = nextThread;
  threadCallbacks_.get_thread = getThread;
  threadCallbacks_.memory_read = memoryRead;
  threadCallbacks_.set_initial_registers = setInitialRegisters;
  if (!dwfl_attach_state(dwfl_, nullptr, pid, &threadCallbacks_, this)) {
    const std::string why = dwfl_errmsg(-1);
    dwfl_end(dwfl_);
    throw OsError("EIO", pid, "allocs", "cannot unwind the stacks of pid " + std::to_string(pid) + ": " + why);
  }
}

Unwinder::~Unwinder() { dwfl_end(dwfl_); }

void Unwinder::report() {
  dwfl_report_begin(dwfl_);
  const int err = dwfl_linux_proc_report(dwfl_, memoryTask(pid_));
  dwfl_report_end(dwfl_, nullptr, nullptr);
  if (err != 0 && err != ENOENT && err != ESRCH) {
    throw OsError("EIO", pid_, "allocs", "cannot read the modules of pid " + std::to_string(pid_) + ": " +
                                             std::strerror(err > 0 ? err : EIO));
  }
  lastRefreshNs_ = watch::monotonicNs();
}

pid_t Unwinder::nextThread(Dwfl*, void*, void**) { return 0; }

bool Unwinder::getThread(Dwfl*, pid_t, void* arg, void** threadArg) {
  *threadArg = arg;
  return true;
}

bool Unwinder::memoryRead(Dwfl*, Dwarf_Addr address, Dwarf_Word* result, void* arg) {
  auto* self = static_cast<Unwinder*>(arg);
  const Sample& s = self->sample_;
  const uint64_t sp = s.regs[SP];
  if (address >= sp && address - sp + sizeof(uint64_t) <= s.size) {
    const uint32_t offset = static_cast<uint32_t>(address - sp);
    std::memcpy(result, s.stack + offset, sizeof *result);
    self->reads_.push_back({offset, *result});
    return true;
  }
  // Beyond the copy (a deep stack, or data the CFI points elsewhere): read the live process. The
  // frames may have moved on since the sample, so such a walk is never cached.
  self->readOutside_ = true;
  return readRemote(self->pid_, address, result, sizeof *result);
}

bool Unwinder::setInitialRegisters(Dwfl_Thread* thread, void* arg) {
  auto* self = static_cast<Unwinder*>(arg);
  Dwarf_Word dwarf[16];
  for (int i = 0; i < 16; ++i) dwarf[i] = self->sample_.regs[kDwarfFromEntry[i]];
  if (!dwfl_thread_state_registers(thread, 0, 16, dwarf)) return false;
  dwfl_thread_state_register_pc(thread, self->sample_.regs[IP]);
  return true;
}

bool Unwinder::walk() {
  frames_.clear();
  activation_.clear();
  reads_.clear();
  readOutside_ = false;
  ++stats_.walks;
  dwfl_getthread_frames(
      dwfl_, pid_,
      [](Dwfl_Frame* frame, void* arg) -> int {
        auto* self = static_cast<Unwinder*>(arg);
        Dwarf_Addr pc = 0;
        bool activation = false;
        if (!dwfl_frame_pc(frame, &pc, &activation) || pc == 0) return DWARF_CB_ABORT;
        self->frames_.push_back(pc);
        self->activation_.push_back(activation);
        return self->frames_.size() >= kMaxFrames ? DWARF_CB_ABORT : DWARF_CB_OK;
      },
      this);
  // A chain ending in code of no known module: a library loaded since the modules were read.
  return frames_.empty() || dwfl_addrmodule(dwfl_, frames_.back() - (activation_.back() ? 0 : 1)) != nullptr;
}

uint64_t Unwinder::keyOf(uint64_t ip, const std::vector<uint64_t>& signature) const {
  uint64_t h = mix(0, ip);
  for (uint64_t v : signature) h = mix(h, v);
  return h;
}

const Unwinder::Entry* Unwinder::lookup(uint64_t key, uint64_t ip, const std::vector<uint64_t>& signature) const {
  auto found = cache_.find(key);
  if (found == cache_.end()) return nullptr;
  for (const Entry& e : found->second) {
    if (e.ip != ip || e.registerSig != signature) continue;
    bool same = true;
    for (const auto& [offset, word] : e.checks) {
      uint64_t now;
      if (offset + sizeof now > sample_.size) {
        same = false;
        break;
      }
      std::memcpy(&now, sample_.stack + offset, sizeof now);
      if (now != word) {
        same = false;
        break;
      }
    }
    if (same) return &e;
  }
  return nullptr;
}

uint32_t Unwinder::stackOf(const uint64_t* regs, const unsigned char* stack, size_t size) {
  sample_ = {regs, stack, size};
  const uint64_t sp = regs[SP];
  signature_.assign(16, 0);
  for (int i = 0; i < 16; ++i) {
    const uint64_t value = regs[kDwarfFromEntry[i]];
    if (value >= sp && value - sp < size) signature_[i] = value - sp + 1;
  }
  const uint64_t ip = regs[IP];
  const uint64_t key = keyOf(ip, signature_);
  if (const Entry* hit = lookup(key, ip, signature_)) {
    ++stats_.hits;
    return hit->stack;
  }
  if (!walk() && watch::monotonicNs() - lastRefreshNs_ >= kRefreshNs) {
    ++stats_.refreshes;
    report();
    cache_.clear();  // a module list that changed may change what any pc unwinds to
    cached_ = 0;
    walk();
  }
  out_.clear();
  for (size_t i = 1; i < frames_.size(); ++i) out_.push_back(activation_[i] ? frames_[i] : frames_[i] - 1);
  const uint32_t id = stacks_.intern(out_);
  if (readOutside_) return id;

  Entry entry{ip, signature_, {}, id};
  for (const auto& read : reads_) {
    const uint64_t word = read.second;
    const bool returnAddress = std::find(frames_.begin(), frames_.end(), word) != frames_.end();
    const bool intoStack = word >= sp && word - sp < size;
    if (returnAddress || intoStack) entry.checks.push_back(read);
  }
  std::sort(entry.checks.begin(), entry.checks.end());
  entry.checks.erase(std::unique(entry.checks.begin(), entry.checks.end()), entry.checks.end());
  if (cached_ >= kMaxCachedChains) {
    cache_.clear();
    cached_ = 0;
  }
  std::vector<Entry>& bucket = cache_[key];
  if (bucket.size() >= kMaxPerKey) bucket.erase(bucket.begin());
  else ++cached_;
  bucket.push_back(std::move(entry));
  return id;
}

}  // namespace snapscope::procfs::allocs
