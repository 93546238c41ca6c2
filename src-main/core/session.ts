// One connected renderer (an Electron window or a browser tab): validates its requests against the
// contract, runs them, and owns the services it subscribed to. Host-agnostic: the Electron main
// process and the browser-mode host both put their transport around this.

import type { NativeAddon } from '../../native/index'
import {
  ContractError,
  parseRequest,
  type Channel,
  type ErrorBody,
  type EventName,
  type Events,
  type Hello,
  type Requests,
  type ResponseEnvelope,
  type Responses
} from '../ipc/contract'
import { ProcessProvider } from './processProvider'
import { takeSnapshot } from './snapshot'
import { walkHeaps, type HeapWalkRun } from './heapWalk'
import { WsWatchSession } from './wsWatch'
import { MAX_BLOCKS_PER_PAGE, MAX_FAULTS_PER_ANSWER, type WsWatchDoc } from '../ipc/contract'

export interface SessionDeps {
  addon: NativeAddon
  mode: Hello['mode']
  version: string
}

export type EmitEvent = <E extends EventName>(event: E, payload: Events[E]) => void

export function errorBody(err: unknown): ErrorBody {
  if (err instanceof ContractError) return { code: err.code, message: err.message }
  const e = err as { code?: unknown; message?: unknown }
  return {
    code: typeof e?.code === 'string' ? e.code : 'EINTERNAL',
    message: typeof e?.message === 'string' ? e.message : String(err)
  }
}

export class Session {
  private readonly provider: ProcessProvider
  private readonly walks = new Map<number, HeapWalkRun>()
  private readonly watches = new Map<number, WsWatchSession>()
  private nextWatchId = 1

  constructor(
    private readonly deps: SessionDeps,
    private readonly emit: EmitEvent
  ) {
    this.provider = new ProcessProvider(deps.addon, 1000)
    this.provider.on('delta', (d) => emit('processes.delta', d))
    this.provider.on('error', (e) => emit('processes.error', e))
  }

  /** Takes an untrusted envelope; always answers with an envelope, never throws. */
  async handle(raw: unknown): Promise<ResponseEnvelope> {
    const id = typeof (raw as { id?: unknown })?.id === 'number' ? (raw as { id: number }).id : -1
    try {
      const req = parseRequest(raw)
      return { id: req.id, ok: true, result: await this.dispatch(req.channel, req.payload) }
    } catch (err) {
      return { id, ok: false, error: errorBody(err) }
    }
  }

  async dispatch<C extends Channel>(channel: C, payload: Requests[C]): Promise<Responses[C]> {
    const handlers: { [K in Channel]: (p: Requests[K]) => Promise<Responses[K]> | Responses[K] } = {
      'app.hello': () => ({ version: this.deps.version, host: this.deps.addon.host(), mode: this.deps.mode }),
      'snapshot.take': (p) => takeSnapshot(this.deps.addon, p),
      'processes.watch': (p) => {
        this.provider.start(p.intervalMs)
        return { intervalMs: p.intervalMs }
      },
      'processes.unwatch': () => {
        this.provider.stop()
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
        if (!watch) throw Object.assign(new Error(`no watch ${p.watchId} in this session`), { code: 'ENOENT' })
        return capFaults(await watch.stop())
      }
    }
    return handlers[channel](payload)
  }

  private async walk(p: Requests['heap.walk']): Promise<Responses['heap.walk']> {
    if (this.walks.has(p.walkId)) throw Object.assign(new Error(`walk ${p.walkId} is already running`), { code: 'EBUSY' })
    const run = walkHeaps(
      this.deps.addon,
      { pid: p.pid, heapId: p.heapId, offset: p.offset, limit: p.limit ?? MAX_BLOCKS_PER_PAGE, stopTarget: p.stopTarget },
      (progress) => this.emit('heap.progress', { walkId: p.walkId, ...progress })
    )
    this.walks.set(p.walkId, run)
    try {
      return await run.result
    } finally {
      this.walks.delete(p.walkId)
    }
  }

  private async startWatch(p: Requests['watch.start']): Promise<Responses['watch.start']> {
    const watch = await WsWatchSession.start(this.deps.addon, { pid: p.pid, mechanism: p.mechanism })
    const watchId = this.nextWatchId++
    this.watches.set(watchId, watch)
    watch.on('tick', (tick) => this.emit('watch.tick', { watchId, ...tick }))
    void watch.done.then((doc) => {
      this.watches.delete(watchId)
      if (doc.endReason !== 'stopped') this.emit('watch.ended', { watchId, doc: capFaults(doc) })
    })
    return { watchId, mechanism: watch.mechanism }
  }

  close(): void {
    this.provider.stop()
    this.provider.removeAllListeners()
    for (const run of this.walks.values()) run.cancel()
    for (const watch of this.watches.values()) void watch.stop()
  }
}

/** A watch document for IPC: the first records only; the summary still counts all of them. */
function capFaults(doc: WsWatchDoc): WsWatchDoc {
  if (doc.faults.length <= MAX_FAULTS_PER_ANSWER) return doc
  return { ...doc, faults: doc.faults.slice(0, MAX_FAULTS_PER_ANSWER), omitted: doc.omitted + doc.faults.length - MAX_FAULTS_PER_ANSWER }
}
