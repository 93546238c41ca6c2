// A working-set watch of one process: starts the addon's watch, attributes every fault to a module
// (by pc) and a region (by va), keeps counts, and builds the snapscope.wswatch/1 document.
// Memory stays bounded: records beyond `maxRecords` are counted (`omitted`) and aggregated, not kept.

import { EventEmitter } from 'node:events'
import type { NativeAddon, NativeFaultBatch, NativeWatchEnd, NativeWatchHandle } from '../../native/index'
import type { FaultEntry, RegionKind, WatchSummary, WsWatchDoc } from '../ipc/types'
import { RangeMap, hex, isKernelAddress } from './addressMap'

export interface WatchOptions {
  pid: number
  mechanism?: string
  ringBytes?: number
  /** records kept for the document (default 2,000,000) */
  maxRecords?: number
}

export interface WatchTick {
  /** faults received in this batch, and since the start */
  count: number
  total: number
  lost: number
  /** faults of this batch by module */
  byModule: Record<string, number>
  byRegion: Record<string, number>
}

interface ModuleRange {
  name: string
}

const KERNEL = '[kernel]'
const UNKNOWN = '[unknown]'
const REFRESH_MIN_MS = 250

export class WsWatchSession extends EventEmitter<{ tick: [WatchTick]; end: [WsWatchDoc] }> {
  readonly startedAt = new Date()
  readonly mechanism: string
  private readonly handle: NativeWatchHandle
  private readonly t0 = performance.now()
  private modules = new RangeMap<ModuleRange>([])
  private regions = new RangeMap<RegionKind>([])
  private lastRefresh = 0
  private refreshing: Promise<void> | undefined
  private readonly kept: FaultEntry[] = []
  private omitted = 0
  private total = 0
  private lost = 0
  private readonly byModule = new Map<string, number>()
  private readonly byRegion = new Map<string, number>()
  private readonly byThread = new Map<number, number>()
  private readonly byPc = new Map<bigint, number>()
  private doc: WsWatchDoc | undefined
  readonly done: Promise<WsWatchDoc>

  private constructor(
    private readonly addon: NativeAddon,
    private readonly options: WatchOptions
  ) {
    super()
    let finish!: (doc: WsWatchDoc) => void
    this.done = new Promise((ok) => (finish = ok))
    this.handle = addon.startWatch(
      { pid: options.pid, mechanism: options.mechanism ?? 'auto', ringBytes: options.ringBytes ?? 0 },
      (batch) => this.onBatch(batch),
      (end) => finish(this.finish(end))
    )
    this.mechanism = this.handle.mechanism
  }

  /** Starts watching; throws (code ESRCH, EACCES …) when the pid can't be watched. */
  static async start(addon: NativeAddon, options: WatchOptions): Promise<WsWatchSession> {
    const session = new WsWatchSession(addon, options)
    await session.refreshMaps()
    return session
  }

  /** Stops the watch; resolves with the document once the last batch is in. */
  stop(): Promise<WsWatchDoc> {
    if (!this.doc) this.handle.stop()
    return this.done
  }

  private async refreshMaps(): Promise<void> {
    this.lastRefresh = performance.now()
    try {
      const [snap, regions] = await Promise.all([
        this.addon.snapshot({ processes: false, threads: false, modules: true, heapLists: true, pid: this.options.pid }),
        this.addon.memoryRegions(this.options.pid)
      ])
      this.modules = new RangeMap(
        snap.modules.map((m) => ({
          start: BigInt(m.baseAddress),
          end: BigInt(m.baseAddress) + BigInt(m.baseSize),
          value: { name: m.moduleName }
        }))
      )
      // Anonymous mappings inside a heap (glibc's thread arenas) count as heap.
      const heaps = new RangeMap(
        snap.heapLists.map((h) => ({ start: BigInt(h.baseAddress), end: BigInt(h.baseAddress) + BigInt(h.size), value: h.kind }))
      )
      this.regions = new RangeMap(
        regions.map((r) => {
          const start = BigInt(r.start)
          const kind = r.kind === 'anon' && heaps.find(start) ? 'heap' : r.kind
          return { start, end: BigInt(r.end), value: kind }
        })
      )
    } catch {
      // The target exited or can't be read any more: keep the last maps.
    }
  }

  /** New code or memory appeared (dlopen, mmap): re-read the maps, at most every REFRESH_MIN_MS. */
  private maybeRefresh(): void {
    if (this.refreshing || this.doc || performance.now() - this.lastRefresh < REFRESH_MIN_MS) return
    this.refreshing = this.refreshMaps().finally(() => (this.refreshing = undefined))
  }

  private moduleOf(pc: bigint): string {
    if (isKernelAddress(pc)) return KERNEL
    return this.modules.find(pc)?.value.name ?? UNKNOWN
  }

  private onBatch(batch: NativeFaultBatch): void {
    const tick: WatchTick = { count: batch.pc.length, total: 0, lost: batch.lost, byModule: {}, byRegion: {} }
    this.lost += batch.lost
    const max = this.options.maxRecords ?? 2_000_000
    let unknown = false
    for (let i = 0; i < batch.pc.length; i++) {
      const pc = batch.pc[i]
      const va = batch.va[i]
      const tid = batch.tid[i]
      // pc 0: the mechanism can't see it (pagemap diffs); no module then.
      const module = pc === 0n ? UNKNOWN : this.moduleOf(pc)
      const region = this.regions.find(va)?.value ?? 'unknown'
      unknown ||= (module === UNKNOWN && pc !== 0n) || region === 'unknown'
      bump(this.byModule, module)
      bump(this.byRegion, region)
      bump(this.byThread, tid)
      if (pc !== 0n) bump(this.byPc, pc)
      tick.byModule[module] = (tick.byModule[module] ?? 0) + 1
      tick.byRegion[region] = (tick.byRegion[region] ?? 0) + 1
      if (this.kept.length < max) this.kept.push({ pc: hex(pc), va: hex(va), tid, t: Math.round(batch.t[i] * 1000) / 1000 })
      else this.omitted++
    }
    this.total += batch.pc.length
    tick.total = this.total
    if (unknown) this.maybeRefresh()
    this.emit('tick', tick)
  }

  private symbolOf(pc: bigint): string {
    if (isKernelAddress(pc)) return KERNEL
    const m = this.modules.find(pc)
    return m ? `${m.value.name}+0x${(pc - m.start).toString(16)}` : hex(pc)
  }

  summary(): WatchSummary {
    return {
      total: this.total,
      byModule: sorted(this.byModule).map(([module, count]) => ({ module, count })),
      byRegion: sorted(this.byRegion).map(([region, count]) => ({ region: region as RegionKind, count })),
      byThread: sorted(this.byThread).map(([tid, count]) => ({ tid, count })),
      topPcs: sorted(this.byPc)
        .slice(0, 20)
        .map(([pc, count]) => ({ pc: hex(pc), symbol: this.symbolOf(pc), count }))
    }
  }

  private finish(end: NativeWatchEnd): WsWatchDoc {
    this.doc = {
      format: 'snapscope.wswatch/1',
      pid: this.options.pid,
      mechanism: this.mechanism,
      startedAt: this.startedAt.toISOString(),
      durationMs: Math.round(performance.now() - this.t0),
      endReason: end.reason === 'error' ? `error: ${end.code ?? ''} ${end.message ?? ''}`.trim() : end.reason,
      faults: this.kept,
      lost: this.lost,
      omitted: this.omitted,
      summary: this.summary()
    }
    this.emit('end', this.doc)
    return this.doc
  }
}

function bump<K>(map: Map<K, number>, key: K): void {
  map.set(key, (map.get(key) ?? 0) + 1)
}

function sorted<K>(map: Map<K, number>): [K, number][] {
  return [...map].sort((a, b) => b[1] - a[1])
}
