// The one writer of user-named paths, on the real file system: temporaries nobody can guess, read or
// redirect, the final mode, nothing left behind, links followed only when they are the writer's own.
import { chmodSync, lstatSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { OutputFile, openExclusive, prepareFolder } from './safeWrite'

const made: string[] = []
const folder = (): string => {
  const dir = mkdtempSync(join(tmpdir(), 'snapscope-safewrite-'))
  made.push(dir)
  return dir
}
afterAll(() => {
  for (const dir of made) rmSync(dir, { recursive: true, force: true })
})
const mode = (path: string): number => statSync(path).mode & 0o777
const umaskMode = (): number => 0o666 & ~process.umask()

describe('OutputFile', () => {
  it('holds a random, private temporary file beside the target from open() on, and renames it with the umask mode', async () => {
    const dir = folder()
    const out = await OutputFile.open(join(dir, 'doc.json'))
    const names = readdirSync(dir)
    expect(names).toHaveLength(1)
    const tmp = names[0]
    expect(tmp).toMatch(/^\.snapscope-[0-9a-f]{24}\.tmp$/)
    expect(tmp).not.toContain(String(process.pid))
    expect(mode(join(dir, tmp))).toBe(0o600)
    await out.save('{"a": 1}\n')
    expect(readdirSync(dir)).toEqual(['doc.json'])
    expect(readFileSync(join(dir, 'doc.json'), 'utf8')).toBe('{"a": 1}\n')
    expect(mode(join(dir, 'doc.json'))).toBe(umaskMode())
  })

  it('replaces a file of ours keeping its mode, again on each save (a capture checkpoint)', async () => {
    const dir = folder()
    const path = join(dir, 'run.snapscope')
    writeFileSync(path, 'old')
    chmodSync(path, 0o640)
    await OutputFile.using(path, async (out) => {
      await out.save('first')
      expect(readFileSync(path, 'utf8')).toBe('first')
      await out.save('second')
    })
    expect(readFileSync(path, 'utf8')).toBe('second')
    expect(mode(path)).toBe(0o640)
    expect(readdirSync(dir)).toEqual(['run.snapscope'])
  })

  it('leaves the old file as it was and no temporary file when the work fails', async () => {
    const dir = folder()
    const path = join(dir, 'doc.json')
    writeFileSync(path, 'old')
    await expect(OutputFile.using(path, async () => Promise.reject(new Error('the walk failed')))).rejects.toThrow('the walk failed')
    await expect(
      OutputFile.using(path, (out) =>
        out.saveStream(async (s) => {
          s.write('half')
          throw new Error('cut off')
        })
      )
    ).rejects.toThrow('cut off')
    expect(readdirSync(dir)).toEqual(['doc.json'])
    expect(readFileSync(path, 'utf8')).toBe('old')
  })

  it('follows a link of its own user to the file it names, and writes there', async () => {
    const dir = folder()
    writeFileSync(join(dir, 'real.json'), 'old')
    symlinkSync('real.json', join(dir, 'link.json'))
    await OutputFile.using(join(dir, 'link.json'), (out) => out.save('new'))
    expect(lstatSync(join(dir, 'link.json')).isSymbolicLink()).toBe(true)
    expect(readFileSync(join(dir, 'real.json'), 'utf8')).toBe('new')
    // "link/.." is the parent of where the link points, as the kernel has it
    const other = folder()
    mkdirSync(join(other, 'inner'))
    symlinkSync(join(other, 'inner'), join(dir, 'elsewhere'))
    await OutputFile.using(`${dir}/elsewhere/../up.json`, (out) => out.save('up'))
    expect(readFileSync(join(other, 'up.json'), 'utf8')).toBe('up')
    expect(readdirSync(dir)).not.toContain('up.json')
  })

  it('refuses folders, names the missing folder, and says what to do', async () => {
    const dir = folder()
    await expect(OutputFile.open(dir)).rejects.toMatchObject({ code: 'EISDIR', message: expect.stringContaining(`cannot write ${dir}:`) })
    await expect(OutputFile.open(join(dir, 'no', 'x.json'))).rejects.toMatchObject({
      code: 'ENOENT',
      message: `cannot write ${join(dir, 'no', 'x.json')}: the folder ${join(dir, 'no')} does not exist: create it or choose another place (ENOENT)`
    })
    writeFileSync(join(dir, 'file'), '')
    await expect(OutputFile.open(join(dir, 'file', 'x.json'))).rejects.toMatchObject({ code: 'ENOTDIR' })
    await expect(prepareFolder(join(dir, 'file'))).rejects.toMatchObject({ code: 'ENOTDIR' })
  })
})

describe('openExclusive', () => {
  it('never opens through a link put at the name first (the target stays as it was, a dangling one is not created)', async () => {
    const dir = folder()
    const victim = join(dir, 'victim')
    writeFileSync(victim, 'secret')
    symlinkSync(victim, join(dir, 'planted'))
    await expect(openExclusive(join(dir, 'planted'))).rejects.toMatchObject({ code: 'EEXIST' })
    expect(readFileSync(victim, 'utf8')).toBe('secret')
    symlinkSync(join(dir, 'new-file'), join(dir, 'dangling'))
    await expect(openExclusive(join(dir, 'dangling'))).rejects.toMatchObject({ code: 'EEXIST' })
    expect(readdirSync(dir)).not.toContain('new-file')
  })
})
