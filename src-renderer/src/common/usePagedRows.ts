// Rows of a list that lives in the main process (a heap walk's blocks, a watch's raw records),
// fetched a page at a time for the rows in view. The cache is bounded (MAX_PAGES), at most
// MAX_IN_FLIGHT requests run at once, and pages scrolled past before their turn are never asked for:
// dragging the scrollbar across a million rows costs the pages where it stops, not every page.
import { useCallback, useEffect, useRef, useState } from 'react'
import { toErrorPayload } from '../../../src-common/contract/errors'
import { type Problem } from './problems'

export const PAGE_ROWS = 500
const MAX_PAGES = 40
const MAX_IN_FLIGHT = 2

export interface Page<R> {
  rows: R[]
  /** rows in the whole (filtered) list */
  matched: number
}

export interface PagedRows<R> {
  /** null until the first page arrives */
  total: number | null
  rowAt(index: number): R | undefined
  onWindow(first: number, end: number): void
  problem: Problem | null
}

interface State<R> {
  key: string
  pages: Map<number, R[]>
  inFlight: Set<number>
  wanted: [number, number]
  total: number | null
  problem: Problem | null
}

const fresh = <R,>(key: string): State<R> => ({ key, pages: new Map(), inFlight: new Set(), wanted: [0, 1], total: null, problem: null })

/** `key` names the list: when it changes (a new filter, a new walk) everything is fetched afresh. */
export function usePagedRows<R>(key: string, fetchPage: (offset: number, limit: number) => Promise<Page<R>>): PagedRows<R> {
  const [, setVersion] = useState(0)
  const state = useRef<State<R>>(fresh(key))
  // A new list: forget the old one before anything reads it.
  if (state.current.key !== key) state.current = fresh(key)
  const fetchRef = useRef(fetchPage)
  fetchRef.current = fetchPage

  const pump = useCallback(() => {
    const s = state.current
    if (s.problem) return // no retry storm: the view says what failed, a new key starts over
    const [first, end] = s.wanted
    for (let page = Math.floor(first / PAGE_ROWS); page * PAGE_ROWS < Math.max(end, 1) && s.inFlight.size < MAX_IN_FLIGHT; page++) {
      if (s.pages.has(page) || s.inFlight.has(page)) continue
      s.inFlight.add(page)
      const settle = (update: (s: State<R>) => void) => {
        if (state.current !== s) return // the list changed meanwhile
        s.inFlight.delete(page)
        update(s)
        setVersion((v) => v + 1)
        pump()
      }
      fetchRef.current(page * PAGE_ROWS, PAGE_ROWS).then(
        (result) =>
          settle(() => {
            s.pages.set(page, result.rows)
            // Least recently fetched first in a Map: drop beyond the budget.
            for (const old of [...s.pages.keys()].slice(0, Math.max(0, s.pages.size - MAX_PAGES))) s.pages.delete(old)
            s.total = result.matched
            s.problem = null
          }),
        (error: unknown) => settle(() => (s.problem = toErrorPayload(error)))
      )
    }
  }, [])

  useEffect(pump, [key, pump])

  const onWindow = useCallback(
    (first: number, end: number) => {
      state.current.wanted = [first, end]
      pump()
    },
    [pump]
  )

  const rowAt = useCallback((index: number) => state.current.pages.get(Math.floor(index / PAGE_ROWS))?.[index % PAGE_ROWS], [])
  return { total: state.current.total, rowAt, onWindow, problem: state.current.problem }
}
