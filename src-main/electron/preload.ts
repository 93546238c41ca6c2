// Sandboxed preload: exposes only the typed contract (window.snapscope), never ipcRenderer itself.

import { contextBridge, ipcRenderer } from 'electron'
import { ELECTRON_EVENT, ELECTRON_INVOKE, type EventEnvelope, type ResponseEnvelope, type SnapscopeApi } from '../../src-common/contract/contract'

let nextId = 1

const api: SnapscopeApi = {
  async invoke(channel, payload) {
    const res = (await ipcRenderer.invoke(ELECTRON_INVOKE, { id: nextId++, channel, payload })) as ResponseEnvelope
    // contextBridge copies only an Error's message, so the code travels inside it.
    if (!res.ok) throw new Error(`[${res.error.code}] ${res.error.message}`)
    return res.result as never
  },
  on(event, listener) {
    const handler = (_e: unknown, msg: EventEnvelope): void => {
      if (msg.event === event) listener(msg.payload as never)
    }
    ipcRenderer.on(ELECTRON_EVENT, handler)
    return () => void ipcRenderer.removeListener(ELECTRON_EVENT, handler)
  }
}

contextBridge.exposeInMainWorld('snapscope', api)
