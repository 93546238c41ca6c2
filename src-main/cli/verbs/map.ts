import { parseArgs } from 'node:util'
import { loadAddon } from '../../../native/index'
import { memoryMap } from '../../core/memoryMap'
import { parsePid } from '../args'
import { withOutput, writeOutput } from '../output'

export const usage = `map --pid N [--out FILE]
      memory map (JSON): every region with its resident, private and swapped bytes, totals by kind`

export async function run(args: string[]): Promise<void> {
  const { values } = parseArgs({ args, options: { pid: { type: 'string' }, out: { type: 'string' } } })
  const pid = parsePid(values.pid, true)!
  await withOutput(values.out, async (out) => writeOutput(await memoryMap(loadAddon(), pid), out))
}
