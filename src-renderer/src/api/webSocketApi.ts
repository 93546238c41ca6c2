// Browser mode: the protocol (client.ts) over one WebSocket, framed as wire.ts says. No reconnect: the host issues a per-run token, so after a restart the page must be
// reloaded with the new URL anyway — we show that instead of retrying.
import type { ClientMessage, HostMessage } from '../../../src-common/contract/contract'
import { decodeBinary, decodeHostMessage, encodeBinary } from '../../../src-common/contract/wire'
import { createClient } from './client'
import { ApiError, type ConnectedApi, type ConnectionState } from './connectedApi'

/** The part of the WHATWG WebSocket we use; the `ws` package's client satisfies it too (tests, node 20). */
export interface WebSocketLike {
  readonly readyState: number
  binaryType: string
  send(data: string | Uint8Array): void
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

export function createWebSocketApi(
  url: string,
  WebSocketImpl: WebSocketConstructor = globalThis.WebSocket as unknown as WebSocketConstructor
): WebSocketApi {
  const socket = new WebSocketImpl(url)
  socket.binaryType = 'arraybuffer'
  // Frames of calls made before the socket opens are sent on open, in order.
  const outbox: (string | Uint8Array)[] = []
  const stateListeners = new Set<(state: ConnectionState) => void>()
  // Binary frames (an answer's bytes) come right before the answer naming them: the host sends them together.
  let attachments: Uint8Array[] = []
  let state: ConnectionState = 'connecting'
  let closedMessage = 'the connection to the Snapscope host is closed'

  const frame = (message: ClientMessage): string | Uint8Array =>
    'piece' in message ? encodeBinary(message.piece, message.index, message.bytes) : JSON.stringify(message)
  const client = createClient((message) => {
    if (state === 'connected') socket.send(frame(message))
    else if (state === 'connecting') outbox.push(frame(message))
  })

  const setState = (next: ConnectionState) => {
    if (state === next) return
    state = next
    for (const listener of stateListeners) listener(next)
  }

  socket.onopen = () => {
    setState('connected')
    for (const f of outbox.splice(0)) socket.send(f)
  }
  socket.onclose = (event) => {
    // The host says why it closed, e.g. answers left unread past its limit.
    const reason = (event as { reason?: unknown } | null)?.reason
    if (typeof reason === 'string' && reason) closedMessage = `the Snapscope host closed the connection: ${reason}`
    setState('disconnected')
    outbox.length = 0
    client.fail(new ApiError(DISCONNECTED, closedMessage))
  }
  // An error is always followed by close, which does the cleanup.
  socket.onerror = () => {}
  socket.onmessage = (event) => {
    if (event.data instanceof ArrayBuffer) {
      attachments.push(decodeBinary(new Uint8Array(event.data)).bytes)
      return
    }
    if (typeof event.data !== 'string') return
    let message: HostMessage
    const bytes = attachments
    attachments = []
    try {
      message = decodeHostMessage(event.data, bytes) as HostMessage
    } catch {
      console.warn('snapscope: ignoring a frame that is not JSON')
      return
    }
    client.receive(message)
  }

  return {
    mode: 'browser',
    invoke: (channel, payload, options) => client.invoke(channel, payload, options),
    connectionState: () => state,
    onConnectionChange(listener) {
      stateListeners.add(listener)
      return () => stateListeners.delete(listener)
    },
    close: () => socket.close()
  }
}
