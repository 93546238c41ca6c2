// The one working-set watch of this window: start, stop, and the store its updates fill. Lives at
// the top of the app, so the watch keeps running (and its charts keep their data) across tabs and
// process selections.
import { useCallback, useEffect, useMemo, useRef, useState } from 'react'
import type { WATCH_MECHANISMS } from '../../../src-common/contract/contract'
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

  useEffect(() => {
    const offUpdate = api.on('watch.update', (u) => current.current.store?.apply(u))
    const offEnded = api.on('watch.ended', ({ watchId, doc }) => {
      if (current.current.store?.watchId === watchId) setState((s) => ({ ...s, phase: 'ended', endReason: doc.endReason }))
    })
    return () => {
      offUpdate()
      offEnded()
    }
  }, [api])

  const start = useCallback(
    (pid: number, mechanism: Mechanism) => {
      const previous = current.current
      if (previous.phase === 'running' && previous.store) void api.invoke('watch.stop', { watchId: previous.store.watchId }).catch(() => {})
      setState({ ...IDLE, phase: 'starting', pid })
      api.invoke('watch.start', { pid, mechanism }).then(
        ({ watchId, mechanism: used }) => setState({ ...IDLE, phase: 'running', pid, mechanism: used, store: new WatchStore(watchId) }),
        (error: unknown) => setState({ ...IDLE, phase: 'failed', pid, problem: toErrorPayload(error) })
      )
    },
    [api]
  )

  const stop = useCallback(() => {
    const { store } = current.current
    if (!store) return
    setState((s) => ({ ...s, phase: 'stopping' }))
    api.invoke('watch.stop', { watchId: store.watchId }).then(
      (doc) => setState((s) => ({ ...s, phase: 'ended', endReason: doc.endReason })),
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
