// What a view keeps of a live trace: the address table the updates extend, and the latest top stacks
// as allocation stacks (live blocks standing in for leaked ones until the trace ends), so the call
// trees and the flame graph draw a live trace and a finished one alike. Pure.
import type { AllocFrame, AllocLiveTotals, AllocStack, AllocUpdate } from '../../contract/allocTypes'

/** points of the live history at most: when full, every other one is dropped (the chart spans the whole trace) */
export const MAX_HISTORY = 2_000

/** One point of the trace's history: live bytes, and the allocation rate since the point before. */
export interface LivePoint {
  t: number
  liveBytes: number
  perSecond: number
}

export class LiveStacks {
  history: LivePoint[] = []
  private readonly addresses = new Map<number, AllocFrame[]>()
  totals: AllocLiveTotals = { allocations: 0, frees: 0, temporary: 0, liveBlocks: 0, liveBytes: 0, peakBytes: 0 }
  lost = 0
  nowMs = 0
  stackCount = 0
  stacks: AllocStack[] = []
  /** bumped on every update: views redraw on it */
  version = 0

  constructor(readonly traceId: number) {}

  apply(u: AllocUpdate): void {
    for (const a of u.addresses) this.addresses.set(a.id, a.frames)
    const dt = u.nowMs - this.nowMs
    // a new array each time: a chart library may freeze the one it was given
    if (dt > 0) this.history = [...this.history, { t: u.nowMs, liveBytes: u.totals.liveBytes, perSecond: ((u.totals.allocations - this.totals.allocations) * 1000) / dt }]
    if (this.history.length > MAX_HISTORY) this.history = this.history.filter((_, i, all) => (all.length - 1 - i) % 2 === 0) // the latest stays
    this.totals = u.totals
    this.lost = u.lost
    this.nowMs = u.nowMs
    this.stackCount = u.stackCount
    this.stacks = u.stacks.map((s) => ({
      frames: s.addresses.flatMap((id) => this.addresses.get(id) ?? []),
      allocations: s.allocations,
      bytes: s.bytes,
      temporary: s.temporary,
      leaked: { blocks: s.liveBlocks, bytes: s.liveBytes },
      peakBytes: 0
    }))
    this.version++
  }
}
