// Redaction for files and reports that leave the machine: user names become user1, user2 …, host
// names become "host", and paths keep only their last component ("…/libc.so.6"), wherever they occur
// (paths, command lines, error messages). Module and executable names stay: they are what a leak
// hunt needs. Numbers (pids, uids, sizes) are kept.

import type { HostInfo, SnapshotError } from '../../ipc/types'
import type { FileItem, SnapscopeFile } from './types'

// The directories of a path, absolute or relative, POSIX or Windows: "/home/ann/x" -> "…/x",
// "C:\Users\ann\x" -> "…\x", "bin/x" -> "…/x" (an option's "--dir=" prefix stays).
const DIRECTORIES = /(?:[A-Za-z]:)?(?:[^\\/\s'"=:]*([\\/]))+/g
const escapeRegExp = (s: string): string => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')

class Redactor {
  private readonly aliases = new Map<string, string>()
  private users = 0
  private readonly secrets: RegExp | null

  constructor(file: SnapscopeFile) {
    const hosts = new Set([file.host.hostname])
    for (const item of file.items) {
      if ('host' in item) hosts.add(item.host.hostname)
      if (item.format === 'snapscope.snapshot/1') for (const p of item.processes) this.user(p.user)
    }
    for (const h of hosts) if (h) this.aliases.set(h, 'host')
    const words = [...this.aliases.keys()].filter((w) => w.length > 1).sort((a, b) => b.length - a.length)
    this.secrets = words.length ? new RegExp(`\\b(?:${words.map(escapeRegExp).join('|')})\\b`, 'g') : null
  }

  /** A user's alias; "DOMAIN\name" (Windows) counts its name part as a secret too. */
  user(name: string): string {
    if (!name || /^\d+$/.test(name)) return name
    let alias = this.aliases.get(name)
    if (!alias) {
      alias = `user${++this.users}`
      this.aliases.set(name, alias)
      const bare = name.split('\\').pop()!
      if (bare !== name) this.aliases.set(bare, alias)
    }
    return alias
  }

  text(s: string): string {
    const noDirs = s.replace(DIRECTORIES, (_m, sep: string) => `…${sep}`)
    return this.secrets ? noDirs.replace(this.secrets, (w) => this.aliases.get(w) ?? w) : noDirs
  }

  host(h: HostInfo): HostInfo {
    return { ...h, hostname: h.hostname ? 'host' : '' }
  }

  errors(list: SnapshotError[]): SnapshotError[] {
    return list.map((e) => ({ ...e, message: this.text(e.message) }))
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
            cmdline: p.cmdline.map((a) => this.text(a))
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
        return { ...item, endReason: this.text(item.endReason) }
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

export function redactFile(file: SnapscopeFile): SnapscopeFile {
  if (file.redacted) return file
  const r = new Redactor(file)
  return { ...file, host: r.host(file.host), redacted: true, items: file.items.map((item) => r.item(item)) }
}
