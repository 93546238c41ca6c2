// PDF reports in Electron: the report's HTML printed by a hidden window's webContents.printToPDF (the
// command and browser mode use a Chromium on the machine instead, see core/report/pdf.ts). The page
// is our own report, loaded from a temporary file (a data: URL stops at 2 MB), with no script (its
// CSP allows none), in a sandboxed window that never shows.
import { BrowserWindow } from 'electron'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

export async function printToPdf(html: string): Promise<Buffer> {
  const dir = await mkdtemp(join(tmpdir(), 'snapscope-pdf-'))
  const win = new BrowserWindow({ show: false, webPreferences: { sandbox: true, contextIsolation: true, nodeIntegration: false } })
  try {
    const page = join(dir, 'report.html')
    await writeFile(page, html)
    await win.loadFile(page)
    return await win.webContents.printToPDF({ pageSize: 'A4', printBackground: true, preferCSSPageSize: true })
  } finally {
    win.destroy()
    await rm(dir, { recursive: true, force: true })
  }
}
