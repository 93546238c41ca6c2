// Which processes are collapsed. The unfiltered tree and the filtered view keep separate sets: a new
// filter starts fully expanded (so every match is visible), and clearing it restores the tree as it was.
import { useCallback, useState } from 'react'

type Collapsed = ReadonlySet<number>
interface State {
  tree: Collapsed
  filtered: { query: string; collapsed: Collapsed }
}

const NONE: Collapsed = new Set()
const isFiltering = (query: string) => query.trim() !== ''

function collapsedFor(state: State, query: string): Collapsed {
  if (!isFiltering(query)) return state.tree
  return state.filtered.query === query ? state.filtered.collapsed : NONE
}

/** Returns the current set and an updater whose identity changes only with the query (rows are memoized). */
export function useCollapsed(query: string) {
  const [state, setState] = useState<State>({ tree: NONE, filtered: { query: '', collapsed: NONE } })
  const update = useCallback(
    (change: (collapsed: Collapsed) => Collapsed) =>
      setState((s) => {
        const next = change(collapsedFor(s, query))
        return isFiltering(query) ? { ...s, filtered: { query, collapsed: next } } : { ...s, tree: next }
      }),
    [query]
  )
  return [collapsedFor(state, query), update] as const
}
