// The worker thread that opens a file for the app's host (see workerLoader.ts): it parses and checks
// the file off the host's event loop, then hands the result over in pieces, one per request.
import { parentPort, workerData } from 'node:worker_threads'
import { FileFormatError, parseSnapscopeFile, type LoadLimits } from './loader'
import { inPieces, type Piece } from './pieces'

const { bytes, name, limits } = workerData as { bytes: Uint8Array; name: string; limits: LoadLimits }
const port = parentPort!

async function main(): Promise<void> {
  let pieces: Iterator<Piece>
  try {
    pieces = inPieces(await parseSnapscopeFile(bytes, name, limits))
  } catch (err) {
    port.postMessage({ kind: 'error', message: (err as Error).message, badFile: err instanceof FileFormatError })
    return port.close()
  }
  const next = (): void => {
    const piece = pieces.next()
    if (piece.done) return port.close()
    port.postMessage(piece.value)
  }
  port.on('message', next)
  next()
}

void main()
