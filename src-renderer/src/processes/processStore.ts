// The renderer's picture of the process list, folded from `processes.delta` events. Pure: time is
// passed in, so the "recently added" / "recently exited" windows are testable without timers.
import type { ProcessDelta, ProcessEntry, SnapshotError, ThreadEntry } from '../../../src-common/contract/contract'

/** How long a new process is marked as added, and how long an exited one stays visible. */
export const ADDED_MS = 3_000
export const REMOVED_MS = 5_000

export type MarkKind = 'added' | 'removed'
export interface Mark {
  kind: MarkKind
  at: number
}

export interface ProcessStore {
  /** Live processes plus the recently exited ones (those carry a 'removed' mark). */
  processes: ReadonlyMap<number, ProcessEntry>
  /** pid -> its threads, ordered by tid */
  threads: ReadonlyMap<number, readonly ThreadEntry[]>
  /** tid -> pid: threadsRemoved names only tids */
  threadOwners: ReadonlyMap<number, number>
  marks: ReadonlyMap<number, Mark>
  /** of the last delta; null until the first arrives */
  last: { seq: number; takenAt: string; durationMs: number; errors: readonly SnapshotError[] } | null
}

export const emptyStore: ProcessStore = {
  processes: new Map(),
  threads: new Map(),
  threadOwners: new Map(),
  marks: new Map(),
  last: null
}

export function applyDelta(store: ProcessStore, delta: ProcessDelta, now: number): ProcessStore {
  // A reset is the whole list after a (re)subscribe: nothing in it is "new", so nothing is marked.
  const base = delta.reset ? emptyStore : store
  // Maps a delta leaves alone are shared, not copied: most refreshes change a few figures of 5,000.
  // (A shared map is never written below: the lists that would write it are empty.)
  const processes = copyIf(delta.added.length > 0 || delta.changed.length > 0, base.processes)
  const revived = delta.changed.some((entry) => base.marks.get(entry.pid)?.kind === 'removed')
  const marks = copyIf(delta.added.length > 0 || delta.removed.length > 0 || revived, base.marks)

  for (const entry of delta.added) {
    processes.set(entry.pid, entry)
    if (delta.reset) marks.delete(entry.pid)
    else marks.set(entry.pid, { kind: 'added', at: now })
  }
  for (const entry of delta.changed) {
    // Keep an 'added' mark; a changed entry cannot be a removed one unless the pid was reused.
    if (revived && marks.get(entry.pid)?.kind === 'removed') marks.delete(entry.pid)
    processes.set(entry.pid, entry)
  }
  for (const pid of delta.removed) {
    if (processes.has(pid)) marks.set(pid, { kind: 'removed', at: now })
  }

  const { threads, threadOwners } = applyThreads(base, delta)
  return {
    processes,
    threads,
    threadOwners,
    marks,
    last: { seq: delta.seq, takenAt: delta.takenAt, durationMs: delta.durationMs, errors: delta.errors }
  }
}

const copyIf = <K, V>(copy: boolean, map: ReadonlyMap<K, V>) => (copy ? new Map(map) : (map as Map<K, V>))

function applyThreads(base: ProcessStore, delta: ProcessDelta) {
  if (!delta.threadsAdded.length && !delta.threadsChanged.length && !delta.threadsRemoved.length) return base
  const threadOwners = new Map(base.threadOwners)
  // Per-pid tid maps are built only for the processes this delta touches.
  const touched = new Map<number, Map<number, ThreadEntry>>()
  const tidsOf = (pid: number) => {
    let tids = touched.get(pid)
    if (!tids) {
      tids = new Map((base.threads.get(pid) ?? []).map((t) => [t.tid, t]))
      touched.set(pid, tids)
    }
    return tids
  }

  for (const tid of delta.threadsRemoved) {
    const pid = threadOwners.get(tid)
    if (pid === undefined) continue
    threadOwners.delete(tid)
    tidsOf(pid).delete(tid)
  }
  for (const thread of [...delta.threadsAdded, ...delta.threadsChanged]) {
    const previousOwner = threadOwners.get(thread.tid)
    // A tid reused by another process leaves its old owner.
    if (previousOwner !== undefined && previousOwner !== thread.ownerPid) tidsOf(previousOwner).delete(thread.tid)
    threadOwners.set(thread.tid, thread.ownerPid)
    tidsOf(thread.ownerPid).set(thread.tid, thread)
  }

  const threads = new Map(base.threads)
  for (const [pid, tids] of touched) {
    if (tids.size === 0) threads.delete(pid)
    else threads.set(pid, [...tids.values()].sort((a, b) => a.tid - b.tid))
  }
  return { threads, threadOwners }
}

/** Ends the marking windows that are over at `now`; returns the same store when nothing expired. */
export function expireMarks(store: ProcessStore, now: number): ProcessStore {
  const expired: [number, Mark][] = []
  for (const entry of store.marks) if (now >= markEnd(entry[1])) expired.push(entry)
  if (expired.length === 0) return store

  const marks = new Map(store.marks)
  const processes = new Map(store.processes)
  const threads = new Map(store.threads)
  const threadOwners = new Map(store.threadOwners)
  for (const [pid, mark] of expired) {
    marks.delete(pid)
    if (mark.kind !== 'removed') continue
    processes.delete(pid)
    for (const thread of threads.get(pid) ?? []) threadOwners.delete(thread.tid)
    threads.delete(pid)
  }
  return { ...store, processes, threads, threadOwners, marks }
}

/** When the next marking window ends (for the one timer the UI keeps), or null if none is open. */
export function nextExpiry(store: ProcessStore): number | null {
  let next: number | null = null
  for (const mark of store.marks.values()) {
    const end = markEnd(mark)
    if (next === null || end < next) next = end
  }
  return next
}

const markEnd = (mark: Mark) => mark.at + (mark.kind === 'added' ? ADDED_MS : REMOVED_MS)

export function rowState(store: Pick<ProcessStore, 'marks'>, pid: number): MarkKind | '' {
  return store.marks.get(pid)?.kind ?? ''
}

/** Counts for the status bar; exited processes still on screen are not counted. */
export function liveTotals(store: ProcessStore): { processes: number; threads: number } {
  let processes = 0
  let threads = 0
  for (const entry of store.processes.values()) {
    if (store.marks.get(entry.pid)?.kind === 'removed') continue
    processes++
    threads += entry.threadCount
  }
  return { processes, threads }
}
