// What `report` and `diff` do with input built to exhaust them, run as a person would: each is
// refused with exit 1 and a message in seconds, in bounded memory (peak RSS from /usr/bin/time -v).
import { describe, expect, it } from 'vitest'
import { execFileSync, spawnSync } from 'node:child_process'
import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { emptyObjectsBomb } from '../../test-support/bombs'
import { encodeFile, makeFile } from '../core/files/snapshotFile'
import { HOST, proc, snapshotDoc } from '../../test-support/testDocs'

const MAX_RSS_KB = 500 * 1024
const MAX_MS = 20_000

/** Runs the command under /usr/bin/time -v: exit code, stderr, wall time and peak RSS. */
function measured(...args: string[]) {
  const started = performance.now()
  const r = spawnSync('/usr/bin/time', ['-v', process.execPath, '--import', 'tsx', join(__dirname, 'snapscope.ts'), ...args], {
    encoding: 'utf8',
    timeout: 4 * MAX_MS,
    killSignal: 'SIGKILL'
  })
  const rssKb = Number(/Maximum resident set size \(kbytes\): (\d+)/.exec(r.stderr)?.[1])
  return { code: r.status, stderr: r.stderr, ms: performance.now() - started, rssKb }
}

describe('hostile input to report and diff', () => {
  const dir = mkdtempSync(join(tmpdir(), 'snapscope-hostile-'))

  it('refuses 256 MiB of `{},` in a 260 KB file (report and diff)', async () => {
    const bomb = join(dir, 'bomb.snapscope')
    writeFileSync(bomb, await emptyObjectsBomb())
    const good = join(dir, 'good.snapscope')
    writeFileSync(good, await encodeFile(makeFile([snapshotDoc([proc(1)])], HOST)))
    for (const args of [['report', bomb, '--format', 'json', '--out', join(dir, 'r.json')], ['diff', good, bomb]]) {
      const r = measured(...args)
      expect(r.code, r.stderr).toBe(1)
      expect(r.stderr).toMatch(/bomb\.snapscope: too many objects and arrays \(more than 6,000,000\): not a file Snapscope wrote/)
      expect(r.ms).toBeLessThan(MAX_MS)
      expect(r.rssKb).toBeLessThan(MAX_RSS_KB)
    }
  }, 120_000)

  it('reads at most the limit of a file whatever its size says, and no device or FIFO', () => {
    const fifo = join(dir, 'pipe.snapscope')
    execFileSync('mkfifo', [fifo])
    const cases: [string, RegExp][] = [
      [fifo, /pipe\.snapscope: not a regular file/],
      ['/proc/self/pagemap', /pagemap: not a Snapscope file \(gzip header missing, and not JSON\)/],
      ['/dev/zero', /zero: not a regular file/],
      ['/dev/urandom', /urandom: not a regular file/]
    ]
    for (const [path, expected] of cases) {
      for (const args of [['report', path, '--format', 'json', '--out', join(dir, 'x.json')], ['diff', path, path]]) {
        const r = measured(...args)
        expect(r.code, r.stderr).toBe(1)
        expect(r.stderr).toMatch(expected)
        expect(r.ms).toBeLessThan(MAX_MS)
        expect(r.rssKb).toBeLessThan(MAX_RSS_KB)
      }
    }
  }, 120_000)
})
