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
  WatchUpdate
} from './types'
// address: "0x…" with 1 to 16 hex digits, as the contract writes addresses
import { Address as address, BLOCK_FLAGS, Enum, INCLUDE_KINDS, MAX_PID } from './types'
import { Type, type Static, type TProperties, type TSchema } from '@sinclair/typebox'
import { ContractError, STRICT, compile, described, type Check } from './validate'

export * from './types'
export { ContractError } from './validate'
import type { DiffDoc } from './diffTypes'
import type { AllocTotals, AllocUpdate } from './allocTypes'
export * from './allocTypes'
import { LEAK_KINDS, type LeakBlockPage, type LeakPreview, type LeakReferrer } from './leakTypes'
import type { MemoryKindTotal, MemoryMapDoc, MemoryMapRegion } from './memoryMapTypes'
import type { CaptureEndedEvent, CaptureSampleEvent, Download, OpenedFile } from './workbenchTypes'
export type { CaptureEndedEvent, CaptureSampleEvent, DiffDoc, Download, MemoryKindTotal, MemoryMapDoc, MemoryMapRegion, OpenedFile }
export type { LeakBlockPage, LeakPreview, LeakReferrer }

export const MAX_MESSAGE_BYTES = 64 * 1024
/** blocks one heap.walk answer carries at most: the renderer pages through larger heaps */
export const MAX_BLOCKS_PER_PAGE = 100_000
/** fault records a watch.query answer carries at most */
export const MAX_FAULTS_PER_ANSWER = 10_000
export const WATCH_MECHANISMS = ['auto', 'perf-page-faults', 'perf-page-faults-user', 'pagemap-diff'] as const
export const MAX_UPLOAD_BYTES = 64 << 20
/** A file the renderer opens travels as binary pieces of at most this many bytes after its file.upload request. */
export const UPLOAD_PIECE_BYTES = 256 << 10
/** bytes an upload may have in flight beyond what the host has acknowledged (file.progress): the backpressure */
export const UPLOAD_WINDOW_BYTES = 4 << 20
/** bytes of a block leaks.preview reads at most */
export const MAX_PREVIEW_BYTES = 4096
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
  /** the file's `size` bytes follow as pieces carrying this request's id; the answer is the file, opened */
  'file.upload': object({ name: str(255), size: int(0, MAX_UPLOAD_BYTES) }),
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
  'heap.walk': object({
    pid: int(0, MAX_PID),
    heapId: optional(nullable(heapId)),
    offset: optional(int(0, Number.MAX_SAFE_INTEGER)),
    limit: optional(int(0, MAX_BLOCKS_PER_PAGE)),
    stopTarget: optional(bool)
  }),
  // Leak scans: the scan is kept as a file of the session (saved like any); its blocks are paged from it.
  /** scans with the target stopped (progress to the request, cancel by its id); the answer is the scan, opened as a file */
  'leaks.scan': object({ pid: int(1, MAX_PID) }),
  /** the blocks of a scan of `kind`; `type` null: of no known type, absent: any; `blockSize` absent: any; `since`: not in that scan */
  'leaks.blocks': object({
    fileId,
    item: int(0, 999),
    kind: oneOf(LEAK_KINDS),
    type: optional(nullable(str(4096))),
    blockSize: optional(ID),
    since: optional(object({ fileId, item: int(0, 999) })),
    offset: ID,
    limit: int(0, MAX_BLOCKS_PER_PAGE)
  }),
  'leaks.preview': object({ pid: int(1, MAX_PID), address, length: int(1, MAX_PREVIEW_BYTES) }),
  /** who points at the block holding `address` (a scan of its own, the target stopped meanwhile) */
  'leaks.referrers': object({ pid: int(1, MAX_PID), address }),
  // pid 0 is no process to watch (the addon refuses it with a TypeError, which would surface as EINTERNAL)
  'watch.start': object({ pid: int(1, MAX_PID), mechanism: optional(oneOf(WATCH_MECHANISMS)) }),
  'watch.stop': object({ watchId: int(0, Number.MAX_SAFE_INTEGER) }),
  // Allocation traces: uprobes on the target's allocator; live totals and stacks while it runs, the
  // document kept as a file of the session when it ends (allocs.stop's answer, or allocs.ended).
  'allocs.start': object({ pid: int(1, MAX_PID) }),
  'allocs.stop': object({ traceId: ID }),
  /** a kept allocations document (a file's item) as pprof (profile.proto, gzip) */
  'allocs.pprof': itemRef,
  'process.details': object({ pid: int(0, MAX_PID) }),
  /** the memory map (snapscope.memorymap/1): every region with its resident, private and swapped bytes */
  'memory.map': object({ pid: int(0, MAX_PID) }),
  /** walks one heap completely and keeps it in the main process as view `viewId` (progress to the request, cancel by its id) */
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
  'file.upload': OpenedFile
  'file.take': OpenedFile
  'file.close': { closed: boolean }
  'file.save': Download
  'diff.run': DiffDoc
  'report.export': { files: Download[] }
  'capture.start': { captureId: number; expected: number }
  'capture.stop': { stopped: boolean }
  'snapshot.take': Snapshot
  'processes.watch': { intervalMs: number }
  'heap.walk': HeapWalksDoc
  'watch.start': { watchId: number; mechanism: string }
  'watch.stop': WatchEnd
  'allocs.start': { traceId: number; mechanism: string }
  'allocs.stop': AllocEnd
  'allocs.pprof': Download
  'process.details': ProcessExtras
  'memory.map': MemoryMapDoc
  'heap.open': HeapView
  'heap.blocks': HeapBlockPage
  /** position among the filtered blocks of the block holding the address (exact) or the next one; -1: none */
  'heap.find': { position: number; exact: boolean }
  'heap.close': { closed: boolean }
  'watch.query': WatchQueryResult
  'leaks.scan': OpenedFile
  'leaks.blocks': LeakBlockPage
  'leaks.preview': LeakPreview
  'leaks.referrers': { referrers: LeakReferrer[] }
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
  /** the watch ended by itself (the target exited, or an error): how, and its totals */
  'watch.ended': { watchId: number } & WatchEnd
  /** a live trace, folded by the main process into totals and its top stacks (at most 4 a second) */
  'allocs.update': AllocUpdate
  /** the trace ended by itself (the target exited, or an error): how, its totals and its file */
  'allocs.ended': AllocEnd
  /** bytes of an upload the host has taken so far: the sender may run UPLOAD_WINDOW_BYTES ahead */
  'file.progress': { received: number }
}

/** How a watch ended and its totals: what the renderer shows (the document itself stays in the host). */
export interface WatchEnd {
  endReason: string
  durationMs: number
  total: number
  lost: number
}

/** How an allocation trace ended: its totals, and its document kept as a file of the session (null: no room for it). */
export interface AllocEnd {
  traceId: number
  pid: number
  endReason: string
  durationMs: number
  lost: number
  totals: AllocTotals
  file: OpenedFile | null
}

export type EventName = keyof Events

// ---- the protocol: four verbs as VS Code's IPC has them (request, cancel, subscribe, unsubscribe) ----
// A request's id is chosen by the transport (a counter per connection). Events belong to the request
// that asked for them and are addressed to its id ({sub: id, event, payload}); they end with its
// answer, except on SUBSCRIPTION_CHANNELS, whose answer opens a subscription that lasts until the client
// unsubscribes or the host ends it ({sub: id, end: true}). `cancel` aborts a request still running.

/** The events each channel's requests may carry. */
export const CHANNEL_EVENTS = {
  'processes.watch': ['processes.delta', 'processes.error'],
  'heap.walk': ['heap.progress'],
  'heap.open': ['heap.progress'],
  'leaks.scan': ['heap.progress'],
  'watch.start': ['watch.update', 'watch.ended'],
  'allocs.start': ['allocs.update', 'allocs.ended'],
  'capture.start': ['capture.sample', 'capture.ended'],
  'file.upload': ['file.progress']
} as const satisfies { [C in Channel]?: readonly EventName[] }
/** Channels whose answer opens a subscription (the events go on after it). */
export const SUBSCRIPTION_CHANNELS: readonly Channel[] = ['processes.watch', 'watch.start', 'capture.start', 'allocs.start']

type ChannelEvents = typeof CHANNEL_EVENTS
/** One event of a request on channel C, as its listener gets it. */
export type EventOf<C extends Channel> = C extends keyof ChannelEvents
  ? { [E in ChannelEvents[C][number]]: { event: E; payload: Events[E] } }[ChannelEvents[C][number]]
  : never
/** What a host handler emits through: an event addressed to the request it serves. */
export type EmitEvent = <E extends EventName>(event: E, payload: Events[E]) => void

export interface ErrorBody {
  code: string
  message: string
}
export type ResponseEnvelope =
  | { id: number; ok: true; result: unknown }
  | { id: number; ok: false; error: ErrorBody }
export type EventEnvelope = { sub: number; event: EventName; payload: unknown } | { sub: number; end: true }
/** host -> client */
export type HostMessage = ResponseEnvelope | EventEnvelope

/** A piece of a request's body (file.upload): a binary WebSocket frame, or a structured clone over Electron IPC. */
export interface Piece {
  piece: number
  index: number
  bytes: Uint8Array
}
/** client -> host */
export type ClientMessage =
  | { id: number; channel: Channel; payload: unknown }
  | { cancel: number }
  | { unsubscribe: number }
  | Piece

const ID_FIELD = int(0, Number.MAX_SAFE_INTEGER)
const envelopeSchema = Type.Object({ id: ID_FIELD, channel: str(64), payload: Type.Unknown() })
const cancelSchema = Type.Object({ cancel: ID_FIELD })
const unsubscribeSchema = Type.Object({ unsubscribe: ID_FIELD })
// pieces may be smaller than UPLOAD_PIECE_BYTES: the declared size, not the count, bounds an upload;
// the bytes themselves are checked in parseMessage (JSON Schema has no type for them)
const pieceSchema = Type.Object({ piece: ID_FIELD, index: int(0, MAX_UPLOAD_BYTES), bytes: Type.Unknown() })
let envelopeCheck: Check<Static<typeof envelopeSchema>> | undefined
let cancelCheck: Check<Static<typeof cancelSchema>> | undefined
let unsubscribeCheck: Check<Static<typeof unsubscribeSchema>> | undefined
let pieceCheck: Check<Static<typeof pieceSchema>> | undefined
const payloadChecks = new Map<Channel, Check<unknown>>()

export type ParsedMessage =
  | { kind: 'request'; id: number; channel: Channel; payload: Requests[Channel] }
  | { kind: 'cancel'; id: number }
  | { kind: 'unsubscribe'; id: number }
  | { kind: 'piece'; id: number; index: number; bytes: Uint8Array }

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

/** Checks any client message: a request, a cancel, an unsubscribe or a body piece. */
export function parseMessage(raw: unknown): ParsedMessage {
  const has = (key: string) => typeof raw === 'object' && raw !== null && Object.prototype.hasOwnProperty.call(raw, key)
  if (has('cancel')) return { kind: 'cancel', id: (cancelCheck ??= compile(cancelSchema, STRICT))(raw, '').cancel }
  if (has('unsubscribe')) return { kind: 'unsubscribe', id: (unsubscribeCheck ??= compile(unsubscribeSchema, STRICT))(raw, '').unsubscribe }
  if (has('piece')) {
    const p = (pieceCheck ??= compile(pieceSchema, STRICT))(raw, '')
    if (!(p.bytes instanceof Uint8Array)) throw new ContractError('bytes: expected bytes')
    if (p.bytes.length > UPLOAD_PIECE_BYTES) throw new ContractError(`bytes: a piece is at most ${UPLOAD_PIECE_BYTES} bytes, got ${p.bytes.length}`)
    return { kind: 'piece', id: p.piece, index: p.index, bytes: p.bytes }
  }
  return { kind: 'request', ...parseRequest(raw) }
}

/** The API the renderer sees, whatever carries it (Electron preload or WebSocket). */
export interface CallOptions<C extends Channel> {
  /** aborting it cancels the request, or ends the subscription it opened (an AbortSignal; the contract has no DOM types) */
  signal?: { readonly aborted: boolean; addEventListener(type: 'abort', listener: () => void, options?: { once?: boolean }): void }
  /** the events of this request (and of the subscription it opens) */
  onEvent?: (event: EventOf<C>) => void
  /** file.upload: the bytes, streamed after the request */
  body?: Uint8Array
}
export interface SnapscopeApi {
  invoke<C extends Channel>(channel: C, payload: Requests[C], options?: CallOptions<C>): Promise<Responses[C]>
}

/** What the Electron preload exposes (window.snapscope): a message pipe, the protocol is the renderer's. */
export interface SnapscopeBridge {
  send(message: ClientMessage): void
  onMessage(listener: (message: HostMessage) => void): void
}

export type { IncludeKind }

export { ELECTRON_MESSAGE, ELECTRON_SEND } from './electronChannels'
