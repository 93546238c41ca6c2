// Watch controllers for views that only read the watch (modules): idle, or holding a recorded store.
import type { WatchController } from '../watch/useWatchController'
import { WatchStore } from '../watch/watchStore'
import { watchUpdates } from './recorded'

export function idleWatch(start: WatchController['start'] = () => {}): WatchController {
  return { phase: 'idle', pid: null, mechanism: '', endReason: '', problem: null, store: null, start, stop: () => {} }
}

/** A watch of the recorded watch_toucher, every update applied. */
export function recordedWatch(): WatchController {
  const store = new WatchStore(watchUpdates.updates[0].watchId)
  for (const u of watchUpdates.updates) store.apply(u)
  return { ...idleWatch(), phase: 'ended', pid: watchUpdates.pid, mechanism: 'perf-page-faults', endReason: 'stopped', store }
}
