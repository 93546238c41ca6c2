// @vitest-environment node
// Node 20 has no global WebSocket: the client gets the `ws` package's, against a real server.
import type { AddressInfo } from 'node:net'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { WebSocket, WebSocketServer, type WebSocket as ServerSocket } from 'ws'
import { delta } from '../test/fixtures'
import type { ProcessDelta } from '../../../src-common/contract/contract'
import { ApiError } from './connectedApi'
import { DISCONNECTED, createWebSocketApi, type WebSocketApi, type WebSocketConstructor } from './webSocketApi'

const TOKEN = 'secret-token'
let wss: WebSocketServer
let url: string
let serverSide: ServerSocket | null
let received: { id: number; channel: string; payload: unknown; cancel?: number; unsubscribe?: number }[]
const clients: WebSocketApi[] = []

beforeEach(async () => {
  received = []
  serverSide = null
  wss = new WebSocketServer({
    host: '127.0.0.1',
    port: 0,
    path: '/ws',
    verifyClient: ({ req }: { req: { url?: string } }) => new URL(req.url ?? '/', 'http://x').searchParams.get('token') === TOKEN
  })
  wss.on('connection', (socket) => {
    serverSide = socket
    socket.on('message', (data) => {
      const request = JSON.parse(data.toString())
      received.push(request)
      const reply = (body: object) => socket.send(JSON.stringify({ id: request.id, ...body }))
      switch (request.channel) {
        case 'app.hello':
          reply({ ok: true, result: { version: '1', mode: 'browser', host: { os: 'linux', hostname: 'h', arch: 'x64', backend: 'procfs' } } })
          break
        case 'processes.watch':
          reply({ ok: true, result: { intervalMs: request.payload.intervalMs } })
          socket.send(JSON.stringify({ sub: request.id, event: 'processes.delta', payload: delta({ seq: 1, reset: true }) }))
          break
        case 'snapshot.take':
          reply({ ok: false, error: { code: 'EACCES', message: 'pid 1: permission denied' } })
          break
        // heap.close: never answered, to see pending calls rejected on close
      }
    })
  })
  await new Promise((ok) => wss.once('listening', ok))
  url = `ws://127.0.0.1:${(wss.address() as AddressInfo).port}/ws?token=${TOKEN}`
})

afterEach(async () => {
  for (const client of clients.splice(0)) client.close()
  await new Promise((ok) => wss.close(ok))
})

function connect(to = url) {
  const client = createWebSocketApi(to, WebSocket as unknown as WebSocketConstructor)
  clients.push(client)
  return client
}

const stateReached = (client: WebSocketApi, state: string) =>
  new Promise<void>((ok) => {
    if (client.connectionState() === state) return ok()
    const off = client.onConnectionChange((s) => {
      if (s === state) {
        off()
        ok()
      }
    })
  })

describe('createWebSocketApi', () => {
  it('sends requests made before the socket opens, and matches answers by id', async () => {
    const client = connect()
    expect(client.connectionState()).toBe('connecting')
    const [hello, watch] = await Promise.all([
      client.invoke('app.hello', {}),
      client.invoke('processes.watch', { intervalMs: 1000 })
    ])
    expect(client.connectionState()).toBe('connected')
    expect(hello.host.backend).toBe('procfs')
    expect(watch).toEqual({ intervalMs: 1000 })
    expect(received.map((r) => [r.id, r.channel])).toEqual([
      [1, 'app.hello'],
      [2, 'processes.watch']
    ])
    expect(received[1].payload).toEqual({ intervalMs: 1000 })
  })

  it('delivers the events addressed to a subscription until it unsubscribes, and tells the host', async () => {
    const client = connect()
    const deltas: ProcessDelta[] = []
    const errors: unknown[] = []
    const subscription = new AbortController()
    await client.invoke('processes.watch', { intervalMs: 500 }, {
      signal: subscription.signal,
      onEvent: (e) => (e.event === 'processes.delta' ? deltas.push(e.payload) : errors.push(e.payload))
    })
    await expect.poll(() => deltas.length).toBe(1)
    expect(deltas[0].reset).toBe(true)
    const sub = received[0].id
    serverSide!.send(JSON.stringify({ sub, event: 'processes.error', payload: { code: 'EIO', message: 'x' } }))
    // an event addressed to another request is not this subscription's
    serverSide!.send(JSON.stringify({ sub: sub + 100, event: 'processes.error', payload: { code: 'EOTHER', message: 'y' } }))
    await expect.poll(() => errors).toEqual([{ code: 'EIO', message: 'x' }])
    subscription.abort()
    await expect.poll(() => received.at(-1)).toEqual({ unsubscribe: sub })
    serverSide!.send(JSON.stringify({ sub, event: 'processes.delta', payload: delta({ seq: 2 }) }))
    await client.invoke('app.hello', {}) // the late delta has arrived by now
    expect(deltas).toHaveLength(1)
  })

  it('cancels a pending request by its id: the host answers it', async () => {
    const client = connect()
    const cancel = new AbortController()
    const pending = client.invoke('heap.close', { viewId: 1 }, { signal: cancel.signal })
    await expect.poll(() => received.length).toBe(1)
    cancel.abort()
    await expect.poll(() => received.at(-1)).toEqual({ cancel: received[0].id })
    serverSide!.send(JSON.stringify({ id: received[0].id, ok: false, error: { code: 'ECANCELED', message: 'cancelled' } }))
    await expect(pending).rejects.toMatchObject({ code: 'ECANCELED' })
  })
  it('rejects with an Error carrying the code when the answer is ok:false', async () => {
    const client = connect()
    const error = await client.invoke('snapshot.take', { include: ['process'], pid: null }).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(ApiError)
    expect(error).toMatchObject({ code: 'EACCES', message: 'pid 1: permission denied' })
  })

  it('ignores frames that are not JSON or answer nothing pending', async () => {
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {})
    const client = connect()
    await client.invoke('app.hello', {})
    serverSide!.send('not json')
    serverSide!.send(JSON.stringify({ id: 999, ok: true, result: 1 }))
    await expect(client.invoke('app.hello', {})).resolves.toMatchObject({ mode: 'browser' })
    expect(warn).toHaveBeenCalledOnce()
    warn.mockRestore()
  })

  it('rejects pending requests and reports disconnected when the socket closes', async () => {
    const client = connect()
    await client.invoke('app.hello', {})
    const pending = client.invoke('heap.close', { viewId: 1 })
    await expect.poll(() => received.length).toBe(2)
    const disconnected = stateReached(client, 'disconnected')
    serverSide!.close()
    await disconnected
    await expect(pending).rejects.toMatchObject({ code: DISCONNECTED })
    await expect(client.invoke('app.hello', {})).rejects.toMatchObject({ code: DISCONNECTED })
  })

  it('passes on the reason the host gives for closing', async () => {
    const client = connect()
    await client.invoke('app.hello', {})
    const pending = client.invoke('heap.close', { viewId: 1 })
    await expect.poll(() => received.length).toBe(2)
    serverSide!.close(1008, 'more than 16 MiB of answers unread: reload the page')
    await expect(pending).rejects.toMatchObject({ code: DISCONNECTED, message: expect.stringMatching(/closed the connection: more than 16 MiB/) })
    await expect(client.invoke('app.hello', {})).rejects.toMatchObject({ message: expect.stringMatching(/16 MiB/) })
  })

  it('reports disconnected when the host refuses the token', async () => {
    const client = connect(url.replace(TOKEN, 'wrong'))
    const call = client.invoke('app.hello', {})
    await stateReached(client, 'disconnected')
    await expect(call).rejects.toMatchObject({ code: DISCONNECTED })
    expect(received).toEqual([])
  })
})
