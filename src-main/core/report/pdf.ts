// PDF from the HTML report by Chromium's own print (the same engine that shows the HTML), headless.
// Electron passes its webContents.printToPDF instead; the command and browser mode use a Chromium
// found on the machine. The page has no script and its CSP allows neither script nor request.
// (Chromium's --blink-settings=scriptEnabled=false would be belt and braces, but headless printing
// needs script in the page's renderer and then writes no PDF at all.)

import { execFile } from 'node:child_process'
import { accessSync, constants } from 'node:fs'
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { delimiter, join } from 'node:path'
import { pathToFileURL } from 'node:url'

export type PdfPrinter = (html: string) => Promise<Buffer>

const CANDIDATES = ['chromium', 'chromium-browser', 'google-chrome', 'google-chrome-stable']
const PRINT_TIMEOUT_MS = 120_000

/** $CHROMIUM_PATH, else the first Chromium on PATH. */
export function findChromium(): string | null {
  const env = process.env.CHROMIUM_PATH
  if (env) return env
  for (const dir of (process.env.PATH ?? '').split(delimiter).filter(Boolean))
    for (const name of CANDIDATES) {
      try {
        accessSync(join(dir, name), constants.X_OK)
        return join(dir, name)
      } catch {
        // not here
      }
    }
  return null
}

export const chromiumPrinter: PdfPrinter = async (html) => {
  const browser = findChromium()
  if (!browser)
    throw Object.assign(new Error('PDF needs Chromium: none found on PATH (install chromium, or set CHROMIUM_PATH)'), { code: 'ENOENT' })
  const dir = await mkdtemp(join(tmpdir(), 'snapscope-pdf-'))
  try {
    const page = join(dir, 'report.html')
    const pdf = join(dir, 'report.pdf')
    await writeFile(page, html)
    await new Promise<void>((ok, fail) => {
      execFile(
        browser,
        [
          '--headless',
          '--no-sandbox',
          '--disable-gpu',
          '--disable-extensions',
          '--no-first-run',
          '--disable-background-networking',
          `--user-data-dir=${join(dir, 'profile')}`,
          '--no-pdf-header-footer',
          `--print-to-pdf=${pdf}`,
          pathToFileURL(page).href
        ],
        { timeout: PRINT_TIMEOUT_MS, killSignal: 'SIGKILL' },
        (err, _stdout, stderr) =>
          err ? fail(Object.assign(new Error(`Chromium could not print the PDF: ${err.killed ? 'timed out' : stderr.trim().split('\n').pop() || err.message}`), { code: 'EPRINT' })) : ok()
      )
    })
    return await readFile(pdf)
  } finally {
    await rm(dir, { recursive: true, force: true })
  }
}
