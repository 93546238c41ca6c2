import { parseArgs } from 'node:util'
import { loadAddon } from '../../../native/index'
import { Capture } from '../../core/capture/capture'
import { formatDuration, parseDuration } from '../../core/capture/duration'
import { captureNow } from '../../core/capture/fullCapture'
import { addonSampler } from '../../core/capture/sampler'
import { flaggedSeries, timelineSeries } from '../../core/capture/series'
import type { TimelineDoc, TimelineSample } from '../../core/capture/types'
import { encodeFile, makeFile, writeFileAtomic } from '../../core/files/snapshotFile'
import { fmtBytes, fmtCount, fmtSigned } from '../../core/report/format'
import { UsageError, parsePid } from '../args'

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
  const out = values.out
  const heap = !values['no-heap']
  const save = async (doc: Parameters<typeof encodeFile>[0]) => writeFileAtomic(out, await encodeFile(doc, { redact: values.redact }))
  const addon = loadAddon()

  if (values.every === undefined && values.for === undefined) {
    await save(await captureNow(addon, pid, { heap }))
    process.stderr.write(`saved a capture of pid ${pid} to ${out}\n`)
    return
  }
  const everyMs = duration('every', values.every, MIN_EVERY_MS, 86_400_000)
  const forMs = duration('for', values.for, everyMs, MAX_FOR_MS)
  const capture = await Capture.start(addonSampler(addon), addon.host(), { pid, everyMs, forMs, heap })
  const asFile = (doc: TimelineDoc) => makeFile([doc], doc.host, doc.startedAt)
  process.stderr.write(`capturing pid=${pid} every=${formatDuration(everyMs)} for=${formatDuration(forMs)}: ${capture.expected} samples\n`)

  let lastSave = Date.now()
  let saving: Promise<void> = Promise.resolve()
  const onSample = (p: { index: number; sample: TimelineSample; elapsedMs: number; expected: number }) => {
    process.stderr.write(`sample ${p.index + 1}/${p.expected} at ${formatDuration(p.elapsedMs)}: ${describe(p.sample)}\n`)
    if (Date.now() - lastSave >= CHECKPOINT_MS) {
      lastSave = Date.now()
      saving = saving.then(() => save(asFile(capture.current()))).catch((err: Error) => void process.stderr.write(`checkpoint failed: ${err.message}\n`))
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
    process.stderr.write(`saved ${doc.samples.length} samples to ${out} (${doc.endReason})\n`)
    for (const s of flaggedSeries(timelineSeries(doc)))
      process.stderr.write(`grows steadily: ${s.label} ${fmtSigned(s.trend.delta, s.unit)} (${fmtSigned(Math.round(s.trend.slopePerMinute), s.unit)}/min)\n`)
    if (doc.endReason.startsWith('error')) throw new Error(`capture of pid ${pid} ended with ${doc.endReason}`)
  } finally {
    process.off('SIGINT', stop)
    process.off('SIGTERM', stop)
    capture.off('sample', onSample)
  }
}
