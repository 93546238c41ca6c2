// Connection limits of the web host. Every connection costs the host an fd, and fds are what heap
// walks and snapshots need too: a connection that has not sent a complete request within a few
// seconds is closed, and the connections without an authenticated WebSocket are capped per peer and
// in total. On loopback every peer is 127.0.0.1, so on Linux a peer is the user owning the other end
// (from /proc/net/tcp): another local user can crowd out only itself, never the host's own user.

import { readFile } from 'node:fs/promises'
import type { Server } from 'node:http'
import type { Socket } from 'node:net'
import { endianness } from 'node:os'

export interface ConnectionLimits {
  /** a connection that has sent no complete request (nor upgraded with the token) by then is closed */
  firstRequestMs: number
  /** connections one peer may hold besides its authenticated WebSockets */
  perPeer: number
  /** connections all peers together may hold besides authenticated WebSockets */
  total: number
}

export const DEFAULT_LIMITS: ConnectionLimits = { firstRequestMs: 5_000, perPeer: 64, total: 256 }

export interface ConnectionLimiter {
  /** the socket carries an authenticated WebSocket now: it no longer counts against the caps */
  authenticated(socket: Socket): void
}

export function limitConnections(server: Server, limits: ConnectionLimits, log: (line: string) => void): ConnectionLimiter {
  // Sockets that count against the caps, with their peer ('' until known) and first-request timer.
  const counted = new Map<Socket, { peer: string; timer?: NodeJS.Timeout }>()
  const perPeer = new Map<string, number>()
  const warned = new Set<string>()
  const release = (socket: Socket): void => {
    const entry = counted.get(socket)
    if (!entry) return
    counted.delete(socket)
    clearTimeout(entry.timer)
    if (counted.size < limits.total) warned.delete('')
    if (!entry.peer) return
    const left = perPeer.get(entry.peer)! - 1
    if (left > 0) perPeer.set(entry.peer, left)
    else perPeer.delete(entry.peer)
    if (left < limits.perPeer) warned.delete(entry.peer)
  }
  const refuse = (socket: Socket, peer: string, why: string): void => {
    if (!warned.has(peer)) log(`snapscope: refusing connections from ${peer || 'any peer'}: ${why}`)
    warned.add(peer)
    socket.destroy()
  }

  server.on('connection', (socket: Socket) => {
    if (counted.size >= limits.total) return refuse(socket, '', `${counted.size} open without an authenticated WebSocket (the limit)`)
    const timer = setTimeout(() => socket.destroy(), limits.firstRequestMs)
    counted.set(socket, { peer: '', timer })
    socket.once('close', () => release(socket))
    void peerOf(socket).then((peer) => {
      const entry = counted.get(socket)
      if (!entry || socket.destroyed) return
      const n = (perPeer.get(peer) ?? 0) + 1
      if (n > limits.perPeer) return refuse(socket, peer, `${n - 1} open without an authenticated WebSocket (the limit)`)
      perPeer.set(peer, n)
      entry.peer = peer
    })
  })
  // A complete request: from here on the HTTP server's own timeouts apply (keep-alive, headers).
  server.on('request', (req) => {
    const entry = counted.get(req.socket)
    if (entry) clearTimeout(entry.timer)
  })
  return {
    authenticated: release
  }
}

/** "uid N" on Linux (the owner of the other end of a loopback connection), the address elsewhere. */
function peerOf(socket: Socket): Promise<string> {
  const fallback = `address ${socket.remoteAddress}`
  if (process.platform !== 'linux' || socket.remoteFamily !== 'IPv4') return Promise.resolve(fallback)
  const key = `${procAddress(socket.remoteAddress!, socket.remotePort!)} ${procAddress(socket.localAddress!, socket.localPort!)}`
  return lookUpOwners(key).then((uid) => (uid === undefined ? fallback : `uid ${uid}`))
}

// /proc/net/tcp writes an IPv4 address as its 32-bit value in host byte order, in hex.
function procAddress(ip: string, port: number): string {
  const bytes = Buffer.from(ip.split('.').map(Number))
  const value = endianness() === 'LE' ? bytes.readUInt32LE(0) : bytes.readUInt32BE(0)
  return `${hex(value, 8)}:${hex(port, 4)}`
}
const hex = (n: number, digits: number): string => n.toString(16).toUpperCase().padStart(digits, '0')

// One read of /proc/net/tcp at a time answers every lookup queued before it began: a burst of
// connections costs a few reads of the table, not one each.
let queued = new Map<string, ((uid: string | undefined) => void)[]>()
let reading = false
function lookUpOwners(key: string): Promise<string | undefined> {
  return new Promise((resolve) => {
    queued.set(key, [...(queued.get(key) ?? []), resolve])
    if (!reading) void readOwners()
  })
}
async function readOwners(): Promise<void> {
  reading = true
  while (queued.size) {
    const batch = queued
    queued = new Map()
    const owners = new Map<string, string>()
    const table = await readFile('/proc/net/tcp', 'utf8').catch(() => '')
    // "sl local_address rem_address st tx:rx tr:when retrnsmt uid …"
    for (const line of table.split('\n').slice(1)) {
      const f = line.trim().split(/\s+/)
      if (f.length > 7) owners.set(`${f[1]} ${f[2]}`, f[7])
    }
    for (const [key, waiting] of batch) for (const resolve of waiting) resolve(owners.get(key))
  }
  reading = false
}
