// Where the Electron binary is, or why there is none (electron's install step writes path.txt).
// CommonJS so that scripts (.mjs) and Playwright tests (.ts) can both load it.
const { existsSync, readFileSync } = require('node:fs')
const { dirname, join } = require('node:path')

function electronBinary() {
  let pkgDir
  try {
    pkgDir = dirname(require.resolve('electron/package.json'))
  } catch {
    return { path: null, reason: 'the electron package is not installed (run npm install)' }
  }
  const pathTxt = join(pkgDir, 'path.txt')
  if (!existsSync(pathTxt)) return { path: null, reason: 'the Electron binary was not downloaded (offline, or ELECTRON_SKIP_BINARY_DOWNLOAD)' }
  const bin = join(pkgDir, 'dist', readFileSync(pathTxt, 'utf8').trim())
  if (!existsSync(bin)) return { path: null, reason: `the Electron binary is missing at ${bin}` }
  return { path: bin, reason: null }
}

module.exports = { electronBinary }
