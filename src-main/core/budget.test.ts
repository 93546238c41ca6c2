// The host's limits through real sessions on real fixture processes, as windows (or hostile clients)
// use them: per-window limits that count starts in flight, captures and watches that end with their
// window, and one memory budget that every window's heap views, watches and captures share.
import { readFileSync } from 'node:fs'
import { setFlagsFromString } from 'node:v8'
import { runInNewContext } from 'node:vm'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { loadAddon } from '../../native/index'
import { startFixture, type RunningFixture } from '../../native/test/fixtures'
import type { ResponseEnvelope } from '../../src-common/contract/contract'
import { HostBudget, VIEW_BYTES_PER_BLOCK, WATCH_BYTES, defaultBudgetBytes } from './budget'
import { Session } from './session'
import { MAX_CAPTURES } from './workbench/workbench'

const addon = loadAddon()
const MiB = 1 << 20
let small: RunningFixture<{ pid: number }>
let big: RunningFixture<{ pid: number }>
let sessions: Session[] = []

beforeAll(async () => {
  ;[small, big] = await Promise.all([startFixture<{ pid: number }>('heap_fixture'), startFixture<{ pid: number }>('heap_fixture', ['--blocks', '1000000'])])
}, 60_000)
afterAll(async () => {
  await Promise.all([small?.stop(), big?.stop()])
})
afterEach(() => {
  for (const s of sessions) s.close()
  sessions = []
})

/** A window: a real Session on `budget`, called through the contract as the transports do. */
function window(budget: HostBudget) {
  const session = new Session({ addon, budget, mode: 'browser', version: 'test' }, () => {})
  sessions.push(session)
  let id = 1
  const call = (channel: string, payload: unknown): Promise<ResponseEnvelope> => session.handle({ id: id++, channel, payload })
  return { session, call }
}

const errorOf = (r: ResponseEnvelope) => (r.ok ? null : r.error)

/** CPU time (user + system, all threads) this process spends over `ms`. */
async function cpuMsOver(ms: number): Promise<number> {
  const before = process.cpuUsage()
  await new Promise((ok) => setTimeout(ok, ms))
  const used = process.cpuUsage(before)
  return (used.user + used.system) / 1000
}

setFlagsFromString('--expose-gc')
const gc = runInNewContext('gc') as () => void
const rssBytes = (): number => {
  gc()
  return Number(/VmRSS:\s+(\d+) kB/.exec(readFileSync('/proc/self/status', 'utf8'))![1]) * 1024
}

describe('captures', () => {
  it(`starts at most ${MAX_CAPTURES} of 12 pipelined capture.start in a window, counting those still starting`, async () => {
    const budget = new HostBudget(1024 * MiB)
    const { call } = window(budget)
    const answers = await Promise.all(Array.from({ length: 12 }, () => call('capture.start', { pid: small.info.pid, everyMs: 1000, forMs: 60_000 })))
    expect(answers.filter((a) => a.ok)).toHaveLength(MAX_CAPTURES)
    const refused = answers.map(errorOf).filter(Boolean)
    expect(refused).toHaveLength(12 - MAX_CAPTURES)
    for (const e of refused) expect(e).toEqual({ code: 'EBUSY', message: `${MAX_CAPTURES} captures are running in this window already: stop one first` })
    expect(budget.held().capture.count).toBe(MAX_CAPTURES)
  })

  it('stops every capture of a window that closed before the answer: none runs on', async () => {
    const budget = new HostBudget(1024 * MiB)
    // 50 windows, each asking for a fast capture (a walk of a million blocks every 100 ms) and gone before the answer.
    const answers = Array.from({ length: 50 }, () => {
      const { session, call } = window(budget)
      const answer = call('capture.start', { pid: big.info.pid, everyMs: 100, forMs: 120_000 })
      session.close()
      return answer
    })
    for (const a of await Promise.all(answers)) expect(errorOf(a)).toEqual({ code: 'ECANCELED', message: 'the window closed while the capture was starting' })
    // The host's registry holds none, and nothing samples: 50 captures every 100 ms would keep a core busy.
    expect(budget.held().capture).toEqual({ count: 0, bytes: 0 })
    expect(await cpuMsOver(1500)).toBeLessThan(300)
  })

  it('stops the captures of a window that closes, those still starting included', async () => {
    const budget = new HostBudget(1024 * MiB)
    const { session, call } = window(budget)
    const running = await call('capture.start', { pid: small.info.pid, everyMs: 100, forMs: 120_000 })
    expect(errorOf(running)).toBeNull()
    const starting = call('capture.start', { pid: small.info.pid, everyMs: 100, forMs: 120_000 })
    session.close()
    expect(errorOf(await starting)).toMatchObject({ code: 'ECANCELED' })
    await expect.poll(() => budget.held().capture.count).toBe(0)
  })

  it('refuses a capture larger than the whole budget, saying what to change', async () => {
    // A timeline keeps at most MAX_TIMELINE_SAMPLES (it thins itself past that): 30 days reserve those.
    const { call } = window(new HostBudget(16 * MiB))
    const answer = await call('capture.start', { pid: small.info.pid, everyMs: 100, forMs: 30 * 86_400_000 })
    expect(errorOf(answer)).toEqual({
      code: 'EBUSY',
      message: 'a capture of 10,000 samples needs 41 MiB, more than the 16 MiB this Snapscope may use: sample less often or for less long, or start Snapscope with SNAPSCOPE_MEMORY_MB set higher'
    })
  })
})

describe('one budget for every window of the host', () => {
  it('stops heap views of a million blocks in several windows at the budget, and the host memory with it', async () => {
    const limit = 64 * MiB
    const budget = new HostBudget(limit)
    const windows = Array.from({ length: 4 }, () => window(budget))
    const list = await windows[0].call('snapshot.take', { pid: big.info.pid, include: ['heaplist'] })
    if (!list.ok) throw new Error(list.error.message)
    const heapId = (list.result as { heapLists: { heapId: string; kind: string }[] }).heapLists.find((h) => h.kind === 'main-arena')!.heapId

    const before = rssBytes()
    let peak = 0
    const opened: { window: number; viewId: number; blocks: number }[] = []
    const refused: { code: string; message: string }[] = []
    // Two views a window, one after another as a user opens them (each walk holds every block).
    for (const [w, { call }] of windows.entries())
      for (const viewId of [1, 2]) {
        const answer = await call('heap.open', { viewId, pid: big.info.pid, heapId })
        if (answer.ok) opened.push({ window: w, viewId, blocks: (answer.result as { summary: { blockCount: number } }).summary.blockCount })
        else refused.push(answer.error)
        expect(budget.usedBytes).toBeLessThanOrEqual(limit)
        peak = Math.max(peak, rssBytes() - before)
      }

    const viewBytes = opened[0].blocks * VIEW_BYTES_PER_BLOCK
    expect(opened[0].blocks).toBeGreaterThan(1_000_000)
    // As many as the budget holds (two of ~21 MB in 64 MiB, with room to walk), no more.
    expect(opened).toHaveLength(2)
    expect(budget.held()['heap view']).toEqual({ count: 2, bytes: 2 * viewBytes })
    expect(refused).toHaveLength(6)
    for (const e of refused) {
      expect(e.code).toBe('EBUSY')
      expect(e.message).toMatch(/^a heap view .* needs \d+ MiB, but \d+ MiB of the 64 MiB this Snapscope may use are taken \(2 heap views 41 MiB\): close a heap view, in this window or another, then try again$/)
    }
    // Eight views grew the host by ~240 MB; now by the budget and the allocator's slack (the native
    // walk's blocks and the refused walks' arrays leave freed memory in malloc's arenas).
    expect(peak).toBeLessThan(limit + 64 * MiB)

    // A view closed in one window makes room for another window's.
    const first = opened[0]
    expect((await windows[first.window].call('heap.close', { viewId: first.viewId })).ok).toBe(true)
    expect(errorOf(await windows[3].call('heap.open', { viewId: 9, pid: big.info.pid, heapId }))).toBeNull()
    // Windows that close give everything back.
    for (const w of windows) w.session.close()
    expect(budget.usedBytes).toBe(0)
  })

  it('refuses a watch past the budget in another window, naming what to stop', async () => {
    const budget = new HostBudget(WATCH_BYTES + 32 * MiB)
    const a = window(budget)
    const b = window(budget)
    expect(errorOf(await a.call('watch.start', { pid: small.info.pid }))).toBeNull()
    const refused = await b.call('watch.start', { pid: small.info.pid })
    expect(errorOf(refused)).toEqual({
      code: 'EBUSY',
      message: `a watch needs ${Math.ceil(WATCH_BYTES / MiB)} MiB, but ${Math.ceil(WATCH_BYTES / MiB)} MiB of the ${Math.ceil(WATCH_BYTES / MiB) + 32} MiB this Snapscope may use are taken (1 watch ${Math.ceil(WATCH_BYTES / MiB)} MiB): stop a watch, in this window or another, then try again`
    })
    a.session.close()
    await expect.poll(() => budget.held().watch.count).toBe(0)
    expect(errorOf(await b.call('watch.start', { pid: small.info.pid }))).toBeNull()
  })

  it('gets back everything of a window that closes, starts still in flight included', async () => {
    const budget = new HostBudget(1024 * MiB)
    const { session, call } = window(budget)
    const list = await call('snapshot.take', { pid: big.info.pid, include: ['heaplist'] })
    if (!list.ok) throw new Error(list.error.message)
    const heapId = (list.result as { heapLists: { heapId: string; kind: string }[] }).heapLists.find((h) => h.kind === 'main-arena')!.heapId
    const asked = [
      call('watch.start', { pid: small.info.pid }),
      call('capture.start', { pid: big.info.pid, everyMs: 100, forMs: 60_000 }),
      call('heap.open', { viewId: 1, pid: big.info.pid, heapId })
    ]
    expect(budget.held()).toMatchObject({ watch: { count: 1 }, capture: { count: 1 }, 'heap view': { count: 1 } })
    session.close()
    for (const answer of await Promise.all(asked)) expect(errorOf(answer)).toMatchObject({ code: 'ECANCELED' })
    await expect.poll(() => budget.usedBytes).toBe(0)
  })

  it('refuses a heap walk page larger than the whole budget, saying what to change', async () => {
    const { call } = window(new HostBudget(16 * MiB))
    const answer = await call('heap.walk', { pid: small.info.pid, limit: 100_000 })
    expect(errorOf(answer)).toEqual({
      code: 'EBUSY',
      message: 'a heap walk of 100,000 blocks a heap needs 25 MiB, more than the 16 MiB this Snapscope may use: ask for fewer blocks a page, or start Snapscope with SNAPSCOPE_MEMORY_MB set higher'
    })
  })

  it('takes its size from SNAPSCOPE_MEMORY_MB, else a quarter of the memory within 1 to 2 GiB', () => {
    expect(defaultBudgetBytes({ SNAPSCOPE_MEMORY_MB: '300' })).toBe(300 * MiB)
    const fallback = defaultBudgetBytes({})
    expect(fallback).toBeGreaterThanOrEqual(1024 * MiB)
    expect(fallback).toBeLessThanOrEqual(2048 * MiB)
    for (const bad of ['lots', '10', '1.5'])
      expect(() => defaultBudgetBytes({ SNAPSCOPE_MEMORY_MB: bad })).toThrow(`SNAPSCOPE_MEMORY_MB=${bad}: give the memory Snapscope may use in MiB, a whole number of at least 64`)
  })
})
