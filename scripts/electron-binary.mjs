// Where the Electron binary is, or why there is none (electron's install step writes path.txt).
import { existsSync, readFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { createRequire } from 'node:module'

export function electronBinary() {
  let pkgDir
  try {
    pkgDir = dirname(createRequire(import.meta.url).resolve('electron/package.json'))
  } catch {
    return { path: null, reason: 'the electron package is not installed (run npm install)' }
  }
  const pathTxt = join(pkgDir, 'path.txt')
  if (!existsSync(pathTxt)) return { path: null, reason: 'the Electron binary was not downloaded (offline, or ELECTRON_SKIP_BINARY_DOWNLOAD)' }
  const bin = join(pkgDir, 'dist', readFileSync(pathTxt, 'utf8').trim())
  if (!existsSync(bin)) return { path: null, reason: `the Electron binary is missing at ${bin}` }
  return { path: bin, reason: null }
}
