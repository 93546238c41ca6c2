// Where a verb's document goes: stdout or --out FILE (opened before the work, streamed, written
// safely: core/files/safeWrite.ts), and progress on stderr for a person at a terminal.
import { OutputFile } from '../core/files/safeWrite'
import { writeJson } from '../core/jsonStream'
import { escapeControls } from './terminal'
import { fmtCount } from '../../src-common/model/format/format'

/** Runs `work` with --out opened (null: stdout), so a path that can't be written fails before the work. */
export function withOutput<T>(path: string | undefined, work: (out: OutputFile | null) => Promise<T>): Promise<T> {
  return path === undefined ? work(null) : OutputFile.using(path, work)
}

export function writeOutput(json: unknown, out: OutputFile | null): Promise<void> {
  return out ? out.saveStream((stream) => writeJson(stream, json)) : writeJson(process.stdout, json)
}

/** Progress on stderr, on one rewritten line, only where a person is watching. */
export function progressLine(label: string): ((p: { scannedBytes: number; totalBytes: number; blocks: number }) => void) | undefined {
  if (!process.stderr.isTTY) return undefined
  const shown = escapeControls(label)
  return (p) => {
    const pct = p.totalBytes ? Math.min(100, Math.round((100 * p.scannedBytes) / p.totalBytes)) : 0
    process.stderr.write(`\r${shown}: ${pct}% (${fmtCount(p.blocks)} blocks)`)
  }
}
