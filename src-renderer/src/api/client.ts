// The renderer's side of the protocol, whatever carries it (WebSocket or the Electron preload's pipe):
// request ids, answers matched to calls, events routed to the request (or subscription) they are
// addressed to, cancel and unsubscribe from an AbortSignal, and request bodies streamed as pieces
// within the window the host acknowledges.
import {
  SUBSCRIPTION_CHANNELS,
  UPLOAD_PIECE_BYTES,
  UPLOAD_WINDOW_BYTES,
  type CallOptions,
  type Channel,
  type ClientMessage,
  type HostMessage,
  type Requests,
  type Responses,
  type SnapscopeApi
} from '../../../src-common/contract/contract'
import { UNCODED } from '../../../src-common/contract/errors'
import { ApiError } from './connectedApi'

interface Pending {
  resolve(value: unknown): void
  reject(error: Error): void
  onEvent?: (event: never) => void
  /** the channel opens a subscription: after its answer, events go on until it ends */
  subscription: boolean
  /** the answer came */
  answered: boolean
  /** the host ended the subscription (possibly before the answer came) */
  ended: boolean
  /** body bytes the host has taken (file.progress), and who waits for more room */
  received: number
  wake?: () => void
}

export interface Client extends SnapscopeApi {
  /** a message from the host */
  receive(message: HostMessage): void
  /** the carrier is gone: every call fails with this error, and so will new ones */
  fail(error: ApiError): void
}

export function createClient(send: (message: ClientMessage) => void): Client {
  const calls = new Map<number, Pending>()
  let nextId = 1
  let failed: ApiError | null = null

  const streamBody = async (id: number, call: Pending, body: Uint8Array) => {
    for (let at = 0, index = 0; at < body.length; at += UPLOAD_PIECE_BYTES, index++) {
      // Backpressure: no more than the window ahead of what the host has taken.
      while (calls.get(id) === call && at - call.received >= UPLOAD_WINDOW_BYTES) await new Promise<void>((ok) => (call.wake = ok))
      if (calls.get(id) !== call) return
      send({ piece: id, index, bytes: body.subarray(at, at + UPLOAD_PIECE_BYTES) })
    }
  }

  return {
    invoke<C extends Channel>(channel: C, payload: Requests[C], options: CallOptions<C> = {}): Promise<Responses[C]> {
      if (failed) return Promise.reject(failed)
      const { signal, onEvent, body } = options
      if (signal?.aborted) return Promise.reject(new ApiError('ECANCELED', 'cancelled'))
      const id = nextId++
      return new Promise<Responses[C]>((resolve, reject) => {
        const call: Pending = { resolve: resolve as (v: unknown) => void, reject, onEvent: onEvent as Pending['onEvent'], subscription: SUBSCRIPTION_CHANNELS.includes(channel), answered: false, ended: false, received: 0 }
        calls.set(id, call)
        send({ id, channel, payload })
        if (body) void streamBody(id, call, body)
        signal?.addEventListener(
          'abort',
          () => {
            if (calls.get(id) !== call) return
            if (!call.answered) return send({ cancel: id }) // the host answers ECANCELED
            calls.delete(id)
            send({ unsubscribe: id })
          },
          { once: true }
        )
      })
    },
    receive(message) {
      if ('sub' in message) {
        const call = calls.get(message.sub)
        if (!call) return
        if ('end' in message) {
          call.ended = true
          if (call.answered) calls.delete(message.sub)
          return
        }
        if (message.event === 'file.progress') {
          call.received = (message.payload as { received: number }).received
          call.wake?.()
        }
        call.onEvent?.({ event: message.event, payload: message.payload } as never)
        return
      }
      const call = calls.get(message.id)
      if (!call || call.answered) return
      call.answered = true
      if (!message.ok || !call.subscription || call.ended) calls.delete(message.id)
      if (message.ok) call.resolve(message.result)
      else call.reject(new ApiError(String(message.error?.code ?? UNCODED), String(message.error?.message ?? 'request failed')))
      call.wake?.()
    },
    fail(error) {
      failed = error
      for (const call of calls.values()) {
        call.reject(error)
        call.wake?.()
      }
      calls.clear()
    }
  }
}
