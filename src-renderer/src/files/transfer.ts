// Files in and out of the host as bytes: an opened file is read here and streamed to the host as one
// file.upload request (binary pieces, no base64); what the host sends back (a saved file, a report) is
// bytes too, offered as a download. In Electron the download asks where to save, as any download does.
// No path crosses the boundary.
import { MAX_UPLOAD_BYTES, type Download, type OpenedFile } from '../../../src-common/contract/contract'
import { fmtBytes } from '../../../src-common/model/format/format'
import { ApiError, type ConnectedApi } from '../api/connectedApi'

export async function openLocalFile(api: ConnectedApi, file: File): Promise<OpenedFile> {
  if (file.size > MAX_UPLOAD_BYTES)
    throw new ApiError('EFBIG', `${file.name}: ${fmtBytes(file.size)} is more than the ${fmtBytes(MAX_UPLOAD_BYTES)} a file may be here; use \`snapscope report\` on the command line`)
  const bytes = new Uint8Array(await file.arrayBuffer())
  return api.invoke('file.upload', { name: file.name, size: bytes.length }, { body: bytes })
}

export function offerDownload(download: Download): void {
  const url = URL.createObjectURL(new Blob([download.bytes as Uint8Array<ArrayBuffer>], { type: download.mime }))
  const a = document.createElement('a')
  a.href = url
  a.download = download.name
  a.dataset.testid = 'download-link'
  document.body.append(a)
  a.click()
  a.remove()
  // The download has its bytes by then; the URL only holds memory.
  setTimeout(() => URL.revokeObjectURL(url), 60_000)
}
