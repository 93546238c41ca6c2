// A request body as the renderer sends it (src-renderer/src/api/client.ts): pieces of the contract's
// size, numbered from 0, carrying the request's id. Tests send them through a session or a socket.
import { MAX_UPLOAD_BYTES, UPLOAD_PIECE_BYTES, type Piece } from '../src-common/contract/contract'
import { makeFile } from '../src-main/core/files/snapshotFile'
import { HOST, proc, snapshotDoc } from './testDocs'

export function pieces(id: number, bytes: Uint8Array): Piece[] {
  const out: Piece[] = []
  for (let at = 0, index = 0; at < bytes.length; at += UPLOAD_PIECE_BYTES, index++) out.push({ piece: id, index, bytes: bytes.subarray(at, at + UPLOAD_PIECE_BYTES) })
  return out
}

/**
 * A file of exactly the upload limit that opens: a snapshot's JSON after leading whitespace, so a piece
 * out of place or missing breaks it (and the answer proves every byte arrived where it belongs).
 */
export function fileOfTheLimit(): Uint8Array {
  const json = new TextEncoder().encode(JSON.stringify(makeFile([snapshotDoc([proc(7)])], HOST)))
  const bytes = new Uint8Array(MAX_UPLOAD_BYTES).fill(0x20)
  bytes.set(json, MAX_UPLOAD_BYTES - json.length)
  return bytes
}
