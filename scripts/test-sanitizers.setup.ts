// Runs first in every vitest worker of `npm run test:sanitizers` (scripts/test-sanitizers.vitest.mts).
//
// The worker is node with the ASan/UBSan runtimes preloaded (LD_PRELOAD, set by
// scripts/test-sanitizers.mjs), so the instrumented addon can load into it. Its children must not
// inherit that preload blindly: the fixtures are C programs whose *glibc* heap the tests walk (ASan
// would replace their malloc), and compilers and `ps` have no use for it. Only children that are
// node again (they load the same instrumented addon: setpriv/prlimit … node script.cjs) get the
// runtimes back. Everything else runs exactly as in the ordinary suite.
import childProcess from 'node:child_process'
import { readFileSync } from 'node:fs'
import { syncBuiltinESMExports } from 'node:module'
import path from 'node:path'

const preload = process.env.LD_PRELOAD
if (!preload) throw new Error('the sanitizer suite runs through `npm run test:sanitizers` (it preloads the ASan/UBSan runtimes)')
{
  // A run that would pass without the sanitizers in place must not count as a sanitizer run.
  const maps = readFileSync('/proc/self/maps', 'utf8')
  if (!/libasan\.so/.test(maps) || !/libubsan\.so/.test(maps)) throw new Error(`the sanitizer runtimes (${preload}) are not loaded in this worker`)
  if (!/build-asan/.test(process.env.SNAPSCOPE_ADDON ?? '')) throw new Error(`SNAPSCOPE_ADDON (${process.env.SNAPSCOPE_ADDON}) is not the sanitizer build`)

  delete process.env.LD_PRELOAD
  process.env.SNAPSCOPE_SANITIZER_PRELOAD = preload

  const isNode = (arg: unknown): boolean => typeof arg === 'string' && (arg === process.execPath || path.basename(arg) === 'node')

  type Fn = (...args: unknown[]) => unknown
  // (file, args?, options?, ...): adds LD_PRELOAD to the options' env when node is what runs.
  const withPreload = (original: Fn, alwaysNode = false): Fn =>
    function (this: unknown, ...call: unknown[]) {
      const argv = Array.isArray(call[1]) ? (call[1] as unknown[]) : []
      if (!alwaysNode && !isNode(call[0]) && !argv.some(isNode)) return original.apply(this, call)
      const at = Array.isArray(call[1]) || call[1] === undefined || call[1] === null ? 2 : 1
      const given = call[at]
      if (given !== undefined && given !== null && typeof given !== 'object') {
        call.splice(at, 0, undefined) // a callback where options may be: insert the options
      }
      if (at === 2 && call[1] === undefined) call[1] = []
      const options = (call[at] ?? {}) as { env?: NodeJS.ProcessEnv }
      const env = { ...(options.env ?? process.env) }
      env.LD_PRELOAD = env.LD_PRELOAD ? `${preload}:${env.LD_PRELOAD}` : preload
      call[at] = { ...options, env }
      return original.apply(this, call)
    }

  const cp = childProcess as unknown as Record<string, Fn>
  for (const name of ['spawn', 'spawnSync', 'execFile', 'execFileSync']) cp[name] = withPreload(cp[name])
  cp.fork = withPreload(cp.fork, true)
  syncBuiltinESMExports() // `import { spawn } from 'node:child_process'` sees the wrapped functions too
}
