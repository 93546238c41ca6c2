// Part of `npm install`: fetch the Electron binary where the network allows it, and never fail the
// install where it does not (electron's own postinstall is disabled by "allowScripts" for that reason).
import { spawn } from 'node:child_process'
import { createRequire } from 'node:module'
import { electronBinary } from './electron-binary.cjs'

const done = (msg) => {
  console.log(`snapscope: ${msg}`)
  process.exit(0)
}
if (electronBinary().path) done('Electron binary present')
if (process.env.ELECTRON_SKIP_BINARY_DOWNLOAD) done('ELECTRON_SKIP_BINARY_DOWNLOAD is set: `npm start` will use browser mode')

const install = createRequire(import.meta.url).resolve('electron/install.js')
const child = spawn(process.execPath, [install], { stdio: ['ignore', 'ignore', 'pipe'] })
let stderr = ''
child.stderr.on('data', (d) => (stderr += d))
const timer = setTimeout(() => child.kill('SIGKILL'), 120_000)
child.on('exit', (code) => {
  clearTimeout(timer)
  if (code === 0 && electronBinary().path) done('Electron binary downloaded')
  const why = stderr.split('\n').find((l) => /error/i.test(l))?.trim() ?? `exit ${code}`
  done(`Electron binary could not be downloaded (${why.slice(0, 200)}): \`npm start\` will use browser mode`)
})
