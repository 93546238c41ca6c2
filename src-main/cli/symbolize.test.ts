// `snapscope symbolize` on a real python3: the snapscope.symbols/1 document, names equal to
// eu-addr2line's, addresses as arguments or on stdin, and its exit codes.
import { spawn, spawnSync } from 'node:child_process'
import { mkdtempSync, readFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { SymbolsDoc } from '../../src-common/contract/symbolTypes'
import { addr2line } from '../../test-support/addr2line'
import { startPythonWithCode, type PythonWithCode } from '../../test-support/pythonWithCode'

const CLI = ['--import', 'tsx', join(__dirname, 'snapscope.ts'), 'symbolize']
const cli = (args: string[], input?: string) => {
  const r = spawnSync(process.execPath, [...CLI, ...args], { encoding: 'utf8', input, maxBuffer: 64 << 20 })
  return { code: r.status, stdout: r.stdout, stderr: r.stderr }
}
const hex = (n: number) => '0x' + n.toString(16)
const deadPid = (): number => Number(readFileSync('/proc/sys/kernel/pid_max', 'utf8')) + 1

let python: PythonWithCode
beforeAll(async () => {
  python = await startPythonWithCode()
})
afterAll(() => python.stop())

describe('snapscope symbolize', () => {
  it('prints the names of the addresses, in order, as eu-addr2line reads them in the process', async () => {
    const { pid, malloc, pyInit } = python
    const r = cli(['--pid', String(pid), hex(malloc), String(pyInit), '0x10', '0xffffffff81000000', '18446744073709551615'])
    expect(r.stderr).toBe('')
    expect(r.code).toBe(0)
    const doc = JSON.parse(r.stdout) as SymbolsDoc
    expect(doc).toMatchObject({ format: 'snapscope.symbols/1', pid })
    expect(doc.symbols.map((s) => s.address)).toEqual([hex(malloc), hex(pyInit), '0x10', '0xffffffff81000000', '0xffffffffffffffff'])
    const expected = await addr2line(pid, [BigInt(malloc), BigInt(pyInit)])
    for (const [i, s] of doc.symbols.slice(0, 2).entries()) {
      expect([s.file, s.line, s.inlined]).toEqual([expected[i].file, expected[i].line, expected[i].inlined])
      expect(s.source).not.toBeNull()
    }
    expect(doc.symbols[0]).toMatchObject({ module: 'libc.so.6', function: 'malloc', offset: 8, exact: true })
    expect(doc.symbols[1]).toMatchObject({ function: expected[1].function, offset: 4, exact: true })
    // unmapped, and kernel addresses (past 2^53: exact as BigInts): in no module
    for (const s of doc.symbols.slice(2)) expect(s).toMatchObject({ module: null, function: null, exact: false })
  })

  it('reads the addresses from stdin, one a line, when none or - is given, and writes --out FILE', () => {
    const { pid, malloc, pyInit } = python
    const fromArgs = JSON.parse(cli(['--pid', String(pid), hex(malloc), hex(pyInit)]).stdout) as SymbolsDoc
    const piped = cli(['--pid', String(pid)], `${hex(malloc)}\n\n  ${pyInit}  \r\n`)
    expect(piped.code).toBe(0)
    expect((JSON.parse(piped.stdout) as SymbolsDoc).symbols).toEqual(fromArgs.symbols)
    const out = join(mkdtempSync(join(tmpdir(), 'snapscope-sym-')), 'names.json')
    const mixed = cli(['--pid', String(pid), hex(malloc), '-', '--out', out], `${hex(pyInit)}\n`)
    expect([mixed.code, mixed.stdout]).toEqual([0, ''])
    expect((JSON.parse(readFileSync(out, 'utf8')) as SymbolsDoc).symbols).toEqual(fromArgs.symbols)
  })

  it('exits 2 naming a bad address, in the arguments or on stdin', () => {
    const pid = String(python.pid)
    const bad = cli(['--pid', pid, '0x1000', 'main+4'])
    expect(bad.code).toBe(2)
    expect(bad.stderr).toContain('snapscope symbolize: argument 2: "main+4" is not an address')
    const tooBig = cli(['--pid', pid, '0x10000000000000000'])
    expect(tooBig.code).toBe(2)
    expect(tooBig.stderr).toContain('"0x10000000000000000" is not an address')
    const piped = cli(['--pid', pid], '0x1000\n0xfoo\n')
    expect(piped.code).toBe(2)
    expect(piped.stderr).toContain('line 2 of stdin: "0xfoo" is not an address')
    expect(cli(['0x1000']).code).toBe(2) // no --pid
  })

  it('exits 1 for a process that does not exist, naming it', () => {
    const pid = deadPid()
    const r = cli(['--pid', String(pid), '0x1000'])
    expect(r.code).toBe(1)
    expect(r.stdout).toBe('')
    expect(r.stderr).toMatch(new RegExp(`^snapscope symbolize: process ${pid} .*\\(ESRCH\\)`))
  })

  it('fails on an --out it cannot write before it reads stdin', async () => {
    const child = spawn(process.execPath, [...CLI, '--pid', String(python.pid), '--out', '/nonexistent-dir/names.json'], { stdio: ['pipe', 'pipe', 'pipe'] })
    let stderr = ''
    child.stderr.on('data', (d) => (stderr += d))
    // stdin stays open: only a check made first can end it
    const code = await new Promise<number | null>((ok) => child.on('exit', ok))
    child.stdin.end()
    expect(code).toBe(1)
    expect(stderr).toMatch(/nonexistent-dir/)
  })
})
