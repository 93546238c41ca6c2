// Sandboxed preload: exposes only a message pipe for the contract (window.snapscope), never ipcRenderer
// itself. Messages cross as structured clones, so bytes stay Uint8Arrays and an error's code stays a
// field of its envelope; the protocol (ids, cancel, subscriptions) is the renderer's shared client.

import { contextBridge, ipcRenderer } from 'electron'
import type { HostMessage, SnapscopeBridge } from '../../src-common/contract/contract'
import { ELECTRON_MESSAGE, ELECTRON_SEND } from '../../src-common/contract/electronChannels'

const bridge: SnapscopeBridge = {
  send: (message) => ipcRenderer.send(ELECTRON_SEND, message),
  onMessage: (listener) => void ipcRenderer.on(ELECTRON_MESSAGE, (_e, message: HostMessage) => listener(message))
}

contextBridge.exposeInMainWorld('snapscope', bridge)
