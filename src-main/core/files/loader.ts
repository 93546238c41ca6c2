// Opens a Snapscope file, or the plain JSON that `snapshot`, `heap` and `watch` write. Files come
// from other machines and other people, so every step is bounded (input size, decompressed size,
// nesting, then the schema's array and string limits) and every failure is a FileFormatError that
// says which file and what is wrong. Nothing in a file is executed or used as a path.

import { readFile, stat } from 'node:fs/promises'
import { basename } from 'node:path'
import { promisify } from 'node:util'
import { gunzip } from 'node:zlib'
import { ContractError } from '../../ipc/validate'
import { fmtBytes } from '../report/format'
import { FILE_FORMAT, type FileItem, type SnapscopeFile } from './types'
import { fileSchema, formatAt, isItemFormat, itemSchema } from './schema'

export interface LoadLimits {
  /** bytes of the file as given (compressed or not) */
  maxFileBytes: number
  /** bytes of JSON text once decompressed; V8 strings stop short of 512 MiB */
  maxJsonBytes: number
  /** nesting of arrays and objects; Snapscope's own documents need about 8 */
  maxDepth: number
}

export const DEFAULT_LIMITS: LoadLimits = { maxFileBytes: 256 << 20, maxJsonBytes: 256 << 20, maxDepth: 32 }

export class FileFormatError extends Error {
  readonly code = 'EBADFILE'
  constructor(message: string) {
    super(message)
    this.name = 'FileFormatError'
  }
}

const gunzipAsync = promisify(gunzip)
const GZIP_MAGIC = [0x1f, 0x8b]

/** Reads and opens a file named on the command line (the name is only ever used to read that file). */
export async function readSnapscopeFile(path: string, limits: LoadLimits = DEFAULT_LIMITS): Promise<SnapscopeFile> {
  const name = basename(path)
  const info = await stat(path)
  if (!info.isFile()) throw new FileFormatError(`${name}: not a regular file`)
  if (info.size > limits.maxFileBytes) throw new FileFormatError(`${name}: ${info.size} bytes is past the ${fmtBytes(limits.maxFileBytes)} limit for a file`)
  return parseSnapscopeFile(await readFile(path), name, limits)
}

/** Opens the bytes of a file; `name` only labels the error messages. */
export async function parseSnapscopeFile(bytes: Uint8Array, name: string, limits: LoadLimits = DEFAULT_LIMITS): Promise<SnapscopeFile> {
  const fail = (what: string): never => {
    throw new FileFormatError(`${name}: ${what}`)
  }
  if (bytes.length > limits.maxFileBytes) fail(`${bytes.length} bytes is past the ${fmtBytes(limits.maxFileBytes)} limit for a file`)
  const json = await jsonBytes(bytes, limits, fail)
  const depth = nestingDepth(json, limits.maxDepth)
  if (depth) fail(`nested deeper than ${limits.maxDepth} levels (at byte ${depth.at}): not a Snapscope document`)
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

/** The JSON text inside: gunzipped within the limit, or the bytes themselves when they are JSON already. */
async function jsonBytes(bytes: Uint8Array, limits: LoadLimits, fail: (what: string) => never): Promise<Uint8Array> {
  if (bytes.length === 0) fail('empty file')
  if (bytes[0] === GZIP_MAGIC[0] && bytes[1] === GZIP_MAGIC[1]) {
    try {
      // On the thread pool, and it stops as soon as the output passes the limit (a zip bomb costs a second, not the machine).
      return await gunzipAsync(bytes, { maxOutputLength: limits.maxJsonBytes })
    } catch (err) {
      const e = err as { code?: string; message?: string }
      if (e.code === 'ERR_BUFFER_TOO_LARGE') fail(`decompresses past the ${fmtBytes(limits.maxJsonBytes)} limit`)
      if (e.code === 'Z_BUF_ERROR') fail('truncated (the compressed data ends early)')
      fail(`corrupt compressed data (${e.message ?? e.code})`)
    }
  }
  if (firstNonSpace(bytes) !== 0x7b /* { */) fail('not a Snapscope file (gzip header missing, and not JSON)')
  if (bytes.length > limits.maxJsonBytes) fail(`${bytes.length} bytes of JSON is past the ${fmtBytes(limits.maxJsonBytes)} limit`)
  return bytes
}

function firstNonSpace(bytes: Uint8Array): number {
  let i = bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf ? 3 : 0 // UTF-8 BOM
  while (i < bytes.length && (bytes[i] === 0x20 || bytes[i] === 0x0a || bytes[i] === 0x0d || bytes[i] === 0x09)) i++
  return bytes[i] ?? -1
}

/** Scans the JSON bytes for nesting past `max` (brackets inside strings do not count); null when within it. */
export function nestingDepth(json: Uint8Array, max: number): { at: number } | null {
  let depth = 0
  let inString = false
  for (let i = 0; i < json.length; i++) {
    const c = json[i]
    if (inString) {
      if (c === 0x5c /* \ */) i++
      else if (c === 0x22 /* " */) inString = false
    } else if (c === 0x22) inString = true
    else if (c === 0x7b || c === 0x5b) {
      if (++depth > max) return { at: i }
    } else if (c === 0x7d || c === 0x5d) depth--
  }
  return null
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
  const createdAt = 'takenAt' in item ? item.takenAt : item.startedAt
  const host = 'host' in item ? item.host : UNKNOWN_HOST
  return { format: FILE_FORMAT, createdAt, generator: 'snapscope (plain JSON)', host, redacted: false, items: [item] }
}
