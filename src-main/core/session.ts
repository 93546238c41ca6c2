// One connected renderer (an Electron window or a browser tab): validates its requests against the
// contract, runs them, and owns the services it subscribed to. Host-agnostic: the Electron main
// process and the browser-mode host both put their transport around this.

import type { NativeAddon } from '../../native/index'
import {
  ContractError,
  MAX_BLOCKS_PER_PAGE,
  SUBSCRIPTION_CHANNELS,
  parseMessage,
  parseRequest,
  type Channel,
  type Hello,
  type HostMessage,
  type ParsedMessage,
  type Requests,
  type ResponseEnvelope,
  type Responses,
  type WatchEnd,
  type WsWatchDoc
} from '../../src-common/contract/contract'
import { ProcessHub, type ProcessSubscriber } from './processHub'
import { PAGE_BYTES_PER_BLOCK, WATCH_BYTES, hostBudget, type HostBudget } from './budget'
import { takeSnapshot } from './snapshot'
import { walkHeaps } from './heapWalk'
import { HeapViews } from './heapView'
import { memoryMap } from './memoryMap'
import { processExtras } from './processExtras'
import { WatchStreams } from './watchStream'
import { WsWatchSession } from './wsWatch'
import { codedError, toErrorPayload } from '../../src-common/contract/errors'
import { Workbench, type WorkbenchDeps } from './workbench/workbench'
import type { Call, Handlers } from './call'
import { Starts } from './starts'
import { AllocTraces } from './allocs/allocTraces'

export interface SessionDeps {
  addon: NativeAddon
  /** the host's process list, shared by its windows (a session alone makes its own) */
  processes?: ProcessHub
  /** the host's memory budget, shared by its windows (default: the process's own) */
  budget?: HostBudget
  printPdf?: WorkbenchDeps['printPdf']
  mode: Hello['mode']
  version: string
}

/**
 * What one window may run at once (starts still in flight included). The app needs one watch and a walk
 * or two; the limits keep a buggy or hostile client from exhausting perf events, threads or memory, and
 * the host's budget (budget.ts) bounds the memory of all windows together.
 */
export const MAX_WATCHES = 4
export const MAX_RUNNING_WALKS = 4

/** The answer to a message refused before it ran (its id when it has one). */
function refusal(raw: unknown, err: unknown): ResponseEnvelope {
  const id = (raw as { id?: unknown })?.id
  return { id: typeof id === 'number' ? id : -1, ok: false, error: toErrorPayload(err) }
}

const canceled = () => codedError('ECANCELED', 'cancelled')

/** How a watch ended, from its document: what watch.stop and watch.ended carry. */
const watchEnd = (doc: WsWatchDoc): WatchEnd => ({ endReason: doc.endReason, durationMs: doc.durationMs, total: doc.summary.total, lost: doc.lost })

export class Session {
  private readonly processes: ProcessHub
  private readonly budget: HostBudget
  private readonly workbench: Workbench
  /** requests running and subscriptions open, by request id */
  private readonly calls = new Map<number, AbortController>()
  private readonly watches = new Map<number, { watch: WsWatchSession; call: Call }>()
  private readonly heapViews: HeapViews
  private readonly streams: WatchStreams
  private readonly handlers: Handlers
  private readonly traces: AllocTraces
  private runningWalks = 0
  private nextWatchId = 1
  private readonly watchStarts = new Starts(MAX_WATCHES, 'watch', 'watches')
  private closed = false

  constructor(
    private readonly deps: SessionDeps,
    private readonly send: (message: HostMessage) => void
  ) {
    this.processes = deps.processes ?? new ProcessHub(deps.addon)
    this.budget = deps.budget ?? hostBudget()
    this.workbench = new Workbench({ ...deps, budget: this.budget })
    this.heapViews = new HeapViews(deps.addon, this.budget)
    this.traces = new AllocTraces(deps.addon, this.budget, this.workbench)
    this.streams = new WatchStreams((update) => this.watches.get(update.watchId)?.call.emit('watch.update', update))
    this.handlers = {
      'app.hello': () => ({ version: deps.version, host: deps.addon.host(), mode: deps.mode, elevated: deps.addon.elevated() }),
      ...this.workbench.handlers,
      ...this.traces.handlers,
      'snapshot.take': (p) => takeSnapshot(deps.addon, p),
      'processes.watch': (p, call) => {
        const subscriber: ProcessSubscriber = { delta: (d) => call.emit('processes.delta', d), error: (e) => call.emit('processes.error', e) }
        this.processes.subscribe(subscriber, p.intervalMs)
        call.signal.addEventListener('abort', () => this.processes.unsubscribe(subscriber), { once: true })
        return { intervalMs: p.intervalMs }
      },
      'heap.walk': (p, call) => this.walk(p, call),
      'watch.start': (p, call) => this.startWatch(p, call),
      'watch.stop': async (p) => {
        const entry = this.watches.get(p.watchId)
        if (!entry) throw codedError('ENOENT', `no watch ${p.watchId} in this session`)
        return watchEnd(await entry.watch.stop())
      },
      'process.details': (p) => processExtras(deps.addon, p.pid),
      'memory.map': (p) => memoryMap(deps.addon, p.pid),
      'heap.open': (p, call) => this.tracked(call, () => this.heapViews.open(p, (progress) => call.emit('heap.progress', progress))),
      'heap.blocks': (p) => this.heapViews.blocks(p),
      'heap.find': (p) => this.heapViews.find(p),
      'heap.close': (p) => this.heapViews.close(p.viewId),
      'watch.query': (p) => this.streams.query(p)
    }
  }

  /** Takes any untrusted client message; whatever answers it goes out through `send`. */
  receive(raw: unknown): void {
    let msg: ParsedMessage
    try {
      msg = parseMessage(raw)
    } catch (err) {
      return this.send(refusal(raw, err))
    }
    if (msg.kind === 'request') void this.answer(msg).then(this.send)
    else if (msg.kind === 'piece') {
      try {
        this.workbench.piece(msg.id, msg.index, msg.bytes)
      } catch (err) {
        this.send(refusal(raw, err))
      }
    } else this.calls.get(msg.id)?.abort(canceled())
  }

  /** Takes an untrusted request; always answers with an envelope, never throws. */
  async handle(raw: unknown): Promise<ResponseEnvelope> {
    try {
      return await this.answer(parseRequest(raw))
    } catch (err) {
      return refusal(raw, err)
    }
  }

  private async answer(req: { id: number; channel: Channel; payload: Requests[Channel] }): Promise<ResponseEnvelope> {
    try {
      return { id: req.id, ok: true, result: await this.request(req.id, req.channel, req.payload) }
    } catch (err) {
      return { id: req.id, ok: false, error: toErrorPayload(err) }
    }
  }

  private async request(id: number, channel: Channel, payload: Requests[Channel]): Promise<unknown> {
    if (this.closed) throw codedError('ECANCELED', 'the window closed')
    if (this.calls.has(id)) throw new ContractError(`id: request ${id} is still running: a request id is used once`)
    const controller = new AbortController()
    this.calls.set(id, controller)
    let open = true
    const end = () => {
      if (!open) return
      open = false
      if (this.calls.get(id) === controller) this.calls.delete(id)
    }
    const call: Call = {
      id,
      signal: controller.signal,
      emit: (event, payload) => {
        if (open) this.send({ sub: id, event, payload })
      },
      end: () => {
        if (open && SUBSCRIPTION_CHANNELS.includes(channel)) this.send({ sub: id, end: true })
        end()
      }
    }
    // An unsubscribe (or the window closing) ends the subscription too.
    controller.signal.addEventListener('abort', end, { once: true })
    try {
      const result = await (this.handlers[channel] as (p: unknown, call: Call) => unknown)(payload, call)
      if (!SUBSCRIPTION_CHANNELS.includes(channel)) end()
      return result
    } catch (err) {
      end()
      throw err
    }
  }

  private walk(p: Requests['heap.walk'], call: Call): Promise<Responses['heap.walk']> {
    const limit = p.limit ?? MAX_BLOCKS_PER_PAGE
    return this.tracked(call, () => {
      // A page of `limit` blocks a heap, as objects and then as the answer's JSON.
      const lease = this.budget.reserve('heap walk', limit * PAGE_BYTES_PER_BLOCK, `a heap walk of ${limit.toLocaleString('en-US')} blocks a heap`)
      const run = walkHeaps(this.deps.addon, { pid: p.pid, heapId: p.heapId, offset: p.offset, limit, stopTarget: p.stopTarget }, (progress) =>
        call.emit('heap.progress', progress)
      )
      return { result: run.result.finally(() => lease.release()), cancel: () => run.cancel() }
    })
  }

  /** Runs a walk that the request's signal cancels (a cancel by its id, or the window closing). */
  private async tracked<T>(call: Call, start: () => { result: Promise<T>; cancel(): void }): Promise<T> {
    if (call.signal.aborted) throw canceled()
    if (this.runningWalks >= MAX_RUNNING_WALKS) throw codedError('EBUSY', `${MAX_RUNNING_WALKS} heap walks are running in this window already: wait for one to end or cancel it`)
    const run = start()
    this.runningWalks++
    const cancel = () => run.cancel()
    call.signal.addEventListener('abort', cancel, { once: true })
    try {
      return await run.result
    } finally {
      this.runningWalks--
      call.signal.removeEventListener('abort', cancel)
    }
  }

  private async startWatch(p: Requests['watch.start'], call: Call): Promise<Responses['watch.start']> {
    // No answer carries the document's records (watch.stop and watch.ended carry totals), so it keeps
    // none; its summary counts them all, and the stream's ring keeps the recent ones (watch.query).
    const watch = await this.watchStarts.start(
      this.watches.size,
      call,
      () => this.closed,
      () => this.budget.reserve('watch', WATCH_BYTES, 'a watch'),
      () => WsWatchSession.start(this.deps.addon, { pid: p.pid, mechanism: p.mechanism, maxRecords: 0 })
    )
    const watchId = this.nextWatchId++
    this.watches.set(watchId, { watch, call })
    this.streams.add(watchId, watch)
    // Unsubscribing stops the watch: nobody would see it.
    call.signal.addEventListener('abort', () => void watch.stop(), { once: true })
    void watch.done.then((doc) => {
      this.watches.delete(watchId)
      if (doc.endReason !== 'stopped') call.emit('watch.ended', { watchId, ...watchEnd(doc) })
      call.end()
    })
    return { watchId, mechanism: watch.mechanism }
  }

  close(): void {
    this.closed = true
    // Every request and subscription ends: walks are cancelled, watches and captures stopped.
    for (const controller of [...this.calls.values()]) controller.abort(codedError('ECANCELED', 'the window closed'))
    this.traces.close()
    this.workbench.close()
    this.streams.close()
    this.heapViews.closeAll()
  }
}
