// Browser mode's framing of the protocol on one WebSocket: messages are JSON text frames; bytes go as
// binary frames, never base64. A binary frame is an 8-byte header (request id, piece index; uint32
// little-endian) and the bytes. Client -> host it is a Piece of a request's body; host -> client it is
// an attachment of the answer that follows it: the answer's JSON holds {"$bin": index} in its place.
import { ContractError } from './validate'
import type { HostMessage, Piece } from './contract'

const HEADER = 8

export function encodeBinary(id: number, index: number, bytes: Uint8Array): Uint8Array {
  if (id > 0xffffffff) throw new RangeError(`request id ${id} does not fit a binary frame`)
  const frame = new Uint8Array(HEADER + bytes.length)
  const view = new DataView(frame.buffer)
  view.setUint32(0, id, true)
  view.setUint32(4, index, true)
  frame.set(bytes, HEADER)
  return frame
}

/** The header and bytes of a binary frame (the bytes are a view of it, not a copy). */
export function decodeBinary(frame: Uint8Array): Piece {
  if (frame.length < HEADER) throw new ContractError(`message: a binary frame starts with an ${HEADER}-byte header (request id, piece index), got ${frame.length} bytes`)
  const view = new DataView(frame.buffer, frame.byteOffset, frame.length)
  return { piece: view.getUint32(0, true), index: view.getUint32(4, true), bytes: frame.subarray(HEADER) }
}

/** A host message as frames: its byte arrays as binary frames (sent first), then its JSON text. */
export function encodeHostMessage(message: HostMessage): { binary: Uint8Array[]; text: string } {
  const id = 'id' in message ? message.id : 0
  const binary: Uint8Array[] = []
  const text = JSON.stringify(message, function (this: Record<string, unknown>, key, value) {
    // The holder's own value: a Buffer's toJSON has already run on `value`.
    const raw = this[key]
    if (!(raw instanceof Uint8Array)) return value
    binary.push(encodeBinary(id, binary.length, raw))
    return { $bin: binary.length - 1 }
  })
  return { binary, text }
}

/** The JSON text of a host message, with its attachments (by index) put back. */
export function decodeHostMessage(text: string, attachments: readonly Uint8Array[]): unknown {
  return JSON.parse(text, (_key, value) => {
    if (value && typeof value === 'object' && typeof value.$bin === 'number' && Object.keys(value).length === 1) {
      const bytes = attachments[value.$bin]
      if (!bytes) throw new ContractError(`message: attachment ${value.$bin} is missing`)
      return bytes
    }
    return value
  })
}
