// A working-set watch of one process: starts the addon's watch, attributes every fault to a module
// (by pc) and a region (by va), keeps counts, and builds the snapscope.wswatch/1 document.
// Memory stays bounded: records beyond `maxRecords` are counted (`omitted`) and aggregated, not kept.
// The address map is read again when faults land where nothing was mapped when it was last read (a
// library loaded, a heap grown, a new mapping), at most every REFRESH_MIN_MS: the batches from the
// first such fault on wait for the new map, and their missed records are attributed again with it,
// before anything counts them or sees them ('batch' events: the live stream).
// The per-fault loop avoids BigInt (see addressMap.ts): it reads each 64-bit address as two 32-bit
// halves, which keeps a million faults a second affordable in the main process.
// Code is named while the watch runs (its modules are mapped then): each distinct pc, once, off the
// batch path (the symbol service asks the addon's worker thread, at most every NAME_EVERY_MS); the
// summary and the records take the names that have arrived, and the document waits for the last ones.

import { EventEmitter } from 'node:events'
import type { NativeAddon, NativeFaultBatch, NativeWatchEnd, NativeWatchHandle } from '../../native/index'
import { REGION_CODES, type FaultEntry, type RegionCode, type SymbolEntry, type WatchRegion, type WatchSummary, type WsWatchDoc } from '../../src-common/contract/types'
import { nameFields } from '../../src-common/model/symbols/symbolText'
import { AddressMap, TWO_32, hex, type RegionInfo } from './addressMap'
import { FaultCounts, TOP_PCS, halves, type PcName } from './faultCounts'
import { SymbolService } from './symbols/symbolService'
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

/** A batch waiting for a new address map: its records in `missed` fell outside the last one. */
interface Held {
  batch: AttributedBatch
  missed: number[]
}

/** the address map is read again at most this often (ms) while faults keep landing outside it */
const REFRESH_MIN_MS = 250
/** regions listed for the address chart at most; faults elsewhere still count by kind */
const MAX_TOUCHED_REGIONS = 256
/** new pcs are sent to be named at most this often (ms) */
const NAME_EVERY_MS = 200
/** distinct pcs named at most (then only the top pcs, at the end); the document's symbols table holds as many */
export const MAX_NAMED_PCS = 100_000

export class WsWatchSession extends EventEmitter<{ batch: [AttributedBatch]; end: [WsWatchDoc] }> {
  readonly startedAt = new Date()
  readonly mechanism: string
  private readonly handle: NativeWatchHandle
  readonly t0 = performance.now()
  /** how long the addon took to start: a record's t (ms since the addon's start) is at most this much behind t0's clock */
  private readonly startSpanMs: number
  private readonly map: AddressMap
  private readonly touched = new Map<string, WatchRegion>()
  private held: Held[] = []
  private refreshing: Promise<void> | undefined
  private refreshTimer: NodeJS.Timeout | undefined
  private lastRefresh = Number.NEGATIVE_INFINITY
  /** records earlier than this (their t) happened before the map was last read: a miss of theirs is final */
  private mapValidFromMs = Number.NEGATIVE_INFINITY
  private ending: NativeWatchEnd | undefined
  private finishDoc!: (doc: WsWatchDoc) => void
  private readonly log: FaultLog
  private lost = 0
  /** user pcs counted for the first time, not yet sent to be named */
  private readonly newPcs: number[] = []
  private readonly counts = new FaultCounts(this.newPcs)
  private namedPcs = 0
  private nameTimer: NodeJS.Timeout | undefined
  private naming = new Set<Promise<unknown>>()
  /** the names of the code, asked while the watch runs */
  readonly symbols: SymbolService
  private finishing = false
  private doc: WsWatchDoc | undefined
  readonly done: Promise<WsWatchDoc>

  private constructor(
    addon: NativeAddon,
    private readonly options: WatchOptions
  ) {
    super()
    this.map = new AddressMap(addon, options.pid, (start, end) => this.rename(start, end))
    this.symbols = new SymbolService(addon, options.pid)
    this.log = new FaultLog(options.maxRecords ?? 2_000_000, this.map.moduleNames)
    this.done = new Promise((ok) => (this.finishDoc = ok))
    this.handle = addon.startWatch(
      { pid: options.pid, mechanism: options.mechanism ?? 'auto', ringBytes: options.ringBytes ?? 0 },
      (batch) => this.onBatch(batch),
      (end) => this.onEnd(end)
    )
    this.startSpanMs = performance.now() - this.t0
    this.mechanism = this.handle.mechanism
  }

  /** Starts watching; throws (code ESRCH, EACCES …) when the pid can't be watched. */
  static async start(addon: NativeAddon, options: WatchOptions): Promise<WsWatchSession> {
    const session = new WsWatchSession(addon, options)
    await session.refresh()
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
    if (!this.doc && !this.ending) this.handle.stop()
    return this.done
  }

  /** Reads the address map again, then attributes what waited for it. */
  private refresh(): Promise<void> {
    clearTimeout(this.refreshTimer)
    this.refreshTimer = undefined
    this.lastRefresh = performance.now()
    const validFrom = this.lastRefresh - this.t0 - this.startSpanMs
    this.refreshing = this.map.load().then(() => {
      // Read or not (the target exited), a miss before the attempt is final: no refresh is asked for it again.
      this.mapValidFromMs = validFrom
      this.refreshing = undefined
      this.release()
    })
    return this.refreshing
  }

  /** A refresh as soon as the last one is REFRESH_MIN_MS old (at once when the watch is ending). */
  private scheduleRefresh(): void {
    if (this.refreshing || this.refreshTimer) return
    const wait = this.ending ? 0 : Math.max(0, this.lastRefresh + REFRESH_MIN_MS - performance.now())
    this.refreshTimer = setTimeout(() => void this.refresh(), wait)
  }

  /** Whether a refresh may attribute some of `missed`: those that happened after the map was read. */
  private stale(batch: AttributedBatch, missed: readonly number[]): boolean {
    return missed.some((i) => batch.t[i] >= this.mapValidFromMs)
  }

  /** Attributes the held batches' missed records with the new map and accepts them, up to one that still needs a refresh. */
  private release(): void {
    const held = this.held
    let k = 0
    for (; k < held.length; k++) {
      const { batch, missed } = held[k]
      held[k].missed = this.map.attribute(halves(batch.pc), halves(batch.va), batch.module, batch.region, (info) => this.touch(info), missed)
      if (!this.ending && this.stale(batch, held[k].missed)) break
      this.accept(batch)
    }
    this.held = held.slice(k)
    if (this.held.length > 0) this.scheduleRefresh()
    else if (this.ending) this.finish(this.ending)
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
    const vas = halves(batch.va)
    for (let i = 0; i < n; i++) out.vaNumber[i] = vas[2 * i + 1] * TWO_32 + vas[2 * i]
    const missed = this.map.attribute(halves(batch.pc), vas, out.module, out.region, (info) => this.touch(info))
    // Behind a held batch, or with faults where the map may be stale: wait for the next map (in order).
    if (this.held.length > 0 || this.stale(out, missed)) {
      this.held.push({ batch: out, missed })
      if (!this.refreshing) this.scheduleRefresh()
      return
    }
    this.accept(out)
  }

  /** Counts an attributed batch, keeps its records for the document and hands it to the live stream. */
  private accept(batch: AttributedBatch): void {
    this.lost += batch.lost
    const pcs = halves(batch.pc)
    for (let i = 0; i < batch.pc.length; i++) this.counts.add(batch.module[i], batch.region[i], batch.tid[i], pcs[2 * i + 1], pcs[2 * i], batch.pc, i)
    this.log.push(batch)
    if (this.newPcs.length > 0 && !this.nameTimer) this.nameTimer = setTimeout(() => this.nameNewPcs(), NAME_EVERY_MS)
    this.emit('batch', batch)
  }

  /** Sends the pcs met since the last time to be named (in the background: a failure leaves them module+offset). */
  private nameNewPcs(): void {
    clearTimeout(this.nameTimer)
    this.nameTimer = undefined
    const pcs = this.newPcs.splice(0, Math.max(0, MAX_NAMED_PCS - this.namedPcs))
    this.newPcs.length = 0
    this.namedPcs += pcs.length
    if (pcs.length > 0) this.name(pcs)
  }

  private name(pcs: number[]): void {
    const asked = this.symbols.lookup(pcs).catch(() => undefined) // exited, or can't be read: module+offset stays
    this.naming.add(asked)
    void asked.then(() => this.naming.delete(asked))
  }

  /** Another image took [start, end) (an exec): its names go, and the pcs counted there are named again. */
  private rename(start: number, end: number): void {
    this.symbols.forget(start, end)
    const pcs = this.counts.pcs(MAX_NAMED_PCS).filter((pc) => pc >= start && pc < end)
    if (pcs.length > 0) this.name(pcs)
  }

  /** Resolves once every name asked so far has arrived (or failed). */
  private async namesSettled(): Promise<void> {
    while (this.naming.size > 0) await Promise.all(this.naming)
  }

  private onEnd(end: NativeWatchEnd): void {
    this.ending = end
    if (this.held.length === 0 && !this.refreshing) this.finish(end)
    else if (this.refreshTimer) void this.refresh() // no need to wait out the interval now
  }

  /** "module+0xoffset" for a user pc, the bare pc outside every module. */
  symbolOf(pc: number): string {
    return this.map.symbolOf(pc)
  }

  /** A user pc as module+offset with its name, once the name has arrived (the module from the map when the name came too late to see it). */
  nameOf(pc: number): PcName {
    const name = this.symbols.cached(pc)
    const symbol = this.symbolOf(pc)
    if (!name) return { symbol }
    return name.module === null ? { symbol, ...this.map.moduleAt(pc), ...nameFields(name) } : { symbol, ...nameFields(name) }
  }

  /** Module names by id (the batches' `module`); it grows as modules appear. */
  get moduleNames(): readonly string[] {
    return this.map.moduleNames
  }

  /** The id faults of a module are counted under (for queries by module), or undefined if none came yet. */
  moduleIdOf(name: string): number | undefined {
    return this.map.moduleIdOf(name)
  }

  get totals(): { total: number; lost: number } {
    return { total: this.counts.total, lost: this.lost }
  }

  /** The records kept, for a JSON writer that makes them into objects one at a time. */
  streamedFaults(): StreamedArray<FaultEntry> {
    return this.log.streamed()
  }

  summary(): WatchSummary {
    return this.counts.summary(this.map.moduleNames, (pc) => this.nameOf(pc))
  }

  /** The names of the pcs counted (most faults first), as many as have arrived. */
  private symbolTable(): SymbolEntry[] {
    return this.counts.pcs(MAX_NAMED_PCS).flatMap((pc) => this.symbols.cached(pc) ?? [])
  }

  private finish(end: NativeWatchEnd): void {
    if (this.finishing) return
    this.finishing = true
    // The last new pcs, and the top pcs past MAX_NAMED_PCS; then the document.
    this.nameNewPcs()
    const unnamed = this.counts.pcs(TOP_PCS).filter((pc) => !this.symbols.cached(pc))
    if (unnamed.length > 0) this.name(unnamed)
    void this.namesSettled().then(() => this.build(end))
  }

  private build(end: NativeWatchEnd): void {
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
      summary: this.summary(),
      symbols: this.symbolTable()
    }
    this.emit('end', this.doc)
    this.finishDoc(this.doc)
  }
}
