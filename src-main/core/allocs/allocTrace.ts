// An allocation trace of one live process: starts the addon's tracer (uprobes on the allocator),
// folds its batches (new stacks, per-stack deltas in typed arrays) into per-stack counts, names the
// stacks' frames with the symbol service while the target's modules are still mapped (each distinct
// address once, asked as soon as it arrives: a target may exit right after it allocated), and builds
// the snapscope.allocs/1 document when it ends. A frame whose name never came (the target exited
// first) keeps the module and offset its address had in the module map read while it ran. Memory grows
// with distinct stacks, never with events.

import { EventEmitter } from 'node:events'
import type { NativeAddon, NativeAllocBatch, NativeAllocEnd, NativeAllocHandle } from '../../../native/index'
import { ALLOCS_FORMAT, ALLOC_LIMITS, type AllocFrame, type AllocLiveTotals, type AllocStack, type AllocsDoc } from '../../../src-common/contract/allocTypes'
import type { SymbolEntry } from '../../../src-common/contract/types'
import { SymbolService } from '../symbols/symbolService'
import { AddressMap } from '../addressMap'

export type AllocAddon = Pick<NativeAddon, 'startAllocTrace' | 'symbolize' | 'snapshot' | 'memoryRegions'>

/** the module map is read again at most this often (ms) while frames land outside it (a library loaded) */
const MAP_EVERY_MS = 250
/** stacks a document keeps at most (those that leaked most); the totals count them all */
export const MAX_DOC_STACKS = 100_000

/** Per-stack counts, columnar by the stack's index (the order stacks first came). */
class StackCounts {
  ids = new Map<number, number>()
  frames: BigUint64Array[] = []
  allocations: Float64Array<ArrayBuffer> = new Float64Array(1024)
  bytes: Float64Array<ArrayBuffer> = new Float64Array(1024)
  frees: Float64Array<ArrayBuffer> = new Float64Array(1024)
  freedBytes: Float64Array<ArrayBuffer> = new Float64Array(1024)
  temporary: Float64Array<ArrayBuffer> = new Float64Array(1024)

  get size(): number {
    return this.frames.length
  }

  add(id: number, frames: BigUint64Array): void {
    if (this.ids.has(id)) return
    const i = this.frames.length
    if (i === this.allocations.length) for (const k of ['allocations', 'bytes', 'frees', 'freedBytes', 'temporary'] as const) this[k] = grow(this[k])
    this.ids.set(id, i)
    this.frames.push(frames)
  }

  liveBytes(i: number): number {
    return this.bytes[i] - this.freedBytes[i]
  }

  liveBlocks(i: number): number {
    return this.allocations[i] - this.frees[i]
  }
}

function grow(a: Float64Array): Float64Array<ArrayBuffer> {
  const b = new Float64Array(a.length * 2)
  b.set(a)
  return b
}

/**
 * The frames of one code address (`hex`, as the stack has it): the functions inlined there (innermost
 * first), then the function holding it.
 */
export function framesOf(hex: string, name: SymbolEntry | undefined, mapped?: { module: string; moduleOffset: number }): AllocFrame[] {
  if (!name || name.module === null) return [{ address: hex, module: mapped?.module ?? null, function: null, file: null, line: null, ...(mapped && { moduleOffset: mapped.moduleOffset }) }]
  const module = name.module
  const moduleOffset = name.moduleOffset === null ? {} : { moduleOffset: name.moduleOffset }
  const inlined = name.inlined.map((i): AllocFrame => ({ address: hex, module, function: i.function, file: i.file, line: i.line, ...moduleOffset }))
  return [...inlined, { address: hex, module, function: name.function, file: name.file, line: name.line, ...moduleOffset }]
}

/**
 * The address to name for frame `i` of a stack. Every frame is a return address (frames[0] is the
 * allocator's caller): it is named one byte back, inside the call, as perf and heaptrack do, since the
 * byte after a call may be the next line, or another function when the call ended its caller.
 */
export const lookupAddress = (frames: BigUint64Array, i: number): bigint => (frames[i] === 0n ? 0n : frames[i] - 1n)

export class AllocTrace extends EventEmitter<{ end: [AllocsDoc] }> {
  readonly startedAt = new Date()
  readonly t0 = performance.now()
  readonly mechanism: string
  readonly symbols: SymbolService
  readonly stacks = new StackCounts()
  readonly totals: AllocLiveTotals = { allocations: 0, frees: 0, temporary: 0, liveBlocks: 0, liveBytes: 0, peakBytes: 0 }
  lost = 0
  untracked = { frees: 0, blocks: 0 }
  private readonly handle: NativeAllocHandle
  private readonly asked = new Set<bigint>()
  private readonly newAddresses: bigint[] = []
  /** the target's modules, for frames whose names never came */
  private readonly map: AddressMap
  private mapTimer: NodeJS.Timeout | undefined
  private lastMapLoad = 0
  private readonly naming = new Set<Promise<unknown>>()
  private doc: AllocsDoc | undefined
  private ended = false
  private finishDoc!: (doc: AllocsDoc) => void
  readonly done: Promise<AllocsDoc>

  private constructor(
    addon: AllocAddon,
    readonly pid: number
  ) {
    super()
    this.symbols = new SymbolService(addon, pid)
    this.map = new AddressMap(addon, pid)
    this.done = new Promise((ok) => (this.finishDoc = ok))
    this.handle = addon.startAllocTrace(
      { pid },
      (batch) => this.onBatch(batch),
      (end) => this.onEnd(end)
    )
    this.mechanism = this.handle.mechanism
  }

  /** Starts tracing; throws (ESRCH, EACCES, ENOTSUP …) when the pid can't be traced. The probes are live when it resolves. */
  static async start(addon: AllocAddon, options: { pid: number }): Promise<AllocTrace> {
    const trace = new AllocTrace(addon, options.pid)
    await trace.loadMap()
    return trace
  }

  private loadMap(): Promise<boolean> {
    clearTimeout(this.mapTimer)
    this.mapTimer = undefined
    this.lastMapLoad = performance.now()
    return this.map.load()
  }

  get running(): boolean {
    return !this.ended
  }

  get elapsedMs(): number {
    return performance.now() - this.t0
  }

  /** Stops the trace (the probes are removed); resolves with the document once the last batch is in. */
  stop(): Promise<AllocsDoc> {
    if (!this.ended) this.handle.stop()
    return this.done
  }

  private onBatch(b: NativeAllocBatch): void {
    const s = this.stacks
    let unmapped = false
    for (const { id, frames } of b.newStacks) {
      s.add(id, frames)
      for (let i = 0; i < frames.length; i++) {
        this.ask(lookupAddress(frames, i))
        unmapped ||= !this.map.moduleAt(Number(frames[i]))
      }
    }
    if (unmapped && !this.mapTimer && !this.ended)
      this.mapTimer = setTimeout(() => void this.loadMap(), Math.max(0, this.lastMapLoad + MAP_EVERY_MS - performance.now()))
    for (let k = 0; k < b.stackIds.length; k++) {
      const i = s.ids.get(b.stackIds[k])
      if (i === undefined) continue // the addon sends a stack before its first delta
      s.allocations[i] += b.allocations[k]
      s.bytes[i] += b.bytes[k]
      s.frees[i] += b.frees[k]
      s.freedBytes[i] += b.freedBytes[k]
      s.temporary[i] += b.temporary[k]
    }
    const t = b.totals
    this.untracked = { frees: t.untrackedFrees, blocks: t.untrackedBlocks }
    Object.assign(this.totals, { allocations: t.allocations, frees: t.frees, temporary: t.temporary, liveBlocks: t.liveBlocks, liveBytes: t.liveBytes, peakBytes: t.peakBytes })
    this.lost += b.lost
    this.nameNew()
  }

  private ask(address: bigint): void {
    if (this.asked.has(address)) return
    this.asked.add(address)
    this.newAddresses.push(address)
  }

  /** Asks the names of the addresses met since the last ask (the symbol service batches asks made while one runs). */
  private nameNew(): void {
    const addresses = this.newAddresses.splice(0)
    if (addresses.length === 0) return
    // exited, or can't be read: those frames keep their address only
    const asked = this.symbols.lookup(addresses).catch(() => undefined)
    this.naming.add(asked)
    void asked.then(() => this.naming.delete(asked))
  }

  /**
   * The frames of stack `i` with the names that have arrived; `shared` holds each address's frames
   * once, so the stacks of a document share them (100,000 stacks of 30 frames would otherwise be
   * three million objects).
   */
  framesOfStack(i: number, shared: Map<bigint, AllocFrame[]>): AllocFrame[] {
    const frames = this.stacks.frames[i]
    const out: AllocFrame[] = []
    // the document gives the stack's own addresses; the names are of the bytes inside the calls
    for (let k = 0; k < frames.length && out.length < ALLOC_LIMITS.frames; k++) {
      let named = shared.get(frames[k])
      if (!named) shared.set(frames[k], (named = this.frameAt(frames, k)))
      out.push(...named)
    }
    return out.slice(0, ALLOC_LIMITS.frames)
  }

  /** The frames of address k of a stack, with its name if it has come, else its module. */
  frameAt(frames: BigUint64Array, k: number): AllocFrame[] {
    return framesOf('0x' + frames[k].toString(16), this.symbols.cached(lookupAddress(frames, k)), this.map.moduleAt(Number(frames[k])))
  }

  private onEnd(end: NativeAllocEnd): void {
    this.ended = true
    clearTimeout(this.mapTimer)
    this.nameNew()
    void this.namesSettled().then(() => this.build(end))
  }

  private async namesSettled(): Promise<void> {
    while (this.naming.size > 0) await Promise.all(this.naming)
  }

  private build(end: NativeAllocEnd): void {
    const s = this.stacks
    const leakedBlocks = new Float64Array(s.size)
    const leakedBytes = new Float64Array(s.size)
    const peak = new Float64Array(s.size)
    for (let k = 0; k < end.leaked.stackIds.length; k++) {
      const i = s.ids.get(end.leaked.stackIds[k])
      if (i === undefined) continue
      leakedBlocks[i] = end.leaked.blocks[k]
      leakedBytes[i] = end.leaked.bytes[k]
      peak[i] = end.leaked.peakBytes[k]
    }
    const order = Array.from({ length: s.size }, (_, i) => i)
      .filter((i) => s.allocations[i] > 0)
      .sort((a, b) => leakedBytes[b] - leakedBytes[a] || s.bytes[b] - s.bytes[a] || s.allocations[b] - s.allocations[a])
    const kept = order.slice(0, MAX_DOC_STACKS)
    const shared = new Map<bigint, AllocFrame[]>()
    const stacks: AllocStack[] = kept.map((i) => ({
      frames: this.framesOfStack(i, shared),
      allocations: s.allocations[i],
      bytes: s.bytes[i],
      temporary: s.temporary[i],
      leaked: { blocks: leakedBlocks[i], bytes: leakedBytes[i] },
      peakBytes: peak[i]
    }))
    const reason = end.reason === 'error' ? `error: ${end.code ?? ''} ${end.message ?? ''}`.trim() : end.reason
    this.doc = {
      format: ALLOCS_FORMAT,
      pid: this.pid,
      mechanism: this.mechanism,
      startedAt: this.startedAt.toISOString(),
      durationMs: Math.round(this.elapsedMs),
      endReason: reason,
      lost: this.lost,
      totals: {
        allocations: this.totals.allocations,
        frees: this.totals.frees,
        temporary: this.totals.temporary,
        leakedBlocks: leakedBlocks.reduce((a, b) => a + b, 0),
        leakedBytes: leakedBytes.reduce((a, b) => a + b, 0),
        peakBytes: this.totals.peakBytes
      },
      stacks,
      omittedStacks: order.length - kept.length,
      untracked: this.untracked
    }
    this.emit('end', this.doc)
    this.finishDoc(this.doc)
  }
}
