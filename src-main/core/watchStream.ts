// Live watches for a renderer: the main process aggregates what the charts draw, so that a million
// faults a second neither floods the IPC channel nor grows memory. Per update (at most every
// UPDATE_MS) a renderer gets the fault counts of fixed time buckets by module and region, a uniform
// sample of (t, va, region) points with the number of faults each stands for, and cumulative
// per-thread and top-pc tables. Raw records stay in a bounded ring, read on demand by query().

import { REGION_CODES, type Requests, type WatchBucketDelta, type WatchQueryResult, type WatchRecord, type WatchUpdate } from '../../src-common/contract/contract'
import { KERNEL, TWO_32, UNKNOWN, hexHalves, isKernelHalf } from './addressMap'
import { FaultCounts, halves } from './faultCounts'
import { FaultRing } from './faultRing'
import type { AttributedBatch, WsWatchSession } from './wsWatch'
import { codedError } from '../../src-common/contract/errors'

export const BUCKET_MS = 250
export const UPDATE_MS = 250
/** sampled points per bucket: 2,000 a second at most, whatever the fault rate */
export const POINTS_PER_BUCKET = 500
/** raw records kept for queries (about 33 MB of typed arrays) */
export const RING_CAPACITY = 1 << 20
const TOP_THREADS = 32

/** One bucket's counts since the last update, with a reservoir sample of its faults. */
class BucketDelta {
  total = 0
  lost = 0
  readonly modules = new Map<number, number>()
  readonly regions = new Array<number>(REGION_CODES.length).fill(0)
  private seen = 0
  private readonly t = new Float64Array(POINTS_PER_BUCKET)
  private readonly va = new Float64Array(POINTS_PER_BUCKET)
  private readonly region = new Uint8Array(POINTS_PER_BUCKET)

  constructor(readonly i: number) {}

  add(t: number, va: number, module: number, region: number): void {
    this.total++
    this.modules.set(module, (this.modules.get(module) ?? 0) + 1)
    this.regions[region]++
    // Algorithm R: every fault of the bucket ends up in the sample with the same probability.
    const seen = this.seen++
    const slot = seen < POINTS_PER_BUCKET ? seen : Math.floor(Math.random() * (seen + 1))
    if (slot < POINTS_PER_BUCKET) {
      this.t[slot] = t
      this.va[slot] = va
      this.region[slot] = region
    }
  }

  toWire(points: WatchUpdate['points']): WatchBucketDelta {
    const kept = Math.min(this.seen, POINTS_PER_BUCKET)
    const weight = kept ? Math.round((this.seen / kept) * 100) / 100 : 0
    for (let k = 0; k < kept; k++) {
      points.t.push(Math.round(this.t[k] * 10) / 10)
      points.va.push(this.va[k])
      points.region.push(this.region[k])
      points.weight.push(weight)
    }
    return { i: this.i, total: this.total, lost: this.lost, modules: [...this.modules].flat(), regions: this.regions }
  }
}

export class WatchStream {
  readonly ring = new FaultRing(RING_CAPACITY)
  private pending = new Map<number, BucketDelta>()
  private sentModules = 0
  private sentRegions = 0
  private readonly timer: NodeJS.Timeout

  constructor(
    readonly watchId: number,
    readonly watch: WsWatchSession,
    private readonly send: (update: WatchUpdate) => void
  ) {
    watch.on('batch', (batch) => this.add(batch))
    watch.once('end', () => this.stop())
    this.timer = setInterval(() => this.flush(true), UPDATE_MS)
    this.timer.unref?.()
  }

  private bucket(i: number): BucketDelta {
    let b = this.pending.get(i)
    if (!b) this.pending.set(i, (b = new BucketDelta(i)))
    return b
  }

  private add(batch: AttributedBatch): void {
    const n = batch.t.length
    this.ring.push(batch)
    let current: BucketDelta | undefined
    for (let k = 0; k < n; k++) {
      const i = Math.floor(batch.t[k] / BUCKET_MS)
      if (current?.i !== i) current = this.bucket(i)
      current.add(batch.t[k], batch.vaNumber[k], batch.module[k], batch.region[k])
    }
    if (batch.lost) this.bucket(Math.floor((n ? batch.t[n - 1] : this.nowMs()) / BUCKET_MS)).lost += batch.lost
  }

  private nowMs(): number {
    return performance.now() - this.watch.t0
  }

  /** Sends what moved since the last update (always while running: the live time axis moves on). */
  private flush(running: boolean): void {
    const points: WatchUpdate['points'] = { t: [], va: [], region: [], weight: [] }
    const buckets = [...this.pending.values()].sort((a, b) => a.i - b.i).map((b) => b.toWire(points))
    this.pending = new Map()
    const { moduleNames } = this.watch
    const regions = this.watch.touchedRegions()
    const summary = this.watch.summary()
    const { total, lost } = this.watch.totals
    this.send({
      watchId: this.watchId,
      pid: this.watch.pid,
      running,
      bucketMs: BUCKET_MS,
      nowMs: Math.round(this.nowMs()),
      total,
      lost,
      buckets,
      points,
      moduleNames: moduleNames.length > this.sentModules ? [...moduleNames] : undefined,
      regions: regions.length > this.sentRegions ? regions : undefined,
      byModule: summary.byModule,
      byThread: summary.byThread.slice(0, TOP_THREADS),
      threadCount: summary.byThread.length,
      topPcs: summary.topPcs
    })
    this.sentModules = moduleNames.length
    this.sentRegions = regions.length
  }

  private stop(): void {
    clearInterval(this.timer)
    this.flush(false)
  }

  /** Dropped without a last update (the session closes). */
  dispose(): void {
    clearInterval(this.timer)
    this.watch.removeAllListeners('batch')
  }

  /** Raw records of [fromMs, toMs) (of one module when given) from the ring, a page of them, and their summary. */
  query(q: Requests['watch.query']): WatchQueryResult {
    const { ring, watch } = this
    const from = q.fromMs ?? 0
    const to = q.toMs ?? Number.POSITIVE_INFINITY
    const offset = q.offset ?? 0
    const limit = q.limit ?? 1000
    const moduleId = q.module === undefined ? -1 : (watch.moduleIdOf(q.module) ?? -2)
    const counts = new FaultCounts()
    const records: WatchRecord[] = []
    const pcs = halves(ring.pc)
    const vas = halves(ring.va)
    const names = watch.moduleNames
    if (moduleId !== -2) {
      for (let k = 0; k < ring.size; k++) {
        const s = ring.slot(k)
        const t = ring.t[s]
        if (t < from || t >= to || (moduleId >= 0 && ring.module[s] !== moduleId)) continue
        const pcHi = pcs[2 * s + 1]
        const pcLo = pcs[2 * s]
        if (counts.total >= offset && records.length < limit) {
          records.push({
            t: Math.round(t * 1000) / 1000,
            pc: hexHalves(pcHi, pcLo),
            va: hexHalves(vas[2 * s + 1], vas[2 * s]),
            tid: ring.tid[s],
            module: names[ring.module[s]],
            region: REGION_CODES[ring.region[s]],
            ...nameAt(watch, pcHi, pcLo)
          })
        }
        counts.add(ring.module[s], ring.region[s], ring.tid[s], pcHi, pcLo, ring.pc, s)
      }
    }
    return {
      watchId: this.watchId,
      matched: counts.total,
      offset,
      records,
      summary: counts.summary(names, (pc) => watch.nameOf(pc)),
      ringStartMs: ring.oldestMs,
      ringCapacity: ring.capacity
    }
  }
}

/** A record's pc as module+offset and its name, "[kernel]", or "[unknown]" where the mechanism gives no pc. */
function nameAt(watch: WsWatchSession, pcHi: number, pcLo: number): Pick<WatchRecord, 'symbol' | 'function' | 'offset' | 'exact' | 'file' | 'line'> {
  if (isKernelHalf(pcHi)) return { symbol: KERNEL }
  if (pcHi === 0 && pcLo === 0) return { symbol: UNKNOWN }
  const { symbol, function: fn, offset, exact, file, line } = watch.nameOf(pcHi * TWO_32 + pcLo)
  return { symbol, function: fn, offset, exact, file, line }
}

/** The streams of one session: every running watch's, and finished ones' (still queryable) until the next watch starts. */
export class WatchStreams {
  private readonly streams = new Map<number, WatchStream>()

  constructor(private readonly send: (update: WatchUpdate) => void) {}

  add(watchId: number, watch: WsWatchSession): void {
    for (const stream of this.streams.values()) {
      if (stream.watch.running) continue
      stream.dispose()
      this.streams.delete(stream.watchId)
    }
    this.streams.set(watchId, new WatchStream(watchId, watch, this.send))
  }

  query(q: Requests['watch.query']): WatchQueryResult {
    const stream = this.streams.get(q.watchId)
    if (!stream) throw codedError('ENOENT', `no records of watch ${q.watchId} in this session (a newer watch replaced them)`)
    return stream.query(q)
  }

  close(): void {
    for (const stream of this.streams.values()) stream.dispose()
    this.streams.clear()
  }
}
