#!/usr/bin/env node
// Entry of `npx snapscope`: runs the built command (out/main/cli.js, made by `npm install` / `npm run build`).
const { existsSync } = require('node:fs')
const { join } = require('node:path')
const cli = join(__dirname, '..', 'out', 'main', 'cli.js')
if (!existsSync(cli)) {
  process.stderr.write('snapscope: not built yet: run `npm install` (or `npm run build`) in the repository first\n')
  process.exit(1)
}
require(cli)
