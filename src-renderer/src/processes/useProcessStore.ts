// Subscribes to the process watch and folds its deltas into the store; one timer ends the
// added/removed marking windows when they are due.
import { startTransition, useEffect, useState } from 'react'
import type { Events } from '../../../src-common/contract/contract'
import { toErrorPayload } from '../../../src-common/contract/errors'
import type { ConnectedApi } from '../api/connectedApi'
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
    const offDelta = api.on('processes.delta', (delta) => {
      // A transition: redrawing 5,000 processes yields to input, so a refresh never stalls a scroll.
      startTransition(() => {
        setStore((s) => applyDelta(s, delta, Date.now()))
        setProblem(null)
      })
    })
    const offError = api.on('processes.error', (e: Events['processes.error']) =>
      setProblem({ kind: 'refresh', code: e.code, message: e.message })
    )
    api.invoke('processes.watch', { intervalMs: WATCH_INTERVAL_MS }).catch((e: unknown) =>
      setProblem({ kind: 'watch', ...toErrorPayload(e) })
    )
    return () => {
      offDelta()
      offError()
      // Best effort: the host drops the watch anyway when the window or socket goes away.
      api.invoke('processes.unwatch', {}).catch(() => {})
    }
  }, [api])

  useEffect(() => {
    const due = nextExpiry(store)
    if (due === null) return
    const timer = setTimeout(() => setStore((s) => expireMarks(s, Date.now())), Math.max(0, due - Date.now()))
    return () => clearTimeout(timer)
  }, [store])

  return { store, problem }
}
