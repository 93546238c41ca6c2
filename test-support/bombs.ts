// Hostile files for the loader's tests: small gzip files that decompress to JSON built to make a
// parser build hundreds of millions of values (not used by the app).
import { createGzip } from 'node:zlib'
import { HOST } from './testDocs'
import { FILE_FORMAT } from '../src-common/contract/fileTypes'

const HEAD = JSON.stringify({ format: FILE_FORMAT, createdAt: '2025-03-01T10:00:00.000Z', generator: 'x', host: HOST, redacted: false }).slice(0, -1)

/** gzip of a snapscope.file/1 whose items (or, `nested`, an unknown field's arrays of arrays) hold
 *  `{},` repeated up to about `jsonBytes` bytes once decompressed: 256 MiB make a ~260 KB file. */
export async function emptyObjectsBomb(jsonBytes = 256 << 20, nested = false): Promise<Buffer> {
  const gzip = createGzip({ level: 9 })
  const out: Buffer[] = []
  gzip.on('data', (c: Buffer) => out.push(c))
  const done = new Promise((ok, ko) => gzip.on('end', ok).on('error', ko))
  // 1 MiB of elements: one array each when nested (so no single array is past its limit).
  const piece = Buffer.from('{},'.repeat((1 << 20) / 3))
  const inner = nested ? Buffer.concat([Buffer.from('['), piece, Buffer.from('{}],')]) : piece
  gzip.write(`${HEAD},"${nested ? 'future' : 'items'}":[`)
  for (let n = 0; n + inner.length < jsonBytes; n += inner.length) if (!gzip.write(inner)) await new Promise((ok) => gzip.once('drain', ok))
  gzip.end(nested ? '[]]}' : '{}]}')
  await done
  return Buffer.concat(out)
}
