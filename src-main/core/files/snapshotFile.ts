// Writes Snapscope files: gzip of the JSON document, streamed (a heap walk with millions of blocks
// does not fit one JSON.stringify string) and written beside the target then renamed, so a failed or
// interrupted save never leaves half a file under the real name.

import { randomBytes } from 'node:crypto'
import { rename, rm, writeFile } from 'node:fs/promises'
import { dirname, join, resolve } from 'node:path'
import { Readable } from 'node:stream'
import { pipeline } from 'node:stream/promises'
import { createGzip } from 'node:zlib'
import type { HostInfo } from '../../ipc/types'
import { jsonChunks } from '../jsonStream'
import { redactFile } from './redact'
import { FILE_FORMAT, type FileItem, type SnapscopeFile } from './types'
import { WriteCheck } from './writeLimits'
import { version } from '../../../package.json'

export const GENERATOR = `snapscope ${version}`

export function makeFile(items: FileItem[], host: HostInfo, createdAt = new Date().toISOString()): SnapscopeFile {
  return { format: FILE_FORMAT, createdAt, generator: GENERATOR, host, redacted: false, items }
}

/** Joins the JSON pieces into chunks of about 64 KiB: fewer, larger writes into the compressor. */
function* batched(pieces: Iterable<string>): Generator<string> {
  let pending = ''
  for (const piece of pieces) {
    pending += piece
    if (pending.length >= 1 << 16) {
      yield pending
      pending = ''
    }
  }
  yield pending + '\n'
}

/** The bytes of a file on disk; with `redact`, user names, host name and directories are replaced first.
 *  Throws UnreadableFileError, and writes nothing, when the loader would refuse the file. */
export async function encodeFile(file: SnapscopeFile, options: { redact?: boolean } = {}): Promise<Buffer> {
  const doc = options.redact ? redactFile(file) : file
  const check = new WriteCheck(doc)
  function* checked(): Generator<string> {
    for (const chunk of batched(jsonChunks(doc))) {
      check.feed(chunk)
      yield chunk
    }
  }
  const chunks: Buffer[] = []
  await pipeline(Readable.from(checked()), createGzip({ level: 6 }), async (compressed: AsyncIterable<Buffer>) => {
    for await (const chunk of compressed) chunks.push(chunk)
  })
  const bytes = Buffer.concat(chunks)
  check.end(bytes.length)
  return bytes
}

/** Writes `data` to `path` atomically (a temporary name in the same folder, then rename). */
export async function writeFileAtomic(path: string, data: string | Uint8Array): Promise<void> {
  const tmp = join(dirname(resolve(path)), `.${randomBytes(6).toString('hex')}.snapscope-tmp`)
  try {
    await writeFile(tmp, data)
    await rename(tmp, path)
  } catch (err) {
    await rm(tmp, { force: true })
    throw err
  }
}
