// The layers hold, and the two checks that hold them fail when they should: the import rules
// (scripts/layers.ts) and the part tsconfigs (Node types only in src-main, DOM only in the renderer,
// neither in src-common), each fed a file that breaks them.
import { spawnSync } from 'node:child_process'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { cycles, readSources, specifiers, violations } from './layers'

const root = join(import.meta.dirname, '..')

describe('import rules', () => {
  it('hold in the sources', () => {
    const sources = readSources(root)
    expect(sources.filter((s) => s.path.startsWith('src-renderer/')).length).toBeGreaterThan(50)
    expect(violations(sources)).toEqual([])
  })

  it('leave no import cycle (but the budget, which owns the host\'s one PDF queue that reserves from it)', () => {
    expect(cycles(readSources(root)).map((c) => c.sort())).toEqual([['src-main/core/budget.ts', 'src-main/core/report/pdf.ts']])
    const a = { path: 'src-main/core/a.ts', text: "import type { B } from './b'" }
    expect(cycles([a, { path: 'src-main/core/b.ts', text: "import { c } from './c'" }])).toEqual([])
    expect(cycles([a, { path: 'src-main/core/b.ts', text: "import { A } from './a'" }])).toEqual([['src-main/core/a.ts', 'src-main/core/b.ts']])
  })

  it('read every kind of import', () => {
    const text = [
      "import type {\n  Session,\n  Other\n} from '../a'",
      "import './styles.css'",
      "export { x } from '../b'",
      "const m = await import('../c')",
      "export * from 'd'"
    ].join('\n')
    expect(specifiers(text)).toEqual(['../a', './styles.css', '../b', '../c', 'd'])
  })

  it('refuse the renderer Node code, src-main and test helpers, src-common anything outside itself, the contract the model', () => {
    const found = violations([
      { path: 'src-renderer/src/x/A.tsx', text: "import type { Session } from '../../../src-main/core/session'" },
      { path: 'src-renderer/src/x/B.ts', text: "import { readFileSync } from 'node:fs'\nimport { WebSocket } from 'ws'" },
      { path: 'src-renderer/src/x/C.ts', text: "import { HOST } from '../../../test-support/testDocs'" },
      { path: 'src-common/model/D.ts', text: "import { App } from '../../src-renderer/src/App'\nimport React from 'react'" },
      { path: 'src-common/model/E.ts', text: "import { Session } from '../../src-main/core/session'" },
      { path: 'src-main/core/F.ts', text: "import { App } from '../../src-renderer/src/App'" },
      { path: 'src-common/contract/G.ts', text: "import type { Quantity } from '../model/report/format'" },
      // TypeBox's compiler generates code (eval), which the renderer's CSP forbids
      { path: 'src-common/contract/H.ts', text: "import { TypeCompiler } from '@sinclair/typebox/compiler'" }
    ])
    expect(found.map((v) => `${v.file} ${v.specifier}`)).toEqual([
      'src-renderer/src/x/A.tsx ../../../src-main/core/session',
      'src-renderer/src/x/B.ts node:fs',
      'src-renderer/src/x/B.ts ws',
      'src-renderer/src/x/C.ts ../../../test-support/testDocs',
      'src-common/model/D.ts ../../src-renderer/src/App',
      'src-common/model/D.ts react',
      'src-common/model/E.ts ../../src-main/core/session',
      'src-main/core/F.ts ../../src-renderer/src/App',
      'src-common/contract/G.ts ../model/report/format',
      'src-common/contract/H.ts @sinclair/typebox/compiler'
    ])
  })

  it('let the renderer import itself, src-common and its packages, and tests import what they test', () => {
    expect(
      violations([
        { path: 'src-renderer/src/x/A.tsx', text: "import { useState } from 'react'\nimport { createRoot } from 'react-dom/client'\nimport type { Channel } from '../../../src-common/contract/contract'\nimport './a.css'" },
        { path: 'src-renderer/src/x/A.test.tsx', text: "import { HOST } from '../../../test-support/testDocs'\nimport { readFileSync } from 'node:fs'" },
        { path: 'src-common/model/B.ts', text: "import type { Snapshot } from '../contract/types'" },
        { path: 'src-common/contract/I.ts', text: "import { Type } from '@sinclair/typebox'" },
        { path: 'src-main/core/C.ts', text: "import { compare } from '../../src-common/model/diff/diff'\nimport { readFile } from 'node:fs/promises'" }
      ])
    ).toEqual([])
  })
})

describe('part tsconfigs', () => {
  // Probes sit in a folder under the root (node_modules and @types/node within reach, as for the
  // real sources) that no other tsconfig, vitest or electron-vite pattern covers.
  // Made before the first test (not when the file is collected: a filtered run skips afterAll).
  let probes = ''
  beforeAll(() => {
    probes = mkdtempSync(join(root, '.layers-probe-'))
  })
  afterAll(() => rmSync(probes, { recursive: true, force: true }))

  /** Type-checks `files` under the part's own tsconfig; the compiler's errors, by file. */
  function check(part: string, files: Record<string, string>): Record<string, string> {
    const dir = mkdtempSync(join(probes, `${part}-`))
    writeFileSync(join(dir, 'tsconfig.json'), JSON.stringify({ extends: join(root, part, 'tsconfig.json'), include: ['*.ts'], exclude: [] }))
    for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text)
    const r = spawnSync(process.execPath, [join(root, 'node_modules/typescript/bin/tsc'), '--noEmit', '-p', dir], { encoding: 'utf8' })
    const errors: Record<string, string> = {}
    for (const line of r.stdout.split('\n')) {
      const m = /([\w-]+\.ts)\(\d+,\d+\): (error .*)/.exec(line)
      if (m) errors[m[1]] = (errors[m[1]] ?? '') + m[2]
    }
    expect(Object.keys(errors).length > 0).toBe(r.status !== 0)
    return errors
  }

  it('src-common: neither Node nor DOM', () => {
    const errors = check('src-common', {
      'pure.ts': 'export const last = (xs: number[]) => xs.at(-1) ?? new Intl.NumberFormat("en-US").format(0)',
      'dom.ts': 'export const title = () => document.title',
      'node.ts': "export const bytes = (s: string) => Buffer.byteLength(s)",
      'nodeImport.ts': "import { readFileSync } from 'node:fs'\nexport const read = readFileSync"
    })
    expect(Object.keys(errors).sort()).toEqual(['dom.ts', 'node.ts', 'nodeImport.ts'])
    expect(errors['dom.ts']).toMatch(/document/)
    expect(errors['node.ts']).toMatch(/Buffer/)
    expect(errors['nodeImport.ts']).toMatch(/node:fs/)
  }, 60_000)

  it('src-renderer: DOM but not Node', () => {
    const errors = check('src-renderer', {
      'dom.ts': 'export const title = () => document.title',
      'nodeImport.ts': "import { readFileSync } from 'node:fs'\nexport const read = readFileSync",
      'nodeGlobal.ts': 'export const pid = () => process.pid'
    })
    expect(Object.keys(errors).sort()).toEqual(['nodeGlobal.ts', 'nodeImport.ts'])
  }, 60_000)

  it('src-main: Node but not DOM', () => {
    const errors = check('src-main', {
      'node.ts': "import { readFileSync } from 'node:fs'\nexport const read = () => readFileSync('/proc/self/stat', 'utf8') + process.pid",
      'dom.ts': 'export const title = () => document.title'
    })
    expect(Object.keys(errors)).toEqual(['dom.ts'])
  }, 60_000)
})
