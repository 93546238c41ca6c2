import { afterEach, describe, expect, it, vi } from 'vitest'
import { HOST, sample } from '../../../test-support/testDocs'
import { parseSnapscopeFile } from '../files/loader'
import { encodeFile, makeFile } from '../files/snapshotFile'
import { Capture, MAX_TIMELINE_SAMPLES } from './capture'
import { parseDuration, formatDuration } from '../../../src-common/model/capture/duration'
import type { Sampled, Sampler } from './sampler'
import { timelineSeries } from '../../../src-common/model/capture/series'
import { trendOf } from '../../../src-common/model/capture/trends'

afterEach(() => vi.useRealTimers())

/** A sampler that plays back a script of samples; past its end the process is gone (ESRCH). */
function scripted(steps: ((i: number) => Partial<Sampled>)[]): Sampler {
  let i = 0
  return async () => {
    if (i >= steps.length) throw Object.assign(new Error('gone'), { code: 'ESRCH' })
    const over = steps[i](i)
    i++
    return { sample: sample(0, { takenAt: new Date().toISOString() }), exeFile: 'leaky', modules: [], errors: [], ...over }
  }
}

describe('capture', () => {
  it('samples on a fixed grid for the duration, both ends included, and tracks modules coming and going', async () => {
    vi.useFakeTimers({ now: Date.parse('2025-03-01T10:00:00Z') })
    const mods = (...names: string[]) => names.map((n) => ({ moduleName: n, exePath: `/lib/${n}` }))
    const sampler = scripted([
      () => ({ modules: mods('app', 'libc') }),
      () => ({ modules: mods('app', 'libc', 'plugin') }),
      () => ({ modules: mods('app', 'libc'), errors: [{ pid: 1, scope: 'heap', code: 'ENOTSUP', message: 'no' }] }),
      () => ({ modules: mods('app', 'libc', 'plugin'), errors: [{ pid: 1, scope: 'heap', code: 'ENOTSUP', message: 'again' }] })
    ])
    const capture = await Capture.start(sampler, HOST, { pid: 1, everyMs: 1000, forMs: 3000 })
    const seen: number[] = []
    capture.on('sample', (p) => seen.push(p.index))
    await vi.advanceTimersByTimeAsync(5000)
    const doc = await capture.done
    expect(doc.endReason).toBe('completed')
    expect(doc.samples).toHaveLength(4)
    expect(seen).toEqual([0, 1, 2, 3])
    expect(doc.modules.map((m) => [m.moduleName, m.firstSample, m.lastSample])).toEqual([
      ['app', 0, 3],
      ['libc', 0, 3],
      ['plugin', 1, 1],
      ['plugin', 3, 3]
    ])
    expect(doc.errors).toHaveLength(1)
  })

  it('ends with target-exited when the process goes, keeping what it has; stop() ends it at once', async () => {
    vi.useFakeTimers()
    const gone = await Capture.start(scripted([() => ({}), () => ({})]), HOST, { pid: 1, everyMs: 500, forMs: 60_000 })
    await vi.advanceTimersByTimeAsync(2000)
    expect((await gone.done).endReason).toBe('target-exited')
    expect(gone.current().samples).toHaveLength(2)

    const stopped = await Capture.start(scripted(Array(100).fill(() => ({}))), HOST, { pid: 1, everyMs: 500, forMs: 60_000 })
    await vi.advanceTimersByTimeAsync(1000)
    const doc = await stopped.stop()
    expect(doc.endReason).toBe('stopped')
    expect(doc.samples).toHaveLength(3)
  })

  it('halves a full timeline: every other sample goes, the interval doubles, modules keep to the samples kept', async () => {
    vi.useFakeTimers({ now: Date.parse('2025-03-01T10:00:00Z') })
    const mods = (...names: string[]) => names.map((n) => ({ moduleName: n, exePath: `/lib/${n}` }))
    // the sampler's eight steps; brief is seen in one sample only, that the halving drops
    const loaded = [['app'], ['app', 'plugin'], ['app'], ['app', 'brief'], ['app', 'plugin'], ['app', 'plugin'], ['app'], ['app']]
    const capture = await Capture.start(scripted(loaded.map((names) => () => ({ modules: mods(...names) }))), HOST, { pid: 1, everyMs: 1000, forMs: 60_000, maxSamples: 4 })
    const seen: [number, number][] = []
    capture.on('sample', (p) => seen.push([p.index, p.thinned]))
    await vi.advanceTimersByTimeAsync(20_000)
    const doc = await capture.done
    expect(doc.endReason).toBe('target-exited')
    // seconds 0 1 2 3, full: 0 2 | 4 6 (every 2 s), full: 0 4 | 8 12 (every 4 s), then the process is gone
    expect(seen).toEqual([[0, 0], [1, 0], [2, 0], [3, 0], [2, 1], [3, 1], [2, 2], [3, 2]])
    expect(doc.samples.map((x) => (Date.parse(x.takenAt) - Date.parse(doc.startedAt)) / 1000)).toEqual([0, 4, 8, 12])
    expect([doc.everyMs, doc.thinned]).toEqual([4000, 2])
    // plugin's first stay (second 1) went with its sample; of its second (4, 6) second 4 is kept
    expect(doc.modules.map((m) => [m.moduleName, m.firstSample, m.lastSample])).toEqual([
      ['app', 0, 3],
      ['plugin', 1, 1]
    ])
  })

  it('keeps a 30-day timeline (every minute, the largest samples) within what the loader opens', async () => {
    vi.useFakeTimers({ now: Date.parse('2025-03-01T10:00:00Z') })
    const worst = { ...sample(0), heap: { ...sample(0).heap!, histogram: Array.from({ length: 61 }, (_, k) => ({ minSize: Math.min(2 ** k, 2 ** 52), maxSize: Math.min(2 ** (k + 1) - 1, 2 ** 53 - 1), count: 2 ** 40 + k, bytes: 2 ** 52 + k })) } }
    const sampler: Sampler = async () => ({ sample: { ...worst, takenAt: new Date().toISOString() }, exeFile: 'leaky', modules: [], errors: [] })
    const days30 = 30 * 86_400_000
    const capture = await Capture.start(sampler, HOST, { pid: 1, everyMs: 60_000, forMs: days30 })
    await vi.advanceTimersByTimeAsync(days30 + 60_000)
    const doc = await capture.done
    vi.useRealTimers()
    expect(doc.endReason).toBe('completed')
    expect(doc.samples.length).toBeLessThanOrEqual(MAX_TIMELINE_SAMPLES)
    expect(doc.samples.length).toBeGreaterThan(MAX_TIMELINE_SAMPLES / 2)
    expect(doc.thinned).toBe(3) // 43,201 samples at 1 min -> 5,401 at 8 min
    expect(doc.everyMs).toBe(8 * 60_000)
    expect(Date.parse(doc.samples.at(-1)!.takenAt) - Date.parse(doc.startedAt)).toBe(days30)
    const back = await parseSnapscopeFile(await encodeFile(makeFile([doc], HOST)), 'run.snapscope')
    expect(back.items[0]).toEqual(doc)
  }, 120_000)

  it('rejects at the start when the process cannot be read', async () => {
    await expect(Capture.start(scripted([]), HOST, { pid: 1, everyMs: 500, forMs: 1000 })).rejects.toMatchObject({ code: 'ESRCH' })
  })
})

describe('trends', () => {
  const pts = (...v: number[]) => v.map((x, i) => ({ t: i * 60_000, v: x }))
  it('is steady when it rises in most steps with a positive slope', () => {
    expect(trendOf(pts(1, 2, 3, 4))).toMatchObject({ rising: 3, steps: 3, steady: true, slopePerMinute: 1, delta: 3 })
    expect(trendOf(pts(1, 5, 1, 5, 1))).toMatchObject({ steady: false })
    expect(trendOf(pts(1, 1, 1, 1, 9))).toMatchObject({ steady: false, delta: 8 })
    expect(trendOf(pts(5))).toMatchObject({ steady: false, steps: 0 })
  })

  it('flags series of a timeline that grow by more than noise', () => {
    const s = timelineSeries({ samples: [0, 1, 2, 3].map((i) => sample(i * 1000, { counts: [10, 10 + i * 50, 10 + i], threadCount: 4 })) })
    const flagged = s.filter((x) => x.flagged).map((x) => x.key)
    expect(flagged).toContain('class:33-64')
    expect(flagged).toContain('heapUsedBlocks')
    expect(flagged).not.toContain('class:65-128') // +3 blocks: steady, but noise
    expect(flagged).not.toContain('threads')
  })
})

describe('durations', () => {
  it('parses what people type and refuses the rest', () => {
    expect(['500ms', '10s', '1.5m', '1h'].map(parseDuration)).toEqual([500, 10_000, 90_000, 3_600_000])
    expect(['', '10', 's', '-1s', '1d', '1e3s'].map(parseDuration)).toEqual([null, null, null, null, null, null])
    expect([400, 1500, 42_000, 3_725_000].map(formatDuration)).toEqual(['400ms', '1.5s', '42s', '1h 2m'])
  })
})
