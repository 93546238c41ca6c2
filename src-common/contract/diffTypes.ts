// The compare document (snapscope.diff/1): two observations of a machine or a process side by side,
// and the leak suspects read from them. Type-only, free of Node imports.
import type { AllocFrame } from './allocTypes'
import type { LeakGroup } from './leakTypes'

/** What a number counts: bytes, or things (blocks, threads, modules). */
export type Quantity = 'bytes' | 'count'

export const DIFF_FORMAT = 'snapscope.diff/1'

export interface SideInfo {
  /** file name and which item(s), e.g. "before.snapscope #0 snapshot" */
  label: string
  takenAt: string | null
  pid: number | null
  exeFile: string | null
  /** what the side is made of: "snapshot", "heapwalks", "timeline (first of 12 samples)" … */
  kinds: string[]
}

export interface Change {
  a: number
  b: number
  delta: number
  /** percent of a; null when a is 0 */
  pct: number | null
}

export interface ProcessBrief {
  pid: number
  parentPid: number
  exeFile: string
  startTime: string
  workingSetBytes: number
  threadCount: number
}

export interface ProcessChange {
  pid: number
  exeFile: string
  workingSet: Change
  threads: Change
}

export interface ModuleBrief {
  moduleName: string
  exePath: string
}

/** One exact block size: how many used blocks had it in A and B. */
export interface ExactSizeChange {
  size: number
  count: Change
  bytes: Change
}

export interface SizeClassChange {
  minSize: number
  maxSize: number
  count: Change
  bytes: Change
  /** where both sides list their blocks: the exact sizes of the class that grew, most bytes first (at most 5) */
  grewBySize?: ExactSizeChange[]
}

export interface TargetChange {
  pid: number
  exeFile: string
  workingSetBytes: Change | null
  privateBytes: Change | null
  threadCount: Change | null
  moduleCount: Change | null
  heapUsedBytes: Change | null
  heapUsedBlocks: Change | null
}

export type SuspectKind = 'size-class' | 'alloc-stack' | 'private-bytes' | 'working-set' | 'heap-bytes' | 'thread-count' | 'module-count'

export interface Suspect {
  kind: SuspectKind
  /** what grew, for people: "Blocks of 129–256 B", "Private bytes of 1234 (app)" */
  subject: string
  unit: Quantity
  change: Change
  /** growth per minute: the least-squares slope over a timeline, else the change over the time between A and B */
  perMinute: number | null
  /** over a timeline: rose in most steps (true) or not (false); null with two points only */
  steady: boolean | null
  /** rising steps of all steps, over a timeline */
  rising: { steps: number; of: number } | null
  /** the size class of a size-class suspect */
  sizeClass?: { minSize: number; maxSize: number }
  /** the exact block sizes of that class that grew, where both sides list their blocks */
  grewBySize?: ExactSizeChange[]
  /** a size-class suspect where B carries a leak scan: its lost blocks of that size class (lost since A when A has a scan too) */
  lost?: { blocks: number; bytes: number; groups: LeakGroup[] }
  /** the same in one line, with the numbers */
  evidence: string
}

/** One call stack (matched by its named frames) in both allocation traces, or in one of them. */
export interface AllocStackChange {
  /** B's frames (A's when B does not have it), innermost first */
  frames: AllocFrame[]
  leakedBytes: Change
  leakedBlocks: Change
  allocations: Change
  bytes: Change
}

/** Two allocation traces side by side: totals, and the stacks whose leaked bytes grew most. */
export interface AllocsChange {
  pid: { a: number; b: number }
  durationMs: Change
  leakedBytes: Change
  leakedBlocks: Change
  allocations: Change
  temporary: Change
  peakBytes: Change
  /** stacks whose leaked bytes grew, most first (at most MAX_CHANGED_ROWS) */
  grew: AllocStackChange[]
  /** stacks in B and not in A, and the reverse */
  newStacks: number
  goneStacks: number
}

export interface LostTotals {
  definitelyLost: { blocks: number; bytes: number }
  indirectlyLost: { blocks: number; bytes: number }
  possiblyLost: { blocks: number; bytes: number }
}

export interface DiffDoc {
  format: typeof DIFF_FORMAT
  a: SideInfo
  b: SideInfo
  /** B's time minus A's, when both have one */
  elapsedMs: number | null
  suspects: Suspect[]
  target: TargetChange | null
  processes: {
    count: Change
    started: ProcessBrief[]
    exited: ProcessBrief[]
    /** processes in both whose working set or thread count changed, most working-set growth first */
    changed: ProcessChange[]
  } | null
  threads: {
    count: Change
    /** thread ids in B and not in A, and the reverse; null unless both sides listed threads */
    started: number | null
    exited: number | null
    byProcess: ProcessChange[]
  } | null
  modules: { pid: number; count: Change; loaded: ModuleBrief[]; unloaded: ModuleBrief[] } | null
  heap: {
    usedBlocks: Change
    usedBytes: Change
    freeBlocks: Change
    freeBytes: Change
    sizeClasses: SizeClassChange[]
  } | null
  /** both sides hold an allocation trace */
  allocs: AllocsChange | null
  /** both sides carry leak scans of the same process: the blocks lost in B that A did not have */
  lostSince: { pid: number; totals: LostTotals; groups: LeakGroup[] } | null
  /** things to know when reading it: different pids, B older than A, nothing comparable in a part */
  notes: string[]
}
