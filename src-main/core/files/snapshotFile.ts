// Makes Snapscope files: gzip of the JSON document, streamed (a heap walk with millions of blocks
// does not fit one JSON.stringify string). They are written to disk by safeWrite.ts.

import { Readable } from 'node:stream'
import { pipeline } from 'node:stream/promises'
import { createGzip } from 'node:zlib'
import type { HostInfo } from '../../../src-common/contract/types'
import { jsonChunks } from '../jsonStream'
import { redactFile } from './redact'
import { FILE_FORMAT, type FileItem, type SnapscopeFile } from '../../../src-common/contract/fileTypes'
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

/** The bytes of a file on disk; with `redact`, user names, host name, directories and secrets are replaced first.
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
