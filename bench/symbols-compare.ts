// The symbols benchmark's "same answers" check: ours against another tool's answers for every address,
// each disagreement put down to a cause, with the ELF symbols the addresses were picked from
// (bench/symbols-targets.ts, read by pyelftools) as the referee where the two name different functions.
import { spawnSync } from 'node:child_process'
import type { Addr2lineAnswer, Addr2lineFrame } from '../test-support/addr2line'
import type { Answers } from './symbols-child'
import type { AddressSet } from './symbols-targets'

/** A tool's answer for one address, in eu-addr2line's shape (outer function, file:line; inlined innermost first). */
export type Answer = Omit<Addr2lineAnswer, 'address'>

/** More than this share of addresses with an unexplained disagreement marks the entry not met. */
export const MAX_MISMATCH_SHARE = 0.001

export type Verdict =
  /** the same function, file, line and inlined frames (where both give a file or line) */
  | 'same'
  /** two names of one function: symbols at the same start (malloc, __libc_malloc, __GI___libc_malloc) */
  | 'alias'
  /** a part GCC split off a function, named by its symbol (f.part.0, f.cold) and by its DWARF name (f) */
  | 'clone, with and without its suffix'
  /** we say module+offset where no sized function symbol covers the address, the other names one anyway: "a symbol never lies" */
  | 'refused past a symbol'
  /** where no sized symbol covers the address we name the sizeless label below it, marked a guess (exact false), the other names nothing */
  | 'our guess, marked inexact'
  /** we name the function whose symbol covers the address and the other does not name it */
  | 'only ours, as its ELF symbol'
  | 'mismatch: function'
  /** we name no function where a sized function symbol covers the address (whatever the other says) */
  | 'mismatch: unnamed in a function'
  | 'mismatch: file:line'
  | 'mismatch: inlined frames'

export interface Agreement {
  counts: Map<Verdict, number>
  total: number
  /** the first few disagreements of each kind, for the log */
  examples: Map<Verdict, string[]>
}

export function ourAnswer(answers: Answers, i: number): Answer & { exact: boolean } {
  const text = (index: number) => answers.strings[index] || null
  const inlined: Addr2lineFrame[] = []
  for (let k = answers.inlineStart[i]; k < answers.inlineStart[i + 1]; k++) {
    inlined.push({ function: text(answers.inlineFunction[k]), file: text(answers.inlineFile[k]), line: answers.inlineLine[k] || null })
  }
  return { function: text(answers.function[i]), file: text(answers.file[i]), line: answers.line[i] || null, inlined, exact: answers.exact[i] === 1 }
}

/** Names a batch of symbol names demangled: built by `demanglerFrom`. */
export type Demangler = (names: Iterable<string>) => (name: string) => string

/** The demangler of bench/baselines/cxa_demangle.cc, compiled at `binary`: one run per batch of names. */
export function demanglerFrom(binary: string): Demangler {
  return (names) => {
    const mangled = [...new Set(names)].filter((n) => n.startsWith('_Z'))
    const map = new Map<string, string>()
    if (mangled.length) {
      const run = spawnSync(binary, [], { input: mangled.join('\n') + '\n', encoding: 'utf8', maxBuffer: 1 << 28 })
      if (run.status !== 0) throw new Error(`${binary} failed: ${run.error?.message ?? run.stderr}`)
      const lines = run.stdout.split('\n')
      mangled.forEach((n, i) => map.set(n, lines[i]))
    }
    return (name) => map.get(name) ?? name
  }
}

/** f for GCC's clones and parts of f (f.part.0, f.isra.0.cold, f.constprop.2), f for the others */
function uncloned(name: string): string {
  let n = name
  for (let m; (m = /\.(cold|part\.\d+|isra\.\d+|constprop\.\d+|lto_priv\.\d+|localalias)$/.exec(n)); ) n = n.slice(0, m.index)
  return n
}

const samePlace = (a: Addr2lineFrame, b: Addr2lineFrame) =>
  (a.file === null || b.file === null || a.file === b.file) && (a.line === null || b.line === null || a.line === b.line)

/**
 * Compares ours with `theirs` address by address; `set` is what each address was picked as. With
 * `demangleTheirs`, their function names are mangled and go through `demangler` first.
 */
export function compare(set: AddressSet, ours: Answers, theirs: (Answer | null)[], demangler: Demangler, demangleTheirs = false): Agreement {
  const picks = set.picks
  // The ELF names at each picked function's start, demangled, to tell aliases and who named it right.
  const theirNames = (a: Answer | null) => (a ? [a.function, ...a.inlined.map((f) => f.function)].filter((n): n is string => n !== null) : [])
  const demangle = demangler([...picks.flatMap((p) => p.fn?.names ?? []), ...(demangleTheirs ? theirs.flatMap(theirNames) : [])])
  if (demangleTheirs) {
    const frame = <F extends Addr2lineFrame>(f: F): F => ({ ...f, function: f.function === null ? null : demangle(f.function) })
    theirs = theirs.map((a) => (a ? { ...frame(a), inlined: a.inlined.map(frame) } : null))
  }
  const counts = new Map<Verdict, number>()
  const examples = new Map<Verdict, string[]>()
  for (let i = 0; i < picks.length; i++) {
    const o = ourAnswer(ours, i)
    const t = theirs[i] ?? { function: null, file: null, line: null, inlined: [] }
    const pick = picks[i]
    // Versioned names (memcpy@GLIBC_2.2.5, as a debug file's .symtab has them) count without the version too.
    const names = new Set((pick.fn?.names ?? []).flatMap((n) => [n, n.replace(/@.*/, '')]).flatMap((n) => [n, demangle(n)]))
    const bothNamed = o.function !== null && t.function !== null
    const alias = bothNamed && names.has(o.function!) && names.has(t.function!)
    const clone = bothNamed && !alias && uncloned(o.function!) === uncloned(t.function!)
    let verdict: Verdict
    if (o.function === null && pick.kind === 'function') verdict = 'mismatch: unnamed in a function'
    else if (o.function !== t.function && !alias && !clone) {
      if (o.function === null && !o.exact && t.function !== null && pick.kind === 'no symbol') verdict = 'refused past a symbol'
      else if (o.function !== null && names.has(o.function) && t.function === null) verdict = 'only ours, as its ELF symbol'
      else if (o.function !== null && !o.exact && t.function === null && pick.kind === 'no symbol') verdict = 'our guess, marked inexact'
      else verdict = 'mismatch: function'
    } else if (!samePlace(o, t)) verdict = 'mismatch: file:line'
    else if (o.inlined.length !== t.inlined.length || o.inlined.some((f, k) => f.function !== t.inlined[k].function || !samePlace(f, t.inlined[k]))) verdict = 'mismatch: inlined frames'
    else verdict = o.function === t.function ? 'same' : alias ? 'alias' : 'clone, with and without its suffix'
    counts.set(verdict, (counts.get(verdict) ?? 0) + 1)
    if (verdict !== 'same') {
      const list = examples.get(verdict) ?? []
      if (list.length < 3) {
        const module = pick.module >= 0 ? set.modules[pick.module].path : 'no module'
        list.push(`0x${pick.address.toString(16)} (${pick.kind} in ${module}${pick.secondMapping ? " (its second mapping)" : ""}${pick.fn ? `, symbols ${pick.fn.names.join(' ')}` : ''}): ours ${JSON.stringify(o)}, theirs ${JSON.stringify({ ...t, address: undefined })}`)
        examples.set(verdict, list)
      }
    }
  }
  return { counts, total: picks.length, examples }
}

const count = (a: Agreement, v: Verdict) => a.counts.get(v) ?? 0

export function mismatches(a: Agreement): number {
  return [...a.counts].filter(([v]) => v.startsWith('mismatch')).reduce((n, [, c]) => n + c, 0)
}

export const agreementMet = (a: Agreement): boolean => mismatches(a) <= a.total * MAX_MISMATCH_SHARE

/** "99,812 of 100,000 agree with eu-addr2line (…)": for the notes. */
export function describeAgreement(a: Agreement, tool: string): string {
  const n = (v: number) => v.toLocaleString('en-US')
  const agree = count(a, 'same') + count(a, 'alias') + count(a, 'clone, with and without its suffix')
  const parts = [...a.counts].filter(([v]) => !['same', 'alias', 'clone, with and without its suffix'].includes(v)).map(([v, c]) => `${v} ${n(c)}`)
  return (
    `${n(agree)} of ${n(a.total)} answers agree with ${tool} (same ${n(count(a, 'same'))}, alias ${n(count(a, 'alias'))}, clone ${n(count(a, 'clone, with and without its suffix'))})` +
    `${parts.length ? `; ${parts.join(', ')}` : ''}; unexplained ${n(mismatches(a))} (allowed ${n(Math.floor(a.total * MAX_MISMATCH_SHARE))}, ${MAX_MISMATCH_SHARE * 100} %)`
  )
}
