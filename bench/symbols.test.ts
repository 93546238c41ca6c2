// The symbols benchmark's referee on a real python3: the addresses are where pyelftools says, the same
// seed picks the same code, and compare() counts a wrong or missing name of ours as a mismatch.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { execFileSync } from 'node:child_process'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { loadAddon } from '../native/index'
import { addr2line } from '../test-support/addr2line'
import type { Answers } from './symbols-child'
import { compare, demanglerFrom, mismatches, type Demangler } from './symbols-compare'
import { fileAddress, pickAddresses, startPython, type AddressSet, type Target } from './symbols-targets'

const COUNT = 400
let target: Target
let set: AddressSet
let dir: string
let demangler: Demangler

beforeAll(async () => {
  target = await startPython()
  set = pickAddresses(target.pid, COUNT, 7)
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'snapscope-symbols-bench-test-'))
  const binary = path.join(dir, 'cxa_demangle')
  execFileSync('c++', ['-O2', '-o', binary, path.join(__dirname, 'baselines', 'cxa_demangle.cc')])
  demangler = demanglerFrom(binary)
})

afterAll(async () => {
  await target?.stop()
  if (dir) fs.rmSync(dir, { recursive: true, force: true })
})

async function ours(addresses: BigUint64Array): Promise<Answers> {
  const b = await loadAddon().symbolize(target.pid, addresses)
  const plain = (a: ArrayLike<number>) => Array.from(a)
  return {
    strings: b.strings,
    module: plain(b.module),
    function: plain(b.function),
    file: plain(b.file),
    line: plain(b.line),
    exact: plain(b.exact),
    inlineStart: plain(b.inlineStart),
    inlineFunction: plain(b.inlineFunction),
    inlineFile: plain(b.inlineFile),
    inlineLine: plain(b.inlineLine)
  }
}

describe('symbols benchmark addresses', () => {
  it('picks the mix, each function address inside the function pyelftools found and in the module the process maps', () => {
    const kinds = set.picks.map((p) => p.kind)
    expect(kinds.filter((k) => k === 'function')).toHaveLength(COUNT * 0.9)
    expect(kinds.filter((k) => k === 'no symbol')).toHaveLength(COUNT * 0.09)
    expect(kinds.filter((k) => k === 'no module')).toHaveLength(COUNT * 0.01)
    for (const p of set.picks) {
      const located = fileAddress(set, p.address)
      if (p.kind === 'no module') {
        expect(located).toBeNull()
        continue
      }
      expect(located!.module).toBe(set.modules[p.module])
      if (p.fn) {
        expect(located!.address).toBeGreaterThanOrEqual(p.fn.start)
        expect(located!.address).toBeLessThan(p.fn.start + p.fn.size)
      }
    }
  })

  it('picks the same code from the same seed', () => {
    const again = pickAddresses(target.pid, COUNT, 7)
    expect(again.addresses).toEqual(set.addresses)
    expect(pickAddresses(target.pid, COUNT, 8).addresses).not.toEqual(set.addresses)
  })
})

describe('symbols benchmark comparison', () => {
  it('agrees with eu-addr2line on real answers, and counts a wrong or a missing name of ours', async () => {
    const answers = await ours(set.addresses)
    const eu = await addr2line(target.pid, [...set.addresses])
    const honest = compare(set, answers, eu, demangler)
    expect(mismatches(honest)).toBeLessThanOrEqual(2)

    // Two addresses (where both said the same) with their names swapped, a third left unnamed.
    const name = (i: number) => answers.strings[answers.function[i]]
    const same = set.picks.flatMap((p, i) => (p.kind === 'function' && name(i) && name(i) === eu[i].function ? [i] : []))
    const a = same[0]
    const b = same.find((i) => name(i) !== name(a) && set.picks[i].fn!.start !== set.picks[a].fn!.start && !set.picks[a].fn!.names.includes(name(i)))!
    const c = same.find((i) => i !== a && i !== b)!
    const tampered = { ...answers, function: [...answers.function], exact: [...answers.exact] }
    ;[tampered.function[a], tampered.function[b]] = [answers.function[b], answers.function[a]]
    tampered.function[c] = 0
    tampered.exact[c] = 0
    const caught = compare(set, tampered, eu, demangler)
    const count = (a: typeof honest, verdict: Parameters<typeof honest.counts.get>[0]) => a.counts.get(verdict) ?? 0
    expect(count(caught, 'mismatch: function')).toBe(count(honest, 'mismatch: function') + 2)
    expect(count(caught, 'mismatch: unnamed in a function')).toBe(count(honest, 'mismatch: unnamed in a function') + 1)
    expect(mismatches(caught)).toBe(mismatches(honest) + 3)
  }, 60_000)
})
