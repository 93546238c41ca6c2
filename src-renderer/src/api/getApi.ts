// Picks the transport: the preload's bridge inside Electron, otherwise a WebSocket back to the
// host that served this page (browser mode), authenticated by the session cookie the host set when
// it answered the URL with the token, or by a token still in the page URL.
import type { SnapscopeBridge } from '../../../src-common/contract/contract'
import { createClient } from './client'
import type { ConnectedApi } from './connectedApi'
import { createWebSocketApi } from './webSocketApi'

declare global {
  interface Window {
    snapscope?: SnapscopeBridge
  }
}

export function browserModeUrl(location: Pick<Location, 'protocol' | 'host' | 'search'>): string {
  const token = new URLSearchParams(location.search).get('token')
  const scheme = location.protocol === 'https:' ? 'wss' : 'ws'
  return `${scheme}://${location.host}/ws${token === null ? '' : `?token=${encodeURIComponent(token)}`}`
}

/** Electron: the same protocol client over the preload's pipe (structured clones: codes stay fields). */
export function electronApi(bridge: SnapscopeBridge): ConnectedApi {
  // A piece is a view of the whole body: cloned as it is, it would carry all of the body's bytes each time.
  const client = createClient((message) => bridge.send('piece' in message ? { ...message, bytes: message.bytes.slice() } : message))
  bridge.onMessage((message) => client.receive(message))
  return {
    mode: 'electron',
    invoke: (channel, payload, options) => client.invoke(channel, payload, options),
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
