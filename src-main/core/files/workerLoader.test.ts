// Opening a file in a worker thread: the same file comes back, a bad one is refused with the same
// message, and the host's event loop goes on turning while a large one is parsed (its longest stall
// stays short, where parsing on the loop itself stalls it for the whole parse).
import { describe, expect, it } from 'vitest'
import { monitorEventLoopDelay } from 'node:perf_hooks'
import { emptyObjectsBomb } from '../../../test-support/bombs'
import { FileFormatError, parseSnapscopeFile } from './loader'
import { encodeFile, makeFile } from './snapshotFile'
import { HOST, heapWalksDoc, proc, sample, snapshotDoc, timelineDoc, watchDoc } from '../../../test-support/testDocs'
import { openInWorker } from './workerLoader'

/** The longest stall of the event loop (ms) while `work` runs. */
async function longestStall(work: () => Promise<unknown>): Promise<number> {
  const h = monitorEventLoopDelay({ resolution: 10 })
  h.enable()
  await work()
  // The stall that ends with `work` is recorded on the loop's next turn.
  await new Promise((ok) => setTimeout(ok, 50))
  h.disable()
  return h.max / 1e6
}

describe('opening a file in a worker thread', () => {
  it('gives the same file as the loader, and the same refusals', async () => {
    const file = makeFile([snapshotDoc([proc(10), proc(11)]), heapWalksDoc(10, [5, 6, 7]), timelineDoc([sample(0), sample(10_000)]), watchDoc()], HOST)
    expect(await openInWorker(await encodeFile(file), 'x.snapscope')).toEqual(file)
    await expect(openInWorker(await emptyObjectsBomb(), 'bomb.snapscope')).rejects.toThrow(
      new FileFormatError('bomb.snapscope: too many objects and arrays (more than 6,000,000): not a file Snapscope wrote')
    )
    await expect(openInWorker(Buffer.from('{"format":"x"}'), 'x.json')).rejects.toBeInstanceOf(FileFormatError)
  }, 60_000)

  it('keeps the event loop turning while a large file opens', async () => {
    const walk = heapWalksDoc(7, [1])
    const blocks = Array.from({ length: 500_000 }, (_, i) => ({ address: `0x${(0x55d0c8a20000 + i * 32).toString(16)}`, blockSize: 32, flags: 'fixed' as const }))
    const bytes = await encodeFile(makeFile([{ ...walk, heaps: [{ ...walk.heaps[0], blocks }] }], HOST))
    let opened: Awaited<ReturnType<typeof openInWorker>> | undefined
    const inWorker = await longestStall(async () => (opened = await openInWorker(bytes, 'big.snapscope')))
    const onLoop = await longestStall(() => parseSnapscopeFile(bytes, 'big.snapscope'))
    expect((opened!.items[0] as typeof walk).heaps[0].blocks).toHaveLength(500_000)
    // Relative, so that a busy machine slows both alike: a slice of 4,096 blocks against the whole parse.
    expect(inWorker).toBeLessThan(onLoop / 4)
  }, 120_000)
})
