// The host the renderer is connected to (its app.hello), for advice that depends on it: "run as root"
// is no advice to a Snapscope already running as root.
import { createContext, useContext } from 'react'
import type { Hello } from '../../../src-main/ipc/contract'

export const HostContext = createContext<Hello | null>(null)

/** true: the host runs as root; false: it does not; null: not known (yet, or on Windows) */
export const useElevated = (): boolean | null => useContext(HostContext)?.elevated ?? null
