// Starts the real `snapscope serve` (browser mode) and hands back its tokened URL, which the host
// writes to a --url-file (it prints the token only to a terminal). The e2e tests and the UI bench run
// the built CLI; the unit tests run the sources (SOURCE_CLI) to need no build.
import { spawn, type ChildProcess } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

export interface Served {
  url: string
  port: number
  token: string
  /** the --url-file the host wrote (removed when it stops) */
  urlFile: string
  proc: ChildProcess
  /** what the host printed so far */
  stdout(): string
  stderr(): string
  stop(): Promise<void>
}

const root = join(__dirname, '..', '..')
export const BUILT_CLI = [join(root, 'out', 'main', 'cli.js')]
export const SOURCE_CLI = ['--import', 'tsx', join(root, 'src-main', 'cli', 'snapscope.ts')]

export async function serve(cli: string[] = BUILT_CLI): Promise<Served> {
  const dir = mkdtempSync(join(tmpdir(), 'snapscope-serve-'))
  const urlFile = join(dir, 'url')
  const proc = spawn(process.execPath, [...cli, 'serve', '--port', '0', '--url-file', urlFile], { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] })
  let out = ''
  let err = ''
  proc.stderr!.on('data', (d) => (err += d))
  proc.stdout!.on('data', (d) => (out += d))
  // The host prints its address once the URL is in the file.
  await new Promise<void>((ok, fail) => {
    const ready = () => /browser mode: http:\/\/127\.0\.0\.1:\d+\//.test(out) && ok()
    proc.stdout!.on('data', ready)
    proc.once('exit', (code) => fail(new Error(`snapscope serve exited (${code}): ${err || out}`)))
  })
  const url = readFileSync(urlFile, 'utf8').trim()
  const { port, searchParams } = new URL(url)
  return {
    url,
    port: Number(port),
    token: searchParams.get('token')!,
    urlFile,
    proc,
    stdout: () => out,
    stderr: () => err,
    stop: () =>
      new Promise<void>((ok) => {
        const done = () => {
          rmSync(dir, { recursive: true, force: true })
          ok()
        }
        if (proc.exitCode !== null || proc.signalCode !== null) return done()
        // A host busy for long (a test that failed under load) is not waited for.
        const kill = setTimeout(() => proc.kill('SIGKILL'), 5_000)
        proc.once('exit', () => {
          clearTimeout(kill)
          done()
        })
        proc.kill('SIGTERM')
      })
  }
}
