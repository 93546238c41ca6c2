// "Save pprof" for a file that holds an allocation trace: the host writes profile.proto (gzip) of it,
// offered as a download (go tool pprof, Pyroscope, speedscope open it).
import { useState } from 'react'
import type { OpenedFile } from '../../../src-common/contract/contract'
import { toErrorPayload } from '../../../src-common/contract/errors'
import type { ConnectedApi } from '../api/connectedApi'
import { offerDownload } from '../files/transfer'

export const PPROF_HINT = 'profile.proto (gzip): go tool pprof, Pyroscope, speedscope'

/** Asks the host for the pprof of the trace in a file and offers it; rejects with the host's error. */
export const downloadPprof = (api: ConnectedApi, ref: { fileId: number; item?: number }): Promise<void> => api.invoke('allocs.pprof', ref).then(offerDownload)

export function PprofButton({ api, file }: { api: ConnectedApi; file: OpenedFile }) {
  const [error, setError] = useState<string | null>(null)
  if (!file.items.some((i) => i.format === 'snapscope.allocs/1')) return null
  return (
    <>
      <button type="button" data-testid="file-pprof" title={PPROF_HINT} onClick={() => downloadPprof(api, { fileId: file.fileId }).then(() => setError(null), (e: unknown) => setError(toErrorPayload(e).message))}>
        Save pprof
      </button>
      {error && (
        <span className="wb-error" role="alert">
          {error}
        </span>
      )}
    </>
  )
}
