// A running walk: how far it got, and a way out.
import type { HeapProgress } from '../../../src-common/contract/contract'
import { fmtBytes, fmtCount } from '../../../src-common/model/format/format'

export function WalkProgress({ heapId, progress, onCancel }: { heapId: string; progress: HeapProgress | null; onCancel(): void }) {
  const share = progress && progress.totalBytes > 0 ? Math.min(1, progress.scannedBytes / progress.totalBytes) : 0
  return (
    <div className="walk-progress" data-testid="walk-progress" role="status">
      <span>
        Walking heap <span className="mono">{heapId}</span>…
      </span>
      <progress max={1} value={share} aria-label="Walk progress" />
      <span className="muted num">
        {progress ? `${fmtCount(progress.blocks)} blocks · ${fmtBytes(progress.scannedBytes)} of ${fmtBytes(progress.totalBytes)}` : 'starting'}
      </span>
      <button type="button" data-testid="walk-cancel" onClick={onCancel}>
        Cancel
      </button>
    </div>
  )
}
