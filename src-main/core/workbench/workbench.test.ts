// The leak-diagnosis channels through a real Session, as a renderer uses them: bytes in, bytes out.
import { afterEach, describe, expect, it } from 'vitest'
import { loadAddon } from '../../../native/index'
import { MAX_UPLOAD_BYTES, MAX_UPLOAD_CHUNK, type EventName, type Events, type ResponseEnvelope } from '../../../src-common/contract/contract'
import { parseSnapscopeFile } from '../files/loader'
import { encodeFile, makeFile } from '../files/snapshotFile'
import { HOST, heapWalksDoc, proc, snapshotDoc } from '../../../test-support/testDocs'
import { Session } from '../session'
import type { OpenedFile } from '../../../src-common/contract/workbenchTypes'

let session: Session | undefined
afterEach(() => session?.close())

function open(printed: string[] = []) {
  const events: { event: EventName; payload: unknown }[] = []
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
    (event, payload) => events.push({ event, payload })
  )
  let id = 1
  const call = async (channel: string, payload: unknown): Promise<ResponseEnvelope> => session!.handle({ id: id++, channel, payload })
  const ok = async <T,>(channel: string, payload: unknown): Promise<T> => {
    const r = await call(channel, payload)
    if (!r.ok) throw new Error(`${channel}: [${r.error.code}] ${r.error.message}`)
    return r.result as T
  }
  /** Sends bytes the way the renderer does: base64 pieces that each fit a frame. */
  const upload = async (uploadId: number, bytes: Buffer): Promise<void> => {
    const text = bytes.toString('base64')
    let offset = 0
    for (let at = 0; at < text.length; at += MAX_UPLOAD_CHUNK) {
      const piece = text.slice(at, at + MAX_UPLOAD_CHUNK)
      await ok('file.upload', { uploadId, offset, data: piece })
      offset += Buffer.from(piece, 'base64').length
    }
  }
  return { call, ok, upload, events }
}

const before = makeFile([snapshotDoc([proc(7)]), heapWalksDoc(7, [10, 10, 10])], HOST)
const after = makeFile([snapshotDoc([proc(7)]), heapWalksDoc(7, [10, 10, 900])], HOST)

describe('workbench channels', () => {
  it('opens uploaded files, compares them, saves and exports them as bytes', async () => {
    const printed: string[] = []
    const { ok, upload } = open(printed)
    await upload(1, await encodeFile(before))
    const a = await ok<OpenedFile>('file.open', { uploadId: 1, name: '../../etc/before.snapscope' })
    expect(a.name).toBe('before.snapscope')
    expect(a.items).toHaveLength(2)
    expect(a.omitted.blocks).toBe(1)
    await upload(2, Buffer.from(JSON.stringify(after)))
    const b = await ok<{ fileId: number }>('file.open', { uploadId: 2, name: 'after.json' })

    const diff = await ok<{ suspects: { kind: string; sizeClass?: { minSize: number } }[] }>('diff.run', { a: { fileId: a.fileId }, b: { fileId: b.fileId } })
    expect(diff.suspects[0]).toMatchObject({ kind: 'size-class', sizeClass: { minSize: 65 } })

    const saved = await ok<{ name: string; base64: string }>('file.save', { fileId: a.fileId, redact: true })
    expect(saved.name).toBe('before-redacted.snapscope')
    const back = await parseSnapscopeFile(Buffer.from(saved.base64, 'base64'), saved.name)
    expect(back.host.hostname).toBe('host')
    expect(back.items[1]).toEqual(before.items[1]) // the block list, left out of the view, is still saved

    const html = await ok<{ files: { name: string; mime: string; base64: string }[] }>('report.export', { a: { fileId: a.fileId }, b: { fileId: b.fileId }, format: 'html' })
    expect(html.files.map((f) => [f.name, f.mime])).toEqual([['before-compare.html', 'text/html']])
    expect(Buffer.from(html.files[0].base64, 'base64').toString()).toContain('<svg class="chart"')
    const csv = await ok<{ files: { name: string }[] }>('report.export', { a: { fileId: a.fileId, item: 1 }, format: 'csv', table: 'item0-size-classes' })
    expect(csv.files.map((f) => f.name)).toEqual(['before-item0-size-classes.csv'])
    const pdf = await ok<{ files: { name: string; base64: string }[] }>('report.export', { a: { fileId: b.fileId }, format: 'pdf', redact: true })
    expect(pdf.files[0].name).toBe('after-redacted.pdf')
    expect(printed[0]).toMatch(/Redacted: [\d,]+ user names?, 1 host name, [\d,]+ director(y|ies), [\d,]+ secrets? replaced/)

    // The same name again: told apart.
    await upload(5, await encodeFile(before))
    expect((await ok<OpenedFile>('file.open', { uploadId: 5, name: 'before.snapscope' })).name).toBe('before (2).snapscope')

    expect(await ok('file.close', { fileId: a.fileId })).toEqual({ closed: true })
    const gone = await open().call('diff.run', { a: { fileId: a.fileId }, b: { fileId: b.fileId } })
    expect(gone).toMatchObject({ ok: false, error: { code: 'ENOENT' } })
  })

  it('refuses bad pieces, broken files and anything that looks like a path', async () => {
    const { call, ok, upload } = open()
    expect(await call('file.upload', { uploadId: 1, offset: 0, data: 'not base64!' })).toMatchObject({ ok: false, error: { code: 'EINVAL', message: 'payload.data: not base64' } })
    await ok('file.upload', { uploadId: 1, offset: 0, data: 'AAAA' })
    expect(await call('file.upload', { uploadId: 1, offset: 10, data: 'AAAA' })).toMatchObject({ ok: false, error: { message: 'payload.offset: expected 3 (the bytes received so far), got 10' } })
    expect(await call('file.open', { uploadId: 1, name: 'zeros.snapscope' })).toMatchObject({
      ok: false,
      error: { code: 'EBADFILE', message: 'zeros.snapscope: not a Snapscope file (gzip header missing, and not JSON)' }
    })
    expect(await call('file.open', { uploadId: 1, name: 'again' })).toMatchObject({ ok: false, error: { code: 'ENOENT' } })
    expect(await call('file.open', { uploadId: 9, name: 'x', path: '/etc/passwd' })).toMatchObject({ ok: false, error: { code: 'EINVAL', message: 'payload.path: unknown field' } })
    await upload(3, (await encodeFile(before)).subarray(0, 50))
    expect(await call('file.open', { uploadId: 3, name: 'cut.snapscope' })).toMatchObject({ ok: false, error: { message: 'cut.snapscope: truncated (the compressed data ends early)' } })
    // Past the upload limit: refused, and the upload forgotten.
    const big = Buffer.alloc(MAX_UPLOAD_CHUNK, 65).toString('base64').slice(0, MAX_UPLOAD_CHUNK)
    let offset = 0
    let last: ResponseEnvelope | undefined
    while (offset <= MAX_UPLOAD_BYTES) {
      last = await call('file.upload', { uploadId: 4, offset, data: big })
      if (!last.ok) break
      offset = (last.result as { received: number }).received
    }
    expect(last).toMatchObject({ ok: false, error: { code: 'EFBIG' } })
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
