// Loads the native addon (native/build/Release/snapscope.node) and declares its API.
// This runs bundled by vite (CJS), under vitest (ESM) and under tsx, so it uses neither
// import.meta nor a bare require: it finds the repository root itself and requires the .node
// file through createRequire.
import fs from 'node:fs'
import { createRequire } from 'node:module'
import path from 'node:path'

export interface NativeSnapshotOptions {
  processes: boolean
  threads: boolean
  /** Must exist when given (else the call fails with code ESRCH); the lists stay system-wide. */
  pid: number | null
}

export interface NativeProcess {
  pid: number
  parentPid: number
  /** Executable file name; the kernel's short name when the executable can't be read. */
  exeFile: string
  /** Full executable path ("" when unreadable); may end in " (deleted)". */
  exePath: string
  /** The kernel's short name (comm). */
  name: string
  cmdline: string[]
  /** User name, or the uid as a string when it has no name. */
  user: string
  uid: number
  /** Milliseconds since the Unix epoch. */
  startTimeMs: number
  /** With threads requested: the number of thread entries listed for this process. */
  threadCount: number
  basePriority: number
  workingSetBytes: number
  pageFaultCount: number
  /** One letter, e.g. "S", "R", "Z". */
  state: string
}

export interface NativeThread {
  tid: number
  ownerPid: number
  basePriority: number
  deltaPriority: number
}

export type NativeErrorScope = 'process' | 'threads' | 'exePath' | 'cmdline'

/** Something that could not be read for one process; the snapshot went on without it. */
export interface NativeError {
  pid: number
  scope: NativeErrorScope
  /** The OS code's name: "ESRCH", "EACCES", ... */
  code: string
  message: string
}

export interface NativeSnapshot {
  processes: NativeProcess[]
  threads: NativeThread[]
  errors: NativeError[]
}

export interface NativeHost {
  os: string
  hostname: string
  arch: string
  backend: string
}

/** What snapshot() rejects with (snapshotSync() throws) when the whole call fails. */
export interface NativeOsError extends Error {
  code: string
  pid: number | null
  scope: NativeErrorScope
}

export interface NativeAddon {
  /** Reads on a worker thread. Bad option types throw a TypeError synchronously. */
  snapshot(options: NativeSnapshotOptions): Promise<NativeSnapshot>
  /** The same on the calling thread (blocks it): for benchmarks of the native part. */
  snapshotSync(options: NativeSnapshotOptions): NativeSnapshot
  host(): NativeHost
}

const ROOT_PACKAGE_NAME = 'snapscope'

function isRepoRoot(dir: string): boolean {
  try {
    const pkg = JSON.parse(fs.readFileSync(path.join(dir, 'package.json'), 'utf8')) as { name?: unknown }
    return pkg.name === ROOT_PACKAGE_NAME
  } catch {
    return false
  }
}

/** The repository root: the nearest directory above this module (or the cwd) whose package.json is snapscope's. */
export function findRepoRoot(): string {
  const starts = typeof __dirname === 'string' ? [__dirname, process.cwd()] : [process.cwd()]
  for (const start of starts) {
    for (let dir = path.resolve(start); ; dir = path.dirname(dir)) {
      if (isRepoRoot(dir)) return dir
      if (path.dirname(dir) === dir) break
    }
  }
  throw new Error(`cannot find the snapscope repository root above ${starts.join(' or ')}`)
}

/** Where the addon is loaded from: $SNAPSCOPE_ADDON, else native/build/Release/snapscope.node. */
export function addonPath(): string {
  const override = process.env.SNAPSCOPE_ADDON
  if (override) return path.resolve(override)
  return path.join(findRepoRoot(), 'native', 'build', 'Release', 'snapscope.node')
}

let loaded: NativeAddon | undefined

export function loadAddon(): NativeAddon {
  if (loaded) return loaded
  const file = addonPath()
  if (!fs.existsSync(file)) {
    throw new Error(`snapscope native addon not found at ${file}: run \`npm run build:native\``)
  }
  const requireFromHere = createRequire(path.join(path.dirname(file), 'package.json'))
  loaded = requireFromHere(file) as NativeAddon
  return loaded
}
