// Polls the backend on an interval and emits only what moved (added / changed / removed), as
// System Informer's process provider does. Ticks are chained, never overlapped, so a slow snapshot
// delays the next one instead of piling up.

import { EventEmitter } from 'node:events'
import type { NativeAddon } from '../../native/index'
import type { ProcessDelta, ProcessEntry, ThreadEntry } from '../../src-common/contract/types'
import { diffKeyed, sameProcess, sameThread } from './processDiff'
import { takeSnapshot } from './snapshot'
import { toErrorPayload } from '../../src-common/contract/errors'

export interface ProcessProviderEvents {
  delta: [ProcessDelta]
  error: [{ code: string; message: string }]
}

export class ProcessProvider extends EventEmitter<ProcessProviderEvents> {
  private processes = new Map<number, ProcessEntry>()
  private threads = new Map<number, ThreadEntry>()
  private seq = 0
  private timer: NodeJS.Timeout | undefined
  private running = false
  private needsReset = true

  constructor(
    private readonly addon: NativeAddon,
    private intervalMs: number
  ) {
    super()
  }

  /** Starts polling (or changes the interval); the next delta is a reset carrying the whole list. */
  start(intervalMs = this.intervalMs): void {
    this.intervalMs = intervalMs
    this.needsReset = true
    if (this.running) return
    this.running = true
    void this.tick()
  }

  stop(): void {
    this.running = false
    clearTimeout(this.timer)
    this.timer = undefined
  }

  get isRunning(): boolean {
    return this.running
  }

  /** Polls every `intervalMs` from the next refresh on, without a reset. */
  retime(intervalMs: number): void {
    this.intervalMs = intervalMs
  }

  /** The list as of the last refresh: what a reset delta carries. */
  current(): { processes: ProcessEntry[]; threads: ThreadEntry[] } {
    return { processes: [...this.processes.values()], threads: [...this.threads.values()] }
  }

  /** One refresh; exposed so tests and callers can drive the provider without timers. */
  async refresh(): Promise<ProcessDelta> {
    const t0 = performance.now()
    const snap = await takeSnapshot(this.addon, { include: ['process', 'thread'] })
    const reset = this.needsReset
    if (reset) {
      this.processes.clear()
      this.threads.clear()
      this.needsReset = false
    }
    const p = diffKeyed(this.processes, snap.processes, (e) => e.pid, sameProcess)
    const t = diffKeyed(this.threads, snap.threads, (e) => e.tid, sameThread)
    return {
      seq: ++this.seq,
      takenAt: snap.takenAt,
      reset,
      added: p.added,
      changed: p.changed,
      removed: p.removed,
      threadsAdded: t.added,
      threadsChanged: t.changed,
      threadsRemoved: t.removed,
      errors: snap.errors,
      durationMs: Math.round((performance.now() - t0) * 10) / 10
    }
  }

  private async tick(): Promise<void> {
    try {
      const delta = await this.refresh()
      if (this.running) this.emit('delta', delta)
    } catch (err) {
      if (this.running) this.emit('error', toErrorPayload(err))
    }
    if (this.running) this.timer = setTimeout(() => void this.tick(), this.intervalMs)
  }
}
