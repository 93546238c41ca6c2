import { parseArgs } from 'node:util'
import { loadAddon } from '../../../native/index'
import { scanLeaks } from '../../core/leaks/leakScan'
import { parsePid } from '../args'
import { progressLine, withOutput, writeOutput } from '../output'

export const usage = `leaks --pid N [--blocks] [--out FILE]
      leak scan (JSON, snapscope.leaks/1): the target is stopped meanwhile; --blocks lists every used block`

export async function run(args: string[]): Promise<void> {
  const { values } = parseArgs({
    args,
    options: {
      pid: { type: 'string' },
      blocks: { type: 'boolean' },
      out: { type: 'string' }
    }
  })
  const pid = parsePid(values.pid, true)!
  await withOutput(values.out, async (out) => {
    const progress = progressLine(`scanning process ${pid} for leaks`)
    const run = scanLeaks(loadAddon(), { pid, blocks: values.blocks ?? false }, progress)
    const cancel = (): void => run.cancel()
    process.once('SIGINT', cancel)
    try {
      const doc = await run.result
      if (progress) process.stderr.write('\n')
      process.stderr.write(`process ${pid} was stopped for ${Math.round(doc.stoppedMs)} ms\n`)
      await writeOutput(doc, out)
    } finally {
      process.off('SIGINT', cancel)
    }
  })
}
