// The memory map of one process, read when the tab is first shown and again on Refresh; the read
// before the latest is kept, so the view can show what grew since the last look.
import { useCallback, useEffect, useMemo, useState } from 'react'
import type { MemoryMapDoc } from '../../../src-common/contract/contract'
import { toErrorPayload } from '../../../src-common/contract/errors'
import type { ConnectedApi } from '../api/connectedApi'
import type { Problem } from '../common/problems'

export interface MemoryMapState {
  doc: MemoryMapDoc | null
  /** the read before `doc` (null until Refresh has read a second time) */
  previous: MemoryMapDoc | null
  problem: Problem | null
  loading: boolean
  refresh(): void
}

export function useMemoryMap(api: ConnectedApi, pid: number, enabled: boolean): MemoryMapState {
  const [state, setState] = useState<Omit<MemoryMapState, 'refresh'>>({ doc: null, previous: null, problem: null, loading: false })
  const [round, setRound] = useState(0)
  const wanted = enabled || round > 0
  useEffect(() => {
    if (!wanted) return
    let current = true
    setState((s) => ({ ...s, loading: true }))
    api.invoke('memory.map', { pid }).then(
      (doc) => current && setState((s) => ({ doc, previous: s.doc, problem: null, loading: false })),
      (error: unknown) => current && setState((s) => ({ ...s, problem: toErrorPayload(error), loading: false }))
    )
    return () => {
      current = false
    }
  }, [api, pid, wanted, round])
  const refresh = useCallback(() => setRound((r) => r + 1), [])
  return useMemo(() => ({ ...state, refresh }), [state, refresh])
}
