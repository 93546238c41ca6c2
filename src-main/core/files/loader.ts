// Opens a Snapscope file, or the plain JSON that `snapshot`, `heap` and `watch` write. Files come
// from other machines and other people, so every step is bounded (the bytes read, the decompressed
// size, then a count of what parsing would build: nesting, elements, objects (jsonScan.ts); then the
// schema's array and string limits) and every failure is a FileFormatError that says which file and
// what is wrong. Nothing in a file is executed or used as a path. The app's host parses in a worker
// (workerLoader.ts); the writer checks every file against the same limits (writeLimits.ts).

import { open, stat } from 'node:fs/promises'
import { basename } from 'node:path'
import { createGunzip } from 'node:zlib'
import { ContractError } from '../../../src-common/contract/validate'
import { fmtBytes } from '../../../src-common/model/format/format'
import { FILE_FORMAT, type FileItem, type SnapscopeFile } from '../../../src-common/contract/fileTypes'
import { JsonScan, type ScanLimits } from './jsonScan'
import { SCHEMA_LIMITS, fileSchema, formatAt, isItemFormat, itemSchema } from './schema'

export interface LoadLimits extends ScanLimits {
  /** bytes of the file as given (compressed or not) */
  maxFileBytes: number
  /** bytes of JSON text once decompressed; V8 strings stop short of 512 MiB */
  maxJsonBytes: number
}

/** 256 MiB of what Snapscope writes holds fewer than 20 M values and 6 M objects (a heap walk's blocks
 *  take ~60 bytes for 4 values and 1 object); parsed, 6 M objects take ~400 MB. Fields of one object:
 *  far more than any document has, so that a newer Snapscope's extra fields still open. */
export const DEFAULT_LIMITS: LoadLimits = {
  maxFileBytes: 256 << 20,
  maxJsonBytes: 256 << 20,
  maxDepth: 32,
  maxArrayItems: Math.max(SCHEMA_LIMITS.blocks, SCHEMA_LIMITS.faults),
  maxMembers: 4_096,
  maxElements: 24_000_000,
  maxContainers: 6_000_000
}

export class FileFormatError extends Error {
  readonly code = 'EBADFILE'
  constructor(message: string) {
    super(message)
    this.name = 'FileFormatError'
  }
}

const GZIP_MAGIC = [0x1f, 0x8b]
const READ_CHUNK = 1 << 20

/** Reads and opens a file named on the command line (the name is only ever used to read that file).
 *  It reads at most the limit and one byte more whatever the size says: /proc files say 0. */
export async function readSnapscopeFile(path: string, limits: LoadLimits = DEFAULT_LIMITS): Promise<SnapscopeFile> {
  const name = basename(path)
  // Checked before opening too: opening a FIFO waits for a writer.
  if (!(await stat(path)).isFile()) throw new FileFormatError(`${name}: not a regular file`)
  const file = await open(path, 'r')
  try {
    if (!(await file.stat()).isFile()) throw new FileFormatError(`${name}: not a regular file`)
    const chunks: Buffer[] = []
    let total = 0
    while (total <= limits.maxFileBytes) {
      const chunk = Buffer.allocUnsafe(Math.min(READ_CHUNK, limits.maxFileBytes + 1 - total))
      const { bytesRead } = await file.read(chunk, 0, chunk.length, null)
      if (bytesRead === 0) break
      chunks.push(chunk.subarray(0, bytesRead))
      // The first bytes say whether it can be a file at all: /proc/self/pagemap is not read on.
      if (total < 4 && total + bytesRead >= 4) looksLikeAFile(Buffer.concat(chunks), name)
      total += bytesRead
    }
    if (total > limits.maxFileBytes) throw new FileFormatError(`${name}: past the ${fmtBytes(limits.maxFileBytes)} limit for a file`)
    return await parseSnapscopeFile(Buffer.concat(chunks, total), name, limits)
  } finally {
    await file.close()
  }
}

/** Opens the bytes of a file; `name` only labels the error messages. */
export async function parseSnapscopeFile(bytes: Uint8Array, name: string, limits: LoadLimits = DEFAULT_LIMITS): Promise<SnapscopeFile> {
  const fail = (what: string): never => {
    throw new FileFormatError(`${name}: ${what}`)
  }
  if (bytes.length > limits.maxFileBytes) fail(`${bytes.length} bytes is past the ${fmtBytes(limits.maxFileBytes)} limit for a file`)
  looksLikeAFile(bytes, name)
  const json = await scannedJson(bytes, limits, fail)
  let text: string
  try {
    text = new TextDecoder('utf-8', { fatal: true, ignoreBOM: false }).decode(json)
  } catch {
    return fail('not UTF-8 text')
  }
  let value: unknown
  try {
    value = JSON.parse(text)
  } catch (err) {
    return fail(`not valid JSON (${(err as Error).message})`)
  }
  try {
    return toFile(value)
  } catch (err) {
    if (err instanceof ContractError) return fail(err.message)
    throw err
  }
}

const isGzip = (bytes: Uint8Array): boolean => bytes[0] === GZIP_MAGIC[0] && bytes[1] === GZIP_MAGIC[1]

/** Gzip, or JSON text (an object): anything else is refused from its first bytes. */
function looksLikeAFile(bytes: Uint8Array, name: string): void {
  if (bytes.length === 0) throw new FileFormatError(`${name}: empty file`)
  if (!isGzip(bytes) && firstNonSpace(bytes) !== 0x7b /* { */) throw new FileFormatError(`${name}: not a Snapscope file (gzip header missing, and not JSON)`)
}

/** What a scan refused, as the loader says it. */
const refused = (problem: string): string => `${problem}: not a file Snapscope wrote`

/** The JSON text inside, gunzipped (on the thread pool, in pieces) and scanned as it comes: parsing
 *  starts only when its size, nesting and counts are within the limits, and a bomb stops early. */
async function scannedJson(bytes: Uint8Array, limits: LoadLimits, fail: (what: string) => never): Promise<Uint8Array> {
  const scan = new JsonScan(limits)
  if (!isGzip(bytes)) {
    if (bytes.length > limits.maxJsonBytes) fail(`${bytes.length} bytes of JSON is past the ${fmtBytes(limits.maxJsonBytes)} limit`)
    const problem = scan.feed(bytes)
    return problem ? fail(refused(problem)) : bytes
  }
  const chunks: Buffer[] = []
  const problem = await new Promise<string | null>((resolve) => {
    const gunzip = createGunzip()
    const stop = (why: string | null) => {
      gunzip.destroy()
      resolve(why)
    }
    gunzip.on('data', (chunk: Buffer) => {
      if (scan.bytes + chunk.length > limits.maxJsonBytes) return stop(`decompresses past the ${fmtBytes(limits.maxJsonBytes)} limit`)
      const past = scan.feed(chunk)
      if (past) return stop(refused(past))
      chunks.push(chunk)
    })
    gunzip.on('error', (err: NodeJS.ErrnoException) =>
      stop(err.code === 'Z_BUF_ERROR' ? 'truncated (the compressed data ends early)' : `corrupt compressed data (${err.message ?? err.code})`)
    )
    gunzip.on('end', () => resolve(null))
    gunzip.end(bytes)
  })
  return problem ? fail(problem) : Buffer.concat(chunks, scan.bytes)
}

function firstNonSpace(bytes: Uint8Array): number {
  let i = bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf ? 3 : 0 // UTF-8 BOM
  while (i < bytes.length && (bytes[i] === 0x20 || bytes[i] === 0x0a || bytes[i] === 0x0d || bytes[i] === 0x09)) i++
  return bytes[i] ?? -1
}

/** A Snapscope file, or one bare document (plain JSON from the command) wrapped as a one-item file. */
function toFile(value: unknown): SnapscopeFile {
  const format = formatAt(value, '')
  if (format === FILE_FORMAT) return fileSchema(value, '')
  if (isItemFormat(format)) return wrap(itemSchema(value, ''))
  const known = /^snapscope\.([a-z]+)\/(\d+)$/.exec(format)
  if (known && (known[1] === 'file' || isItemFormat(`snapscope.${known[1]}/1`)))
    throw new ContractError(`format: "${format}" was written by a newer Snapscope; this one reads ${FILE_FORMAT} and version 1 documents`)
  throw new ContractError(`format: "${format}" is not a Snapscope format`)
}

const UNKNOWN_HOST = { os: '', hostname: '', arch: '', backend: '' }

function wrap(item: FileItem): SnapscopeFile {
  // an allocations document of an older writer may not say when it started: it was written after it ended
  const createdAt = 'takenAt' in item ? item.takenAt : (item.startedAt ?? new Date().toISOString())
  const host = 'host' in item ? item.host : UNKNOWN_HOST
  return { format: FILE_FORMAT, createdAt, generator: 'snapscope (plain JSON)', host, redacted: false, items: [item] }
}
