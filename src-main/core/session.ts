// One connected renderer (an Electron window or a browser tab): validates its requests against the
// contract, runs them, and owns the services it subscribed to. Host-agnostic: the Electron main
// process and the browser-mode host both put their transport around this.

import type { NativeAddon } from '../../native/index'
import {
  MAX_BLOCKS_PER_PAGE,
  MAX_FAULTS_PER_ANSWER,
  parseRequest,
  type Channel,
  type EmitEvent,
  type Hello,
  type Requests,
  type ResponseEnvelope,
  type Responses
} from '../../src-common/contract/contract'
import { ProcessHub, type ProcessSubscriber } from './processHub'
import { PAGE_BYTES_PER_BLOCK, WATCH_BYTES, hostBudget, type HostBudget } from './budget'
import { takeSnapshot } from './snapshot'
import { walkHeaps } from './heapWalk'
import { HeapViews } from './heapView'
import { processExtras } from './processExtras'
import { WatchStreams } from './watchStream'
import { WsWatchSession } from './wsWatch'
import { Workbench, type WorkbenchDeps } from './workbench/workbench'
import { codedError, toErrorPayload } from '../../src-common/contract/errors'

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

export class Session {
  private readonly processes: ProcessHub
  private readonly budget: HostBudget
  private readonly subscriber: ProcessSubscriber
  private readonly workbench: Workbench
  private readonly walks = new Map<number, { cancel(): void }>()
  private readonly watches = new Map<number, WsWatchSession>()
  private readonly heapViews: HeapViews
  private readonly streams: WatchStreams
  private nextWatchId = 1
  private startingWatches = 0
  private closed = false

  constructor(
    private readonly deps: SessionDeps,
    private readonly emit: EmitEvent
  ) {
    this.processes = deps.processes ?? new ProcessHub(deps.addon)
    this.budget = deps.budget ?? hostBudget()
    this.subscriber = { delta: (d) => emit('processes.delta', d), error: (e) => emit('processes.error', e) }
    this.workbench = new Workbench({ ...deps, budget: this.budget }, emit)
    this.heapViews = new HeapViews(deps.addon, this.budget)
    this.streams = new WatchStreams((update) => emit('watch.update', update))
  }

  /** Takes an untrusted envelope; always answers with an envelope, never throws. */
  async handle(raw: unknown): Promise<ResponseEnvelope> {
    const id = typeof (raw as { id?: unknown })?.id === 'number' ? (raw as { id: number }).id : -1
    try {
      const req = parseRequest(raw)
      return { id: req.id, ok: true, result: await this.dispatch(req.channel, req.payload) }
    } catch (err) {
      return { id, ok: false, error: toErrorPayload(err) }
    }
  }

  async dispatch<C extends Channel>(channel: C, payload: Requests[C]): Promise<Responses[C]> {
    const handlers: { [K in Channel]: (p: Requests[K]) => Promise<Responses[K]> | Responses[K] } = {
      'app.hello': () => ({ version: this.deps.version, host: this.deps.addon.host(), mode: this.deps.mode, elevated: this.deps.addon.elevated() }),
      ...this.workbench.handlers,
      'snapshot.take': (p) => takeSnapshot(this.deps.addon, p),
      'processes.watch': (p) => {
        this.processes.subscribe(this.subscriber, p.intervalMs)
        return { intervalMs: p.intervalMs }
      },
      'processes.unwatch': () => {
        this.processes.unsubscribe(this.subscriber)
        return { ok: true }
      },
      'heap.walk': (p) => this.walk(p),
      'heap.cancel': (p) => {
        const run = this.walks.get(p.walkId)
        run?.cancel()
        return { cancelled: run !== undefined }
      },
      'watch.start': (p) => this.startWatch(p),
      'watch.stop': async (p) => {
        const watch = this.watches.get(p.watchId)
        if (!watch) throw codedError('ENOENT', `no watch ${p.watchId} in this session`)
        return watch.stop()
      },
      'process.details': (p) => processExtras(this.deps.addon, p.pid),
      'heap.open': (p) =>
        this.tracked(p.viewId, () => this.heapViews.open(p, (progress) => this.emit('heap.progress', { walkId: p.viewId, ...progress }))),
      'heap.blocks': (p) => this.heapViews.blocks(p),
      'heap.find': (p) => this.heapViews.find(p),
      'heap.close': (p) => this.heapViews.close(p.viewId),
      'watch.query': (p) => this.streams.query(p)
    }
    return handlers[channel](payload)
  }

  private walk(p: Requests['heap.walk']): Promise<Responses['heap.walk']> {
    const limit = p.limit ?? MAX_BLOCKS_PER_PAGE
    return this.tracked(p.walkId, () => {
      // A page of `limit` blocks a heap, as objects and then as the answer's JSON.
      const lease = this.budget.reserve('heap walk', limit * PAGE_BYTES_PER_BLOCK, `a heap walk of ${limit.toLocaleString('en-US')} blocks a heap`)
      const run = walkHeaps(this.deps.addon, { pid: p.pid, heapId: p.heapId, offset: p.offset, limit, stopTarget: p.stopTarget }, (progress) =>
        this.emit('heap.progress', { walkId: p.walkId, ...progress })
      )
      return { result: run.result.finally(() => lease.release()), cancel: () => run.cancel() }
    })
  }

  /** Starts a walk and keeps it cancellable (heap.cancel) by its id until it settles. */
  private async tracked<T>(walkId: number, start: () => { result: Promise<T>; cancel(): void }): Promise<T> {
    // close() cancels the walks it knows of: one started after it would run on with nobody to answer.
    if (this.closed) throw codedError('ECANCELED', 'the window closed: the walk was not started')
    if (this.walks.has(walkId)) throw codedError('EBUSY', `walk ${walkId} is already running`)
    if (this.walks.size >= MAX_RUNNING_WALKS) throw codedError('EBUSY', `${MAX_RUNNING_WALKS} heap walks are running in this window already: wait for one to end or cancel it`)
    const run = start()
    this.walks.set(walkId, run)
    try {
      return await run.result
    } finally {
      this.walks.delete(walkId)
    }
  }

  private async startWatch(p: Requests['watch.start']): Promise<Responses['watch.start']> {
    if (this.watches.size + this.startingWatches >= MAX_WATCHES) throw codedError('EBUSY', `${MAX_WATCHES} watches are running in this window already: stop one first`)
    const lease = this.budget.reserve('watch', WATCH_BYTES, 'a watch')
    this.startingWatches++
    let watch: WsWatchSession
    try {
      // The document keeps only what a watch.stop answer carries; the stream's ring keeps the recent records.
      watch = await WsWatchSession.start(this.deps.addon, { pid: p.pid, mechanism: p.mechanism, maxRecords: MAX_FAULTS_PER_ANSWER })
    } catch (err) {
      lease.release()
      throw err
    } finally {
      this.startingWatches--
    }
    void watch.done.then(() => lease.release())
    if (this.closed) {
      // The window went away while the watch was starting: nobody will stop it but us.
      void watch.stop()
      throw codedError('ECANCELED', 'the window closed while the watch was starting')
    }
    const watchId = this.nextWatchId++
    this.watches.set(watchId, watch)
    this.streams.add(watchId, watch)
    void watch.done.then((doc) => {
      this.watches.delete(watchId)
      if (doc.endReason !== 'stopped') this.emit('watch.ended', { watchId, doc })
    })
    return { watchId, mechanism: watch.mechanism }
  }

  close(): void {
    this.closed = true
    this.processes.unsubscribe(this.subscriber)
    this.workbench.close()
    for (const run of this.walks.values()) run.cancel()
    for (const watch of this.watches.values()) void watch.stop()
    this.streams.close()
    this.heapViews.closeAll()
  }
}
