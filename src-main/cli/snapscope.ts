// The `snapscope` command. Exit codes: 0 ok, 1 the operation failed (what, which pid, OS code on
// stderr), 2 bad usage. Scripts and tests depend on its verbs and JSON.

import { createWriteStream } from 'node:fs'
import { rename, rm } from 'node:fs/promises'
import { finished } from 'node:stream/promises'
import { parseArgs } from 'node:util'
import { dirname, join, resolve } from 'node:path'
import { loadAddon } from '../../native/index'
import { INCLUDE_KINDS, type IncludeKind } from '../ipc/types'
import { takeSnapshot } from '../core/snapshot'
import { singleHeap, walkHeaps } from '../core/heapWalk'
import { WsWatchSession } from '../core/wsWatch'
import { writeJson } from '../core/jsonStream'
import { startWebHost } from '../web/webHost'
import { version } from '../../package.json'

const USAGE = `usage: snapscope <verb> [options]
  snapshot [--pid N] [--include process,thread,module,heaplist] [--out FILE]
                                  a snapshot (JSON); module and heap lists are of --pid (default: this process)
  heap --pid N [--heap ID] [--limit N] [--offset N] [--stop] [--out FILE]
                                  heap walk (JSON); --stop stops the target during the walk
  watch --pid N --seconds S [--mechanism M] [--out FILE]
                                  working-set watch (JSON); prints "attached pid=N" on stderr once live
  serve [--port P]                                             browser mode on 127.0.0.1
  --help, --version`

export class UsageError extends Error {}

function parsePid(value: string | undefined, required: boolean): number | null {
  if (value === undefined) {
    if (required) throw new UsageError('--pid is required')
    return null
  }
  if (!/^\d+$/.test(value) || Number(value) > 0x7fffffff) throw new UsageError(`--pid must be a process id, got "${value}"`)
  return Number(value)
}

function parseInclude(value: string | undefined): IncludeKind[] | undefined {
  if (value === undefined) return undefined
  const kinds = value.split(',').map((s) => s.trim()).filter(Boolean)
  for (const k of kinds)
    if (!INCLUDE_KINDS.includes(k as IncludeKind)) throw new UsageError(`--include: unknown list "${k}" (use ${INCLUDE_KINDS.join(',')})`)
  return kinds as IncludeKind[]
}

async function writeOutput(json: unknown, out: string | undefined): Promise<void> {
  if (!out) return writeJson(process.stdout, json)
  // Write beside the target and rename, so a failed write never leaves half a file behind.
  const tmp = join(dirname(resolve(out)), `.${Date.now()}.${process.pid}.tmp`)
  const file = createWriteStream(tmp)
  try {
    await writeJson(file, json)
    file.end()
    await finished(file)
    await rename(tmp, out)
  } catch (err) {
    file.destroy()
    await rm(tmp, { force: true })
    throw err
  }
}

async function snapshotVerb(args: string[]): Promise<void> {
  const { values } = parseArgs({ args, options: { pid: { type: 'string' }, include: { type: 'string' }, out: { type: 'string' } } })
  const snap = await takeSnapshot(loadAddon(), { pid: parsePid(values.pid, false), include: parseInclude(values.include) })
  await writeOutput(snap, values.out)
}

function parseCount(name: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined
  if (!/^\d+$/.test(value) || !Number.isSafeInteger(Number(value))) throw new UsageError(`--${name} must be a whole number, got "${value}"`)
  return Number(value)
}

/** Progress on stderr, on one rewritten line, only where a person is watching. */
function progressLine(label: string): ((p: { scannedBytes: number; totalBytes: number; blocks: number }) => void) | undefined {
  if (!process.stderr.isTTY) return undefined
  return (p) => {
    const pct = p.totalBytes ? Math.min(100, Math.round((100 * p.scannedBytes) / p.totalBytes)) : 0
    process.stderr.write(`\r${label}: ${pct}% (${p.blocks.toLocaleString()} blocks)`)
  }
}

async function heapVerb(args: string[]): Promise<void> {
  const { values } = parseArgs({
    args,
    options: {
      pid: { type: 'string' },
      heap: { type: 'string' },
      limit: { type: 'string' },
      offset: { type: 'string' },
      stop: { type: 'boolean' },
      out: { type: 'string' }
    }
  })
  const pid = parsePid(values.pid, true)!
  const progress = progressLine(`walking heaps of ${pid}`)
  const run = walkHeaps(
    loadAddon(),
    { pid, heapId: values.heap ?? null, limit: parseCount('limit', values.limit), offset: parseCount('offset', values.offset), stopTarget: values.stop ?? false },
    progress
  )
  const cancel = (): void => run.cancel()
  process.once('SIGINT', cancel)
  try {
    const doc = await run.result
    if (progress) process.stderr.write('\n')
    await writeOutput(values.heap ? singleHeap(doc, values.heap) : doc, values.out)
  } finally {
    process.off('SIGINT', cancel)
  }
}

async function watchVerb(args: string[]): Promise<void> {
  const { values } = parseArgs({
    args,
    options: { pid: { type: 'string' }, seconds: { type: 'string' }, mechanism: { type: 'string' }, out: { type: 'string' } }
  })
  const pid = parsePid(values.pid, true)!
  if (values.seconds === undefined) throw new UsageError('--seconds is required')
  const seconds = Number(values.seconds)
  if (!(seconds > 0 && seconds <= 86_400)) throw new UsageError(`--seconds must be a number of seconds (0 < S <= 86400), got "${values.seconds}"`)
  const session = await WsWatchSession.start(loadAddon(), { pid, mechanism: values.mechanism })
  process.stderr.write(`attached pid=${pid} mechanism=${session.mechanism}\n`)
  const timer = setTimeout(() => void session.stop(), seconds * 1000)
  const stop = (): void => void session.stop()
  process.once('SIGINT', stop)
  process.once('SIGTERM', stop)
  const doc = await session.done
  clearTimeout(timer)
  process.off('SIGINT', stop)
  process.off('SIGTERM', stop)
  await writeOutput(doc, values.out)
}

async function serveVerb(args: string[]): Promise<void> {
  const { values } = parseArgs({ args, options: { port: { type: 'string' } } })
  const port = values.port === undefined ? 0 : Number(values.port)
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new UsageError(`--port must be 0..65535, got "${values.port}"`)
  const host = await startWebHost({ port, rendererDir: join(__dirname, '..', 'renderer'), deps: { addon: loadAddon(), version } })
  process.stdout.write(`Snapscope browser mode: ${host.url}\n`)
  const stop = (): void => void host.close().then(() => process.exit(0))
  process.once('SIGINT', stop)
  process.once('SIGTERM', stop)
}

const VERBS: Record<string, (args: string[]) => Promise<void>> = {
  snapshot: snapshotVerb,
  heap: heapVerb,
  watch: watchVerb,
  serve: serveVerb
}

export async function main(argv: string[]): Promise<number> {
  const [verb, ...rest] = argv
  if (verb === '--version') {
    process.stdout.write(version + '\n')
    return 0
  }
  if (!verb || verb === '--help' || verb === 'help') {
    process.stdout.write(USAGE + '\n')
    return verb ? 0 : 2
  }
  const run = VERBS[verb]
  if (!run) {
    process.stderr.write(`snapscope: unknown verb "${verb}"\n${USAGE}\n`)
    return 2
  }
  try {
    await run(rest)
    return 0
  } catch (err) {
    const e = err as { code?: string; message?: string }
    // parseArgs reports unknown or malformed options with ERR_PARSE_ARGS_* codes: those are usage errors too.
    if (err instanceof UsageError || e.code?.startsWith('ERR_PARSE_ARGS')) {
      process.stderr.write(`snapscope ${verb}: ${e.message}\n${USAGE}\n`)
      return 2
    }
    process.stderr.write(`snapscope ${verb}: ${e.message ?? String(err)}${e.code && !e.message?.includes(e.code) ? ` (${e.code})` : ''}\n`)
    return 1
  }
}

void main(process.argv.slice(2)).then((code) => {
  process.exitCode = code
})
