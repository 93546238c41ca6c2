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
  modules: unknown[]
  heapLists: unknown[]
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
