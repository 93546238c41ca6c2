// Snapscope files: open them (a dialog, or dropped on the window), take one of a live process now,
// look at what they hold, save them (optionally redacted) and export reports of them.
import { useState, type DragEvent } from 'react'
import type { OpenedFile } from '../../../src-common/contract/contract'
import { itemKind } from '../../../src-common/model/diff/observation'
import { fmtBytes, fmtTime } from '../../../src-common/model/format/format'
import type { ConnectedApi } from '../api/connectedApi'
import { Name, showControls } from '../common/Name'
import { ExportBar, REDACT_HINT } from './ExportBar'
import { PprofButton } from '../allocs/PprofButton'
import { ItemSummary } from './ItemSummary'
import { offerDownload } from './transfer'
import type { Library } from './useLibrary'
import { toErrorPayload } from '../../../src-common/contract/errors'

const ACCEPT = '.snapscope,.json,.gz,application/json,application/gzip'

function OpenBar({ library }: { library: Library }) {
  const [dragging, setDragging] = useState(false)
  const [pid, setPid] = useState('')
  const [heap, setHeap] = useState(true)
  const onDrop = (e: DragEvent) => {
    e.preventDefault()
    setDragging(false)
    const files = [...e.dataTransfer.files]
    if (files.length) void library.open(files)
  }
  const pidOk = /^\d+$/.test(pid.trim())
  return (
    <div className="wb-openbar">
      <div
        className={`wb-drop${dragging ? ' dragging' : ''}`}
        data-testid="drop-zone"
        onDragOver={(e) => {
          e.preventDefault()
          setDragging(true)
        }}
        onDragLeave={() => setDragging(false)}
        onDrop={onDrop}
      >
        Drop <code>.snapscope</code> files (or the JSON of <code>snapshot</code>, <code>heap</code>, <code>watch</code>) here, or{' '}
        <label className="wb-button">
          open…
          <input
            type="file"
            multiple
            accept={ACCEPT}
            data-testid="file-input"
            onChange={(e) => {
              const files = [...(e.target.files ?? [])]
              e.target.value = ''
              if (files.length) void library.open(files)
            }}
          />
        </label>
      </div>
      <form
        className="wb-take"
        onSubmit={(e) => {
          e.preventDefault()
          if (pidOk) void library.take(Number(pid), heap)
        }}
      >
        <label>
          Snapshot of process{' '}
          <input value={pid} onChange={(e) => setPid(e.target.value)} placeholder="pid" inputMode="numeric" size={8} data-testid="take-pid" aria-label="Process id" />
        </label>
        <label title="Walk its heaps for the size classes (summary only)">
          <input type="checkbox" checked={heap} onChange={(e) => setHeap(e.target.checked)} /> heaps
        </label>
        <button type="submit" disabled={!pidOk || library.busy !== null} data-testid="take">
          Take now
        </button>
      </form>
    </div>
  )
}

function SaveButton({ api, file }: { api: ConnectedApi; file: OpenedFile }) {
  const [redact, setRedact] = useState(false)
  const [error, setError] = useState<string | null>(null)
  const save = async () => {
    setError(null)
    try {
      offerDownload(await api.invoke('file.save', { fileId: file.fileId, redact }))
    } catch (err) {
      setError(toErrorPayload(err).message)
    }
  }
  return (
    <div className="wb-export" role="group" aria-label="Save the file">
      <button type="button" className="primary" data-testid="save-file" onClick={() => void save()}>
        Save .snapscope
      </button>
      <label title={REDACT_HINT}>
        <input type="checkbox" checked={redact} onChange={(e) => setRedact(e.target.checked)} data-testid="save-redact" /> Redact
      </label>
      {error && <span className="wb-error" role="alert">{error}</span>}
    </div>
  )
}

export function FilesView({ api, library }: { api: ConnectedApi; library: Library }) {
  const file = library.files.find((f) => f.fileId === library.selected) ?? library.files[library.files.length - 1]
  return (
    <div className="wb-files">
      <OpenBar library={library} />
      {library.busy && <p className="muted" role="status">{library.busy}</p>}
      {library.error && (
        <p className="wb-error" role="alert" data-testid="library-error">
          {library.error}
        </p>
      )}
      {library.files.length === 0 ? (
        <p className="empty" data-testid="no-files">
          No file is open. Open one saved on another machine, take a snapshot of a process now, or record a timeline.
        </p>
      ) : (
        <div className="wb-split">
          <ul className="wb-file-list" aria-label="Open files" data-testid="file-list">
            {library.files.map((f) => (
              <li key={f.fileId} className={f === file ? 'selected' : undefined} data-testid="open-file" data-name={f.name}>
                <button type="button" className="wb-file" onClick={() => library.select(f.fileId)} aria-current={f === file}>
                  <strong>
                    <Name>{f.name}</Name>
                  </strong>
                  <span className="muted">{f.items.map(itemKind).join(' + ')}</span>
                  <span className="muted">
                    <Name>{f.host.hostname || 'unknown host'}</Name> · {fmtTime(f.createdAt, 'local')}
                  </span>
                </button>
                <button type="button" className="link-button" aria-label={`Close ${showControls(f.name)}`} onClick={() => void library.close(f.fileId)}>
                  ×
                </button>
              </li>
            ))}
          </ul>
          {file && (
            <div className="wb-file-detail" data-testid="file-detail">
              <header>
                <h2>
                  <Name>{file.name}</Name>
                </h2>
                <p className="muted">
                  {[
                    file.host.hostname && `${showControls(file.host.hostname)} (${file.host.os} ${file.host.arch})`,
                    `created ${fmtTime(file.createdAt, 'local')}`,
                    file.generator,
                    file.sizeBytes ? fmtBytes(file.sizeBytes) : '',
                    file.redacted && 'redacted'
                  ]
                    .filter(Boolean)
                    .join(' · ')}
                </p>
                {(file.omitted.blocks > 0 || file.omitted.faults > 0) && (
                  <p className="muted">The block lists and fault records are not shown here; saves and exports keep them.</p>
                )}
                <div className="wb-actions">
                  <SaveButton api={api} file={file} />
                  <PprofButton api={api} file={file} />
                  <ExportBar api={api} a={{ fileId: file.fileId }} testId="file-export" />
                </div>
              </header>
              {file.items.map((item, i) => (
                <ItemSummary key={i} item={item} index={i} />
              ))}
            </div>
          )}
        </div>
      )}
    </div>
  )
}
