// The allocation trace of this window: start, stop, the live stacks its updates fill, and the
// document it ends with (kept by the host as a file: pprof comes from it). Lives at the top of the app,
// so a trace keeps running across tabs, and the heap walk can ask for the last trace of its process.
import { useCallback, useEffect, useMemo, useRef, useState } from 'react'
import type { AllocEnd, AllocsDoc, EventOf } from '../../../src-common/contract/contract'
import { toErrorPayload } from '../../../src-common/contract/errors'
import { LiveStacks } from '../../../src-common/model/allocs/liveStacks'
import type { ConnectedApi } from '../api/connectedApi'
import type { Problem } from '../common/problems'
import { downloadPprof } from './PprofButton'

export type AllocsPhase = 'idle' | 'starting' | 'running' | 'stopping' | 'ended' | 'failed'

/** A finished trace: its document and the file the host keeps it in. */
export interface FinishedTrace {
  pid: number
  doc: AllocsDoc
  fileId: number | null
  endReason: string
}

export interface AllocsState {
  phase: AllocsPhase
  pid: number | null
  mechanism: string
  problem: Problem | null
  live: LiveStacks | null
  /** the last finished trace of each process, newest wins */
  finished: ReadonlyMap<number, FinishedTrace>
  /** bumped on every live update */
  version: number
}

export interface AllocsController extends AllocsState {
  start(pid: number): void
  stop(): void
  savePprof(trace: FinishedTrace): void
}

const IDLE: AllocsState = { phase: 'idle', pid: null, mechanism: '', problem: null, live: null, finished: new Map(), version: 0 }

export function useAllocsController(api: ConnectedApi): AllocsController {
  const [state, setState] = useState<AllocsState>(IDLE)
  const current = useRef(state)
  current.current = state
  const subscription = useRef<AbortController | null>(null)
  useEffect(() => () => subscription.current?.abort(), [api])

  const ended = useCallback((end: AllocEnd) => {
    setState((s) => {
      const doc = end.file?.items.find((i): i is AllocsDoc => i.format === 'snapscope.allocs/1')
      const finished = new Map(s.finished)
      if (doc) finished.set(end.pid, { pid: end.pid, doc, fileId: end.file!.fileId, endReason: end.endReason })
      return { ...s, phase: 'ended', finished, problem: doc ? s.problem : { code: 'EMFILE', message: `The trace ended (${end.endReason})` } }
    })
  }, [])

  const start = useCallback(
    (pid: number) => {
      subscription.current?.abort()
      const mine = (subscription.current = new AbortController())
      setState((s) => ({ ...IDLE, finished: s.finished, phase: 'starting', pid }))
      const onEvent = (e: EventOf<'allocs.start'>) => {
        if (subscription.current !== mine) return
        if (e.event === 'allocs.update') {
          current.current.live?.apply(e.payload)
          setState((s) => ({ ...s, version: s.version + 1 }))
        } else ended(e.payload)
      }
      api.invoke('allocs.start', { pid }, { signal: mine.signal, onEvent }).then(
        ({ traceId, mechanism }) =>
          subscription.current === mine && setState((s) => ({ ...s, phase: 'running', pid, mechanism, live: new LiveStacks(traceId) })),
        (error: unknown) => subscription.current === mine && setState((s) => ({ ...IDLE, finished: s.finished, phase: 'failed', pid, problem: toErrorPayload(error) }))
      )
    },
    [api, ended]
  )

  const stop = useCallback(() => {
    const { live } = current.current
    if (!live) return
    setState((s) => ({ ...s, phase: 'stopping' }))
    api.invoke('allocs.stop', { traceId: live.traceId }).then(ended, (error: unknown) => {
      // ENOENT: it had ended by itself (allocs.ended brought its document)
      const problem = toErrorPayload(error)
      setState((s) => ({ ...s, phase: 'ended', problem: problem.code === 'ENOENT' ? s.problem : problem }))
    })
  }, [api, ended])

  const savePprof = useCallback(
    (trace: FinishedTrace) => {
      if (trace.fileId === null) return
      downloadPprof(api, { fileId: trace.fileId }).catch((error: unknown) => setState((s) => ({ ...s, problem: toErrorPayload(error) })))
    },
    [api]
  )

  return useMemo(() => ({ ...state, start, stop, savePprof }), [state, start, stop, savePprof])
}
