import { parseArgs } from 'node:util'
import { createInterface } from 'node:readline'
import { loadAddon } from '../../../native/index'
import { SCHEMA_LIMITS } from '../../../src-common/contract/types'
import { SYMBOLS_FORMAT, type SymbolsDoc } from '../../../src-common/contract/symbolTypes'
import { SymbolService } from '../../core/symbols/symbolService'
import { UsageError, parseCodeAddress, parsePid } from '../args'
import { withOutput, writeOutput } from '../output'

export const usage = `symbolize --pid N [ADDRESS… | -] [--out FILE]
      names code addresses of N (JSON); hex 0x… or decimal, one a line on stdin when none or - is given`

export async function run(args: string[]): Promise<void> {
  const { values, positionals } = parseArgs({ args, allowPositionals: true, options: { pid: { type: 'string' }, out: { type: 'string' } } })
  const pid = parsePid(values.pid, true)!
  const fromStdin = positionals.length === 0 || positionals.includes('-')
  // Arguments are checked before anything is opened; stdin's as they are read.
  const given = positionals.flatMap((p, i) => (p === '-' ? [] : [parseCodeAddress(p, `argument ${i + 1}`)]))
  await withOutput(values.out, async (out) => {
    const addresses = fromStdin ? [...given, ...(await stdinAddresses())] : given
    if (addresses.length > SCHEMA_LIMITS.symbols) throw new UsageError(`${addresses.length} addresses: at most ${SCHEMA_LIMITS.symbols} in one call`)
    const takenAt = new Date().toISOString()
    const symbols = await new SymbolService(loadAddon(), pid).lookup(addresses)
    const doc: SymbolsDoc = { format: SYMBOLS_FORMAT, pid, takenAt, symbols }
    await writeOutput(doc, out)
  })
}

async function stdinAddresses(): Promise<bigint[]> {
  const out: bigint[] = []
  let n = 0
  for await (const line of createInterface({ input: process.stdin, crlfDelay: Number.POSITIVE_INFINITY })) {
    n++
    if (line.trim() === '') continue
    out.push(parseCodeAddress(line, `line ${n} of stdin`))
    if (out.length > SCHEMA_LIMITS.symbols) throw new UsageError(`more than ${SCHEMA_LIMITS.symbols} addresses on stdin: at most that many in one call`)
  }
  return out
}
