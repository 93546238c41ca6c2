import { useSyncExternalStore } from 'react'
import type { ConnectedApi } from './connectedApi'

export function useConnectionState(api: ConnectedApi) {
  return useSyncExternalStore(
    (onChange) => api.onConnectionChange(onChange),
    () => api.connectionState()
  )
}
