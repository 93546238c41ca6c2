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
  /** true when the kernel cut the name (Linux keeps 15 bytes of it); absent otherwise */
  nameTruncated?: boolean
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
  /** resident anonymous memory, where it was read (the target of a capture) */
  privateBytes?: number
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
/** in the addon's order: a block's flag code indexes this list */
export const BLOCK_FLAGS: readonly BlockFlag[] = ['fixed', 'free', 'moveable']

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

// ---- inspector views: process extras, retained heap walks, live watch streams ----

/** Per-process figures beyond the snapshot; each is absent where the OS or backend can't say (see README). */
export interface ProcessExtras {
  pid: number
  /** Linux: RssAnon of /proc/PID/status (resident anonymous memory) */
  privateBytes?: number
  /** Linux: VmHWM (peak resident set) */
  peakWorkingSetBytes?: number
  /** Linux: VmSize */
  virtualBytes?: number
}

/** Which blocks of a retained walk a page or a search covers; absent fields do not filter. */
export interface HeapBlockFilter {
  minSize?: number
  maxSize?: number
  flags?: BlockFlag[]
}

/** The heap as a strip of cells over its blocks (gaps between mappings left out), for the heap map. */
export interface HeapMapCell {
  /** address of the first block in the cell */
  address: string
  /** index of that block in the walk */
  firstBlock: number
  usedBytes: number
  freeBytes: number
}

/** A walk of one heap kept in the main process, so the renderer can page, filter and search it. */
export interface HeapView {
  viewId: number
  pid: number
  heapId: string
  kind: HeapListEntry['kind']
  takenAt: string
  stopped: boolean
  summary: HeapSummary
  map: HeapMapCell[]
  errors: SnapshotError[]
}

export interface HeapBlockRow extends HeapBlockEntry {
  /** position of the block in the whole walk (address order) */
  index: number
}

export interface HeapBlockPage {
  viewId: number
  /** blocks matching the filter, of which this page is [offset, offset + blocks.length) */
  matched: number
  offset: number
  blocks: HeapBlockRow[]
}

/** Where each fault lands, as codes in the live stream; the names of RegionKind plus 'unknown'. */
export const REGION_CODES = ['image', 'heap', 'stack', 'anon', 'other', 'unknown'] as const
export type RegionCode = (typeof REGION_CODES)[number]

/** A mapping at least one fault landed in: the address chart draws one band per region. */
export interface WatchRegion {
  start: string
  end: string
  kind: RegionCode
  /** module or file name, "stack TID", "heap", "anon" */
  label: string
}

/** Faults counted into one time bucket since the previous update; the renderer adds them up. */
export interface WatchBucketDelta {
  /** bucket index: the bucket covers [i * bucketMs, (i + 1) * bucketMs) since the start */
  i: number
  total: number
  lost: number
  /** [moduleId, count, moduleId, count, …] */
  modules: number[]
  /** count per REGION_CODES index */
  regions: number[]
}

/** A uniform sample of faults (at most a few thousand a second), each standing for `weight` faults. */
export interface WatchPoints {
  t: number[]
  /** user-space addresses as numbers: exact below 2^53, and there are thousands of them per update */
  va: number[]
  region: number[]
  weight: number[]
}

/** What the main process sends a renderer about a live watch, at most a few times a second. */
export interface WatchUpdate {
  watchId: number
  pid: number
  running: boolean
  bucketMs: number
  /** ms since the start of the newest moment covered */
  nowMs: number
  total: number
  lost: number
  buckets: WatchBucketDelta[]
  points: WatchPoints
  /** the module names the ids refer to: sent whole when they grew */
  moduleNames?: string[]
  /** every region faulted so far: sent whole when it grew */
  regions?: WatchRegion[]
  /** cumulative, most first; threads and pcs cut to the top */
  byModule: WatchSummary['byModule']
  byThread: WatchSummary['byThread']
  threadCount: number
  topPcs: WatchSummary['topPcs']
}

export interface WatchRecord extends FaultEntry {
  module: string
  symbol: string
  region: RegionCode
}

/** The raw records of a time window (from the bounded ring of the most recent records) and their summary. */
export interface WatchQueryResult {
  watchId: number
  matched: number
  offset: number
  records: WatchRecord[]
  summary: WatchSummary
  /** t of the oldest record still in the ring: a window starting earlier is incomplete */
  ringStartMs: number
  ringCapacity: number
}
