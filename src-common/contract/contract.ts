// The one IPC contract: request channels (renderer -> main, answered once), events (main -> renderer),
// the wire envelopes, and the validation every incoming message passes before it reaches the core.
// Electron (ipcMain/preload) and browser mode (WebSocket) carry exactly these envelopes.

import type {
  HeapBlockPage,
  HeapProgress,
  HeapView,
  HeapWalksDoc,
  HostInfo,
  IncludeKind,
  ProcessDelta,
  ProcessExtras,
  Snapshot,
  WatchQueryResult,
  WatchUpdate,
  WsWatchDoc
} from './types'
// address: "0x…" with 1 to 16 hex digits, as the contract writes addresses
import { Address as address, BLOCK_FLAGS, Enum, INCLUDE_KINDS, MAX_PID } from './types'
import { Type, type Static, type TProperties, type TSchema } from '@sinclair/typebox'
import { ContractError, STRICT, compile, described, type Check } from './validate'

export * from './types'
export { ContractError } from './validate'
import type { DiffDoc } from './diffTypes'
import type { CaptureEndedEvent, CaptureSampleEvent, Download, OpenedFile } from './workbenchTypes'
export type { CaptureEndedEvent, CaptureSampleEvent, DiffDoc, Download, OpenedFile }

export const MAX_MESSAGE_BYTES = 64 * 1024
/** blocks one heap.walk answer carries at most: the renderer pages through larger heaps */
export const MAX_BLOCKS_PER_PAGE = 100_000
/** fault records a watch.stop answer carries at most (the summary counts them all) */
export const MAX_FAULTS_PER_ANSWER = 10_000
export const WATCH_MECHANISMS = ['auto', 'perf-page-faults', 'perf-page-faults-user', 'pagemap-diff'] as const
/** A file the renderer opens travels in pieces of at most this many base64 characters (within a frame). */
export const MAX_UPLOAD_CHUNK = 60_000
export const MAX_UPLOAD_BYTES = 64 << 20
export const REPORT_FORMATS = ['html', 'csv', 'json', 'pdf'] as const

// Request payloads are TypeBox definitions (see validate.ts), written with the few combinators below:
// the type is Static<>, the check is compiled STRICT (unknown fields refused) on a channel's first message.
const int = (minimum: number, maximum: number) => Type.Integer({ minimum, maximum })
const str = (maxLength: number) => Type.String({ maxLength })
const bool = Type.Boolean()
const oneOf = Enum
const arrayOf = <T extends TSchema>(item: T, maxItems: number) => Type.Array(item, { maxItems })
const optional = <T extends TSchema>(schema: T) => Type.Optional(schema)
const nullable = <T extends TSchema>(schema: T) => Type.Union([schema, Type.Null()])
const object = <P extends TProperties>(properties: P) => Type.Object(properties)
const fileId = int(1, Number.MAX_SAFE_INTEGER)
const ID = int(0, Number.MAX_SAFE_INTEGER)
/** one item of an open file, or (no item) the whole file */
const itemRef = object({ fileId, item: optional(int(0, 999)) })

/** A heap's id as the heap list gives it ("0x…", "mmapped"): never empty (the addon refuses "" with a TypeError) */
const heapId = described(Type.String({ minLength: 1, maxLength: 64 }), 'a heap id')
const blockFilter = {
  minSize: optional(ID),
  maxSize: optional(ID),
  flags: optional(arrayOf(oneOf(BLOCK_FLAGS), BLOCK_FLAGS.length))
}

export const requestSchemas = {
  'app.hello': object({}),
  // Leak diagnosis: files in and out as bytes (never paths), compare, reports, timeline captures.
  'file.upload': object({ uploadId: fileId, offset: int(0, MAX_UPLOAD_BYTES), data: str(MAX_UPLOAD_CHUNK) }),
  'file.open': object({ uploadId: fileId, name: str(255) }),
  'file.take': object({ pid: int(0, MAX_PID), heap: optional(bool) }),
  'file.close': object({ fileId }),
  'file.save': object({ fileId, redact: optional(bool) }),
  'diff.run': object({ a: itemRef, b: itemRef, redact: optional(bool) }),
  'report.export': object({ a: itemRef, b: optional(itemRef), format: oneOf(REPORT_FORMATS), redact: optional(bool), table: optional(str(128)) }),
  'capture.start': object({ pid: int(0, MAX_PID), everyMs: int(100, 86_400_000), forMs: int(100, 30 * 86_400_000), heap: optional(bool) }),
  'capture.stop': object({ captureId: fileId }),
  'snapshot.take': object({
    include: optional(arrayOf(oneOf(INCLUDE_KINDS), INCLUDE_KINDS.length)),
    pid: optional(nullable(int(0, MAX_PID)))
  }),
  'processes.watch': object({ intervalMs: int(100, 60_000) }),
  'processes.unwatch': object({}),
  'heap.walk': object({
    walkId: int(0, Number.MAX_SAFE_INTEGER),
    pid: int(0, MAX_PID),
    heapId: optional(nullable(heapId)),
    offset: optional(int(0, Number.MAX_SAFE_INTEGER)),
    limit: optional(int(0, MAX_BLOCKS_PER_PAGE)),
    stopTarget: optional(bool)
  }),
  'heap.cancel': object({ walkId: int(0, Number.MAX_SAFE_INTEGER) }),
  // pid 0 is no process to watch (the addon refuses it with a TypeError, which would surface as EINTERNAL)
  'watch.start': object({ pid: int(1, MAX_PID), mechanism: optional(oneOf(WATCH_MECHANISMS)) }),
  'watch.stop': object({ watchId: int(0, Number.MAX_SAFE_INTEGER) }),
  'process.details': object({ pid: int(0, MAX_PID) }),
  /** walks one heap completely and keeps it in the main process as view `viewId` (progress and cancel by walkId = viewId) */
  'heap.open': object({ viewId: ID, pid: int(0, MAX_PID), heapId, stopTarget: optional(bool) }),
  'heap.blocks': object({ viewId: ID, offset: ID, limit: int(0, MAX_BLOCKS_PER_PAGE), ...blockFilter }),
  'heap.find': object({ viewId: ID, address, ...blockFilter }),
  'heap.close': object({ viewId: ID }),
  /** raw records of a watch's time window [fromMs, toMs), from the ring of the most recent ones */
  'watch.query': object({
    watchId: ID,
    fromMs: optional(int(0, Number.MAX_SAFE_INTEGER)),
    toMs: optional(int(0, Number.MAX_SAFE_INTEGER)),
    module: optional(str(4096)),
    offset: optional(ID),
    limit: optional(int(0, MAX_FAULTS_PER_ANSWER))
  })
} satisfies Record<string, TSchema>

export type Channel = keyof typeof requestSchemas
export const CHANNELS = Object.keys(requestSchemas) as Channel[]
export type Requests = { [C in Channel]: Static<(typeof requestSchemas)[C]> }

export interface Hello {
  version: string
  host: HostInfo
  mode: 'electron' | 'browser'
  /** the host runs as root / elevated: then "run as root" (or "as an administrator") is no advice */
  elevated: boolean
}

export interface Responses {
  'app.hello': Hello
  'file.upload': { received: number }
  'file.open': OpenedFile
  'file.take': OpenedFile
  'file.close': { closed: boolean }
  'file.save': Download
  'diff.run': DiffDoc
  'report.export': { files: Download[] }
  'capture.start': { captureId: number; expected: number }
  'capture.stop': { stopped: boolean }
  'snapshot.take': Snapshot
  'processes.watch': { intervalMs: number }
  'processes.unwatch': { ok: true }
  'heap.walk': HeapWalksDoc
  'heap.cancel': { cancelled: boolean }
  'watch.start': { watchId: number; mechanism: string }
  'watch.stop': WsWatchDoc
  'process.details': ProcessExtras
  'heap.open': HeapView
  'heap.blocks': HeapBlockPage
  /** position among the filtered blocks of the block holding the address (exact) or the next one; -1: none */
  'heap.find': { position: number; exact: boolean }
  'heap.close': { closed: boolean }
  'watch.query': WatchQueryResult
}

export interface Events {
  'processes.delta': ProcessDelta
  /** the provider failed to refresh; it keeps trying on the next tick */
  'processes.error': { message: string; code: string }
  'heap.progress': HeapProgress
  'capture.sample': CaptureSampleEvent
  /** a capture ended (time up, stopped, target exited); its timeline is open as a file */
  'capture.ended': CaptureEndedEvent
  /** a live watch, aggregated by the main process into what the charts draw (at most 4 a second) */
  'watch.update': WatchUpdate
  /** the watch ended by itself (the target exited, or an error): its document, faults capped */
  'watch.ended': { watchId: number; doc: WsWatchDoc }
}

export type EventName = keyof Events
/** Sends one event to the connected renderer: what a session and the services it owns emit through. */
export type EmitEvent = <E extends EventName>(event: E, payload: Events[E]) => void

// ---- wire envelopes ----
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

const envelopeSchema = Type.Object({ id: int(0, Number.MAX_SAFE_INTEGER), channel: str(64), payload: Type.Unknown() })
let envelopeCheck: Check<Static<typeof envelopeSchema>> | undefined
const payloadChecks = new Map<Channel, Check<unknown>>()

/** Checks an incoming request envelope and its payload; throws ContractError with a message that says what is wrong. */
export function parseRequest(raw: unknown): { id: number; channel: Channel; payload: Requests[Channel] } {
  // Compiled on first use: the renderer imports this module for its constants and never validates.
  envelopeCheck ??= compile(envelopeSchema, STRICT)
  const env = envelopeCheck(raw, '')
  if (!Object.prototype.hasOwnProperty.call(requestSchemas, env.channel))
    throw new ContractError(`channel: unknown channel "${env.channel}"`)
  const channel = env.channel as Channel
  let check = payloadChecks.get(channel)
  if (!check) payloadChecks.set(channel, (check = compile(requestSchemas[channel] as TSchema, STRICT)))
  const payload = check(env.payload ?? {}, 'payload') as Requests[Channel]
  return { id: env.id, channel, payload }
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
