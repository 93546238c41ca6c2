import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { spawn, spawnSync } from 'node:child_process'
import { existsSync, mkdtempSync, mkdirSync, readFileSync, statSync, symlinkSync, writeFileSync } from 'node:fs'
import { request } from 'node:http'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import WebSocket from 'ws'
import { loadAddon } from '../../native/index'
import { MAX_UPLOAD_BYTES, UPLOAD_PIECE_BYTES, UPLOAD_WINDOW_BYTES, type HeapWalksDoc, type ProcessDelta, type ResponseEnvelope, type Snapshot, type WatchEnd } from '../../src-common/contract/contract'
import { decodeBinary, decodeHostMessage, encodeBinary } from '../../src-common/contract/wire'
import { fileOfTheLimit, pieces } from '../../test-support/pieces'
import { startFixture } from '../../native/test/fixtures'
import { serve, SOURCE_CLI } from '../../e2e/browser/serve'
import { startWebHost, type WebHost } from './webHost'

let host: WebHost
const dir = mkdtempSync(join(tmpdir(), 'snapscope-web-'))
mkdirSync(join(dir, 'renderer'))
writeFileSync(join(dir, 'renderer', 'index.html'), '<!doctype html><title>t</title>')
writeFileSync(join(dir, 'secret.txt'), 'secret')

beforeAll(async () => {
  host = await startWebHost({ port: 0, rendererDir: join(dir, 'renderer'), deps: { addon: loadAddon(), version: 'test' } })
})
afterAll(() => host.close())

const get = (path: string): Promise<{ status: number; body: string; headers: Record<string, unknown> }> =>
  new Promise((ok, fail) => {
    const req = request({ host: '127.0.0.1', port: host.port, path }, (res) => {
      let body = ''
      res.on('data', (d) => (body += d))
      res.on('end', () => ok({ status: res.statusCode ?? 0, body, headers: res.headers }))
    })
    req.on('error', fail)
    req.end()
  })

/** Opens a socket and collects every frame; resolves once open or rejects with the HTTP status of a refusal. */
function connect(query: string, headers: Record<string, string> = {}): Promise<{ ws: WebSocket; frames: unknown[] }> {
  return new Promise((ok, fail) => {
    const ws = new WebSocket(`ws://127.0.0.1:${host.port}/ws${query}`, { headers })
    const frames: unknown[] = []
    // Binary frames are the bytes of the answer that follows them (wire.ts).
    let attachments: Uint8Array[] = []
    ws.on('message', (d, isBinary) => {
      if (isBinary) return void attachments.push(decodeBinary(d as Buffer).bytes)
      frames.push(decodeHostMessage(d.toString(), attachments))
      attachments = []
    })
    ws.on('open', () => ok({ ws, frames }))
    ws.on('unexpected-response', (_req, res) => fail(new Error(`refused ${res.statusCode}`)))
    ws.on('error', fail)
  })
}

const until = async <T>(frames: unknown[], pick: (f: unknown) => T | undefined, ms = 10_000): Promise<T> => {
  const end = Date.now() + ms
  for (;;) {
    for (const f of frames) {
      const v = pick(f)
      if (v !== undefined) return v
    }
    if (Date.now() > end) throw new Error('timed out waiting for a frame')
    await new Promise((r) => setTimeout(r, 20))
  }
}
const reply = (id: number) => (f: unknown) => ((f as ResponseEnvelope).id === id ? (f as ResponseEnvelope) : undefined)

describe('static files', () => {
  it('serves the renderer with a CSP and never a file outside it', async () => {
    const index = await get('/')
    expect(index.status).toBe(200)
    expect(String(index.headers['content-security-policy'])).toContain("script-src 'self'")
    for (const path of ['/../secret.txt', '/%2e%2e/secret.txt', '/..%2fsecret.txt', '/%00', '/x/%2e%2e/%2e%2e/secret.txt']) {
      const r = await get(path)
      expect(r.status, path).toBe(404)
      expect(r.body).not.toContain('secret')
    }
  })
})

describe('the socket', () => {
  it('refuses a missing or wrong token and a foreign origin', async () => {
    await expect(connect('')).rejects.toThrow(/refused 401/)
    await expect(connect('?token=nope')).rejects.toThrow(/refused 401/)
    await expect(connect(`?token=${host.token}`, { origin: 'http://evil.example' })).rejects.toThrow(/refused 401/)
    const { ws } = await connect(`?token=${host.token}`, { origin: `http://127.0.0.1:${host.port}` })
    ws.close()
  })

  it('answers malformed frames with contract errors and keeps the connection usable', async () => {
    const { ws, frames } = await connect(`?token=${host.token}`)
    const sent = ['{bad json', '[]', JSON.stringify({ id: 7, channel: 'nope', payload: {} }), JSON.stringify({ id: 8, channel: 'snapshot.take', payload: { pid: 'x' } }), 'x'.repeat(100_000)]
    for (const s of sent) ws.send(s)
    ws.send(Buffer.from([1, 2, 3]), { binary: true })
    await until(frames, () => (frames.length >= 6 ? true : undefined))
    for (const f of frames.slice(0, 6)) expect((f as ResponseEnvelope).ok).toBe(false)
    expect(frames.map((f) => (f as { error: { code: string } }).error.code)).toEqual(Array(6).fill('EINVAL'))
    expect((frames[2] as { id: number; error: { message: string } }).error.message).toMatch(/unknown channel/)
    expect((frames[3] as { id: number }).id).toBe(8)
    ws.send(JSON.stringify({ id: 9, channel: 'app.hello', payload: {} }))
    const hello = await until(frames, reply(9))
    expect(hello.ok && (hello.result as { mode: string }).mode).toBe('browser')
    ws.close()
  })

  it('carries a real snapshot and a live process delta', async () => {
    const { ws, frames } = await connect(`?token=${host.token}`)
    ws.send(JSON.stringify({ id: 1, channel: 'snapshot.take', payload: { include: ['process', 'thread'] } }))
    const snap = await until(frames, reply(1))
    expect(snap.ok).toBe(true)
    const s = (snap as { result: Snapshot }).result
    expect(s.format).toBe('snapscope.snapshot/1')
    expect(s.processes.some((p) => p.pid === process.pid)).toBe(true)

    ws.send(JSON.stringify({ id: 2, channel: 'processes.watch', payload: { intervalMs: 200 } }))
    const first = await until(frames, (f) => ((f as { sub?: number; event?: string }).event === 'processes.delta' && (f as { sub: number }).sub === 2 ? ((f as { payload: ProcessDelta }).payload) : undefined))
    expect(first.reset).toBe(true)
    expect(first.added.some((p) => p.pid === process.pid)).toBe(true)
    const later = await until(frames, (f) => {
      const d = (f as { payload?: ProcessDelta }).payload
      return d && (f as { event?: string }).event === 'processes.delta' && d.seq > first.seq ? d : undefined
    })
    expect(later.reset).toBe(false)
    // Unsubscribed: the subscription's events stop (the host polls for nobody), and nothing answers the unsubscribe.
    ws.send(JSON.stringify({ unsubscribe: 2 }))
    ws.send(JSON.stringify({ id: 3, channel: 'app.hello', payload: {} }))
    await until(frames, reply(3))
    const count = frames.length
    await new Promise((r) => setTimeout(r, 700))
    expect(frames.slice(count)).toEqual([])
    ws.close()
  })
})

describe('heap walks and watches over the socket', () => {
  it('walks a fixture heap one page at a time, with progress events', async () => {
    // Big enough that the walk outlasts its first progress report.
    const fixture = await startFixture<{ pid: number; live: { ptr: string }[] }>('heap_fixture', ['--blocks', '2000000'])
    const { ws, frames } = await connect(`?token=${host.token}`)
    try {
      ws.send(JSON.stringify({ id: 1, channel: 'heap.walk', payload: { pid: fixture.info.pid, limit: 10 } }))
      const reply1 = await until(frames, reply(1))
      expect(reply1.ok).toBe(true)
      const doc = (reply1 as { result: HeapWalksDoc }).result
      expect(doc.format).toBe('snapscope.heapwalks/1')
      for (const heap of doc.heaps) {
        expect(heap.blocks.length).toBeLessThanOrEqual(10)
        expect(heap.summary.histogram.reduce((s, b) => s + b.count, 0)).toBe(heap.summary.blockCount)
      }
      // Progress is addressed to the request, and ends with its answer.
      const progress = frames.filter((f) => (f as { event?: string }).event === 'heap.progress') as { sub: number }[]
      expect(progress.length).toBeGreaterThan(0)
      expect(progress.every((p) => p.sub === 1)).toBe(true)
      expect(frames.indexOf(reply1)).toBeGreaterThan(frames.indexOf(progress.at(-1)!))

      // A cancel by the request's id stops a walk under way; a cancel of a request that is done is nothing.
      ws.send(JSON.stringify({ id: 2, channel: 'heap.walk', payload: { pid: fixture.info.pid, limit: 0 } }))
      await until(frames, (f) => ((f as { sub?: number }).sub === 2 ? f : undefined))
      ws.send(JSON.stringify({ cancel: 2 }))
      ws.send(JSON.stringify({ cancel: 1 }))
      expect(await until(frames, reply(2))).toMatchObject({ ok: false, error: { code: 'ECANCELED' } })
      const count = frames.length
      ws.send(JSON.stringify({ id: 3, channel: 'app.hello', payload: {} }))
      await until(frames, reply(3))
      expect(frames.slice(count)).toEqual([expect.objectContaining({ id: 3, ok: true })])
    } finally {
      ws.close()
      await fixture.stop()
    }
  })

  it('streams watch updates to the subscription and answers watch.stop with how it ended, not the document', async () => {
    const fixture = await startFixture<{ pid: number; pages: number }>('watch_toucher', ['--pages', '64', '--split', '64'])
    const { ws, frames } = await connect(`?token=${host.token}`)
    try {
      ws.send(JSON.stringify({ id: 1, channel: 'watch.start', payload: { pid: fixture.info.pid } }))
      const started = (await until(frames, reply(1))) as { ok: boolean; result: { watchId: number; mechanism: string } }
      expect(started.ok).toBe(true)
      process.kill(fixture.info.pid, 'SIGUSR1')
      const update = await until(frames, (f) => {
        const e = f as { sub?: number; event?: string; payload?: { total: number } }
        return e.sub === 1 && e.event === 'watch.update' && e.payload!.total >= 64 ? e.payload : undefined
      })
      expect(update!.total).toBeGreaterThanOrEqual(64)
      ws.send(JSON.stringify({ id: 2, channel: 'watch.stop', payload: { watchId: started.result.watchId } }))
      const stopped = (await until(frames, reply(2))) as { ok: boolean; result: WatchEnd }
      expect(stopped.ok).toBe(true)
      expect(Object.keys(stopped.result).sort()).toEqual(['durationMs', 'endReason', 'lost', 'total'])
      expect(stopped.result.endReason).toBe('stopped')
      expect(stopped.result.total).toBeGreaterThanOrEqual(update!.total)
      // The watch is over: so is its subscription.
      await until(frames, (f) => ((f as { sub?: number; end?: boolean }).sub === 1 && (f as { end?: boolean }).end ? f : undefined))
      ws.send(JSON.stringify({ id: 3, channel: 'watch.stop', payload: { watchId: started.result.watchId } }))
      expect(((await until(frames, reply(3))) as { error: { code: string } }).error.code).toBe('ENOENT')
    } finally {
      ws.close()
      await fixture.stop()
    }
  })

  it('answers a watch of a missing pid with ESRCH', async () => {
    const { ws, frames } = await connect(`?token=${host.token}`)
    ws.send(JSON.stringify({ id: 1, channel: 'watch.start', payload: { pid: 0x7ffffff0 } }))
    expect(((await until(frames, reply(1))) as { error: { code: string } }).error.code).toBe('ESRCH')
    ws.close()
  })
})

describe('files as bytes over the socket', () => {
  it('takes a 64 MiB upload as one request and its binary frames, within the window, and refuses a bad frame', async () => {
    const { ws, frames } = await connect(`?token=${host.token}`)
    try {
      const bytes = fileOfTheLimit()
      ws.send(JSON.stringify({ id: 1, channel: 'file.upload', payload: { name: 'big.json', size: bytes.length } }))
      // Sent as the renderer does: no further ahead of the host's file.progress than the window.
      const acked = () => Math.max(0, ...frames.map((f) => ((f as { sub?: number }).sub === 1 ? (f as { payload: { received: number } }).payload.received : 0)))
      let sent = 0
      for (const p of pieces(1, bytes)) {
        while (sent - acked() >= UPLOAD_WINDOW_BYTES) await new Promise((r) => setTimeout(r, 1))
        ws.send(encodeBinary(p.piece, p.index, p.bytes))
        sent += p.bytes.length
      }
      const opened = await until(frames, reply(1), 60_000)
      expect(opened, JSON.stringify(opened)).toMatchObject({ ok: true, result: { name: 'big.json', sizeBytes: MAX_UPLOAD_BYTES } })
      expect(acked()).toBe(MAX_UPLOAD_BYTES)

      // A piece out of order fails its upload, saying which was expected.
      ws.send(JSON.stringify({ id: 2, channel: 'file.upload', payload: { name: 'x.json', size: 2 * UPLOAD_PIECE_BYTES } }))
      ws.send(encodeBinary(2, 1, new Uint8Array(UPLOAD_PIECE_BYTES)))
      expect(await until(frames, reply(2))).toMatchObject({ ok: false, error: { code: 'EINVAL', message: 'piece: expected piece 0, got 1' } })
      // A frame without its header, a piece larger than a piece may be, a piece of no upload: refused, the socket stays.
      ws.send(new Uint8Array(3))
      ws.send(encodeBinary(3, 0, new Uint8Array(UPLOAD_PIECE_BYTES + 1)))
      ws.send(encodeBinary(2, 0, new Uint8Array(1)))
      const refusals = await until(frames, () => {
        const r = frames.filter((f) => (f as ResponseEnvelope).id === -1)
        return r.length === 3 ? r : undefined
      })
      expect(refusals.map((r) => (r as { error: { message: string } }).error.message)).toEqual([
        'message: a binary frame starts with an 8-byte header (request id, piece index), got 3 bytes',
        `bytes: a piece is at most ${UPLOAD_PIECE_BYTES} bytes, got ${UPLOAD_PIECE_BYTES + 1}`,
        'piece: request 2 is no upload in progress'
      ])
      // More than the limit is refused before a byte is sent.
      ws.send(JSON.stringify({ id: 4, channel: 'file.upload', payload: { name: 'huge.json', size: MAX_UPLOAD_BYTES + 1 } }))
      expect(await until(frames, reply(4))).toMatchObject({ ok: false, error: { code: 'EINVAL' } })

      // A download comes back as a binary frame, the answer naming it.
      const fileId = (opened as { result: { fileId: number } }).result.fileId
      ws.send(JSON.stringify({ id: 5, channel: 'file.save', payload: { fileId } }))
      const saved = (await until(frames, reply(5))) as { ok: true; result: { name: string; bytes: Uint8Array } }
      expect(saved.result.bytes).toBeInstanceOf(Uint8Array)
      expect([...saved.result.bytes.subarray(0, 2)]).toEqual([0x1f, 0x8b]) // gzip
    } finally {
      ws.close()
    }
  }, 120_000)
})

describe('the token: out of the address bar and out of logs', () => {
  const sessionCookie = async (): Promise<string> => {
    const r = await get(`/?token=${host.token}`)
    expect(r.status).toBe(303)
    expect(r.headers.location).toBe('/')
    expect(r.body).not.toContain(host.token)
    const [cookie] = r.headers['set-cookie'] as string[]
    expect(cookie).toMatch(new RegExp(`^snapscope_session_${host.port}=[\\w-]+; HttpOnly; SameSite=Strict; Path=/$`))
    expect(cookie).not.toContain(host.token)
    return cookie.split(';')[0]
  }

  it('answers the URL with the token by a session cookie and a redirect to /; the socket takes the cookie', async () => {
    const cookie = await sessionCookie()
    const { ws, frames } = await connect('', { cookie: `other=1; ${cookie}`, origin: `http://127.0.0.1:${host.port}` })
    ws.send(JSON.stringify({ id: 1, channel: 'app.hello', payload: {} }))
    expect((await until(frames, reply(1))).ok).toBe(true)
    ws.close()
    const value = cookie.split('=')[1]
    for (const bad of [`snapscope_session_${host.port}=${value}x`, `snapscope_session_${host.port + 1}=${value}`, `snapscope_session_${host.port}=${host.token}`])
      await expect(connect('', { cookie: bad }), bad).rejects.toThrow(/refused 401/)
    await expect(connect('', { cookie, origin: 'http://evil.example' })).rejects.toThrow(/refused 401/)
    // A wrong token gets the page (which then reports the refusal), never a cookie.
    const wrong = await get('/?token=wrong')
    expect(wrong.status).toBe(200)
    expect(wrong.headers['set-cookie']).toBeUndefined()
  })

  it('serve writes the URL to a new 0600 --url-file and prints no token when stdout is not a terminal', async () => {
    const served = await serve(SOURCE_CLI)
    try {
      expect(statSync(served.urlFile).mode & 0o777).toBe(0o600)
      expect(readFileSync(served.urlFile, 'utf8')).toBe(`http://127.0.0.1:${served.port}/?token=${served.token}\n`)
      expect(served.stdout()).toContain(`http://127.0.0.1:${served.port}/ (open the URL with its access token from ${served.urlFile})`)
      expect(served.stdout() + served.stderr()).not.toContain(served.token)
      // The file is never reused nor followed: an existing name, or a symlink planted there, is refused.
      const target = join(dir, 'planted-target')
      const link = join(dir, 'planted-link')
      symlinkSync(target, link)
      for (const path of [served.urlFile, link]) {
        const r = spawnSync(process.execPath, [...SOURCE_CLI, 'serve', '--port', '0', '--url-file', path], { encoding: 'utf8', timeout: 30_000 })
        expect(r.status, r.stderr).toBe(2)
        expect(r.stderr).toMatch(/--url-file: .* exists: name a file that does not exist yet/)
      }
      expect(existsSync(target)).toBe(false)
    } finally {
      await served.stop()
    }
    expect(existsSync(served.urlFile)).toBe(false)
  })

  const firstLine = (cmd: string, args: string[]): Promise<string> =>
    new Promise((ok, fail) => {
      const child = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'] })
      let out = ''
      child.stdout.on('data', (d) => {
        out += d
        // What follows the address: the rest of the line, then a moment for anything printed after it.
        if (/browser mode: [^\n]*\n/.test(out)) setTimeout(() => child.kill('SIGTERM'), 500)
      })
      const timer = setTimeout(() => child.kill('SIGKILL'), 20_000)
      child.once('exit', () => {
        clearTimeout(timer)
        if (out) ok(out)
        else fail(new Error(`${cmd} printed nothing`))
      })
    })

  it('prints the URL with its token once to a terminal, and without it to a pipe (saying how to get it)', async () => {
    const piped = await firstLine(process.execPath, [...SOURCE_CLI, 'serve', '--port', '0'])
    expect(piped).toMatch(/browser mode: http:\/\/127\.0\.0\.1:\d+\/ \(the access token is printed to a terminal only: run with --url-file PATH/)
    expect(piped).not.toContain('token=')
    // script(1) gives the host a terminal.
    const command = [process.execPath, ...SOURCE_CLI, 'serve', '--port', '0'].map((a) => `'${a}'`).join(' ')
    const tty = await firstLine('script', ['-qec', command, '/dev/null'])
    expect(tty).toMatch(/browser mode: http:\/\/127\.0\.0\.1:\d+\/\?token=[\w-]{32}\s/)
    expect(tty.match(/token=/g)).toHaveLength(1)
  })
})
