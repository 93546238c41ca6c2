// @vitest-environment node
// The renderer's API against the real host: a real web host and session on real fixtures, over a real
// WebSocket (the `ws` package's client); and the Electron client over a structured-clone pipe to a real
// session (what ipcRenderer/contextBridge do; no Electron binary here).
import * as fs from 'node:fs'
import * as os from 'node:os'
import * as path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { WebSocket } from 'ws'
import { loadAddon } from '../../../native/index'
import { startFixture, type RunningFixture } from '../../../native/test/fixtures'
import { MAX_UPLOAD_BYTES, UPLOAD_PIECE_BYTES, type ClientMessage, type HostMessage, type SnapscopeBridge } from '../../../src-common/contract/contract'
import { Session } from '../../../src-main/core/session'
import { makeFile } from '../../../src-main/core/files/snapshotFile'
import { startWebHost, type WebHost } from '../../../src-main/web/webHost'
import { fileOfTheLimit } from '../../../test-support/pieces'
import { HOST, proc, snapshotDoc } from '../../../test-support/testDocs'
import { electronApi } from './getApi'
import { createWebSocketApi, type WebSocketConstructor } from './webSocketApi'

const MISSING_PID = 0x7ffffff0
let host: WebHost
let fixture: RunningFixture<{ pid: number }>
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'snapscope-api-'))

beforeAll(async () => {
  host = await startWebHost({ port: 0, rendererDir: dir, deps: { addon: loadAddon(), version: 'test' }, log: () => {} })
  fixture = await startFixture<{ pid: number }>('heap_fixture', ['--blocks', '2000000'])
})
afterAll(async () => {
  await host?.close()
  await fixture?.stop()
  fs.rmSync(dir, { recursive: true, force: true })
})

const connect = () => createWebSocketApi(`ws://127.0.0.1:${host.port}/ws?token=${host.token}`, WebSocket as unknown as WebSocketConstructor)
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))

describe('the renderer API over a WebSocket to the real host', () => {
  it('answers, and carries an error code as a field', async () => {
    const api = connect()
    try {
      expect((await api.invoke('app.hello', {})).mode).toBe('browser')
      await expect(api.invoke('process.details', { pid: MISSING_PID })).rejects.toMatchObject({ name: 'ApiError', code: 'ESRCH' })
    } finally {
      api.close()
    }
  })

  it('gets the events of its subscription until it aborts it, then none', async () => {
    const api = connect()
    try {
      const seqs: number[] = []
      const subscription = new AbortController()
      await api.invoke('processes.watch', { intervalMs: 100 }, { signal: subscription.signal, onEvent: (e) => e.event === 'processes.delta' && seqs.push(e.payload.seq) })
      await expect.poll(() => seqs.length, { timeout: 5_000 }).toBeGreaterThan(2)
      subscription.abort()
      await api.invoke('app.hello', {}) // the host has the unsubscribe by the time it answers this
      const count = seqs.length
      await sleep(600)
      expect(seqs.length).toBe(count)
    } finally {
      api.close()
    }
  })

  it('cancels a heap walk by aborting its signal: the host answers ECANCELED', async () => {
    const api = connect()
    try {
      const cancel = new AbortController()
      let at = 0
      // Aborted at the first progress event (a few % in), not at a poll after it: the whole walk takes
      // only ~100 ms, and a poll's 50 ms could come after its end.
      const onEvent = () => {
        if (at) return
        at = performance.now()
        cancel.abort()
      }
      const walk = api.invoke('heap.walk', { pid: fixture.info.pid, limit: 0 }, { signal: cancel.signal, onEvent })
      await expect(walk).rejects.toMatchObject({ code: 'ECANCELED' })
      expect(at).toBeGreaterThan(0)
      // A full walk of two million blocks takes far longer than the cancel.
      expect(performance.now() - at).toBeLessThan(3_000)
    } finally {
      api.close()
    }
  })

  it('uploads a 64 MiB file as one request stream and gets a saved file back as bytes', async () => {
    const api = connect()
    try {
      const progress: number[] = []
      const opened = await api.invoke('file.upload', { name: 'big.json', size: MAX_UPLOAD_BYTES }, {
        body: fileOfTheLimit(),
        onEvent: (e) => progress.push(e.payload.received)
      })
      expect(opened).toMatchObject({ name: 'big.json', sizeBytes: MAX_UPLOAD_BYTES, items: [{ format: 'snapscope.snapshot/1' }] })
      expect(progress.at(-1)).toBe(MAX_UPLOAD_BYTES)
      const saved = await api.invoke('file.save', { fileId: opened.fileId })
      expect(saved.bytes).toBeInstanceOf(Uint8Array)
      expect([...saved.bytes.subarray(0, 2)]).toEqual([0x1f, 0x8b])
    } finally {
      api.close()
    }
  }, 60_000)
})

describe('the Electron client over a structured-clone pipe to a real session', () => {
  it('keeps error codes as fields and bytes as bytes, with no parsing of messages', async () => {
    let deliver: (m: HostMessage) => void = () => {}
    const session = new Session({ addon: loadAddon(), mode: 'electron', version: 'test' }, (m) => deliver(structuredClone(m)))
    let clonedBytes = 0
    const bridge: SnapscopeBridge = {
      send: (m: ClientMessage) => {
        // What a structured clone carries: a view's whole ArrayBuffer.
        if ('piece' in m) clonedBytes += m.bytes.buffer.byteLength
        session.receive(structuredClone(m))
      },
      onMessage: (listener) => (deliver = listener)
    }
    const api = electronApi(bridge)
    try {
      await expect(api.invoke('process.details', { pid: MISSING_PID })).rejects.toMatchObject({ name: 'ApiError', code: 'ESRCH' })
      const json = new TextEncoder().encode(JSON.stringify(makeFile([snapshotDoc([proc(7)])], HOST)))
      const opened = await api.invoke('file.upload', { name: 'a.json', size: json.length }, { body: json })
      const saved = await api.invoke('file.save', { fileId: opened.fileId })
      expect(saved.bytes).toBeInstanceOf(Uint8Array)
      expect([...saved.bytes.subarray(0, 2)]).toEqual([0x1f, 0x8b])
      // Each piece crosses alone, not with the whole body behind it.
      const big = new Uint8Array(3 * UPLOAD_PIECE_BYTES).fill(0x20)
      big.set(json, big.length - json.length)
      clonedBytes = 0
      await api.invoke('file.upload', { name: 'b.json', size: big.length }, { body: big })
      expect(clonedBytes).toBe(big.length)
    } finally {
      session.close()
    }
  })
})
