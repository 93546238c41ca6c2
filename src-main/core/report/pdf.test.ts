// PDF exports with the real Chromium, through real sessions: the host runs one Chromium at a time
// (watched in /proc while a dozen exports from several windows arrive at once), queues a few and
// refuses the rest, runs it with its sandbox on, and lets it fetch nothing.
import { execFileSync } from 'node:child_process'
import { existsSync, mkdtempSync, readdirSync, readFileSync, readlinkSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { dirname } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { loadAddon } from '../../../native/index'
import type { ResponseEnvelope } from '../../../src-common/contract/contract'
import { HostBudget } from '../budget'
import { encodeFile, makeFile } from '../files/snapshotFile'
import { HOST, namedWatchDoc, proc, snapshotDoc } from '../../../test-support/testDocs'
import { pieces } from '../../../test-support/pieces'
import { Session } from '../session'
import { MAX_PDF_WAITING, chromiumPrinter, findChromium } from './pdf'
import { fileReport } from './build'
import { exportReport } from './export'

const MiB = 1 << 20
const chromium = findChromium()
let sessions: Session[] = []
afterEach(() => {
  for (const s of sessions) s.close()
  sessions = []
})

/** A window with one file open, ready to export it. */
async function windowWithFile(budget: HostBudget) {
  const session = new Session({ addon: loadAddon(), budget, mode: 'browser', version: 'test' }, () => {})
  sessions.push(session)
  let id = 1
  const call = (channel: string, payload: unknown): Promise<ResponseEnvelope> => session.handle({ id: id++, channel, payload })
  const bytes = await encodeFile(makeFile([snapshotDoc([proc(7), proc(8)])], HOST))
  const opening = session.handle({ id: 0, channel: 'file.upload', payload: { name: 'snap.snapscope', size: bytes.length } })
  for (const piece of pieces(0, bytes)) session.receive(piece)
  const opened = await opening
  if (!opened.ok) throw new Error(opened.error.message)
  return { call, fileId: (opened.result as { fileId: number }).fileId }
}

interface ProcInfo {
  pid: number
  ppid: number
  argv: string[]
  status: string
}

function readProc(pid: number): ProcInfo | null {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8')
    // Chromium's helpers rewrite their command line into one string, words apart by spaces.
    const argv = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').filter(Boolean).flatMap((a) => a.split(' '))
    return { pid, ppid: Number(/^PPid:\s+(\d+)/m.exec(status)![1]), argv, status }
  } catch {
    return null // gone meanwhile
  }
}

/** The Chromium processes descended from this one (others on the machine are not ours), each with
 *  the instance it belongs to: the browser process this one started. */
function ourChromium(): (ProcInfo & { instance: number })[] {
  const all = new Map<number, ProcInfo>()
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue
    const info = readProc(Number(name))
    if (info) all.set(info.pid, info)
  }
  const instanceOf = (p: ProcInfo): number | null => {
    for (let at: ProcInfo | undefined = p, depth = 0; at && depth < 10; at = all.get(at.ppid), depth++) if (at.ppid === process.pid) return at.pid
    return null
  }
  return [...all.values()].flatMap((p) => {
    const instance = instanceOf(p)
    return p.argv[0]?.endsWith('/chromium') && instance !== null ? [{ ...p, instance }] : []
  })
}

const field = (status: string, name: string) => new RegExp(`^${name}:\\s+(\\S+)`, 'm').exec(status)?.[1]

describe.skipIf(!chromium)('PDF renderer', () => {
  it('prints one PDF at a time for the whole host, queues a few, refuses the rest, with the sandbox on', async () => {
    const budget = new HostBudget(2048 * MiB)
    const windows = await Promise.all(Array.from({ length: 4 }, () => windowWithFile(budget)))

    let most = 0
    const browsers = new Map<number, ProcInfo>()
    const renderers = new Map<number, ProcInfo>()
    const folders = new Set<string>()
    const poll = setInterval(() => {
      const seen = ourChromium()
      most = Math.max(most, new Set(seen.map((p) => p.instance)).size)
      for (const p of seen) if (p.pid === p.instance) browsers.set(p.pid, p)
      for (const p of seen) for (const a of p.argv) if (a.startsWith('--user-data-dir=')) folders.add(dirname(a.slice('--user-data-dir='.length)))
      for (const p of seen) if (p.argv.includes('--type=renderer')) renderers.set(p.pid, p)
    }, 20)
    // Twelve at once, three from each window.
    const answers = await Promise.all(
      Array.from({ length: 12 }, (_, i) => windows[i % 4].call('report.export', { a: { fileId: windows[i % 4].fileId }, format: 'pdf' }))
    )
    clearInterval(poll)

    const printed = answers.filter((a) => a.ok)
    expect(printed).toHaveLength(1 + MAX_PDF_WAITING)
    for (const a of printed) {
      const file = (a.result as { files: { bytes: Uint8Array }[] }).files[0]
      expect(Buffer.from(file.bytes).subarray(0, 5).toString()).toBe('%PDF-')
    }
    for (const a of answers.filter((r) => !r.ok))
      expect(a).toMatchObject({ ok: false, error: { code: 'EBUSY', message: `a PDF is being printed and ${MAX_PDF_WAITING} more are waiting: try again when one has finished (or export HTML)` } })

    // Never two Chromium instances at once (every Chromium process below us belongs to one), and each one seen.
    expect(most).toBe(1)
    expect(browsers.size).toBeGreaterThanOrEqual(2)
    // Sandboxed: no --no-sandbox, run as nobody when we are root, renderers in a seccomp filter and namespaces of their own.
    for (const b of browsers.values()) {
      expect(b.argv).not.toContain('--no-sandbox')
      if (process.geteuid?.() === 0) expect(field(b.status, 'Uid')).toBe('65534')
    }
    expect(renderers.size).toBeGreaterThan(0)
    const ourUserNs = readlinkSync('/proc/self/ns/user')
    for (const r of renderers.values()) {
      expect(field(r.status, 'Seccomp')).toBe('2')
      let userNs: string
      try {
        userNs = readlinkSync(`/proc/${r.pid}/ns/user`)
      } catch {
        continue // ended before we looked
      }
      expect(userNs).not.toBe(ourUserNs)
    }
    // Nothing left behind: no Chromium, no profile folder, nothing held.
    expect(ourChromium()).toEqual([])
    expect(folders.size).toBeGreaterThanOrEqual(2)
    expect([...folders].filter((f) => existsSync(f))).toEqual([])
    expect(budget.usedBytes).toBe(0)
  }, 120_000)

  it('prints the names of the code that faulted most: function, source line and module', async () => {
    const [pdf] = await exportReport(fileReport(makeFile([namedWatchDoc()], HOST), 'named.snapscope'), 'pdf', { baseName: 'named' })
    const file = join(mkdtempSync(join(tmpdir(), 'snapscope-pdf-')), 'named.pdf')
    writeFileSync(file, pdf.data)
    // poppler's pdftotext reads the text back as a reader would see it
    const text = execFileSync('pdftotext', ['-layout', file, '-'], { encoding: 'utf8' })
    expect(text).toMatch(/leak::Pool::grow\+0x2a\s+pool\.cc:123\s+leaky\s+0x401000/)
  }, 60_000)

  it('lets Chromium fetch nothing, loopback included', async () => {
    const requests: string[] = []
    const server = createServer((req, res) => {
      requests.push(req.url ?? '')
      res.end('x')
    })
    await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok))
    const port = (server.address() as AddressInfo).port
    try {
      // No CSP here (the reports have one): the flags alone must stop these.
      const html = `<html><body><h1>t</h1><img src="http://127.0.0.1:${port}/img.png"><link rel="stylesheet" href="http://localhost:${port}/a.css"><iframe src="http://127.0.0.1:${port}/frame"></iframe></body></html>`
      const pdf = await chromiumPrinter(html)
      expect(pdf.subarray(0, 5).toString()).toBe('%PDF-')
      expect(requests).toEqual([])
    } finally {
      server.close()
    }
  }, 60_000)
})

describe('PDF budget', () => {
  it('refuses a PDF export the host budget has no room for, saying what to change', async () => {
    const { call, fileId } = await windowWithFile(new HostBudget(256 * MiB))
    expect(await call('report.export', { a: { fileId }, format: 'pdf' })).toMatchObject({
      ok: false,
      error: { code: 'EBUSY', message: expect.stringMatching(/^printing a PDF needs 513 MiB, more than the 256 MiB this Snapscope may use: start Snapscope with SNAPSCOPE_MEMORY_MB set higher$/) }
    })
  })
})
