// Counts, freshness of the list and the state of the connection to the host.
import type { Hello, SnapshotError } from '../../../src-common/contract/contract'
import type { ConnectionState } from '../api/connectedApi'
import { Name, showControls } from '../common/Name'
import { isDenied } from '../../../src-common/contract/errors'
import type { HostAccess } from '../common/problems'
import { fmtClock, fmtCount } from '../../../src-common/model/format/format'
import type { ProcessStore } from '../processes/processStore'
import { ThemeToggle } from '../theme/ThemeToggle'
import { liveTotals } from '../processes/processStore'

const GONE = new Set(['ESRCH', 'ENOENT'])
/** why a process is denied, and what to do, by OS: [not elevated, elevated] */
const DENIED_WHY: Record<string, [string, string]> = {
  linux: ["other users' processes: run Snapscope as root to read them", 'refused even to root: other namespaces, or a security module'],
  win32: ['other users\' processes: run Snapscope as an administrator to read them', 'protected processes: refused even to administrators']
}

/** What the last refresh could not read, by cause, and what to do about it (each error is in the tooltip). */
export function readErrors(errors: readonly SnapshotError[], host: HostAccess | null): string {
  const denied = errors.filter((e) => isDenied(e.code)).length
  const gone = errors.filter((e) => GONE.has(e.code)).length
  const other = errors.length - denied - gone
  const causes = [
    denied > 0 &&
      `${fmtCount(denied)} denied (${DENIED_WHY[host?.os ?? 'linux']?.[host?.elevated ? 1 : 0] ?? 'hover for details'})`,
    gone > 0 && `${fmtCount(gone)} exited while being read`,
    other > 0 && `${fmtCount(other)} other (hover for details)`
  ].filter(Boolean)
  return `${fmtCount(errors.length)} ${errors.length === 1 ? 'read error' : 'read errors'}: ${causes.join(', ')}`
}

const CONNECTION_LABEL: Record<ConnectionState, string> = {
  connecting: 'connecting…',
  connected: 'connected',
  disconnected: 'disconnected'
}

interface StatusBarProps {
  store: ProcessStore
  connection: ConnectionState
  hello: Hello | null
}

export function StatusBar({ store, connection, hello }: StatusBarProps) {
  const totals = liveTotals(store)
  const { last } = store
  const errors = last?.errors ?? []
  return (
    <footer className="status-bar" data-testid="status" role="status">
      <span data-testid="status-processes">{fmtCount(totals.processes)} processes</span>
      <span data-testid="status-threads">{fmtCount(totals.threads)} threads</span>
      <span data-testid="status-refresh">
        {last ? `refreshed ${fmtClock(last.takenAt, 'local')} in ${Math.round(last.durationMs)} ms` : 'waiting for the first refresh'}
      </span>
      {errors.length > 0 && (
        <span
          className="warn"
          data-testid="status-errors"
          title={showControls(
            errors
              .slice(0, 20)
              .map((e) => `pid ${e.pid} ${e.scope}: ${e.code} ${e.message}`)
              .join('\n')
          )}
        >
          {readErrors(errors, hello && { os: hello.host.os, elevated: hello.elevated })}
        </span>
      )}
      <span className="spacer" />
      {hello && (
        <span data-testid="status-host">
          <Name>{hello.host.hostname}</Name> · {hello.host.backend}
        </span>
      )}
      <ThemeToggle />
      <span className={`connection ${connection}`} data-testid="connection" data-state={connection}>
        {CONNECTION_LABEL[connection]}
      </span>
    </footer>
  )
}
