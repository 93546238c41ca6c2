// For the tests of the leak views: open files as the host describes them, and a catcher of the
// downloads the views offer (jsdom has no object URLs and does not download).
import { vi } from 'vitest'
import type { OpenedFile } from '../../../src-common/contract/contract'
import type { FileItem } from '../../../src-common/contract/fileTypes'
import { HOST } from '../../../test-support/testDocs'

/** for tests that draw charts: recharts in jsdom takes its time, and more on a busy machine */
export const CHARTS_TIMEOUT = 30_000

export function openedFile(fileId: number, name: string, items: FileItem[]): OpenedFile {
  return { fileId, name, sizeBytes: 1234, createdAt: '2025-03-01T10:00:00.000Z', generator: 'snapscope test', host: HOST, redacted: false, items, omitted: { blocks: 0, faults: 0 } }
}

/** Records what offerDownload hands the browser: names and the bytes' text. */
export function catchDownloads(): { name: string; text: Promise<string> }[] {
  const caught: { name: string; text: Promise<string> }[] = []
  const blobs = new Map<string, Blob>()
  let n = 0
  URL.createObjectURL = (blob: Blob) => {
    const url = `blob:test/${n++}`
    blobs.set(url, blob)
    return url
  }
  URL.revokeObjectURL = () => {}
  vi.spyOn(HTMLAnchorElement.prototype, 'click').mockImplementation(function (this: HTMLAnchorElement) {
    caught.push({ name: this.download, text: blobs.get(this.href)!.text() })
  })
  return caught
}
