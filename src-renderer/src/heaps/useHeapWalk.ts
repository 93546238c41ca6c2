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
  | { phase: 'walking'; heapId: string; viewId: number; progress: HeapProgress | null }
  | { phase: 'done'; view: HeapView }
  | { phase: 'failed'; heapId: string; problem: Problem }

/** progress redraws at most this often: a fast walk reports far more often than anyone can read */
const PROGRESS_MS = 100

export function useHeapWalk(api: ConnectedApi) {
  const [state, setState] = useState<WalkState>({ phase: 'idle' })
  const current = useRef(state)
  current.current = state

  useEffect(() => {
    let last = 0
    const off = api.on('heap.progress', (progress) => {
      const s = current.current
      const now = performance.now()
      if (s.phase !== 'walking' || s.viewId !== progress.walkId || now - last < PROGRESS_MS) return
      last = now
      setState({ ...s, progress })
    })
    return () => {
      off()
      // The main process keeps a walk until told (or until newer walks push it out).
      const s = current.current
      if (s.phase === 'done') void api.invoke('heap.close', { viewId: s.view.viewId }).catch(() => {})
    }
  }, [api])

  const walk = useCallback(
    (pid: number, heapId: string, stopTarget: boolean) => {
      const previous = current.current
      if (previous.phase === 'done') void api.invoke('heap.close', { viewId: previous.view.viewId }).catch(() => {})
      const viewId = nextWalkId()
      setState({ phase: 'walking', heapId, viewId, progress: null })
      api.invoke('heap.open', { viewId, pid, heapId, stopTarget }).then(
        (view) => current.current.phase === 'walking' && setState({ phase: 'done', view }),
        (error: unknown) => setState({ phase: 'failed', heapId, problem: toErrorPayload(error) })
      )
    },
    [api]
  )

  const cancel = useCallback(() => {
    const s = current.current
    if (s.phase === 'walking') void api.invoke('heap.cancel', { walkId: s.viewId }).catch(() => {})
  }, [api])

  return { state, walk, cancel }
}
