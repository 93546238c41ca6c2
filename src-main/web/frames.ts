// A browser-mode frame as the web host reads it, before the contract checks its envelope. Here, not in
// the contract: it counts UTF-8 bytes with Node's Buffer.
import { ContractError, MAX_MESSAGE_BYTES } from '../../src-common/contract/contract'

/** Decodes a text frame (browser mode): size limit and JSON; the envelope is checked by parseRequest. */
export function decodeFrame(text: string): unknown {
  // Bytes, as the limit says: text.length counts UTF-16 units, a third of some UTF-8 frames.
  if (Buffer.byteLength(text) > MAX_MESSAGE_BYTES) throw new ContractError(`message: larger than ${MAX_MESSAGE_BYTES} bytes`)
  try {
    return JSON.parse(text)
  } catch {
    throw new ContractError('message: not valid JSON')
  }
}
