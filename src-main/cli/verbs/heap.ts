import { parseArgs } from 'node:util'
import { loadAddon } from '../../../native/index'
import { singleHeap, walkHeaps } from '../../core/heapWalk'
import { parseCount, parsePid } from '../args'
import { progressLine, withOutput, writeOutput } from '../output'

export const usage = `heap --pid N [--heap ID] [--limit N] [--offset N] [--stop] [--out FILE]
      heap walk (JSON); --stop stops the target during the walk`

export async function run(args: string[]): Promise<void> {
  const { values } = parseArgs({
    args,
    options: {
      pid: { type: 'string' },
      heap: { type: 'string' },
      limit: { type: 'string' },
      offset: { type: 'string' },
      stop: { type: 'boolean' },
      out: { type: 'string' }
    }
  })
  const pid = parsePid(values.pid, true)!
  const options = { pid, heapId: values.heap ?? null, limit: parseCount('limit', values.limit), offset: parseCount('offset', values.offset), stopTarget: values.stop ?? false }
  await withOutput(values.out, async (out) => {
    const progress = progressLine(`walking heaps of ${pid}`)
    const run = walkHeaps(loadAddon(), options, progress)
    const cancel = (): void => run.cancel()
    process.once('SIGINT', cancel)
    try {
      const doc = await run.result
      if (progress) process.stderr.write('\n')
      await writeOutput(values.heap ? singleHeap(doc, values.heap) : doc, out)
    } finally {
      process.off('SIGINT', cancel)
    }
  })
}

