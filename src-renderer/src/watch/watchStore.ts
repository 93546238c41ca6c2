// What the renderer keeps of a live watch: the last WINDOW_MS of time buckets and sampled points,
// and the cumulative tables the main process sends. Bounded whatever the rate and the duration:
// buckets older than the window are dropped, points live in typed arrays of fixed size.
import type { WatchRegion, WatchSummary, WatchUpdate } from '../../../src-common/contract/contract'

export const WINDOW_MS = 5 * 60_000
/** the main process samples at most 2,000 points a second: five minutes of them */
export const MAX_POINTS = 600_000

export interface Bucket {
  i: number
  total: number
  lost: number
  modules: Map<number, number>
  regions: number[]
}

export interface PointSample {
  t: number
  va: number
  region: number
  weight: number
}

type Listener = () => void

export class WatchStore {
  bucketMs = 250
  nowMs = 0
  running = true
  total = 0
  lost = 0
  pid = 0
  moduleNames: readonly string[] = []
  regions: readonly WatchRegion[] = []
  byModule: WatchSummary['byModule'] = []
  byThread: WatchSummary['byThread'] = []
  threadCount = 0
  topPcs: WatchSummary['topPcs'] = []
  /** bumps on every update: views compare it to know when to redraw */
  version = 0
  private readonly buckets = new Map<number, Bucket>()
  private readonly pt = new Float64Array(MAX_POINTS)
  private readonly pva = new Float64Array(MAX_POINTS)
  private readonly pregion = new Uint8Array(MAX_POINTS)
  private readonly pweight = new Float32Array(MAX_POINTS)
  private written = 0
  private readonly listeners = new Set<Listener>()

  constructor(readonly watchId: number) {}

  apply(u: WatchUpdate): void {
    if (u.watchId !== this.watchId) return
    Object.assign(this, {
      bucketMs: u.bucketMs,
      nowMs: Math.max(this.nowMs, u.nowMs),
      running: u.running,
      total: u.total,
      lost: u.lost,
      pid: u.pid,
      byModule: u.byModule,
      byThread: u.byThread,
      threadCount: u.threadCount,
      topPcs: u.topPcs
    })
    if (u.moduleNames) this.moduleNames = u.moduleNames
    if (u.regions) this.regions = u.regions
    for (const delta of u.buckets) {
      let b = this.buckets.get(delta.i)
      if (!b) this.buckets.set(delta.i, (b = { i: delta.i, total: 0, lost: 0, modules: new Map(), regions: new Array<number>(delta.regions.length).fill(0) }))
      b.total += delta.total
      b.lost += delta.lost
      for (let k = 0; k < delta.modules.length; k += 2) b.modules.set(delta.modules[k], (b.modules.get(delta.modules[k]) ?? 0) + delta.modules[k + 1])
      delta.regions.forEach((n, r) => (b.regions[r] += n))
    }
    const { t, va, region, weight } = u.points
    for (let k = 0; k < t.length; k++) {
      const at = this.written++ % MAX_POINTS
      this.pt[at] = t[k]
      this.pva[at] = va[k]
      this.pregion[at] = region[k]
      this.pweight[at] = weight[k]
    }
    const oldest = Math.floor((this.nowMs - WINDOW_MS) / this.bucketMs)
    for (const i of this.buckets.keys()) if (i < oldest) this.buckets.delete(i)
    this.version++
    for (const listener of this.listeners) listener()
  }

  subscribe(listener: Listener): () => void {
    this.listeners.add(listener)
    return () => this.listeners.delete(listener)
  }

  get bucketCount(): number {
    return this.buckets.size
  }

  get pointCount(): number {
    return Math.min(this.written, MAX_POINTS)
  }

  /** Buckets overlapping [fromMs, toMs), in time order; absent buckets (no faults) are left out. */
  bucketsIn(fromMs: number, toMs: number): Bucket[] {
    const out: Bucket[] = []
    for (const b of this.buckets.values()) if ((b.i + 1) * this.bucketMs > fromMs && b.i * this.bucketMs < toMs) out.push(b)
    return out.sort((a, b) => a.i - b.i)
  }

  /** At most `max` points of [fromMs, toMs), evenly strided over those held, each weighted for the ones skipped. */
  pointsIn(fromMs: number, toMs: number, max: number): PointSample[] {
    const held = this.pointCount
    const first = this.written - held
    const inWindow: number[] = []
    for (let k = first; k < this.written; k++) {
      const at = k % MAX_POINTS
      if (this.pt[at] >= fromMs && this.pt[at] < toMs) inWindow.push(at)
    }
    const stride = Math.max(1, inWindow.length / max)
    const out: PointSample[] = []
    for (let s = 0; s < inWindow.length && out.length < max; s += stride) {
      const at = inWindow[Math.floor(s)]
      out.push({ t: this.pt[at], va: this.pva[at], region: this.pregion[at], weight: this.pweight[at] * stride })
    }
    return out
  }

  /** Faults of one module per bucket over [fromMs, toMs) (its sparkline in the module list). */
  moduleSeries(moduleId: number, fromMs: number, toMs: number): { t: number; count: number }[] {
    return this.bucketsIn(fromMs, toMs).map((b) => ({ t: b.i * this.bucketMs, count: b.modules.get(moduleId) ?? 0 }))
  }
}
