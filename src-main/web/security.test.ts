// Browser mode under attack, through a real web host (startWebHost) and real WebSockets:
//   - every channel fuzzed over the socket (test-support/fuzzCases.ts): every frame gets exactly one answer,
//     malformed ones EINVAL, nothing ends in EINTERNAL (an exception the contract should have
//     prevented), the connection and the server stay up, and closing the socket gives back every fd
//     and thread the session used;
//   - oversized frames: refused with EINVAL up to the socket's limit, the socket closed (1009) above it;
//   - connections without the token, with a near-miss token, or from another origin refused (401), on
//     top of what webHost.test.ts checks;
//   - path traversal: static files under more encodings, and the file / report channels, which take
//     names from the renderer: no such name ever reaches a file system call or a child process;
//   - exhaustion: idle and slow connections without the token are closed after a few seconds and
//     capped per local user (another user, `nobody`, holds 300 of them while a real client works);
//     a client that pipelines 20,000 requests and never reads is disconnected and the host's memory
//     (measured in a `snapscope serve` child) stays bounded;
//   - DNS rebinding: any Host but the loopback names of the port refused (403); frame limits in bytes.
import childProcess from 'node:child_process'
import fs from 'node:fs'
import { syncBuiltinESMExports } from 'node:module'
import { request } from 'node:http'
import os from 'node:os'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import WebSocket from 'ws'
import { loadAddon } from '../../native/index'
import { startFixture, type RunningFixture } from '../../native/test/fixtures'
import { serve, SOURCE_CLI } from '../../e2e/browser/serve'
import { CHANNELS, MAX_MESSAGE_BYTES, type ResponseEnvelope } from '../../src-common/contract/contract'
import { decodeBinary, decodeHostMessage, encodeBinary } from '../../src-common/contract/wire'
import { pieces } from '../../test-support/pieces'
import { casesFor, modelOf, type Json } from '../../test-support/fuzzCases'
import { DEFAULT_LIMITS } from './connections'
import { MAX_UNREAD_BYTES, startWebHost, type WebHost } from './webHost'

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms))
// Above any pid_max (2^22): no process can have it.
const MISSING_PID = 0x7ffffff0

let host: WebHost
let fixture: RunningFixture<{ pid: number }>
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'snapscope-security-'))
fs.mkdirSync(path.join(dir, 'renderer'))
fs.writeFileSync(path.join(dir, 'renderer', 'index.html'), '<!doctype html><title>t</title>')
fs.writeFileSync(path.join(dir, 'secret.txt'), 'secret')

beforeAll(async () => {
  host = await startWebHost({ port: 0, rendererDir: path.join(dir, 'renderer'), deps: { addon: loadAddon(), version: 'test' } })
  fixture = await startFixture<{ pid: number }>('heap_fixture')
})
afterAll(async () => {
  await host?.close()
  await fixture?.stop()
  fs.rmSync(dir, { recursive: true, force: true })
})

interface Socket {
  ws: WebSocket
  frames: Record<string, unknown>[]
  closed: Promise<{ code: number }>
}

function connect(query: string, headers: Record<string, string> = {}, pathname = '/ws', port = host.port): Promise<Socket> {
  return new Promise((ok, fail) => {
    const ws = new WebSocket(`ws://127.0.0.1:${port}${pathname}${query}`, { headers })
    const frames: Record<string, unknown>[] = []
    const closed = new Promise<{ code: number }>((resolve) => ws.once('close', (code) => resolve({ code })))
    // Binary frames are the bytes of the answer that follows them (wire.ts).
    let attachments: Uint8Array[] = []
    ws.on('message', (d, isBinary) => {
      if (isBinary) return void attachments.push(decodeBinary(d as Buffer).bytes)
      frames.push(decodeHostMessage(d.toString(), attachments) as Record<string, unknown>)
      attachments = []
    })
    ws.once('open', () => ok({ ws, frames, closed }))
    ws.once('unexpected-response', (_req, res) => fail(new Error(`refused ${res.statusCode}`)))
    ws.once('error', fail)
  })
}

const answers = (s: Socket) => s.frames.filter((f) => 'ok' in f) as unknown as ResponseEnvelope[]
async function waitAnswers(s: Socket, n: number, ms = 90_000): Promise<ResponseEnvelope[]> {
  const deadline = Date.now() + ms
  while (answers(s).length < n) {
    if (Date.now() > deadline) throw new Error(`${answers(s).length} answers of ${n} after ${ms} ms`)
    await sleep(20)
  }
  return answers(s)
}
async function ask(s: Socket, id: number, channel: string, payload: unknown): Promise<ResponseEnvelope> {
  s.ws.send(JSON.stringify({ id, channel, payload }))
  const deadline = Date.now() + 120_000
  for (;;) {
    const found = answers(s).find((a) => a.id === id)
    if (found) return found
    if (Date.now() > deadline) throw new Error(`no answer to ${channel} #${id}`)
    await sleep(10)
  }
}

const fdCount = () => fs.readdirSync('/proc/self/fd').length
const threadCount = () => fs.readdirSync('/proc/self/task').length

describe('every channel fuzzed over the socket', () => {
  it('answers every frame once, never with EINTERNAL, stays up, and gives everything back on close', async () => {
    // Warm up what a session starts lazily (the thread pool, a watch, a walk), then take the baseline.
    const warm = await connect(`?token=${host.token}`)
    await ask(warm, 1, 'snapshot.take', {})
    await ask(warm, 2, 'heap.walk', { pid: fixture.info.pid, limit: 0 })
    const started = await ask(warm, 3, 'watch.start', { pid: fixture.info.pid })
    if (started.ok) await ask(warm, 4, 'watch.stop', { watchId: (started.result as { watchId: number }).watchId })
    warm.ws.close()
    await warm.closed
    await sleep(300)
    const fds = fdCount()
    const threads = threadCount()

    const s = await connect(`?token=${host.token}`)
    // Requests that would act on a real process act on the fixture (a few times) or on no process.
    const budget: Record<string, number> = { 'watch.start': 3, 'capture.start': 2, 'heap.open': 3, 'file.take': 2 }
    const safePids = (channel: string, node: unknown): void => {
      if (!node || typeof node !== 'object') return
      for (const [key, value] of Object.entries(node as Record<string, unknown>)) {
        if (key === 'pid' && Number.isInteger(value)) {
          const live = (budget[channel] ?? Infinity) > 0 && (value as number) % 3 === 0
          if (live && budget[channel] !== undefined) budget[channel]--
          ;(node as Record<string, unknown>)[key] = live ? fixture.info.pid : (value as number) % 3 === 1 ? MISSING_PID : 0
        } else safePids(channel, value)
      }
    }
    let sent = 0
    const perChannel = 120
    for (const channel of CHANNELS) {
      for (const c of casesFor(modelOf(channel), perChannel, 1000 + CHANNELS.indexOf(channel))) {
        const raw = c.raw as { channel?: unknown; payload?: Json }
        if (raw && typeof raw === 'object') safePids(String(raw.channel), raw.payload)
        s.ws.send(JSON.stringify(raw) ?? 'undefined')
        sent++
      }
      // Valid requests of every channel too, with fresh ids.
      s.ws.send(JSON.stringify({ id: 900_000 + sent, channel, payload: modelOf(channel).valid }))
      sent++
      if (sent % 500 < perChannel) await sleep(1) // let answers flow
    }
    const got = await waitAnswers(s, sent)
    expect(got.length).toBe(sent)
    const internal = got.filter((a) => !a.ok && a.error.code === 'EINTERNAL')
    expect(internal.map((a) => (a.ok ? '' : a.error.message)), 'answers with EINTERNAL: an exception got past the contract').toEqual([])
    const codes = new Map<string, number>()
    for (const a of got) {
      if (a.ok) continue
      expect(a.error.code).toMatch(/^E[A-Z0-9]+$/)
      expect(a.error.message.length).toBeGreaterThan(0)
      codes.set(a.error.code, (codes.get(a.error.code) ?? 0) + 1)
    }
    console.log(`socket fuzz: ${sent} frames, ${got.filter((a) => a.ok).length} ok; refused: ${[...codes].map(([c, n]) => `${c} ×${n}`).join(', ')}`)
    expect(s.ws.readyState).toBe(WebSocket.OPEN)
    expect((await ask(s, 999_999, 'app.hello', {})).ok).toBe(true)
    s.ws.close()
    await s.closed

    // A new connection works, and the closed session let go of everything it held.
    const after = await connect(`?token=${host.token}`)
    expect((await ask(after, 1, 'app.hello', {})).ok).toBe(true)
    after.ws.close()
    await after.closed
    await expect.poll(() => fdCount(), { timeout: 10_000, interval: 100 }).toBeLessThanOrEqual(fds)
    await expect.poll(() => threadCount(), { timeout: 10_000, interval: 100 }).toBeLessThanOrEqual(threads)
  }, 180_000)

  it('answers out-of-range values the native layer would refuse with EINVAL from the contract', async () => {
    const s = await connect(`?token=${host.token}`)
    const cases: [string, unknown][] = [
      ['watch.start', { pid: 0 }],
      ['heap.walk', { pid: fixture.info.pid, heapId: '' }],
      ['heap.open', { viewId: 1, pid: fixture.info.pid, heapId: '' }]
    ]
    let id = 0
    for (const [channel, payload] of cases) {
      const a = await ask(s, ++id, channel, payload)
      expect(a.ok, `${channel} ${JSON.stringify(payload)}`).toBe(false)
      if (!a.ok) expect(a.error.code, `${channel} ${JSON.stringify(payload)}: ${a.error.message}`).toBe('EINVAL')
    }
    s.ws.close()
  })
})

describe('oversized frames', () => {
  it('refuses a frame above the contract limit with EINVAL and keeps the connection', async () => {
    const s = await connect(`?token=${host.token}`)
    const big = JSON.stringify({ id: 5, channel: 'app.hello', payload: { x: 'y'.repeat(MAX_MESSAGE_BYTES) } })
    s.ws.send(big)
    s.ws.send('z'.repeat(15 * MAX_MESSAGE_BYTES)) // below the socket's limit, far above the contract's
    const [a, b] = await waitAnswers(s, 2)
    for (const r of [a, b]) {
      expect(r.ok).toBe(false)
      if (!r.ok) expect(r.error).toMatchObject({ code: 'EINVAL', message: expect.stringMatching(/larger than/) })
    }
    expect((await ask(s, 6, 'app.hello', {})).ok).toBe(true)
    s.ws.close()
  })

  it('closes a connection that sends more than the socket accepts (1009), and the server stays up', async () => {
    const s = await connect(`?token=${host.token}`)
    s.ws.send(Buffer.alloc(32 * MAX_MESSAGE_BYTES, 'a').toString())
    expect((await s.closed).code).toBe(1009)
    const again = await connect(`?token=${host.token}`)
    expect((await ask(again, 1, 'app.hello', {})).ok).toBe(true)
    again.ws.close()
  })

  it('serves many connections at once, each frame answered on its own connection', async () => {
    const sockets = await Promise.all(Array.from({ length: 30 }, () => connect(`?token=${host.token}`)))
    sockets.forEach((s, k) => {
      for (let i = 0; i < 40; i++) s.ws.send(i % 4 === 0 ? '{bad' : JSON.stringify({ id: k * 1000 + i, channel: 'app.hello', payload: {} }))
    })
    for (const [k, s] of sockets.entries()) {
      const got = await waitAnswers(s, 40)
      expect(got.filter((a) => a.ok).every((a) => Math.floor(a.id / 1000) === k)).toBe(true)
      expect(got.filter((a) => !a.ok)).toHaveLength(10)
      s.ws.close()
    }
  })
})

describe('who may connect', () => {
  const refused = async (query: string, headers: Record<string, string> = {}, pathname = '/ws') => {
    await expect(connect(query, headers, pathname), `${pathname}${query} ${JSON.stringify(headers)}`).rejects.toThrow(/refused|socket hang up|Unexpected server response|ECONNRESET/)
  }

  it('binds the loopback address only', () => {
    expect((host.server.address() as { address: string }).address).toBe('127.0.0.1')
  })

  it('refuses near-miss tokens and the token anywhere but the query (the session cookie holds another secret)', async () => {
    const t = host.token
    for (const q of [`?token=${t}x`, `?token=${t.slice(0, -1)}`, `?token=${t.toUpperCase() === t ? t.toLowerCase() : t.toUpperCase()}`, `?token=%20${t}`, `?Token=${t}`, `?token=`, `?token=bad&token=${t}`, `?token[]=${t}`])
      await refused(q)
    await refused('', { authorization: `Bearer ${t}` })
    await refused('', { cookie: `token=${t}` })
    await refused('', { 'sec-websocket-protocol': t })
  })

  it('refuses pages from any other origin, "null" included', async () => {
    const t = `?token=${host.token}`
    for (const origin of [
      'null',
      `http://127.0.0.1:${host.port + 1}`,
      `https://127.0.0.1:${host.port}`,
      `http://127.0.0.1:${host.port}.evil.example`,
      `http://evil.example:${host.port}`,
      `http://[::1]:${host.port}`,
      `http://127.0.0.2:${host.port}`,
      'file://'
    ])
      await refused(t, { origin })
    const ok = await connect(t, { origin: `http://localhost:${host.port}` })
    ok.ws.close()
  })

  it('upgrades nothing but /ws', async () => {
    const t = `?token=${host.token}`
    for (const p of ['/', '/ws/', '/wsx', '/index.html', '/WS', '/ws%2f']) await refused(t, {}, p)
  })
})

const get = (urlPath: string, method = 'GET', headers: Record<string, string> = {}): Promise<{ status: number; body: string }> =>
  new Promise((ok, fail) => {
    const req = request({ host: '127.0.0.1', port: host.port, path: urlPath, method, headers }, (res) => {
      let body = ''
      res.on('data', (d) => (body += d))
      res.on('end', () => ok({ status: res.statusCode ?? 0, body }))
    })
    req.on('error', fail)
    req.end()
  })

describe('path traversal', () => {
  it('never serves a file outside the renderer, whatever the encoding', async () => {
    for (const p of [
      '/%2e%2e/secret.txt',
      '/%252e%252e/secret.txt',
      '/..%5csecret.txt',
      '/%5c..%5csecret.txt',
      '/.%2e/secret.txt',
      '/%2e%2e%2fsecret.txt',
      '/index.html/../../secret.txt',
      '/./../secret.txt',
      '//..//secret.txt',
      `/${path.join(dir, 'secret.txt')}`,
      `/..${'/..'.repeat(20)}${path.join(dir, 'secret.txt')}`,
      '/%c0%ae%c0%ae/secret.txt',
      '/%ef%bc%8e%ef%bc%8e/secret.txt',
      '/secret.txt%00.html',
      '/%'
    ]) {
      const r = await get(p)
      expect(r.status, p).toBe(404)
      expect(r.body, p).not.toContain('secret')
    }
    for (const method of ['POST', 'PUT', 'DELETE']) expect((await get('/index.html', method)).status, method).toBe(405)
  })

  it('no name the renderer gives to the file and report channels reaches the file system or a child process', async () => {
    // Record every path handed to fs and every argument handed to child_process while the channels run.
    const marker = `traversal-${process.pid}-${Date.now()}`
    const seen: string[] = []
    const record = (args: unknown[]) => {
      for (const a of args.flat()) if (typeof a === 'string' || a instanceof URL || Buffer.isBuffer(a)) seen.push(String(a))
    }
    const restore: (() => void)[] = []
    // The paths of fs calls (the first argument; both for rename/copyFile/symlink), never their data.
    const pathArgs = (name: string) => (['rename', 'renameSync', 'copyFile', 'symlink'].includes(name) ? 2 : 1)
    const spy = (module: Record<string, unknown>, names: string[], count: (name: string) => number) => {
      for (const name of names) {
        const original = module[name]
        if (typeof original !== 'function') continue
        module[name] = function (this: unknown, ...args: unknown[]) {
          record(args.slice(0, count(name)))
          return (original as (...a: unknown[]) => unknown).apply(this, args)
        }
        restore.push(() => (module[name] = original))
      }
    }
    const fsNames = ['open', 'openSync', 'readFile', 'readFileSync', 'writeFile', 'writeFileSync', 'createReadStream', 'createWriteStream', 'mkdir', 'mkdirSync', 'mkdtemp', 'rename', 'renameSync', 'rm', 'rmSync', 'unlink', 'unlinkSync', 'stat', 'statSync', 'lstat', 'access', 'accessSync', 'copyFile', 'symlink', 'readdir', 'readdirSync', 'appendFile']
    spy(fs as unknown as Record<string, unknown>, fsNames, pathArgs)
    spy(fs.promises as unknown as Record<string, unknown>, fsNames, pathArgs)
    spy(childProcess as unknown as Record<string, unknown>, ['spawn', 'spawnSync', 'execFile', 'execFileSync', 'exec', 'execSync', 'fork'], () => 2)
    syncBuiltinESMExports()
    const names = [
      `../../../../../../../../tmp/${marker}/evil.snapscope`,
      `/tmp/${marker}.snapscope`,
      `..\\..\\${marker}.json`,
      `${marker}/../../../../etc/passwd`,
      `file:///tmp/${marker}`,
      `\u0000${marker}`
    ]
    const s = await connect(`?token=${host.token}`)
    const outcomes: string[] = []
    try {
      let id = 0
      const taken = await ask(s, ++id, 'file.take', { pid: fixture.info.pid })
      expect(taken.ok, JSON.stringify(taken)).toBe(true)
      const takenId = (taken as { result: { fileId: number } }).result.fileId
      const saved = await ask(s, ++id, 'file.save', { fileId: takenId })
      expect(saved.ok).toBe(true)
      const bytes = (saved as { result: { bytes: Uint8Array } }).result.bytes
      for (const [k, name] of names.entries()) {
        const uploadId = ++id
        const opening = ask(s, uploadId, 'file.upload', { name, size: bytes.length })
        for (const p of pieces(uploadId, bytes)) s.ws.send(encodeBinary(p.piece, p.index, p.bytes))
        const opened = await opening
        outcomes.push(`open ${JSON.stringify(name)}: ${opened.ok ? 'ok' : (opened as { error: { code: string } }).error.code}`)
        if (!opened.ok) continue
        const fileId = (opened as { result: { fileId: number; name: string } }).result.fileId
        expect((opened as { result: { name: string } }).result.name).not.toMatch(/[/\\\u0000]/) // a label, not a path
        const save = await ask(s, ++id, 'file.save', { fileId, redact: k % 2 === 0 })
        expect(save.ok).toBe(true)
        for (const format of k === 0 ? ['html', 'csv', 'json', 'pdf'] : ['html']) {
          const report = await ask(s, ++id, 'report.export', { a: { fileId }, b: { fileId: takenId }, format, table: marker })
          outcomes.push(`report ${format}: ${report.ok ? 'ok' : (report as { error: { code: string } }).error.code}`)
        }
        await ask(s, ++id, 'diff.run', { a: { fileId }, b: { fileId: takenId } })
        await ask(s, ++id, 'file.close', { fileId })
      }
    } finally {
      for (const undo of restore) undo()
      syncBuiltinESMExports()
      s.ws.close()
    }
    console.log(`file/report channels with hostile names: ${outcomes.join('; ')}`)
    expect(outcomes.some((o) => o.startsWith('open') && o.endsWith('ok'))).toBe(true)
    expect(seen.filter((p) => p.includes(marker))).toEqual([])
    expect(fs.existsSync(`/tmp/${marker}`) || fs.existsSync(`/tmp/${marker}.snapscope`)).toBe(false)
  }, 180_000)
})

// ---- exhaustion ----

const setpriv = ['/usr/bin/setpriv', '/bin/setpriv'].find((f) => fs.existsSync(f))
const canBeNobody = process.getuid?.() === 0 && setpriv !== undefined
if (!canBeNobody) console.warn('skipping the attack from another user: it needs root and setpriv (util-linux) to connect as nobody')

interface Attack {
  /** resolves once every socket is connected */
  connected: Promise<void>
  /** ms from the start to each socket's close, once all closed or the deadline passed */
  closes: Promise<number[]>
}

/**
 * Another process (as nobody, or as this user) opens `count` TCP connections to the port and never
 * sends a complete request: idle, or (slow) a request line and then a header byte every 300 ms.
 */
function attack(port: number, count: number, options: { slow?: boolean; asNobody?: boolean; deadlineMs: number }): Attack {
  const script = `
    const net = require('net'); const t0 = Date.now(); const closes = []; let open = 0
    const report = () => { console.log(JSON.stringify(closes)); process.exit(0) }
    for (let i = 0; i < ${count}; i++) {
      const s = net.connect(${port}, '127.0.0.1'); let timer
      s.on('error', () => {})
      s.on('connect', () => {
        if (++open === ${count}) console.log('connected')
        if (${options.slow === true}) { s.write('GET / HTTP/1.1\\r\\nX-Slow: '); timer = setInterval(() => s.write('x'), 300) }
      })
      s.on('close', () => { clearInterval(timer); closes.push(Date.now() - t0); if (closes.length === ${count}) report() })
    }
    setTimeout(report, ${options.deadlineMs})`
  const argv = [process.execPath, '-e', script]
  const [cmd, ...args] = options.asNobody ? [setpriv!, '--reuid=65534', '--regid=65534', '--clear-groups', ...argv] : argv
  const child = childProcess.spawn(cmd, args, { cwd: '/', stdio: ['ignore', 'pipe', 'inherit'] })
  let out = ''
  child.stdout.on('data', (d) => (out += d))
  const lines = () => out.split('\n').filter(Boolean)
  return {
    connected: new Promise((ok, fail) => {
      child.stdout.on('data', () => lines().includes('connected') && ok())
      child.once('exit', () => fail(new Error(`the attacker ended before connecting: ${out}`)))
    }),
    closes: new Promise((ok) => child.once('exit', () => ok(JSON.parse(lines().at(-1) ?? '[]') as number[])))
  }
}

describe('connections without the token', () => {
  const { firstRequestMs, perPeer } = DEFAULT_LIMITS

  it.skipIf(!canBeNobody)('another user\'s 300 idle connections: its first few closed after the timeout, the rest refused, a real client served meanwhile', async () => {
    const fds = fdCount()
    const a = attack(host.port, 300, { asNobody: true, deadlineMs: firstRequestMs + 8_000 })
    await a.connected
    // The host holds no more than the cap for that user, and serves its own user as usual.
    await expect.poll(() => fdCount(), { timeout: firstRequestMs / 2, interval: 50 }).toBeLessThanOrEqual(fds + perPeer + 10)
    const s = await connect(`?token=${host.token}`)
    expect((await ask(s, 1, 'app.hello', {})).ok).toBe(true)
    expect((await get('/')).status).toBe(200)
    const closes = await a.closes
    expect(closes, 'every connection closed by the host').toHaveLength(300)
    const held = closes.filter((ms) => ms >= firstRequestMs - 500)
    expect(held, 'connections held until the timeout: the per-user cap').toHaveLength(perPeer)
    expect((await ask(s, 2, 'app.hello', {})).ok).toBe(true)
    s.ws.close()
    await expect.poll(() => fdCount(), { timeout: 5_000, interval: 100 }).toBeLessThanOrEqual(fds + 2)
  }, 60_000)

  it('closes connections that send a request a byte at a time and never finish it', async () => {
    const closes = await attack(host.port, 20, { slow: true, deadlineMs: firstRequestMs + 8_000 }).closes
    expect(closes).toHaveLength(20)
    for (const ms of closes) expect(ms).toBeGreaterThanOrEqual(firstRequestMs - 500)
  }, 60_000)

  it('caps the connections of all users together; authenticated WebSockets do not count', async () => {
    const small = await startWebHost({ port: 0, rendererDir: path.join(dir, 'renderer'), deps: { addon: loadAddon(), version: 'test' }, limits: { total: 8 }, log: () => {} })
    try {
      const sockets = await Promise.all([1, 2, 3].map(() => connect(`?token=${small.token}`, {}, '/ws', small.port)))
      const closes = await attack(small.port, 12, { deadlineMs: firstRequestMs + 8_000 }).closes
      expect(closes).toHaveLength(12)
      expect(closes.filter((ms) => ms >= firstRequestMs - 500)).toHaveLength(8)
      for (const [k, s] of sockets.entries()) expect((await ask(s, k, 'app.hello', {})).ok).toBe(true)
      for (const s of sockets) s.ws.close()
    } finally {
      await small.close()
    }
  }, 60_000)
})

describe('a client that does not read', () => {
  const rssOf = (pid: number): number => Number(/VmRSS:\s+(\d+)/.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'))![1]) * 1024
  const cpuOf = (pid: number): number => {
    const f = fs.readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ')
    return Number(f[11]) + Number(f[12])
  }

  it('pipelining 20,000 requests for large answers without reading: disconnected, the host stays small', async () => {
    const fixture200k = await startFixture<{ pid: number }>('heap_fixture', ['--blocks', '200000'])
    const served = await serve(SOURCE_CLI)
    try {
      const pid = served.proc.pid!
      const s = await connect(`?token=${served.token}`, {}, '/ws', served.port)
      const walk = await ask(s, 1, 'heap.walk', { pid: fixture200k.info.pid, limit: 0 })
      const heaps = (walk as { result: { heaps: { heapId: string; summary: { blockCount: number } }[] } }).result.heaps
      const heapId = heaps.reduce((a, b) => (b.summary.blockCount > a.summary.blockCount ? b : a)).heapId
      expect((await ask(s, 2, 'heap.open', { viewId: 1, pid: fixture200k.info.pid, heapId })).ok).toBe(true)
      const base = rssOf(pid)

      // Each answer is ~150 KB: 20,000 of them would be 3 GB in the host.
      ;(s.ws as unknown as { _socket: { pause(): void; resume(): void } })._socket.pause()
      for (let i = 0; i < 20_000; i++) s.ws.send(JSON.stringify({ id: 10 + i, channel: 'heap.blocks', payload: { viewId: 1, offset: i, limit: 2000 } }))
      // Until the host disconnects the client (then at once: the host's close handshake waits 30 s for
      // a client that reads, which a loaded machine's idle wait could outlast), or is idle again (no CPU
      // for a second), or its memory passes the bound.
      const bound = 3 * MAX_UNREAD_BYTES + (64 << 20)
      const disconnected = () => /disconnecting a client that left \d+ MiB of answers unread/.test(served.stderr())
      let peak = base
      for (let cpu = -1, tick = 1, deadline = Date.now() + 120_000; Date.now() < deadline && !disconnected(); tick++) {
        await sleep(250)
        peak = Math.max(peak, rssOf(pid))
        if (peak - base > bound) break
        if (tick % 4) continue
        if (cpuOf(pid) === cpu) break
        cpu = cpuOf(pid)
      }
      peak = Math.max(peak, rssOf(pid))
      console.log(`unread answers: host RSS ${(base / 2 ** 20).toFixed(0)} MiB before, ${(peak / 2 ** 20).toFixed(0)} MiB at most`)
      expect(peak - base, 'growth of the host\'s RSS').toBeLessThan(bound)
      expect(served.stderr()).toMatch(/disconnecting a client that left \d+ MiB of answers unread/)

      // Reading again, the client gets what was sent, then the reason.
      ;(s.ws as unknown as { _socket: { resume(): void } })._socket.resume()
      expect((await s.closed).code).toBe(1008)
      expect(answers(s).length).toBeLessThan(1000)
      const again = await connect(`?token=${served.token}`, {}, '/ws', served.port)
      expect((await ask(again, 1, 'app.hello', {})).ok).toBe(true)
      again.ws.close()
    } finally {
      await served.stop()
      await fixture200k.stop()
    }
  }, 180_000)
})

describe('DNS rebinding and frame sizes', () => {
  it('answers only the loopback names of its port, over HTTP and WebSocket (403 otherwise)', async () => {
    for (const name of [`127.0.0.1:${host.port}`, `localhost:${host.port}`, `[::1]:${host.port}`, `LOCALHOST:${host.port}`])
      expect((await get('/', 'GET', { host: name })).status, name).toBe(200)
    for (const name of [`evil.example:${host.port}`, 'evil.example', `127.0.0.1:${host.port + 1}`, `127.0.0.1`, `localhost.evil.example:${host.port}`]) {
      const r = await get('/', 'GET', { host: name })
      expect(r.status, name).toBe(403)
      expect(r.body).not.toContain('<title>')
      await expect(connect(`?token=${host.token}`, { host: name }), name).rejects.toThrow(/refused 403/)
    }
  })

  it('counts a frame\'s limit in bytes: 63 Ki three-byte characters are refused', async () => {
    const s = await connect(`?token=${host.token}`)
    const text = JSON.stringify({ id: 1, channel: 'app.hello', payload: { x: '€'.repeat(63 * 1024) } })
    expect(text.length).toBeLessThan(MAX_MESSAGE_BYTES)
    s.ws.send(text)
    const [a] = await waitAnswers(s, 1)
    expect(a).toMatchObject({ ok: false, error: { code: 'EINVAL', message: expect.stringMatching(/larger than/) } })
    s.ws.close()
  })
})
