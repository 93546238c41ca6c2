// `npm run test:sanitizers [-- vitest filters…]`: builds the addon with AddressSanitizer and
// UndefinedBehaviorSanitizer into native/build-asan (never native/build, which other processes load),
// then runs the native tests (native/test/*.test.ts) against it.
//
// node is not instrumented, so the sanitizer runtimes are preloaded into it (LD_PRELOAD) and the
// addon is chosen with SNAPSCOPE_ADDON. Leak detection is off: node and V8 deliberately leave memory
// to the OS at exit, which LeakSanitizer would report as thousands of leaks that are not ours. The
// addon's own resource hygiene (fds, threads, mappings, memory over time) is checked by the tests and
// by the soak (npm run soak) instead. Any ASan or UBSan report aborts the worker (abort_on_error,
// halt_on_error, -fno-sanitize-recover), fails the run, and is printed again at the end.
//
// Writes test-results/vitest-sanitizers.json (vitest's JSON, counted by scripts/test-all.mjs) and
// test-results/sanitizers.log (the whole output). Options: --no-build (use the existing build).
import { spawn, spawnSync } from 'node:child_process'
import { createWriteStream, existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs'
import { join } from 'node:path'

const root = join(import.meta.dirname, '..')
const buildDir = join(root, 'native', 'build-asan')
const addon = join(buildDir, 'Release', 'snapscope.node')
const results = join(root, 'test-results')
const jsonFile = join(results, 'vitest-sanitizers.json')
const logFile = join(results, 'sanitizers.log')
mkdirSync(results, { recursive: true })

const args = process.argv.slice(2)
const noBuild = args.includes('--no-build')
const filters = args.filter((a) => a !== '--no-build')

function runtime(name) {
  const r = spawnSync('gcc', [`-print-file-name=${name}`], { encoding: 'utf8' })
  const file = r.status === 0 ? r.stdout.trim() : ''
  if (!file.startsWith('/') || !existsSync(file)) {
    console.error(`test:sanitizers: gcc has no ${name} (Debian: apt-get install gcc, which brings libasan8 and libubsan1)`)
    process.exit(1)
  }
  return file
}
const preload = [runtime('libasan.so'), runtime('libubsan.so')].join(':')

if (!noBuild) {
  // Incremental once configured with the option; configured (or reconfigured) from scratch otherwise.
  const cache = join(buildDir, 'CMakeCache.txt')
  const configured = existsSync(cache) && /SNAPSCOPE_SANITIZE:BOOL=ON/.test(readFileSync(cache, 'utf8'))
  const verb = configured ? 'build' : 'rebuild'
  console.log(`=== test:sanitizers: cmake-js ${verb} -O native/build-asan --CDSNAPSCOPE_SANITIZE=ON`)
  const b = spawnSync('npx', ['cmake-js', verb, '-d', 'native', '-O', 'native/build-asan', '--CDSNAPSCOPE_SANITIZE=ON', '--log-level', 'warn'], {
    cwd: root,
    stdio: 'inherit'
  })
  if (b.status !== 0) {
    console.error('test:sanitizers: the sanitizer build failed')
    process.exit(1)
  }
}
if (!existsSync(addon)) {
  console.error(`test:sanitizers: no sanitizer build at ${addon} (run without --no-build)`)
  process.exit(1)
}

rmSync(jsonFile, { force: true })
const env = {
  ...process.env,
  LD_PRELOAD: preload,
  // detect_leaks=0: see the top of this file. abort_on_error: a report ends the worker at once.
  ASAN_OPTIONS: 'detect_leaks=0:abort_on_error=1:allow_user_segv_handler=1:print_summary=1',
  UBSAN_OPTIONS: 'halt_on_error=1:abort_on_error=1:print_stacktrace=1:print_summary=1',
  SNAPSCOPE_ADDON: addon
}
const vitest = join(root, 'node_modules', 'vitest', 'vitest.mjs')
const vitestArgs = [
  vitest,
  'run',
  '--config',
  'scripts/test-sanitizers.vitest.mts',
  '--reporter=default',
  '--reporter=json',
  `--outputFile=${jsonFile}`,
  ...filters
]
console.log(`=== test:sanitizers: LD_PRELOAD=${preload} SNAPSCOPE_ADDON=native/build-asan/Release/snapscope.node vitest ${vitestArgs.slice(1).join(' ')}`)

const log = createWriteStream(logFile)
const child = spawn(process.execPath, vitestArgs, { cwd: root, env, stdio: ['ignore', 'pipe', 'pipe'] })
let output = ''
const tee = (stream, out) =>
  stream.on('data', (chunk) => {
    out.write(chunk)
    log.write(chunk)
    output += chunk.toString('utf8')
    if (output.length > 8 << 20) output = output.slice(-(4 << 20))
  })
tee(child.stdout, process.stdout)
tee(child.stderr, process.stderr)
const status = await new Promise((resolve) => child.on('close', (code, signal) => resolve(code ?? signal)))
log.end()

// Sanitizer reports, whoever printed them (a worker, a node child of a test).
const findings = output
  .split('\n')
  .filter((l) => /ERROR: AddressSanitizer|ERROR: LeakSanitizer|runtime error:|SUMMARY: (Address|UndefinedBehavior)Sanitizer/.test(l))
let counts = ''
if (existsSync(jsonFile)) {
  const j = JSON.parse(readFileSync(jsonFile, 'utf8'))
  counts = `${j.numPassedTests} passed, ${j.numFailedTests} failed, ${j.numPendingTests + (j.numTodoTests ?? 0)} skipped`
}
console.log(`\n=== test:sanitizers: ${counts || 'no results'}; ASan/UBSan reports: ${findings.length ? findings.length : 'none'}`)
for (const f of findings) console.log(`  ${f.trim()}`)
if (findings.length) console.log(`  (the full reports are in ${logFile})`)
process.exit(status === 0 && findings.length === 0 && counts ? 0 : 1)
