import { parseArgs } from 'node:util'
import { loadAddon } from '../../../native/index'
import { AllocTrace } from '../../core/allocs/allocTrace'
import { encodePprof } from '../../core/allocs/pprof'
import { UsageError, parsePid } from '../args'
import { withOutput, writeOutput } from '../output'
import { say } from '../terminal'

export const usage = `allocs --pid N --seconds S [--out FILE] [--pprof FILE]
      allocation stacks of a live process (snapscope.allocs/1; --pprof: also as pprof .pb.gz);
      prints "attached pid=N mechanism=…" on stderr once the probes are live; Ctrl-C ends it and writes what it has`

export async function run(args: string[]): Promise<void> {
  const { values } = parseArgs({
    args,
    options: { pid: { type: 'string' }, seconds: { type: 'string' }, out: { type: 'string' }, pprof: { type: 'string' } }
  })
  const pid = parsePid(values.pid, true)!
  if (values.seconds === undefined) throw new UsageError('--seconds is required')
  const seconds = Number(values.seconds)
  if (!(seconds > 0 && seconds <= 86_400)) throw new UsageError(`--seconds must be a number of seconds (0 < S <= 86400), got "${values.seconds}"`)
  // Both outputs are opened before the probes go in: a bad path fails at once, not after the trace.
  await withOutput(values.out, (out) =>
    withOutput(values.pprof, async (pprof) => {
      const trace = await AllocTrace.start(loadAddon(), { pid })
      say(`attached pid=${pid} mechanism=${trace.mechanism}`)
      const stop = (): void => void trace.stop()
      const timer = setTimeout(stop, seconds * 1000)
      process.once('SIGINT', stop)
      process.once('SIGTERM', stop)
      const doc = await trace.done
      clearTimeout(timer)
      process.off('SIGINT', stop)
      process.off('SIGTERM', stop)
      if (pprof) await pprof.save(encodePprof(doc))
      await writeOutput(doc, out)
    })
  )
}
