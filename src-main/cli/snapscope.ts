// The `snapscope` command. Exit codes: 0 ok, 1 the operation failed (what, which pid, OS code on
// stderr), 2 bad usage. Scripts and tests depend on its verbs and JSON. One file per verb in verbs/.

import { errorInfo, hasOwnAdvice, toErrorPayload } from '../../src-common/contract/errors'
import { UsageError } from './args'
import { say } from './terminal'
import * as allocs from './verbs/allocs'
import * as capture from './verbs/capture'
import * as diff from './verbs/diff'
import * as heap from './verbs/heap'
import * as leaks from './verbs/leaks'
import * as map from './verbs/map'
import * as report from './verbs/report'
import * as serve from './verbs/serve'
import * as snapshot from './verbs/snapshot'
import * as symbolize from './verbs/symbolize'
import * as watch from './verbs/watch'
import { version } from '../../package.json'

interface Verb {
  usage: string
  run(args: string[]): Promise<void>
}

const VERBS: Record<string, Verb> = { snapshot, heap, map, leaks, watch, allocs, symbolize, diff, report, capture, serve }

const USAGE = `usage: snapscope <verb> [options]
${Object.values(VERBS)
  .map((v) => '  ' + v.usage)
  .join('\n')}
  --help, --version`

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
  const run = VERBS[verb]?.run
  if (!run) {
    say(`snapscope: unknown verb "${verb}"`)
    process.stderr.write(USAGE + '\n')
    return 2
  }
  try {
    await run(rest)
    return 0
  } catch (err) {
    const e = err as { code?: string; message?: string }
    // parseArgs reports unknown or malformed options with ERR_PARSE_ARGS_* codes: those are usage errors too.
    if (err instanceof UsageError || e.code?.startsWith('ERR_PARSE_ARGS')) {
      say(`snapscope ${verb}: ${e.message}`)
      process.stderr.write(USAGE + '\n')
      return 2
    }
    sayFailure(verb, err)
    return 1
  }
}

/** One line: what failed, its OS code (a path or a process name in it escaped) and what to do next, never a stack. */
function sayFailure(verb: string, err: unknown): void {
  const { code, message } = toErrorPayload(err)
  const advice = hasOwnAdvice(err) ? '' : ` — ${errorInfo(code).advice}`
  say(`snapscope ${verb}: ${message}${message.includes(code) ? '' : ` (${code})`}${advice}`)
}

// An OS error that escapes the verb (a stream's 'error' event with no listener; unhandled rejections
// come here too) ends the command the same way, not with Node's stack trace; anything else is a
// bug, and its stack helps.
process.on('uncaughtException', (err: unknown) => {
  if (typeof (err as { code?: unknown })?.code === 'string') sayFailure(process.argv[2] ?? '', err)
  else for (const line of String((err as Error)?.stack ?? err).split('\n')) say(line)
  process.exit(1)
})

void main(process.argv.slice(2)).then((code) => {
  process.exitCode = code
})
