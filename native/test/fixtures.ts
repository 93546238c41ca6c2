// Builds and runs the fixture programs in native/test/fixtures (real processes with a known shape),
// for the native tests, e2e and the benchmarks.
import { execFileSync, spawn, type ChildProcess } from 'node:child_process'
import fs from 'node:fs'
import path from 'node:path'
import { findRepoRoot } from '../index'

const READY_TIMEOUT_MS = 10_000
const STOP_TIMEOUT_MS = 5_000

export interface RunningFixture<T> {
  proc: ChildProcess
  /** The JSON line the fixture printed once ready. */
  info: T
  /** Closes the fixture's stdin (its signal to clean up and exit) and waits for it to exit; SIGKILL after 5 s. */
  stop(): Promise<void>
}

function fixturesDir(): string {
  return path.join(findRepoRoot(), 'native', 'test', 'fixtures')
}

function mtimeMs(file: string): number {
  try {
    return fs.statSync(file).mtimeMs
  } catch {
    return -Infinity
  }
}

/** How a fixture is compiled: flags instead of the default -O2, and a variant name for the binary. */
export interface FixtureBuild {
  /** compiler flags replacing -O2 (e.g. ['-O1', '-g'] or ['-static']) */
  flags?: readonly string[]
  /** the binary is bin/NAME-VARIANT (builds with other flags side by side) */
  variant?: string
}

/**
 * Compiles native/test/fixtures/NAME.c (NAME.cc: as C++) into fixtures/bin/NAME unless that is up to
 * date; returns its path.
 */
export function buildFixture(name: string, build: FixtureBuild = {}): string {
  if (!/^[A-Za-z0-9_-]+$/.test(name) || (build.variant !== undefined && !/^[A-Za-z0-9_-]+$/.test(build.variant))) {
    throw new Error(`bad fixture name: ${name} ${build.variant ?? ''}`)
  }
  const dir = fixturesDir()
  const cxx = fs.existsSync(path.join(dir, `${name}.cc`))
  const source = path.join(dir, cxx ? `${name}.cc` : `${name}.c`)
  const binary = path.join(dir, 'bin', build.variant ? `${name}-${build.variant}` : name)
  if (!fs.existsSync(source)) throw new Error(`no fixture source ${source}`)
  // The fixtures share headers, so a header change rebuilds them too.
  const inputs = [source, ...fs.readdirSync(dir).filter((f) => f.endsWith('.h')).map((f) => path.join(dir, f))]
  if (mtimeMs(binary) > Math.max(...inputs.map(mtimeMs))) return binary

  fs.mkdirSync(path.dirname(binary), { recursive: true })
  // A private name, then an atomic rename: test files building the same fixture in parallel never
  // run (or overwrite) a half-written binary.
  const temporary = `${binary}.${process.pid}.${Math.random().toString(36).slice(2)}.tmp`
  try {
    execFileSync(cxx ? 'c++' : 'cc', [...(build.flags ?? ['-O2']), '-pthread', '-Wall', '-o', temporary, source], {
      stdio: ['ignore', 'pipe', 'pipe'],
    })
    fs.renameSync(temporary, binary)
  } catch (error) {
    fs.rmSync(temporary, { force: true })
    const stderr = (error as { stderr?: Buffer }).stderr?.toString().trim()
    throw new Error(`cannot build fixture ${name}: ${stderr || (error as Error).message}`)
  }
  return binary
}

/**
 * Starts a fixture and resolves with the JSON line it prints when ready. `env` adds to its environment;
 * `link`, when given, is made a symbolic link to the fixture and run instead: the process then takes the
 * link's name (its comm). `binary`: a program the test built itself (other flags, C++), run instead of
 * fixtures/NAME.c.
 */
export async function startFixture<T>(
  name: string,
  args: readonly string[] = [],
  options: { env?: Record<string, string>; link?: string; binary?: string; build?: FixtureBuild } = {}
): Promise<RunningFixture<T>> {
  const binary = options.binary ?? buildFixture(name, options.build)
  if (options.link) fs.symlinkSync(binary, options.link)
  const proc = spawn(options.link ?? binary, args, { stdio: ['pipe', 'pipe', 'inherit'], env: { ...process.env, ...options.env } })
  const exited = new Promise<void>((resolve) => proc.once('exit', () => resolve()))
  // The fixture may exit before reading stdin: closing it then must not raise EPIPE.
  proc.stdin!.on('error', () => {})

  const info = await new Promise<T>((resolve, reject) => {
    let received = ''
    const fail = (message: string) => {
      cleanup()
      proc.kill('SIGKILL')
      reject(new Error(`fixture ${name} ${args.join(' ')}: ${message}`))
    }
    const onData = (chunk: Buffer) => {
      received += chunk.toString('utf8')
      const end = received.indexOf('\n')
      if (end < 0) return
      const line = received.slice(0, end)
      try {
        const parsed = JSON.parse(line) as T
        cleanup()
        resolve(parsed)
      } catch {
        fail(`printed a line that is not JSON: ${line}`)
      }
    }
    const onExit = (code: number | null, signal: NodeJS.Signals | null) =>
      fail(`exited (code ${code}, signal ${signal}) before it was ready`)
    const onError = (error: Error) => fail(`cannot start: ${error.message}`)
    const timer = setTimeout(() => fail(`not ready after ${READY_TIMEOUT_MS / 1000} s`), READY_TIMEOUT_MS)
    const cleanup = () => {
      clearTimeout(timer)
      proc.stdout!.off('data', onData)
      proc.off('exit', onExit)
      proc.off('error', onError)
    }
    proc.stdout!.on('data', onData)
    proc.once('exit', onExit)
    proc.once('error', onError)
  })
  // Keep draining stdout so the fixture can never block on a full pipe.
  proc.stdout!.resume()

  const stop = async (): Promise<void> => {
    if (proc.exitCode === null && proc.signalCode === null) {
      const killer = setTimeout(() => proc.kill('SIGKILL'), STOP_TIMEOUT_MS)
      proc.stdin!.end()
      await exited
      clearTimeout(killer)
    }
  }
  return { proc, info, stop }
}

/** The error a promise rejects with; fails when it resolves. */
export async function rejection<E = Error>(promise: Promise<unknown>): Promise<E> {
  try {
    await promise
  } catch (error) {
    return error as E
  }
  throw new Error('expected the promise to reject')
}

export interface Zombie {
  pid: number
  /** ends the holder, which takes its zombie child with it */
  stop(): void
}

/**
 * A zombie process: the child of a python3 that never reaps it (a shell's background job would not
 * do: the shell may reap it before it execs). Resolves once /proc says Z.
 */
export async function startZombie(): Promise<Zombie> {
  const holder = spawn('/usr/bin/python3', ['-c', 'import os, sys\npid = os.fork()\nif pid == 0: os._exit(0)\nprint(pid, flush=True)\nsys.stdin.read()'], {
    stdio: ['pipe', 'pipe', 'inherit']
  })
  const zombie: Zombie = { pid: 0, stop: () => holder.stdin!.end() }
  zombie.pid = await new Promise<number>((resolve, reject) => {
    holder.stdout!.once('data', (b: Buffer) => resolve(Number(b.toString())))
    holder.once('exit', (code) => reject(new Error(`the zombie's holder exited (${code})`)))
  })
  const state = () => {
    const stat = fs.readFileSync(`/proc/${zombie.pid}/stat`, 'utf8')
    return stat[stat.lastIndexOf(')') + 2]
  }
  for (let i = 0; i < 250 && state() !== 'Z'; i++) await new Promise((r) => setTimeout(r, 20))
  if (state() !== 'Z') throw new Error(`process ${zombie.pid} did not become a zombie`)
  return zombie
}
