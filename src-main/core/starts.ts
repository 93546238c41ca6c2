// How a window starts something long-running that it then owns (a watch, a capture): counted against
// the window's limit while it starts, under a lease of the host's budget that ends with it, and stopped
// at once when its request was cancelled (or its window closed) before it had started.
import { codedError } from '../../src-common/contract/errors'
import type { Lease } from './budget'
import type { Call } from './call'

export interface Startable {
  readonly done: Promise<unknown>
  stop(): unknown
}

export class Starts {
  private inFlight = 0

  constructor(
    private readonly max: number,
    /** what it starts, for messages: "watch", "capture" */
    private readonly what: string,
    private readonly plural = `${what}s`
  ) {}

  async start<T extends Startable>(running: number, call: Call, closed: () => boolean, reserve: () => Lease, start: () => Promise<T>): Promise<T> {
    if (running + this.inFlight >= this.max) throw codedError('EBUSY', `${this.max} ${this.plural} are running in this window already: stop one first`)
    const lease = reserve()
    this.inFlight++
    let started: T
    try {
      started = await start()
    } catch (err) {
      lease.release()
      throw err
    } finally {
      this.inFlight--
    }
    void started.done.then(() => lease.release())
    if (call.signal.aborted) {
      // Nobody will stop it but us.
      void started.stop()
      throw codedError('ECANCELED', closed() ? `the window closed while the ${this.what} was starting` : `the ${this.what} was cancelled while it was starting`)
    }
    return started
  }
}
