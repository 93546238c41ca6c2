// The data contract of ../shared/DESIGN.md. Field names follow Tool Help / PSAPI structures in camelCase.
// Imported by main, preload, web host and renderer: keep it free of Node and DOM imports.

export type IncludeKind = 'process' | 'thread' | 'module' | 'heaplist'
export const INCLUDE_KINDS: readonly IncludeKind[] = ['process', 'thread', 'module', 'heaplist']

export interface ProcessEntry {
  pid: number
  parentPid: number
  exeFile: string
  /** the kernel's short name (comm on Linux) */
  name: string
  threadCount: number
  basePriority: number
  exePath: string
  cmdline: string[]
  user: string
  uid: number
  startTime: string // ISO-8601
  workingSetBytes: number
  pageFaultCount: number
  state: string
}

export interface ThreadEntry {
  tid: number
  ownerPid: number
  basePriority: number
  deltaPriority: number
}

export interface ModuleEntry {
  pid: number
  moduleName: string
  exePath: string
  baseAddress: string
  baseSize: number
  /** the file was deleted or replaced after it was loaded */
  deleted: boolean
}

export interface HeapListEntry {
  pid: number
  heapId: string
  isDefault: boolean
  /** glibc: main-arena, thread-arena, mmapped; Windows: nt-heap; other allocators: region */
  kind: 'main-arena' | 'thread-arena' | 'mmapped' | 'region' | 'nt-heap'
  allocator: string
  baseAddress: string
  size: number
  /** false: the allocator can't be walked; `note` says why */
  walkable: boolean
  note: string
}

export interface SnapshotError {
  pid: number
  scope: string // what was being read: "process", "threads", "exePath", "cmdline", "snapshot" …
  code: string // OS code name: ESRCH, EACCES, ERROR_ACCESS_DENIED …
  message: string
}

export interface HostInfo {
  os: string
  hostname: string
  arch: string
  backend: string
}

export interface Snapshot {
  format: 'snapscope.snapshot/1'
  takenAt: string
  host: HostInfo
  include: IncludeKind[]
  targetPid: number | null
  processes: ProcessEntry[]
  threads: ThreadEntry[]
  modules: ModuleEntry[]
  heapLists: HeapListEntry[]
  errors: SnapshotError[]
}

/** What the process provider emits on every refresh (System Informer style: only what moved). */
export interface ProcessDelta {
  seq: number
  takenAt: string
  /** true on the first delta after a subscribe: `added` is then the whole list */
  reset: boolean
  added: ProcessEntry[]
  changed: ProcessEntry[]
  removed: number[]
  threadsAdded: ThreadEntry[]
  threadsChanged: ThreadEntry[]
  threadsRemoved: number[]
  errors: SnapshotError[]
  durationMs: number
}

// ---- heap walks ----
export type BlockFlag = 'fixed' | 'free' | 'moveable'

export interface HeapBlockEntry {
  address: string
  blockSize: number
  flags: BlockFlag
}

export interface HistogramBucket {
  minSize: number
  maxSize: number
  count: number
  bytes: number
}

export interface HeapSummary {
  blockCount: number
  usedBlocks: number
  usedBytes: number
  freeBlocks: number
  freeBytes: number
  histogram: HistogramBucket[]
}

export interface HeapWalkDoc {
  format: 'snapscope.heapwalk/1'
  pid: number
  heapId: string
  kind: HeapListEntry['kind']
  takenAt: string
  /** blocks [offset, offset + blocks.length) in address order */
  offset: number
  blocks: HeapBlockEntry[]
  summary: HeapSummary
  truncated: boolean
  /** the target was stopped for the walk; when false the walk may be torn */
  stopped: boolean
  errors: SnapshotError[]
}

export interface HeapWalksDoc {
  format: 'snapscope.heapwalks/1'
  pid: number
  takenAt: string
  stopped: boolean
  heaps: HeapWalkDoc[]
  errors: SnapshotError[]
}

export interface HeapProgress {
  walkId: number
  scannedBytes: number
  totalBytes: number
  blocks: number
}

// ---- working-set watch ----
export type RegionKind = 'image' | 'heap' | 'stack' | 'anon' | 'other'

export interface FaultEntry {
  pc: string
  va: string
  tid: number
  /** ms since the watch started */
  t: number
}

export interface WatchSummary {
  total: number
  byModule: { module: string; count: number }[]
  byRegion: { region: RegionKind | 'unknown'; count: number }[]
  byThread: { tid: number; count: number }[]
  /** top faulting PCs as module+offset */
  topPcs: { pc: string; symbol: string; count: number }[]
}

export interface WsWatchDoc {
  format: 'snapscope.wswatch/1'
  pid: number
  mechanism: string
  startedAt: string
  durationMs: number
  /** how the watch ended: "stopped" (time up or asked), "target-exited", "error" */
  endReason: string
  faults: FaultEntry[]
  /** records the OS (or a full buffer) dropped */
  lost: number
  /** faults received but not kept in `faults` because the document's record cap was reached */
  omitted: number
  summary: WatchSummary
}
