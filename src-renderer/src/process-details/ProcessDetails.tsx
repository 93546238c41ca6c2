// The selected process: its fields and its threads. It says so when the process has exited.
import type { ProcessEntry, ProcessExtras, ThreadEntry } from '../../../src-common/contract/contract'
import { Name } from '../common/Name'
import { commandLine, fmtBytes, fmtCount, fmtTime } from '../../../src-common/model/format/format'
import { ThreadTable } from './ThreadTable'

interface ProcessDetailsProps {
  pid: number | null
  /** undefined once an exited process has left the list */
  entry: ProcessEntry | undefined
  threads: readonly ThreadEntry[]
  exited: boolean
  parentName: string | undefined
  /** figures beyond the process list (private bytes …); null while unknown */
  extras: ProcessExtras | null
}

/** A figure the OS may not give: "—" while reading, "not available" when it never will. */
const extra = (extras: ProcessExtras | null, value: number | undefined) => (value !== undefined ? fmtBytes(value) : extras ? 'not available' : '—')

export function ProcessDetails({ pid, entry, threads, exited, parentName, extras }: ProcessDetailsProps) {
  if (pid === null)
    return (
      <section className="details" aria-label="Process details" data-testid="details">
        <p className="empty">Select a process in the tree (click it, or use ↑/↓) to see its details and threads.</p>
      </section>
    )
  if (!entry)
    return (
      <section className="details" aria-label="Process details" data-testid="details">
        <p className="notice exited" data-testid="process-exited">
          Process {pid} exited and is no longer listed. Select another process in the tree.
        </p>
      </section>
    )

  const fields: [string, string][] = [
    ['PID', String(entry.pid)],
    ['Parent', parentName ? `${entry.parentPid} (${parentName})` : String(entry.parentPid)],
    ['Executable', entry.exePath || '—'],
    ['Kernel name', entry.nameTruncated ? `${entry.name}… (cut by the kernel)` : entry.name || '—'],
    ['Command line', commandLine(entry.cmdline) || '—'],
    ['User', entry.user ? `${entry.user} (uid ${entry.uid})` : '—'],
    ['Started', fmtTime(entry.startTime, 'local')],
    ['Working set', fmtBytes(entry.workingSetBytes)],
    ['Private bytes', extra(extras, extras?.privateBytes)],
    ['Peak working set', extra(extras, extras?.peakWorkingSetBytes)],
    ['Virtual size', extra(extras, extras?.virtualBytes)],
    ['Page faults', fmtCount(entry.pageFaultCount)],
    ['Base priority', String(entry.basePriority)],
    ['State', entry.state || '—']
  ]
  return (
    <section className="details" aria-label="Process details" data-testid="details">
      <h2>
        <Name>{entry.exeFile}</Name> <span className="muted">pid {entry.pid}</span>
      </h2>
      {exited && (
        <p className="notice exited" data-testid="process-exited">
          This process exited; its last known state is shown until it leaves the list.
        </p>
      )}
      <dl className="fields">
        {fields.map(([label, value]) => (
          <div key={label} className="field" data-field={label}>
            <dt>{label}</dt>
            <dd>
              <Name>{value}</Name>
            </dd>
          </div>
        ))}
      </dl>
      <ThreadTable threads={threads} exited={exited} />
    </section>
  )
}
