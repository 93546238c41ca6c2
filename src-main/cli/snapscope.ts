// The `snapscope` command. Exit codes: 0 ok, 1 the operation failed (what, which pid, OS code on
// stderr), 2 bad usage. Scripts and tests depend on its verbs and JSON. One file per verb in verbs/.

import { UsageError } from './args'
import * as capture from './verbs/capture'
import * as diff from './verbs/diff'
import * as heap from './verbs/heap'
import * as report from './verbs/report'
import * as serve from './verbs/serve'
import * as snapshot from './verbs/snapshot'
import * as watch from './verbs/watch'
import { version } from '../../package.json'

interface Verb {
  usage: string
  run(args: string[]): Promise<void>
}

const VERBS: Record<string, Verb> = { snapshot, heap, watch, diff, report, capture, serve }

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
