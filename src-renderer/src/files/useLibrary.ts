// The files open in this window's session, shared by the files, compare and timeline views: opened
// from disk (dialog or drop), taken from a live process, or a finished capture.
import { createContext, useCallback, useState } from 'react'
import type { OpenedFile } from '../../../src-common/contract/contract'
import type { ConnectedApi } from '../api/connectedApi'
import { openLocalFile } from './transfer'
import { toErrorPayload } from '../../../src-common/contract/errors'

export interface Library {
  files: OpenedFile[]
  /** what is being done, for a progress line */
  busy: string | null
  /** the last failure, said plainly (file name and what is wrong) */
  error: string | null
  selected: number | null
  select(fileId: number): void
  open(files: readonly File[]): Promise<void>
  take(pid: number, heap: boolean): Promise<void>
  close(fileId: number): Promise<void>
  adopt(file: OpenedFile): void
}


export function useLibrary(api: ConnectedApi): Library {
  const [files, setFiles] = useState<OpenedFile[]>([])
  const [busy, setBusy] = useState<string | null>(null)
  const [error, setError] = useState<string | null>(null)
  const [selected, setSelected] = useState<number | null>(null)

  const adopt = useCallback((file: OpenedFile) => {
    setFiles((list) => [...list.filter((f) => f.fileId !== file.fileId), file])
    setSelected(file.fileId)
  }, [])

  const run = useCallback(async (what: string, work: () => Promise<void>) => {
    setBusy(what)
    setError(null)
    try {
      await work()
    } catch (err) {
      setError(toErrorPayload(err).message)
    } finally {
      setBusy(null)
    }
  }, [])

  return {
    files,
    busy,
    error,
    selected,
    select: setSelected,
    adopt,
    open: (list) =>
      run(`Opening ${list.map((f) => f.name).join(', ')}…`, async () => {
        for (const file of list) adopt(await openLocalFile(api, file))
      }),
    take: (pid, heap) => run(`Taking a snapshot of process ${pid}…`, async () => adopt(await api.invoke('file.take', { pid, heap }))),
    close: (fileId) =>
      run('Closing…', async () => {
        await api.invoke('file.close', { fileId })
        setFiles((list) => list.filter((f) => f.fileId !== fileId))
        setSelected((s) => (s === fileId ? null : s))
      })
  }
}

/** The window's library, for views outside the workbench that make files (a leak scan): null where there is none. */
export const LibraryContext = createContext<Library | null>(null)
