// File bytes sent by the renderer in pieces (a WebSocket frame carries at most MAX_MESSAGE_BYTES):
// each piece must follow the last, the total is capped, and only a few uploads may be in flight.
// Nothing here touches the disk: the bytes go to the loader as they are.
import { ContractError } from '../../../src-common/contract/validate'
import { MAX_UPLOAD_BYTES } from '../../../src-common/contract/contract'
import { codedError } from '../../../src-common/contract/errors'

const MAX_PENDING = 2
const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/

export class Uploads {
  private readonly pending = new Map<number, Buffer[]>()
  private readonly sizes = new Map<number, number>()

  /** Appends a piece; returns the bytes received so far. */
  append(uploadId: number, offset: number, base64: string): number {
    if (base64.length % 4 !== 0 || !BASE64.test(base64)) throw new ContractError('payload.data: not base64')
    let size = this.sizes.get(uploadId)
    if (size === undefined) {
      if (offset !== 0) throw new ContractError(`payload.offset: upload ${uploadId} is unknown, so it must start at 0`)
      if (this.pending.size >= MAX_PENDING) throw new ContractError(`payload.uploadId: ${MAX_PENDING} uploads are already in progress`)
      this.pending.set(uploadId, [])
      size = 0
    }
    if (offset !== size) throw new ContractError(`payload.offset: expected ${size} (the bytes received so far), got ${offset}`)
    const piece = Buffer.from(base64, 'base64')
    if (size + piece.length > MAX_UPLOAD_BYTES) {
      this.drop(uploadId)
      throw codedError('EFBIG', `the file is larger than the ${MAX_UPLOAD_BYTES >> 20} MiB an upload may be`)
    }
    this.pending.get(uploadId)!.push(piece)
    this.sizes.set(uploadId, size + piece.length)
    return size + piece.length
  }

  /** The whole upload, which is forgotten. */
  take(uploadId: number): Buffer {
    const pieces = this.pending.get(uploadId)
    if (!pieces) throw codedError('ENOENT', `no upload ${uploadId} in this session`)
    this.drop(uploadId)
    return Buffer.concat(pieces)
  }

  drop(uploadId: number): void {
    this.pending.delete(uploadId)
    this.sizes.delete(uploadId)
  }

  clear(): void {
    this.pending.clear()
    this.sizes.clear()
  }
}
