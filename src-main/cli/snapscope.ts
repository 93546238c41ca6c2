// The `snapscope` command. Exit codes: 0 ok, 1 the operation failed (what, which pid, OS code on
// stderr), 2 bad usage. Scripts and tests depend on its verbs and JSON.

import { writeFile, rename } from 'node:fs/promises'
import { parseArgs } from 'node:util'
import { dirname, join, resolve } from 'node:path'
import { loadAddon } from '../../native/index'
import { INCLUDE_KINDS, type IncludeKind } from '../ipc/types'
import { takeSnapshot } from '../core/snapshot'
import { startWebHost } from '../web/webHost'
import { version } from '../../package.json'

const USAGE = `usage: snapscope <verb> [options]
  snapshot [--pid N] [--include process,thread] [--out FILE]   print a snapshot (JSON)
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
  const text = JSON.stringify(json, null, 2) + '\n'
  if (!out) {
    process.stdout.write(text)
    return
  }
  // Write beside the target and rename, so a failed write never leaves half a file behind.
  const tmp = join(dirname(resolve(out)), `.${Date.now()}.${process.pid}.tmp`)
  await writeFile(tmp, text)
  await rename(tmp, out)
}

async function snapshotVerb(args: string[]): Promise<void> {
  const { values } = parseArgs({ args, options: { pid: { type: 'string' }, include: { type: 'string' }, out: { type: 'string' } } })
  const snap = await takeSnapshot(loadAddon(), { pid: parsePid(values.pid, false), include: parseInclude(values.include) })
  await writeOutput(snap, values.out)
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

const VERBS: Record<string, (args: string[]) => Promise<void>> = { snapshot: snapshotVerb, serve: serveVerb }

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
