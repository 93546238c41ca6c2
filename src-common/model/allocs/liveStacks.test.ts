// The live view's store on the recorded updates of a trace of alloc_chains: stacks rebuilt from the
// address table (names arriving later replace addresses), live blocks as the leaked ones, the history.
import { describe, expect, it } from 'vitest'
import recorded from '../../../src-renderer/src/test/recorded/allocs.json'
import type { AllocUpdate } from '../../contract/allocTypes'
import { LiveStacks, MAX_HISTORY } from './liveStacks'

const updates = recorded.updates as unknown as AllocUpdate[]

describe('LiveStacks', () => {
  it('rebuilds the top stacks with their named frames and keeps the history of live bytes and the rate', () => {
    const live = new LiveStacks(recorded.started.traceId)
    for (const u of updates) live.apply(u)
    const last = updates[updates.length - 1]
    expect(live.totals).toEqual(last.totals)
    const leak = live.stacks.find((s) => s.frames[0]?.function === 'leak_c')!
    expect(leak.frames.slice(0, 3).map((f) => f.function)).toEqual(['leak_c', 'leak_b', 'leak_a'])
    expect(leak.leaked).toEqual({ blocks: 300, bytes: 60_000 })
    expect(live.history.length).toBe(new Set(updates.map((u) => u.nowMs)).size)
    expect(live.history[live.history.length - 1].liveBytes).toBe(last.totals.liveBytes)
    // the allocation rates add up to the allocations
    const total = live.history.reduce((n, p, i) => n + (p.perSecond * (p.t - (i ? live.history[i - 1].t : 0))) / 1000, 0)
    expect(Math.round(total)).toBe(last.totals.allocations)
  })

  it('halves its history when full, keeping the latest point', () => {
    const live = new LiveStacks(1)
    const u = updates[updates.length - 1]
    for (let i = 1; i <= MAX_HISTORY + 1; i++) live.apply({ ...u, nowMs: i * 250 })
    expect(live.history.length).toBe(Math.ceil((MAX_HISTORY + 1) / 2))
    expect(live.history[live.history.length - 1].t).toBe((MAX_HISTORY + 1) * 250)
  })
})
