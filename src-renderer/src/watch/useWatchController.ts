// The one working-set watch of this window: start, stop, and the store its updates fill. Lives at
// the top of the app, so the watch keeps running (and its charts keep their data) across tabs and
// process selections.
import { useCallback, useEffect, useMemo, useRef, useState } from 'react'
import type { EventOf, WATCH_MECHANISMS } from '../../../src-common/contract/contract'
import type { ConnectedApi } from '../api/connectedApi'
import { toErrorPayload } from '../../../src-common/contract/errors'
import { type Problem } from '../common/problems'
import { WatchStore } from './watchStore'

export type Mechanism = (typeof WATCH_MECHANISMS)[number]
export type WatchPhase = 'idle' | 'starting' | 'running' | 'stopping' | 'ended' | 'failed'

export interface WatchState {
  phase: WatchPhase
  pid: number | null
  mechanism: string
  /** how it ended: "stopped", "target-exited", "error: …" */
  endReason: string
  problem: Problem | null
  store: WatchStore | null
}

export interface WatchController extends WatchState {
  start(pid: number, mechanism: Mechanism): void
  stop(): void
}

const IDLE: WatchState = { phase: 'idle', pid: null, mechanism: '', endReason: '', problem: null, store: null }

export function useWatchController(api: ConnectedApi): WatchController {
  const [state, setState] = useState<WatchState>(IDLE)
  const current = useRef(state)
  current.current = state

  // The running watch's subscription: its updates and its end are addressed to it.
  const subscription = useRef<AbortController | null>(null)
  useEffect(() => () => subscription.current?.abort(), [api])

  const start = useCallback(
    (pid: number, mechanism: Mechanism) => {
      // Unsubscribing stops the previous watch (the host stops what nobody listens to).
      subscription.current?.abort()
      const mine = (subscription.current = new AbortController())
      setState({ ...IDLE, phase: 'starting', pid })
      const onEvent = (e: EventOf<'watch.start'>) => {
        if (subscription.current !== mine) return
        if (e.event === 'watch.update') current.current.store?.apply(e.payload)
        else setState((s) => ({ ...s, phase: 'ended', endReason: e.payload.endReason }))
      }
      api.invoke('watch.start', { pid, mechanism }, { signal: mine.signal, onEvent }).then(
        ({ watchId, mechanism: used }) => subscription.current === mine && setState({ ...IDLE, phase: 'running', pid, mechanism: used, store: new WatchStore(watchId) }),
        (error: unknown) => subscription.current === mine && setState({ ...IDLE, phase: 'failed', pid, problem: toErrorPayload(error) })
      )
    },
    [api]
  )

  const stop = useCallback(() => {
    const { store } = current.current
    if (!store) return
    setState((s) => ({ ...s, phase: 'stopping' }))
    api.invoke('watch.stop', { watchId: store.watchId }).then(
      (end) => setState((s) => ({ ...s, phase: 'ended', endReason: end.endReason })),
      (error: unknown) => {
        // ENOENT: it had already ended by itself (watch.ended says how).
        const problem = toErrorPayload(error)
        setState((s) => ({ ...s, phase: 'ended', problem: problem.code === 'ENOENT' ? s.problem : problem }))
      }
    )
  }, [api])

  // Stable while nothing changes: the views below are memoized on it.
  return useMemo(() => ({ ...state, start, stop }), [state, start, stop])
}
