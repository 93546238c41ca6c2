// Which stretch of the watch the charts show: live (the last `spanMs`, following new data) or fixed
// (paused, zoomed or panned). Pure, so the keyboard and button actions are testable without charts.
import { WINDOW_MS } from './watchStore'

export const LIVE_SPAN_MS = 60_000
const MIN_SPAN_MS = 1_000
/** a young watch is shown over at least this much, not squeezed into the first pixels of a minute */
const MIN_LIVE_MS = 10_000

export type ViewWindow = { mode: 'live'; spanMs: number } | { mode: 'fixed'; from: number; to: number }

export const LIVE: ViewWindow = { mode: 'live', spanMs: LIVE_SPAN_MS }

/** [from, to) in ms since the watch started, for a store whose newest moment is `nowMs`. */
export function range(w: ViewWindow, nowMs: number): { from: number; to: number } {
  if (w.mode === 'fixed') return { from: w.from, to: w.to }
  const to = Math.max(nowMs, MIN_LIVE_MS)
  return { from: Math.max(0, to - w.spanMs), to }
}

/** Keeps a fixed window inside what the store still holds (and what the live view spans). */
function clamp(from: number, to: number, nowMs: number): ViewWindow {
  const span = Math.max(MIN_SPAN_MS, Math.min(WINDOW_MS, to - from))
  const start = Math.max(0, nowMs - WINDOW_MS)
  const end = Math.max(nowMs, MIN_LIVE_MS)
  const lo = Math.min(Math.max(from, start), Math.max(start, end - span))
  return { mode: 'fixed', from: lo, to: lo + span }
}

export type WindowAction =
  | { kind: 'pause' }
  | { kind: 'live' }
  | { kind: 'zoom'; from: number; to: number }
  | { kind: 'scale'; factor: number }
  | { kind: 'pan'; fraction: number }

export function nextWindow(w: ViewWindow, action: WindowAction, nowMs: number): ViewWindow {
  const { from, to } = range(w, nowMs)
  switch (action.kind) {
    case 'pause':
      return { mode: 'fixed', from, to }
    case 'live':
      return LIVE
    case 'zoom':
      return clamp(Math.min(action.from, action.to), Math.max(action.from, action.to), nowMs)
    case 'scale': {
      const mid = (from + to) / 2
      const half = ((to - from) * action.factor) / 2
      return clamp(mid - half, mid + half, nowMs)
    }
    case 'pan': {
      const shift = (to - from) * action.fraction
      return clamp(from + shift, to + shift, nowMs)
    }
  }
}
