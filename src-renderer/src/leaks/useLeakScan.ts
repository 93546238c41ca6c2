// A leak scan of one process from the app: progress while the target is stopped, a cancel, and the
// scan kept by the host as a file of the session (its blocks are paged from there).
import { useCallback, useEffect, useRef, useState } from 'react'
import type { HeapProgress, OpenedFile } from '../../../src-common/contract/contract'
import type { LeaksDoc } from '../../../src-common/contract/leakTypes'
import { toErrorPayload } from '../../../src-common/contract/errors'
import type { ConnectedApi } from '../api/connectedApi'
import type { Problem } from '../common/problems'

export type ScanState =
  | { phase: 'idle' }
  | { phase: 'scanning'; progress: HeapProgress | null; cancel: AbortController }
  | { phase: 'done'; file: OpenedFile; doc: LeaksDoc }
  | { phase: 'failed'; problem: Problem }

/** progress redraws at most this often */
const PROGRESS_MS = 100

/** `keep`: where the window has a library, each scan is handed to it (which then owns and closes the file). */
export function useLeakScan(api: ConnectedApi, pid: number, keep: ((file: OpenedFile) => void) | null) {
  const [state, setState] = useState<ScanState>({ phase: 'idle' })
  const current = useRef(state)
  current.current = state
  const keepRef = useRef(keep)
  keepRef.current = keep

  useEffect(
    () => () => {
      const s = current.current
      if (s.phase === 'scanning') s.cancel.abort()
      // The host keeps the scan as a file until told: a scan nobody shows any more is closed.
      if (s.phase === 'done' && !keepRef.current) void api.invoke('file.close', { fileId: s.file.fileId }).catch(() => {})
    },
    [api]
  )

  const scan = useCallback(() => {
    const previous = current.current
    if (previous.phase === 'scanning') return
    if (previous.phase === 'done' && !keepRef.current) void api.invoke('file.close', { fileId: previous.file.fileId }).catch(() => {})
    const cancel = new AbortController()
    setState({ phase: 'scanning', progress: null, cancel })
    let last = 0
    const onEvent = ({ payload: progress }: { payload: HeapProgress }) => {
      const s = current.current
      const now = performance.now()
      if (s.phase !== 'scanning' || s.cancel !== cancel || now - last < PROGRESS_MS) return
      last = now
      setState({ ...s, progress })
    }
    api.invoke('leaks.scan', { pid }, { signal: cancel.signal, onEvent }).then(
      (file) => {
        keepRef.current?.(file)
        setState({ phase: 'done', file, doc: file.items[0] as LeaksDoc })
      },
      (error: unknown) => setState({ phase: 'failed', problem: toErrorPayload(error) })
    )
  }, [api, pid])

  const cancel = useCallback(() => {
    const s = current.current
    if (s.phase === 'scanning') s.cancel.abort()
  }, [])

  return { state, scan, cancel }
}
