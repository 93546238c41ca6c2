// What one window may run at once, through a real Session on a real fixture: the watch and walk after
// the limit are refused with EBUSY and what to do, and a slot freed is usable again.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { loadAddon } from '../../native/index'
import { startFixture, type RunningFixture } from '../../native/test/fixtures'
import type { ResponseEnvelope } from '../../src-common/contract/contract'
import { MAX_RUNNING_WALKS, MAX_WATCHES, Session } from './session'

let fixture: RunningFixture<{ pid: number }>
let session: Session | undefined
beforeAll(async () => {
  fixture = await startFixture<{ pid: number }>('heap_fixture', ['--blocks', '1000000'])
})
afterAll(() => fixture?.stop())
afterEach(() => session?.close())

function open() {
  session = new Session({ addon: loadAddon(), mode: 'browser', version: 'test' }, () => {})
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
      i % 2 === 0 ? call('heap.walk', { walkId: 100 + i, pid, heapId, limit: 0 }) : call('heap.open', { viewId: 100 + i, pid, heapId })
    )
    const answers = await Promise.all(asked)
    expect(answers.slice(0, MAX_RUNNING_WALKS).map(refusal)).toEqual(Array(MAX_RUNNING_WALKS).fill(null))
    expect(refusal(answers[MAX_RUNNING_WALKS])).toEqual({
      code: 'EBUSY',
      message: `${MAX_RUNNING_WALKS} heap walks are running in this window already: wait for one to end or cancel it`
    })
    // Once they have ended, walks can start again.
    expect(refusal(await call('heap.walk', { walkId: 200, pid, heapId, limit: 0 }))).toBeNull()
  })

  it('stops a watch that finishes starting after its window closed', async () => {
    const call = open()
    const starting = call('watch.start', { pid: fixture.info.pid })
    session!.close()
    const answer = await starting
    expect(refusal(answer)).toEqual({ code: 'ECANCELED', message: 'the window closed while the watch was starting' })
  })
})
