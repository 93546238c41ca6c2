// Loads the native addon (native/build/Release/snapscope.node) and declares its API.
// This runs bundled by vite (CJS), under vitest (ESM) and under tsx, so it uses neither
// import.meta nor a bare require: it finds the repository root itself and requires the .node
// file through createRequire.
import fs from 'node:fs'
import { createRequire } from 'node:module'
import path from 'node:path'
// The kinds the addon emits are the contract's lists (src-common/contract/types.ts; backend.h's
// comments name the same, and src-common/contract/kinds.test.ts checks the C++ literals against them).
import type { HeapKind, RegionKind } from '../src-common/contract/types'
export type { RegionKind }

export interface NativeSnapshotOptions {
  processes: boolean
  threads: boolean
  /** The module list of `pid` (of this process when pid is null). */
  modules?: boolean
  /** The heap list of `pid` (of this process when pid is null). */
  heapLists?: boolean
  /** Must exist when given (else the call fails with code ESRCH; ERROR_INVALID_PARAMETER on Windows); the lists stay system-wide. */
  pid: number | null
}

export interface NativeProcess {
  pid: number
  parentPid: number
  /** Executable file name; the kernel's short name when the executable can't be read. */
  exeFile: string
  /** Full executable path ("" when unreadable); may end in " (deleted)". */
  exePath: string
  /** The kernel's short name (comm); only the characters that survived when the kernel cut it. */
  name: string
  /** The kernel cut the name (Linux keeps 15 bytes of it). */
  nameTruncated: boolean
  cmdline: string[]
  /** User name, or the uid as a string when it has no name. */
  user: string
  uid: number
  /** Milliseconds since the Unix epoch. */
  startTimeMs: number
  /** With threads requested: the number of thread entries listed for this process. */
  threadCount: number
  basePriority: number
  workingSetBytes: number
  pageFaultCount: number
  /** One letter, e.g. "S", "R", "Z". */
  state: string
}

export interface NativeThread {
  tid: number
  ownerPid: number
  basePriority: number
  deltaPriority: number
}

export type NativeErrorScope = 'process' | 'threads' | 'exePath' | 'cmdline' | 'modules' | 'heaplist' | 'regions' | 'heap' | 'watch' | 'allocs' | 'memorymap'

/** Something that could not be read for one process; the snapshot went on without it. */
export interface NativeError {
  pid: number
  scope: NativeErrorScope
  /** The OS code's name: "ESRCH", "EACCES", ... */
  code: string
  message: string
}

export interface NativeModule {
  pid: number
  moduleName: string
  exePath: string
  /** "0x…" */
  baseAddress: string
  /** span of the image's PT_LOAD segments */
  baseSize: number
  /** the file was deleted or replaced after it was mapped */
  deleted: boolean
}

export interface NativeHeapList {
  pid: number
  /** "0x…": the arena (malloc_state) or region address */
  heapId: string
  isDefault: boolean
  kind: HeapKind
  allocator: 'glibc' | 'musl' | 'jemalloc' | 'tcmalloc' | 'ntdll' | 'unknown'
  baseAddress: string
  size: number
  /** false: heapWalk of it fails with ENOTSUP and `note` says why */
  walkable: boolean
  note: string
}

export interface NativeSnapshot {
  processes: NativeProcess[]
  threads: NativeThread[]
  modules: NativeModule[]
  heapLists: NativeHeapList[]
  errors: NativeError[]
}

export interface NativeRegion {
  start: string
  end: string
  perms: string
  kind: RegionKind
  path: string
  /** for a thread stack: the thread whose stack pointer lies inside (0 when unknown) */
  tid: number
}

/** Memory figures of one process beyond the snapshot's; each is absent where the OS has none (a kernel thread, the System Idle Process). */
export interface NativeProcessMemory {
  pid: number
  /** Linux: VmRSS (the snapshot's statm resident, read at another moment); Windows: WorkingSetSize */
  workingSetBytes?: number
  /** Linux: RssAnon (resident anonymous memory); Windows: PrivateUsage (commit charge) */
  privateBytes?: number
  /** Linux: VmHWM; Windows: PeakWorkingSetSize */
  peakWorkingSetBytes?: number
  /** Linux: VmSize; Windows: VM_COUNTERS.VirtualSize (reserved + committed address space) */
  virtualBytes?: number
}

/**
 * The memory map of a process as columns, one entry per region in address order: region i spans
 * [start[i], end[i]), its kind is MEMORY_KINDS[kind[i]], its perms and path are strings[perms[i]] and
 * strings[path[i]].
 */
export interface NativeMemoryMap {
  pid: number
  strings: string[]
  start: BigUint64Array
  end: BigUint64Array
  kind: Uint8Array
  perms: Uint32Array
  path: Uint32Array
  /** Linux: Rss; Windows: the region's pages in the working set */
  residentBytes: Float64Array
  /** Linux: Private_Clean + Private_Dirty; Windows: its working-set pages not shared */
  privateBytes: Float64Array
  /** Linux: Swap; Windows: 0 */
  swapBytes: Float64Array
}

export interface NativeHeapWalkOptions {
  pid: number
  /** null: every heap of the process */
  heapId: string | null
  /** paging, per heap: blocks to skip, and to return at most */
  offset: number
  limit: number
  /** stop every thread of the target during the walk (always resumed, even if the inspector dies) */
  stopTarget: boolean
}

export interface NativeHistogramBucket {
  minSize: number
  maxSize: number
  count: number
  bytes: number
}

export interface NativeHeapSummary {
  blockCount: number
  usedBlocks: number
  usedBytes: number
  freeBlocks: number
  freeBytes: number
  /** size classes over all blocks of the heap, not only the returned page */
  histogram: NativeHistogramBucket[]
}

export interface NativeHeapWalk {
  heapId: string
  kind: NativeHeapList['kind']
  /** the returned page of blocks, in address order: address (what the program holds), usable size, flag */
  addresses: Float64Array
  sizes: Float64Array
  /** an index into BLOCK_FLAGS: 0 = fixed (in use), 1 = free, 2 = moveable (Windows) */
  flags: Uint8Array
  summary: NativeHeapSummary
  truncated: boolean
}

export interface NativeHeapWalkResult {
  pid: number
  heaps: NativeHeapWalk[]
  /** the target was stopped during the walk; when false the result may be torn */
  stopped: boolean
  errors: NativeError[]
}

export interface NativeWalkProgress {
  scannedBytes: number
  totalBytes: number
  blocks: number
}

export interface NativeHeapWalkHandle {
  /** rejects with code ESRCH / EACCES / ENOTSUP (allocator not supported) / ECANCELED */
  result: Promise<NativeHeapWalkResult>
  cancel(): void
}

export interface NativeLeakScanOptions {
  pid: number
  /** also return every used block with its verdict and type (columns) */
  blocks?: boolean
  /** up to 64 addresses (in blocks): list every word found pointing at or into their blocks ("who points at it") */
  referrersOf?: number[]
}

/** One word pointing at (or into) a block of options.referrersOf. */
export interface NativeLeakReferrer {
  /** the start of the block pointed at */
  target: number
  /** the word's address; 0 for a register */
  from: number
  /** the start of the block holding the word; 0 for a root */
  fromBlock: number
  source: 'register' | 'stack' | 'static' | 'other' | 'block'
  /** it points inside the block, not at its start */
  interior: boolean
}

export interface NativeLeakTotals {
  blocks: number
  bytes: number
}

export interface NativeLeakGroup {
  /** an index into LEAK_KINDS (lost kinds only: 0..2) */
  kind: number
  /** an index into NativeLeakScan.types; 0 = unknown */
  type: number
  /** the blocks' exact size; 0 when they differ */
  blockSize: number
  count: number
  bytes: number
  /** a few block addresses */
  examples: Float64Array
}

/** A leak scan (Backend::scanLeaks): memcheck's verdicts for every used block of every walkable heap. */
export interface NativeLeakScan {
  pid: number
  /** every thread was stopped during the scan */
  stopped: boolean
  /** how long the target was stopped, ms */
  stoppedMs: number
  roots: { threads: number; registers: number; stackBytes: number; staticBytes: number; otherBytes: number }
  summary: { definitelyLost: NativeLeakTotals; indirectlyLost: NativeLeakTotals; possiblyLost: NativeLeakTotals; reachable: NativeLeakTotals }
  /** type names; [0] = "" (unknown). C++ classes ("Widget"), or "string" */
  types: string[]
  /** lost blocks by kind and type (exact size where no type), largest bytes first */
  groups: NativeLeakGroup[]
  /** with options.blocks: every used block in address order; kinds index LEAK_KINDS, types index `types` */
  blocks: { addresses: Float64Array; sizes: Float64Array; kinds: Uint8Array; types: Uint32Array } | null
  /** of options.referrersOf, by target then address (at most 4,096) */
  referrers: NativeLeakReferrer[]
  errors: NativeError[]
}

export interface NativeLeakScanHandle {
  /** rejects with code ESRCH (gone, or exited during the scan) / EPERM / ENOTSUP (allocator not supported; Windows) / ECANCELED */
  result: Promise<NativeLeakScan>
  cancel(): void
}

export interface NativeWatchOptions {
  pid: number
  /** bytes per ring buffer; 0 or absent = the backend's default */
  ringBytes?: number
  /** "auto" (default) or a mechanism to force (WATCH_MECHANISMS); the addon refuses other names with EINVAL */
  mechanism?: string
  /** how often batches are delivered, in ms (default 50) */
  batchMs?: number
}

/** One batch of working-set faults; every array has the same length. */
export interface NativeFaultBatch {
  pc: BigUint64Array
  va: BigUint64Array
  tid: Uint32Array
  /** ms since the watch started */
  t: Float64Array
  /** records the OS dropped since the previous batch */
  lost: number
}

export interface NativeWatchEnd {
  reason: 'stopped' | 'target-exited' | 'error'
  code?: string
  message?: string
}

export interface NativeWatchHandle {
  /** the mechanism that watches: on Linux one of WATCH_MECHANISMS ("pagemap-diff" …), on Windows "psapi-ws-watch" */
  mechanism: string
  /** stops the watch; onEnd follows after the last batch */
  stop(): void
}

export interface NativeAllocOptions {
  pid: number
  /** informational (the caller stops the trace); not used by the addon */
  seconds?: number
  /** bytes of perf ring per CPU; 0 or absent = the default (32 MiB, less beyond 4 CPUs: 128 MiB in all) */
  ringBytes?: number
  /** bytes of user stack copied with each allocation for the DWARF unwind (default 8192, 512..65528, a multiple of 8) */
  stackBytes?: number
  /** how often batches are delivered, in ms (default 250) */
  batchMs?: number
  /** distinct call stacks kept at most (default 1,000,000); allocations on further stacks count on stack 0 ("other stacks") */
  maxStacks?: number
  /** live blocks tracked at most (default 16,000,000); beyond it new blocks are counted but not tracked (`untrackedBlocks`) */
  maxLiveBlocks?: number
}

/**
 * One delivery: the stacks first seen since the last batch (frames as code addresses, innermost first:
 * frames[0] is in the allocator's caller, e.g. operator new; each is a return address - 1, inside the
 * call instruction, so symbolize() names the calling line) and per-stack deltas since the last batch,
 * as columns (entry i of every column is stackIds[i]). Stack 0 stands for allocations whose stack was
 * not kept (maxStacks reached). Refinements of ALLOCS.md's sketch: totals.bytes / untracked* / unwind*,
 * options maxStacks / maxLiveBlocks, the handle's mechanism names, error scope 'allocs'.
 */
export interface NativeAllocBatch {
  newStacks: { id: number; frames: BigUint64Array }[]
  stackIds: Uint32Array
  allocations: Float64Array
  /** bytes requested by the program (not the allocator's usable size) */
  bytes: Float64Array
  /** frees (and reallocs that moved or shrank a block) of blocks allocated on that stack during the trace */
  frees: Float64Array
  freedBytes: Float64Array
  /** allocations freed by the same thread with no other allocation of that thread in between */
  temporary: Float64Array
  /** running totals since the trace started */
  totals: {
    allocations: number
    bytes: number
    frees: number
    temporary: number
    liveBlocks: number
    liveBytes: number
    peakBytes: number
    /** frees of blocks allocated before the trace started (not counted in frees) */
    untrackedFrees: number
    /** blocks not tracked because maxLiveBlocks was reached */
    untrackedBlocks: number
    /** stacks unwound by a DWARF walk, and those answered by the unwind cache (a repeated call chain) */
    unwinds: number
    unwindCacheHits: number
  }
  /** events the kernel dropped since the last batch (PERF_RECORD_LOST) */
  lost: number
}

export interface NativeAllocEnd {
  reason: 'stopped' | 'target-exited' | 'error'
  code?: string
  message?: string
  /** per stack, what is still live at the end (leaked = allocated during the trace and live at its end) and its peak live bytes */
  leaked: { stackIds: Uint32Array; blocks: Float64Array; bytes: Float64Array; peakBytes: Float64Array }
}

export interface NativeAllocHandle {
  /** e.g. "uprobes-glibc" (the target's libc malloc), "uprobes-exe" (its own exported malloc: static, jemalloc…), "uprobes-lib" */
  mechanism: string
  /** detaches (the probes are gone once onEnd runs); onEnd follows after the last batch */
  stop(): void
}

/**
 * The names of a batch of code addresses, column by column (100,000 objects would cost more than the
 * lookups): entry i of every per-address array describes addresses[i]. Strings are indexes into
 * `strings`, whose entry 0 is "" (unknown).
 */
export interface NativeSymbolBatch {
  strings: string[]
  /**
   * module file name, its full path as the process maps it ("[vdso]" has no path). "" and offset 0 for
   * an address in no module (unmapped, anonymous memory, a kernel address). JIT code named by the
   * process's perf map: module "perf-PID.map", path "/tmp/perf-PID.map" (PID as the process sees itself).
   */
  module: Uint32Array
  modulePath: Uint32Array
  /**
   * where the address lies from the module's base (its first page as loaded, the offset-0 mapping), in
   * the image's own layout: the same for the same code in any mapping of the file (a program may map
   * its code again elsewhere, as node does), so the ELF's first PT_LOAD page address + moduleOffset is
   * its file address (what llvm-symbolizer --obj takes). Unreadable image: address - the first mapping
   * of the file. A perf map's addresses are absolute: base 0
   */
  moduleOffset: Float64Array
  /** demangled function name ("" = unknown): the symbol's (malloc), DWARF's where no symbol holds the code */
  function: Uint32Array
  /** address - function start */
  offset: Float64Array
  /** where in `function` the address is (for inlined code: the outermost call site); absolute (comp dir + name) */
  file: Uint32Array
  /** 0 = unknown */
  line: Uint32Array
  /** index into SYMBOL_SOURCES + 1; 0 = nothing named it */
  source: Uint8Array
  /** 1: the function is the code that holds the address; 0 with a function: a guess (a sizeless label, no DWARF) */
  exact: Uint8Array
  /**
   * the frames inlined at address i are inlined*[inlineStart[i] .. inlineStart[i + 1]), innermost first;
   * the innermost has the line table's file:line, each outer one the call site in it (as eu-addr2line -i)
   */
  inlineStart: Uint32Array
  inlineFunction: Uint32Array
  inlineFile: Uint32Array
  inlineLine: Uint32Array
}

export interface NativeHost {
  os: string
  hostname: string
  arch: string
  backend: string
}

/** What snapshot() rejects with (snapshotSync() throws) when the whole call fails. */
export interface NativeOsError extends Error {
  code: string
  pid: number | null
  scope: NativeErrorScope
}

export interface NativeAddon {
  /** Reads on a worker thread. Bad option types throw a TypeError synchronously. */
  snapshot(options: NativeSnapshotOptions): Promise<NativeSnapshot>
  /** The same on the calling thread (blocks it): for benchmarks of the native part. */
  snapshotSync(options: NativeSnapshotOptions): NativeSnapshot
  host(): NativeHost
  /** this process runs as root (Linux) or elevated (Windows) */
  elevated(): boolean
  memoryRegions(pid: number): Promise<NativeRegion[]>
  /** Reads on a worker thread; rejects with code ESRCH (a process that does not exist, or a zombie; ERROR_INVALID_PARAMETER on Windows), EACCES / ERROR_ACCESS_DENIED … */
  processMemory(pid: number): Promise<NativeProcessMemory>
  /** Every region with its resident, private and swapped bytes, on a worker thread; rejects as processMemory (ESRCH also when it exits during the read). */
  memoryMap(pid: number): Promise<NativeMemoryMap>
  heapWalk(options: NativeHeapWalkOptions, onProgress?: (progress: NativeWalkProgress) => void): NativeHeapWalkHandle
  /** Conservative leak scan with the target stopped (always resumed). Bad option types throw a TypeError synchronously. */
  leakScan(options: NativeLeakScanOptions, onProgress?: (progress: NativeWalkProgress) => void): NativeLeakScanHandle
  /** Up to `length` (<= 65536) bytes of pid's memory at `address` (fewer where readable memory ends): a block's preview. */
  readMemory(pid: number, address: number, length: number): Promise<Uint8Array>
  /** Throws (code ESRCH, EACCES, …) when no mechanism can watch the pid. */
  startWatch(options: NativeWatchOptions, onBatch: (batch: NativeFaultBatch) => void, onEnd: (end: NativeWatchEnd) => void): NativeWatchHandle
  /** Names code addresses of pid on a worker thread; rejects (ESRCH, EACCES) only when the process can't be read at all. */
  symbolize(pid: number, addresses: BigUint64Array): Promise<NativeSymbolBatch>
  /**
   * Traces the allocations of a live process (Linux: uprobes on its allocator; Windows: not built, throws
   * ERROR_NOT_SUPPORTED). Bad options throw a TypeError; throws code ESRCH (no such pid), EACCES / EPERM
   * (not allowed: the message says what would allow it), ENOTSUP (an allocator it can't probe).
   */
  startAllocTrace(options: NativeAllocOptions, onBatch: (batch: NativeAllocBatch) => void, onEnd: (end: NativeAllocEnd) => void): NativeAllocHandle
}

const ROOT_PACKAGE_NAME = 'snapscope'

function isRepoRoot(dir: string): boolean {
  try {
    const pkg = JSON.parse(fs.readFileSync(path.join(dir, 'package.json'), 'utf8')) as { name?: unknown }
    return pkg.name === ROOT_PACKAGE_NAME
  } catch {
    return false
  }
}

/** The repository root: the nearest directory above this module (or the cwd) whose package.json is snapscope's. */
export function findRepoRoot(): string {
  const starts = typeof __dirname === 'string' ? [__dirname, process.cwd()] : [process.cwd()]
  for (const start of starts) {
    for (let dir = path.resolve(start); ; dir = path.dirname(dir)) {
      if (isRepoRoot(dir)) return dir
      if (path.dirname(dir) === dir) break
    }
  }
  throw new Error(`cannot find the snapscope repository root above ${starts.join(' or ')}`)
}

/** Where the addon is loaded from: $SNAPSCOPE_ADDON, else native/build/Release/snapscope.node. */
export function addonPath(): string {
  const override = process.env.SNAPSCOPE_ADDON
  if (override) return path.resolve(override)
  return path.join(findRepoRoot(), 'native', 'build', 'Release', 'snapscope.node')
}

let loaded: NativeAddon | undefined

export function loadAddon(): NativeAddon {
  if (loaded) return loaded
  const file = addonPath()
  if (!fs.existsSync(file)) {
    throw new Error(`snapscope native addon not found at ${file}: run \`npm run build:native\``)
  }
  const requireFromHere = createRequire(path.join(path.dirname(file), 'package.json'))
  loaded = requireFromHere(file) as NativeAddon
  return loaded
}
