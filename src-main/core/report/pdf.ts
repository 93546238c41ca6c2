// PDF from the HTML report by Chromium's own print (the same engine that shows the HTML), headless.
// Electron passes its webContents.printToPDF instead; the command and browser mode use a Chromium
// found on the machine. The page has no script and its CSP allows neither script nor request.
// (Chromium's --blink-settings=scriptEnabled=false would be belt and braces, but headless printing
// needs script in the page's renderer and then writes no PDF at all.)
//
// Chromium runs with its sandbox on. It refuses to start sandboxed as root (crbug.com/638180), so
// when Snapscope runs as root Chromium runs as `nobody`, where the sandbox works (user namespaces and
// seccomp for its renderers). It gets a fresh profile in a temporary folder (removed after), no GPU,
// and no network: every request goes to a proxy that is not there and every name resolves to nothing,
// loopback included. A host prints one PDF at a time (PdfQueue): each Chromium is ~500 MiB.

import { spawn } from 'node:child_process'
import { accessSync, constants, readFileSync, readdirSync } from 'node:fs'
import { chown, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { delimiter, join } from 'node:path'
import { pathToFileURL } from 'node:url'
import { setTimeout as sleep } from 'node:timers/promises'
import type { HostBudget, Lease } from '../budget'
import { codedError } from '../../../src-common/contract/errors'

export type PdfPrinter = (html: string) => Promise<Buffer>

const CANDIDATES = ['chromium', 'chromium-browser', 'google-chrome', 'google-chrome-stable']
const PRINT_TIMEOUT_MS = 120_000
/** how long Chromium's helpers may take to go after its browser process ended */
const EXIT_GRACE_MS = 2_000
/** stderr kept for the error message */
const STDERR_TAIL = 8192

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

/** Who Chromium runs as when Snapscope is root: `nobody` (from /etc/passwd, else 65534). */
function unprivileged(): { uid: number; gid: number } | null {
  if (process.geteuid?.() !== 0) return null
  try {
    const line = readFileSync('/etc/passwd', 'utf8').split('\n').find((l) => l.startsWith('nobody:'))
    const [, , uid, gid] = line?.split(':') ?? []
    if (uid && gid) return { uid: Number(uid), gid: Number(gid) }
  } catch {
    // no passwd file: the usual ids
  }
  return { uid: 65534, gid: 65534 }
}

const printError = (message: string) => codedError('EPRINT', `Chromium could not print the PDF: ${message}`)

/** Some process of the group still runs. Zombies do not count: Chromium's helpers end up children of
 *  init once its browser process is gone, and an init may be slow to reap them. */
function groupRuns(pgid: number): boolean {
  if (process.platform !== 'linux') {
    try {
      process.kill(-pgid, 0)
      return true
    } catch {
      return false
    }
  }
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue
    try {
      const stat = readFileSync(`/proc/${name}/stat`, 'utf8')
      const [state, , group] = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
      if (Number(group) === pgid && state !== 'Z') return true
    } catch {
      // gone meanwhile
    }
  }
  return false
}

const killGroup = (pgid: number): void => {
  try {
    process.kill(-pgid, 'SIGKILL')
  } catch {
    // already gone
  }
}

/** Resolves once no process of the group runs (SIGKILL to stragglers after the grace): the next PDF
 *  starts only when this Chromium has gone entirely. */
async function groupGone(pgid: number): Promise<void> {
  for (const end = Date.now() + EXIT_GRACE_MS; groupRuns(pgid) && Date.now() < end; ) await sleep(20)
  if (!groupRuns(pgid)) return
  killGroup(pgid)
  for (const end = Date.now() + EXIT_GRACE_MS; groupRuns(pgid) && Date.now() < end; ) await sleep(20)
}

const POSIX = process.platform !== 'win32'

function runChromium(browser: string, args: string[], dir: string, ids: { uid: number; gid: number } | null): Promise<void> {
  return new Promise((ok, fail) => {
    const child = spawn(browser, args, {
      // Its own process group, so a timeout (or the end) takes every helper it started, not only the first.
      detached: POSIX,
      stdio: ['ignore', 'ignore', 'pipe'],
      ...(ids ?? {}),
      // Nothing of Snapscope's environment: Chromium's files go to the temporary folder. (Windows'
      // Chromium needs its system variables.)
      env: POSIX
        ? { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: dir, XDG_CONFIG_HOME: join(dir, 'config'), XDG_CACHE_HOME: join(dir, 'cache'), LANG: 'C.UTF-8' }
        : process.env
    })
    const group = POSIX ? child.pid : undefined
    let stderr = ''
    child.stderr.on('data', (chunk: Buffer) => {
      stderr = (stderr + chunk.toString()).slice(-STDERR_TAIL)
    })
    let timedOut = false
    const timer = setTimeout(() => {
      timedOut = true
      if (group) killGroup(group)
      else child.kill('SIGKILL')
    }, PRINT_TIMEOUT_MS)
    child.on('error', (err) => {
      clearTimeout(timer)
      fail(printError(err.message))
    })
    child.on('close', (code, signal) => {
      clearTimeout(timer)
      const done = group ? groupGone(group) : Promise.resolve()
      void done.then(() => {
        if (code === 0) return ok()
        if (timedOut) return fail(printError(`timed out after ${PRINT_TIMEOUT_MS / 1000} s`))
        if (/no usable sandbox/i.test(stderr))
          return fail(printError('its sandbox cannot start here (it needs unprivileged user namespaces): allow them (sysctl kernel.unprivileged_userns_clone=1), or export HTML instead'))
        const last = stderr.trim().split('\n').filter((l) => !/dbus|Fontconfig/i.test(l)).pop()
        fail(printError(last || `it exited with ${signal ?? `code ${code}`}`))
      })
    })
  })
}

export const chromiumPrinter: PdfPrinter = async (html) => {
  const browser = findChromium()
  if (!browser)
    throw codedError('ENOENT', 'PDF needs Chromium: none found on PATH (install chromium, or set CHROMIUM_PATH)')
  const ids = unprivileged()
  const dir = await mkdtemp(join(tmpdir(), 'snapscope-pdf-'))
  try {
    const page = join(dir, 'report.html')
    const pdf = join(dir, 'report.pdf')
    await writeFile(page, html)
    if (ids) {
      await chown(dir, ids.uid, ids.gid)
      await chown(page, ids.uid, ids.gid)
    }
    await runChromium(
      browser,
      [
        '--headless',
        '--disable-gpu',
        '--disable-extensions',
        '--disable-breakpad',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-sync',
        // No network at all: a proxy that refuses (loopback too, which bypasses a proxy by default),
        // and no name resolves. The report loads nothing; this holds if a page ever tried.
        '--proxy-server=127.0.0.1:9',
        '--proxy-bypass-list=<-loopback>',
        '--host-resolver-rules=MAP * ~NOTFOUND',
        `--user-data-dir=${join(dir, 'profile')}`,
        '--no-pdf-header-footer',
        `--print-to-pdf=${pdf}`,
        pathToFileURL(page).href
      ],
      dir,
      ids
    )
    return await readFile(pdf)
  } finally {
    await rm(dir, { recursive: true, force: true })
  }
}

/** the running renderer: Chromium printing a report measured 480 MiB PSS over its processes */
export const PDF_RENDERER_BYTES = 512 << 20
/** PDF exports waiting for the renderer at most; more are refused with EBUSY */
export const MAX_PDF_WAITING = 4

/**
 * The host's one PDF renderer: exports print one at a time, in order; a few wait, and the rest are
 * refused. The renderer's memory is reserved from the host budget while it prints, the waiting
 * pages' while they wait.
 */
export class PdfQueue {
  private readonly waiting: (() => void)[] = []
  private printing = false

  constructor(private readonly budget: HostBudget) {}

  async print(html: string, printer: PdfPrinter): Promise<Buffer> {
    if (this.printing && this.waiting.length >= MAX_PDF_WAITING)
      throw codedError('EBUSY', `a PDF is being printed and ${MAX_PDF_WAITING} more are waiting: try again when one has finished (or export HTML)`)
    // The page's text while it waits (UTF-16 in a string).
    const lease: Lease = this.budget.reserve('PDF export', html.length * 2, 'a PDF export')
    try {
      if (this.printing) await new Promise<void>((ok) => this.waiting.push(ok))
      this.printing = true
      lease.resize(lease.bytes + PDF_RENDERER_BYTES, 'printing a PDF')
      return await printer(html)
    } finally {
      lease.release()
      this.next()
    }
  }

  private next(): void {
    const wake = this.waiting.shift()
    if (wake) wake()
    else this.printing = false
  }
}
