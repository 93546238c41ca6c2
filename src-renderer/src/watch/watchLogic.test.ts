// The renderer's bounded window of a watch, its view window, the address bands and the rate series.
import { describe, expect, it } from 'vitest'
import type { WatchUpdate } from '../../../src-common/contract/contract'
import { watchUpdates } from '../test/recorded'
import { bandY, bandsOf } from './bands'
import { MAX_SERIES, rateSeries } from './rateSeries'
import { timeTicks } from './timeChart'
import { LIVE, nextWindow, range } from './timeWindow'
import { MAX_POINTS, WINDOW_MS, WatchStore } from './watchStore'

const recordedStore = () => {
  const store = new WatchStore(watchUpdates.updates[0].watchId)
  for (const u of watchUpdates.updates) store.apply(u)
  return store
}

function update(i: number, extra: Partial<WatchUpdate> = {}): WatchUpdate {
  return {
    watchId: 1,
    pid: 5,
    running: true,
    bucketMs: 250,
    nowMs: (i + 1) * 250,
    total: 0,
    lost: 0,
    buckets: [{ i, total: 10, lost: 1, modules: [2, 10], regions: [0, 10, 0, 0, 0, 0] }],
    points: { t: [i * 250 + 1], va: [0x1000], region: [1], weight: [10] },
    byModule: [],
    byThread: [],
    threadCount: 0,
    topPcs: [],
    ...extra
  }
}

describe('WatchStore', () => {
  it('adds bucket deltas up, and keeps every fault of the recorded watch', () => {
    const store = recordedStore()
    const last = watchUpdates.updates.at(-1)!
    const counted = store.bucketsIn(0, Infinity).reduce((s, b) => s + b.total, 0)
    expect(counted).toBe(last.total)
    expect(store.moduleNames).toContain('watch_toucher')
    // A late delta for a bucket already held is added to it.
    const first = { ...store.bucketsIn(0, Infinity)[0] }
    store.apply({ ...last, buckets: [{ i: first.i, total: 5, lost: 2, modules: [], regions: [] }], points: { t: [], va: [], region: [], weight: [] } })
    expect(store.bucketsIn(0, Infinity)[0]).toMatchObject({ total: first.total + 5, lost: 2 })
  })

  it('ignores updates of another watch', () => {
    const store = new WatchStore(7)
    store.apply(update(0))
    expect(store.version).toBe(0)
  })

  it('stays bounded: buckets older than the window go, points wrap', () => {
    const store = new WatchStore(1)
    const minutes = 12
    for (let i = 0; i < (minutes * 60_000) / 250; i++) store.apply(update(i))
    expect(store.bucketCount).toBeLessThanOrEqual(WINDOW_MS / 250 + 1)
    expect(store.bucketsIn(0, Infinity)[0].i * 250).toBeGreaterThanOrEqual(store.nowMs - WINDOW_MS - 250)
    expect(store.pointCount).toBeLessThanOrEqual(MAX_POINTS)
    const points = store.pointsIn(store.nowMs - 10_000, store.nowMs, 1000)
    expect(points).toHaveLength(40)
    expect(points.every((p) => p.weight === 10 && p.region === 1)).toBe(true)
  })

  it('thins points to the budget, weighting each for the ones it stands for', () => {
    const store = new WatchStore(1)
    const t = Array.from({ length: 5000 }, (_, k) => k / 20)
    store.apply(update(0, { points: { t, va: t.map(() => 0x1000), region: t.map(() => 0), weight: t.map(() => 2) } }))
    const points = store.pointsIn(0, 250, 500)
    expect(points).toHaveLength(500)
    expect(points.reduce((s, p) => s + p.weight, 0)).toBeCloseTo(10_000)
  })
})

describe('rateSeries', () => {
  it('turns buckets into faults per second, one series per top module, zeros where quiet', () => {
    const store = recordedStore()
    const { rows, series } = rateSeries(store, 0, 60_000)
    expect(rows).toHaveLength(240)
    expect(series[0].name).toBe('watch_toucher')
    const busiest = Math.max(...rows.map((r) => r.s0))
    const top = Math.max(...store.bucketsIn(0, 60_000).map((b) => b.modules.get(store.moduleNames.indexOf('watch_toucher')) ?? 0))
    expect(busiest).toBe(top * 4)
    expect(rows.at(-1)!.s0).toBe(0)
  })

  it('folds modules beyond MAX_SERIES into "other"', () => {
    const store = new WatchStore(1)
    const modules = Array.from({ length: MAX_SERIES + 3 }, (_, k) => [k + 2, 100 - k]).flat()
    store.apply(update(0, { moduleNames: Array.from({ length: MAX_SERIES + 5 }, (_, k) => `m${k}`), buckets: [{ i: 0, total: 0, lost: 0, modules, regions: [] }] }))
    const { series, rows } = rateSeries(store, 0, 1000)
    expect(series).toHaveLength(MAX_SERIES + 1)
    expect(series.at(-1)).toMatchObject({ key: 'other', total: 100 - 6 + 100 - 7 + 100 - 8 })
    expect(rows[0].other).toBe((100 - 6 + 100 - 7 + 100 - 8) * 4)
  })
})

describe('timeWindow', () => {
  it('follows the newest data live, and freezes, zooms and pans within what is held', () => {
    expect(range(LIVE, 5_000)).toEqual({ from: 0, to: 10_000 })
    expect(range(LIVE, 30_000)).toEqual({ from: 0, to: 30_000 })
    expect(range(LIVE, 100_000)).toEqual({ from: 40_000, to: 100_000 })
    const paused = nextWindow(LIVE, { kind: 'pause' }, 100_000)
    expect(paused).toEqual({ mode: 'fixed', from: 40_000, to: 100_000 })
    const zoomed = nextWindow(paused, { kind: 'scale', factor: 0.5 }, 100_000)
    expect(zoomed).toEqual({ mode: 'fixed', from: 55_000, to: 85_000 })
    expect(nextWindow(zoomed, { kind: 'pan', fraction: 1 }, 100_000)).toEqual({ mode: 'fixed', from: 70_000, to: 100_000 })
    expect(nextWindow(zoomed, { kind: 'zoom', from: 90_000, to: 80_000 }, 100_000)).toEqual({ mode: 'fixed', from: 80_000, to: 90_000 })
    // Never narrower than a second, never before what the store still holds.
    expect(nextWindow(zoomed, { kind: 'zoom', from: 1, to: 2 }, 1_000_000)).toEqual({ mode: 'fixed', from: 1_000_000 - WINDOW_MS, to: 1_000_000 - WINDOW_MS + 1000 })
    expect(nextWindow(zoomed, { kind: 'live' }, 100_000)).toBe(LIVE)
  })
})

describe('timeTicks', () => {
  it('puts ticks on round seconds, at most eight of them', () => {
    expect(timeTicks({ from: 0, to: 10_000 })).toEqual({ ticks: [0, 2_000, 4_000, 6_000, 8_000, 10_000], digits: 0 })
    expect(timeTicks({ from: 40_000, to: 100_000 }).ticks).toEqual([40_000, 50_000, 60_000, 70_000, 80_000, 90_000, 100_000])
    expect(timeTicks({ from: 1_250, to: 2_750 })).toEqual({ ticks: [1_250, 1_500, 1_750, 2_000, 2_250, 2_500, 2_750], digits: 2 })
  })
})

describe('bands', () => {
  it('gives each faulted region a band, merging a library’s mappings, and places addresses in them', () => {
    const bands = bandsOf([
      { start: '0x7f0000010000', end: '0x7f0000020000', kind: 'image', label: 'libc.so.6' },
      { start: '0x7f0000000000', end: '0x7f0000010000', kind: 'image', label: 'libc.so.6' },
      { start: '0x5555000000', end: '0x5555100000', kind: 'heap', label: 'heap' },
      { start: '0x7ffd00000000', end: '0x7ffd00100000', kind: 'stack', label: 'stack 42' }
    ])
    expect(bands.map((b) => b.label)).toEqual(['heap 5555000000', 'libc.so.6', 'stack 42'])
    expect(bandY(bands, 0x5555080000)).toBe(0.5)
    expect(bandY(bands, 0x7f0000018000)).toBe(1.75)
    expect(bandY(bands, 0x7ffd00100000)).toBeNaN()
  })
})
