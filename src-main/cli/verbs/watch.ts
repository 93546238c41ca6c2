import { parseArgs } from 'node:util'
import { loadAddon } from '../../../native/index'
import { WsWatchSession } from '../../core/wsWatch'
import { UsageError, parsePid } from '../args'
import { withOutput, writeOutput } from '../output'
import { say } from '../terminal'

export const usage = `watch --pid N --seconds S [--mechanism M] [--out FILE]
      working-set watch (JSON); prints "attached pid=N" on stderr once live`

export async function run(args: string[]): Promise<void> {
  const { values } = parseArgs({
    args,
    options: { pid: { type: 'string' }, seconds: { type: 'string' }, mechanism: { type: 'string' }, out: { type: 'string' } }
  })
  const pid = parsePid(values.pid, true)!
  if (values.seconds === undefined) throw new UsageError('--seconds is required')
  const seconds = Number(values.seconds)
  if (!(seconds > 0 && seconds <= 86_400)) throw new UsageError(`--seconds must be a number of seconds (0 < S <= 86400), got "${values.seconds}"`)
  await withOutput(values.out, async (out) => {
    const session = await WsWatchSession.start(loadAddon(), { pid, mechanism: values.mechanism, faultsInDocument: false })
    say(`attached pid=${pid} mechanism=${session.mechanism}`)
    const timer = setTimeout(() => void session.stop(), seconds * 1000)
    const stop = (): void => void session.stop()
    process.once('SIGINT', stop)
    process.once('SIGTERM', stop)
    const doc = await session.done
    clearTimeout(timer)
    process.off('SIGINT', stop)
    process.off('SIGTERM', stop)
    await writeOutput({ ...doc, faults: session.streamedFaults() }, out)
  })
}

