// `npx snapscope` from the repository root runs node_modules/.bin/snapscope: link it there at install.
// (A "bin" field in package.json would not do: npm 11's npx then tries to install the project into its
// own cache and fails reading it back.)
import { chmodSync, mkdirSync, rmSync, symlinkSync } from 'node:fs'
import { join } from 'node:path'

const root = join(import.meta.dirname, '..')
const binDir = join(root, 'node_modules', '.bin')
mkdirSync(binDir, { recursive: true })
const link = join(binDir, 'snapscope')
rmSync(link, { force: true })
symlinkSync(join('..', '..', 'bin', 'snapscope.cjs'), link)
chmodSync(join(root, 'bin', 'snapscope.cjs'), 0o755)
