// Every error code the product can produce is in the registry (src-common/contract/errors.ts), so the
// CLI and the renderer have advice for it: the codes the TypeScript sources throw or name, and the
// errno and Win32 names the native addon gives.
import { readdirSync, readFileSync } from 'node:fs'
import { join, relative } from 'node:path'
import { describe, expect, it } from 'vitest'
import { ERROR_CODES, codedError, errorInfo, hasOwnAdvice, isErrorCode, toErrorPayload } from '../src-common/contract/errors'
import { REFUSED_TO_ELEVATED, adviceFor } from '../src-renderer/src/common/problems'

const root = join(import.meta.dirname, '..')

function productFiles(dir: string, ext: RegExp): { path: string; text: string }[] {
  return readdirSync(join(root, dir), { recursive: true, encoding: 'utf8' })
    .filter((f) => ext.test(f) && !/\.test\.tsx?$/.test(f) && !f.includes('node_modules') && !f.startsWith('test/'))
    .map((f) => ({ path: relative(root, join(root, dir, f)), text: readFileSync(join(root, dir, f), 'utf8') }))
}

/** The codes a TypeScript source names as string literals ('ESRCH', 'ERROR_ACCESS_DENIED'), and how many codedError calls it has. */
export function codesInSource(text: string): { codes: string[]; calls: number } {
  const codes = [...text.matchAll(/['"`]((?:E[A-Z0-9]{2,})|(?:ERROR_[A-Z_]+))['"`]/g)].map((m) => m[1])
  return { codes, calls: text.match(/\bcodedError\(/g)?.length ?? 0 }
}

/** The names the addon gives: its errno table, its Win32 table, and the codes its C++ spells out. */
export function codesInNative(text: string): string[] {
  return [
    ...[...text.matchAll(/SNAPSCOPE_ERRNO\((E[A-Z0-9]+)\)/g)].map((m) => m[1]),
    ...[...text.matchAll(/"((?:E[A-Z0-9]{2,})|(?:ERROR_[A-Z_]+[A-Z]))"/g)].map((m) => m[1])
  ]
}

describe('the error-code registry', () => {
  it('names every code the TypeScript sources throw or compare with', () => {
    const files = ['src-main', 'src-common', 'src-renderer/src'].flatMap((d) => productFiles(d, /\.tsx?$/))
    const found = files.map((f) => ({ path: f.path, ...codesInSource(f.text) }))
    // the scan sees the throw sites (a regression to Object.assign(new Error…) would show here too)
    expect(found.reduce((n, f) => n + f.calls, 0)).toBeGreaterThan(30)
    expect(files.filter((f) => f.path !== 'src-common/contract/errors.ts' && f.text.includes('Object.assign(new Error(')).map((f) => f.path)).toEqual([])
    const missing = found.flatMap((f) => f.codes.filter((c) => !isErrorCode(c)).map((c) => `${f.path}: ${c}`))
    expect(missing).toEqual([])
  })

  it('names every errno and Win32 name the native addon gives', () => {
    const names = productFiles('native/src', /\.(cc|h)$/).flatMap((f) => codesInNative(f.text))
    expect(names).toContain('ERROR_PARTIAL_COPY')
    expect(names).toContain('ELOOP')
    expect(names.filter((c) => !isErrorCode(c))).toEqual([])
  })

  it('the scans find what is not registered', () => {
    expect(codesInSource("throw codedError('EBOGUS', 'x')\nif (e.code === 'ERROR_BOGUS_THING') ok()")).toEqual({ codes: ['EBOGUS', 'ERROR_BOGUS_THING'], calls: 1 })
    expect(codesInNative('SNAPSCOPE_ERRNO(EBOGUS)\n{ERROR_BOGUS, "ERROR_BOGUS"}\nOsError("ENOWHERE", pid')).toEqual(['EBOGUS', 'ERROR_BOGUS', 'ENOWHERE'])
    expect(isErrorCode('EBOGUS')).toBe(false)
    expect(isErrorCode('toString')).toBe(false)
  })

  it('gives each code a meaning and advice, and the renderer shows that advice', () => {
    for (const [code, info] of Object.entries(ERROR_CODES)) {
      expect(info.meaning, code).not.toBe('')
      expect(info.advice, code).toMatch(/^[A-Z].*[.)]$/)
      expect(adviceFor(code), code).toBe(info.advice)
    }
    // only a refusal while elevated gets the renderer's own wording
    expect(adviceFor('EACCES', { os: 'linux', elevated: true })).toBe(REFUSED_TO_ELEVATED.linux)
    expect(adviceFor('ESRCH', { os: 'linux', elevated: true })).toBe(ERROR_CODES.ESRCH.advice)
    expect(adviceFor('E999')).toBe(errorInfo('EINTERNAL').advice)
  })

  it('makes coded errors and turns anything thrown into a code and a message', () => {
    const err = codedError('ESRCH', 'process 7 is gone', { pid: 7 })
    expect(err).toBeInstanceOf(Error)
    expect([err.code, err.message, err.pid]).toEqual(['ESRCH', 'process 7 is gone', 7])
    expect(toErrorPayload(err)).toEqual({ code: 'ESRCH', message: 'process 7 is gone' })
    // Snapscope's own messages carry their advice; the OS's and copies of them do not
    expect([hasOwnAdvice(err), hasOwnAdvice(Object.assign(new Error('x'), { code: 'ESRCH' })), hasOwnAdvice({ ...err })]).toEqual([true, false, false])
    expect(toErrorPayload(new TypeError('bad'))).toEqual({ code: 'EINTERNAL', message: 'bad' })
    expect(toErrorPayload('text')).toEqual({ code: 'EINTERNAL', message: 'text' })
    expect(toErrorPayload(null)).toEqual({ code: 'EINTERNAL', message: 'null' })
    expect(toErrorPayload({ code: 42, message: 'x' })).toEqual({ code: 'EINTERNAL', message: 'x' })
  })
})
