// Starts the real `snapscope serve` (browser mode) for a test file and hands back its tokened URL.
import { spawn, type ChildProcess } from 'node:child_process'
import { join } from 'node:path'

export interface Served {
  url: string
  proc: ChildProcess
  stop(): Promise<void>
}

export async function serve(): Promise<Served> {
  const cli = join(__dirname, '..', '..', 'out', 'main', 'cli.js')
  const proc = spawn(process.execPath, [cli, 'serve', '--port', '0'], { stdio: ['ignore', 'pipe', 'pipe'] })
  let out = ''
  let err = ''
  proc.stderr!.on('data', (d) => (err += d))
  const url = await new Promise<string>((ok, fail) => {
    proc.stdout!.on('data', (d) => {
      out += d
      const m = /(http:\/\/127\.0\.0\.1:\d+\/\?token=\S+)/.exec(out)
      if (m) ok(m[1])
    })
    proc.once('exit', (code) => fail(new Error(`snapscope serve exited (${code}): ${err || out}`)))
  })
  return {
    url,
    proc,
    stop: () =>
      new Promise<void>((ok) => {
        if (proc.exitCode !== null) return ok()
        proc.once('exit', () => ok())
        proc.kill('SIGTERM')
      })
  }
}
