// The JSON recorded from the fixture programs by recorded/record.ts, typed.
import type { LeakBlockPage, LeakPreview, LeakReferrer } from '../../../src-common/contract/leakTypes'
import type { OpenedFile } from '../../../src-common/contract/workbenchTypes'
import type { AllocEnd, AllocUpdate, AllocsDoc, HeapBlockPage, HeapProgress, HeapView, HeapWalksDoc, MemoryMapDoc, ModuleEntry, Snapshot, WatchQueryResult, WatchUpdate, WsWatchDoc } from '../../../src-common/contract/contract'
import heapviewJson from './recorded/heapview.json'
import heapwalksJson from './recorded/heapwalks.json'
import leaksJson from './recorded/leaks.json'
import memorymapJson from './recorded/memorymap.json'
import snapshotJson from './recorded/snapshot.json'
import watchUpdatesJson from './recorded/watch-updates.json'
import wswatchJson from './recorded/wswatch.json'
import allocsJson from './recorded/allocs.json'

/** heap_fixture --blocks 2000: its process, threads, modules and heap list */
export const snapshot = snapshotJson as unknown as Snapshot
/** `snapscope heap --pid` of the same fixture, 40 blocks per heap */
export const heapWalks = heapwalksJson as unknown as HeapWalksDoc
/** a retained walk of its main arena and pages of it */
export const heapView = heapviewJson as unknown as {
  view: HeapView
  firstPage: HeapBlockPage
  freePage: HeapBlockPage
  livePtr: string
  found: { position: number; exact: boolean }
  foundPage: HeapBlockPage
  progress: { event: 'heap.progress'; payload: HeapProgress }[]
}
/** `snapscope map` of watch_toucher before and after thread A touched `touchedBytes` of its pages at `base` */
export const memoryMaps = memorymapJson as unknown as { base: string; touchedBytes: number; before: MemoryMapDoc; after: MemoryMapDoc }
/** `snapscope watch` of watch_toucher touching 512 pages on two threads */
export const wsWatch = wswatchJson as unknown as WsWatchDoc
/** the live updates of a watch of watch_toucher touching 2048 pages, its modules, and window queries */
export const watchUpdates = watchUpdatesJson as unknown as {
  pid: number
  modules: ModuleEntry[]
  updates: WatchUpdate[]
  query: WatchQueryResult
  moduleQuery: WatchQueryResult
}
/** an allocation trace of alloc_chains (300 leaks of 200 B from leak_a > leak_b > leak_c, 500 temporary
 *  ones): its live updates, its end (the document, kept as a file), a later trace of two rounds, its
 *  snapshot and a walk of its main arena */
export const allocs = allocsJson as unknown as {
  pid: number
  started: { traceId: number; mechanism: string }
  updates: AllocUpdate[]
  end: AllocEnd
  /** a later trace of two rounds */
  later: AllocsDoc
  snapshot: Snapshot
  view: HeapView
  firstPage: HeapBlockPage
}

/** a leak scan of leak_fixture from a Session: the file it is kept as, pages of its blocks, a preview and referrers */
export const leaks = leaksJson as unknown as {
  file: OpenedFile
  /** the definitely lost Widgets */
  widgets: LeakBlockPage
  reachable: LeakBlockPage
  /** of widgets.blocks[0] */
  preview: LeakPreview
  /** a reachable Widget, and what points at it */
  kept: string
  referrers: { referrers: LeakReferrer[] }
}
