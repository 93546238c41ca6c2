// Browser mode while a large file opens: the file is parsed in a worker thread, so the host answers
// another window meanwhile and a SIGTERM stops it at once (parsing on the event loop, both waited for
// the whole parse). Relative bounds: a busy machine slows the parse and the answers alike.
import { describe, expect, it } from 'vitest'
import WebSocket from 'ws'
import { encodeBinary } from '../../src-common/contract/wire'
import { pieces } from '../../test-support/pieces'
import { encodeFile, makeFile } from '../core/files/snapshotFile'
import { HOST, heapWalksDoc } from '../../test-support/testDocs'
import { serve, SOURCE_CLI } from '../../e2e/browser/serve'

/** One window: asks, and resolves each answer by its id. */
async function windowOf(port: number, token: string) {
  const ws = new WebSocket(`ws://127.0.0.1:${port}/ws?token=${token}`)
  await new Promise((ok, ko) => ws.once('open', ok).once('error', ko))
  const waiting = new Map<number, (a: { ok: boolean; result?: unknown; error?: unknown }) => void>()
  ws.on('message', (d) => {
    const msg = JSON.parse(d.toString()) as { id?: number; ok?: boolean }
    if (msg.id !== undefined && 'ok' in msg) waiting.get(msg.id)?.(msg as never)
  })
  let id = 0
  const ask = (channel: string, payload: unknown, body?: Uint8Array) =>
    new Promise<{ ok: boolean; result?: unknown; error?: unknown }>((ok) => {
      waiting.set(++id, ok)
      ws.send(JSON.stringify({ id, channel, payload }))
      for (const p of body ? pieces(id, body) : []) ws.send(encodeBinary(p.piece, p.index, p.bytes))
    })
  return { ask, close: () => ws.close() }
}

describe('browser mode opening a large file', () => {
  it('answers another window while it parses, and stops at once on SIGTERM', async () => {
    const walk = heapWalksDoc(7, [1])
    const blocks = Array.from({ length: 1_000_000 }, (_, i) => ({ address: `0x${(0x55d0c8a20000 + i * 48).toString(16)}`, blockSize: 32 + (i % 7) * 16, flags: 'fixed' as const }))
    const data = await encodeFile(makeFile([{ ...walk, heaps: [{ ...walk.heaps[0], blocks }] }], HOST))
    const served = await serve(SOURCE_CLI)
    const child = served.proc
    const exited = new Promise<number>((ok) => child.once('exit', () => ok(performance.now())))
    try {
      const [a, b] = [await windowOf(served.port, served.token), await windowOf(served.port, served.token)]
      // One request and its bytes; the host parses once the last piece is in (the pieces are sent at once).
      const upload = (name: string) => a.ask('file.upload', { name, size: data.length }, data)
      // The other window asks every 50 ms while the file opens: the slowest answer is what it waits.
      let started = performance.now()
      let opened: { ok: boolean; error?: unknown } | undefined
      const opening = upload('big.snapscope').then((r) => (opened = r))
      let slowest = 0
      while (!opened) {
        const asked = performance.now()
        await b.ask('app.hello', {})
        slowest = Math.max(slowest, performance.now() - asked)
        await new Promise((ok) => setTimeout(ok, 50))
      }
      await opening
      const openMs = performance.now() - started
      expect(opened.ok, JSON.stringify(opened.error)).toBe(true)
      expect(slowest).toBeLessThan(openMs / 4)

      // SIGTERM half-way through another open (where parsing on the loop would hold it).
      void upload('big-2.snapscope')
      await new Promise((ok) => setTimeout(ok, openMs / 2))
      started = performance.now()
      child.kill('SIGTERM')
      expect((await exited) - started).toBeLessThan(openMs / 4)
      a.close()
      b.close()
    } finally {
      await served.stop()
    }
  }, 120_000)
})
