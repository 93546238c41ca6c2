// The writer keeps within what the loader opens: command lines are cut with a marker, and a file the
// loader would refuse is not written at all (a clear error instead).
import { describe, expect, it } from 'vitest'
import { CMDLINE_LIMITS, cutMarker, fitCmdline } from './cmdline'
import { DEFAULT_LIMITS, parseSnapscopeFile } from './loader'
import { SCHEMA_LIMITS } from './schema'
import { encodeFile, makeFile } from './snapshotFile'
import { HOST, proc, snapshotDoc } from '../../../test-support/testDocs'
import { UnreadableFileError, WriteCheck } from './writeLimits'

describe('command lines as written', () => {
  it('keeps what fits and ends with a marker saying what was cut', () => {
    expect(CMDLINE_LIMITS.args).toBeLessThan(SCHEMA_LIMITS.cmdlineArgs)
    expect(CMDLINE_LIMITS.chars).toBeLessThanOrEqual(SCHEMA_LIMITS.arg)
    const short = ['/bin/app', '--flag']
    expect(fitCmdline(short)).toEqual(short)

    const many = Array.from({ length: 10_000 }, (_, i) => `a${i}`)
    const cutMany = fitCmdline(many)
    expect(cutMany).toHaveLength(CMDLINE_LIMITS.args)
    expect(cutMany.slice(0, -1)).toEqual(many.slice(0, CMDLINE_LIMITS.args - 1))
    const keptChars = many.slice(0, CMDLINE_LIMITS.args - 1).join('').length
    expect(cutMany.at(-1)).toBe(cutMarker(10_000 - (CMDLINE_LIMITS.args - 1), many.join('').length - keptChars))
    expect(cutMany.at(-1)).toMatch(/^…\(truncated: 8,977 more arguments, [\d,]+ more characters\)$/)

    const huge = fitCmdline(['/bin/app', 'x'.repeat(1 << 20), 'tail'])
    expect(huge).toEqual(['/bin/app', 'x'.repeat(CMDLINE_LIMITS.chars - 8), cutMarker(2, (1 << 20) + 4 - (CMDLINE_LIMITS.chars - 8))])
  })
})

describe('the check before writing', () => {
  it('refuses, and writes nothing, what the loader would refuse', async () => {
    // A document built without the snapshot code: more arguments than a file may hold.
    const tooMany = makeFile([snapshotDoc([proc(1, { cmdline: Array(SCHEMA_LIMITS.cmdlineArgs + 1).fill('a') })])], HOST)
    await expect(encodeFile(tooMany)).rejects.toThrow(
      new UnreadableFileError(`not written: Snapscope could not open it again (items[0].processes[0].cmdline: more than 8192 items)`)
    )
    await expect(parseSnapscopeFile(Buffer.from(JSON.stringify(tooMany)), 'x')).rejects.toThrow(/more than 8192 items/)

    // Past the counts (limits made small to keep the test fast): the JSON text is checked as written.
    const small = { ...DEFAULT_LIMITS, maxContainers: 50 }
    const procs = makeFile([snapshotDoc(Array.from({ length: 20 }, (_, i) => proc(i + 1)))], HOST)
    const check = new WriteCheck(procs, small)
    expect(() => check.feed(JSON.stringify(procs))).toThrow(/too many objects and arrays \(more than 50\)/)
    await expect(parseSnapscopeFile(Buffer.from(JSON.stringify(procs)), 'x', small)).rejects.toThrow(/too many objects and arrays \(more than 50\)/)
  })
})
