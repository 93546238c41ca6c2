// The leak-diagnosis channels through a real Session, as a renderer uses them: bytes in, bytes out.
import { afterEach, describe, expect, it } from 'vitest'
import { loadAddon } from '../../../native/index'
import { MAX_UPLOAD_BYTES, UPLOAD_PIECE_BYTES, type EventName, type Events, type ResponseEnvelope } from '../../../src-common/contract/contract'
import { pieces } from '../../../test-support/pieces'
import { parseSnapscopeFile } from '../files/loader'
import { encodeFile, makeFile } from '../files/snapshotFile'
import { HOST, heapWalksDoc, proc, snapshotDoc } from '../../../test-support/testDocs'
import { Session } from '../session'
import type { OpenedFile } from '../../../src-common/contract/workbenchTypes'

let session: Session | undefined
afterEach(() => session?.close())

function open(printed: string[] = []) {
  const events: { event: EventName; payload: unknown }[] = []
  /** answers the session sent by itself: refusals of messages that were no request */
  const refused: ResponseEnvelope[] = []
  session = new Session(
    {
      addon: loadAddon(),
      mode: 'browser',
      version: 'test',
      printPdf: async (html) => {
        printed.push(html)
        return Buffer.from('%PDF-1.7 test')
      }
    },
    (message) => {
      if ('event' in message) events.push({ event: message.event, payload: message.payload })
      else if ('ok' in message) refused.push(message)
    }
  )
  let id = 1
  const call = async (channel: string, payload: unknown): Promise<ResponseEnvelope> => session!.handle({ id: id++, channel, payload })
  const ok = async <T,>(channel: string, payload: unknown): Promise<T> => {
    const r = await call(channel, payload)
    if (!r.ok) throw new Error(`${channel}: [${r.error.code}] ${r.error.message}`)
    return r.result as T
  }
  /** Sends a file the way the renderer does: one file.upload request, its bytes as pieces after it. */
  const send = (name: string, bytes: Uint8Array, size = bytes.length, body = pieces(id, bytes)): Promise<ResponseEnvelope> => {
    const answer = call('file.upload', { name, size })
    for (const piece of body) session!.receive(piece)
    return answer
  }
  const upload = async <T,>(name: string, bytes: Uint8Array): Promise<T> => {
    const r = await send(name, bytes)
    if (!r.ok) throw new Error(`file.upload: [${r.error.code}] ${r.error.message}`)
    return r.result as T
  }
  return { call, ok, send, upload, events, refused }
}

const before = makeFile([snapshotDoc([proc(7)]), heapWalksDoc(7, [10, 10, 10])], HOST)
const after = makeFile([snapshotDoc([proc(7)]), heapWalksDoc(7, [10, 10, 900])], HOST)

describe('workbench channels', () => {
  it('opens uploaded files, compares them, saves and exports them as bytes', async () => {
    const printed: string[] = []
    const { ok, upload } = open(printed)
    const a = await upload<OpenedFile>('../../etc/before.snapscope', await encodeFile(before))
    expect(a.name).toBe('before.snapscope')
    expect(a.items).toHaveLength(2)
    expect(a.omitted.blocks).toBe(1)
    const b = await upload<OpenedFile>('after.json', Buffer.from(JSON.stringify(after)))

    const diff = await ok<{ suspects: { kind: string; sizeClass?: { minSize: number } }[] }>('diff.run', { a: { fileId: a.fileId }, b: { fileId: b.fileId } })
    expect(diff.suspects[0]).toMatchObject({ kind: 'size-class', sizeClass: { minSize: 65 } })

    const saved = await ok<{ name: string; bytes: Uint8Array }>('file.save', { fileId: a.fileId, redact: true })
    expect(saved.name).toBe('before-redacted.snapscope')
    // Plain bytes (not a Buffer): the WebSocket framing sends them as a binary frame.
    expect(Object.getPrototypeOf(saved.bytes)).toBe(Uint8Array.prototype)
    const back = await parseSnapscopeFile(Buffer.from(saved.bytes), saved.name)
    expect(back.host.hostname).toBe('host')
    expect(back.items[1]).toEqual(before.items[1]) // the block list, left out of the view, is still saved

    const html = await ok<{ files: { name: string; mime: string; bytes: Uint8Array }[] }>('report.export', { a: { fileId: a.fileId }, b: { fileId: b.fileId }, format: 'html' })
    expect(html.files.map((f) => [f.name, f.mime])).toEqual([['before-compare.html', 'text/html']])
    expect(Buffer.from(html.files[0].bytes).toString()).toContain('<svg class="chart"')
    const csv = await ok<{ files: { name: string }[] }>('report.export', { a: { fileId: a.fileId, item: 1 }, format: 'csv', table: 'item0-size-classes' })
    expect(csv.files.map((f) => f.name)).toEqual(['before-item0-size-classes.csv'])
    const pdf = await ok<{ files: { name: string; bytes: Uint8Array }[] }>('report.export', { a: { fileId: b.fileId }, format: 'pdf', redact: true })
    expect(pdf.files[0].name).toBe('after-redacted.pdf')
    expect(printed[0]).toMatch(/Redacted: [\d,]+ user names?, 1 host name, [\d,]+ director(y|ies), [\d,]+ secrets? replaced/)

    // The same name again: told apart.
    expect((await upload<OpenedFile>('before.snapscope', await encodeFile(before))).name).toBe('before (2).snapscope')

    expect(await ok('file.close', { fileId: a.fileId })).toEqual({ closed: true })
    const gone = await open().call('diff.run', { a: { fileId: a.fileId }, b: { fileId: b.fileId } })
    expect(gone).toMatchObject({ ok: false, error: { code: 'ENOENT' } })
  })

  it('refuses bad pieces, broken files and anything that looks like a path', async () => {
    const { call, send, refused } = open()
    const file = await encodeFile(before)
    // Out of order: the upload fails with what was wrong.
    const [first, second] = pieces(1, Buffer.alloc(UPLOAD_PIECE_BYTES * 2))
    const answer = call('file.upload', { name: 'x.snapscope', size: UPLOAD_PIECE_BYTES * 2 })
    session!.receive(second)
    expect(await answer).toMatchObject({ ok: false, error: { code: 'EINVAL', message: 'piece: expected piece 0, got 1' } })
    // The upload is gone: a late piece of it is refused by itself.
    session!.receive(first)
    expect(refused.at(-1)).toMatchObject({ id: -1, ok: false, error: { code: 'EINVAL', message: `piece: request ${first.piece} is no upload in progress` } })
    // More bytes than the request declared.
    expect(await send('y.snapscope', file, 10)).toMatchObject({ ok: false, error: { code: 'EINVAL', message: expect.stringMatching(/^piece: the upload declared 10 bytes/) } })
    expect(await send('zeros.snapscope', Buffer.alloc(3))).toMatchObject({
      ok: false,
      error: { code: 'EBADFILE', message: 'zeros.snapscope: not a Snapscope file (gzip header missing, and not JSON)' }
    })
    expect(await call('file.upload', { name: 'x', size: 1, path: '/etc/passwd' })).toMatchObject({ ok: false, error: { code: 'EINVAL', message: 'payload.path: unknown field' } })
    expect(await send('cut.snapscope', file.subarray(0, 50))).toMatchObject({ ok: false, error: { message: 'cut.snapscope: truncated (the compressed data ends early)' } })
    // Past the upload limit: refused before a byte is sent.
    expect(await call('file.upload', { name: 'big', size: MAX_UPLOAD_BYTES + 1 })).toMatchObject({ ok: false, error: { code: 'EINVAL', message: expect.stringMatching(/^payload.size: /) } })
  })

  it('takes a file of a live process now, and captures a timeline of it with progress events', async () => {
    const { ok, events } = open()
    const taken = await ok<{ items: { format: string }[]; name: string }>('file.take', { pid: process.pid })
    expect(taken.items.map((i) => i.format)).toEqual(['snapscope.snapshot/1', 'snapscope.heapwalks/1'])
    expect(taken.name).toMatch(new RegExp(`^pid-${process.pid}-.*\\.snapscope$`))

    const started = await ok<{ captureId: number; expected: number }>('capture.start', { pid: process.pid, everyMs: 150, forMs: 450 })
    expect(started.expected).toBe(4)
    await expect.poll(() => events.filter((e) => e.event === 'capture.ended').length, { timeout: 10_000 }).toBe(1)
    const samples = events.filter((e) => e.event === 'capture.sample').map((e) => e.payload as Events['capture.sample'])
    // A loaded machine may drop a tick that came while a sample was still being taken: the samples
    // that were taken are numbered in order from 0.
    expect(samples.length).toBeGreaterThanOrEqual(2)
    expect(samples.map((s) => s.index)).toEqual(samples.map((_, i) => i))
    expect(samples[0].sample.heap?.usedBlocks).toBeGreaterThan(0)
    const ended = events.find((e) => e.event === 'capture.ended')!.payload as Events['capture.ended']
    expect(ended.reason).toBe('completed')
    expect(ended.file?.items[0]).toMatchObject({ format: 'snapscope.timeline/1', pid: process.pid })
    expect(await ok('capture.stop', { captureId: started.captureId })).toEqual({ stopped: false })
  })
})
