// The kinds the C++ side emits are the contract's lists: every string literal the addon's sources
// give a heap's or a region's `kind` (or compare it with), the block flags' codes and the Linux watch
// mechanisms, read from native/src, are in the TypeBox schemas' enums, and every heap and region kind
// the contract names is one the addon emits. backend.h's comment lists the same heap kinds.
import { readFileSync, readdirSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { BLOCK_FLAGS, HEAP_KINDS, MEMORY_KINDS, REGION_KINDS, WATCH_MECHANISMS } from './contract'

const src = join(import.meta.dirname, '..', '..', 'native', 'src')
const sources = (readdirSync(src, { recursive: true }) as string[])
  .filter((f) => /\.(cc|h)$/.test(f))
  .map((f) => ({ file: f.split('\\').join('/'), text: readFileSync(join(src, f), 'utf8') }))
const literals = (text: string): string[] => [...text.matchAll(/"([^"\\]*)"/g)].map((m) => m[1])
/** The literals of `kind = …;` statements and of `kind ==`/`!=` comparisons in `files`. */
const kindLiterals = (files: { text: string }[]): Set<string> =>
  new Set(
    files.flatMap(({ text }) => [
      ...[...text.matchAll(/\bkind\s*=\s*([^;=][^;]*);/g)].flatMap((m) => literals(m[1])),
      ...[...text.matchAll(/\bkind\s*[!=]=\s*(?:std::string\()?("[^"]*")/g)].flatMap((m) => literals(m[1]))
    ])
  )

describe('the kinds the addon emits', () => {
  it('heap kinds: the literals of the heap lists and walks of both backends are HEAP_KINDS, all of them', () => {
    const emitted = kindLiterals(sources.filter((s) => /heap/.test(s.file)))
    expect([...emitted].sort()).toEqual([...HEAP_KINDS].sort())
    const comment = /\/\/ The kinds emitted[^\n]*\n\s*\/\/([^\n]*)\n\s*std::string kind;/.exec(sources.find((s) => s.file === 'backend.h')!.text)
    expect(literals(comment?.[1] ?? '').sort(), "backend.h: HeapListInfo::kind's comment").toEqual([...HEAP_KINDS].sort())
  })

  it("region kinds: what regions.cc (both backends) classifies mappings as is REGION_KINDS, all of them", () => {
    const files = sources.filter((s) => s.file.endsWith('regions.cc'))
    expect(files.length).toBe(2)
    const classify = files.flatMap(({ text }) => [...text.matchAll(/const char\* classify[^]*?\n}/g)].flatMap((m) => literals(m[0].replace(/m\.path[^)]*\)/g, ''))))
    const emitted = new Set([...kindLiterals(files), ...classify])
    expect([...emitted].sort()).toEqual([...REGION_KINDS].sort())
  })

  it("memory map kinds: backend.h's kMemoryKinds and the MemoryKind enum, code by code, are MEMORY_KINDS", () => {
    const header = sources.find((s) => s.file === 'backend.h')!.text
    expect(literals(/kMemoryKinds\[\] = \{([^}]*)\}/.exec(header)![1])).toEqual([...MEMORY_KINDS])
    const names = /enum class MemoryKind : uint8_t \{([^}]*)\}/.exec(header)![1].split(',').map((n) => n.trim().replace(/([a-z])([A-Z])/g, '$1-$2').toLowerCase())
    expect(names).toEqual([...MEMORY_KINDS])
  })

  it('block flags: the addon\'s codes index BLOCK_FLAGS', () => {
    const m = /enum class BlockFlag : uint8_t \{([^}]*)\}/.exec(sources.find((s) => s.file === 'backend.h')!.text)
    const byCode = [...m![1].matchAll(/(\w+)\s*=\s*(\d+)/g)].sort((a, b) => Number(a[2]) - Number(b[2])).map((x) => x[1].toLowerCase())
    expect(byCode).toEqual([...BLOCK_FLAGS])
  })

  it('watch mechanisms: the Linux ones the addon names and knows are WATCH_MECHANISMS', () => {
    const watch = sources.filter((s) => s.file.startsWith('linux/watch/'))
    const named = new Set(watch.flatMap(({ text }) => [...text.matchAll(/mechanism\(\) const override \{([^}]*)\}/g)].flatMap((m) => literals(m[1]))))
    expect([...named, 'auto'].sort()).toEqual([...WATCH_MECHANISMS].sort())
    const known = /\(known: ([^)]*)\)/.exec(watch.map((s) => s.text).join('\n'))
    expect(known?.[1].split(', ').sort()).toEqual([...WATCH_MECHANISMS].sort())
  })
})
