// An in-memory transport for view tests: the test plays the host, answering channels with
// recorded JSON and emitting recorded events to the requests (subscriptions) that carry them.
import { act } from '@testing-library/react'
import { CHANNEL_EVENTS, type CallOptions, type Channel, type EventName, type Events, type Requests, type Responses } from '../../../src-common/contract/contract'
import { ApiError, type ConnectedApi, type ConnectionState } from '../api/connectedApi'

type Handler<C extends Channel> = (payload: Requests[C], options: CallOptions<C>) => Responses[C] | Promise<Responses[C]>
export type Handlers = { [C in Channel]?: Handler<C> }

export function fakeApi(handlers: Handlers = {}) {
  // Calls whose events are still listened to: until their signal aborts.
  const open = new Set<{ channel: Channel; options: CallOptions<Channel> }>()
  const connectionListeners = new Set<(s: ConnectionState) => void>()
  let connection: ConnectionState = 'connected'
  const calls: [Channel, unknown][] = []
  const api: ConnectedApi = {
    mode: 'browser',
    invoke: (async (channel: Channel, payload: never, options: CallOptions<Channel> = {}) => {
      calls.push([channel, payload])
      const entry = { channel, options }
      if (options.onEvent && !options.signal?.aborted) {
        open.add(entry)
        options.signal?.addEventListener('abort', () => open.delete(entry), { once: true })
      }
      const handler = handlers[channel] as Handler<Channel> | undefined
      if (!handler) throw new ApiError('ENOTSUP', `no recorded answer for ${channel}`)
      return handler(payload, options)
    }) as ConnectedApi['invoke'],
    connectionState: () => connection,
    onConnectionChange: (listener) => {
      connectionListeners.add(listener)
      return () => connectionListeners.delete(listener)
    }
  }
  /** An event, to every open call of a channel that carries it. */
  const emit = <E extends EventName>(event: E, payload: Events[E]) =>
    act(() => {
      for (const { channel, options } of [...open])
        if ((CHANNEL_EVENTS as Record<string, readonly string[]>)[channel]?.includes(event)) options.onEvent?.({ event, payload } as never)
    })
  /** Calls still subscribed on a channel (their signal not aborted). */
  const subscribed = (channel: Channel) => [...open].filter((c) => c.channel === channel).length
  const setConnection = (state: ConnectionState) =>
    act(() => {
      connection = state
      connectionListeners.forEach((l) => l(state))
    })
  return { api, calls, emit, subscribed, setConnection, channels: () => calls.map(([c]) => c) }
}

/** Lets pending answers (resolved promises) land and React re-render. */
export const settle = () => act(async () => {
  for (let i = 0; i < 5; i++) await Promise.resolve()
})
