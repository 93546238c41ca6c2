// The summary of a time window's raw records (top pcs, threads, modules of just that stretch), asked
// of the main process once per window.
import { useEffect, useState } from 'react'
import type { WatchQueryResult } from '../../../src-common/contract/contract'
import type { ConnectedApi } from '../api/connectedApi'
import { toErrorPayload } from '../../../src-common/contract/errors'
import { type Problem } from '../common/problems'
import type { TimeRange } from './timeChart'

export type WindowSummary = { result: WatchQueryResult | null; problem: Problem | null }

export const windowQuery = (watchId: number, range: TimeRange) => ({ watchId, fromMs: Math.floor(range.from), toMs: Math.ceil(range.to) })

export function useWindowSummary(api: ConnectedApi, watchId: number, range: TimeRange | null, module?: string, refresh = 0): WindowSummary {
  const [state, setState] = useState<WindowSummary>({ result: null, problem: null })
  useEffect(() => {
    if (!range && module === undefined) return
    let current = true
    const window = range ? windowQuery(watchId, range) : { watchId }
    api.invoke('watch.query', { ...window, module, limit: 0 }).then(
      (result) => current && setState({ result, problem: null }),
      (error: unknown) => current && setState({ result: null, problem: toErrorPayload(error) })
    )
    return () => {
      current = false
    }
  }, [api, watchId, range?.from, range?.to, module, refresh])
  return state
}
