// Used and free totals of every heap of a process: one summary-only walk (no blocks cross IPC).
import { useEffect, useState } from 'react'
import type { HeapSummary } from '../../../src-common/contract/contract'
import type { ConnectedApi } from '../api/connectedApi'
import { toErrorPayload } from '../../../src-common/contract/errors'
import { type Problem } from '../common/problems'

export interface HeapSummaries {
  byHeap: ReadonlyMap<string, HeapSummary> | null
  problem: Problem | null
}

/** `round` changes to read them again (after a walk, on refresh). */
export function useHeapSummaries(api: ConnectedApi, pid: number, enabled: boolean, round: number): HeapSummaries {
  const [state, setState] = useState<HeapSummaries>({ byHeap: null, problem: null })
  useEffect(() => {
    if (!enabled) return
    let current = true
    // A walk nobody waits for any more is cancelled (its request id is the handle).
    const cancel = new AbortController()
    api.invoke('heap.walk', { pid, limit: 0 }, { signal: cancel.signal }).then(
      (doc) => current && setState({ byHeap: new Map(doc.heaps.map((h) => [h.heapId, h.summary])), problem: null }),
      (error: unknown) => current && setState({ byHeap: null, problem: toErrorPayload(error) })
    )
    return () => {
      current = false
      cancel.abort()
    }
  }, [api, pid, enabled, round])
  return state
}
