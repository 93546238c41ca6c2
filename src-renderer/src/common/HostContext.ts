// The host the renderer is connected to (its app.hello), for advice that depends on it: "run as root"
// is no advice to a Snapscope already running as root.
import { createContext, useContext } from 'react'
import type { Hello } from '../../../src-common/contract/contract'
import type { HostAccess } from './problems'

export const HostContext = createContext<Hello | null>(null)

/** The host's OS and whether it runs as root / elevated; null until app.hello has answered. */
export function useHostAccess(): HostAccess | null {
  const hello = useContext(HostContext)
  return hello ? { os: hello.host.os, elevated: hello.elevated } : null
}
