// `snapscope leaks`: the snapscope.leaks/1 document of a real fixture, --out checked before the
// work, and the exit codes of DESIGN.md.
import { describe, expect, it } from 'vitest'
import { spawnSync } from 'node:child_process'
import { mkdtempSync, readFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { startFixture } from '../../native/test/fixtures'
import type { LeaksDoc } from '../../src-common/contract/leakTypes'
import { itemSchema } from '../core/files/schema'

const cli = (...args: string[]) => {
  const r = spawnSync(process.execPath, ['--import', 'tsx', join(__dirname, 'snapscope.ts'), 'leaks', ...args], { encoding: 'utf8', maxBuffer: 64 << 20 })
  return { code: r.status, stdout: r.stdout, stderr: r.stderr }
}
const deadPid = (): number => Number(readFileSync('/proc/sys/kernel/pid_max', 'utf8')) + 1
const tempDir = () => mkdtempSync(join(tmpdir(), 'snapscope-leaks-cli-'))

describe('snapscope leaks', () => {
  it('prints the leaks document of a fixture; --blocks lists the blocks; --out writes it', async () => {
    const dir = tempDir()
    const fixture = await startFixture<{ pid: number }>('leak_fixture', ['--truth', join(dir, 'truth.txt')])
    try {
      const pid = String(fixture.info.pid)
      const r = cli('--pid', pid)
      expect(r.code, r.stderr).toBe(0)
      expect(r.stderr).toMatch(new RegExp(`process ${pid} was stopped for \\d+ ms`))
      const doc = JSON.parse(r.stdout) as LeaksDoc
      expect(itemSchema(doc, '')).toBeTruthy()
      expect(Object.keys(doc)).toEqual(['format', 'pid', 'takenAt', 'stopped', 'stoppedMs', 'roots', 'summary', 'groups', 'errors'])
      expect(doc.format).toBe('snapscope.leaks/1')
      expect(doc.stopped).toBe(true)
      const widgets = doc.groups.find((g) => g.type === 'Widget')!
      expect(widgets).toMatchObject({ kind: 'definitely-lost', count: 4 })
      expect(widgets.examples[0]).toMatch(/^0x[0-9a-f]+$/)
      const untyped = doc.groups.find((g) => g.type === null)!
      expect(untyped.blockSize).toBeGreaterThan(0)

      const out = join(dir, 'leaks.json')
      const withBlocks = cli('--pid', pid, '--blocks', '--out', out)
      expect(withBlocks.code, withBlocks.stderr).toBe(0)
      expect(withBlocks.stdout).toBe('')
      const full = itemSchema(JSON.parse(readFileSync(out, 'utf8')), '') as LeaksDoc
      const s = full.summary
      expect(full.blocks).toHaveLength(s.definitelyLost.blocks + s.indirectlyLost.blocks + s.possiblyLost.blocks + s.reachable.blocks)
      expect(full.blocks!.find((b) => b.address === widgets.examples[0])).toMatchObject({ kind: 'definitely-lost', type: 'Widget' })
    } finally {
      await fixture.stop()
    }
  })

  it('exits 1 naming ESRCH for a missing pid, 1 for an --out it cannot write (before scanning), 2 without --pid', () => {
    const missing = cli('--pid', String(deadPid()))
    expect(missing.code).toBe(1)
    expect(missing.stderr).toMatch(/ESRCH/)
    const badOut = cli('--pid', String(deadPid()), '--out', join(tempDir(), 'no', 'such', 'dir', 'leaks.json'))
    expect(badOut.code).toBe(1)
    expect(badOut.stderr).toMatch(/ENOENT/) // the file, not the pid: --out is checked first
    expect(cli().code).toBe(2)
    expect(cli('--pid', 'abc').code).toBe(2)
  })
})
