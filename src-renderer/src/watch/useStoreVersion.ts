// Re-renders with each update of a watch store, unless `live` is false (paused or hidden views keep
// what they drew and cost nothing while the watch streams on).
// A transition, not useSyncExternalStore: a watch at full speed redraws its charts several times a
// second, and a synchronous render of them held the main thread for 20-50 ms at a time (frames of
// 50-67 ms while scrolling or with a core busy). A transition renders in slices that yield to the
// browser between frames; the next update interrupts a stale one. Updates land between slices, so
// two panes of one render may draw consecutive versions; the render that update scheduled evens them.
import { startTransition, useEffect, useState } from 'react'
import type { WatchStore } from './watchStore'

export function useStoreVersion(store: WatchStore | null, live = true): number {
  const [version, setVersion] = useState(() => store?.version ?? -1)
  useEffect(() => {
    if (!store) return setVersion(-1)
    // Catch up with what arrived before subscribing (or while paused), then follow.
    setVersion(store.version)
    if (!live) return
    return store.subscribe(() => startTransition(() => setVersion(store.version)))
  }, [store, live])
  return store ? version : -1
}
