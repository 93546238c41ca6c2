// Counts, freshness of the list and the state of the connection to the host.
import type { Hello } from '../../../src-main/ipc/contract'
import type { ConnectionState } from '../api/connectedApi'
import { formatCount, formatTime } from '../processes/format'
import type { ProcessStore } from '../processes/processStore'
import { ThemeToggle } from '../theme/ThemeToggle'
import { liveTotals } from '../processes/processStore'

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
  const unreadable = last?.errors.length ?? 0
  return (
    <footer className="status-bar" data-testid="status" role="status">
      <span data-testid="status-processes">{formatCount(totals.processes)} processes</span>
      <span data-testid="status-threads">{formatCount(totals.threads)} threads</span>
      <span data-testid="status-refresh">
        {last ? `refreshed ${formatTime(last.takenAt)} in ${Math.round(last.durationMs)} ms` : 'waiting for the first refresh'}
      </span>
      {unreadable > 0 && (
        <span
          className="warn"
          title={last!.errors
            .slice(0, 20)
            .map((e) => `pid ${e.pid} ${e.scope}: ${e.code} ${e.message}`)
            .join('\n')}
        >
          {formatCount(unreadable)} read errors (usually processes owned by other users)
        </span>
      )}
      <span className="spacer" />
      {hello && (
        <span>
          {hello.host.hostname} · {hello.host.backend}
        </span>
      )}
      <ThemeToggle />
      <span className={`connection ${connection}`} data-testid="connection" data-state={connection}>
        {CONNECTION_LABEL[connection]}
      </span>
    </footer>
  )
}
