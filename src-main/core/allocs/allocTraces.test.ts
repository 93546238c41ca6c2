// Allocation traces through a real Session on the alloc_chains fixture: the live stream a window gets
// (a few updates a second, bounded, frames named once), the document kept as a file when the trace is
// stopped (saved, exported as pprof), the window's limit, and a closing window stopping its trace.
import { readdirSync, readlinkSync } from 'node:fs'
import { gunzipSync } from 'node:zlib'
import { Profile } from 'pprof-format'
import { afterEach, describe, expect, it } from 'vitest'
import { loadAddon } from '../../../native/index'
import { startFixture } from '../../../native/test/fixtures'
import { MAX_LIVE_STACKS, type AllocEnd, type AllocUpdate, type AllocsDoc, type HostMessage, type ResponseEnvelope } from '../../../src-common/contract/contract'
import { Session } from '../session'
import { MAX_TRACES } from './allocTraces'
import { UPDATE_MS } from './allocStream'

const BUILD = { flags: ['-O1', '-g'], variant: 'O1g' }
let session: Session | undefined
afterEach(() => session?.close())

function open(sent: HostMessage[]) {
  session = new Session({ addon: loadAddon(), mode: 'browser', version: 'test' }, (m) => sent.push(m))
  let id = 1
  return (channel: string, payload: unknown): Promise<ResponseEnvelope> => session!.handle({ id: id++, channel, payload })
}
const result = <T>(r: ResponseEnvelope): T => {
  if (!r.ok) throw new Error(`${r.error.code}: ${r.error.message}`)
  return r.result as T
}
const sleep = (ms: number) => new Promise((ok) => setTimeout(ok, ms))
const updates = (sent: HostMessage[]) => sent.flatMap((m) => ('event' in m && m.event === 'allocs.update' ? [m.payload as AllocUpdate] : []))

describe('allocation traces in a session', () => {
  it('streams live totals and stacks a few times a second, then keeps the document as a file', async () => {
    const f = await startFixture<{ pid: number; leakSize: number }>('alloc_chains', ['--mode', 'chains', '--leaks', '200', '--temps', '100'], { build: BUILD })
    try {
      const sent: HostMessage[] = []
      const call = open(sent)
      const { traceId, mechanism } = result<{ traceId: number; mechanism: string }>(await call('allocs.start', { pid: f.info.pid }))
      expect(mechanism).toMatch(/^uprobes-/)
      f.proc.kill('SIGUSR1')
      const t0 = Date.now()
      await sleep(1500)
      const live = updates(sent)
      // a few a second, whatever the rate
      expect(live.length).toBeLessThanOrEqual(Math.ceil((Date.now() - t0 + 500) / UPDATE_MS) + 1)
      const last = live[live.length - 1]
      expect(last).toMatchObject({ traceId, pid: f.info.pid, lost: 0, totals: { allocations: 300, temporary: 100, liveBlocks: 200, liveBytes: 200 * f.info.leakSize } })
      expect(last.stacks.length).toBeLessThanOrEqual(MAX_LIVE_STACKS)
      // every address sent at most twice (when met, and once named), and the table names leak_c
      const sentIds = live.flatMap((u) => u.addresses.map((a) => a.id))
      expect(Math.max(...[...new Set(sentIds)].map((id) => sentIds.filter((x) => x === id).length))).toBeLessThanOrEqual(2)
      const table = new Map(live.flatMap((u) => u.addresses.map((a) => [a.id, a.frames] as const)))
      const top = last.stacks[0]
      expect(top.liveBytes).toBe(200 * f.info.leakSize)
      expect(top.addresses.flatMap((id) => table.get(id)!.map((fr) => fr.function)).slice(0, 3)).toEqual(['leak_c', 'leak_b', 'leak_a'])

      const end = result<AllocEnd>(await call('allocs.stop', { traceId }))
      expect(end).toMatchObject({ traceId, pid: f.info.pid, endReason: 'stopped', lost: 0, totals: { leakedBlocks: 200, leakedBytes: 200 * f.info.leakSize, temporary: 100 } })
      const doc = end.file!.items[0] as AllocsDoc
      expect(doc.stacks[0].frames.slice(0, 3).map((fr) => fr.function)).toEqual(['leak_c', 'leak_b', 'leak_a'])
      // the subscription ended with the trace
      expect(sent.some((m) => 'end' in m && m.end)).toBe(true)
      const pprof = result<{ name: string; bytes: Uint8Array }>(await call('allocs.pprof', { fileId: end.file!.fileId }))
      expect(pprof.name).toMatch(/\.pb\.gz$/)
      expect(Profile.decode(gunzipSync(pprof.bytes)).sample).toHaveLength(doc.stacks.length)
      const saved = result<{ bytes: Uint8Array }>(await call('file.save', { fileId: end.file!.fileId }))
      expect(saved.bytes.length).toBeGreaterThan(100)
      expect(refusal(await call('allocs.stop', { traceId }))).toMatchObject({ code: 'ENOENT' })
    } finally {
      await f.stop()
    }
  }, 60_000)

  it(`runs at most ${MAX_TRACES} traces a window, and stops them when the window closes; the target runs on`, async () => {
    const f = await startFixture<{ pid: number }>('alloc_chains', ['--mode', 'chains', '--leaks', '10'], { build: BUILD })
    try {
      const before = perfEvents()
      const call = open([])
      const answers = await Promise.all(Array.from({ length: MAX_TRACES + 1 }, () => call('allocs.start', { pid: f.info.pid })))
      expect(answers.filter((a) => a.ok)).toHaveLength(MAX_TRACES)
      expect(answers.map(refusal).filter(Boolean)).toEqual([{ code: 'EBUSY', message: `${MAX_TRACES} allocation traces are running in this window already: stop one first` }])
      expect(perfEvents()).toBeGreaterThan(before)
      session!.close()
      // detaching takes the addon a few seconds (the kernel removes each uprobe)
      for (let i = 0; i < 200 && perfEvents() > before; i++) await sleep(100)
      // the probes are gone (their perf events closed), and the target runs on
      expect(perfEvents()).toBe(before)
      expect(f.proc.exitCode).toBeNull()
      session = undefined
      expect(refusal(await open([])('allocs.start', { pid: 0x7ffffff0 }))).toMatchObject({ code: 'ESRCH' })
    } finally {
      await f.stop()
    }
  }, 60_000)
})

const refusal = (r: ResponseEnvelope) => (r.ok ? null : r.error)
/** perf event fds this process holds: the probes of its traces */
const perfEvents = () => readdirSync('/proc/self/fd').filter((fd) => {
  try {
    return readlinkSync(`/proc/self/fd/${fd}`) === 'anon_inode:[perf_event]'
  } catch {
    return false
  }
}).length
