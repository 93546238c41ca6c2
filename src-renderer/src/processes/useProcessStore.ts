// Subscribes to the process watch and folds its deltas into the store; one timer ends the
// added/removed marking windows when they are due.
import { startTransition, useEffect, useState } from 'react'
import type { ConnectedApi } from '../api/connectedApi'
import { toErrorPayload } from '../../../src-common/contract/errors'
import { applyDelta, emptyStore, expireMarks, nextExpiry, type ProcessStore } from './processStore'

export const WATCH_INTERVAL_MS = 1000

export interface WatchProblem {
  /** what failed: starting the watch, or one refresh of it */
  kind: 'watch' | 'refresh'
  code: string
  message: string
}

export function useProcessStore(api: ConnectedApi) {
  const [store, setStore] = useState<ProcessStore>(emptyStore)
  const [problem, setProblem] = useState<WatchProblem | null>(null)

  useEffect(() => {
    // One subscription: its events are this watch's; aborting it unsubscribes (the host stops polling for us).
    const subscription = new AbortController()
    api
      .invoke(
        'processes.watch',
        { intervalMs: WATCH_INTERVAL_MS },
        {
          signal: subscription.signal,
          onEvent: (e) => {
            if (e.event === 'processes.error') return setProblem({ kind: 'refresh', code: e.payload.code, message: e.payload.message })
            const delta = e.payload
            // A transition: redrawing 5,000 processes yields to input, so a refresh never stalls a scroll.
            startTransition(() => {
              setStore((s) => applyDelta(s, delta, Date.now()))
              setProblem(null)
            })
          }
        }
      )
      .catch((e: unknown) => {
        if (!subscription.signal.aborted) setProblem({ kind: 'watch', ...toErrorPayload(e) })
      })
    return () => subscription.abort()
  }, [api])

  useEffect(() => {
    const due = nextExpiry(store)
    if (due === null) return
    const timer = setTimeout(() => setStore((s) => expireMarks(s, Date.now())), Math.max(0, due - Date.now()))
    return () => clearTimeout(timer)
  }, [store])

  return { store, problem }
}
