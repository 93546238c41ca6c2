// Upload of a 64 MiB file over the WebSocket, to a host in its own process (`snapscope serve`): the
// renderer's client as the app runs it (one file.upload request, its bytes as binary frames within
// the acknowledged window) against the old way as the baseline, in the same run against the same host.
// The old channel (base64 pieces of 60,000 characters, one awaited file.upload each) is gone from the
// host, so the baseline client does what the old renderer did per piece — base64 of 45,000 bytes, a
// JSON frame of it, then wait for the host's answer before the next — and, the host taking bytes only,
// decodes the piece back and sends it as one binary piece, waiting for its acknowledgement: the same
// round trip per piece. The host's own JSON parse and base64 check of the old path are not counted, so
// the baseline is if anything faster than the old code was. The file is valid JSON after whitespace
// (it opens, so the answer proves every byte arrived in place); best of 3 each.
import WebSocket from 'ws'
import { decodeHostMessage, encodeBinary } from '../src-common/contract/wire'
import { fileOfTheLimit } from '../test-support/pieces'
import { serve, SOURCE_CLI } from '../e2e/browser/serve'
import { createWebSocketApi, type WebSocketConstructor } from '../src-renderer/src/api/webSocketApi'
import { timeRuns, type BenchResult } from './result'

/** the old client's piece: MAX_UPLOAD_CHUNK (60,000) base64 characters */
const OLD_PIECE_BYTES = (60_000 / 4) * 3

/** A WebSocket that counts the frames its client sends, and the requests among them. */
function counting(counts: { frames: number; requests: number }): WebSocketConstructor {
  return class extends WebSocket {
    send(data: string | Uint8Array): void {
      counts.frames++
      if (typeof data === 'string' && data.includes('"channel"')) counts.requests++
      super.send(data)
    }
  } as unknown as WebSocketConstructor
}

/** The old way: one piece at a time, each waiting for the host before the next. Returns its round trips and when the last byte was in. */
async function oldWay(url: string, bytes: Uint8Array, id: number): Promise<{ roundTrips: number; inMs: number }> {
  const t0 = performance.now()
  const ws = new WebSocket(url)
  await new Promise((ok, ko) => ws.once('open', ok).once('error', ko))
  const waiting = new Map<number, () => void>()
  let answer: (ok: boolean) => void = () => {}
  const answered = new Promise<boolean>((ok) => (answer = ok))
  ws.on('message', (d, isBinary) => {
    if (isBinary) return
    const m = decodeHostMessage(d.toString(), []) as { sub?: number; id?: number; ok?: boolean; payload?: { received: number } }
    if (m.sub === id && m.payload) waiting.get(m.payload.received)?.()
    if (m.id === id) answer(m.ok === true)
  })
  let roundTrips = 0
  ws.send(JSON.stringify({ id, channel: 'file.upload', payload: { name: 'big.json', size: bytes.length } }))
  for (let at = 0, index = 0; at < bytes.length; at += OLD_PIECE_BYTES, index++) {
    const piece = bytes.subarray(at, at + OLD_PIECE_BYTES)
    // What the old renderer sent for this piece, and what the old host decoded from it.
    const data = Buffer.from(piece).toString('base64')
    const frame = JSON.stringify({ id: id + index + 1, channel: 'file.upload', payload: { uploadId: 1, offset: at, data } })
    const decoded = Buffer.from((JSON.parse(frame) as { payload: { data: string } }).payload.data, 'base64')
    const acked = new Promise<void>((ok) => waiting.set(at + decoded.length, ok))
    ws.send(encodeBinary(id, index, decoded))
    await acked
    roundTrips++
  }
  const inMs = performance.now() - t0
  if (!(await answered)) throw new Error('the host refused the baseline upload')
  ws.close()
  return { roundTrips, inMs }
}

export async function uploadBench(log: (s: string) => void): Promise<BenchResult[]> {
  const bytes = fileOfTheLimit()
  const served = await serve(SOURCE_CLI)
  try {
    const url = `ws://127.0.0.1:${served.port}/ws?token=${served.token}`
    const counts = { frames: 0, requests: 0 }
    let newRuns = 0
    const newIn: number[] = []
    const newMs = Math.min(
      ...(await timeRuns(3, async () => {
        const api = createWebSocketApi(url, counting(counts))
        const t0 = performance.now()
        const onEvent = (e: { payload: { received: number } }) => e.payload.received === bytes.length && newIn.push(performance.now() - t0)
        const opened = await api.invoke('file.upload', { name: 'big.json', size: bytes.length }, { body: bytes, onEvent })
        if (opened.sizeBytes !== bytes.length) throw new Error(`the host opened ${opened.sizeBytes} bytes of ${bytes.length}`)
        await api.invoke('file.close', { fileId: opened.fileId })
        newRuns++
        api.close()
      }))
    )
    let oldTrips = 0
    const oldIn: number[] = []
    const oldMs = Math.min(
      ...(await timeRuns(3, async () => {
        const run = await oldWay(url, bytes, 1)
        oldTrips = run.roundTrips
        oldIn.push(run.inMs)
      }))
    )
    const inRatio = Math.min(...newIn) / Math.min(...oldIn)
    // Per upload: the file.upload request (its file.close is not counted) and the frames it took.
    const requests = counts.requests / newRuns - 1
    const frames = counts.frames / newRuns - 1
    const ratio = newMs / oldMs
    log(`upload 64 MiB: ${newMs.toFixed(0)} ms in ${requests} request (${frames} frames), old way ${oldMs.toFixed(0)} ms in ${oldTrips} round trips; bytes in after ${Math.min(...newIn).toFixed(0)} ms vs ${Math.min(...oldIn).toFixed(0)} ms`)
    // The aim: one request instead of ~1,500 round trips, and no slower for it.
    const target = 'ratio < 1 (in 1 request, not one round trip a piece)'
    return [
      {
        name: 'upload of a 64 MiB file over the WebSocket',
        value: Math.round(newMs),
        unit: 'ms',
        baseline: `base64 pieces of ${OLD_PIECE_BYTES.toLocaleString('en-US')} bytes, one awaited round trip each`,
        baselineValue: Math.round(oldMs),
        ratio: Math.round(ratio * 1000) / 1000,
        target,
        met: ratio < 1 && requests === 1,
        notes:
          `ours: ${requests} request streamed as ${frames} frames (binary pieces within a ${4} MiB window), 1 awaited round trip; ` +
          `baseline: ${oldTrips.toLocaleString('en-US')} awaited round trips (the old client's per-piece base64 and JSON, against the new host: ` +
          `each piece decoded back and sent as bytes, as the host takes only those; the old host's own JSON parse and base64 check are not counted). Best of 3, host in its own process; the time includes the host opening the file (the same in both).`
      },
      {
        name: 'upload of a 64 MiB file over the WebSocket: all bytes in the host',
        value: Math.round(Math.min(...newIn)),
        unit: 'ms',
        baseline: `base64 pieces of ${OLD_PIECE_BYTES.toLocaleString('en-US')} bytes, one awaited round trip each`,
        baselineValue: Math.round(Math.min(...oldIn)),
        ratio: Math.round(inRatio * 1000) / 1000,
        target,
        met: inRatio < 1 && requests === 1,
        notes: 'the same runs, timed to the host acknowledging the last byte (file.progress), before it opens the file.'
      }
    ]
  } finally {
    await served.stop()
  }
}
