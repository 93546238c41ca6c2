// Files in and out of the host as bytes: an opened file is read here and sent in base64 pieces that
// each fit one message; what the host sends back (a saved file, a report) is offered as a download.
// In Electron the download asks where to save, as any download does. No path crosses the boundary.
import { MAX_UPLOAD_BYTES, MAX_UPLOAD_CHUNK, type Download, type OpenedFile } from '../../../src-common/contract/contract'
import { fmtBytes } from '../../../src-common/model/format/format'
import { ApiError, type ConnectedApi } from '../api/connectedApi'

/** Bytes per piece: MAX_UPLOAD_CHUNK base64 characters (a multiple of 4, so pieces decode alone). */
const PIECE = (MAX_UPLOAD_CHUNK / 4) * 3
let nextUploadId = 1

function toBase64(bytes: Uint8Array): string {
  let binary = ''
  for (let i = 0; i < bytes.length; i += 0x8000) binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000))
  return btoa(binary)
}

export async function openLocalFile(api: ConnectedApi, file: File): Promise<OpenedFile> {
  if (file.size > MAX_UPLOAD_BYTES)
    throw new ApiError('EFBIG', `${file.name}: ${fmtBytes(file.size)} is more than the ${fmtBytes(MAX_UPLOAD_BYTES)} a file may be here; use \`snapscope report\` on the command line`)
  const bytes = new Uint8Array(await file.arrayBuffer())
  const uploadId = nextUploadId++
  // An empty file still makes one (empty) piece, so the host can say what is wrong with it.
  for (let piece = 0, pieces = Math.max(1, Math.ceil(bytes.length / PIECE)); piece < pieces; piece++) {
    const offset = piece * PIECE
    await api.invoke('file.upload', { uploadId, offset, data: toBase64(bytes.subarray(offset, offset + PIECE)) })
  }
  return api.invoke('file.open', { uploadId, name: file.name })
}

export function offerDownload(download: Download): void {
  const binary = atob(download.base64)
  const bytes = new Uint8Array(binary.length)
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i)
  const url = URL.createObjectURL(new Blob([bytes], { type: download.mime }))
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
