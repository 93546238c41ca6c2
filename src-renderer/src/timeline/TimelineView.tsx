// Timeline capture from the app: every interval, for a while, the host samples a process (working
// set, private bytes, threads, modules, heap size classes) and streams each sample here; the charts
// and trend flags follow live. When it ends, the timeline opens as a file (save, compare, export).
import { useState } from 'react'
import type { CaptureEndedEvent, EventOf, OpenedFile } from '../../../src-common/contract/contract'
import { formatDuration, parseDuration } from '../../../src-common/model/capture/duration'
import type { TimelineSample } from '../../../src-common/contract/timelineTypes'
import { halve } from '../../../src-common/model/capture/thin'
import { fmtCount } from '../../../src-common/model/format/format'
import type { ConnectedApi } from '../api/connectedApi'
import { ExportBar } from '../files/ExportBar'
import type { Library } from '../files/useLibrary'
import { TimelineCharts } from './TimelineCharts'
import { toErrorPayload } from '../../../src-common/contract/errors'

interface Running {
  captureId: number
  pid: number
  expected: number
  thinned: number
  samples: TimelineSample[]
  ended: { reason: string; file: OpenedFile | null } | null
}

const MIN_EVERY_MS = 100

export function TimelineView({ api, library, initialPid }: { api: ConnectedApi; library: Library; initialPid?: number | null }) {
  const [pid, setPid] = useState(initialPid ? String(initialPid) : '')
  const [every, setEvery] = useState('10s')
  const [forText, setFor] = useState('10m')
  const [heap, setHeap] = useState(true)
  const [run, setRun] = useState<Running | null>(null)
  const [error, setError] = useState<string | null>(null)
  const { adopt } = library

  const everyMs = parseDuration(every)
  const forMs = parseDuration(forText)
  const problem = !/^\d+$/.test(pid.trim())
    ? 'Which process? Give its pid.'
    : everyMs === null || everyMs < MIN_EVERY_MS
      ? 'Every: a duration such as 500ms, 10s or 1m.'
      : forMs === null || forMs < everyMs
        ? 'For: a duration such as 30s or 1h, at least one interval.'
        : null
  const running = run !== null && run.ended === null

  const onCaptureEvent = (e: EventOf<'capture.start'>) => {
    if (e.event === 'capture.ended') {
      const ended: CaptureEndedEvent = e.payload
      setRun((r) => (r && r.captureId === ended.captureId ? { ...r, ended: { reason: ended.reason, file: ended.file } } : r))
      if (ended.file) adopt(ended.file)
      return
    }
    const sample = e.payload
    setRun((r) => {
      if (!r || r.captureId !== sample.captureId) return r
      // A long capture halves its timeline when full (every other sample dropped): the same here.
      let samples = r.samples
      for (let t = r.thinned; t < sample.thinned; t++) samples = halve(samples)
      return { ...r, expected: sample.expected, thinned: sample.thinned, samples: [...samples.slice(0, sample.index), sample.sample] }
    })
  }

  const start = async () => {
    setError(null)
    try {
      // The capture's events are its subscription's; they go on (and its file is adopted) whatever view is open.
      const started = await api.invoke('capture.start', { pid: Number(pid), everyMs: everyMs!, forMs: forMs!, heap }, { onEvent: onCaptureEvent })
      setRun({ captureId: started.captureId, pid: Number(pid), expected: started.expected, thinned: 0, samples: [], ended: null })
    } catch (err) {
      setError(toErrorPayload(err).message)
    }
  }

  return (
    <div className="wb-timeline-view">
      <form
        className="wb-capture"
        onSubmit={(e) => {
          e.preventDefault()
          if (!problem && !running) void start()
        }}
      >
        <label>
          Process <input value={pid} onChange={(e) => setPid(e.target.value)} placeholder="pid" inputMode="numeric" size={8} data-testid="capture-pid" />
        </label>
        <label>
          every <input value={every} onChange={(e) => setEvery(e.target.value)} size={6} data-testid="capture-every" />
        </label>
        <label>
          for <input value={forText} onChange={(e) => setFor(e.target.value)} size={6} data-testid="capture-for" />
        </label>
        <label title="Walk its heaps each time (summary only) for the size classes">
          <input type="checkbox" checked={heap} onChange={(e) => setHeap(e.target.checked)} /> heaps
        </label>
        {running ? (
          <button type="button" data-testid="capture-stop" onClick={() => void api.invoke('capture.stop', { captureId: run.captureId })}>
            Stop
          </button>
        ) : (
          <button type="submit" className="primary" disabled={problem !== null} data-testid="capture-start">
            Start capture
          </button>
        )}
        {problem && pid && <span className="muted">{problem}</span>}
      </form>
      {error && (
        <p className="wb-error" role="alert" data-testid="capture-error">
          {error}
        </p>
      )}
      {!run ? (
        <p className="empty" data-testid="capture-empty">
          Sample a process every interval for a while, and see what grows: working set, private bytes, threads, modules and heap blocks per size class. The
          command line does the same: <code>snapscope capture --pid N --every 10s --for 1h --out F</code>.
        </p>
      ) : (
        <section data-testid="capture" data-state={running ? 'running' : 'ended'} aria-label={`Capture of pid ${run.pid}`}>
          <p className="wb-progress" role="status" data-testid="capture-progress">
            Process {run.pid}: {fmtCount(run.samples.length)} of {fmtCount(run.expected)} samples
            {running ? ` (every ${formatDuration(everyMs ?? 0)})` : ` — ended: ${run.ended!.reason}`}
          </p>
          {run.ended?.file && (
            <div className="wb-actions">
              <span className="muted">Open as {run.ended.file.name}</span>
              <ExportBar api={api} a={{ fileId: run.ended.file.fileId }} testId="capture-export" />
            </div>
          )}
          {run.samples.length > 0 && <TimelineCharts samples={run.samples} />}
        </section>
      )}
    </div>
  )
}
