import { closeSync, constants, openSync, rmSync, writeSync } from 'node:fs'
import { join } from 'node:path'
import { parseArgs } from 'node:util'
import { findRepoRoot, loadAddon } from '../../../native/index'
import { startWebHost } from '../../web/webHost'
import { UsageError } from '../args'
import { version } from '../../../package.json'

export const usage = `serve [--port P] [--url-file PATH]
      browser mode on 127.0.0.1; the URL carries an access token, printed only to a terminal;
      --url-file writes the URL to PATH instead (a new file, readable by you alone)`

/** Creates PATH for this run only: never an existing file or a symlink someone planted, mode 0600. */
function createUrlFile(path: string): number {
  try {
    return openSync(path, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW, 0o600)
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code
    if (code === 'EEXIST' || code === 'ELOOP')
      throw new UsageError(`--url-file: ${path} exists: name a file that does not exist yet (it is created new, so no one else can have it open)`)
    throw new UsageError(`--url-file: cannot create ${path}: ${(err as Error).message}`)
  }
}

export async function run(args: string[]): Promise<void> {
  const { values } = parseArgs({ args, options: { port: { type: 'string' }, 'url-file': { type: 'string' } } })
  const port = values.port === undefined ? 0 : Number(values.port)
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new UsageError(`--port must be 0..65535, got "${values.port}"`)
  const urlFile = values['url-file']
  const fd = urlFile === undefined ? undefined : createUrlFile(urlFile)
  const host = await startWebHost({ port, rendererDir: join(findRepoRoot(), 'out', 'renderer'), deps: { addon: loadAddon(), version } })
  const bare = `http://127.0.0.1:${host.port}/`
  // The token opens every process the host can read: it goes where only this user can read it, once.
  if (fd !== undefined) {
    writeSync(fd, `${host.url}\n`)
    closeSync(fd)
    process.stdout.write(`Snapscope browser mode: ${bare} (open the URL with its access token from ${urlFile})\n`)
  } else if (process.stdout.isTTY) process.stdout.write(`Snapscope browser mode: ${host.url}\n`)
  else
    process.stdout.write(
      `Snapscope browser mode: ${bare} (the access token is printed to a terminal only: run with --url-file PATH to get the URL in a file only you can read)\n`
    )
  const stop = (): void =>
    void host.close().then(() => {
      if (urlFile !== undefined) rmSync(urlFile, { force: true })
      process.exit(0)
    })
  process.once('SIGINT', stop)
  process.once('SIGTERM', stop)
}
