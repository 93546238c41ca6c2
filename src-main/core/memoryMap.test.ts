// The memory.map request through a real Session (native/test/memoryMap.test.ts checks the figures
// against smaps_rollup): the document the renderer gets, valid against its schema, its totals the
// sums of its regions by kind, and its errors.
import { afterEach, describe, expect, it } from 'vitest'
import { loadAddon } from '../../native/index'
import type { ResponseEnvelope } from '../../src-common/contract/contract'
import { MemoryMapDocSchema, type MemoryMapDoc } from '../../src-common/contract/memoryMapTypes'
import { MEMORY_KINDS } from '../../src-common/contract/types'
import { STRICT, compile } from '../../src-common/contract/validate'
import { Session } from './session'

let session: Session | undefined
afterEach(() => {
  session?.close()
  session = undefined
})
const call = (channel: string, payload: unknown): Promise<ResponseEnvelope> => {
  session ??= new Session({ addon: loadAddon(), mode: 'browser', version: 'test' }, () => {})
  return session.handle({ id: 1, channel, payload })
}

describe('memory.map', () => {
  it('answers the memory map of a process: every region, and the totals of each kind', async () => {
    const answer = await call('memory.map', { pid: process.pid })
    if (!answer.ok) throw new Error(answer.error.message)
    const doc = compile(MemoryMapDocSchema, { ...STRICT, root: 'document' })(answer.result, 'result') as MemoryMapDoc
    expect(doc.pid).toBe(process.pid)
    expect(doc.totals.map((t) => t.kind)).toEqual([...MEMORY_KINDS])
    for (const t of doc.totals) {
      const mine = doc.regions.filter((r) => r.kind === t.kind)
      for (const field of ['sizeBytes', 'residentBytes', 'privateBytes', 'swapBytes'] as const)
        expect(t[field], `${t.kind} ${field}`).toBe(mine.reduce((s, r) => s + r[field], 0))
    }
    expect(doc.totals.find((t) => t.kind === 'image')!.residentBytes).toBeGreaterThan(1 << 20)
  })

  it('refuses a bad pid and answers ESRCH for a process that is gone', async () => {
    expect(await call('memory.map', { pid: -1 })).toMatchObject({ ok: false, error: { code: 'EINVAL' } })
    const gone = await call('memory.map', { pid: 4_194_304 + 17 })
    expect(gone).toMatchObject({ ok: false, error: { code: 'ESRCH' } })
  })
})
