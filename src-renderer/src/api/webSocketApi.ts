// Browser mode: the contract over one WebSocket. Request ids match answers to calls; events fan out
// to listeners. No reconnect: the host issues a per-run token, so after a restart the page must be
// reloaded with the new URL anyway — we show that instead of retrying.
import type { Channel, EventName, Events, Requests, Responses } from '../../../src-common/contract/contract'
import { UNCODED } from '../../../src-common/contract/errors'
import { ApiError, type ConnectedApi, type ConnectionState } from './connectedApi'

/** The part of the WHATWG WebSocket we use; the `ws` package's client satisfies it too (tests, node 20). */
export interface WebSocketLike {
  readonly readyState: number
  send(data: string): void
  close(): void
  onopen: ((event: unknown) => void) | null
  onclose: ((event: unknown) => void) | null
  onerror: ((event: unknown) => void) | null
  onmessage: ((event: { data: unknown }) => void) | null
}
export type WebSocketConstructor = new (url: string) => WebSocketLike

export interface WebSocketApi extends ConnectedApi {
  close(): void
}

export const DISCONNECTED = 'EDISCONNECTED'

interface Pending {
  resolve: (value: unknown) => void
  reject: (error: Error) => void
}

export function createWebSocketApi(
  url: string,
  WebSocketImpl: WebSocketConstructor = globalThis.WebSocket as unknown as WebSocketConstructor
): WebSocketApi {
  const socket = new WebSocketImpl(url)
  const pending = new Map<number, Pending>()
  // Calls made before the socket opens are sent on open, in order.
  const outbox: string[] = []
  const eventListeners = new Map<EventName, Set<(payload: never) => void>>()
  const stateListeners = new Set<(state: ConnectionState) => void>()
  let state: ConnectionState = 'connecting'
  let nextId = 1
  let closedMessage = 'the connection to the Snapscope host is closed'

  const setState = (next: ConnectionState) => {
    if (state === next) return
    state = next
    for (const listener of stateListeners) listener(next)
  }

  socket.onopen = () => {
    setState('connected')
    for (const frame of outbox.splice(0)) socket.send(frame)
  }
  socket.onclose = (event) => {
    // The host says why it closed, e.g. answers left unread past its limit.
    const reason = (event as { reason?: unknown } | null)?.reason
    if (typeof reason === 'string' && reason) closedMessage = `the Snapscope host closed the connection: ${reason}`
    setState('disconnected')
    outbox.length = 0
    const error = new ApiError(DISCONNECTED, closedMessage)
    for (const call of pending.values()) call.reject(error)
    pending.clear()
  }
  // An error is always followed by close, which does the cleanup.
  socket.onerror = () => {}
  socket.onmessage = (event) => {
    if (typeof event.data !== 'string') return
    let message: Record<string, unknown>
    try {
      message = JSON.parse(event.data)
    } catch {
      console.warn('snapscope: ignoring a frame that is not JSON')
      return
    }
    if (typeof message.event === 'string') {
      const listeners = eventListeners.get(message.event as EventName)
      if (listeners) for (const listener of [...listeners]) listener(message.payload as never)
      return
    }
    const call = typeof message.id === 'number' ? pending.get(message.id) : undefined
    if (!call) return
    pending.delete(message.id as number)
    if (message.ok === true) call.resolve(message.result)
    else {
      const error = (message.error ?? {}) as { code?: unknown; message?: unknown }
      call.reject(new ApiError(String(error.code ?? UNCODED), String(error.message ?? 'request failed')))
    }
  }

  return {
    mode: 'browser',
    invoke<C extends Channel>(channel: C, payload: Requests[C]): Promise<Responses[C]> {
      if (state === 'disconnected')
        return Promise.reject(new ApiError(DISCONNECTED, closedMessage))
      const id = nextId++
      const frame = JSON.stringify({ id, channel, payload })
      return new Promise<Responses[C]>((resolve, reject) => {
        pending.set(id, { resolve: resolve as (value: unknown) => void, reject })
        if (state === 'connected') socket.send(frame)
        else outbox.push(frame)
      })
    },
    on<E extends EventName>(event: E, listener: (payload: Events[E]) => void): () => void {
      let listeners = eventListeners.get(event)
      if (!listeners) eventListeners.set(event, (listeners = new Set()))
      listeners.add(listener as (payload: never) => void)
      return () => listeners.delete(listener as (payload: never) => void)
    },
    connectionState: () => state,
    onConnectionChange(listener) {
      stateListeners.add(listener)
      return () => stateListeners.delete(listener)
    },
    close: () => socket.close()
  }
}
