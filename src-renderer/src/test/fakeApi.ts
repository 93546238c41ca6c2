// An in-memory transport for view tests: the test plays the host, answering channels with
// recorded JSON and emitting recorded events.
import { act } from '@testing-library/react'
import type { Channel, EventName, Events, Requests, Responses } from '../../../src-common/contract/contract'
import { ApiError, type ConnectedApi, type ConnectionState } from '../api/connectedApi'

type Handler<C extends Channel> = (payload: Requests[C]) => Responses[C] | Promise<Responses[C]>
export type Handlers = { [C in Channel]?: Handler<C> }

export function fakeApi(handlers: Handlers = {}) {
  const listeners = new Map<string, Set<(p: never) => void>>()
  const connectionListeners = new Set<(s: ConnectionState) => void>()
  let connection: ConnectionState = 'connected'
  const calls: [Channel, unknown][] = []
  const api: ConnectedApi = {
    mode: 'browser',
    invoke: (async (channel: Channel, payload: never) => {
      calls.push([channel, payload])
      const handler = handlers[channel] as Handler<Channel> | undefined
      if (!handler) throw new ApiError('ENOTSUP', `no recorded answer for ${channel}`)
      return handler(payload)
    }) as ConnectedApi['invoke'],
    on: ((event: string, listener: (p: never) => void) => {
      if (!listeners.has(event)) listeners.set(event, new Set())
      listeners.get(event)!.add(listener)
      return () => listeners.get(event)!.delete(listener)
    }) as ConnectedApi['on'],
    connectionState: () => connection,
    onConnectionChange: (listener) => {
      connectionListeners.add(listener)
      return () => connectionListeners.delete(listener)
    }
  }
  const emit = <E extends EventName>(event: E, payload: Events[E]) => act(() => listeners.get(event)?.forEach((l) => l(payload as never)))
  const setConnection = (state: ConnectionState) =>
    act(() => {
      connection = state
      connectionListeners.forEach((l) => l(state))
    })
  return { api, calls, emit, setConnection, channels: () => calls.map(([c]) => c) }
}

/** Lets pending answers (resolved promises) land and React re-render. */
export const settle = () => act(async () => {
  for (let i = 0; i < 5; i++) await Promise.resolve()
})
