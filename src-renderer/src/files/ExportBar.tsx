// Export of whatever a view shows: a file, one item of it, or a compare of two. The host builds the
// report (HTML with its charts, PDF, CSV per table, JSON), optionally redacted, and sends it back to
// download.
import { useState } from 'react'
import { REPORT_FORMATS } from '../../../src-common/contract/contract'
import type { ConnectedApi } from '../api/connectedApi'
import { offerDownload } from './transfer'
import { toErrorPayload } from '../../../src-common/contract/errors'

/** What the Redact boxes (here and on save) do. */
export const REDACT_HINT = 'Replace user names, host names and directories, and secrets (passwords, tokens, keys, URL credentials)'

export interface ItemRef {
  fileId: number
  item?: number
}

interface ExportBarProps {
  api: ConnectedApi
  a: ItemRef
  /** with b: the report of the compare of a and b */
  b?: ItemRef
  testId: string
}

const LABEL = { html: 'HTML', pdf: 'PDF', csv: 'CSV', json: 'JSON' } as const

export function ExportBar({ api, a, b, testId }: ExportBarProps) {
  const [redact, setRedact] = useState(false)
  const [busy, setBusy] = useState<string | null>(null)
  const [error, setError] = useState<string | null>(null)
  const exportAs = async (format: (typeof REPORT_FORMATS)[number]) => {
    setBusy(format)
    setError(null)
    try {
      const { files } = await api.invoke('report.export', { a, b, format, redact })
      files.forEach(offerDownload)
    } catch (err) {
      setError(toErrorPayload(err).message)
    } finally {
      setBusy(null)
    }
  }
  return (
    <div className="wb-export" data-testid={testId} role="group" aria-label="Export a report">
      <span className="muted">Export report</span>
      {REPORT_FORMATS.map((f) => (
        <button key={f} type="button" disabled={busy !== null} data-testid={`${testId}-${f}`} onClick={() => void exportAs(f)}>
          {busy === f ? `${LABEL[f]}…` : LABEL[f]}
        </button>
      ))}
      <label title={REDACT_HINT}>
        <input type="checkbox" checked={redact} onChange={(e) => setRedact(e.target.checked)} data-testid={`${testId}-redact`} /> Redact
      </label>
      {error && (
        <span className="wb-error" role="alert">
          {error}
        </span>
      )}
    </div>
  )
}
