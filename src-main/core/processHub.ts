// One process provider for every window of a host, as System Informer has one provider for all its
// views: one snapshot per interval however many windows watch, and a window that subscribes while the
// list is live gets it at once (a reset delta), then the same deltas as everyone.

import type { NativeAddon } from '../../native/index'
import type { ProcessDelta } from '../../src-common/contract/types'
import { ProcessProvider, type ProcessProviderEvents } from './processProvider'

export interface ProcessSubscriber {
  delta(delta: ProcessDelta): void
  error(error: ProcessProviderEvents['error'][0]): void
}

export class ProcessHub {
  private readonly provider: ProcessProvider
  /** subscriber -> the interval it asked for; the provider polls at the shortest */
  private readonly subscribers = new Map<ProcessSubscriber, number>()
  /** the last delta sent: its seq, time and errors stamp the reset a late subscriber gets */
  private last: ProcessDelta | null = null

  constructor(addon: NativeAddon) {
    this.provider = new ProcessProvider(addon, 1000)
    this.provider.on('delta', (delta) => {
      this.last = delta
      for (const s of this.subscribers.keys()) s.delta(delta)
    })
    this.provider.on('error', (error) => {
      for (const s of this.subscribers.keys()) s.error(error)
    })
  }

  /** Starts (or re-times) the deltas for `subscriber`; it gets the current list first when there is one. */
  subscribe(subscriber: ProcessSubscriber, intervalMs: number): void {
    this.subscribers.set(subscriber, intervalMs)
    const shortest = Math.min(...this.subscribers.values())
    if (!this.provider.isRunning) return this.provider.start(shortest) // its first delta is a reset, for everyone
    this.provider.retime(shortest)
    if (this.last) subscriber.delta(this.resetDelta(this.last))
  }

  unsubscribe(subscriber: ProcessSubscriber): void {
    if (!this.subscribers.delete(subscriber)) return
    if (this.subscribers.size > 0) return this.provider.retime(Math.min(...this.subscribers.values()))
    // Nobody watches: stop polling; the next subscriber starts from a fresh list.
    this.provider.stop()
    this.last = null
  }

  get watching(): number {
    return this.subscribers.size
  }

  private resetDelta(last: ProcessDelta): ProcessDelta {
    const { processes, threads } = this.provider.current()
    return {
      ...last,
      reset: true,
      added: processes,
      changed: [],
      removed: [],
      threadsAdded: threads,
      threadsChanged: [],
      threadsRemoved: []
    }
  }
}
