// A request body as the renderer sends it (src-renderer/src/api/client.ts): pieces of the contract's
// size, numbered from 0, carrying the request's id. Tests send them through a session or a socket.
import { UPLOAD_PIECE_BYTES, type Piece } from '../src-common/contract/contract'

export function pieces(id: number, bytes: Uint8Array): Piece[] {
  const out: Piece[] = []
  for (let at = 0, index = 0; at < bytes.length; at += UPLOAD_PIECE_BYTES, index++) out.push({ piece: id, index, bytes: bytes.subarray(at, at + UPLOAD_PIECE_BYTES) })
  return out
}
