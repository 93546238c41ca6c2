// The Leaks view's channels through a real Session on the leak fixture: a scan with progress kept as a
// file (saved with its blocks), a group's blocks paged from it, "lost since" an earlier scan, a preview,
// who points at a block, and the refusals that say what to do.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { mkdtempSync, readFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { gunzipSync } from 'node:zlib'
import { loadAddon } from '../../../native/index'
import { startFixture, type RunningFixture } from '../../../native/test/fixtures'
import type { HostMessage, OpenedFile, ResponseEnvelope } from '../../../src-common/contract/contract'
import type { LeakBlockPage, LeaksDoc } from '../../../src-common/contract/leakTypes'
import { Session } from '../session'

let fixture: RunningFixture<{ pid: number }>
let truth: string
beforeAll(async () => {
  truth = join(mkdtempSync(join(tmpdir(), 'snapscope-leaks-')), 'truth.txt')
  fixture = await startFixture<{ pid: number }>('leak_fixture', ['--truth', truth, '--bulk', '20000'])
})
afterAll(() => fixture?.stop())

function open(sent: HostMessage[]) {
  const session = new Session({ addon: loadAddon(), mode: 'browser', version: 'test' }, (m) => sent.push(m))
  let id = 1
  const call = async <T>(channel: string, payload: unknown): Promise<T> => {
    const r: ResponseEnvelope = await session.handle({ id: id++, channel, payload })
    if (!r.ok) throw Object.assign(new Error(r.error.message), { code: r.error.code })
    return r.result as T
  }
  return { session, call }
}

/** truth lines "address kind type": the fixture's own word on each block */
const truthOf = () =>
  readFileSync(truth, 'utf8')
    .trim()
    .split('\n')
    .filter((l) => !l.startsWith('bulk'))
    .map((l) => l.split(' '))

describe('leaks channels', () => {
  it('scan to a file, page a group, lost since, preview, referrers', async () => {
    const sent: HostMessage[] = []
    const { session, call } = open(sent)
    const pid = fixture.info.pid
    try {
      const file = await call<OpenedFile>('leaks.scan', { pid })
      expect(sent.some((m) => 'event' in m && m.event === 'heap.progress')).toBe(true)
      const doc = file.items[0] as LeaksDoc
      expect(doc).toMatchObject({ format: 'snapscope.leaks/1', pid, stopped: true })
      expect(doc.blocks).toBeUndefined() // the view pages them
      expect(file.omitted.blocks).toBe(doc.summary.definitelyLost.blocks + doc.summary.indirectlyLost.blocks + doc.summary.possiblyLost.blocks + doc.summary.reachable.blocks)

      // the definitely lost Widgets, as the group names them, and each is one the fixture lost
      const widgets = doc.groups.find((g) => g.type === 'Widget' && g.kind === 'definitely-lost')!
      const page = await call<LeakBlockPage>('leaks.blocks', { fileId: file.fileId, item: 0, kind: 'definitely-lost', type: 'Widget', offset: 0, limit: 1000 })
      expect(page.total).toBe(widgets.count)
      const lostWidgets = truthOf().filter(([, kind, type]) => kind === 'definitely-lost' && type === 'Widget').map(([a]) => `0x${a.replace(/^0x/, '')}`)
      expect(page.blocks.map((b) => b.address).sort()).toEqual(lostWidgets.sort())
      const second = await call<LeakBlockPage>('leaks.blocks', { fileId: file.fileId, item: 0, kind: 'definitely-lost', type: 'Widget', offset: 1, limit: 1 })
      expect(second.blocks).toEqual(page.blocks.slice(1, 2))

      // a second scan of the same process: nothing new is lost since the first
      const again = await call<OpenedFile>('leaks.scan', { pid })
      const since = await call<LeakBlockPage>('leaks.blocks', { fileId: again.fileId, item: 0, kind: 'definitely-lost', since: { fileId: file.fileId, item: 0 }, offset: 0, limit: 10 })
      expect(since.total).toBe(0)

      // the lost string previews as its text; a reachable block is pointed at, a lost one is not
      const strings = doc.groups.find((g) => g.type === 'string')!
      const preview = await call<{ text: string; length: number }>('leaks.preview', { pid, address: strings.examples[0], length: 16 })
      expect(preview.length).toBe(16)
      expect(preview.text).toContain('a lost string of')
      expect(await call('leaks.referrers', { pid, address: strings.examples[0] })).toEqual({ referrers: [] })
      const reachable = await call<LeakBlockPage>('leaks.blocks', { fileId: file.fileId, item: 0, kind: 'reachable', type: 'Widget', offset: 0, limit: 10 })
      const { referrers } = await call<{ referrers: { source: string }[] }>('leaks.referrers', { pid, address: reachable.blocks[0].address })
      expect(referrers.length).toBeGreaterThan(0)

      // saved like any file: with every block of the scan
      const saved = await call<{ bytes: Uint8Array }>('file.save', { fileId: file.fileId })
      const json = JSON.parse(gunzipSync(saved.bytes).toString('utf8')) as { items: LeaksDoc[] }
      expect(json.items[0].blocks).toHaveLength(file.omitted.blocks)
    } finally {
      session.close()
    }
  })

  it('refuses what it cannot do with what to do next', async () => {
    const { session, call } = open([])
    try {
      await expect(call('leaks.scan', { pid: process.pid })).rejects.toMatchObject({ code: 'EPERM' })
      // another allocator: said plainly, as the Leaks tab shows it
      const jemalloc = await startFixture<{ pid: number }>('leak_fixture', ['--truth', join(mkdtempSync(join(tmpdir(), 'snapscope-leaks-')), 'truth.txt')], {
        env: { LD_PRELOAD: '/usr/lib/x86_64-linux-gnu/libjemalloc.so.2' }
      })
      try {
        await expect(call('leaks.scan', { pid: jemalloc.info.pid })).rejects.toMatchObject({ code: 'ENOTSUP', message: expect.stringMatching(/jemalloc is not supported/) })
      } finally {
        await jemalloc.stop()
      }
      // one scan of a process at a time: the second is refused at once, and a slot freed is usable again
      const both = await Promise.allSettled([call('leaks.scan', { pid: fixture.info.pid }), call('leaks.referrers', { pid: fixture.info.pid, address: '0x1000' })])
      expect(both[0].status).toBe('fulfilled')
      expect(both[1]).toMatchObject({ status: 'rejected', reason: { code: 'EBUSY', message: expect.stringMatching(/a leak scan of pid \d+ is running in this window already/) } })
      await expect(call('leaks.referrers', { pid: fixture.info.pid, address: '0x1000' })).resolves.toEqual({ referrers: [] })
      const timeline = await call<OpenedFile>('file.take', { pid: fixture.info.pid })
      await expect(call('leaks.blocks', { fileId: timeline.fileId, item: 0, kind: 'reachable', offset: 0, limit: 1 })).rejects.toThrow(/not a leak scan/)
      await expect(call('leaks.blocks', { fileId: 99, item: 0, kind: 'reachable', offset: 0, limit: 1 })).rejects.toMatchObject({ code: 'ENOENT' })
    } finally {
      session.close()
    }
  })
})
