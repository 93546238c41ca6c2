// Empty states and errors, each saying what to do next.
import type { ReactNode } from 'react'
import { useHostAccess } from './HostContext'
import { adviceFor, type Problem } from './problems'

interface EmptyProps {
  children: ReactNode
  testId?: string
  action?: { label: string; onClick(): void }
}

export function EmptyState({ children, testId, action }: EmptyProps) {
  return (
    <div className="empty-state" data-testid={testId}>
      <p>{children}</p>
      {action && (
        <button type="button" onClick={action.onClick}>
          {action.label}
        </button>
      )}
    </div>
  )
}

interface ErrorProps {
  /** what was being done: "Reading the modules of pid 42" */
  what: string
  problem: Problem
  testId?: string
  onRetry?(): void
}

export function ErrorNotice({ what, problem, testId, onRetry }: ErrorProps) {
  const host = useHostAccess()
  return (
    <div className="error-notice" role="alert" data-testid={testId} data-code={problem.code}>
      <p>
        <strong>{what} failed:</strong> {problem.message} <code>{problem.code}</code>
      </p>
      <p>{adviceFor(problem.code, host)}</p>
      {onRetry && (
        <button type="button" onClick={onRetry}>
          Try again
        </button>
      )}
    </div>
  )
}
