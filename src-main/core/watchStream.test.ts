// The live watch stream on a real fixture (watch_toucher faults on command), and its bounds on
// synthetic batches: buckets add up, samples stay bounded, the ring keeps only the newest records.
import { EventEmitter } from 'node:events'
import { afterEach, describe, expect, it } from 'vitest'
import { loadAddon } from '../../native/index'
import { startFixture, type RunningFixture } from '../../native/test/fixtures'
import { addr2line } from '../../test-support/addr2line'
import type { WatchUpdate } from '../../src-common/contract/contract'
import { FaultRing } from './faultRing'
import { BUCKET_MS, POINTS_PER_BUCKET, WatchStream } from './watchStream'
import { WsWatchSession, type AttributedBatch } from './wsWatch'

interface ToucherInfo {
  pid: number
  base: string
  pages: number
  split: number
  pageSize: number
}

const fixtures: RunningFixture<unknown>[] = []
afterEach(async () => {
  for (const f of fixtures.splice(0)) await f.stop()
})

function batch(n: number, t: (i: number) => number, va: (i: number) => number, module = 2): AttributedBatch {
  return {
    t: Float64Array.from({ length: n }, (_, i) => t(i)),
    pc: BigUint64Array.from({ length: n }, () => 0x401000n),
    va: BigUint64Array.from({ length: n }, (_, i) => BigInt(va(i))),
    tid: Uint32Array.from({ length: n }, (_, i) => 100 + (i % 3)),
    vaNumber: Float64Array.from({ length: n }, (_, i) => va(i)),
    module: new Int32Array(n).fill(module),
    region: new Uint8Array(n),
    lost: 0
  }
}

/** Enough of a WsWatchSession for the stream: it only reads these. */
function fakeWatch() {
  const counts = { total: 0, lost: 0 }
  const emitter = Object.assign(new EventEmitter(), {
    pid: 7,
    running: true,
    t0: performance.now(),
    moduleNames: ['[kernel]', '[unknown]', 'app'],
    touchedRegions: () => [],
    summary: () => ({ total: counts.total, byModule: [], byRegion: [], byThread: [], topPcs: [] }),
    totals: counts,
    nameOf: (pc: number) => ({ symbol: `app+0x${(pc - 0x400000).toString(16)}` }),
    moduleIdOf: (name: string) => (name === 'app' ? 2 : undefined)
  })
  return emitter as unknown as WsWatchSession & EventEmitter
}

describe('FaultRing', () => {
  it('keeps the newest records in order once it wraps', () => {
    const ring = new FaultRing(8)
    ring.push(batch(5, (i) => i, (i) => 0x1000 * i))
    ring.push(batch(6, (i) => 5 + i, (i) => 0x1000 * (5 + i)))
    expect(ring.size).toBe(8)
    expect(Array.from({ length: 8 }, (_, k) => ring.t[ring.slot(k)])).toEqual([3, 4, 5, 6, 7, 8, 9, 10])
    expect(ring.oldestMs).toBe(3)
    // A batch larger than the ring: its tail only.
    ring.push(batch(20, (i) => 100 + i, () => 0))
    expect(Array.from({ length: 8 }, (_, k) => ring.t[ring.slot(k)])).toEqual([112, 113, 114, 115, 116, 117, 118, 119])
  })
})

describe('WatchStream bounds', () => {
  it('samples at most POINTS_PER_BUCKET points a bucket, weighted to the bucket count', () => {
    const watch = fakeWatch()
    const updates: WatchUpdate[] = []
    const stream = new WatchStream(1, watch, (u) => updates.push(u))
    // 100,000 faults in one bucket and 10 in the next.
    watch.emit('batch', batch(100_000, (i) => (i * BUCKET_MS) / 100_000, (i) => 0x7f0000000000 + i * 4096))
    watch.emit('batch', batch(10, () => BUCKET_MS + 1, () => 0x7f0000000000))
    watch.emit('end')
    const [last] = updates
    expect(last.running).toBe(false)
    expect(last.buckets.map((b) => [b.i, b.total])).toEqual([
      [0, 100_000],
      [1, 10]
    ])
    expect(last.buckets[0].modules).toEqual([2, 100_000])
    expect(last.points.t).toHaveLength(POINTS_PER_BUCKET + 10)
    const weightSum = last.points.weight.reduce((s, w) => s + w, 0)
    expect(weightSum).toBeCloseTo(100_010, -1)
    // Uniform: the sample spreads over the whole bucket, not its first faults.
    const sampleT = last.points.t.slice(0, POINTS_PER_BUCKET)
    expect(Math.max(...sampleT)).toBeGreaterThan(BUCKET_MS * 0.9)
    expect(Math.min(...sampleT)).toBeLessThan(BUCKET_MS * 0.1)

    const window = stream.query({ watchId: 1, fromMs: BUCKET_MS, limit: 3 })
    expect(window.matched).toBe(10)
    expect(window.records).toHaveLength(3)
    expect(window.records[0]).toMatchObject({ pc: '0x401000', module: 'app', symbol: 'app+0x1000', region: 'image' })
    expect(window.summary.byThread.map((t) => t.tid).sort()).toEqual([100, 101, 102])
    expect(stream.query({ watchId: 1, module: 'nothing-like-it' }).matched).toBe(0)
    expect(stream.query({ watchId: 1, module: 'app', offset: 100_005 }).records).toHaveLength(5)
  })
})

describe('WatchStream on watch_toucher', () => {
  it('streams buckets, samples, regions and top pcs that land in the fixture, and answers window queries', async () => {
    const fixture = await startFixture<ToucherInfo>('watch_toucher', ['--pages', '256', '--split', '128'])
    fixtures.push(fixture)
    const { pid, base, pages, pageSize } = fixture.info
    const watch = await WsWatchSession.start(loadAddon(), { pid, maxRecords: 10 })
    const updates: WatchUpdate[] = []
    const stream = new WatchStream(3, watch, (u) => updates.push(u))
    const counted = () => updates.flatMap((u) => u.buckets).reduce((s, b) => s + b.total, 0)
    process.kill(pid, 'SIGUSR1')
    process.kill(pid, 'SIGUSR2')
    await expect.poll(counted, { timeout: 10_000 }).toBeGreaterThanOrEqual(pages)
    // the name of the code arrives while the watch runs, and the next update has it
    await expect.poll(() => updates.at(-1)!.topPcs[0]?.function, { timeout: 10_000 }).toBe('touch_pages')
    expect(updates.at(-1)!.running).toBe(true)
    const named = stream.query({ watchId: 3, module: 'watch_toucher', limit: 1000 }).records.find((r) => BigInt(r.va) >= BigInt(base) && BigInt(r.va) < BigInt(base) + BigInt(pages * pageSize))!
    expect(named.function).toBe((await addr2line(pid, [BigInt(named.pc)]))[0].function)
    const doc = await watch.stop()
    const last = updates.at(-1)!
    expect(last.running).toBe(false)
    expect(counted()).toBe(doc.summary.total)
    expect(last.total).toBe(doc.summary.total)
    expect(doc.faults).toHaveLength(10)
    expect(doc.omitted).toBe(doc.summary.total - 10)

    const names = updates.find((u) => u.moduleNames)!.moduleNames!
    const perModule = new Map<string, number>()
    for (const b of updates.flatMap((u) => u.buckets))
      for (let k = 0; k < b.modules.length; k += 2) perModule.set(names[b.modules[k]], (perModule.get(names[b.modules[k]]) ?? 0) + b.modules[k + 1])
    expect(perModule.get('watch_toucher')).toBeGreaterThanOrEqual(pages)
    expect(last.topPcs[0].symbol).toMatch(/^watch_toucher\+0x[0-9a-f]+$/)

    const regions = updates.flatMap((u) => u.regions ?? [])
    const touched = regions.find((r) => BigInt(r.start) <= BigInt(base) && BigInt(base) < BigInt(r.end))
    expect(touched).toMatchObject({ kind: 'anon' })
    const lo = Number(base)
    const inRegion = updates.flatMap((u) => u.points.va).filter((va) => va >= lo && va < lo + pages * pageSize)
    expect(inRegion.length).toBe(pages) // few faults: every one is sampled

    const all = stream.query({ watchId: 3 })
    expect(all.matched).toBe(doc.summary.total)
    const mine = stream.query({ watchId: 3, module: 'watch_toucher', limit: 1000 })
    const onRegion = mine.records.filter((r) => BigInt(r.va) >= BigInt(base) && BigInt(r.va) < BigInt(base) + BigInt(pages * pageSize))
    expect(onRegion).toHaveLength(pages)
    expect(onRegion.every((r) => r.region === 'anon' && r.symbol.startsWith('watch_toucher+') && r.function === 'touch_pages')).toBe(true)
    expect(new Set(onRegion.map((r) => r.tid)).size).toBe(2)
    expect(mine.summary.topPcs[0].symbol).toBe(last.topPcs[0].symbol)
  })
})
