// The layers' import rules, read from the sources: src-common (the contract and the pure model)
// imports only itself, and its contract only the contract; the renderer's product code imports only src-renderer, src-common and the
// page's packages; no product code imports src-renderer from the Node side, or the test helpers.
// The part tsconfigs keep Node and DOM types out; this keeps the imports out that types cannot see
// (a pure src-main file, a package such as `ws` that brings Node's types along).
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs'
import { join, posix, relative, resolve, sep } from 'node:path'

export interface SourceFile {
  /** path relative to the repository root, with '/' separators */
  path: string
  text: string
}

export interface Violation {
  file: string
  specifier: string
  why: string
}

/** The one package src-common may import: the TypeBox type builder the contract's schemas are written
 *  with. It is pure (no Node, no DOM, no eval: its code-generating compiler and `Value` live in
 *  subpaths that only src-main and tests import), so it runs unchanged in both processes. */
const COMMON_PACKAGES = ['@sinclair/typebox']

/** The packages the page may import (react's and recharts' subpaths included). */
const RENDERER_PACKAGES = ['react', 'react-dom', 'recharts']

// Static imports and re-exports (type-only ones too), side-effect imports, import() and require().
const SPECIFIER = /(?:^|[^\w.$])(?:import|export)\s+(?:type\s+)?(?:[\w*$\s,]*(?:\{[^}]*\})?\s*from\s*)?['"]([^'"]+)['"]|(?:^|[^\w.$])(?:import|require)\(\s*['"]([^'"]+)['"]\s*\)/g

export function specifiers(text: string): string[] {
  return [...text.matchAll(SPECIFIER)].map((m) => m[1] ?? m[2])
}

const isTest = (path: string): boolean => /\.test\.tsx?$/.test(path) || path.startsWith('src-renderer/src/test/')

type Layer = 'common' | 'renderer' | 'main' | 'test-support' | 'other'
function layerOf(path: string): Layer {
  if (path.startsWith('src-common/')) return 'common'
  if (path.startsWith('src-renderer/')) return 'renderer'
  if (path.startsWith('src-main/')) return 'main'
  if (path.startsWith('test-support/')) return 'test-support'
  return 'other'
}

/** What the product files among `files` import that their layer may not. */
export function violations(files: SourceFile[]): Violation[] {
  const out: Violation[] = []
  for (const file of files) {
    const layer = layerOf(file.path)
    if (isTest(file.path) || layer === 'test-support' || layer === 'other') continue
    for (const specifier of specifiers(file.text)) {
      const add = (why: string) => out.push({ file: file.path, specifier, why })
      if (!specifier.startsWith('.')) {
        const pkg = specifier.split('/')[0]
        if (layer === 'common' && !COMMON_PACKAGES.includes(specifier))
          add(`src-common imports no package but ${COMMON_PACKAGES.join(', ')} (not its subpaths): it runs in both processes as it is`)
        else if (layer === 'renderer' && !RENDERER_PACKAGES.includes(pkg))
          add(`the renderer imports only ${RENDERER_PACKAGES.join(', ')} among packages (put Node code in src-main and reach it over the contract)`)
        continue
      }
      const target = posix.join(posix.dirname(file.path), specifier)
      const to = layerOf(target)
      if (to === 'test-support') add('product code imports no test helper')
      else if (layer === 'common' && to !== 'common') add('src-common imports only src-common')
      else if (file.path.startsWith('src-common/contract/') && !target.startsWith('src-common/contract/')) add('the contract imports only the contract')
      else if (layer === 'renderer' && to !== 'renderer' && to !== 'common')
        add('the renderer imports only src-renderer and src-common (move pure code to src-common/model, types to src-common/contract)')
      else if (layer === 'main' && to === 'renderer') add('src-main does not import the renderer')
    }
  }
  return out
}

/** Every source file of the three layers and the test helpers, read from `root`. */
export function readSources(root: string): SourceFile[] {
  const out: SourceFile[] = []
  const walk = (dir: string) => {
    for (const name of readdirSync(dir)) {
      const path = join(dir, name)
      if (statSync(path).isDirectory()) walk(path)
      else if (/\.(tsx?|mts)$/.test(name)) out.push({ path: relative(root, path).split(sep).join('/'), text: readFileSync(path, 'utf8') })
    }
  }
  for (const part of ['src-common', 'src-renderer/src', 'src-main', 'test-support']) if (existsSync(resolve(root, part))) walk(resolve(root, part))
  return out
}

/** The import cycles among the product files, each as the files around it (type-only imports count). */
export function cycles(files: SourceFile[]): string[][] {
  const product = files.filter((f) => !isTest(f.path) && layerOf(f.path) !== 'test-support' && layerOf(f.path) !== 'other')
  const paths = new Set(product.map((f) => f.path))
  const resolveIn = (from: string, specifier: string) => {
    const base = posix.join(posix.dirname(from), specifier)
    return [base, `${base}.ts`, `${base}.tsx`, `${base}/index.ts`].find((p) => paths.has(p))
  }
  const edges = new Map(product.map((f) => [f.path, specifiers(f.text).flatMap((s) => (s.startsWith('.') ? (resolveIn(f.path, s) ?? []) : []))]))
  const found: string[][] = []
  const state = new Map<string, 'open' | 'done'>()
  const stack: string[] = []
  const visit = (file: string) => {
    state.set(file, 'open')
    stack.push(file)
    for (const next of edges.get(file) ?? []) {
      if (state.get(next) === 'open') found.push(stack.slice(stack.indexOf(next)))
      else if (!state.has(next)) visit(next)
    }
    stack.pop()
    state.set(file, 'done')
  }
  for (const file of edges.keys()) if (!state.has(file)) visit(file)
  return found
}
