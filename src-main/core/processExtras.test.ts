import { describe, expect, it } from 'vitest'
import { parseStatus, processExtras } from './processExtras'

describe('processExtras', () => {
  it('reads private, peak and virtual bytes from /proc/PID/status', () => {
    const text = 'Name:\tnode\nVmPeak:\t  20 kB\nVmSize:\t  12 kB\nVmHWM:\t   8 kB\nRssAnon:\t   4 kB\nThreads:\t7\n'
    expect(parseStatus(5, text)).toEqual({ pid: 5, privateBytes: 4096, peakWorkingSetBytes: 8192, virtualBytes: 12288 })
    expect(parseStatus(5, 'Name:\tkthreadd\n')).toEqual({ pid: 5 })
  })

  it('gives this process its figures, and ESRCH for a process that is gone', async () => {
    const mine = await processExtras(process.pid)
    expect(mine.privateBytes).toBeGreaterThan(1 << 20)
    expect(mine.peakWorkingSetBytes!).toBeGreaterThanOrEqual(mine.privateBytes!)
    await expect(processExtras(4_194_304 + 17)).rejects.toMatchObject({ code: 'ESRCH' })
  })

  it('leaves the figures out where it has no source', async () => {
    expect(await processExtras(process.pid, 'win32')).toEqual({ pid: process.pid })
  })
})
