import { parseArgs } from 'node:util'
import { loadAddon } from '../../../native/index'
import { Capture } from '../../core/capture/capture'
import { formatDuration, parseDuration } from '../../../src-common/model/capture/duration'
import { captureNow } from '../../core/capture/fullCapture'
import { addonSampler } from '../../core/capture/sampler'
import { flaggedSeries, timelineSeries } from '../../../src-common/model/capture/series'
import type { TimelineDoc, TimelineSample } from '../../../src-common/contract/timelineTypes'
import { OutputFile } from '../../core/files/safeWrite'
import { encodeFile, makeFile } from '../../core/files/snapshotFile'
import { fmtBytes, fmtCount, fmtSigned } from '../../../src-common/model/format/format'
import { UsageError, parsePid } from '../args'
import { say } from '../terminal'

export const usage = `capture --pid N [--every 10s --for 1h] --out FILE [--no-heap] [--redact]
      saves a Snapscope file: without --every, one full capture of N now (snapshot, modules, heap
      summaries); with --every and --for, a timeline (working set, private bytes, threads, modules,
      heap size classes) sampled every interval, progress on stderr, saved on Ctrl-C with what it has`

/** The file is rewritten at most this often while a timeline runs: a crash loses little. */
const CHECKPOINT_MS = 30_000
const MIN_EVERY_MS = 100
const MAX_FOR_MS = 30 * 86_400_000

function duration(name: string, value: string | undefined, min: number, max: number): number {
  const ms = value === undefined ? null : parseDuration(value)
  if (ms === null || ms < min || ms > max)
    throw new UsageError(`--${name} must be a duration such as 500ms, 10s, 1m or 1h (${formatDuration(min)} to ${formatDuration(max)}), got "${value ?? ''}"`)
  return ms
}

const describe = (s: TimelineSample): string =>
  [
    `working set ${fmtBytes(s.workingSetBytes)}`,
    ...(s.privateBytes === null ? [] : [`private ${fmtBytes(s.privateBytes)}`]),
    `${fmtCount(s.threadCount)} threads`,
    `${fmtCount(s.moduleCount)} modules`,
    ...(s.heap ? [`heap ${fmtBytes(s.heap.usedBytes)} in ${fmtCount(s.heap.usedBlocks)} blocks`] : [])
  ].join(', ')

export async function run(args: string[]): Promise<void> {
  const { values } = parseArgs({
    args,
    options: {
      pid: { type: 'string' },
      every: { type: 'string' },
      for: { type: 'string' },
      out: { type: 'string' },
      'no-heap': { type: 'boolean' },
      redact: { type: 'boolean' }
    }
  })
  const pid = parsePid(values.pid, true)!
  if (!values.out) throw new UsageError('--out is required')
  const timeline = values.every !== undefined || values.for !== undefined
  const everyMs = timeline ? duration('every', values.every, MIN_EVERY_MS, 86_400_000) : 0
  const forMs = timeline ? duration('for', values.for, everyMs, MAX_FOR_MS) : 0
  const heap = !values['no-heap']
  await OutputFile.using(values.out, async (out) => {
    const save = async (doc: Parameters<typeof encodeFile>[0]) => out.save(await encodeFile(doc, { redact: values.redact }))
    const addon = loadAddon()
    if (!timeline) {
      await save(await captureNow(addon, pid, { heap }))
      return say(`saved a capture of pid ${pid} to ${out.path}`)
    }
    const capture = await Capture.start(addonSampler(addon), addon.host(), { pid, everyMs, forMs, heap })
    const asFile = (doc: TimelineDoc) => makeFile([doc], doc.host, doc.startedAt)
    say(`capturing pid=${pid} every=${formatDuration(everyMs)} for=${formatDuration(forMs)}: ${capture.expected} samples`)

    let lastSave = Date.now()
    let saving: Promise<void> = Promise.resolve()
    const onSample = (p: { index: number; sample: TimelineSample; elapsedMs: number; expected: number }) => {
      say(`sample ${p.index + 1}/${p.expected} at ${formatDuration(p.elapsedMs)}: ${describe(p.sample)}`)
      // A FIFO or device takes one document: the one at the end.
      if (out.rewritable && Date.now() - lastSave >= CHECKPOINT_MS) {
        lastSave = Date.now()
        saving = saving.then(() => save(asFile(capture.current()))).catch((err: Error) => say(`checkpoint failed: ${err.message}`))
      }
    }
    capture.on('sample', onSample)
    const stop = (): void => void capture.stop()
    process.once('SIGINT', stop)
    process.once('SIGTERM', stop)
    try {
      const doc = await capture.done
      await saving
      await save(asFile(doc))
      say(`saved ${doc.samples.length} samples to ${out.path} (${doc.endReason})`)
      for (const s of flaggedSeries(timelineSeries(doc)))
        say(`grows steadily: ${s.label} ${fmtSigned(s.trend.delta, s.unit)} (${fmtSigned(Math.round(s.trend.slopePerMinute), s.unit)}/min)`)
      if (doc.endReason.startsWith('error')) throw new Error(`capture of pid ${pid} ended with ${doc.endReason}`)
    } finally {
      process.off('SIGINT', stop)
      process.off('SIGTERM', stop)
      capture.off('sample', onSample)
    }
  })
}
