// A full walk of one heap, kept in the main process as a view the block table pages through, with
// progress while it runs and a cancel.
import { useCallback, useEffect, useRef, useState } from 'react'
import type { HeapProgress, HeapView } from '../../../src-common/contract/contract'
import type { ConnectedApi } from '../api/connectedApi'
import { toErrorPayload } from '../../../src-common/contract/errors'
import { type Problem } from '../common/problems'
import { nextWalkId } from './walkIds'

export type WalkState =
  | { phase: 'idle' }
  | { phase: 'walking'; heapId: string; viewId: number; progress: HeapProgress | null; cancel: AbortController }
  | { phase: 'done'; view: HeapView }
  | { phase: 'failed'; heapId: string; problem: Problem }

/** progress redraws at most this often: a fast walk reports far more often than anyone can read */
const PROGRESS_MS = 100

export function useHeapWalk(api: ConnectedApi) {
  const [state, setState] = useState<WalkState>({ phase: 'idle' })
  const current = useRef(state)
  current.current = state

  useEffect(() => {
    return () => {
      const s = current.current
      if (s.phase === 'walking') s.cancel.abort()
      // The main process keeps a walk until told (or until newer walks push it out).
      if (s.phase === 'done') void api.invoke('heap.close', { viewId: s.view.viewId }).catch(() => {})
    }
  }, [api])

  const walk = useCallback(
    (pid: number, heapId: string, stopTarget: boolean) => {
      const previous = current.current
      if (previous.phase === 'done') void api.invoke('heap.close', { viewId: previous.view.viewId }).catch(() => {})
      if (previous.phase === 'walking') previous.cancel.abort()
      const viewId = nextWalkId()
      const cancel = new AbortController()
      setState({ phase: 'walking', heapId, viewId, progress: null, cancel })
      let last = 0
      const onEvent = ({ payload: progress }: { payload: HeapProgress }) => {
        const s = current.current
        const now = performance.now()
        if (s.phase !== 'walking' || s.viewId !== viewId || now - last < PROGRESS_MS) return
        last = now
        setState({ ...s, progress })
      }
      api.invoke('heap.open', { viewId, pid, heapId, stopTarget }, { signal: cancel.signal, onEvent }).then(
        (view) => current.current.phase === 'walking' && setState({ phase: 'done', view }),
        (error: unknown) => setState({ phase: 'failed', heapId, problem: toErrorPayload(error) })
      )
    },
    [api]
  )

  const cancel = useCallback(() => {
    const s = current.current
    if (s.phase === 'walking') s.cancel.abort()
  }, [api])

  return { state, walk, cancel }
}
