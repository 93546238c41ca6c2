import { join } from 'node:path'
import { parseArgs } from 'node:util'
import { findRepoRoot, loadAddon } from '../../../native/index'
import { startWebHost } from '../../web/webHost'
import { UsageError } from '../args'
import { version } from '../../../package.json'

export const usage = `serve [--port P]
      browser mode on 127.0.0.1 (prints the URL with its token)`

export async function run(args: string[]): Promise<void> {
  const { values } = parseArgs({ args, options: { port: { type: 'string' } } })
  const port = values.port === undefined ? 0 : Number(values.port)
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new UsageError(`--port must be 0..65535, got "${values.port}"`)
  const host = await startWebHost({ port, rendererDir: join(findRepoRoot(), 'out', 'renderer'), deps: { addon: loadAddon(), version } })
  process.stdout.write(`Snapscope browser mode: ${host.url}\n`)
  const stop = (): void => void host.close().then(() => process.exit(0))
  process.once('SIGINT', stop)
  process.once('SIGTERM', stop)
}

