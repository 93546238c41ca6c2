// A working-set watch of one process: starts the addon's watch, attributes every fault to a module
// (by pc) and a region (by va), keeps counts, and builds the snapscope.wswatch/1 document.
// Memory stays bounded: records beyond `maxRecords` are counted (`omitted`) and aggregated, not kept.
// The per-fault loop avoids BigInt (see addressMap.ts): it reads each 64-bit address as two 32-bit
// halves, which keeps a million faults a second affordable in the main process.

import { EventEmitter } from 'node:events'
import path from 'node:path'
import type { NativeAddon, NativeFaultBatch, NativeWatchEnd, NativeWatchHandle } from '../../native/index'
import { REGION_CODES, type FaultEntry, type RegionCode, type WatchRegion, type WatchSummary, type WsWatchDoc } from '../../src-common/contract/types'
import { RangeIndex, TWO_32, hex, isKernelHalf } from './addressMap'
import { FaultCounts, KERNEL, UNKNOWN, halves } from './faultCounts'
import { FaultLog } from './faultLog'
import type { StreamedArray } from './jsonStream'

export interface WatchOptions {
  pid: number
  mechanism?: string
  ringBytes?: number
  /** records kept for the document (default 2,000,000) */
  maxRecords?: number
  /**
   * false: the document's `faults` stay empty and the records are written from `streamedFaults()`
   * (the CLI: two million records as objects took the process to 747 MB)
   */
  faultsInDocument?: boolean
}

/** One native batch with every fault attributed: what the live stream (watchStream.ts) aggregates. */
export interface AttributedBatch {
  t: Float64Array
  pc: BigUint64Array
  va: BigUint64Array
  tid: Uint32Array
  /** va as a double, for plotting */
  vaNumber: Float64Array
  /** index into `moduleNames` */
  module: Int32Array
  /** index into REGION_CODES */
  region: Uint8Array
  lost: number
}

interface RegionInfo {
  code: number
  label: string
  start: number
  end: number
  hits: number
}

const KERNEL_ID = 0
const UNKNOWN_ID = 1
const UNKNOWN_REGION = REGION_CODES.indexOf('unknown')
const REFRESH_MIN_MS = 250
/** regions listed for the address chart at most; faults elsewhere still count by kind */
const MAX_TOUCHED_REGIONS = 256

export class WsWatchSession extends EventEmitter<{ batch: [AttributedBatch]; end: [WsWatchDoc] }> {
  readonly startedAt = new Date()
  readonly mechanism: string
  private readonly handle: NativeWatchHandle
  readonly t0 = performance.now()
  private modules = new RangeIndex<number>([])
  private regions = new RangeIndex<RegionInfo>([])
  /** module ids are stable for the whole watch, across map refreshes */
  readonly moduleNames: string[] = [KERNEL, UNKNOWN]
  private readonly moduleIds = new Map<string, number>(this.moduleNames.map((name, id) => [name, id]))
  private readonly touched = new Map<string, WatchRegion>()
  private lastRefresh = 0
  private refreshing: Promise<void> | undefined
  private readonly log: FaultLog
  private lost = 0
  private readonly counts = new FaultCounts()
  private doc: WsWatchDoc | undefined
  readonly done: Promise<WsWatchDoc>

  private constructor(
    private readonly addon: NativeAddon,
    private readonly options: WatchOptions
  ) {
    super()
    this.log = new FaultLog(options.maxRecords ?? 2_000_000)
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

  get pid(): number {
    return this.options.pid
  }

  get running(): boolean {
    return this.doc === undefined
  }

  /** Stops the watch; resolves with the document once the last batch is in. */
  stop(): Promise<WsWatchDoc> {
    if (!this.doc) this.handle.stop()
    return this.done
  }

  private moduleId(name: string): number {
    let id = this.moduleIds.get(name)
    if (id === undefined) {
      id = this.moduleNames.push(name) - 1
      this.moduleIds.set(name, id)
    }
    return id
  }

  private async refreshMaps(): Promise<void> {
    this.lastRefresh = performance.now()
    try {
      const [snap, regions] = await Promise.all([
        this.addon.snapshot({ processes: false, threads: false, modules: true, heapLists: true, pid: this.options.pid }),
        this.addon.memoryRegions(this.options.pid)
      ])
      const moduleRanges = snap.modules.map((m) => ({
        start: Number(m.baseAddress),
        end: Number(m.baseAddress) + m.baseSize,
        value: this.moduleId(m.moduleName)
      }))
      this.modules = new RangeIndex(moduleRanges)
      // Anonymous mappings inside a heap (glibc's thread arenas) count as heap.
      const heaps = new RangeIndex(snap.heapLists.map((h) => ({ start: Number(h.baseAddress), end: Number(h.baseAddress) + h.size, value: h.kind })))
      this.regions = new RangeIndex(
        regions.map((r) => {
          const start = Number(r.start)
          const end = Number(r.end)
          const kind = r.kind === 'anon' && heaps.indexOf(start) >= 0 ? 'heap' : r.kind
          const label = kind === 'stack' && r.tid ? `stack ${r.tid}` : r.path ? path.basename(r.path) : kind
          return { start, end, value: { code: REGION_CODES.indexOf(kind), label, start, end, hits: 0 } }
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

  private touch(info: RegionInfo): void {
    if (this.touched.size >= MAX_TOUCHED_REGIONS) return
    const key = `${info.start}-${info.end}-${info.code}`
    if (!this.touched.has(key))
      this.touched.set(key, { start: hex(info.start), end: hex(info.end), kind: REGION_CODES[info.code] as RegionCode, label: info.label })
  }

  /** Every region a fault has landed in (at most MAX_TOUCHED_REGIONS), in the order they were first hit. */
  touchedRegions(): WatchRegion[] {
    return [...this.touched.values()]
  }

  private onBatch(batch: NativeFaultBatch): void {
    const n = batch.pc.length
    const out: AttributedBatch = {
      t: batch.t,
      pc: batch.pc,
      va: batch.va,
      tid: batch.tid,
      vaNumber: new Float64Array(n),
      module: new Int32Array(n),
      region: new Uint8Array(n),
      lost: batch.lost
    }
    this.lost += batch.lost
    const pcs = halves(batch.pc)
    const vas = halves(batch.va)
    const { modules, regions } = this
    let unknown = false
    for (let i = 0; i < n; i++) {
      const pcLo = pcs[2 * i]
      const pcHi = pcs[2 * i + 1]
      const va = vas[2 * i + 1] * TWO_32 + vas[2 * i]
      let module = UNKNOWN_ID // pc 0: the mechanism can't see it (pagemap diffs)
      if (isKernelHalf(pcHi)) module = KERNEL_ID
      else if (pcHi !== 0 || pcLo !== 0) {
        const m = modules.indexOf(pcHi * TWO_32 + pcLo)
        if (m >= 0) module = modules.values[m]
        else unknown = true
      }
      const r = regions.indexOf(va)
      let region = UNKNOWN_REGION
      if (r >= 0) {
        const info = regions.values[r]
        region = info.code
        if (info.hits++ === 0) this.touch(info)
      } else unknown = true
      this.counts.add(module, region, batch.tid[i], pcHi, pcLo, batch.pc, i)
      out.vaNumber[i] = va
      out.module[i] = module
      out.region[i] = region
    }
    this.log.push(batch)
    if (unknown) this.maybeRefresh()
    this.emit('batch', out)
  }

  /** "module+0xoffset" for a user pc, the bare pc outside every module. */
  symbolOf(pc: number): string {
    const m = this.modules.find(pc)
    return m ? `${this.moduleNames[m.value]}+0x${(pc - m.start).toString(16)}` : hex(pc)
  }

  /** The id faults of a module are counted under (for queries by module), or undefined if none came yet. */
  moduleIdOf(name: string): number | undefined {
    return this.moduleIds.get(name)
  }

  get totals(): { total: number; lost: number } {
    return { total: this.counts.total, lost: this.lost }
  }

  /** The records kept, for a JSON writer that makes them into objects one at a time. */
  streamedFaults(): StreamedArray<FaultEntry> {
    return this.log.streamed()
  }

  summary(): WatchSummary {
    return this.counts.summary(this.moduleNames, (pc) => this.symbolOf(pc))
  }

  private finish(end: NativeWatchEnd): WsWatchDoc {
    this.doc = {
      format: 'snapscope.wswatch/1',
      pid: this.options.pid,
      mechanism: this.mechanism,
      startedAt: this.startedAt.toISOString(),
      durationMs: Math.round(performance.now() - this.t0),
      endReason: end.reason === 'error' ? `error: ${end.code ?? ''} ${end.message ?? ''}`.trim() : end.reason,
      faults: this.options.faultsInDocument === false ? [] : this.log.toArray(),
      lost: this.lost,
      omitted: this.log.omitted,
      summary: this.summary()
    }
    this.emit('end', this.doc)
    return this.doc
  }
}
