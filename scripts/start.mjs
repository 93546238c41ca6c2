// `npm start`: the Electron app where its binary exists, browser mode otherwise: its URL (with the
// access token) goes to the terminal, or to a file with `npm start -- --browser --url-file PATH`.
import { spawn } from 'node:child_process'
import { existsSync } from 'node:fs'
import { join } from 'node:path'
import { electronBinary } from './electron-binary.cjs'

const root = join(import.meta.dirname, '..')
const run = (cmd, args) => {
  const child = spawn(cmd, args, { cwd: root, stdio: 'inherit' })
  for (const sig of ['SIGINT', 'SIGTERM']) process.on(sig, () => child.kill(sig))
  child.on('exit', (code, signal) => process.exit(code ?? (signal ? 0 : 1)))
}

if (!existsSync(join(root, 'out', 'main', 'cli.js'))) {
  console.error('snapscope: the app is not built: run `npm install` (or `npm run build`) first')
  process.exit(1)
}
const { path, reason } = electronBinary()
if (path && !process.argv.includes('--browser')) {
  run(path, [root, ...(process.getuid?.() === 0 ? ['--no-sandbox'] : [])])
} else {
  console.log(`snapscope: starting browser mode because ${reason ?? '--browser was given'}`)
  const port = process.env.PORT ?? '0'
  const serveArgs = process.argv.slice(2).filter((a) => a !== '--browser')
  run(process.execPath, [join(root, 'out', 'main', 'cli.js'), 'serve', '--port', port, ...serveArgs])
}
