// Opens a file off the event loop, for the app's host: JSON.parse and the schema of a 256 MiB file
// take seconds, during which every other window would wait (and a SIGTERM handler would not run).
// A worker thread parses it, within a memory limit of its own, and sends the result in pieces
// (pieces.ts). The command line parses in its own thread: it has nobody else to answer.
import { join } from 'node:path'
import { Worker } from 'node:worker_threads'
import { findRepoRoot } from '../../../native/index'
import { DEFAULT_LIMITS, FileFormatError, type LoadLimits } from './loader'
import { Assembly, type Piece } from './pieces'
import type { SnapscopeFile } from '../../../src-common/contract/fileTypes'

/** Far above what a 256 MiB file takes to parse and check (~2 GB), below what freezes a host. */
const WORKER_HEAP_MB = 3_072

/** The built worker beside the bundle (out/main); from the sources (tsx, vitest), its .ts through
 *  tsx's require hook (a worker does not inherit the parent's loaders). */
function workerEntry(): { entry: string; eval: boolean } {
  const root = findRepoRoot()
  if (typeof __filename === 'string' && __filename.endsWith('.js')) return { entry: join(root, 'out', 'main', 'parseWorker.js'), eval: false }
  const source = join(root, 'src-main', 'core', 'files', 'parseWorker.ts')
  return { entry: `require('tsx/cjs'); require(${JSON.stringify(source)})`, eval: true }
}

export function openInWorker(bytes: Uint8Array, name: string, limits: LoadLimits = DEFAULT_LIMITS): Promise<SnapscopeFile> {
  const { entry, eval: isCode } = workerEntry()
  const worker = new Worker(entry, { eval: isCode, workerData: { bytes, name, limits }, resourceLimits: { maxOldGenerationSizeMb: WORKER_HEAP_MB } })
  const assembly = new Assembly()
  return new Promise<SnapscopeFile>((resolve, reject) => {
    let failed: Error | null = null
    worker.on('message', (piece: Piece) => {
      if (piece.kind === 'error') {
        failed = piece.badFile ? new FileFormatError(piece.message) : new Error(piece.message)
        return
      }
      assembly.take(piece)
      // The next piece on the next turn of the loop: other requests are answered in between.
      setImmediate(() => worker.postMessage('more'))
    })
    worker.on('error', (err: Error & { code?: string }) => {
      failed =
        err.code === 'ERR_WORKER_OUT_OF_MEMORY'
          ? new FileFormatError(`${name}: too large to open (parsing it needs more than ${WORKER_HEAP_MB} MiB)`)
          : err
    })
    worker.on('exit', () => (failed ? reject(failed) : resolve(assembly.value as SnapscopeFile)))
  })
}
