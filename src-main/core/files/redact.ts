// Redaction for files and reports that leave the machine: user names become user1, user2 …, host
// names become "host", paths keep only their last component ("…/libc.so.6"), and secrets become
// [redacted], wherever they occur (paths, command lines, error messages). Module and executable names
// stay: they are what a leak hunt needs. Numbers (pids, uids, sizes) are kept.
//
// Secrets are the values of options and parameters named like one (--password=…, --token VALUE,
// AWS_SECRET_ACCESS_KEY=…, ?token=… in a URL, "Authorization: …"), URL credentials
// (postgres://user:pass@host) and values shaped like a known token (AWS key ids, GitHub and Slack
// tokens, JWTs, "Bearer …"). User and host names are replaced as whole words only: "bob" goes from
// "/home/bob" and "--user=bob", "bobcat" stays.
//
// Every rule is idempotent (what it writes matches no rule), so a file that says it is redacted is
// run through again: one redacted by this version comes back unchanged, one from an older version (or
// edited) loses what is left.

import type { HostInfo, SnapshotError, SymbolEntry } from '../../../src-common/contract/types'
import type { FileItem, RedactionSummary, SnapscopeFile } from '../../../src-common/contract/fileTypes'

const REDACTED = '[redacted]'
const ALIAS = /^user\d+$/
const HOST_ALIAS = 'host'

// The directories of a path, absolute or relative, POSIX or Windows: "/home/ann/x" -> "…/x",
// "C:\Users\ann\x" -> "…\x", "bin/x" -> "…/x" (an option's "--dir=" prefix stays).
const DIRECTORIES = /(?:(?<!\w)[A-Za-z]:)?(?:[^\\/\s'"=:]*([\\/]))+/g
const escapeRegExp = (s: string): string => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')

// Names of options, parameters and variables whose value is a secret: one of these anywhere in the
// name, or one of SECRET_PARTS as a whole part of it (AWS_ACCESS_KEY_ID, apiKey, --pass); "author" is no secret.
const SECRET_WORDS = /passw(?:or)?d|secret|token|api_?key|auth(?!or(?!i))|cookie|credential|session|bearer/i
const SECRET_PARTS = new Set(['key', 'pass', 'pwd', 'pw'])
function isSecretName(name: string): boolean {
  if (SECRET_WORDS.test(name)) return true
  return name
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .toLowerCase()
    .split(/[^a-z0-9]+/)
    .some((part) => SECRET_PARTS.has(part))
}

// Not at a value already replaced: what makes every rule idempotent.
const FRESH = `(?!${escapeRegExp(REDACTED)})`
/** Values that are secrets by their shape alone, wherever they stand. */
const TOKEN_SHAPES = new RegExp(
  [
    '\\b(?:AKIA|ASIA)[0-9A-Z]{16}\\b', // AWS access key ids
    '\\bgh[pousr]_[A-Za-z0-9]{20,}', // GitHub tokens
    '\\bgithub_pat_[A-Za-z0-9_]{20,}',
    '\\bxox[abprs]-[A-Za-z0-9-]{8,}', // Slack
    '\\beyJ[A-Za-z0-9_-]{4,}\\.[A-Za-z0-9_-]{4,}\\.[A-Za-z0-9_-]*' // JWT (header.payload.signature)
  ].join('|'),
  'g'
)
/** "Bearer abc…": an authorization scheme and its credentials. */
const AUTH_SCHEME = new RegExp(`\\b(Bearer|Basic)(\\s+)${FRESH}[A-Za-z0-9._~+/=-]{6,}`, 'gi')
/** scheme://user:pass@host: the whole user info. */
const URL_USERINFO = new RegExp(`\\b([a-z][a-z0-9+.-]*://)${FRESH}[^\\s/?#@]+@`, 'gi')
/** The name and separator of name=value, name: value, "name": "value", ?name=value&…, --name=value … */
const NAME_SEP = /(^|[^\w.-])(-{0,2}[A-Za-z_][\w.-]*)["']?\s*[=:]\s*["']?/g
/** … and its value (sticky: read where the name ends, only when the name is a secret's) … */
const VALUE = /(?:(?:Bearer|Basic)\s+)?[^\s&;,"'<>(){}]+/iy
/** … all of it for a cookie header ("Cookie: a=1; b=2"). */
const COOKIES = /[^"'\r\n]+/y
/** --name value, inside one string (a shell command line in an argument, a Windows command line). */
const OPTION_VALUE = new RegExp(`(^|\\s)(-{1,2}[A-Za-z][\\w.-]*)(\\s+)${FRESH}(?!-)(\\S+)`, 'g')
const OPTION = /^-{1,2}[A-Za-z][\w.-]*$/
const NAMED_ARG = /^(-{0,2}[A-Za-z_][\w.-]*)=([\s\S]*)$/

class Redactor {
  private readonly aliases = new Map<string, string>()
  private readonly taken = new Set<string>()
  private next = 1
  private readonly names: RegExp | null
  readonly found: RedactionSummary = { users: 0, hosts: 0, paths: 0, secrets: 0 }

  constructor(file: SnapscopeFile) {
    const hosts = new Set([file.host.hostname])
    const users: string[] = []
    for (const item of file.items) {
      if ('host' in item) hosts.add(item.host.hostname)
      if (item.format === 'snapscope.snapshot/1') for (const p of item.processes) users.push(p.user)
    }
    // user1 … already in the file (it was redacted before) stay, and new aliases go around them.
    for (const u of users) if (ALIAS.test(u)) this.taken.add(u)
    for (const u of users) this.user(u)
    for (const h of hosts) {
      if (!h || h === HOST_ALIAS) continue
      this.found.hosts++
      this.aliases.set(h.toLowerCase(), HOST_ALIAS)
      // "build.example.com" is also known as "build".
      const short = h.split('.')[0]
      if (short !== h && !this.aliases.has(short.toLowerCase())) this.aliases.set(short.toLowerCase(), HOST_ALIAS)
    }
    const words = [...this.aliases.keys()].filter((w) => w.length > 1).sort((a, b) => b.length - a.length)
    // Whole words: not next to a letter, digit or underscore of any script.
    this.names = words.length ? new RegExp(`(?<![\\p{L}\\p{N}_])(?:${words.map(escapeRegExp).join('|')})(?![\\p{L}\\p{N}_])`, 'giu') : null
  }

  /** A user's alias; "DOMAIN\name" (Windows) counts its name part as a secret too. */
  user(name: string): string {
    if (!name || /^\d+$/.test(name) || ALIAS.test(name)) return name
    const key = name.toLowerCase()
    let alias = this.aliases.get(key)
    if (!alias) {
      while (this.taken.has(`user${this.next}`)) this.next++
      alias = `user${this.next++}`
      this.found.users++
      this.aliases.set(key, alias)
      const bare = key.split('\\').pop()!
      if (bare !== key) this.aliases.set(bare, alias)
    }
    return alias
  }

  private secret(value: string): string {
    if (value === REDACTED) return value
    this.found.secrets++
    return REDACTED
  }

  /** The values of secret-named parameters; the others are read on (a URL's ?token= after its scheme's "http:"). */
  private namedValues(s: string): string {
    let out = ''
    let done = 0
    NAME_SEP.lastIndex = 0
    for (let m = NAME_SEP.exec(s); m; m = NAME_SEP.exec(s)) {
      if (!isSecretName(m[2])) continue
      const end = m.index + m[0].length
      const read = /cookie/i.test(m[2]) ? COOKIES : VALUE
      read.lastIndex = end
      const value = read.exec(s)?.[0]
      if (!value || value.startsWith(REDACTED)) continue
      out += s.slice(done, end) + this.secret(value)
      done = NAME_SEP.lastIndex = end + value.length
    }
    return out + s.slice(done)
  }

  /** Secrets in free text. Whole values first (a URL's user info, a named value), then shapes left in the rest. */
  private secrets(s: string): string {
    const count = (replacement: string): string => {
      this.found.secrets++
      return replacement
    }
    return this.namedValues(s.replace(URL_USERINFO, (_m, scheme: string) => count(`${scheme}${REDACTED}@`)))
      .replace(OPTION_VALUE, (m, before: string, name: string, space: string) => (isSecretName(name) ? count(`${before}${name}${space}${REDACTED}`) : m))
      .replace(AUTH_SCHEME, (_m, scheme: string, space: string) => count(`${scheme}${space}${REDACTED}`))
      .replace(TOKEN_SHAPES, () => count(REDACTED))
  }

  text(s: string): string {
    const noDirs = this.secrets(s).replace(DIRECTORIES, (m: string, sep: string) => {
      const short = `…${sep}`
      if (m !== short) this.found.paths++
      return short
    })
    return this.names ? noDirs.replace(this.names, (w) => this.aliases.get(w.toLowerCase()) ?? w) : noDirs
  }

  /** A command line: also "--token VALUE" across two arguments, and all of "--password=a b,c". */
  args(list: string[]): string[] {
    return list.map((arg, i) => {
      const prev = list[i - 1]
      if (prev !== undefined && OPTION.test(prev) && isSecretName(prev) && !/^-{1,2}[A-Za-z]/.test(arg)) return this.secret(arg)
      const named = NAMED_ARG.exec(arg)
      if (named && isSecretName(named[1])) return `${named[1]}=${this.secret(named[2])}`
      return this.text(arg)
    })
  }

  host(h: HostInfo): HostInfo {
    return { ...h, hostname: h.hostname ? HOST_ALIAS : '' }
  }

  errors(list: SnapshotError[]): SnapshotError[] {
    return list.map((e) => ({ ...e, message: this.text(e.message) }))
  }

  /** Source paths of code names: the build's directories say whose machine built it. */
  symbols(list: SymbolEntry[]): SymbolEntry[] {
    const file = (f: string | null) => (f === null ? null : this.text(f))
    return list.map((s) => ({ ...s, file: file(s.file), inlined: s.inlined.map((i) => ({ ...i, file: file(i.file) })) }))
  }

  item(item: FileItem): FileItem {
    switch (item.format) {
      case 'snapscope.snapshot/1':
        return {
          ...item,
          host: this.host(item.host),
          processes: item.processes.map((p) => ({
            ...p,
            user: this.user(p.user),
            exePath: this.text(p.exePath),
            cmdline: this.args(p.cmdline)
          })),
          modules: item.modules.map((m) => ({ ...m, exePath: this.text(m.exePath) })),
          heapLists: item.heapLists.map((h) => ({ ...h, note: this.text(h.note) })),
          errors: this.errors(item.errors)
        }
      case 'snapscope.heapwalks/1':
        return { ...item, heaps: item.heaps.map((h) => ({ ...h, errors: this.errors(h.errors) })), errors: this.errors(item.errors) }
      case 'snapscope.heapwalk/1':
        return { ...item, errors: this.errors(item.errors) }
      case 'snapscope.wswatch/1':
        return {
          ...item,
          endReason: this.text(item.endReason),
          summary: { ...item.summary, topPcs: item.summary.topPcs.map((p) => (p.file === undefined ? p : { ...p, file: this.text(p.file) })) },
          symbols: item.symbols && this.symbols(item.symbols)
        }
      case 'snapscope.symbols/1':
        return { ...item, symbols: this.symbols(item.symbols) }
      case 'snapscope.allocs/1':
        return {
          ...item,
          endReason: item.endReason === undefined ? undefined : this.text(item.endReason),
          stacks: item.stacks.map((s) => ({ ...s, frames: s.frames.map((f) => (f.file === null ? f : { ...f, file: this.text(f.file) })) }))
        }
      case 'snapscope.leaks/1':
        return { ...item, errors: this.errors(item.errors) }
      case 'snapscope.memorymap/1':
        return { ...item, regions: item.regions.map((r) => ({ ...r, path: this.text(r.path) })) }
      case 'snapscope.timeline/1':
        return {
          ...item,
          host: this.host(item.host),
          endReason: this.text(item.endReason),
          modules: item.modules.map((m) => ({ ...m, exePath: this.text(m.exePath) })),
          errors: this.errors(item.errors)
        }
    }
  }
}

const total = (s: RedactionSummary): number => s.users + s.hosts + s.paths + s.secrets

/** Replacements of two passes, or of the two sides of a compare, together. */
export const addRedactions = (a: RedactionSummary, b: RedactionSummary): RedactionSummary => ({
  users: a.users + b.users,
  hosts: a.hosts + b.hosts,
  paths: a.paths + b.paths,
  secrets: a.secrets + b.secrets
})

/**
 * The file with user names, host names, directories and secrets replaced, and what was replaced in
 * `redaction`. A file redacted by this version is returned as it is (badge and counts included).
 */
export function redactFile(file: SnapscopeFile): SnapscopeFile {
  const r = new Redactor(file)
  const items = file.items.map((item) => r.item(item))
  const host = r.host(file.host)
  if (file.redacted && total(r.found) === 0) return file
  const redaction = file.redacted && file.redaction ? addRedactions(file.redaction, r.found) : r.found
  return { ...file, host, redacted: true, redaction, items }
}
