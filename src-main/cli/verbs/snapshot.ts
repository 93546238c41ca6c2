import { parseArgs } from 'node:util'
import { loadAddon } from '../../../native/index'
import { takeSnapshot } from '../../core/snapshot'
import { parseInclude, parsePid } from '../args'
import { withOutput, writeOutput } from '../output'

export const usage = `snapshot [--pid N] [--include process,thread,module,heaplist] [--out FILE]
      a snapshot (JSON); module and heap lists are of --pid (default: this process)`

export async function run(args: string[]): Promise<void> {
  const { values } = parseArgs({ args, options: { pid: { type: 'string' }, include: { type: 'string' }, out: { type: 'string' } } })
  const pid = parsePid(values.pid, false)
  const include = parseInclude(values.include)
  await withOutput(values.out, async (out) => writeOutput(await takeSnapshot(loadAddon(), { pid, include }), out))
}

