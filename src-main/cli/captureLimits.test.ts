// A capture of a process whose command line is built to be too large still opens: it is written cut,
// with its marker, and `report` shows it. (Linux lets exec pass at most 128 KiB in one argument; the
// 1 MiB one is made by the process joining its own arguments in place, as setproctitle does.)
import { describe, expect, it } from 'vitest'
import { spawn, spawnSync } from 'node:child_process'
import { mkdtempSync, readFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { CMDLINE_LIMITS } from '../core/files/cmdline'

const cli = (...args: string[]) => {
  const r = spawnSync(process.execPath, ['--import', 'tsx', join(__dirname, 'snapscope.ts'), ...args], { encoding: 'utf8' })
  return { code: r.status, stderr: r.stderr }
}

/** Joins the process's own arguments into one, over the NULs between them (arg_start/arg_end: /proc/self/stat). */
const JOIN_ARGS = `
import ctypes, sys, time
f = open('/proc/self/stat').read().rsplit(')', 1)[1].split()
start, end = int(f[45]), int(f[46])
area = ctypes.string_at(start, end - start)
ctypes.memmove(start, area[:-1].replace(b'\\0', b'x') + b'\\0', end - start)
print('ready', flush=True)
time.sleep(600)
`
const WAIT = `import sys, time; print('ready', flush=True); time.sleep(600)`

/** A python3 with these arguments, once it says it is ready. */
async function processWith(script: string, args: string[]) {
  const child = spawn('python3', ['-c', script, ...args], { stdio: ['ignore', 'pipe', 'inherit'] })
  await new Promise((ok) => child.stdout.once('data', ok))
  return child
}

describe('capture of a process with a huge command line', () => {
  const dir = mkdtempSync(join(tmpdir(), 'snapscope-cmdline-'))
  const cases = [
    { what: '10,000 arguments', script: WAIT, args: Array.from({ length: 10_000 }, (_, i) => `arg${i}`) },
    { what: 'one argument of 1 MiB', script: JOIN_ARGS, args: Array(8).fill('y'.repeat(128 * 1024 - 1)) }
  ]
  for (const { what, script, args } of cases) {
    it(`${what}: written cut with its marker, and the report opens it`, async () => {
      const child = await processWith(script, args)
      try {
        const pid = child.pid!
        const raw = readFileSync(`/proc/${pid}/cmdline`, 'latin1').split('\0').slice(0, -1)
        expect(raw.length > 8192 || raw.some((a) => a.length > 131_072), 'the process really has a command line the schema refuses').toBe(true)
        const file = join(dir, `${pid}.snapscope`)
        const captured = cli('capture', '--pid', String(pid), '--out', file)
        expect(captured.code, captured.stderr).toBe(0)
        const out = join(dir, `${pid}.json`)
        const report = cli('report', file, '--format', 'json', '--out', out)
        expect(report.code, report.stderr).toBe(0)
        const doc = JSON.parse(readFileSync(out, 'utf8')) as { sections: { tables?: { rows: Record<string, unknown>[] }[] }[] }
        const row = doc.sections.flatMap((s) => s.tables ?? []).flatMap((t) => t.rows).find((r) => r.pid === pid && typeof r.cmdline === 'string')
        const cmdline = row!.cmdline as string
        // The arguments kept, then what was cut: every argument past the kept ones, one of them partly.
        const kept = Math.min(raw.length, CMDLINE_LIMITS.args - 1)
        const left = raw.length === 1 ? 1 : raw.length - kept
        expect(cmdline).toMatch(new RegExp(`…\\(truncated: ${left.toLocaleString('en-US')} more arguments?, [\\d,]+ more characters\\)$`))
        expect(cmdline.length).toBeLessThan(CMDLINE_LIMITS.chars + CMDLINE_LIMITS.args + 100)
      } finally {
        child.kill('SIGKILL')
      }
    }, 60_000)
  }
})
