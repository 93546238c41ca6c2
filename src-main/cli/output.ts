// Where a verb's document goes: stdout or --out FILE (streamed, written atomically), and progress
// on stderr for a person at a terminal.
import { createWriteStream } from 'node:fs'
import { rename, rm } from 'node:fs/promises'
import { dirname, join, resolve } from 'node:path'
import { finished } from 'node:stream/promises'
import { writeJson } from '../core/jsonStream'

export async function writeOutput(json: unknown, out: string | undefined): Promise<void> {
  if (!out) return writeJson(process.stdout, json)
  // Write beside the target and rename, so a failed write never leaves half a file behind.
  const tmp = join(dirname(resolve(out)), `.${Date.now()}.${process.pid}.tmp`)
  const file = createWriteStream(tmp)
  try {
    await writeJson(file, json)
    file.end()
    await finished(file)
    await rename(tmp, out)
  } catch (err) {
    file.destroy()
    await rm(tmp, { force: true })
    throw err
  }
}

export /** Progress on stderr, on one rewritten line, only where a person is watching. */
function progressLine(label: string): ((p: { scannedBytes: number; totalBytes: number; blocks: number }) => void) | undefined {
  if (!process.stderr.isTTY) return undefined
  return (p) => {
    const pct = p.totalBytes ? Math.min(100, Math.round((100 * p.scannedBytes) / p.totalBytes)) : 0
    process.stderr.write(`\r${label}: ${pct}% (${p.blocks.toLocaleString()} blocks)`)
  }
}

