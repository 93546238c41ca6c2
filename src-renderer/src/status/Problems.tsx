// Banners for what went wrong, each saying what to do next.
import type { ConnectionState } from '../api/connectedApi'
import type { WatchProblem } from '../processes/useProcessStore'

const BUILD_HINT = 'Check that the native addon is built: npm run build:native'

interface ProblemsProps {
  connection: ConnectionState
  problem: WatchProblem | null
}

export function Problems({ connection, problem }: ProblemsProps) {
  if (connection === 'disconnected')
    return (
      <div className="banner error" role="alert" data-testid="disconnected">
        Disconnected from the Snapscope host. Restart <code>npm start</code>, then open the URL with the access token it
        prints to its terminal (or writes to its <code>--url-file</code>).
      </div>
    )
  if (!problem) return null
  return (
    <div className="banner error" role="alert" data-testid="backend-error">
      {problem.kind === 'watch' ? 'Could not start the process list' : 'The process list could not be refreshed'}:{' '}
      {problem.message} ({problem.code}). {problem.kind === 'refresh' ? 'Retrying every second. ' : 'Reload to retry. '}
      {BUILD_HINT}
    </div>
  )
}
