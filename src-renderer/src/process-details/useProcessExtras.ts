// Private bytes and the other figures the process list does not carry, for the selected process,
// re-read every EXTRAS_MS while its details are shown.
import { useEffect, useState } from 'react'
import type { ProcessExtras } from '../../../src-common/contract/contract'
import type { ConnectedApi } from '../api/connectedApi'

export const EXTRAS_MS = 2_000

export function useProcessExtras(api: ConnectedApi, pid: number | null, enabled: boolean): ProcessExtras | null {
  const [extras, setExtras] = useState<ProcessExtras | null>(null)
  useEffect(() => {
    setExtras(null)
    if (pid === null || !enabled) return
    let current = true
    // A process that exited answers ESRCH: the pane already says it exited, so nothing to add.
    const read = () => api.invoke('process.details', { pid }).then((e) => current && setExtras(e), () => {})
    read()
    const timer = setInterval(read, EXTRAS_MS)
    return () => {
      current = false
      clearInterval(timer)
    }
  }, [api, pid, enabled])
  return extras
}
