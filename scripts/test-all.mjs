// `npm test`: every suite that runs on this machine, in order, then one closing line
// "N passed, N failed, N skipped" summed over all of them. Exits non-zero if any suite failed.
import { spawnSync } from 'node:child_process'
import { existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs'
import { join } from 'node:path'

const root = join(import.meta.dirname, '..')
const results = join(root, 'test-results')
mkdirSync(results, { recursive: true })
const totals = { passed: 0, failed: 0, skipped: 0 }
let broken = false

function step(name, cmd, args, env = {}) {
  console.log(`\n=== ${name}: ${cmd} ${args.join(' ')}`)
  const r = spawnSync(cmd, args, { cwd: root, stdio: 'inherit', env: { ...process.env, ...env } })
  if (r.status !== 0) {
    console.log(`=== ${name}: FAILED (exit ${r.status ?? r.signal})`)
    broken = true
  }
  return r.status === 0
}

function countVitest(file) {
  if (!existsSync(file)) return
  const j = JSON.parse(readFileSync(file, 'utf8'))
  totals.passed += j.numPassedTests
  totals.failed += j.numFailedTests
  totals.skipped += j.numPendingTests + (j.numTodoTests ?? 0)
}

function countPlaywright(file) {
  if (!existsSync(file)) return
  const s = JSON.parse(readFileSync(file, 'utf8')).stats
  totals.passed += s.expected + s.flaky
  totals.failed += s.unexpected
  totals.skipped += s.skipped
}

const npx = (args, env) => step(args[0], 'npx', args, env)

npx(['tsc', '--noEmit', '-p', '.'])
// Each layer with only the types it may use: no Node in src-common or the renderer, no DOM in
// src-common or src-main (the import rules themselves are scripts/layers.test.ts, in vitest below).
for (const part of ['src-common', 'src-renderer', 'src-main']) step(`tsc ${part}`, 'npx', ['tsc', '--noEmit', '-p', part])
// e2e drives the built app: build it from the current sources first.
npx(['electron-vite', 'build', '--logLevel', 'warn'])
const vitestJson = join(results, 'vitest.json')
rmSync(vitestJson, { force: true })
npx(['vitest', 'run', '--reporter=default', '--reporter=json', `--outputFile=${vitestJson}`])
countVitest(vitestJson)
for (const project of ['browser', 'electron']) {
  const file = join(results, `playwright-${project}.json`)
  rmSync(file, { force: true })
  const args = ['playwright', 'test', `--project=${project}`, '--reporter=list,json']
  const env = { PLAYWRIGHT_JSON_OUTPUT_NAME: file }
  // The Electron window needs a display; xvfb-run gives it one where there is none.
  if (project === 'electron' && !process.env.DISPLAY && spawnSync('which', ['xvfb-run']).status === 0)
    step('electron e2e', 'xvfb-run', ['-a', 'npx', ...args], env)
  else npx(args, env)
  countPlaywright(file)
}

// The native tests again, built with AddressSanitizer + UndefinedBehaviorSanitizer (into native/build-asan,
// never native/build) and run with the runtimes preloaded; counted like the suites above.
step('sanitizers', 'node', ['scripts/test-sanitizers.mjs'])
countVitest(join(results, 'vitest-sanitizers.json'))
// A short soak (npm run soak runs 10 minutes): the inspector's fds, threads and memory stay flat under
// snapshots every 100 ms, full-speed watches and heap walks of churning processes. Counts as one test.
if (step('soak', process.execPath, ['--expose-gc', '--import', 'tsx', 'scripts/soak.ts', '45'])) totals.passed++
else totals.failed++

// The Windows build under Wine, where Wine and mingw-w64 are installed (.ci/run installs them).
if (spawnSync('sh', ['-c', 'command -v wine && command -v x86_64-w64-mingw32-g++-posix'], { stdio: 'ignore' }).status === 0) {
  console.log('\n=== wine: bash scripts/test-wine.sh')
  const r = spawnSync('bash', ['scripts/test-wine.sh'], { cwd: root, encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] })
  process.stdout.write(r.stdout)
  const m = /^(\d+) passed, (\d+) failed/m.exec(r.stdout.split('\n').filter((l) => /^\d+ passed, \d+ failed/.test(l)).pop() ?? '')
  if (m) {
    totals.passed += Number(m[1])
    totals.failed += Number(m[2])
  }
  if (r.status !== 0) {
    console.log(`=== wine: FAILED (exit ${r.status})`)
    broken = true
  }
} else {
  console.log('\n=== wine: skipped (wine or mingw-w64 not installed; bash .ci/run installs them)')
}

console.log(`\n${totals.passed} passed, ${totals.failed} failed, ${totals.skipped} skipped`)
process.exit(broken || totals.failed ? 1 : 0)
