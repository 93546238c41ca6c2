// The one IPC contract: request channels (renderer -> main, answered once), events (main -> renderer),
// the wire envelopes, and the validation every incoming message passes before it reaches the core.
// Electron (ipcMain/preload) and browser mode (WebSocket) carry exactly these envelopes.

import type { HeapProgress, HeapWalksDoc, HostInfo, IncludeKind, ProcessDelta, Snapshot, WsWatchDoc } from './types'
import { INCLUDE_KINDS } from './types'
import { ContractError, arrayOf, bool, int, nullable, object, oneOf, optional, str, type Infer, type Schema } from './validate'

export * from './types'
export { ContractError } from './validate'

export const MAX_PID = 0x7fffffff
export const MAX_MESSAGE_BYTES = 64 * 1024
/** blocks one heap.walk answer carries at most: the renderer pages through larger heaps */
export const MAX_BLOCKS_PER_PAGE = 100_000
/** fault records a watch.stop answer carries at most (the summary counts them all) */
export const MAX_FAULTS_PER_ANSWER = 10_000
export const WATCH_MECHANISMS = ['auto', 'perf-page-faults', 'perf-page-faults-user', 'pagemap-diff'] as const

export const requestSchemas = {
  'app.hello': object({}),
  'snapshot.take': object({
    include: optional(arrayOf(oneOf(INCLUDE_KINDS), INCLUDE_KINDS.length)),
    pid: optional(nullable(int(0, MAX_PID)))
  }),
  'processes.watch': object({ intervalMs: int(100, 60_000) }),
  'processes.unwatch': object({}),
  'heap.walk': object({
    walkId: int(0, Number.MAX_SAFE_INTEGER),
    pid: int(0, MAX_PID),
    heapId: optional(nullable(str(64))),
    offset: optional(int(0, Number.MAX_SAFE_INTEGER)),
    limit: optional(int(0, MAX_BLOCKS_PER_PAGE)),
    stopTarget: optional(bool)
  }),
  'heap.cancel': object({ walkId: int(0, Number.MAX_SAFE_INTEGER) }),
  'watch.start': object({ pid: int(0, MAX_PID), mechanism: optional(oneOf(WATCH_MECHANISMS)) }),
  'watch.stop': object({ watchId: int(0, Number.MAX_SAFE_INTEGER) })
} satisfies Record<string, Schema<unknown>>

export type Channel = keyof typeof requestSchemas
export const CHANNELS = Object.keys(requestSchemas) as Channel[]
export type Requests = { [C in Channel]: Infer<(typeof requestSchemas)[C]> }

export interface Hello {
  version: string
  host: HostInfo
  mode: 'electron' | 'browser'
}

export interface Responses {
  'app.hello': Hello
  'snapshot.take': Snapshot
  'processes.watch': { intervalMs: number }
  'processes.unwatch': { ok: true }
  'heap.walk': HeapWalksDoc
  'heap.cancel': { cancelled: boolean }
  'watch.start': { watchId: number; mechanism: string }
  'watch.stop': WsWatchDoc
}

export interface Events {
  'processes.delta': ProcessDelta
  /** the provider failed to refresh; it keeps trying on the next tick */
  'processes.error': { message: string; code: string }
  'heap.progress': HeapProgress
  /** one batch of a live watch, aggregated by the main process */
  'watch.tick': WatchTickEvent
  /** the watch ended by itself (the target exited, or an error): its document, faults capped */
  'watch.ended': { watchId: number; doc: WsWatchDoc }
}

export interface WatchTickEvent {
  watchId: number
  count: number
  total: number
  lost: number
  byModule: Record<string, number>
  byRegion: Record<string, number>
}
export type EventName = keyof Events

// ---- wire envelopes ----
export interface RequestEnvelope {
  id: number
  channel: Channel
  payload: unknown
}
export interface ErrorBody {
  code: string
  message: string
}
export type ResponseEnvelope =
  | { id: number; ok: true; result: unknown }
  | { id: number; ok: false; error: ErrorBody }
export interface EventEnvelope {
  event: EventName
  payload: unknown
}

const envelopeSchema = object({ id: int(0, Number.MAX_SAFE_INTEGER), channel: str(64), payload: (v) => v })

/** Checks an incoming request envelope and its payload; throws ContractError with a message that says what is wrong. */
export function parseRequest(raw: unknown): { id: number; channel: Channel; payload: Requests[Channel] } {
  const env = envelopeSchema(raw, '')
  if (!Object.prototype.hasOwnProperty.call(requestSchemas, env.channel))
    throw new ContractError(`channel: unknown channel "${env.channel}"`)
  const channel = env.channel as Channel
  const payload = requestSchemas[channel](env.payload ?? {}, 'payload') as Requests[Channel]
  return { id: env.id, channel, payload }
}

/** Decodes a text frame (browser mode): size limit and JSON; the envelope is checked by parseRequest. */
export function decodeFrame(text: string): unknown {
  if (text.length > MAX_MESSAGE_BYTES) throw new ContractError(`message: larger than ${MAX_MESSAGE_BYTES} bytes`)
  try {
    return JSON.parse(text)
  } catch {
    throw new ContractError('message: not valid JSON')
  }
}

/** The API the renderer sees, whatever carries it (Electron preload or WebSocket). */
export interface SnapscopeApi {
  invoke<C extends Channel>(channel: C, payload: Requests[C]): Promise<Responses[C]>
  on<E extends EventName>(event: E, listener: (payload: Events[E]) => void): () => void
}

export type { IncludeKind }

/** Electron IPC channel names that carry the envelopes above. */
export const ELECTRON_INVOKE = 'snapscope:invoke'
export const ELECTRON_EVENT = 'snapscope:event'
