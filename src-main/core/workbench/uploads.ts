// File bytes the renderer streams after a file.upload request: pieces carrying the request's id, each
// following the last (index 0, 1, …), no larger than the contract's piece, adding up to exactly the size
// the request declared (at most MAX_UPLOAD_BYTES). Only a few uploads may be in flight. A bad piece
// fails its upload (the request answers with what was wrong). Nothing here touches the disk.
import { ContractError } from '../../../src-common/contract/validate'
import type { EmitEvent } from '../../../src-common/contract/contract'
import { codedError } from '../../../src-common/contract/errors'

const MAX_PENDING = 2
/** An upload that gets no piece for this long is dropped: a client that stops sending holds nothing. */
export const UPLOAD_IDLE_MS = 10_000

interface Upload {
  size: number
  received: number
  next: number
  /** copies of the pieces: a piece is a view of its frame */
  pieces: Buffer[]
  timer?: NodeJS.Timeout
  ok(bytes: Buffer): void
  fail(err: Error): void
  emit: EmitEvent
}

export class Uploads {
  private readonly pending = new Map<number, Upload>()

  /** Takes the `size` bytes of request `id`; acknowledges what it has (file.progress) as they come. */
  receive(id: number, size: number, signal: AbortSignal, emit: EmitEvent): Promise<Buffer> {
    if (this.pending.size >= MAX_PENDING) throw codedError('EBUSY', `${MAX_PENDING} uploads are already in progress: wait for one to end`)
    return new Promise<Buffer>((ok, fail) => {
      const upload: Upload = { size, received: 0, next: 0, pieces: [], ok, fail, emit }
      this.pending.set(id, upload)
      this.idle(id, upload)
      signal.addEventListener('abort', () => this.end(id, signal.reason as Error), { once: true })
      if (size === 0) this.end(id)
    })
  }

  /** A piece of request `id`; throws when no upload has that id (a bad piece of a known one fails that upload). */
  piece(id: number, index: number, bytes: Uint8Array): void {
    const upload = this.pending.get(id)
    if (!upload) throw new ContractError(`piece: request ${id} is no upload in progress`)
    if (index !== upload.next) return this.end(id, new ContractError(`piece: expected piece ${upload.next}, got ${index}`))
    if (upload.received + bytes.length > upload.size)
      return this.end(id, new ContractError(`piece: the upload declared ${upload.size} bytes, and this piece brings ${upload.received + bytes.length}`))
    upload.pieces.push(Buffer.from(bytes))
    upload.received += bytes.length
    this.idle(id, upload)
    upload.next++
    upload.emit('file.progress', { received: upload.received })
    if (upload.received === upload.size) this.end(id)
  }

  private idle(id: number, upload: Upload): void {
    clearTimeout(upload.timer)
    const message = `no piece of the upload came for ${UPLOAD_IDLE_MS / 1000} s: send the file again`
    upload.timer = setTimeout(() => this.end(id, codedError('ETIMEDOUT', message)), UPLOAD_IDLE_MS)
  }

  private end(id: number, err?: Error): void {
    const upload = this.pending.get(id)
    if (!upload) return
    this.pending.delete(id)
    clearTimeout(upload.timer)
    if (err) upload.fail(err)
    else upload.ok(Buffer.concat(upload.pieces, upload.size))
  }

  clear(): void {
    for (const id of [...this.pending.keys()]) this.end(id, codedError('ECANCELED', 'the window closed during the upload'))
  }
}
