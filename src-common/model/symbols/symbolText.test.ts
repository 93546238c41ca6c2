import { describe, expect, it } from 'vitest'
import { besideText, codeText, fileLineText, nameFields, symbolText } from './symbolText'
import type { SymbolEntry } from '../../contract/types'

const entry = (over: Partial<SymbolEntry>): SymbolEntry => ({
  address: '0x7f0000001000',
  module: 'libc.so.6',
  moduleOffset: 0x16e0ba,
  function: null,
  offset: null,
  file: null,
  line: null,
  inlined: [],
  source: null,
  exact: false,
  ...over
})

describe('code addresses as text', () => {
  it('names the function and its source line, the file by its base name', () => {
    const s = entry({ function: 'malloc', offset: 0x2a, file: '/build/glibc/malloc/malloc.c', line: 3287, source: 'debuginfo', exact: true })
    expect(symbolText(s)).toBe('malloc+0x2a  malloc.c:3287')
    expect(codeText({ ...s, offset: 0 })).toBe('malloc')
    expect(codeText({ ...s, function: '_init', offset: 4, exact: false })).toBe('_init+0x4?')
    expect(fileLineText({ file: 'C:\\src\\app.c', line: null })).toBe('app.c')
    expect(besideText(s)).toBe('malloc.c:3287 · libc.so.6')
  })

  it('says module+offset when no function holds the address, and the old text of documents without names', () => {
    expect(symbolText(entry({}))).toBe('libc.so.6+0x16e0ba')
    expect(codeText({ symbol: 'libc.so.6+0x16e0ba' })).toBe('libc.so.6+0x16e0ba')
    expect(codeText(entry({ module: null, moduleOffset: null }))).toBe('')
    expect(besideText(entry({}))).toBe('')
  })

  it('gives a top pc only the fields that are known', () => {
    expect(nameFields(entry({ function: 'f', offset: 4, line: 9, file: 'a.c', exact: true }))).toEqual({ module: 'libc.so.6', moduleOffset: 0x16e0ba, function: 'f', offset: 4, exact: true, file: 'a.c', line: 9 })
    expect(nameFields(entry({ module: null, moduleOffset: null }))).toEqual({})
  })
})
