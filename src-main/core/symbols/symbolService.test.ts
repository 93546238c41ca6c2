// The symbol service on a real python3: its names are eu-addr2line's for the same addresses (asks
// made together reach the addon as one batch), a name is asked once, and the cache stays bounded.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { loadAddon, type NativeAddon } from '../../../native/index'
import { addr2line } from '../../../test-support/addr2line'
import { startPythonWithCode, type PythonWithCode } from '../../../test-support/pythonWithCode'
import { SCHEMA_LIMITS, SymbolEntrySchema } from '../../../src-common/contract/types'
import { compile, LENIENT } from '../../../src-common/contract/validate'
import { SymbolService, decodeSymbols } from './symbolService'

const addon = loadAddon()
let python: PythonWithCode

beforeAll(async () => {
  python = await startPythonWithCode()
})
afterAll(() => python.stop())

/** The real addon, its calls counted. */
function counted(): { addon: Pick<NativeAddon, 'symbolize'>; calls: number[][] } {
  const calls: number[][] = []
  return { calls, addon: { symbolize: (p, a) => (calls.push(Array.from(a, Number)), addon.symbolize(p, a)) } }
}

describe('SymbolService', () => {
  it("names libc's malloc and libpython's Py_Initialize as eu-addr2line does, and nothing at an unmapped address", async () => {
    const { pid, malloc, pyInit } = python
    const names = await new SymbolService(addon, pid).lookup([malloc, BigInt(pyInit), 0x10])
    const expected = await addr2line(pid, [BigInt(malloc), BigInt(pyInit)])
    names.slice(0, 2).forEach((n, i) => {
      expect({ file: n.file, line: n.line, inlined: n.inlined }).toEqual({ file: expected[i].file, line: expected[i].line, inlined: expected[i].inlined })
      expect(n.exact).toBe(true)
    })
    // eu-addr2line names malloc by its DWARF alias (__GI___libc_malloc); the symbol table's name is the one people know
    expect(names[0]).toMatchObject({ address: '0x' + malloc.toString(16), module: 'libc.so.6', function: 'malloc', offset: 8 })
    expect(names[1].function).toBe(expected[1].function)
    expect(names[1].module).toMatch(/^libpython3|^python3/)
    expect(names[2]).toEqual({ address: '0x10', module: null, moduleOffset: null, function: null, offset: null, file: null, line: null, inlined: [], source: null, exact: false })
  })

  it('asks the addon once for the asks made together, and never again for a name it has', async () => {
    const { pid, malloc, pyInit } = python
    const { addon: a, calls } = counted()
    const service = new SymbolService(a, pid)
    const [one, two] = await Promise.all([service.lookup([malloc, pyInit]), service.lookup([pyInit, malloc + 1])])
    expect(calls).toEqual([[malloc, pyInit, malloc + 1]])
    expect(two[0]).toEqual(one[1])
    expect(two[1].offset).toBe(one[0].offset! + 1)
    expect(await service.lookup([malloc + 1, malloc])).toEqual([two[1], one[0]])
    expect(calls).toHaveLength(1)
    expect(service.cached(BigInt(pyInit))).toEqual(one[1])
  })

  it('answers an ask larger than its cache, and keeps only as many names as it may', async () => {
    const { pid, malloc, pyInit } = python
    const { addon: a, calls } = counted()
    const service = new SymbolService(a, pid, 2)
    const addresses = [malloc, malloc + 1, malloc + 2, pyInit]
    const names = await service.lookup(addresses)
    expect(names.map((n) => n.address)).toEqual(addresses.map((x) => '0x' + x.toString(16)))
    expect(addresses.filter((x) => service.cached(x))).toEqual([malloc + 2, pyInit])
    await service.lookup([malloc])
    expect(calls).toHaveLength(2)
  })

  it('forgets the names of a range (other code is there now) and asks for them again', async () => {
    const { pid, malloc, pyInit } = python
    const { addon: a, calls } = counted()
    const service = new SymbolService(a, pid)
    await service.lookup([malloc, pyInit])
    service.forget(malloc, malloc + 1)
    expect([service.cached(malloc), service.cached(pyInit)?.offset]).toEqual([undefined, 4])
    await service.lookup([malloc])
    expect(calls).toHaveLength(2)
    // a batch asked before a forget answers its askers, and leaves the cache alone
    const asked = service.lookup([malloc + 2])
    await new Promise((ok) => setImmediate(ok))
    service.forget(0, Number.MAX_SAFE_INTEGER)
    expect((await asked)[0].offset).toBe(10)
    expect(service.cached(malloc + 2)).toBeUndefined()
  })

  it('rejects with ESRCH for a process that does not exist', async () => {
    const { malloc } = python
    await expect(new SymbolService(addon, 0x7ffffff0).lookup([malloc])).rejects.toMatchObject({ code: 'ESRCH' })
  })

  it('keeps names within the document\'s limits: a huge demangled name is cut, a deep inlining keeps its innermost frames', () => {
    const long = 'ns::Tpl<' + 'x'.repeat(10_000) + '>::run'
    const deep = SCHEMA_LIMITS.inlined + 5
    const u32 = (...v: number[]) => Uint32Array.from(v)
    const [entry] = decodeSymbols(
      {
        strings: ['', 'app', '/opt/app', long, 'a.cc', 'inner'],
        module: u32(1), modulePath: u32(2), moduleOffset: Float64Array.of(16), function: u32(3), offset: Float64Array.of(4), file: u32(4), line: u32(7),
        source: Uint8Array.of(1), exact: Uint8Array.of(1), inlineStart: u32(0, deep),
        inlineFunction: new Uint32Array(deep).fill(5), inlineFile: new Uint32Array(deep).fill(4), inlineLine: new Uint32Array(deep).fill(3)
      },
      BigUint64Array.of(0x1010n)
    )
    expect(entry.function!.length).toBe(SCHEMA_LIMITS.text)
    expect(entry.function!.startsWith('ns::Tpl<x')).toBe(true)
    expect(entry.inlined).toHaveLength(SCHEMA_LIMITS.inlined)
    expect(entry).toMatchObject({ module: 'app', moduleOffset: 16, offset: 4, file: 'a.cc', line: 7, source: 'symtab', exact: true })
    // what the file loader checks
    expect(() => compile(SymbolEntrySchema, LENIENT)(entry, 'symbol')).not.toThrow()
  })
})
