// The module and heap lists of one process (one snapshot serves both tabs), read when first needed
// and again on request.
import { useCallback, useEffect, useMemo, useState } from 'react'
import type { Snapshot } from '../../../src-common/contract/contract'
import type { ConnectedApi } from '../api/connectedApi'
import { toErrorPayload } from '../../../src-common/contract/errors'
import { type Problem } from '../common/problems'

export interface PidSnapshot {
  snapshot: Snapshot | null
  problem: Problem | null
  loading: boolean
  refresh(): void
}

/** Why a list (scope "modules" or "heaplist") came back empty, when the snapshot says it could not be read. */
export function listProblem(snapshot: Snapshot, scope: 'modules' | 'heaplist'): Problem | null {
  const error = snapshot.errors.find((e) => e.scope === scope)
  return error ? { code: error.code, message: error.message } : null
}

export function usePidSnapshot(api: ConnectedApi, pid: number, enabled: boolean): PidSnapshot {
  const [state, setState] = useState<{ snapshot: Snapshot | null; problem: Problem | null; loading: boolean }>({ snapshot: null, problem: null, loading: false })
  const [round, setRound] = useState(0)
  const wanted = enabled || round > 0
  useEffect(() => {
    if (!wanted) return
    let current = true
    setState((s) => ({ ...s, loading: true }))
    api.invoke('snapshot.take', { include: ['module', 'heaplist'], pid }).then(
      (snapshot) => current && setState({ snapshot, problem: null, loading: false }),
      (error: unknown) => current && setState({ snapshot: null, problem: toErrorPayload(error), loading: false })
    )
    return () => {
      current = false
    }
  }, [api, pid, wanted, round])
  const refresh = useCallback(() => setRound((r) => r + 1), [])
  return useMemo(() => ({ ...state, refresh }), [state, refresh])
}
