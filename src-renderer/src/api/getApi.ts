// Picks the transport: the preload's bridge inside Electron, otherwise a WebSocket back to the
// host that served this page (browser mode), authenticated by the session cookie the host set when
// it answered the URL with the token, or by a token still in the page URL.
import type { SnapscopeApi } from '../../../src-common/contract/contract'
import { ApiError, type ConnectedApi } from './connectedApi'
import { UNCODED } from '../../../src-common/contract/errors'
import { createWebSocketApi } from './webSocketApi'

declare global {
  interface Window {
    snapscope?: SnapscopeApi
  }
}

export function browserModeUrl(location: Pick<Location, 'protocol' | 'host' | 'search'>): string {
  const token = new URLSearchParams(location.search).get('token')
  const scheme = location.protocol === 'https:' ? 'wss' : 'ws'
  return `${scheme}://${location.host}/ws${token === null ? '' : `?token=${encodeURIComponent(token)}`}`
}

/** contextBridge passes only an Error's message, so the preload sends the code as "[CODE] message". */
export function errorFromBridge(error: unknown): ApiError {
  const text = error instanceof Error ? error.message : String(error)
  const match = /\[([A-Za-z0-9_]+)\] ([\s\S]*)$/.exec(text)
  return match ? new ApiError(match[1], match[2]) : new ApiError(UNCODED, text)
}

function electronApi(bridge: SnapscopeApi): ConnectedApi {
  return {
    mode: 'electron',
    invoke: (channel, payload) =>
      bridge.invoke(channel, payload).catch((error: unknown) => {
        throw errorFromBridge(error)
      }),
    on: (event, listener) => bridge.on(event, listener),
    // The main process lives as long as the window does.
    connectionState: () => 'connected',
    onConnectionChange: () => () => {}
  }
}

export function getApi(): ConnectedApi {
  if (window.snapscope) return electronApi(window.snapscope)
  const url = browserModeUrl(window.location)
  // The token opens every process the host can read: out of the address bar (and history), should the
  // host not have taken it out with its redirect.
  const params = new URLSearchParams(window.location.search)
  if (params.has('token')) {
    params.delete('token')
    const search = params.toString()
    window.history.replaceState(window.history.state, '', `${window.location.pathname}${search ? `?${search}` : ''}${window.location.hash}`)
  }
  return createWebSocketApi(url)
}
