// What one window may run at once, through a real Session on a real fixture: the watch and walk after
// the limit are refused with EBUSY and what to do, and a slot freed is usable again.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { loadAddon } from '../../native/index'
import { startFixture, type RunningFixture } from '../../native/test/fixtures'
import type { HostMessage, ResponseEnvelope } from '../../src-common/contract/contract'
import { MAX_RUNNING_WALKS, MAX_WATCHES, Session } from './session'

let fixture: RunningFixture<{ pid: number }>
let session: Session | undefined
beforeAll(async () => {
  fixture = await startFixture<{ pid: number }>('heap_fixture', ['--blocks', '1000000'])
})
afterAll(() => fixture?.stop())
afterEach(() => session?.close())

function open(sent: HostMessage[] = []) {
  session = new Session({ addon: loadAddon(), mode: 'browser', version: 'test' }, (m) => sent.push(m))
  let id = 1
  return (channel: string, payload: unknown): Promise<ResponseEnvelope> => session!.handle({ id: id++, channel, payload })
}

const refusal = (r: ResponseEnvelope) => (r.ok ? null : r.error)

describe('session limits', () => {
  it(`runs at most ${MAX_WATCHES} watches at once, counting those still starting`, async () => {
    const call = open()
    const pid = fixture.info.pid
    // All asked for at once: the check must count watches that have not finished starting.
    const answers = await Promise.all(Array.from({ length: MAX_WATCHES + 1 }, () => call('watch.start', { pid })))
    const started = answers.filter((a) => a.ok)
    expect(started).toHaveLength(MAX_WATCHES)
    const refused = answers.map(refusal).filter(Boolean)
    expect(refused).toEqual([{ code: 'EBUSY', message: `${MAX_WATCHES} watches are running in this window already: stop one first` }])

    const first = (started[0] as { result: { watchId: number } }).result.watchId
    expect((await call('watch.stop', { watchId: first })).ok).toBe(true)
    const again = await call('watch.start', { pid })
    expect(refusal(again)).toBeNull()
  })

  it(`runs at most ${MAX_RUNNING_WALKS} heap walks at once, heap views included`, async () => {
    const call = open()
    const pid = fixture.info.pid
    const list = await call('snapshot.take', { pid, include: ['heaplist'] })
    if (!list.ok) throw new Error(list.error.message)
    const heapId = (list.result as { heapLists: { heapId: string; kind: string }[] }).heapLists.find((h) => h.kind === 'main-arena')!.heapId
    // Sent together, before any has ended (a walk of a million blocks takes a while): the one past the limit is refused at once.
    const asked = Array.from({ length: MAX_RUNNING_WALKS + 1 }, (_, i) =>
      i % 2 === 0 ? call('heap.walk', { pid, heapId, limit: 0 }) : call('heap.open', { viewId: 100 + i, pid, heapId })
    )
    const answers = await Promise.all(asked)
    expect(answers.slice(0, MAX_RUNNING_WALKS).map(refusal)).toEqual(Array(MAX_RUNNING_WALKS).fill(null))
    expect(refusal(answers[MAX_RUNNING_WALKS])).toEqual({
      code: 'EBUSY',
      message: `${MAX_RUNNING_WALKS} heap walks are running in this window already: wait for one to end or cancel it`
    })
    // Once they have ended, walks can start again.
    expect(refusal(await call('heap.walk', { pid, heapId, limit: 0 }))).toBeNull()
  })

  it('stops a watch that finishes starting after its window closed', async () => {
    const call = open()
    const starting = call('watch.start', { pid: fixture.info.pid })
    session!.close()
    const answer = await starting
    expect(refusal(answer)).toEqual({ code: 'ECANCELED', message: 'the window closed while the watch was starting' })
  })
})

describe('subscriptions', () => {
  const of = (sent: HostMessage[], sub: number) => sent.filter((m) => 'sub' in m && m.sub === sub)

  it('addresses events to the request that subscribed, and sends none once it unsubscribes', async () => {
    const sent: HostMessage[] = []
    const call = open(sent)
    const a = call('processes.watch', { intervalMs: 100 }) // id 1
    const b = call('processes.watch', { intervalMs: 100 }) // id 2
    expect([(await a).ok, (await b).ok]).toEqual([true, true])
    await expect.poll(() => of(sent, 1).length, { timeout: 5_000 }).toBeGreaterThan(1)
    session!.receive({ unsubscribe: 1 })
    const count = of(sent, 1).length
    const other = of(sent, 2).length
    // The other subscription goes on (the hub still polls for it); the closed one gets nothing more.
    await expect.poll(() => of(sent, 2).length, { timeout: 5_000 }).toBeGreaterThan(other + 1)
    expect(of(sent, 1).length).toBe(count)
    // A second unsubscribe, or a cancel of a request long answered, is nothing.
    session!.receive({ unsubscribe: 1 })
    session!.receive({ cancel: 2 })
    expect(sent.filter((m) => 'ok' in m && m.id === -1)).toEqual([])
  })

  it('ends a watch subscription with how the watch ended and its totals, not its document', async () => {
    const target = await startFixture<{ pid: number }>('heap_fixture', ['--blocks', '1000'])
    const sent: HostMessage[] = []
    const call = open(sent)
    const started = await call('watch.start', { pid: target.info.pid }) // id 1
    expect(started.ok, JSON.stringify(started)).toBe(true)
    await target.stop()
    await expect.poll(() => of(sent, 1).some((m) => 'end' in m), { timeout: 10_000 }).toBe(true)
    const ended = of(sent, 1).find((m) => 'event' in m && m.event === 'watch.ended') as { payload: Record<string, unknown> }
    expect(Object.keys(ended.payload).sort()).toEqual(['durationMs', 'endReason', 'lost', 'total', 'watchId'])
    expect(ended.payload.endReason).toBe('target-exited')
    // Nothing after the end.
    expect(of(sent, 1).at(-1)).toEqual({ sub: 1, end: true })
  })

  it('refuses a request id still in use', async () => {
    open()
    const first = session!.handle({ id: 5, channel: 'heap.walk', payload: { pid: fixture.info.pid, limit: 0 } })
    const again = await session!.handle({ id: 5, channel: 'app.hello', payload: {} })
    expect(again).toMatchObject({ id: 5, ok: false, error: { code: 'EINVAL', message: 'id: request 5 is still running: a request id is used once' } })
    session!.receive({ cancel: 5 })
    expect(await first).toMatchObject({ ok: false, error: { code: 'ECANCELED' } })
  })
})
