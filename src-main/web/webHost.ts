// Browser mode: serves the built renderer on loopback and carries the IPC contract over a WebSocket.
// The socket requires the per-run token (or the session cookie the page gets for it) and refuses
// pages from any other origin and requests naming any other host (DNS rebinding); every frame is
// validated by the same contract as Electron IPC before it reaches the core. Connections without the
// token are short-lived and capped (connections.ts); a client that stops reading is disconnected.

import { randomBytes, timingSafeEqual } from 'node:crypto'
import { createReadStream } from 'node:fs'
import { stat } from 'node:fs/promises'
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import { extname, resolve, sep } from 'node:path'
import { WebSocketServer, type WebSocket } from 'ws'
import { MAX_MESSAGE_BYTES, type HostMessage } from '../../src-common/contract/contract'
import { decodeBinary, encodeHostMessage } from '../../src-common/contract/wire'
import { decodeFrame } from './frames'
import { ProcessHub } from '../core/processHub'
import { Session, type SessionDeps } from '../core/session'
import { DEFAULT_LIMITS, limitConnections, type ConnectionLimits } from './connections'
import { toErrorPayload } from '../../src-common/contract/errors'

export interface WebHostOptions {
  port?: number
  rendererDir: string
  deps: Omit<SessionDeps, 'mode'>
  token?: string
  limits?: Partial<ConnectionLimits>
  /** where refusals and disconnections are reported (stderr by default) */
  log?: (line: string) => void
}

export interface WebHost {
  url: string
  port: number
  token: string
  server: Server
  close(): Promise<void>
}

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.json': 'application/json',
  '.woff2': 'font/woff2'
}

const SECURITY_HEADERS = {
  'content-security-policy':
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; connect-src 'self'; frame-ancestors 'none'",
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  'cache-control': 'no-store'
}

/** Answers a client leaves unread (bytes queued on its socket) before it is disconnected. */
export const MAX_UNREAD_BYTES = 16 << 20

/** Resolves a URL path inside root, or null when it would escape it. */
export function resolveStatic(root: string, urlPath: string): string | null {
  let decoded: string
  try {
    decoded = decodeURIComponent(urlPath)
  } catch {
    return null
  }
  if (decoded.includes('\0')) return null
  const file = resolve(root, '.' + (decoded === '/' ? '/index.html' : decoded))
  return file === root || file.startsWith(root + sep) ? file : null
}

function tokenMatches(expected: string, given: string | null | undefined): boolean {
  if (!given) return false
  const a = Buffer.from(expected)
  const b = Buffer.from(given)
  return a.length === b.length && timingSafeEqual(a, b)
}

function cookie(req: IncomingMessage, name: string): string | undefined {
  for (const part of (req.headers.cookie ?? '').split(';')) {
    const eq = part.indexOf('=')
    if (eq > 0 && part.slice(0, eq).trim() === name) return part.slice(eq + 1).trim()
  }
  return undefined
}

export async function startWebHost(options: WebHostOptions): Promise<WebHost> {
  const token = options.token ?? randomBytes(24).toString('base64url')
  // What the page holds instead of the token once loaded: an HttpOnly cookie, out of the address bar.
  const sessionSecret = randomBytes(24).toString('base64url')
  const root = resolve(options.rendererDir)
  const log = options.log ?? ((line: string) => console.error(line))
  let port = 0
  // Cookies are not told apart by port: the name keeps two hosts' sessions apart.
  const cookieName = (): string => `snapscope_session_${port}`
  const hosts = (): string[] => [`127.0.0.1:${port}`, `localhost:${port}`, `[::1]:${port}`]
  const hostAllowed = (req: IncomingMessage): boolean => hosts().includes((req.headers.host ?? '').toLowerCase())

  const serveFile = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    if (!hostAllowed(req)) {
      res.writeHead(403, { ...SECURITY_HEADERS, 'content-type': 'text/plain' }).end(`this server answers for ${hosts().join(', ')} only`)
      return
    }
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, SECURITY_HEADERS).end()
      return
    }
    const url = new URL(req.url ?? '/', 'http://x')
    if (url.pathname === '/' && tokenMatches(token, url.searchParams.get('token'))) {
      res
        .writeHead(303, {
          ...SECURITY_HEADERS,
          'set-cookie': `${cookieName()}=${sessionSecret}; HttpOnly; SameSite=Strict; Path=/`,
          location: '/'
        })
        .end()
      return
    }
    const file = resolveStatic(root, url.pathname)
    const info = file ? await stat(file).catch(() => null) : null
    if (!file || !info?.isFile()) {
      res.writeHead(404, { ...SECURITY_HEADERS, 'content-type': 'text/plain' }).end('not found')
      return
    }
    res.writeHead(200, { ...SECURITY_HEADERS, 'content-type': CONTENT_TYPES[extname(file)] ?? 'application/octet-stream' })
    if (req.method === 'HEAD') res.end()
    else createReadStream(file).pipe(res)
  }

  // After the first request (connections.ts times that one), slow senders are cut off too.
  const server = createServer({ headersTimeout: 5_000, requestTimeout: 10_000, connectionsCheckingInterval: 1_000 }, (req, res) => {
    serveFile(req, res).catch(() => {
      if (!res.headersSent) res.writeHead(500).end()
    })
  })
  const limiter = limitConnections(server, { ...DEFAULT_LIMITS, ...options.limits }, log)

  const allowedOrigins = (): string[] => [`http://127.0.0.1:${port}`, `http://localhost:${port}`]
  const wss = new WebSocketServer({
    server,
    path: '/ws',
    // Frames up to this many bytes get a contract error back; beyond it the socket is closed (1009).
    // A binary piece of an upload (UPLOAD_PIECE_BYTES and its header) fits.
    maxPayload: 16 * MAX_MESSAGE_BYTES,
    // One message per turn of the event loop: a burst of pipelined requests cannot compute (and hold)
    // hundreds of answers before the first is sent and the unread limit below is checked.
    allowSynchronousEvents: false,
    verifyClient: ({ origin, req }: { origin: string; req: IncomingMessage }, done: (ok: boolean, code?: number) => void) => {
      if (!hostAllowed(req)) return done(false, 403)
      const given = new URL(req.url ?? '/', 'http://x').searchParams.get('token')
      const authenticated = tokenMatches(token, given) || tokenMatches(sessionSecret, cookie(req, cookieName()))
      // Non-browser clients send no Origin; a browser page from anywhere else does, and is refused.
      done(authenticated && (!origin || allowedOrigins().includes(origin)), 401)
    }
  })

  // Every tab shares one process list: one snapshot per interval however many are open.
  const processes = options.deps.processes ?? new ProcessHub(options.deps.addon)

  wss.on('connection', (ws: WebSocket, req: IncomingMessage) => {
    limiter.authenticated(req.socket)
    let ended = false
    const send = (msg: HostMessage): void => {
      if (ended || ws.readyState !== ws.OPEN) return
      // A client that does not read would otherwise pile its answers up in the host's memory.
      if (ws.bufferedAmount > MAX_UNREAD_BYTES) {
        log(`snapscope: disconnecting a client that left ${(ws.bufferedAmount / 2 ** 20).toFixed(0)} MiB of answers unread (the limit is ${MAX_UNREAD_BYTES >> 20} MiB)`)
        end()
        ws.close(1008, `more than ${MAX_UNREAD_BYTES >> 20} MiB of answers unread: reload the page`)
        return
      }
      // Bytes in an answer (downloads) go first as binary frames; its JSON names them by index.
      const { binary, text } = encodeHostMessage(msg)
      for (const frame of binary) ws.send(frame)
      ws.send(text)
    }
    const session = new Session({ ...options.deps, processes, mode: 'browser' }, send)
    const end = (): void => {
      if (ended) return
      ended = true
      session.close()
    }
    ws.on('message', (data, isBinary) => {
      if (ended) return
      let raw: unknown
      try {
        // A binary frame is a piece of an upload's body (wire.ts); a text frame a JSON message.
        raw = isBinary ? decodeBinary(data as Buffer) : decodeFrame(data.toString())
      } catch (err) {
        send({ id: -1, ok: false, error: toErrorPayload(err) })
        return
      }
      session.receive(raw)
    })
    ws.on('close', end)
    ws.on('error', end)
  })

  await new Promise<void>((ok, fail) => {
    server.once('error', fail)
    server.listen(options.port ?? 0, '127.0.0.1', () => ok())
  })
  port = (server.address() as AddressInfo).port

  return {
    url: `http://127.0.0.1:${port}/?token=${token}`,
    port,
    token,
    server,
    close: () =>
      new Promise<void>((ok) => {
        for (const c of wss.clients) c.terminate()
        wss.close()
        server.close(() => ok())
        server.closeAllConnections()
      })
  }
}
