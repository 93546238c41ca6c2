// Compares two observations: processes started and exited (a pid is the same process only with the same
// start time), thread and module changes, heap blocks and bytes per size class, the target's numbers;
// then the leak suspects. Pure.

import type { ProcessEntry } from '../../contract/types'
import { percentChange } from '../format/format'
import type { Quantity } from '../../contract/diffTypes'
import type { SnapscopeFile } from '../../contract/fileTypes'
import { observe, type Observation } from './observation'
import { findSuspects } from './suspects'
import { diffAllocs } from '../allocs/allocsDiff'
import { groupLeakBlocks, leakBlocks, lostTotals } from '../leaks/leakBlocks'
import { LOST_KINDS } from '../../contract/leakTypes'
import { DIFF_FORMAT, type Change, type DiffDoc, type ExactSizeChange, type ModuleBrief, type ProcessBrief, type ProcessChange, type SizeClassChange, type TargetChange } from '../../contract/diffTypes'

/** Rows kept for the per-process tables (most change first); the counts cover them all. */
export const MAX_CHANGED_ROWS = 200

/** The target's figures both sides have, as rows (the compare views and reports list them). */
export function targetMetrics(t: TargetChange): { label: string; unit: Quantity; change: Change }[] {
  const all: [string, Quantity, Change | null][] = [
    ['Working set', 'bytes', t.workingSetBytes],
    ['Private bytes', 'bytes', t.privateBytes],
    ['Heap bytes in use', 'bytes', t.heapUsedBytes],
    ['Heap blocks in use', 'count', t.heapUsedBlocks],
    ['Threads', 'count', t.threadCount],
    ['Modules', 'count', t.moduleCount]
  ]
  return all.flatMap(([label, unit, c]) => (c ? [{ label, unit, change: c }] : []))
}

export const change = (a: number, b: number): Change => ({ a, b, delta: b - a, pct: percentChange(a, b) })
const maybe = (a: number | null | undefined, b: number | null | undefined): Change | null =>
  a === null || a === undefined || b === null || b === undefined ? null : change(a, b)

const processKey = (p: ProcessEntry): string => `${p.pid}@${p.startTime}`
const brief = (p: ProcessEntry): ProcessBrief => ({
  pid: p.pid,
  parentPid: p.parentPid,
  exeFile: p.exeFile,
  startTime: p.startTime,
  workingSetBytes: p.workingSetBytes,
  threadCount: p.threadCount
})
const moduleKey = (m: ModuleBrief): string => `${m.moduleName}\0${m.exePath}`

function onlyIn<T>(list: readonly T[], other: readonly T[], key: (x: T) => string): T[] {
  const keys = new Set(other.map(key))
  return list.filter((x) => !keys.has(key(x)))
}

/** Processes in both (same pid and start time) whose working set or thread count changed. */
function processChanges(a: ProcessEntry[], b: ProcessEntry[]): ProcessChange[] {
  const before = new Map(a.map((p) => [processKey(p), p]))
  const out: ProcessChange[] = []
  for (const p of b) {
    const old = before.get(processKey(p))
    if (old && (old.workingSetBytes !== p.workingSetBytes || old.threadCount !== p.threadCount))
      out.push({ pid: p.pid, exeFile: p.exeFile, workingSet: change(old.workingSetBytes, p.workingSetBytes), threads: change(old.threadCount, p.threadCount) })
  }
  return out
}

const mostFirst = (rows: ProcessChange[], by: (c: ProcessChange) => number): ProcessChange[] =>
  rows
    .filter((c) => by(c) !== 0)
    .sort((x, y) => by(y) - by(x))
    .slice(0, MAX_CHANGED_ROWS)

function processes(a: ProcessEntry[], b: ProcessEntry[], changed: ProcessChange[]): NonNullable<DiffDoc['processes']> {
  return {
    count: change(a.length, b.length),
    started: onlyIn(b, a, processKey).map(brief),
    exited: onlyIn(a, b, processKey).map(brief),
    changed: mostFirst(changed, (c) => c.workingSet.delta)
  }
}

function threads(a: ProcessEntry[], b: ProcessEntry[], oa: Observation, ob: Observation, changed: ProcessChange[]): NonNullable<DiffDoc['threads']> {
  const total = (list: ProcessEntry[]) => list.reduce((s, p) => s + p.threadCount, 0)
  const listed = oa.threads !== null && ob.threads !== null
  const ta = new Set(oa.threads?.map((t) => t.tid))
  const tb = new Set(ob.threads?.map((t) => t.tid))
  return {
    count: change(total(a), total(b)),
    started: listed ? [...tb].filter((t) => !ta.has(t)).length : null,
    exited: listed ? [...ta].filter((t) => !tb.has(t)).length : null,
    byProcess: mostFirst(changed, (c) => c.threads.delta)
  }
}

/** exact sizes a size class names at most */
const MAX_GREW_BY_SIZE = 5

/** The exact sizes in [minSize, maxSize] whose blocks grew in bytes, most first. */
function grewBySize(a: NonNullable<Observation['exactSizes']>, b: NonNullable<Observation['exactSizes']>, minSize: number, maxSize: number): ExactSizeChange[] {
  const out: ExactSizeChange[] = []
  for (const [size, after] of b) {
    if (size < minSize || size > maxSize) continue
    const before = a.get(size) ?? { count: 0, bytes: 0 }
    if (after.bytes > before.bytes) out.push({ size, count: change(before.count, after.count), bytes: change(before.bytes, after.bytes) })
  }
  return out.sort((x, y) => y.bytes.delta - x.bytes.delta || x.size - y.size).slice(0, MAX_GREW_BY_SIZE)
}

function heap(a: Observation, b: Observation): DiffDoc['heap'] {
  if (!a.heap || !b.heap) return null
  const classes = new Map<string, SizeClassChange>()
  const row = (minSize: number, maxSize: number): SizeClassChange => {
    const key = `${minSize}-${maxSize}`
    let r = classes.get(key)
    if (!r) classes.set(key, (r = { minSize, maxSize, count: change(0, 0), bytes: change(0, 0) }))
    return r
  }
  for (const x of a.heap.histogram) Object.assign(row(x.minSize, x.maxSize), { count: change(x.count, 0), bytes: change(x.bytes, 0) })
  for (const x of b.heap.histogram) {
    const r = row(x.minSize, x.maxSize)
    r.count = change(r.count.a, x.count)
    r.bytes = change(r.bytes.a, x.bytes)
  }
  const sa = a.exactSizes
  const sb = b.exactSizes
  if (sa && sb) for (const r of classes.values()) r.grewBySize = grewBySize(sa, sb, r.minSize, r.maxSize)
  return {
    usedBlocks: change(a.heap.usedBlocks, b.heap.usedBlocks),
    usedBytes: change(a.heap.usedBytes, b.heap.usedBytes),
    freeBlocks: change(a.heap.freeBlocks, b.heap.freeBlocks),
    freeBytes: change(a.heap.freeBytes, b.heap.freeBytes),
    sizeClasses: [...classes.values()].sort((x, y) => x.minSize - y.minSize)
  }
}

/** Blocks lost in B's scan that A's scan of the same process did not have (same address and size). */
function lostSince(a: Observation, b: Observation): DiffDoc['lostSince'] {
  if (!a.leaks || !b.leaks || a.leaks.pid !== b.leaks.pid || !a.leaks.blocks || !b.leaks.blocks) return null
  const groups = groupLeakBlocks(LOST_KINDS.flatMap((kind) => leakBlocks(b.leaks!, { kind }, a.leaks!)))
  return { pid: b.leaks.pid, totals: lostTotals(groups), groups }
}

function notes(a: Observation, b: Observation, elapsedMs: number | null): string[] {
  const out: string[] = []
  if (a.leaks && b.leaks && a.leaks.pid === b.leaks.pid && (!a.leaks.blocks || !b.leaks.blocks))
    out.push(`Only ${a.leaks.blocks ? 'A' : b.leaks.blocks ? 'B' : 'neither'} of the leak scans lists its blocks: what is lost since A is not known (scan from the app, or with leaks --blocks).`)
  if (a.info.pid !== null && b.info.pid !== null && a.info.pid !== b.info.pid)
    out.push(`A is process ${a.info.pid} and B is process ${b.info.pid}: the target's numbers compare two different processes.`)
  if (elapsedMs !== null && elapsedMs < 0) out.push('B was taken before A: growth reads as shrinkage.')
  if (!a.heap !== !b.heap) out.push(`Only ${a.heap ? 'A' : 'B'} has heap summaries: heaps are not compared.`)
  if (!a.processes !== !b.processes) out.push(`Only ${a.processes ? 'A' : 'B'} lists processes: processes are not compared.`)
  return out
}

export function diffObservations(a: Observation, b: Observation): DiffDoc {
  const ta = a.info.takenAt === null ? NaN : Date.parse(a.info.takenAt)
  const tb = b.info.takenAt === null ? NaN : Date.parse(b.info.takenAt)
  const elapsedMs = Number.isNaN(ta) || Number.isNaN(tb) ? null : tb - ta
  const changed = a.processes && b.processes ? processChanges(a.processes, b.processes) : []
  const pid = b.info.pid ?? a.info.pid
  const sameModuleTarget = a.modules && b.modules && a.info.pid === b.info.pid
  const target: DiffDoc['target'] =
    pid === null
      ? null
      : {
          pid,
          exeFile: b.info.exeFile ?? a.info.exeFile ?? '',
          workingSetBytes: maybe(a.workingSetBytes, b.workingSetBytes),
          privateBytes: maybe(a.privateBytes, b.privateBytes),
          threadCount: maybe(a.threadCount, b.threadCount),
          moduleCount: sameModuleTarget ? change(a.modules!.length, b.modules!.length) : null,
          heapUsedBytes: maybe(a.heap?.usedBytes, b.heap?.usedBytes),
          heapUsedBlocks: maybe(a.heap?.usedBlocks, b.heap?.usedBlocks)
        }
  const doc: DiffDoc = {
    format: DIFF_FORMAT,
    a: a.info,
    b: b.info,
    elapsedMs,
    suspects: [],
    target,
    processes: a.processes && b.processes ? processes(a.processes, b.processes, changed) : null,
    threads: a.processes && b.processes ? threads(a.processes, b.processes, a, b, changed) : null,
    modules: sameModuleTarget
      ? { pid: pid!, count: change(a.modules!.length, b.modules!.length), loaded: onlyIn(b.modules!, a.modules!, moduleKey), unloaded: onlyIn(a.modules!, b.modules!, moduleKey) }
      : null,
    heap: heap(a, b),
    allocs: a.allocs && b.allocs ? diffAllocs(a.allocs, b.allocs) : null,
    lostSince: lostSince(a, b),
    notes: notes(a, b, elapsedMs)
  }
  doc.suspects = findSuspects(doc, [...a.timelines, ...b.timelines], b.leaks)
  return doc
}

export interface DiffSide {
  file: SnapscopeFile
  /** labels the side (a file name, never opened from here) */
  name: string
  /** one item of the file; the whole file when absent */
  item?: number
}

export const compare = (a: DiffSide, b: DiffSide): DiffDoc =>
  diffObservations(observe(a.file, a.name, 'a', a.item), observe(b.file, b.name, 'b', b.item))
