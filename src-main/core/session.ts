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

  constructor(
    private readonly deps: SessionDeps,
    emit: EmitEvent
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
      }
    }
    return handlers[channel](payload)
  }

  close(): void {
    this.provider.stop()
    this.provider.removeAllListeners()
  }
}
