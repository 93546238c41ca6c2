// The one interface between the Node-API layer (addon.cc) and an OS backend (src/linux, src/win).
// Plain C++ only: a backend never sees N-API, so it can be tested and reused without Node.
#pragma once

#include <atomic>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace snapscope {

struct ProcessInfo {
  int pid = 0;
  int parentPid = 0;
  std::string exeFile;               // basename of the executable (the comm when it can't be read)
  std::string exePath;               // full path, "" when unreadable (kernel threads)
  std::string name;                  // the kernel's short name (comm), valid UTF-8
  bool nameTruncated = false;        // the kernel cut the name (Linux: to 15 bytes)
  std::vector<std::string> cmdline;
  std::string user;                  // user name, or the uid as a string when it has no name
  uint32_t uid = 0;
  double startTimeMs = 0;            // ms since the Unix epoch
  int threadCount = 0;
  int basePriority = 0;
  uint64_t workingSetBytes = 0;
  uint64_t pageFaultCount = 0;
  std::string state;                 // one letter, e.g. "S"
};

struct ThreadInfo {
  int tid = 0;
  int ownerPid = 0;
  int basePriority = 0;              // the owning process's priority
  int deltaPriority = 0;             // thread priority - basePriority
};

// Something that could not be read for one process; the snapshot goes on without it.
struct SnapshotErrorInfo {
  int pid = 0;
  std::string scope;                 // what was being read: "process", "threads", "exePath", "cmdline"
  std::string code;                  // the OS code's name: "ESRCH", "EACCES", ...
  std::string message;
};

// One loaded image (executable, shared object, vdso), sized from its own headers.
struct ModuleInfo {
  int pid = 0;
  std::string moduleName;            // file name, e.g. "libc.so.6", or "[vdso]"
  std::string exePath;               // full path ("" for [vdso])
  uint64_t baseAddress = 0;
  uint64_t baseSize = 0;             // span of the image's PT_LOAD segments (SizeOfImage on Windows)
  bool deleted = false;              // the file was deleted or replaced after it was mapped
};

// A heap as Tool Help's HEAPLIST32 sees it, plus what the walker needs to know.
struct HeapListInfo {
  int pid = 0;
  std::string heapId;                // "0x…": the arena (glibc malloc_state) or region address
  bool isDefault = false;            // the process heap (glibc main arena)
  // The kinds emitted (HEAP_KINDS of src-common/contract/types.ts; kinds.test.ts checks the literals):
  // "main-arena" | "thread-arena" | "mmapped" | "region" (Linux), "nt-heap" (Windows)
  std::string kind;
  std::string allocator;             // "glibc" | "musl" | "jemalloc" | "tcmalloc" | "unknown"
  uint64_t baseAddress = 0;
  uint64_t size = 0;                 // bytes of address space the heap spans now
  bool walkable = false;             // false: heapWalk() says why (ENOTSUP)
  std::string note;                  // why not walkable, or other detail
};

struct SnapshotRequest {
  bool processes = false;
  bool threads = false;
  bool modules = false;              // of `pid` (the current process when pid < 0)
  bool heapLists = false;            // of `pid` (the current process when pid < 0)
  int pid = -1;                      // -1 = none; otherwise it must exist
};

struct SystemSnapshot {
  std::vector<ProcessInfo> processes;
  std::vector<ThreadInfo> threads;
  std::vector<ModuleInfo> modules;
  std::vector<HeapListInfo> heapLists;
  std::vector<SnapshotErrorInfo> errors;
};

// A mapping of a process's address space, classified for fault attribution.
struct MemoryRegion {
  uint64_t start = 0, end = 0;
  std::string perms;                 // "rw-p" …
  std::string kind;                  // REGION_KINDS: "image" | "heap" | "stack" | "anon" | "other"
  std::string path;                  // backing file or pseudo-name ("[heap]", "[stack]", "")
  int tid = 0;                       // for stacks: the thread whose stack pointer lies inside, when known
};

// The memory figures of one process beyond the snapshot's, for the details pane. A figure is absent
// where the OS has none: a kernel thread (Linux) or the System Idle Process (Windows) has no user
// memory at all.
struct ProcessMemory {
  int pid = 0;
  std::optional<uint64_t> workingSetBytes;      // Linux: VmRSS (= statm's resident, as the snapshot); Windows: WorkingSetSize
  std::optional<uint64_t> privateBytes;         // Linux: RssAnon; Windows: PrivateUsage (the commit charge)
  std::optional<uint64_t> peakWorkingSetBytes;  // Linux: VmHWM; Windows: PeakWorkingSetSize
  std::optional<uint64_t> virtualBytes;         // Linux: VmSize; Windows: VM_COUNTERS.VirtualSize
};

// ---- the memory map (VMMap's view) ----
// MEMORY_KINDS of src-common/contract/types.ts, in order: a region's kind is its index here.
// image: an executable or library (a file mapped with execute rights somewhere in the process, or
// [vdso]); mapped-file: any other file; heap: [heap] and the allocator's arenas and large blocks (the
// heap list); stack: the main and every thread's stack; anon: other private or shared anonymous
// memory; jit: anonymous memory that may be executed; other: [vvar], [vsyscall] and such.
inline constexpr const char* kMemoryKinds[] = {"image", "mapped-file", "heap", "stack", "anon", "jit", "other"};
enum class MemoryKind : uint8_t { Image, MappedFile, Heap, Stack, Anon, Jit, Other };

struct MemoryMapRegion {
  uint64_t start = 0, end = 0;
  MemoryKind kind = MemoryKind::Other;
  std::string perms;                 // "rw-p" (Windows: the protection as r/w/x and p(rivate)/s(hared))
  std::string path;                  // backing file or pseudo-name, "" when none
  uint64_t residentBytes = 0;        // Linux: Rss; Windows: pages in the working set
  uint64_t privateBytes = 0;         // Linux: Private_Clean + Private_Dirty; Windows: private (unshared) working-set pages
  uint64_t swapBytes = 0;            // Linux: Swap; Windows: 0 (the pagefile's share is not per region)
};

struct MemoryMap {
  int pid = 0;
  std::vector<MemoryMapRegion> regions;  // in address order
};

// ---- heap walks ----
// Moveable: Windows only, a block in use that GlobalAlloc/LocalAlloc made movable (LF32_MOVEABLE).
enum class BlockFlag : uint8_t { Fixed = 0, Free = 1, Moveable = 2 };

struct HeapBlock {
  uint64_t address = 0;              // what the program holds (glibc: chunk + 16)
  uint64_t size = 0;                 // usable size
  BlockFlag flag = BlockFlag::Fixed;
};

struct HistogramBucket {
  uint64_t minSize = 0, maxSize = 0, count = 0, bytes = 0;
};

struct HeapSummary {
  uint64_t blockCount = 0, usedBlocks = 0, usedBytes = 0, freeBlocks = 0, freeBytes = 0;
  std::vector<HistogramBucket> histogram;  // size classes over ALL blocks, not only the returned page
};

struct HeapWalk {
  std::string heapId;
  std::string kind;                  // the heap's HeapListInfo::kind
  std::vector<HeapBlock> blocks;     // blocks [offset, offset + limit) of this heap in address order
  HeapSummary summary;
  bool truncated = false;            // more blocks exist than were returned
};

struct HeapWalkRequest {
  int pid = -1;
  std::string heapId;                // "" = every heap of the process
  uint64_t offset = 0;               // paging: blocks to skip (per heap)
  uint64_t limit = UINT64_MAX;       // paging: blocks to return at most (per heap)
  bool stopTarget = false;           // stop every thread of the target for a consistent walk
};

struct HeapWalkResult {
  int pid = -1;
  std::vector<HeapWalk> heaps;
  bool stopped = false;              // the target was stopped during the walk (else it may be torn)
  std::vector<SnapshotErrorInfo> errors;
};

struct WalkProgress {
  uint64_t scannedBytes = 0, totalBytes = 0, blocks = 0;
};
using ProgressFn = std::function<void(const WalkProgress&)>;

// ---- leak scan ----
// Verdicts as valgrind's memcheck defines them; LEAK_KINDS of src-common/contract/leakTypes.ts, in order.
enum class LeakKind : uint8_t { DefinitelyLost = 0, IndirectlyLost = 1, PossiblyLost = 2, Reachable = 3 };
inline constexpr const char* kLeakKinds[] = {"definitely-lost", "indirectly-lost", "possibly-lost", "reachable"};

struct LeakScanRequest {
  int pid = -1;
  bool blocks = false;               // also return every used block with its verdict and type
  std::vector<uint64_t> referrersOf; // addresses (in blocks) whose referrers to list: "who points at it"
};

// Where a referrer is; kReferrerSources of native/index.ts's NativeLeakReferrer, in order.
enum class ReferrerSource : uint8_t { Register = 0, Stack = 1, Static = 2, Other = 3, Block = 4 };
inline constexpr const char* kReferrerSources[] = {"register", "stack", "static", "other", "block"};

// One word that points at (or into) a block of LeakScanRequest::referrersOf.
struct LeakReferrer {
  uint64_t target = 0;               // the start of the block pointed at
  uint64_t from = 0;                 // the address of the word (0 for a register)
  uint64_t fromBlock = 0;            // the start of the block holding the word (0 for a root)
  ReferrerSource source = ReferrerSource::Register;
  bool interior = false;             // it points inside the block, not at its start
};

// What was scanned as roots.
struct LeakRoots {
  uint64_t threads = 0;              // threads whose registers and stack were scanned
  uint64_t registers = 0;            // register words scanned
  uint64_t stackBytes = 0;           // thread stacks from the stack pointer (minus the red zone) to the end
  uint64_t staticBytes = 0;          // writable image data: .data, .bss, GOT
  uint64_t otherBytes = 0;           // other writable mappings that are not heaps (TLS of the main thread, mmaps)
};

struct LeakTotals {
  uint64_t blocks = 0, bytes = 0;
};

// Lost blocks of one kind and one type (or, untyped, one exact size).
struct LeakGroup {
  LeakKind kind = LeakKind::DefinitelyLost;
  uint32_t type = 0;                 // index into LeakScanResult::types (0 = unknown)
  uint64_t blockSize = 0;            // the blocks' size when they all have it, else 0
  uint64_t count = 0, bytes = 0;
  std::vector<uint64_t> examples;    // a few block addresses
};

struct LeakScanResult {
  int pid = -1;
  bool stopped = false;              // every thread was stopped for the scan
  double stoppedMs = 0;              // how long the target was stopped
  LeakRoots roots;
  LeakTotals totals[4];              // by LeakKind
  std::vector<std::string> types{""};  // type names; [0] = "" (unknown)
  std::vector<LeakGroup> groups;     // sorted by bytes, largest first
  // request.blocks: every used block in address order, as columns
  std::vector<uint64_t> address, size;
  std::vector<uint8_t> kind;         // LeakKind
  std::vector<uint32_t> type;        // index into types
  std::vector<LeakReferrer> referrers;  // of request.referrersOf, by target then address (at most kMaxReferrers)
  std::vector<SnapshotErrorInfo> errors;
  static constexpr size_t kMaxReferrers = 4096;
};

// ---- working-set watch ----
struct FaultRecord {
  uint64_t pc = 0;                   // 0 when the mechanism cannot see it (pagemap diffs)
  uint64_t va = 0;
  uint32_t tid = 0;                  // 0 when unknown
  double tMs = 0;                    // ms since the watch started
};

struct WatchRequest {
  int pid = -1;
  uint64_t ringBytes = 0;            // per ring; 0 = the backend's default
  std::string mechanism = "auto";    // "auto" or a named mechanism to force (tests of fallbacks)
};

// A live watch. poll() is called from one worker thread only; stop() from any thread.
class WsWatch {
 public:
  virtual ~WsWatch() = default;
  virtual std::string mechanism() const = 0;   // e.g. "perf-page-faults", "perf-page-faults-user", "pagemap-diff", "psapi-ws-watch"
  // Appends new records and adds to `lost` the records the OS dropped. Waits up to timeoutMs for
  // data. Returns false once the target has exited (after delivering what was left).
  virtual bool poll(std::vector<FaultRecord>& out, uint64_t& lost, int timeoutMs) = 0;
  virtual void stop() = 0;                      // wakes a blocked poll(), which then returns false
};

// ---- allocation trace ----
struct AllocTraceRequest {
  int pid = -1;
  uint64_t ringBytes = 0;            // per ring (per CPU); 0 = the backend's default
  uint32_t stackBytes = 8192;        // user stack copied per allocation for the unwind
  uint64_t maxStacks = 1'000'000;    // distinct stacks kept; the rest count on stack 0
  uint64_t maxLiveBlocks = 16'000'000;  // live blocks tracked; the rest are counted untracked
};

struct AllocTotals {
  uint64_t allocations = 0, bytes = 0, frees = 0, temporary = 0, liveBlocks = 0, liveBytes = 0, peakBytes = 0;
  uint64_t untrackedFrees = 0;       // frees of blocks allocated before the trace
  uint64_t untrackedBlocks = 0;      // blocks not tracked: maxLiveBlocks reached
  uint64_t unwinds = 0;              // stacks unwound by a DWARF walk
  uint64_t unwindCacheHits = 0;      // stacks answered by the unwind cache
};

// What changed since the last take: stacks first seen (frames innermost first, the allocator's caller
// first) and per touched stack its deltas, as columns.
struct AllocBatch {
  std::vector<std::pair<uint32_t, std::vector<uint64_t>>> newStacks;
  std::vector<uint32_t> stackIds;
  std::vector<double> allocations, bytes, frees, freedBytes, temporary;
  AllocTotals totals;
  uint64_t lost = 0;                 // events the OS dropped since the last take
  bool empty() const { return newStacks.empty() && stackIds.empty() && lost == 0; }
};

// Per stack, what is live now (at the end: leaked) and its peak of live bytes.
struct AllocLeaks {
  std::vector<uint32_t> stackIds;
  std::vector<double> blocks, bytes, peakBytes;
};

// A live allocation trace. poll() and take() are called from one worker thread only; stop() from any.
class AllocTrace {
 public:
  virtual ~AllocTrace() = default;
  virtual std::string mechanism() const = 0;    // e.g. "uprobes-glibc"
  // Reads and aggregates what the OS delivered, waiting up to timeoutMs for it. Returns false once
  // the target has exited or stop() was called (after taking in everything that was left).
  virtual bool poll(int timeoutMs) = 0;
  // Moves what changed since the last take into `batch` (which it clears first).
  virtual void take(AllocBatch& batch) = 0;
  virtual AllocLeaks leaks() const = 0;
  virtual void stop() = 0;                      // wakes a blocked poll(), which then returns false
};

// ---- symbols ----
// One frame inlined at an address, innermost first (the outer function is SymbolInfo::function).
struct InlineFrame {
  std::string function;              // demangled; "" when unknown
  std::string file;                  // "" when unknown
  uint32_t line = 0;                 // 0 when unknown
};

// What one code address is. A symbol never lies: when the nearest symbol below the address does not
// cover it (an export whose size it is past), function is "" and exact is false: module+offset only.
struct SymbolInfo {
  uint64_t address = 0;
  std::string module;                // file name of the image holding it; "" when in no module
  std::string modulePath;            // its full path ("" when none)
  uint64_t moduleOffset = 0;         // address - the module's base address (load address of the image)
  std::string function;              // demangled name; "" when unknown
  uint64_t offset = 0;               // address - the function's start (0 when no function)
  std::string file;                  // source file, "" when unknown
  uint32_t line = 0;                 // 0 when unknown
  std::vector<InlineFrame> inlined;  // frames inlined at the address, innermost first
  // SYMBOL_SOURCES of src-common/contract/types.ts: "symtab" | "dynsym" | "debuginfo" | "perf-map" |
  // "exports" | "pdb"; "" when nothing named it
  std::string source;
  bool exact = false;                // function is the code that holds the address (not a guess)
};

// SYMBOL_SOURCES of src-common/contract/types.ts, in order: a batch's source is index + 1 (0 = none).
inline constexpr const char* kSymbolSources[] = {"symtab", "dynsym", "debuginfo", "perf-map", "exports", "pdb"};

inline uint8_t symbolSourceCode(std::string_view source) {
  for (uint8_t i = 0; i < sizeof kSymbolSources / sizeof kSymbolSources[0]; ++i) {
    if (source == kSymbolSources[i]) return static_cast<uint8_t>(i + 1);
  }
  return 0;
}

// Many SymbolInfo as columns with each distinct string once (what the addon hands to JS): a batch of
// 100k addresses in a few modules is a few thousand strings, not half a million.
struct SymbolBatch {
  // strings[0] = ""; the columns below index it. Views, not copies: into `owned`, or into the string
  // pools of images (Linux), which `pools` keeps alive as long as the batch.
  std::vector<std::string_view> strings{""};
  std::deque<std::string> owned;  // a deque: its strings stay put as it grows
  std::vector<std::shared_ptr<const void>> pools;
  std::vector<uint64_t> address;
  std::vector<uint32_t> module, modulePath;
  std::vector<uint64_t> moduleOffset;
  std::vector<uint32_t> function;
  std::vector<uint64_t> offset;
  std::vector<uint32_t> file, line;
  std::vector<uint8_t> source, exact;      // symbolSourceCode; 1 = exact
  std::vector<uint32_t> inlineStart{0};    // address i's frames: [inlineStart[i], inlineStart[i + 1])
  std::vector<uint32_t> inlineFunction, inlineFile, inlineLine;

  explicit SymbolBatch(size_t n = 0)
      : address(n), module(n), modulePath(n), moduleOffset(n), function(n), offset(n), file(n), line(n), source(n),
        exact(n) {
    inlineStart.reserve(n + 1);
  }
  SymbolBatch(SymbolBatch&&) = default;  // views into `owned` survive a move, not a copy
  SymbolBatch& operator=(SymbolBatch&&) = default;
  size_t size() const { return address.size(); }
};

// Interns strings into a batch by content, copied into it.
class BatchStrings {
 public:
  explicit BatchStrings(SymbolBatch& batch) : batch_(batch) {}
  uint32_t add(std::string_view text) {
    if (text.empty()) return 0;
    auto found = index_.find(text);
    if (found != index_.end()) return found->second;
    const uint32_t id = static_cast<uint32_t>(batch_.strings.size());
    batch_.strings.push_back(batch_.owned.emplace_back(text));
    index_.emplace(batch_.strings.back(), id);
    return id;
  }

 private:
  SymbolBatch& batch_;
  std::unordered_map<std::string_view, uint32_t> index_;
};

inline SymbolBatch toSymbolBatch(const std::vector<SymbolInfo>& symbols) {
  SymbolBatch batch(symbols.size());
  BatchStrings strings(batch);
  for (size_t i = 0; i < symbols.size(); ++i) {
    const SymbolInfo& s = symbols[i];
    batch.address[i] = s.address;
    batch.module[i] = strings.add(s.module);
    batch.modulePath[i] = strings.add(s.modulePath);
    batch.moduleOffset[i] = s.moduleOffset;
    batch.function[i] = strings.add(s.function);
    batch.offset[i] = s.offset;
    batch.file[i] = strings.add(s.file);
    batch.line[i] = s.line;
    batch.source[i] = symbolSourceCode(s.source);
    batch.exact[i] = s.exact ? 1 : 0;
    for (const InlineFrame& frame : s.inlined) {
      batch.inlineFunction.push_back(strings.add(frame.function));
      batch.inlineFile.push_back(strings.add(frame.file));
      batch.inlineLine.push_back(frame.line);
    }
    batch.inlineStart.push_back(static_cast<uint32_t>(batch.inlineFunction.size()));
  }
  return batch;
}

inline std::vector<SymbolInfo> fromSymbolBatch(const SymbolBatch& batch) {
  std::vector<SymbolInfo> symbols(batch.size());
  for (size_t i = 0; i < batch.size(); ++i) {
    SymbolInfo& s = symbols[i];
    s.address = batch.address[i];
    s.module = std::string(batch.strings[batch.module[i]]);
    s.modulePath = std::string(batch.strings[batch.modulePath[i]]);
    s.moduleOffset = batch.moduleOffset[i];
    s.function = std::string(batch.strings[batch.function[i]]);
    s.offset = batch.offset[i];
    s.file = std::string(batch.strings[batch.file[i]]);
    s.line = batch.line[i];
    s.source = batch.source[i] ? kSymbolSources[batch.source[i] - 1] : "";
    s.exact = batch.exact[i] != 0;
    for (uint32_t k = batch.inlineStart[i]; k < batch.inlineStart[i + 1]; ++k)
      s.inlined.push_back({std::string(batch.strings[batch.inlineFunction[k]]), std::string(batch.strings[batch.inlineFile[k]]),
                           batch.inlineLine[k]});
  }
  return symbols;
}

struct HostInfo {
  std::string os;                    // "linux", "win32" (as node's process.platform)
  std::string hostname;
  std::string arch;                  // "x64", "arm64", ... (as node's process.arch)
  std::string backend;               // e.g. "linux-procfs"
};

// A failure of the whole call (not of one process), e.g. the requested pid does not exist.
class OsError : public std::runtime_error {
 public:
  OsError(std::string code, int pid, std::string scope, const std::string& message)
      : std::runtime_error(message), code(std::move(code)), pid(pid), scope(std::move(scope)) {}

  std::string code;
  int pid;                           // -1 when no single process is concerned
  std::string scope;
};

// A per-process list (modules, heap list) that can't be read becomes an entry in `errors`; the rest
// of the snapshot stands. Shared by the backends' snapshot().
template <typename Read>
void readPerProcessList(SystemSnapshot& snap, int pid, const char* scope, Read read) {
  try {
    read();
  } catch (const OsError& e) {
    snap.errors.push_back({pid, scope, e.code, e.what()});
  }
}

// The OS's name for "not supported", for the defaults of calls a backend does not implement.
inline const char* notSupportedCode() {
#ifdef _WIN32
  return "ERROR_NOT_SUPPORTED";
#else
  return "ENOTSUP";
#endif
}

// Implementations must be reentrant: snapshot() runs concurrently on several worker threads.
class Backend {
 public:
  virtual ~Backend() = default;
  virtual SystemSnapshot snapshot(const SnapshotRequest& request) = 0;
  virtual HostInfo host() = 0;
  // This process runs as root (Linux) or elevated (Windows): then "run as root / administrator" is no
  // advice for an access error, and the UI names what refuses even them.
  virtual bool elevated() = 0;
  virtual std::vector<MemoryRegion> memoryRegions(int pid) = 0;
  // Throws OsError: ESRCH (Windows: ERROR_INVALID_PARAMETER) for a process that does not exist or has
  // exited (a zombie), EACCES (ERROR_ACCESS_DENIED) …
  virtual ProcessMemory processMemory(int pid) = 0;
  // Every region of the address space with its resident, private and swapped bytes. Throws OsError
  // as processMemory (ESRCH also for a process that exits during the read).
  virtual MemoryMap memoryMap(int pid) = 0;
  // Throws OsError (ESRCH, EACCES, ENOTSUP for an allocator it cannot walk, ECANCELED).
  virtual HeapWalkResult walkHeaps(const HeapWalkRequest& request, const ProgressFn& progress,
                                   const std::atomic<bool>& cancel) = 0;
  // Conservative reachability scan of the used heap blocks with the target stopped (and always
  // resumed). Throws OsError (ESRCH, EACCES/EPERM, ENOTSUP for an allocator it cannot walk, ECANCELED).
  virtual LeakScanResult scanLeaks(const LeakScanRequest& request, const ProgressFn& progress, const std::atomic<bool>& cancel) {
    (void)progress;
    (void)cancel;
    throw OsError(notSupportedCode(), request.pid, "leaks",
                  "leak scans are not implemented on this platform yet (Linux only); walk the heap instead");
  }
  // Up to `size` bytes of the target's memory at `address` (a block preview); fewer where it ends.
  virtual std::vector<uint8_t> readMemory(int pid, uint64_t address, size_t size) {
    (void)address;
    (void)size;
    throw OsError(notSupportedCode(), pid, "memory", "reading process memory is not implemented on this platform yet (Linux only)");
  }
  // Throws OsError when no mechanism works (the message says which were tried and why).
  virtual std::unique_ptr<WsWatch> startWatch(const WatchRequest& request) = 0;
  // One SymbolInfo per address, in order. Reentrant (worker threads); caches per module image (Linux:
  // by build-id; Windows: image + timestamp) across calls and processes. Throws OsError (ESRCH,
  // EACCES) only when the process can't be read at all; an address it can't name is module+offset.
  virtual std::vector<SymbolInfo> symbolize(int pid, const std::vector<uint64_t>& addresses) = 0;
  // The same answers as columns (what the addon sends to JS). A backend may build it directly to skip
  // a string copy per field and address (Linux does: 100k warm addresses in well under 0.1 s).
  virtual SymbolBatch symbolizeBatch(int pid, const std::vector<uint64_t>& addresses) {
    return toSymbolBatch(symbolize(pid, addresses));
  }
  // Attaches to a running process's allocator without stopping it; the trace detaches when destroyed.
  // Throws OsError: ESRCH, EACCES / EPERM (saying what would allow it), ENOTSUP (an allocator it
  // cannot probe, or an OS where it is not built).
  virtual std::unique_ptr<AllocTrace> startAllocTrace(const AllocTraceRequest& request) = 0;
};

std::unique_ptr<Backend> makeBackend();

}  // namespace snapscope
