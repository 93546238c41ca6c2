// The leak-hunting verbs on a real leaking process (heap_fixture leaks K blocks of S bytes on each
// SIGUSR1): capture, save, open, compare, report, and a timeline; and how they refuse bad files.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { spawn, spawnSync } from 'node:child_process'
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { startLeakingFixture, type LeakingFixture } from '../../test-support/leakingFixture'
import type { DiffDoc } from '../../src-common/contract/diffTypes'
import { parseSnapscopeFile } from '../core/files/loader'
import type { TimelineDoc } from '../../src-common/contract/timelineTypes'

const LEAK_BLOCKS = 3000
const LEAK_SIZE = 200 // usable size 200: the 129–256 B class
const cliArgs = ['--import', 'tsx', join(__dirname, 'snapscope.ts')]
/** each command starts node with tsx (a second or two on a busy machine): these tests get time for many */
const SLOW = 120_000
const cli = (...args: string[]) => {
  const r = spawnSync(process.execPath, [...cliArgs, ...args], { encoding: 'utf8', maxBuffer: 64 << 20 })
  return { code: r.status, stdout: r.stdout, stderr: r.stderr }
}
const dir = mkdtempSync(join(tmpdir(), 'snapscope-leak-'))
const out = (name: string) => join(dir, name)
const open = async (name: string) => parseSnapscopeFile(readFileSync(out(name)), name)

let fixture: LeakingFixture

beforeAll(async () => {
  fixture = await startLeakingFixture(LEAK_BLOCKS, LEAK_SIZE)
})
afterAll(async () => {
  await fixture?.stop()
})

describe('leak hunting with snapscope', () => {
  it('captures, saves, opens and compares: the compare names the growth and its size class', async () => {
    const pid = String(fixture.pid)
    expect(cli('capture', '--pid', pid, '--out', out('before.snapscope'))).toMatchObject({ code: 0 })
    await fixture.leak()
    expect(cli('capture', '--pid', pid, '--out', out('after.snapscope'))).toMatchObject({ code: 0 })

    const saved = await open('before.snapscope')
    expect(saved.items.map((i) => i.format)).toEqual(['snapscope.snapshot/1', 'snapscope.heapwalks/1'])

    const json = cli('diff', out('before.snapscope'), out('after.snapscope'), '--json')
    expect(json.code).toBe(0)
    const diff = JSON.parse(json.stdout) as DiffDoc
    const top = diff.suspects[0]
    expect(top).toMatchObject({ kind: 'size-class', sizeClass: { minSize: 129, maxSize: 256 } })
    expect(top.change.delta).toBeGreaterThanOrEqual(LEAK_BLOCKS * 0.9)
    expect(diff.target?.heapUsedBlocks?.delta).toBeGreaterThanOrEqual(LEAK_BLOCKS)
    expect(diff.target?.privateBytes?.delta).toBeGreaterThan(0)
    expect(diff.heap!.sizeClasses.find((c) => c.minSize === 129)!.bytes.delta).toBeGreaterThanOrEqual(LEAK_BLOCKS * LEAK_SIZE * 0.9)

    const text = cli('diff', out('before.snapscope'), out('after.snapscope'))
    expect(text.code).toBe(0)
    expect(text.stdout).toMatch(/^Snapscope compare/)
    expect(text.stdout).toMatch(/! Blocks of 129–256 B: [\d,]+ → [\d,]+ \(\+[\d,]+/)
    expect(text.stdout).toContain(`Process ${pid} (heap_fixture)`)
  }, SLOW)

  it('records a timeline while the process leaks, flags the class that grows steadily, and reports it', async () => {
    const run = spawn(process.execPath, [...cliArgs, 'capture', '--pid', String(fixture.pid), '--every', '300ms', '--for', '2100ms', '--out', out('timeline.snapscope')])
    let stderr = ''
    let pending = Promise.resolve()
    run.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk
      // A leak after each sample: the next one sees it.
      for (let n = (chunk.toString().match(/^sample /gm) ?? []).length; n > 0; n--) pending = pending.then(fixture.leak)
    })
    // 'close': after the last of its stderr was read ('exit' can come first)
    const code = await new Promise<number | null>((ok) => run.on('close', ok))
    await pending
    expect(code, stderr).toBe(0)
    expect(stderr).toMatch(/^capturing pid=\d+ every=300ms for=2.1s: 8 samples$/m)
    expect(stderr).toMatch(/^saved 8 samples to .*timeline\.snapscope \(completed\)$/m)
    expect(stderr).toMatch(/^grows steadily: Blocks of 129–256 B \+[\d,]+/m)

    const t = (await open('timeline.snapscope')).items[0] as TimelineDoc
    expect(t.samples).toHaveLength(8)
    expect(t.samples[0].privateBytes).toBeGreaterThan(0)
    const diff = JSON.parse(cli('diff', out('timeline.snapscope'), out('timeline.snapscope'), '--json').stdout) as DiffDoc
    expect(diff.suspects.find((s) => s.kind === 'size-class')).toMatchObject({ sizeClass: { minSize: 129 }, steady: true })

    for (const format of ['html', 'json', 'pdf']) expect(cli('report', out('timeline.snapscope'), '--format', format, '--out', out(`t.${format}`)).code).toBe(0)
    expect(readFileSync(out('t.html'), 'utf8')).toMatch(/<svg class="chart"[^>]*aria-label="Heap blocks per size class/)
    expect(readFileSync(out('t.pdf')).subarray(0, 5).toString()).toBe('%PDF-')
    const csv = cli('report', out('before.snapscope'), out('after.snapscope'), '--format', 'csv', '--out', out('csv'), '--redact')
    expect(csv).toMatchObject({ code: 0 })
    expect(readdirSync(out('csv'))).toContain('csv-diff-size-classes.csv')
  }, SLOW)

  it('saves what it has when interrupted', async () => {
    const run = spawn(process.execPath, [...cliArgs, 'capture', '--pid', String(fixture.pid), '--every', '100ms', '--for', '1h', '--out', out('cut.snapscope')])
    let stderr = ''
    run.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk
      // One Ctrl-C: a second one would end it without saving, as usual for a command line tool.
      if ((stderr.match(/^sample /gm) ?? []).length >= 3 && run.signalCode === null && !run.killed) run.kill('SIGINT')
    })
    expect(await new Promise((ok) => run.on('close', ok))).toBe(0)
    const t = (await open('cut.snapscope')).items[0] as TimelineDoc
    expect(t.endReason).toBe('stopped')
    expect(t.samples.length).toBeGreaterThanOrEqual(3)
  }, SLOW)

  it('refuses bad files with exit 1 and a clear message, and bad usage with exit 2', () => {
    const good = readFileSync(out('before.snapscope'))
    writeFileSync(out('cut-short.snapscope'), good.subarray(0, good.length >> 1))
    writeFileSync(out('noise.snapscope'), Buffer.from('MZ\x90\x00 this is not it'))
    mkdirSync(out('folder.snapscope'), { recursive: true })
    const cases: [string, RegExp][] = [
      ['cut-short.snapscope', /cut-short\.snapscope: truncated \(the compressed data ends early\)/],
      ['noise.snapscope', /noise\.snapscope: not a Snapscope file \(gzip header missing, and not JSON\)/],
      ['folder.snapscope', /folder\.snapscope: not a regular file/],
      ['missing.snapscope', /ENOENT/]
    ]
    // diff for each; report (the same loader) for the first.
    const runs = [...cases.map(([name, message]) => [['diff', out(name), out('before.snapscope')], message] as const), [['report', out(cases[0][0]), '--format', 'html', '--out', out('x.html')], cases[0][1]] as const]
    for (const [args, message] of runs) {
      const r = cli(...args)
      expect(r.code, args.join(' ')).toBe(1)
      expect(r.stderr).toMatch(message)
    }
    for (const args of [
      ['diff', out('before.snapscope')],
      ['report', out('before.snapscope'), '--out', out('x.html')],
      ['report', out('before.snapscope'), '--format', 'docx', '--out', out('x.docx')],
      ['capture', '--pid', String(fixture.pid)],
      ['capture', '--pid', String(fixture.pid), '--every', '5x', '--for', '1m', '--out', out('x')],
      ['capture', '--pid', String(fixture.pid), '--every', '10s', '--for', '1s', '--out', out('x')]
    ]) {
      const r = cli(...args)
      expect(r.code, args.join(' ')).toBe(2)
      expect(r.stderr).toMatch(/usage: snapscope/)
    }
  }, SLOW)
})
