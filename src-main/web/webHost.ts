// Browser mode: serves the built renderer on loopback and carries the IPC contract over a WebSocket.
// The socket requires the per-run token and refuses pages from any other origin; every frame is
// validated by the same contract as Electron IPC before it reaches the core.

import { randomBytes, timingSafeEqual } from 'node:crypto'
import { createReadStream } from 'node:fs'
import { stat } from 'node:fs/promises'
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import { extname, join, resolve, sep } from 'node:path'
import { WebSocketServer, type WebSocket } from 'ws'
import { MAX_MESSAGE_BYTES, decodeFrame, type EventEnvelope } from '../ipc/contract'
import { ProcessHub } from '../core/processHub'
import { Session, errorBody, type SessionDeps } from '../core/session'

export interface WebHostOptions {
  port?: number
  rendererDir: string
  deps: Omit<SessionDeps, 'mode'>
  token?: string
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

function tokenMatches(expected: string, given: string | null): boolean {
  if (!given) return false
  const a = Buffer.from(expected)
  const b = Buffer.from(given)
  return a.length === b.length && timingSafeEqual(a, b)
}

export async function startWebHost(options: WebHostOptions): Promise<WebHost> {
  const token = options.token ?? randomBytes(24).toString('base64url')
  const root = resolve(options.rendererDir)
  let port = 0

  const serveFile = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, SECURITY_HEADERS).end()
      return
    }
    const file = resolveStatic(root, new URL(req.url ?? '/', 'http://x').pathname)
    const info = file ? await stat(file).catch(() => null) : null
    if (!file || !info?.isFile()) {
      res.writeHead(404, { ...SECURITY_HEADERS, 'content-type': 'text/plain' }).end('not found')
      return
    }
    res.writeHead(200, { ...SECURITY_HEADERS, 'content-type': CONTENT_TYPES[extname(file)] ?? 'application/octet-stream' })
    if (req.method === 'HEAD') res.end()
    else createReadStream(file).pipe(res)
  }

  const server = createServer((req, res) => {
    serveFile(req, res).catch(() => {
      if (!res.headersSent) res.writeHead(500).end()
    })
  })

  const allowedOrigins = (): string[] => [`http://127.0.0.1:${port}`, `http://localhost:${port}`]
  const wss = new WebSocketServer({
    server,
    path: '/ws',
    // Frames up to this size get a contract error back; beyond it the socket is closed (1009).
    maxPayload: 16 * MAX_MESSAGE_BYTES,
    verifyClient: ({ origin, req }: { origin: string; req: IncomingMessage }) => {
      const given = new URL(req.url ?? '/', 'http://x').searchParams.get('token')
      // Non-browser clients send no Origin; a browser page from anywhere else does, and is refused.
      return tokenMatches(token, given) && (!origin || allowedOrigins().includes(origin))
    }
  })

  // Every tab shares one process list: one snapshot per interval however many are open.
  const processes = options.deps.processes ?? new ProcessHub(options.deps.addon)

  wss.on('connection', (ws: WebSocket) => {
    const send = (msg: unknown): void => {
      if (ws.readyState === ws.OPEN) ws.send(JSON.stringify(msg))
    }
    const session = new Session({ ...options.deps, processes, mode: 'browser' }, (event, payload) =>
      send({ event, payload } satisfies EventEnvelope)
    )
    ws.on('message', (data, isBinary) => {
      if (isBinary) {
        send({ id: -1, ok: false, error: { code: 'EINVAL', message: 'message: binary frames are not part of the contract' } })
        return
      }
      let raw: unknown
      try {
        raw = decodeFrame(data.toString())
      } catch (err) {
        send({ id: -1, ok: false, error: errorBody(err) })
        return
      }
      void session.handle(raw).then(send)
    })
    ws.on('close', () => session.close())
    ws.on('error', () => session.close())
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

export const rendererDirFrom = (outMainDir: string): string => join(outMainDir, '..', 'renderer')
