// Re-renders with each update of a watch store, unless `live` is false (paused or hidden views keep
// what they drew and cost nothing while the watch streams on).
import { useSyncExternalStore } from 'react'
import type { WatchStore } from './watchStore'

export function useStoreVersion(store: WatchStore | null, live = true): number {
  return useSyncExternalStore(
    (onChange) => (store && live ? store.subscribe(onChange) : () => {}),
    () => store?.version ?? -1
  )
}
