// What one side of a compare saw, whatever it was read from: a snapshot, heap walks, a timeline, or a
// whole file of them (each part taken from the first item that has it). A timeline gives its first
// sample on side A and its last on side B, so comparing a timeline with itself spans the capture.
// Pure: the compare runs in the main process and the same shapes are shown by the renderer.

import type { ProcessEntry, ThreadEntry } from '../../contract/types'
import { sumHeaps } from '../capture/heapTotals'
import type { HeapTotals, TimelineDoc } from '../../contract/timelineTypes'
import type { FileItem, SnapscopeFile } from '../../contract/fileTypes'
import type { LeaksDoc } from '../../contract/leakTypes'
import type { ModuleBrief, SideInfo } from '../../contract/diffTypes'
import type { AllocsDoc } from '../../contract/allocTypes'

export type Side = 'a' | 'b'

export interface Observation {
  info: SideInfo
  processes: ProcessEntry[] | null
  threads: ThreadEntry[] | null
  /** the modules of `info.pid` */
  modules: ModuleBrief[] | null
  heap: HeapTotals | null
  workingSetBytes: number | null
  privateBytes: number | null
  threadCount: number | null
  /** timelines read for this side: their samples give the trends */
  timelines: TimelineDoc[]
  /** the first allocation trace of this side */
  allocs: AllocsDoc | null
  /** the first leak scan of the side's process */
  leaks: LeaksDoc | null
  /** used blocks by exact size, from complete block lists (heap walks that list every block, or a leak scan's blocks) */
  exactSizes: Map<number, { count: number; bytes: number }> | null
}

/** Used blocks by exact size; null unless `lists` have every block of their heaps. */
function bySize(lists: readonly { blocks: readonly { blockSize: number; flags?: string }[]; complete: boolean }[]): Observation['exactSizes'] {
  if (lists.length === 0 || lists.some((l) => !l.complete)) return null
  const sizes = new Map<number, { count: number; bytes: number }>()
  for (const l of lists)
    for (const b of l.blocks) {
      if (b.flags === 'free') continue
      const s = sizes.get(b.blockSize)
      if (s) {
        s.count++
        s.bytes += b.blockSize
      } else sizes.set(b.blockSize, { count: 1, bytes: b.blockSize })
    }
  return sizes
}

export class NothingToCompare extends Error {
  readonly code = 'EINVAL'
}

const ITEM_KIND: Record<FileItem['format'], string> = {
  'snapscope.snapshot/1': 'snapshot',
  'snapscope.heapwalks/1': 'heap walks',
  'snapscope.heapwalk/1': 'heap walk',
  'snapscope.wswatch/1': 'working-set watch',
  'snapscope.timeline/1': 'timeline',
  'snapscope.symbols/1': 'symbols',
  'snapscope.allocs/1': 'allocation trace',
  'snapscope.leaks/1': 'leak scan',
  'snapscope.memorymap/1': 'memory map'
}

export const itemKind = (item: FileItem): string => ITEM_KIND[item.format]

function empty(label: string): Observation {
  return {
    info: { label, takenAt: null, pid: null, exeFile: null, kinds: [] },
    processes: null,
    threads: null,
    modules: null,
    heap: null,
    workingSetBytes: null,
    privateBytes: null,
    threadCount: null,
    timelines: [],
    allocs: null,
    leaks: null,
    exactSizes: null
  }
}

/** Fills what `o` lacks from one item. */
function add(o: Observation, item: FileItem, side: Side): void {
  const info = o.info
  const pidOk = (pid: number) => info.pid === null || info.pid === pid
  switch (item.format) {
    case 'snapscope.snapshot/1': {
      const pid = item.targetPid ?? (item.include.includes('module') ? (item.modules[0]?.pid ?? null) : null)
      info.takenAt ??= item.takenAt
      if (pid !== null && pidOk(pid)) info.pid = pid
      if (item.include.includes('process')) o.processes ??= item.processes
      if (item.include.includes('thread')) o.threads ??= item.threads
      if (item.include.includes('module') && pid !== null && info.pid === pid)
        o.modules ??= item.modules.filter((m) => m.pid === pid).map((m) => ({ moduleName: m.moduleName, exePath: m.exePath }))
      const self = info.pid === null ? undefined : item.processes.find((p) => p.pid === info.pid)
      if (self) {
        info.exeFile ??= self.exeFile
        o.workingSetBytes ??= self.workingSetBytes
        o.privateBytes ??= self.privateBytes ?? null
        o.threadCount ??= self.threadCount
      }
      info.kinds.push('snapshot')
      return
    }
    case 'snapscope.heapwalks/1':
    case 'snapscope.heapwalk/1': {
      if (!pidOk(item.pid)) return
      info.pid = item.pid
      info.takenAt ??= item.takenAt
      const walks = item.format === 'snapscope.heapwalks/1' ? item.heaps : [item]
      o.heap ??= sumHeaps(walks.map((h) => h.summary))
      o.exactSizes ??= bySize(walks.map((h) => ({ blocks: h.blocks, complete: h.offset === 0 && !h.truncated && h.blocks.length === h.summary.blockCount })))
      info.kinds.push(itemKind(item))
      return
    }
    case 'snapscope.leaks/1': {
      if (!pidOk(item.pid)) return
      info.pid = item.pid
      info.takenAt ??= item.takenAt
      o.leaks ??= item
      // every block a scan lists is in use
      if (item.blocks) o.exactSizes ??= bySize([{ blocks: item.blocks, complete: true }])
      info.kinds.push(itemKind(item))
      return
    }
    case 'snapscope.timeline/1': {
      if (!pidOk(item.pid) || item.samples.length === 0) return
      const index = side === 'a' ? 0 : item.samples.length - 1
      const s = item.samples[index]
      info.pid = item.pid
      info.exeFile ??= item.exeFile
      info.takenAt ??= s.takenAt
      o.workingSetBytes ??= s.workingSetBytes
      o.privateBytes ??= s.privateBytes
      o.threadCount ??= s.threadCount
      o.heap ??= s.heap
      o.modules ??= item.modules
        .filter((m) => m.firstSample <= index && index <= m.lastSample)
        .map((m) => ({ moduleName: m.moduleName, exePath: m.exePath }))
      o.timelines.push(item)
      info.kinds.push(`timeline (${side === 'a' ? 'first' : 'last'} of ${item.samples.length} samples)`)
      return
    }
    case 'snapscope.allocs/1': {
      if (!pidOk(item.pid) || o.allocs) return
      info.pid = item.pid
      if (item.startedAt) info.takenAt ??= item.startedAt
      o.allocs = item
      info.kinds.push(itemKind(item))
      return
    }
    case 'snapscope.wswatch/1':
    case 'snapscope.symbols/1':
    case 'snapscope.memorymap/1':
      return // faults by time and place, names of code, one look at the regions: not compared (yet)
  }
}

/** One side of a compare made of these items (labelled `label`). */
export function observeItems(items: readonly FileItem[], label: string, side: Side): Observation {
  const o = empty(label)
  for (const item of items) add(o, item, side)
  if (o.info.kinds.length === 0)
    throw new NothingToCompare(
      `${label}: nothing to compare (it holds ${items.map(itemKind).join(', ') || 'no items'}; compare reads snapshots, heap walks, timelines and allocation traces)`
    )
  return o
}

/** One side of a compare: item `index` of the file, or the whole file when index is absent. */
export function observe(file: SnapscopeFile, name: string, side: Side, index?: number): Observation {
  if (index === undefined) return observeItems(file.items, name, side)
  if (!Number.isInteger(index) || index < 0 || index >= file.items.length)
    throw new NothingToCompare(`${name}: has no item #${index} (it has ${file.items.length})`)
  return observeItems([file.items[index]], `${name} #${index}`, side)
}
